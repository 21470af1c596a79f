// Step Functions input and output processing (JSONPath query language):
// InputPath -> Parameters -> task -> ResultSelector -> ResultPath -> OutputPath,
// payload templates with ".$" keys, the context object ("$$") and intrinsic
// functions (States.Format, States.StringToJson, States.JsonToString,
// States.Array, States.ArrayLength, States.ArrayGetItem, States.ArrayContains,
// States.MathAdd, States.StringSplit).
#ifndef ECSIM_FAKES_STEPFUNCTIONS_DATA_FLOW_H_
#define ECSIM_FAKES_STEPFUNCTIONS_DATA_FLOW_H_

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "sim/base/document.h"

namespace fakes::stepfunctions {

// Error names used by Step Functions itself.
inline constexpr char kErrorAll[] = "States.ALL";
inline constexpr char kErrorRuntime[] = "States.Runtime";
inline constexpr char kErrorTimeout[] = "States.Timeout";
inline constexpr char kErrorHeartbeatTimeout[] = "States.HeartbeatTimeout";
inline constexpr char kErrorTaskFailed[] = "States.TaskFailed";
inline constexpr char kErrorResultPathMatchFailure[] = "States.ResultPathMatchFailure";
inline constexpr char kErrorNoChoiceMatched[] = "States.NoChoiceMatched";
inline constexpr char kErrorDataLimitExceeded[] = "States.DataLimitExceeded";

// A state-level failure with its Step Functions error name and cause. Thrown
// by the functions below and caught by the Executor: it never leaves this
// module.
class StatesError : public std::runtime_error {
 public:
  StatesError(std::string error, std::string cause)
      : std::runtime_error(error + ": " + cause), error_(std::move(error)), cause_(std::move(cause)) {}
  const std::string& error() const { return error_; }
  const std::string& cause() const { return cause_; }

 private:
  std::string error_;
  std::string cause_;
};

// Load-time checks. Each returns "" when the text is valid, else a reason.
// A path is "$..." (or "$$..." when `allow_context`).
std::string CheckPath(std::string_view text, bool allow_context);
// A ResultPath: "$" or a path made only of field names and indices.
std::string CheckReferencePath(std::string_view text);
// The value of a "key.$" field: a path, a context path or an intrinsic call.
std::string CheckDynamicValue(std::string_view text);
// Recursively checks a payload template (Parameters, ResultSelector): every
// "key.$" holds a string that passes CheckDynamicValue. Fails through the node.
void ValidatePayloadTemplate(const sim::Node& node);

// Runtime. All may throw StatesError.
//
// Reads `path` against `input`, or against `context` when it starts with "$$".
// A definite path that does not resolve throws States.Runtime naming `field`.
sim::Json ReadPath(const std::string& path, const sim::Json& input, const sim::Json& context,
                   const std::string& field);
// nullopt stands for a JSON null InputPath/OutputPath: the result is {}.
sim::Json ApplyInputPath(const std::optional<std::string>& path, const sim::Json& input);
sim::Json ApplyOutputPath(const std::optional<std::string>& path, const sim::Json& output);
// Payload template: copies `tmpl`, replacing every "key.$": "<path|intrinsic>"
// by "key": <value>, in nested objects and arrays too.
sim::Json ApplyPayloadTemplate(const sim::Json& tmpl, const sim::Json& input, const sim::Json& context);
// Evaluates "States.Fn(args...)".
sim::Json EvaluateIntrinsic(std::string_view expression, const sim::Json& input, const sim::Json& context);
// ResultPath: nullopt (JSON null) discards the result and returns
// `state_input`; "$" returns `result`; otherwise `result` is stored inside a
// copy of `state_input`. A path that cannot be stored throws
// States.ResultPathMatchFailure.
sim::Json ApplyResultPath(const std::optional<std::string>& path, const sim::Json& state_input, sim::Json result);

}  // namespace fakes::stepfunctions

#endif  // ECSIM_FAKES_STEPFUNCTIONS_DATA_FLOW_H_
