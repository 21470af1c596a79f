// JSONPath as Step Functions reads it (Jayway dialect, the subset ASL users write):
// $, .name, ['name'], [n], [-n], [a:b], [*], .*, ..name, [?(@.f op literal)] with
// ==, !=, <, <=, >, >=, &&, ||, parentheses and existence tests [?(@.f)].
//
// No Debian package offers JSONPath for C++, so this small evaluator is ours.
#ifndef ECSIM_FAKES_STEPFUNCTIONS_JSON_PATH_H_
#define ECSIM_FAKES_STEPFUNCTIONS_JSON_PATH_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/base/document.h"

namespace fakes::stepfunctions {

class JsonPath {
 public:
  // Parses a path that starts with '$'. On bad syntax returns nullopt and, if
  // `error` is not null, stores a one-line reason there.
  static std::optional<JsonPath> Parse(std::string_view text, std::string* error = nullptr);

  const std::string& text() const { return text_; }
  // True when the path can select at most one value (no *, .., [?()], [a:b]).
  bool definite() const { return definite_; }
  // True when the path only names fields and indices: what ResultPath accepts.
  bool IsReferencePath() const;

  // Every match, in document order. Pointers point into `root`.
  std::vector<const sim::Json*> Select(const sim::Json& root) const;

  // Step Functions' reading of a path: a definite path yields its single value
  // (nullopt if it does not resolve); an indefinite one yields an array of all
  // matches (possibly empty).
  std::optional<sim::Json> Evaluate(const sim::Json& root) const;

  // Stores `value` at this path inside *root, creating missing objects on the
  // way (as ResultPath does). Returns false when a step meets a value that is
  // not an object (for a name) or an array with that index (for an index).
  // REQUIRES: IsReferencePath().
  bool Assign(sim::Json* root, sim::Json value) const;

  struct Segment;  // defined in json_path.cc

 private:
  std::string text_;
  bool definite_ = true;
  std::shared_ptr<const std::vector<Segment>> segments_;
};

}  // namespace fakes::stepfunctions

#endif  // ECSIM_FAKES_STEPFUNCTIONS_JSON_PATH_H_
