#include "fakes/stepfunctions/state_machine.h"

#include <gtest/gtest.h>
#include "sim/base/testing/input_error.h"

namespace fakes::stepfunctions {
namespace {

StateMachine Load(const std::string& text) {
  return LoadStateMachine(sim::Node::Root(sim::Document::Parse(text, "sm.json", true)));
}

// Loads `text`, expects an InputError, returns it for inspection.
sim::InputError LoadError(const std::string& text) {
  return sim::testing::CaptureInputError([&] { Load(text); }, text);
}

// The task of seed 002, with both retriers.
constexpr char kSeed002[] = R"({
  "Comment": "Resilient scheduled Fargate task",
  "StartAt": "RunTask",
  "TimeoutSeconds": 3600,
  "States": {
    "RunTask": {
      "Type": "Task",
      "Resource": "arn:aws:states:::ecs:runTask.sync",
      "Parameters": {"Cluster": "c", "TaskDefinition": "job:3", "LaunchType": "FARGATE"},
      "Retry": [
        {"ErrorEquals": ["ECS.AmazonECSException"], "IntervalSeconds": 10, "MaxAttempts": 3, "BackoffRate": 2.0},
        {"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 3, "MaxAttempts": 3, "BackoffRate": 1.0}
      ],
      "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed", "ResultPath": "$.error"}],
      "End": true
    },
    "Failed": {"Type": "Fail", "Error": "JobFailed", "Cause": "retries exhausted"}
  }
})";

TEST(StateMachineTest, LoadsSeed002RetryBlock) {
  StateMachine m = Load(kSeed002);
  EXPECT_EQ(m.start_at, "RunTask");
  EXPECT_EQ(m.timeout_seconds, 3600);
  const State& t = m.At("RunTask");
  EXPECT_EQ(t.type, StateType::kTask);
  EXPECT_TRUE(t.end);
  ASSERT_EQ(t.retry.size(), 2u);
  EXPECT_EQ(t.retry[0].error_equals, std::vector<std::string>{"ECS.AmazonECSException"});
  EXPECT_EQ(t.retry[0].interval_seconds, 10);
  EXPECT_EQ(t.retry[0].max_attempts, 3);
  EXPECT_DOUBLE_EQ(t.retry[0].backoff_rate, 2.0);
  EXPECT_DOUBLE_EQ(t.retry[1].backoff_rate, 1.0);
  ASSERT_EQ(t.catchers.size(), 1u);
  EXPECT_EQ(t.catchers[0].result_path, "$.error");
  EXPECT_EQ(m.At("Failed").error, "JobFailed");
}

TEST(StateMachineTest, RetrierDefaultsFollowAws) {
  StateMachine m = Load(R"({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::sns:publish",
    "Retry": [{"ErrorEquals": ["X"]}], "Catch": [{"ErrorEquals": ["Y"], "Next": "T"}], "End": true}}})");
  const Retrier& r = m.At("T").retry[0];
  EXPECT_EQ(r.interval_seconds, 1);
  EXPECT_EQ(r.max_attempts, 3);
  EXPECT_DOUBLE_EQ(r.backoff_rate, 2.0);
  EXPECT_FALSE(r.full_jitter);
  EXPECT_FALSE(r.max_delay_seconds.has_value());
  EXPECT_EQ(m.At("T").catchers[0].result_path, "$");
}

TEST(StateMachineTest, NullPathsAreKeptAsNull) {
  StateMachine m = Load(R"({"StartAt": "P", "States": {"P": {"Type": "Pass", "InputPath": null,
    "ResultPath": null, "OutputPath": "$.a", "End": true}}})");
  EXPECT_FALSE(m.At("P").input_path.has_value());
  EXPECT_FALSE(m.At("P").result_path.has_value());
  EXPECT_EQ(m.At("P").output_path, "$.a");
}

TEST(StateMachineTest, UnknownTypeNamesLine) {
  auto e = LoadError("{\n\"StartAt\": \"A\",\n\"States\": {\n\"A\": {\n\"Type\": \"Taks\",\n\"End\": true}}}");
  EXPECT_EQ(e.where().file, "sm.json");
  EXPECT_EQ(e.where().line, 5);
  EXPECT_EQ(e.where().key, "States.A.Type");
  EXPECT_NE(e.message().find("unknown state Type \"Taks\""), std::string::npos);
}

TEST(StateMachineTest, ParallelAndMapAreRejectedClearly) {
  auto e = LoadError(R"({"StartAt": "A", "States": {"A": {"Type": "Parallel", "Branches": [], "End": true}}})");
  EXPECT_EQ(e.message(), "Parallel is not modelled");
  e = LoadError(R"({"StartAt": "A", "States": {"A": {"Type": "Map", "End": true}}})");
  EXPECT_EQ(e.message(), "Map is not modelled");
}

