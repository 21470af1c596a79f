#include "fakes/stepfunctions/executor.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "fakes/stepfunctions/choice.h"
#include "fakes/stepfunctions/data_flow.h"

namespace fakes::stepfunctions {

using sim::Json;

namespace {

std::vector<std::string> SplitColon(const std::string& s) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(':', start);
    parts.push_back(s.substr(start, pos == std::string::npos ? std::string::npos : pos - start));
    if (pos == std::string::npos) break;
    start = pos + 1;
  }
  return parts;
}

// ("ecs", "runTask.sync") for "arn:aws:states:::ecs:runTask.sync"; ("lambda",
// <arn>) for other ARNs, as the console shows them.
std::pair<std::string, std::string> SplitResource(const std::string& arn) {
  auto parts = SplitColon(arn);
  if (parts.size() >= 7 && parts[2] == "states" && parts[3].empty() && parts[4].empty()) {
    std::string rest = parts[6];
    for (size_t i = 7; i < parts.size(); ++i) rest += ":" + parts[i];
    return {parts[5], rest};
  }
  return {parts.size() > 2 ? parts[2] : arn, arn};
}

Json Truncated() { return Json{{"truncated", false}}; }

}  // namespace

const char* ToString(ExecutionStatus status) {
  switch (status) {
    case ExecutionStatus::kRunning: return "RUNNING";
    case ExecutionStatus::kSucceeded: return "SUCCEEDED";
    case ExecutionStatus::kFailed: return "FAILED";
    case ExecutionStatus::kTimedOut: return "TIMED_OUT";
  }
  return "UNKNOWN";
}

bool ErrorMatches(const std::vector<std::string>& error_equals, const std::string& error) {
  bool uncatchable_by_wildcard = error == kErrorRuntime || error == kErrorDataLimitExceeded;
  for (const auto& e : error_equals) {
    if (e == error) return true;
    if (uncatchable_by_wildcard) continue;
    if (e == kErrorAll) return true;
    if (e == kErrorTaskFailed && error != kErrorTimeout) return true;
  }
  return false;
}

sim::Duration RetryDelay(const Retrier& retrier, int64_t retry, sim::Rng& rng) {
  double seconds = static_cast<double>(retrier.interval_seconds) *
                   std::pow(retrier.backoff_rate, static_cast<double>(retry - 1));
  double cap = static_cast<double>(retrier.max_delay_seconds.value_or(kMaxDelaySecondsLimit));
  if (!(seconds <= cap)) seconds = cap;  // also catches inf
  int64_t ms = std::llround(seconds * 1000.0);
  if (retrier.full_jitter) ms = rng.UniformRange(0, ms);
  return sim::Millis(ms);
}

struct Executor::Run {
  ExecutionInfo info;
  std::shared_ptr<const StateMachine> machine;
  std::string region;
  std::string machine_name;
  // Bumped whenever the execution moves on; callbacks scheduled under an older
  // generation are stale and do nothing.
  uint64_t generation = 0;
  int64_t last_event_id = 0;

  const State* state = nullptr;
  Json state_input;  // raw input of the current state
  sim::Time entered_time{};
  std::vector<int64_t> retry_counts;  // per retrier, for this state execution
  int64_t retry_total = 0;            // $$.State.RetryCount

  bool task_in_flight = false;
  std::function<void()> cancel_task;
  std::optional<sim::EventId> task_timeout;
  std::optional<sim::EventId> execution_timeout;
};

Executor::Executor(sim::EventLoop& loop, sim::Rng rng, int64_t epoch_ms, ServiceIntegrations& integrations,
                   HistorySink sink)
    : loop_(loop),
      jitter_rng_(rng.Fork("stepfunctions.jitter")),
      id_rng_(rng.Fork("stepfunctions.ids")),
      epoch_ms_(epoch_ms),
      integrations_(integrations),
      sink_(std::move(sink)) {}

Executor::~Executor() = default;

