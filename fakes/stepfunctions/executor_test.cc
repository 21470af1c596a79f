#include "fakes/stepfunctions/executor.h"

#include <deque>

#include <gtest/gtest.h>

#include "fakes/stepfunctions/data_flow.h"

namespace fakes::stepfunctions {
namespace {

using sim::Json;

constexpr int64_t kEpochMs = 1715649120000;  // 2024-05-14T01:12:00Z
constexpr char kMachineArn[] = "arn:aws:states:eu-west-1:111122223333:stateMachine:nightly";

// Stands in for the services: answers each call from a script, after a delay.
class ScriptedIntegrations : public ServiceIntegrations {
 public:
  struct Step {
    TaskResult result;
    sim::Duration delay{0};
  };
  explicit ScriptedIntegrations(sim::EventLoop& loop) : loop_(loop) {}

  void Fail(const std::string& error, sim::Duration delay = sim::Duration(0)) {
    script.push_back({TaskResult{false, nullptr, error, "cause of " + error}, delay});
  }
  void Succeed(Json output, sim::Duration delay = sim::Duration(0)) {
    script.push_back({TaskResult{true, std::move(output), "", ""}, delay});
  }

  std::function<void()> Invoke(const std::string& resource, const Json& parameters,
                               std::function<void(TaskResult)> done) override {
    call_times.push_back(loop_.Now());
    calls.push_back(parameters);
    resources.push_back(resource);
    Step step = script.empty() ? Step{TaskResult{true, Json{{"default", true}}, "", ""}} : script.front();
    if (!script.empty()) script.pop_front();
    sim::EventId id = loop_.After(step.delay, [done, r = step.result] { done(r); });
    return [this, id] {
      ++cancelled;
      loop_.Cancel(id);
    };
  }

  std::deque<Step> script;
  std::vector<sim::Time> call_times;
  std::vector<Json> calls;
  std::vector<std::string> resources;
  int cancelled = 0;

 private:
  sim::EventLoop& loop_;
};

class ExecutorTest : public ::testing::Test {
 protected:
  ExecutorTest() : services_(loop_), executor_(loop_, sim::Rng(42), kEpochMs, services_, [this](const Json& e) {
    sunk_.push_back(e);
  }) {}

  StateMachine Load(const std::string& text) {
    return LoadStateMachine(sim::Node::Root(sim::Document::Parse(text, "sm.json", true)));
  }
  std::string Run(const std::string& definition, Json input = Json::object()) {
    machine_ = Load(definition);
    std::string arn = executor_.Start(machine_, kMachineArn, "run-1", std::move(input));
    while (loop_.Step()) {
    }
    return arn;
  }
  const ExecutionInfo& Info(const std::string& arn) { return *executor_.Find(arn); }
  std::vector<std::string> Types(const std::string& arn) {
    std::vector<std::string> out;
    for (const auto& e : Info(arn).history) out.push_back(e["type"].get<std::string>());
    return out;
  }
  std::vector<int64_t> CallSeconds() {
    std::vector<int64_t> out;
    for (auto t : services_.call_times) out.push_back(sim::ToMicros(t) / 1000000);
    return out;
  }