TEST(StateMachineTest, MissingNextAndEnd) {
  auto e = LoadError("{\"StartAt\": \"A\", \"States\": {\n\"A\": {\"Type\": \"Pass\"}}}");
  EXPECT_EQ(e.where().line, 2);
  EXPECT_NE(e.message().find("needs Next or \"End\": true"), std::string::npos);
  e = LoadError(R"({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "A", "End": true}}})");
  EXPECT_NE(e.message().find("both Next and End"), std::string::npos);
}

TEST(StateMachineTest, NextToMissingStateNamesLineAndKey) {
  auto e = LoadError("{\"StartAt\": \"A\", \"States\": {\n\"A\": {\"Type\": \"Pass\",\n\"Next\": \"B\"}}}");
  EXPECT_EQ(e.where().line, 3);
  EXPECT_EQ(e.where().key, "States.A.Next");
  EXPECT_NE(e.message().find("no state named 'B'"), std::string::npos);
}

TEST(StateMachineTest, StartAtMissingOrDangling) {
  auto e = LoadError(R"({"States": {"A": {"Type": "Succeed"}}})");
  EXPECT_NE(e.message().find("missing required key 'StartAt'"), std::string::npos);
  e = LoadError(R"({"StartAt": "Z", "States": {"A": {"Type": "Succeed"}}})");
  EXPECT_EQ(e.where().key, "StartAt");
}

TEST(StateMachineTest, UnreachableStateIsRejected) {
  auto e = LoadError(R"({"StartAt": "A", "States": {"A": {"Type": "Succeed"}, "B": {"Type": "Succeed"}}})");
  EXPECT_NE(e.message().find("'B' is not reachable"), std::string::npos);
}

std::string TaskWith(const std::string& retry, const std::string& extra = "") {
  return R"({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "arn:aws:states:::ecs:runTask",
    "Retry": )" + retry + extra + R"(, "End": true}}})";
}

TEST(StateMachineTest, StatesAllMustBeAloneAndLast) {
  auto e = LoadError(TaskWith(R"([{"ErrorEquals": ["States.ALL", "X"]}])"));
  EXPECT_NE(e.message().find("alone"), std::string::npos);
  e = LoadError(TaskWith(R"([{"ErrorEquals": ["States.ALL"]}, {"ErrorEquals": ["X"]}])"));
  EXPECT_NE(e.message().find("last retrier"), std::string::npos);
  EXPECT_EQ(e.where().key, "States.T.Retry[0].ErrorEquals[0]");
  e = LoadError(TaskWith(R"([])", R"(, "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "T"},
    {"ErrorEquals": ["X"], "Next": "T"}])"));
  EXPECT_NE(e.message().find("last retrier or catcher"), std::string::npos);
}

TEST(StateMachineTest, RetryFieldRanges) {
  EXPECT_NE(LoadError(TaskWith(R"([{"ErrorEquals": ["X"], "IntervalSeconds": 0}])")).message().find("out of range"),
            std::string::npos);
  EXPECT_NE(LoadError(TaskWith(R"([{"ErrorEquals": ["X"], "MaxAttempts": -1}])")).message().find("out of range"),
            std::string::npos);
  EXPECT_NE(LoadError(TaskWith(R"([{"ErrorEquals": ["X"], "BackoffRate": 0.5}])")).message().find(">= 1.0"),
            std::string::npos);
  EXPECT_NE(LoadError(TaskWith(R"([{"ErrorEquals": ["X"], "MaxDelaySeconds": 0}])")).message().find("out of range"),
            std::string::npos);
  EXPECT_NE(LoadError(TaskWith(R"([{"ErrorEquals": ["X"], "MaxDelaySeconds": 31622401}])")).message().find("out of range"),
            std::string::npos);
  EXPECT_NE(LoadError(TaskWith(R"([{"ErrorEquals": ["X"], "JitterStrategy": "HALF"}])")).message().find("FULL or NONE"),
            std::string::npos);
  EXPECT_NE(LoadError(TaskWith(R"([{"ErrorEquals": []}])")).message().find("at least one"), std::string::npos);
  EXPECT_NE(LoadError(TaskWith(R"([{"ErrorEquals": ["X"], "Interval": 3}])")).message().find("unknown key"),
            std::string::npos);
  StateMachine ok = Load(TaskWith(
      R"([{"ErrorEquals": ["X"], "MaxAttempts": 0, "MaxDelaySeconds": 31622400, "JitterStrategy": "FULL"}])"));
  EXPECT_EQ(ok.At("T").retry[0].max_attempts, 0);
  EXPECT_TRUE(ok.At("T").retry[0].full_jitter);
}

