#include "fakes/stepfunctions/integrations.h"

#include <deque>
#include <map>

#include <gtest/gtest.h>

#include "fakes/stepfunctions/executor.h"

namespace fakes::stepfunctions {
namespace {

using sim::Json;

// Stands in for the ECS model: scripted RunTask outcomes, tasks stopped on demand.
class FakeEcs : public EcsApi {
 public:
  RunTaskOutcome RunTask(const Json& request) override {
    requests.push_back(request);
    if (!outcomes.empty()) {
      RunTaskOutcome o = outcomes.front();
      outcomes.pop_front();
      return o;
    }
    std::string arn = "arn:aws:ecs:us-east-1:123456789012:task/c/" + std::to_string(requests.size());
    return {"", "", Json{{"tasks", Json::array({Json{{"taskArn", arn}, {"lastStatus", "PROVISIONING"}}})},
                         {"failures", Json::array()}}};
  }
  void WhenStopped(const std::string& task_arn, std::function<void(const Json&)> fn) override {
    waiters[task_arn] = std::move(fn);
  }
  void StopTask(const std::string& task_arn, const std::string& reason) override {
    stop_requests.push_back({task_arn, reason});
  }
  // Reports the task STOPPED with the given container exit codes (nullopt = never ran).
  void Stop(const std::string& arn, std::vector<std::optional<int>> exit_codes) {
    Json containers = Json::array();
    for (size_t i = 0; i < exit_codes.size(); ++i) {
      Json c{{"name", "c" + std::to_string(i)}};
      if (exit_codes[i]) c["exitCode"] = *exit_codes[i];
      containers.push_back(c);
    }
    auto fn = waiters.at(arn);
    fn(Json{{"taskArn", arn},
            {"lastStatus", "STOPPED"},
            {"stopCode", "EssentialContainerExited"},
            {"containers", containers}});
  }
  std::string LastArn() const {
    return "arn:aws:ecs:us-east-1:123456789012:task/c/" + std::to_string(requests.size());
  }

  std::deque<RunTaskOutcome> outcomes;
  std::vector<Json> requests;
  std::map<std::string, std::function<void(const Json&)>> waiters;
  std::vector<std::pair<std::string, std::string>> stop_requests;  // (arn, reason)
};

class FakeMessaging : public MessagingApi {
 public:
  std::string Publish(const Json& params, Json& out) override {
    published.push_back(params);
    out = Json{{"MessageId", "m-1"}};
    return error;
  }
  std::string SendMessage(const Json& params, Json& out) override {
    sent.push_back(params);
    out = Json{{"MessageId", "q-1"}, {"MD5OfMessageBody", "x"}};
    return error;
  }
  std::vector<Json> published, sent;
  std::string error;
};

class IntegrationsTest : public ::testing::Test {
 protected:
  // Invokes and records the (single) result.
  std::function<void()> Call(const std::string& resource, const Json& params) {
    results_.clear();
    submitted_.clear();
    return aws_.InvokeReportingSubmission(
        resource, params, [this](const Json& s) { submitted_.push_back(s); },
        [this](TaskResult r) { results_.push_back(std::move(r)); });
  }