std::string Executor::Start(const StateMachine& machine, std::string state_machine_arn, std::string execution_name,
                            Json input) {
  if (execution_name.empty()) {
    std::string hex = id_rng_.HexId(32);
    execution_name = fmt::format("{}-{}-{}-{}-{}", hex.substr(0, 8), hex.substr(8, 4), hex.substr(12, 4),
                                 hex.substr(16, 4), hex.substr(20));
  }
  auto parts = SplitColon(state_machine_arn);
  std::string region = "us-east-1", account = "123456789012", machine_name = state_machine_arn;
  std::string arn;
  if (parts.size() >= 7 && parts[5] == "stateMachine") {
    region = parts[3];
    account = parts[4];
    machine_name = parts[6];
    arn = fmt::format("arn:aws:states:{}:{}:execution:{}:{}", region, account, machine_name, execution_name);
  } else {
    arn = state_machine_arn + ":" + execution_name;
  }
  if (runs_.count(arn)) return "";

  auto run = std::make_unique<Run>();
  Run& r = *run;
  r.machine = std::make_shared<const StateMachine>(machine);
  r.region = region;
  r.machine_name = machine_name;
  r.info.arn = arn;
  r.info.name = execution_name;
  r.info.state_machine_arn = state_machine_arn;
  r.info.input = input;
  r.info.start_time = loop_.Now();
  runs_.emplace(arn, std::move(run));
  order_.push_back(arn);

  Emit(r, "ExecutionStarted", "executionStartedEventDetails",
       Json{{"input", input.dump()}, {"inputDetails", Truncated()}});
  if (r.machine->timeout_seconds) {
    Run* rp = &r;
    r.execution_timeout = loop_.After(sim::Seconds(*r.machine->timeout_seconds), [this, rp] {
      rp->execution_timeout.reset();
      if (rp->info.status == ExecutionStatus::kRunning) TimeOut(*rp);
    });
  }
  Defer(r, [this, &r, input] { EnterState(r, r.machine->start_at, input); });
  return arn;
}

const ExecutionInfo* Executor::Find(const std::string& execution_arn) const {
  auto it = runs_.find(execution_arn);
  return it == runs_.end() ? nullptr : &it->second->info;
}

ExecutionStatus Executor::Status(const std::string& execution_arn) const { return runs_.at(execution_arn)->info.status; }

std::vector<std::string> Executor::ExecutionArns() const { return order_; }

void Executor::Emit(Run& run, const std::string& type, const char* details_key, Json details) {
  Json event = Json::object();
  event["timestamp"] = sim::FormatIso8601(epoch_ms_, loop_.Now());
  event["type"] = type;
  event["id"] = ++run.last_event_id;
  event["previousEventId"] = run.last_event_id - 1;
  if (details_key) event[details_key] = std::move(details);
  run.info.history.push_back(event);
  if (sink_) {
    event["executionArn"] = run.info.arn;
    sink_(event);
  }
}

Json Executor::Context(const Run& run) const {
  return Json{
      {"Execution",
       {{"Id", run.info.arn},
        {"Input", run.info.input},
        {"Name", run.info.name},
        {"StartTime", sim::FormatIso8601(epoch_ms_, run.info.start_time)}}},
      {"State",
       {{"EnteredTime", sim::FormatIso8601(epoch_ms_, run.entered_time)},
        {"Name", run.state ? run.state->name : std::string()},
        {"RetryCount", run.retry_total}}},
      {"StateMachine", {{"Id", run.info.state_machine_arn}, {"Name", run.machine_name}}}};
}

void Executor::After(Run& run, sim::Duration d, std::function<void()> fn) {
  Run* r = &run;
  uint64_t gen = run.generation;
  loop_.After(d, [r, gen, fn = std::move(fn)] {
    if (r->info.status != ExecutionStatus::kRunning || r->generation != gen) return;
    fn();
  });
}

void Executor::Defer(Run& run, std::function<void()> fn) { After(run, sim::Duration(0), std::move(fn)); }

