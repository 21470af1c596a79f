// Step Functions (Standard) executions in virtual time: state transitions,
// Retry/Catch, Task and execution timeouts, and the execution history in the
// shape of GetExecutionHistory.
#ifndef ECSIM_FAKES_STEPFUNCTIONS_EXECUTOR_H_
#define ECSIM_FAKES_STEPFUNCTIONS_EXECUTOR_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fakes/stepfunctions/integrations.h"
#include "fakes/stepfunctions/state_machine.h"
#include "sim/base/document.h"
#include "sim/base/event_loop.h"
#include "sim/base/rng.h"
#include "sim/base/time.h"

namespace fakes::stepfunctions {

// Longest history an execution may write; beyond it the execution fails with
// States.Runtime (AWS quota: 25,000 events).
inline constexpr int64_t kMaxHistoryEvents = 25000;

enum class ExecutionStatus { kRunning, kSucceeded, kFailed, kTimedOut };
const char* ToString(ExecutionStatus status);  // "RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT"

// Does an ErrorEquals list catch `error`? States.ALL matches anything but
// States.Runtime and States.DataLimitExceeded; States.TaskFailed matches any
// error except States.Timeout (and States.Runtime / DataLimitExceeded).
bool ErrorMatches(const std::vector<std::string>& error_equals, const std::string& error);

// Delay before retry number `retry` (1-based) of `retrier`:
// IntervalSeconds * BackoffRate^(retry-1), capped by MaxDelaySeconds (and by
// kMaxDelaySecondsLimit when no cap is set), millisecond resolution; with
// JitterStrategy FULL a uniform draw in [0, delay] from `rng`.
// REQUIRES: retry >= 1.
sim::Duration RetryDelay(const Retrier& retrier, int64_t retry, sim::Rng& rng);

struct ExecutionInfo {
  std::string arn;
  std::string name;
  std::string state_machine_arn;
  ExecutionStatus status = ExecutionStatus::kRunning;
  sim::Json input;
  sim::Json output;  // set when SUCCEEDED
  std::string error, cause;  // set when FAILED / TIMED_OUT
  sim::Time start_time{};
  std::optional<sim::Time> stop_time;
  std::string current_state;  // last state entered
  std::vector<sim::Json> history;  // GetExecutionHistory events, oldest first
};

class Executor {
 public:
  using HistorySink = std::function<void(const sim::Json& history_event)>;

  // `epoch_ms` is the wall-clock instant (ms since the Unix epoch) that virtual
  // time zero stands for: history timestamps and Wait Timestamp use it.
  // `sink` receives every history event as it is written, with an extra
  // top-level "executionArn" so several executions can share one sink.
  // REQUIRES: `loop` and `integrations` outlive this Executor, and this
  // Executor outlives every event it scheduled on `loop` (do not destroy it
  // while executions it started still have pending events).
  Executor(sim::EventLoop& loop, sim::Rng rng, int64_t epoch_ms, ServiceIntegrations& integrations,
           HistorySink sink);
  ~Executor();
  Executor(const Executor&) = delete;
  Executor& operator=(const Executor&) = delete;

  // StartExecution: returns the execution ARN
  // ("arn:aws:states:<region>:<account>:execution:<machine>:<name>"). An empty
  // name gets a generated UUID-shaped one. The first state is entered at the
  // current virtual time, after the caller returns to the loop. A name already
  // used by this Executor for the same state machine returns "" and starts
  // nothing (AWS: ExecutionAlreadyExists).
  std::string Start(const StateMachine& machine, std::string state_machine_arn, std::string execution_name,
                    sim::Json input);

  // nullptr for an unknown ARN.
  const ExecutionInfo* Find(const std::string& execution_arn) const;
  // REQUIRES: the ARN was returned by Start.
  ExecutionStatus Status(const std::string& execution_arn) const;
  std::vector<std::string> ExecutionArns() const;  // in start order

 private:
  struct Run;

  void Emit(Run& run, const std::string& type, const char* details_key, sim::Json details);
  sim::Json Context(const Run& run) const;
  void Defer(Run& run, std::function<void()> fn);
  void After(Run& run, sim::Duration d, std::function<void()> fn);
  void EnterState(Run& run, const std::string& name, sim::Json input);
  void RunState(Run& run);
  void StartTaskAttempt(Run& run);
  void OnTaskResult(Run& run, TaskResult result);
  void HandleTaskError(Run& run, const std::string& error, const std::string& cause);
  void ExitState(Run& run, sim::Json output, const std::string& next);
  void Succeed(Run& run, sim::Json output);
  void Fail(Run& run, const std::string& error, const std::string& cause);
  void TimeOut(Run& run);
  void Finish(Run& run, ExecutionStatus status);

  sim::EventLoop& loop_;
  sim::Rng jitter_rng_;
  sim::Rng id_rng_;
  int64_t epoch_ms_;
  ServiceIntegrations& integrations_;
  HistorySink sink_;
  std::map<std::string, std::unique_ptr<Run>> runs_;
  std::vector<std::string> order_;
};

}  // namespace fakes::stepfunctions

#endif  // ECSIM_FAKES_STEPFUNCTIONS_EXECUTOR_H_
