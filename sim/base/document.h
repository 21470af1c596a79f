// Structured input documents (scenario YAML, AWS JSON) with the source line of
// every value, so validation errors can name file, line and key.
//
// Both formats are read by libraries: yaml-cpp gives every node a line mark,
// nlohmann-json checks JSON syntax strictly. Values are exposed as
// nlohmann::ordered_json (key order kept, so output built from them is stable).
#ifndef ECSIM_SIM_BASE_DOCUMENT_H_
#define ECSIM_SIM_BASE_DOCUMENT_H_

#include <cstdint>
#include <initializer_list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/base/input_error.h"
#include "sim/base/time.h"

namespace sim {

using Json = nlohmann::ordered_json;

// A parsed file: its root value and a map from JSON pointer to source line.
class Document {
 public:
  // Reads and parses a file. ".json" files must be strict JSON; anything else
  // is YAML. Throws InputError (exit 2) on unreadable or malformed input.
  static std::shared_ptr<const Document> Load(const std::string& path);
  // Parses text as if it came from `file` (tests, inline documents).
  static std::shared_ptr<const Document> Parse(std::string_view text, const std::string& file, bool strict_json);
  // A document made from an already-parsed value (e.g. a JSON object inlined in
  // a YAML scenario): lines are looked up in `parent` under `prefix`.
  static std::shared_ptr<const Document> Sub(std::shared_ptr<const Document> parent, const std::string& prefix);

  const std::string& file() const { return file_; }
  const Json& root() const { return root_; }
  // Line of the value at `pointer` or its nearest ancestor that has one.
  int LineOf(const std::string& pointer) const;

 private:
  std::string file_;
  Json root_;
  std::map<std::string, int> lines_;
  std::shared_ptr<const Document> parent_;
  std::string prefix_;
};

// A cursor into a Document used by validating loaders. Every accessor that
// fails throws InputError naming the file, the line and the dotted key.
class Node {
 public:
  Node(std::shared_ptr<const Document> doc, const Json* value, std::string pointer, std::string key)
      : doc_(std::move(doc)), value_(value), pointer_(std::move(pointer)), key_(std::move(key)) {}
  static Node Root(std::shared_ptr<const Document> doc);

  const Json& json() const { return *value_; }
  const std::string& key() const { return key_; }
  const std::string& pointer() const { return pointer_; }
  const Document& document() const { return *doc_; }
  std::shared_ptr<const Document> document_ptr() const { return doc_; }
  int line() const { return doc_->LineOf(pointer_); }

  bool IsObject() const { return value_->is_object(); }
  bool IsArray() const { return value_->is_array(); }
  bool IsString() const { return value_->is_string(); }
  bool Has(std::string_view name) const;
  std::optional<Node> Get(std::string_view name) const;
  Node Require(std::string_view name) const;  // missing => error
  Node At(size_t index) const;
  size_t Size() const;
  std::vector<std::string> Keys() const;  // object keys in document order

  // Unknown keys are errors in ecsim's own schema.
  void AllowOnly(std::initializer_list<std::string_view> names) const;
  void ExpectObject() const;
  void ExpectArray() const;

  std::string AsString() const;
  int64_t AsInt() const;
  int64_t AsIntInRange(int64_t lo, int64_t hi) const;
  double AsDouble() const;
  bool AsBool() const;
  Duration AsDuration() const;  // "90s", "2m", ...
  std::vector<std::string> AsStringList() const;

  // Convenience for optional scalars with defaults.
  std::string GetString(std::string_view name, const std::string& fallback) const;
  int64_t GetInt(std::string_view name, int64_t fallback) const;
  bool GetBool(std::string_view name, bool fallback) const;
  Duration GetDuration(std::string_view name, Duration fallback) const;

  [[noreturn]] void Fail(const std::string& message) const;
  SourceLocation Where() const { return {doc_->file(), line(), key_}; }

 private:
  std::shared_ptr<const Document> doc_;
  const Json* value_;
  std::string pointer_;
  std::string key_;
};

std::string TypeName(const Json& value);

}  // namespace sim

#endif  // ECSIM_SIM_BASE_DOCUMENT_H_