void Executor::EnterState(Run& run, const std::string& name, Json input) {
  ++run.generation;
  if (run.last_event_id >= kMaxHistoryEvents - 10) {
    Fail(run, kErrorRuntime,
         fmt::format("The execution reached the maximum number of history events ({}).", kMaxHistoryEvents));
    return;
  }
  run.state = &run.machine->At(name);
  run.state_input = std::move(input);
  run.entered_time = loop_.Now();
  run.retry_counts.assign(run.state->retry.size(), 0);
  run.retry_total = 0;
  run.info.current_state = name;
  Emit(run, run.state->type_name + "StateEntered", "stateEnteredEventDetails",
       Json{{"name", name}, {"input", run.state_input.dump()}, {"inputDetails", Truncated()}});
  RunState(run);
}

void Executor::RunState(Run& run) {
  const State& s = *run.state;
  try {
    switch (s.type) {
      case StateType::kTask:
        StartTaskAttempt(run);
        return;
      case StateType::kPass: {
        Json effective = ApplyInputPath(s.input_path, run.state_input);
        if (s.parameters) effective = ApplyPayloadTemplate(*s.parameters, effective, Context(run));
        Json result = s.result ? *s.result : effective;
        Json out = ApplyOutputPath(s.output_path, ApplyResultPath(s.result_path, run.state_input, std::move(result)));
        ExitState(run, std::move(out), s.end ? "" : s.next);
        return;
      }
      case StateType::kWait: {
        Json effective = ApplyInputPath(s.input_path, run.state_input);
        sim::Duration delay(0);
        std::optional<std::string> timestamp = s.timestamp;
        if (s.seconds) delay = sim::Seconds(*s.seconds);
        if (s.seconds_path) {
          Json v = ReadPath(*s.seconds_path, effective, Context(run), "SecondsPath");
          if (!v.is_number_integer() || v.get<int64_t>() < 0)
            throw StatesError(kErrorRuntime, fmt::format("SecondsPath '{}' must hold a non-negative integer, got {}",
                                                         *s.seconds_path, v.dump()));
          delay = sim::Seconds(v.get<int64_t>());
        }
        if (s.timestamp_path) {
          Json v = ReadPath(*s.timestamp_path, effective, Context(run), "TimestampPath");
          if (!v.is_string() || !sim::ParseIso8601Ms(v.get<std::string>()))
            throw StatesError(kErrorRuntime, fmt::format("TimestampPath '{}' must hold an ISO-8601 timestamp, got {}",
                                                         *s.timestamp_path, v.dump()));
          timestamp = v.get<std::string>();
        }
        if (timestamp) {
          int64_t target_ms = *sim::ParseIso8601Ms(*timestamp);
          int64_t now_ms = epoch_ms_ + sim::ToMillis(loop_.Now());
          delay = sim::Millis(std::max<int64_t>(0, target_ms - now_ms));
        }
        Json out = ApplyOutputPath(s.output_path, effective);
        std::string next = s.end ? "" : s.next;
        After(run, delay, [this, &run, out, next] { ExitState(run, out, next); });
        return;
      }
      case StateType::kChoice: {
        Json effective = ApplyInputPath(s.input_path, run.state_input);
        std::string next = ChooseNext(s, effective, Context(run));
        ExitState(run, ApplyOutputPath(s.output_path, effective), next);
        return;
      }
      case StateType::kSucceed: {
        Json effective = ApplyInputPath(s.input_path, run.state_input);
        ExitState(run, ApplyOutputPath(s.output_path, effective), "");
        return;
      }
      case StateType::kFail: {
        std::string error = s.error, cause = s.cause;
        for (auto [path, target] : {std::pair{&s.error_path, &error}, std::pair{&s.cause_path, &cause}}) {
          if (!*path) continue;
          Json v = ReadPath(**path, run.state_input, Context(run), **path);
          if (!v.is_string()) throw StatesError(kErrorRuntime, fmt::format("'{}' must hold a string", **path));
          *target = v.get<std::string>();
        }
        Fail(run, error, cause);
        return;
      }
    }
  } catch (const StatesError& e) {
    Fail(run, e.error(), e.cause());
  }
}