TEST(StateMachineTest, HeartbeatMustBeBelowTimeout) {
  auto e = LoadError(TaskWith("[]", R"(, "TimeoutSeconds": 60, "HeartbeatSeconds": 60)"));
  EXPECT_NE(e.message().find("must be smaller than TimeoutSeconds"), std::string::npos);
  EXPECT_EQ(e.where().key, "States.T.HeartbeatSeconds");
  StateMachine ok = Load(TaskWith("[]", R"(, "TimeoutSeconds": 60, "HeartbeatSeconds": 59)"));
  EXPECT_EQ(ok.At("T").heartbeat_seconds, 59);
}

TEST(StateMachineTest, UnknownFieldInStateIsRejectedWithLine) {
  auto e = LoadError("{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Pass\",\n\n\"Seconds\": 3, \"End\": true}}}");
  EXPECT_EQ(e.where().line, 3);
  EXPECT_EQ(e.where().key, "States.A.Seconds");
  EXPECT_NE(e.message().find("unknown key"), std::string::npos);
}

TEST(StateMachineTest, BadPathsAndIntrinsicsAreRejectedAtLoad) {
  auto e = LoadError("{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Pass\",\n\"Parameters\": {\"x.$\": \"$.a[\"},"
                     " \"End\": true}}}");
  EXPECT_EQ(e.where().line, 2);
  EXPECT_EQ(e.where().key, "States.A.Parameters.x.$");
  e = LoadError(R"sm({"StartAt": "A", "States": {"A": {"Type": "Pass", "Parameters": {"x.$": "States.Bogus(1)"}, "End": true}}})sm");
  EXPECT_NE(e.message().find("unknown intrinsic"), std::string::npos);
  e = LoadError(R"({"StartAt": "A", "States": {"A": {"Type": "Pass", "ResultPath": "$.a[*]", "End": true}}})");
  EXPECT_NE(e.message().find("not a reference path"), std::string::npos);
  e = LoadError(R"({"StartAt": "A", "States": {"A": {"Type": "Pass", "InputPath": "a.b", "End": true}}})");
  EXPECT_EQ(e.where().key, "States.A.InputPath");
}

TEST(StateMachineTest, WaitNeedsExactlyOneDuration) {
  auto e = LoadError(R"({"StartAt": "W", "States": {"W": {"Type": "Wait", "End": true}}})");
  EXPECT_NE(e.message().find("exactly one"), std::string::npos);
  e = LoadError(R"({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 1, "SecondsPath": "$.s", "End": true}}})");
  EXPECT_NE(e.message().find("exactly one"), std::string::npos);
  e = LoadError(R"({"StartAt": "W", "States": {"W": {"Type": "Wait", "Timestamp": "tomorrow", "End": true}}})");
  EXPECT_NE(e.message().find("ISO-8601"), std::string::npos);
}

TEST(StateMachineTest, ChoiceRulesAreValidated) {
  auto base = [](const std::string& rule) {
    return R"({"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [)" + rule +
           R"(], "Default": "D"}, "D": {"Type": "Succeed"}}})";
  };
  StateMachine ok = Load(base(R"({"And": [{"Variable": "$.a", "NumericGreaterThan": 1},
    {"Not": {"Variable": "$.b", "StringEquals": "x"}}], "Next": "D"})"));
  EXPECT_EQ(ok.At("C").choices[0].kind, ChoiceRule::Kind::kAnd);
  EXPECT_NE(LoadError(base(R"({"Variable": "$.a", "NumericEquals": "1", "Next": "D"})")).message().find("takes a number"),
            std::string::npos);
  EXPECT_NE(LoadError(base(R"({"Variable": "$.a", "StringEquals": "x"})")).message().find("'Next'"),
            std::string::npos);
  EXPECT_NE(LoadError(base(R"({"Not": {"Variable": "$.a", "IsNull": true, "Next": "D"}, "Next": "D"})"))
                .message()
                .find("only allowed in a top-level"),
            std::string::npos);
  EXPECT_NE(LoadError(base(R"({"Variable": "$.a", "StringEquals": "x", "StringMatches": "x*", "Next": "D"})"))
                .message()
                .find("one operator"),
            std::string::npos);
  EXPECT_NE(LoadError(base(R"({"Variable": "$.a", "StringEqual": "x", "Next": "D"})")).message().find("unknown field"),
            std::string::npos);
  EXPECT_NE(LoadError(base(R"({"Variable": "$.a", "StringEquals": "x", "Next": "Nowhere"})")).message().find("no state named"),
            std::string::npos);
}

TEST(StateMachineTest, TopLevelUnknownFieldAndJsonata) {
  auto e = LoadError(R"({"StartAt": "A", "Startat": "A", "States": {"A": {"Type": "Succeed"}}})");
  EXPECT_EQ(e.where().key, "Startat");
  e = LoadError(R"({"QueryLanguage": "JSONata", "StartAt": "A", "States": {"A": {"Type": "Succeed"}}})");
  EXPECT_NE(e.message().find("JSONPath"), std::string::npos);
}

}  // namespace
}  // namespace fakes::stepfunctions