  sim::EventLoop loop_;
  ScriptedIntegrations services_;
  std::vector<Json> sunk_;
  Executor executor_;
  StateMachine machine_;
};

std::string OneTask(const std::string& retry, const std::string& catches = "[]", const std::string& extra = "") {
  return R"({"StartAt": "Job", "States": {
    "Job": {"Type": "Task", "Resource": "arn:aws:states:::ecs:runTask.sync",
            "Parameters": {"Cluster": "c"}, "Retry": )" +
         retry + R"(, "Catch": )" + catches + extra + R"(, "End": true})" +
         (catches == "[]" ? "" : R"(, "Caught": {"Type": "Pass", "End": true})") + "}}";
}

constexpr char kSeedRetry[] = R"([
  {"ErrorEquals": ["ECS.AmazonECSException"], "IntervalSeconds": 10, "MaxAttempts": 3, "BackoffRate": 2.0},
  {"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 3, "MaxAttempts": 3, "BackoffRate": 1.0}])";
constexpr char kCatchAll[] = R"([{"ErrorEquals": ["States.ALL"], "Next": "Caught"}])";

TEST_F(ExecutorTest, Seed002EcsExceptionBacksOff10s20s40s) {
  for (int i = 0; i < 3; ++i) services_.Fail("ECS.AmazonECSException");
  services_.Succeed(Json{{"StopCode", "EssentialContainerExited"}});
  std::string arn = Run(OneTask(kSeedRetry, kCatchAll));
  EXPECT_EQ(CallSeconds(), (std::vector<int64_t>{0, 10, 30, 70}));
  EXPECT_EQ(Info(arn).status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(Info(arn).output, Json({{"StopCode", "EssentialContainerExited"}}));
}

TEST_F(ExecutorTest, Seed002EcsExceptionExhaustedAfterThreeRetriesIsCaught) {
  for (int i = 0; i < 4; ++i) services_.Fail("ECS.AmazonECSException");
  std::string arn = Run(OneTask(kSeedRetry, kCatchAll), Json{{"in", 1}});
  EXPECT_EQ(CallSeconds(), (std::vector<int64_t>{0, 10, 30, 70}));
  EXPECT_EQ(Info(arn).status, ExecutionStatus::kSucceeded);
  // Catch ResultPath defaults to "$": the error output replaces the input.
  EXPECT_EQ(Info(arn).output, Json::parse(R"({"Error":"ECS.AmazonECSException","Cause":"cause of ECS.AmazonECSException"})"));
  EXPECT_EQ(Info(arn).current_state, "Caught");
}

TEST_F(ExecutorTest, Seed002TaskFailedRetriedEvery3s) {
  for (int i = 0; i < 3; ++i) services_.Fail("States.TaskFailed", sim::Seconds(60));
  services_.Succeed(Json::object(), sim::Seconds(60));
  std::string arn = Run(OneTask(kSeedRetry));
  // Each attempt runs 60 s, then waits exactly 3 s (BackoffRate 1.0).
  EXPECT_EQ(CallSeconds(), (std::vector<int64_t>{0, 63, 126, 189}));
  EXPECT_EQ(Info(arn).status, ExecutionStatus::kSucceeded);
}

TEST_F(ExecutorTest, RetriersKeepSeparateCountersPerRetrier) {
  // Two throttles and two task failures interleaved: each retrier counts its own.
  services_.Fail("ECS.AmazonECSException");
  services_.Fail("States.TaskFailed");
  services_.Fail("ECS.AmazonECSException");
  services_.Fail("States.TaskFailed");
  std::string arn = Run(OneTask(kSeedRetry));
  EXPECT_EQ(CallSeconds(), (std::vector<int64_t>{0, 10, 13, 33, 36}));
  EXPECT_EQ(Info(arn).status, ExecutionStatus::kSucceeded);
}

TEST_F(ExecutorTest, SharedCounterExampleFromAwsDoc) {
  // retrier1{A,B; 1 s; x2; max 2}, retrier2{C; 5 s}; errors A,B,C,B => waits 1,2,5 then Catch.
  services_.Fail("A");
  services_.Fail("B");
  services_.Fail("C");
  services_.Fail("B");
  std::string arn = Run(OneTask(R"([
      {"ErrorEquals": ["A", "B"], "IntervalSeconds": 1, "BackoffRate": 2.0, "MaxAttempts": 2},
      {"ErrorEquals": ["C"], "IntervalSeconds": 5}])",
                                kCatchAll));
  EXPECT_EQ(CallSeconds(), (std::vector<int64_t>{0, 1, 3, 8}));
  EXPECT_EQ(Info(arn).status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(Info(arn).output["Error"], "B");
  EXPECT_EQ(Info(arn).current_state, "Caught");
}

TEST_F(ExecutorTest, MaxAttemptsZeroNeverRetries) {
  services_.Fail("X");
  std::string arn = Run(OneTask(R"([{"ErrorEquals": ["X"], "MaxAttempts": 0}])"));
  EXPECT_EQ(services_.call_times.size(), 1u);
  EXPECT_EQ(Info(arn).status, ExecutionStatus::kFailed);
  EXPECT_EQ(Info(arn).error, "X");
  EXPECT_EQ(Info(arn).cause, "cause of X");
}

TEST_F(ExecutorTest, RetryCountersResetWhenStateIsEnteredAgain) {
  // X, retry, X => caught, back to Job: the retrier has a fresh budget.
  for (int i = 0; i < 3; ++i) services_.Fail("X");
  services_.Succeed(Json{{"done", true}});
  std::string arn = Run(R"({"StartAt": "Job", "States": {
    "Job": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
            "Retry": [{"ErrorEquals": ["X"], "IntervalSeconds": 2, "MaxAttempts": 1}],
            "Catch": [{"ErrorEquals": ["X"], "Next": "Pause", "ResultPath": null}], "End": true},
    "Pause": {"Type": "Wait", "Seconds": 10, "Next": "Job"}}})",
                        Json{{"keep", 1}});
  EXPECT_EQ(CallSeconds(), (std::vector<int64_t>{0, 2, 12, 14}));
  EXPECT_EQ(Info(arn).status, ExecutionStatus::kSucceeded);
}

