// EventBridge event patterns: AWS content filtering of JSON events by rules.
//
// A pattern is loaded once (validated like PutRule validates EventPattern) and
// then matched against events. Supported: exact values (string, number, true,
// false, null), nested objects, array-valued event fields (any element),
// prefix, suffix, equals-ignore-case, anything-but (value, list, prefix,
// suffix, equals-ignore-case), numeric ranges, exists, wildcard and $or.
// docs/aws/events.md lists the exact semantics and what is left out.
#ifndef ECSIM_FAKES_EVENTS_EVENT_PATTERN_H_
#define ECSIM_FAKES_EVENTS_EVENT_PATTERN_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/base/document.h"

namespace fakes::events {

class EventPattern {
 public:
  // One way to match a leaf value; the matchers of a field are ORed.
  struct Matcher {
    enum class Kind {
      kExact,                    // value
      kPrefix,                   // text
      kSuffix,                   // text
      kEqualsIgnoreCase,         // text
      kAnythingBut,              // values (all strings or all numbers)
      kAnythingButPrefix,        // text
      kAnythingButSuffix,        // text
      kAnythingButIgnoreCase,    // texts
      kNumeric,                  // lower/upper bounds
      kExists,                   // exists
      kWildcard,                 // text ('*' = any run, "\*" = literal star)
    };
    Kind kind = Kind::kExact;
    sim::Json value;
    std::string text;
    std::vector<sim::Json> values;
    std::vector<std::string> texts;
    std::optional<double> lower, upper;
    bool lower_open = false, upper_open = false;
    bool exists = true;
  };
  struct Object;
  // A key of the pattern: either a list of matchers (a leaf) or a nested object.
  struct Field {
    std::string name;
    std::vector<Matcher> matchers;   // leaf when nested == nullptr
    std::shared_ptr<Object> nested;
  };
  // All fields must match, and in every $or group at least one alternative.
  struct Object {
    std::vector<Field> fields;
    std::vector<std::vector<Object>> any_of;
  };

  // True if `event` (an event envelope or any JSON object) matches.
  bool Matches(const sim::Json& event) const;
  // The pattern as written (after unwrapping a JSON string).
  const sim::Json& json() const { return json_; }

 private:
  friend EventPattern LoadEventPattern(const sim::Node& node);
  Object root_;
  sim::Json json_;
};

// Reads an AWS event pattern: a mapping, or a string holding its JSON (as
// PutRule's EventPattern). Throws sim::InputError naming file, line and key
// with the reason AWS gives ("Event pattern is not valid. Reason: ...").
// For a pattern inside a string, lines count from the line of the string.
EventPattern LoadEventPattern(const sim::Node& node);

}  // namespace fakes::events

#endif  // ECSIM_FAKES_EVENTS_EVENT_PATTERN_H_