void Executor::StartTaskAttempt(Run& run) {
  const State& s = *run.state;
  Json params;
  std::optional<int64_t> timeout = s.timeout_seconds, heartbeat = s.heartbeat_seconds;
  try {
    Json effective = ApplyInputPath(s.input_path, run.state_input);
    params = s.parameters ? ApplyPayloadTemplate(*s.parameters, effective, Context(run)) : effective;
    for (auto [path, target] : {std::pair{&s.timeout_seconds_path, &timeout}, std::pair{&s.heartbeat_seconds_path, &heartbeat}}) {
      if (!*path) continue;
      Json v = ReadPath(**path, effective, Context(run), **path);
      if (!v.is_number_integer() || v.get<int64_t>() < 1)
        throw StatesError(kErrorRuntime, fmt::format("'{}' must hold a positive integer, got {}", **path, v.dump()));
      *target = v.get<int64_t>();
    }
  } catch (const StatesError& e) {
    Fail(run, e.error(), e.cause());
    return;
  }
  auto [resource_type, resource] = SplitResource(s.resource);
  Json scheduled{{"resourceType", resource_type},
                 {"resource", resource},
                 {"region", run.region},
                 {"parameters", params.dump()}};
  if (timeout) scheduled["timeoutInSeconds"] = *timeout;
  if (heartbeat) scheduled["heartbeatInSeconds"] = *heartbeat;
  Emit(run, "TaskScheduled", "taskScheduledEventDetails", std::move(scheduled));
  Emit(run, "TaskStarted", "taskStartedEventDetails", Json{{"resourceType", resource_type}, {"resource", resource}});

  uint64_t attempt = ++run.generation;
  run.task_in_flight = true;
  Run* r = &run;
  if (timeout) {
    run.task_timeout = loop_.After(sim::Seconds(*timeout), [this, r, attempt, resource_type, resource] {
      r->task_timeout.reset();
      if (r->info.status != ExecutionStatus::kRunning || r->generation != attempt) return;
      ++r->generation;
      r->task_in_flight = false;
      auto cancel = std::move(r->cancel_task);
      r->cancel_task = nullptr;
      if (cancel) cancel();
      Emit(*r, "TaskTimedOut", "taskTimedOutEventDetails",
           Json{{"resourceType", resource_type}, {"resource", resource}, {"error", kErrorTimeout}, {"cause", ""}});
      HandleTaskError(*r, kErrorTimeout, "");
    });
  }
  auto submitted = [this, r, attempt, resource_type, resource](const Json& output) {
    Json details{{"resourceType", resource_type},
                 {"resource", resource},
                 {"output", output.dump()},
                 {"outputDetails", Truncated()}};
    loop_.After(sim::Duration(0), [this, r, attempt, details] {
      if (r->info.status != ExecutionStatus::kRunning || r->generation != attempt) return;
      Emit(*r, "TaskSubmitted", "taskSubmittedEventDetails", details);
    });
  };
  auto done = [this, r, attempt](TaskResult result) {
    loop_.After(sim::Duration(0), [this, r, attempt, result] {
      if (r->info.status != ExecutionStatus::kRunning || r->generation != attempt) return;
      OnTaskResult(*r, result);
    });
  };
  run.cancel_task = integrations_.InvokeReportingSubmission(s.resource, params, submitted, done);
}

void Executor::OnTaskResult(Run& run, TaskResult result) {
  ++run.generation;
  run.task_in_flight = false;
  run.cancel_task = nullptr;
  if (run.task_timeout) {
    loop_.Cancel(*run.task_timeout);
    run.task_timeout.reset();
  }
  const State& s = *run.state;
  auto [resource_type, resource] = SplitResource(s.resource);
  if (!result.ok) {
    Emit(run, "TaskFailed", "taskFailedEventDetails",
         Json{{"resourceType", resource_type}, {"resource", resource}, {"error", result.error}, {"cause", result.cause}});
    HandleTaskError(run, result.error, result.cause);
    return;
  }
  Emit(run, "TaskSucceeded", "taskSucceededEventDetails",
       Json{{"resourceType", resource_type},
            {"resource", resource},
            {"output", result.output.dump()},
            {"outputDetails", Truncated()}});
  Json out;
  try {
    Json value = s.result_selector ? ApplyPayloadTemplate(*s.result_selector, result.output, Context(run))
                                   : std::move(result.output);
    out = ApplyOutputPath(s.output_path, ApplyResultPath(s.result_path, run.state_input, std::move(value)));
  } catch (const StatesError& e) {
    HandleTaskError(run, e.error(), e.cause());
    return;
  }
  ExitState(run, std::move(out), s.end ? "" : s.next);
}