TEST_F(ExecutorTest, CatchResultPathNullKeepsInput) {
  services_.Fail("X");
  std::string arn = Run(OneTask("[]", R"([{"ErrorEquals": ["X"], "Next": "Caught", "ResultPath": null}])"),
                        Json{{"keep", 1}});
  EXPECT_EQ(Info(arn).output, Json({{"keep", 1}}));
  EXPECT_EQ(Info(arn).current_state, "Caught");
}

TEST_F(ExecutorTest, MaxDelaySecondsCapsBackoff) {
  for (int i = 0; i < 4; ++i) services_.Fail("X");
  Run(OneTask(R"([{"ErrorEquals": ["X"], "IntervalSeconds": 10, "BackoffRate": 3.0, "MaxAttempts": 4,
                  "MaxDelaySeconds": 40}])"));
  // Waits 10, 30, 40 (90 capped), 40 (270 capped).
  EXPECT_EQ(CallSeconds(), (std::vector<int64_t>{0, 10, 40, 80, 120}));
}

TEST_F(ExecutorTest, StatesAllDoesNotCatchStatesRuntime) {
  services_.Fail("States.Runtime");
  std::string arn = Run(OneTask(R"([{"ErrorEquals": ["States.ALL"]}])", kCatchAll));
  EXPECT_EQ(services_.call_times.size(), 1u);  // not retried either
  EXPECT_EQ(Info(arn).status, ExecutionStatus::kFailed);
  EXPECT_EQ(Info(arn).error, "States.Runtime");
}

TEST_F(ExecutorTest, MissingParameterPathFailsExecutionDespiteCatchAll) {
  std::string arn = Run(R"({"StartAt": "Job", "States": {
    "Job": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish", "Parameters": {"Message.$": "$.missing"},
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}], "End": true},
    "Caught": {"Type": "Succeed"}}})");
  EXPECT_TRUE(services_.call_times.empty());
  EXPECT_EQ(Info(arn).status, ExecutionStatus::kFailed);
  EXPECT_EQ(Info(arn).error, "States.Runtime");
}

TEST_F(ExecutorTest, TaskTimeoutIsStatesTimeoutCaughtByCatch) {
  services_.Succeed(Json::object(), sim::Seconds(600));
  std::string arn = Run(OneTask("[]", R"([{"ErrorEquals": ["States.Timeout"], "Next": "Caught", "ResultPath": "$.err"}])",
                                R"(, "TimeoutSeconds": 300)"),
                        Json{{"job", "x"}});
  EXPECT_EQ(services_.cancelled, 1);
  EXPECT_EQ(Info(arn).status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(Info(arn).output, Json::parse(R"({"job":"x","err":{"Error":"States.Timeout","Cause":""}})"));
  auto types = Types(arn);
  EXPECT_NE(std::find(types.begin(), types.end(), "TaskTimedOut"), types.end());
  EXPECT_EQ(sim::ToMicros(*Info(arn).stop_time), sim::ToMicros(sim::Seconds(300)));
}

TEST_F(ExecutorTest, TaskFailedDoesNotCatchTimeout) {
  services_.Succeed(Json::object(), sim::Seconds(600));
  std::string arn = Run(OneTask(R"([{"ErrorEquals": ["States.TaskFailed"]}])",
                                R"([{"ErrorEquals": ["States.TaskFailed"], "Next": "Caught"}])", R"(, "TimeoutSeconds": 5)"));
  EXPECT_EQ(services_.call_times.size(), 1u);
  EXPECT_EQ(Info(arn).status, ExecutionStatus::kFailed);
  EXPECT_EQ(Info(arn).error, "States.Timeout");
}

TEST_F(ExecutorTest, TaskFailedCatchesNamedTaskErrors) {
  services_.Fail("ECS.AmazonECSException");
  std::string arn = Run(OneTask("[]", R"([{"ErrorEquals": ["States.TaskFailed"], "Next": "Caught"}])"));
  EXPECT_EQ(Info(arn).current_state, "Caught");
  EXPECT_EQ(Info(arn).status, ExecutionStatus::kSucceeded);
}

TEST_F(ExecutorTest, ExecutionTimeoutStopsRunAndCancelsTask) {
  services_.Succeed(Json::object(), sim::Seconds(100));
  std::string arn = Run(R"({"StartAt": "Job", "TimeoutSeconds": 30, "States": {
    "Job": {"Type": "Task", "Resource": "arn:aws:states:::ecs:runTask.sync", "End": true}}})");
  EXPECT_EQ(Info(arn).status, ExecutionStatus::kTimedOut);
  EXPECT_EQ(Info(arn).error, "States.Timeout");
  EXPECT_EQ(services_.cancelled, 1);
  EXPECT_EQ(Types(arn).back(), "ExecutionTimedOut");
  EXPECT_EQ(sim::ToMicros(*Info(arn).stop_time), sim::ToMicros(sim::Seconds(30)));
}

