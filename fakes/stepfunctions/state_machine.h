// An Amazon States Language state machine as deployed (JSONPath query
// language): the typed model and the validating loader.
#ifndef ECSIM_FAKES_STEPFUNCTIONS_STATE_MACHINE_H_
#define ECSIM_FAKES_STEPFUNCTIONS_STATE_MACHINE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/base/document.h"
#include "sim/base/time.h"

namespace fakes::stepfunctions {

// Task TimeoutSeconds when none is given (AWS: 99999999 s).
inline constexpr int64_t kDefaultTaskTimeoutSeconds = 99999999;
// Upper bound of MaxDelaySeconds (AWS: 0 < v < 31622401).
inline constexpr int64_t kMaxDelaySecondsLimit = 31622400;

struct Retrier {
  std::vector<std::string> error_equals;
  int64_t interval_seconds = 1;
  int64_t max_attempts = 3;
  double backoff_rate = 2.0;
  std::optional<int64_t> max_delay_seconds;
  bool full_jitter = false;  // JitterStrategy FULL (default NONE)
  int line = 0;
};

struct Catcher {
  std::vector<std::string> error_equals;
  std::string next;
  std::optional<std::string> result_path = "$";  // nullopt = JSON null (discard)
  int line = 0;
};

// One Choice rule. Top-level rules carry `next`; nested ones (inside And, Or,
// Not) do not.
struct ChoiceRule {
  enum class Kind { kAnd, kOr, kNot, kCompare };
  Kind kind = Kind::kCompare;
  std::vector<ChoiceRule> children;  // And/Or: operands; Not: exactly one
  std::string variable;              // kCompare
  std::string comparator;            // e.g. "StringEquals", "NumericLessThanPath", "IsPresent"
  sim::Json operand;                 // literal, or the path string for a "...Path" comparator
  std::string next;
};

enum class StateType { kTask, kPass, kWait, kChoice, kSucceed, kFail };

struct State {
  std::string name;
  StateType type = StateType::kPass;
  std::string type_name;  // "Task", "Pass", ... as written
  int line = 0;
  std::string comment;

  // Transition (Task, Pass, Wait). Empty `next` with end == true ends the run.
  std::string next;
  bool end = false;

  // Data flow. nullopt = the field was JSON null.
  std::optional<std::string> input_path = "$";
  std::optional<std::string> output_path = "$";
  std::optional<std::string> result_path = "$";
  std::optional<sim::Json> parameters;
  std::optional<sim::Json> result_selector;

  // Task.
  std::string resource;
  std::optional<int64_t> timeout_seconds;  // unset = kDefaultTaskTimeoutSeconds
  std::optional<std::string> timeout_seconds_path;
  std::optional<int64_t> heartbeat_seconds;
  std::optional<std::string> heartbeat_seconds_path;
  std::vector<Retrier> retry;
  std::vector<Catcher> catchers;

  // Pass.
  std::optional<sim::Json> result;

  // Wait: exactly one of these.
  std::optional<int64_t> seconds;
  std::optional<std::string> timestamp;
  std::optional<std::string> seconds_path;
  std::optional<std::string> timestamp_path;

  // Choice.
  std::vector<ChoiceRule> choices;
  std::string default_next;

  // Fail.
  std::string error, cause;
  std::optional<std::string> error_path, cause_path;
};

struct StateMachine {
  std::string comment;
  std::string start_at;
  std::optional<int64_t> timeout_seconds;  // execution-level; unset = no limit modelled
  std::map<std::string, State> states;
  std::vector<std::string> state_order;  // as written in the definition
  std::string file;

  const State& At(const std::string& name) const { return states.at(name); }
};

// Loads and validates a definition as CreateStateMachine would. Every problem
// throws sim::InputError naming the file, line and key: unknown or missing
// fields, unknown Type, Parallel/Map (not modelled), transitions to missing
// states, unreachable states, bad JSONPath/intrinsics, Retry/Catch ranges and
// States.ALL placement, HeartbeatSeconds >= TimeoutSeconds.
StateMachine LoadStateMachine(const sim::Node& definition);

}  // namespace fakes::stepfunctions

#endif  // ECSIM_FAKES_STEPFUNCTIONS_STATE_MACHINE_H_