  FakeEcs ecs_;
  FakeMessaging messaging_;
  AwsIntegrations aws_{ecs_, messaging_};
  std::vector<TaskResult> results_;
  std::vector<Json> submitted_;
};

TEST_F(IntegrationsTest, ParametersBecomeCamelCaseRunTaskRequest) {
  Call(kEcsRunTask, Json::parse(R"({
    "Cluster": "batch", "TaskDefinition": "job:3", "LaunchType": "FARGATE", "Count": 1,
    "Overrides": {"ContainerOverrides": [{"Name": "app", "Command": ["run", "--from", "0"],
                                          "Environment": [{"Name": "MODE", "Value": "Full"}]}]},
    "NetworkConfiguration": {"AwsvpcConfiguration": {"Subnets": ["s-1"], "AssignPublicIp": "DISABLED"}},
    "EnableECSManagedTags": true, "PropagateTags": "TASK_DEFINITION"})"));
  ASSERT_EQ(ecs_.requests.size(), 1u);
  EXPECT_EQ(ecs_.requests[0], Json::parse(R"({
    "cluster": "batch", "taskDefinition": "job:3", "launchType": "FARGATE", "count": 1,
    "overrides": {"containerOverrides": [{"name": "app", "command": ["run", "--from", "0"],
                                          "environment": [{"name": "MODE", "value": "Full"}]}]},
    "networkConfiguration": {"awsvpcConfiguration": {"subnets": ["s-1"], "assignPublicIp": "DISABLED"}},
    "enableECSManagedTags": true, "propagateTags": "TASK_DEFINITION"})"));
}

TEST_F(IntegrationsTest, PlainRunTaskSucceedsWithPascalCaseResponseEvenWithFailures) {
  ecs_.outcomes.push_back({"", "", Json::parse(R"({"tasks": [], "failures": [{"arn": "a", "reason": "RESOURCE:MEMORY"}]})")});
  Call(kEcsRunTask, Json::object());
  ASSERT_EQ(results_.size(), 1u);
  EXPECT_TRUE(results_[0].ok);
  EXPECT_EQ(results_[0].output, Json::parse(R"({"Tasks": [], "Failures": [{"Arn": "a", "Reason": "RESOURCE:MEMORY"}]})"));
}

TEST_F(IntegrationsTest, SyncRunTaskWithFailuresIsAmazonEcsUnknown) {
  ecs_.outcomes.push_back({"", "", Json::parse(R"({"tasks": [], "failures": [{"arn": "a", "reason": "RESOURCE:MEMORY"}]})")});
  Call(kEcsRunTaskSync, Json::object());
  ASSERT_EQ(results_.size(), 1u);
  EXPECT_FALSE(results_[0].ok);
  EXPECT_EQ(results_[0].error, "AmazonECS.Unknown");
  EXPECT_NE(results_[0].cause.find("RESOURCE:MEMORY"), std::string::npos);
}

TEST_F(IntegrationsTest, RunTaskExceptionIsEcsAmazonEcsExceptionWithMessage) {
  ecs_.outcomes.push_back({"ThrottlingException", "Rate exceeded", nullptr});
  Call(kEcsRunTaskSync, Json::object());
  ASSERT_EQ(results_.size(), 1u);
  EXPECT_EQ(results_[0].error, "ECS.AmazonECSException");
  EXPECT_EQ(results_[0].cause, "Rate exceeded");
  ecs_.outcomes.push_back({"ThrottlingException", "Rate exceeded", nullptr});
  Call(kEcsRunTask, Json::object());
  EXPECT_EQ(results_[0].error, "ECS.AmazonECSException");
}

TEST_F(IntegrationsTest, SyncWaitsForStopAndSucceedsOnExitZero) {
  Call(kEcsRunTaskSync, Json::object());
  EXPECT_TRUE(results_.empty());
  ASSERT_EQ(submitted_.size(), 1u);
  EXPECT_TRUE(submitted_[0].contains("Tasks"));
  ecs_.Stop(ecs_.LastArn(), {0, 0});
  ASSERT_EQ(results_.size(), 1u);
  EXPECT_TRUE(results_[0].ok);
  EXPECT_EQ(results_[0].output["TaskArn"], ecs_.LastArn());
  EXPECT_EQ(results_[0].output["LastStatus"], "STOPPED");
  EXPECT_EQ(results_[0].output["Containers"][0]["ExitCode"], 0);
}

TEST_F(IntegrationsTest, SyncAnyNonZeroContainerIsTaskFailedWithTaskCause) {
  Call(kEcsRunTaskSync, Json::object());
  ecs_.Stop(ecs_.LastArn(), {0, 137});  // a SIGKILLed sidecar fails the state too
  ASSERT_EQ(results_.size(), 1u);
  EXPECT_FALSE(results_[0].ok);
  EXPECT_EQ(results_[0].error, "States.TaskFailed");
  Json cause = Json::parse(results_[0].cause);
  EXPECT_EQ(cause["TaskArn"], ecs_.LastArn());
  EXPECT_EQ(cause["Containers"][1]["ExitCode"], 137);
}

TEST_F(IntegrationsTest, SyncContainerThatNeverRanIsTaskFailed) {
  Call(kEcsRunTaskSync, Json::object());
  ecs_.Stop(ecs_.LastArn(), {std::nullopt});
  ASSERT_EQ(results_.size(), 1u);
  EXPECT_EQ(results_[0].error, "States.TaskFailed");
}

TEST_F(IntegrationsTest, CancelledSyncCallStopsItsTaskAndNeverCompletes) {
  auto cancel = Call(kEcsRunTaskSync, Json::object());
  ASSERT_TRUE(cancel);
  cancel();
  ASSERT_EQ(ecs_.stop_requests.size(), 1u);
  EXPECT_EQ(ecs_.stop_requests[0].first, ecs_.LastArn());
  EXPECT_EQ(ecs_.stop_requests[0].second, kStoppedBySfnReason);
  cancel();  // a second cancel does not stop it again
  EXPECT_EQ(ecs_.stop_requests.size(), 1u);
  ecs_.Stop(ecs_.LastArn(), {0});
  EXPECT_TRUE(results_.empty());
}

TEST_F(IntegrationsTest, CancelStopsOnlyTheTasksStillRunning) {
  std::string a = "arn:aws:ecs:us-east-1:123456789012:task/c/a", b = "arn:aws:ecs:us-east-1:123456789012:task/c/b";
  ecs_.outcomes.push_back({"", "", Json{{"tasks", Json::array({Json{{"taskArn", a}}, Json{{"taskArn", b}}})},
                                        {"failures", Json::array()}}});
  auto cancel = Call(kEcsRunTaskSync, Json{{"Count", 2}});
  ecs_.Stop(a, {0});
  cancel();
  ASSERT_EQ(ecs_.stop_requests.size(), 1u);
  EXPECT_EQ(ecs_.stop_requests[0].first, b);
  EXPECT_TRUE(results_.empty());
}

TEST_F(IntegrationsTest, ACompletedSyncCallHasNothingToStop) {
  auto cancel = Call(kEcsRunTaskSync, Json::object());
  ecs_.Stop(ecs_.LastArn(), {0});
  ASSERT_EQ(results_.size(), 1u);
  if (cancel) cancel();
  EXPECT_TRUE(ecs_.stop_requests.empty());
}

TEST_F(IntegrationsTest, SnsAndSqsPassParametersAndMapErrors) {
  Call(kSnsPublish, Json{{"TopicArn", "arn:aws:sns:us-east-1:1:alerts"}, {"Message", "hi"}});
  ASSERT_EQ(results_.size(), 1u);
  EXPECT_TRUE(results_[0].ok);
  EXPECT_EQ(results_[0].output["MessageId"], "m-1");
  EXPECT_EQ(messaging_.published[0]["TopicArn"], "arn:aws:sns:us-east-1:1:alerts");
  Call(kSqsSendMessage, Json{{"QueueUrl", "q"}, {"MessageBody", "b"}});
  EXPECT_EQ(messaging_.sent[0]["MessageBody"], "b");
  EXPECT_TRUE(results_[0].ok);
  messaging_.error = "SNS.NotFoundException";
  Call(kSnsPublish, Json{{"TopicArn", "x"}, {"Message", "hi"}});
  EXPECT_FALSE(results_[0].ok);
  EXPECT_EQ(results_[0].error, "SNS.NotFoundException");
}

TEST_F(IntegrationsTest, UnknownResourceIsStatesRuntime) {
  Call("arn:aws:lambda:us-east-1:123456789012:function:f", Json::object());
  ASSERT_EQ(results_.size(), 1u);
  EXPECT_EQ(results_[0].error, "States.Runtime");
  EXPECT_NE(results_[0].cause.find("not modelled"), std::string::npos);
}

TEST(CaseConversionTest, KeysOnlyValuesUntouched) {
  Json in = Json::parse(R"({"TaskArn": "X", "Tags": [{"Key": "Team", "Value": "Data"}], "N": null})");
  EXPECT_EQ(ToCamelCaseKeys(in), Json::parse(R"({"taskArn": "X", "tags": [{"key": "Team", "value": "Data"}], "n": null})"));
  EXPECT_EQ(ToPascalCaseKeys(ToCamelCaseKeys(in)), in);
}

// Seed 002 end to end: throttled twice, then the task exits 1, then it exits 0.
TEST(Seed002EndToEndTest, RetriesThrottlingAndTaskFailureOverAwsIntegrations) {
  sim::EventLoop loop;
  FakeEcs ecs;
  FakeMessaging messaging;
  AwsIntegrations aws(ecs, messaging);
  ecs.outcomes.push_back({"ThrottlingException", "Rate exceeded", nullptr});
  ecs.outcomes.push_back({"ThrottlingException", "Rate exceeded", nullptr});
  std::vector<int64_t> run_task_seconds;
  Executor executor(loop, sim::Rng(1), 0, aws, [&](const Json& e) {
    if (e["type"] == "TaskScheduled") run_task_seconds.push_back(sim::ToMicros(loop.Now()) / 1000000);
  });
  StateMachine m = LoadStateMachine(sim::Node::Root(sim::Document::Parse(R"({
    "StartAt": "RunTask", "States": {"RunTask": {
      "Type": "Task", "Resource": "arn:aws:states:::ecs:runTask.sync",
      "Parameters": {"Cluster": "c", "TaskDefinition": "job", "LaunchType": "FARGATE"},
      "Retry": [
        {"ErrorEquals": ["ECS.AmazonECSException"], "IntervalSeconds": 10, "MaxAttempts": 3, "BackoffRate": 2.0},
        {"ErrorEquals": ["States.TaskFailed"], "IntervalSeconds": 3, "MaxAttempts": 3, "BackoffRate": 1.0}],
      "End": true}}})",
                                                                         "seed002.json", true)));
  std::string arn = executor.Start(m, "arn:aws:states:us-east-1:123456789012:stateMachine:sfn", "e", Json::object());
  // Drive the loop; stop running tasks 100 s after they start (first exit 1, then 0).
  int stopped = 0;
  while (true) {
    while (loop.Step()) {
    }
    if (ecs.waiters.size() == static_cast<size_t>(stopped)) break;
    loop.RunUntil(loop.Now() + sim::Seconds(100));
    ecs.Stop(ecs.LastArn(), {stopped == 0 ? 1 : 0});
    ++stopped;
  }
  EXPECT_EQ(run_task_seconds, (std::vector<int64_t>{0, 10, 30, 133}));
  const ExecutionInfo& info = *executor.Find(arn);
  EXPECT_EQ(info.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(info.output["LastStatus"], "STOPPED");
  int submitted = 0;
  for (const auto& e : info.history) submitted += e["type"] == "TaskSubmitted";
  EXPECT_EQ(submitted, 2);
}

}  // namespace
}  // namespace fakes::stepfunctions