TEST_F(ExecutorTest, ParametersSeeEffectiveInputContextAndRetryCount) {
  services_.Fail("X");
  services_.Fail("X");
  services_.Succeed(Json{{"taskArn", "t-1"}, {"extra", 1}});
  std::string arn = Run(R"sm({"StartAt": "Job", "States": {
    "Job": {"Type": "Task", "Resource": "arn:aws:states:::ecs:runTask.sync",
            "InputPath": "$.cfg",
            "Parameters": {"Cluster.$": "$.cluster", "Attempt.$": "$$.State.RetryCount",
                           "Exec.$": "$$.Execution.Name", "Machine.$": "$$.StateMachine.Name",
                           "Note.$": "States.Format('{} on {}', $$.State.Name, $.cluster)"},
            "ResultSelector": {"Arn.$": "$.taskArn"},
            "ResultPath": "$.result",
            "OutputPath": "$.result",
            "Retry": [{"ErrorEquals": ["X"], "IntervalSeconds": 1}],
            "End": true}}})sm",
                        Json::parse(R"({"cfg": {"cluster": "batch"}, "other": 1})"));
  ASSERT_EQ(services_.calls.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(services_.calls[i]["Cluster"], "batch");
    EXPECT_EQ(services_.calls[i]["Attempt"], i);
    EXPECT_EQ(services_.calls[i]["Exec"], "run-1");
    EXPECT_EQ(services_.calls[i]["Machine"], "nightly");
    EXPECT_EQ(services_.calls[i]["Note"], "Job on batch");
  }
  EXPECT_EQ(Info(arn).output, Json::parse(R"({"Arn":"t-1"})"));
}

TEST_F(ExecutorTest, ResultPathMatchFailureIsCatchable) {
  services_.Succeed(Json{{"r", 1}});
  std::string arn = Run(OneTask("[]", kCatchAll, R"(, "ResultPath": "$.scalar.x")"), Json{{"scalar", 5}});
  EXPECT_EQ(Info(arn).current_state, "Caught");
  EXPECT_EQ(Info(arn).output["Error"], "States.ResultPathMatchFailure");
}

TEST_F(ExecutorTest, PassWaitChoiceFlow) {
  std::string arn = Run(R"sm({"StartAt": "Init", "States": {
    "Init": {"Type": "Pass", "Result": {"n": 0, "delay": 7}, "ResultPath": "$.loop", "Next": "Check"},
    "Check": {"Type": "Choice", "Choices": [
        {"Variable": "$.loop.n", "NumericGreaterThanEquals": 2, "Next": "Done"}], "Default": "Bump"},
    "Bump": {"Type": "Pass", "Parameters": {"n.$": "States.MathAdd($.loop.n, 1)", "delay.$": "$.loop.delay"},
             "ResultPath": "$.loop", "Next": "Sleep"},
    "Sleep": {"Type": "Wait", "SecondsPath": "$.loop.delay", "Next": "Check"},
    "Done": {"Type": "Succeed", "OutputPath": "$.loop"}}})sm",
                        Json{{"id", "a"}});
  EXPECT_EQ(Info(arn).status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(Info(arn).output, Json::parse(R"({"n":2,"delay":7})"));
  EXPECT_EQ(sim::ToMicros(*Info(arn).stop_time), sim::ToMicros(sim::Seconds(14)));
}