void Executor::HandleTaskError(Run& run, const std::string& error, const std::string& cause) {
  const State& s = *run.state;
  if (error == kErrorRuntime) {  // never retried nor caught
    Fail(run, error, cause);
    return;
  }
  for (size_t i = 0; i < s.retry.size(); ++i) {
    const Retrier& r = s.retry[i];
    if (!ErrorMatches(r.error_equals, error)) continue;
    if (run.retry_counts[i] < r.max_attempts) {
      int64_t k = ++run.retry_counts[i];
      ++run.retry_total;
      After(run, RetryDelay(r, k, jitter_rng_), [this, &run] { StartTaskAttempt(run); });
      return;
    }
    break;  // the first matching retrier is exhausted: go to the catchers
  }
  for (const Catcher& c : s.catchers) {
    if (!ErrorMatches(c.error_equals, error)) continue;
    Json out;
    try {
      out = ApplyResultPath(c.result_path, run.state_input, Json{{"Error", error}, {"Cause", cause}});
    } catch (const StatesError& e) {
      Fail(run, e.error(), e.cause());
      return;
    }
    ExitState(run, std::move(out), c.next);
    return;
  }
  Fail(run, error, cause);
}

void Executor::ExitState(Run& run, Json output, const std::string& next) {
  Emit(run, run.state->type_name + "StateExited", "stateExitedEventDetails",
       Json{{"name", run.state->name}, {"output", output.dump()}, {"outputDetails", Truncated()}});
  if (next.empty()) {
    Succeed(run, std::move(output));
    return;
  }
  ++run.generation;
  Defer(run, [this, &run, next, output = std::move(output)] { EnterState(run, next, output); });
}

void Executor::Succeed(Run& run, Json output) {
  Emit(run, "ExecutionSucceeded", "executionSucceededEventDetails",
       Json{{"output", output.dump()}, {"outputDetails", Truncated()}});
  run.info.output = std::move(output);
  Finish(run, ExecutionStatus::kSucceeded);
}

void Executor::Fail(Run& run, const std::string& error, const std::string& cause) {
  Emit(run, "ExecutionFailed", "executionFailedEventDetails", Json{{"error", error}, {"cause", cause}});
  run.info.error = error;
  run.info.cause = cause;
  Finish(run, ExecutionStatus::kFailed);
}

void Executor::TimeOut(Run& run) {
  ++run.generation;
  if (run.task_in_flight) {
    run.task_in_flight = false;
    auto cancel = std::move(run.cancel_task);
    run.cancel_task = nullptr;
    if (cancel) cancel();
  }
  std::string cause = fmt::format("The execution exceeded its TimeoutSeconds ({} s).", *run.machine->timeout_seconds);
  Emit(run, "ExecutionTimedOut", "executionTimedOutEventDetails", Json{{"error", kErrorTimeout}, {"cause", cause}});
  run.info.error = kErrorTimeout;
  run.info.cause = cause;
  Finish(run, ExecutionStatus::kTimedOut);
}

void Executor::Finish(Run& run, ExecutionStatus status) {
  ++run.generation;
  run.info.status = status;
  run.info.stop_time = loop_.Now();
  if (run.task_timeout) {
    loop_.Cancel(*run.task_timeout);
    run.task_timeout.reset();
  }
  if (run.execution_timeout) {
    loop_.Cancel(*run.execution_timeout);
    run.execution_timeout.reset();
  }
}

}  // namespace fakes::stepfunctions