TEST_F(ExecutorTest, WaitUntilTimestampRelativeToEpoch) {
  std::string arn = Run(R"({"StartAt": "W", "States": {
    "W": {"Type": "Wait", "Timestamp": "2024-05-14T01:13:30Z", "Next": "P"},
    "P": {"Type": "Wait", "TimestampPath": "$.past", "End": true}}})",
                        Json{{"past", "2020-01-01T00:00:00Z"}});
  EXPECT_EQ(Info(arn).status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(sim::ToMicros(*Info(arn).stop_time), sim::ToMicros(sim::Seconds(90)));
}

TEST_F(ExecutorTest, NoChoiceMatchedFailsExecution) {
  std::string arn = Run(R"({"StartAt": "C", "States": {
    "C": {"Type": "Choice", "Choices": [{"Variable": "$.x", "NumericEquals": 1, "Next": "D"}]},
    "D": {"Type": "Succeed"}}})",
                        Json{{"x", 2}});
  EXPECT_EQ(Info(arn).status, ExecutionStatus::kFailed);
  EXPECT_EQ(Info(arn).error, "States.NoChoiceMatched");
}

TEST_F(ExecutorTest, FailStateReportsErrorAndCausePath) {
  std::string arn = Run(R"({"StartAt": "F", "States": {
    "F": {"Type": "Fail", "Error": "JobFailed", "CausePath": "$.why"}}})",
                        Json{{"why", "disk full"}});
  EXPECT_EQ(Info(arn).status, ExecutionStatus::kFailed);
  EXPECT_EQ(Info(arn).error, "JobFailed");
  EXPECT_EQ(Info(arn).cause, "disk full");
  EXPECT_EQ(Types(arn), (std::vector<std::string>{"ExecutionStarted", "FailStateEntered", "ExecutionFailed"}));
}

TEST_F(ExecutorTest, HistoryHasConsoleShape) {
  services_.Fail("X", sim::Seconds(2));
  services_.Succeed(Json{{"ok", true}}, sim::Seconds(5));
  std::string arn = Run(OneTask(R"([{"ErrorEquals": ["X"], "IntervalSeconds": 4}])"));
  EXPECT_EQ(Types(arn), (std::vector<std::string>{"ExecutionStarted", "TaskStateEntered", "TaskScheduled",
                                                  "TaskStarted", "TaskFailed", "TaskScheduled", "TaskStarted",
                                                  "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"}));
  const auto& h = Info(arn).history;
  for (size_t i = 0; i < h.size(); ++i) {
    EXPECT_EQ(h[i]["id"], static_cast<int64_t>(i + 1));
    EXPECT_EQ(h[i]["previousEventId"], static_cast<int64_t>(i));
  }
  EXPECT_EQ(h[0]["timestamp"], "2024-05-14T01:12:00.000Z");
  EXPECT_EQ(h[0]["executionStartedEventDetails"]["input"], "{}");
  EXPECT_EQ(h[1]["stateEnteredEventDetails"]["name"], "Job");
  EXPECT_EQ(h[2]["taskScheduledEventDetails"]["resourceType"], "ecs");
  EXPECT_EQ(h[2]["taskScheduledEventDetails"]["resource"], "runTask.sync");
  EXPECT_EQ(h[2]["taskScheduledEventDetails"]["region"], "eu-west-1");
  EXPECT_EQ(h[2]["taskScheduledEventDetails"]["parameters"], R"({"Cluster":"c"})");
  EXPECT_EQ(h[4]["taskFailedEventDetails"]["error"], "X");
  EXPECT_EQ(h[4]["timestamp"], "2024-05-14T01:12:02.000Z");
  EXPECT_EQ(h[5]["timestamp"], "2024-05-14T01:12:06.000Z");  // 2 s run + 4 s retry wait
  EXPECT_EQ(h[7]["taskSucceededEventDetails"]["output"], R"({"ok":true})");
  EXPECT_EQ(h[9]["executionSucceededEventDetails"]["output"], R"({"ok":true})");
  ASSERT_EQ(sunk_.size(), h.size());
  EXPECT_EQ(sunk_[0]["executionArn"], arn);
  EXPECT_EQ(arn, "arn:aws:states:eu-west-1:111122223333:execution:nightly:run-1");
}

TEST_F(ExecutorTest, DuplicateExecutionNameIsRefused) {
  machine_ = Load(R"({"StartAt": "S", "States": {"S": {"Type": "Succeed"}}})");
  EXPECT_NE(executor_.Start(machine_, kMachineArn, "same", Json::object()), "");
  EXPECT_EQ(executor_.Start(machine_, kMachineArn, "same", Json::object()), "");
  std::string generated = executor_.Start(machine_, kMachineArn, "", Json::object());
  EXPECT_EQ(generated.size(), std::string(kMachineArn).size() + std::string(":execution:").size() -
                                  std::string(":stateMachine:").size() + 1 + 36);
  EXPECT_EQ(executor_.ExecutionArns().size(), 2u);
}

TEST_F(ExecutorTest, ZeroTimeLoopStopsAtHistoryLimit) {
  std::string arn = Run(R"({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "A"}}})");
  EXPECT_EQ(Info(arn).status, ExecutionStatus::kFailed);
  EXPECT_EQ(Info(arn).error, "States.Runtime");
  EXPECT_LE(static_cast<int64_t>(Info(arn).history.size()), kMaxHistoryEvents);
}

TEST(RetryDelayTest, FullJitterStaysWithinDelayAndIsSeedDeterministic) {
  Retrier r;
  r.interval_seconds = 10;
  r.backoff_rate = 2.0;
  r.full_jitter = true;
  sim::Rng a(7), b(7), c(8);
  std::vector<int64_t> da, db, dc;
  for (int i = 0; i < 200; ++i) {
    sim::Duration d = RetryDelay(r, 2, a);  // computed backoff 20 s
    EXPECT_GE(d.count(), 0);
    EXPECT_LE(d, sim::Seconds(20));
    da.push_back(d.count());
    db.push_back(RetryDelay(r, 2, b).count());
    dc.push_back(RetryDelay(r, 2, c).count());
  }
  EXPECT_EQ(da, db);
  EXPECT_NE(da, dc);
  EXPECT_GT(*std::max_element(da.begin(), da.end()) - *std::min_element(da.begin(), da.end()), 10000000);
}

TEST(RetryDelayTest, BackoffFormulaAndCap) {
  Retrier r;
  r.interval_seconds = 3;
  r.backoff_rate = 1.5;
  sim::Rng rng(1);
  EXPECT_EQ(RetryDelay(r, 1, rng), sim::Seconds(3));
  EXPECT_EQ(RetryDelay(r, 2, rng), sim::Millis(4500));
  r.max_delay_seconds = 5;
  EXPECT_EQ(RetryDelay(r, 3, rng), sim::Seconds(5));
  r.max_delay_seconds.reset();
  r.backoff_rate = 10.0;
  EXPECT_EQ(RetryDelay(r, 400, rng), sim::Seconds(kMaxDelaySecondsLimit));  // no overflow
}

TEST(ErrorMatchesTest, WildcardsFollowAwsRules) {
  EXPECT_TRUE(ErrorMatches({"States.ALL"}, "Anything"));
  EXPECT_TRUE(ErrorMatches({"States.ALL"}, "States.Timeout"));
  EXPECT_FALSE(ErrorMatches({"States.ALL"}, "States.Runtime"));
  EXPECT_FALSE(ErrorMatches({"States.ALL"}, "States.DataLimitExceeded"));
  EXPECT_TRUE(ErrorMatches({"States.TaskFailed"}, "ECS.AmazonECSException"));
  EXPECT_TRUE(ErrorMatches({"States.TaskFailed"}, "States.HeartbeatTimeout"));
  EXPECT_FALSE(ErrorMatches({"States.TaskFailed"}, "States.Timeout"));
  EXPECT_TRUE(ErrorMatches({"X", "States.Timeout"}, "States.Timeout"));
  EXPECT_FALSE(ErrorMatches({"X"}, "Y"));
}

TEST(ExecutorDeterminismTest, SameSeedSameHistory) {
  auto run = [](uint64_t seed) {
    sim::EventLoop loop;
    ScriptedIntegrations services(loop);
    for (int i = 0; i < 3; ++i) services.Fail("X");
    std::vector<Json> events;
    Executor ex(loop, sim::Rng(seed), kEpochMs, services, [&](const Json& e) { events.push_back(e); });
    StateMachine m = LoadStateMachine(sim::Node::Root(sim::Document::Parse(
        R"({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
           "Retry": [{"ErrorEquals": ["X"], "IntervalSeconds": 30, "JitterStrategy": "FULL"}], "End": true}}})",
        "sm.json", true)));
    ex.Start(m, kMachineArn, "", Json::object());
    while (loop.Step()) {
    }
    return Json(events).dump();
  };
  EXPECT_EQ(run(5), run(5));
  EXPECT_NE(run(5), run(6));
}

}  // namespace
}  // namespace fakes::stepfunctions
