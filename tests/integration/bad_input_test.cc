// Bad input gets one line naming file, line and key, exit code 2, and no run
// directory.
#include <gtest/gtest.h>

#include "tests/integration/run_helpers.h"

namespace ecsim_test {
namespace {

constexpr const char* kGoodTaskDef = R"(task_definitions:
  - inline:
      family: job
      cpu: "256"
      memory: "512"
      containerDefinitions:
        - name: app
          image: x
          command: [ecsim-worker, --items, "3"]
)";

struct Case {
  const char* name;
  std::string scenario;
  std::string expect_location;  // "file:line: key" fragment
  std::string extra_file_name = "", extra_file = "";
};

// Names the case in ctest's listing instead of a hex dump of the struct.
void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class BadInputTest : public ::testing::TestWithParam<Case> {};

TEST_P(BadInputTest, OneLineNamingFileLineAndKeyExit2NothingWritten) {
  const Case& c = GetParam();
  TempDir dir;
  { std::ofstream(dir / "s.yaml") << c.scenario; }
  if (!c.extra_file_name.empty()) std::ofstream(dir / c.extra_file_name) << c.extra_file;
  fs::path out = dir / "run";
  auto r = RunCommand(Ecsim() + " run " + Quote((dir / "s.yaml").string()) + " --out " + Quote(out.string()));
  EXPECT_EQ(r.exit_code, 2) << r.out;
  ASSERT_FALSE(r.out.empty());
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << "more than one line: " << r.out;
  EXPECT_NE(r.out.find(c.expect_location), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(out)) << "a run directory was created for bad input";
  auto v = RunCommand(Ecsim() + " validate " + Quote((dir / "s.yaml").string()));
  EXPECT_EQ(v.exit_code, 2) << v.out;
}

INSTANTIATE_TEST_SUITE_P(
    Cases, BadInputTest,
    ::testing::Values(
        Case{"MalformedYaml", "name: x\nactions: [unclosed\n", "s.yaml:3"},
        Case{"UnknownTopLevelKey", std::string("sede: 3\n") + kGoodTaskDef, "s.yaml:1: sede: unknown key"},
        Case{"StopTimeoutAbove120", std::string(kGoodTaskDef) + "          stopTimeout: 500\n",
             "s.yaml:10: task_definitions[0].inline.containerDefinitions[0].stopTimeout: 500 is out of range"},
        Case{"MissingWorkerBinary",
             "task_definitions:\n  - inline:\n      family: job\n      cpu: \"256\"\n      memory: \"512\"\n"
             "      containerDefinitions:\n        - name: app\n          image: x\n"
             "          command: [no-such-worker-binary]\n",
             "containerDefinitions[0].command: executable 'no-such-worker-binary' not found"},
        Case{"DurationWithoutUnit", std::string(kGoodTaskDef) + "actions:\n  - at: 90\n    run_task: {taskDefinition: job}\n",
             "s.yaml:11: actions[0].at:"},
        Case{"UnknownFamily", std::string(kGoodTaskDef) + "actions:\n  - at: 0s\n    run_task: {taskDefinition: nope}\n",
             "actions[0].run_task.taskDefinition: no task definition of family 'nope'"},
        Case{"StopOfUnnamedTask", std::string(kGoodTaskDef) + "actions:\n  - at: 0s\n    stop_task: {task: ghost}\n",
             "s.yaml:12: actions[0].stop_task.task"},
        Case{"MalformedTaskDefinitionJson", "task_definitions:\n  - file: td.json\n", "td.json:3: malformed JSON",
             "td.json", "{\n  \"family\": \"x\",\n  \"cpu\": ,\n}\n"},
        Case{"BadFargateSize", "task_definitions:\n  - file: td.json\n", "td.json:1: memory: cpu 256 with memory 4096",
             "td.json",
             R"({"family": "x", "cpu": "256", "memory": "4096", "containerDefinitions": [{"name": "a", "image": "i", "command": ["ecsim-worker"]}]})"},
        Case{"UnknownKeyInAction", std::string(kGoodTaskDef) + "actions:\n  - at: 0s\n    run_task: {taskDefinition: job}\n    when: now\n",
             "s.yaml:13: actions[0].when: unknown key"}),
    [](const auto& info) { return std::string(info.param.name); });

// The AWS model sections: strategy, FIS template, event pattern, price,
// schedule expression, States Language, RedrivePolicy, topic ARN, FIFO DLQ.
INSTANTIATE_TEST_SUITE_P(
    AwsSections, BadInputTest,
    ::testing::Values(
        Case{"InvalidCapacityProviderStrategy",
             std::string(kGoodTaskDef) + "clusters:\n"
             "  - name: c\n"
             "    default_capacity_provider_strategy: [{capacityProvider: FARGATE_SPOT}]\n"
             "",
             "s.yaml:12: clusters[0].default_capacity_provider_strategy: at least one capacity provider"},
        Case{"InvalidFisSelectionMode",
             std::string(kGoodTaskDef) + "fis:\n"
             "  templates:\n"
             "    - name: t\n"
             "      inline:\n"
             "        targets: {T: {resourceType: aws:ecs:task, resourceTags: {a: b}, selectionMode: PERCENT(0)}}\n"
             "        actions: {A: {actionId: aws:ecs:stop-task, targets: {Tasks: T}}}\n"
             "",
             "s.yaml:14: fis.templates[0].inline.targets.T.selectionMode: 'PERCENT(0)'"},
        Case{"InvalidEventPattern",
             std::string(kGoodTaskDef) + "eventbridge:\n"
             "  rules:\n"
             "    - rule: {Name: r, EventPattern: {source: []}}\n"
             "      run_task: {taskDefinition: job}\n"
             "",
             "s.yaml:12: eventbridge.rules[0].rule.EventPattern.source: Event pattern is not valid"},
        Case{"NegativePrice",
             std::string(kGoodTaskDef) + "pricing:\n"
             "  spot: {vcpu_hour: -1}\n"
             "",
             "s.yaml:11: pricing.spot.vcpu_hour:"},
        Case{"FiveFieldCron",
             std::string(kGoodTaskDef) + "sqs:\n"
             "  queues: [{QueueName: q}]\n"
             "scheduler:\n"
             "  schedules:\n"
             "    - {Name: s, ScheduleExpression: 'cron(0 9 * * *)', FlexibleTimeWindow: {Mode: 'OFF'}, Target: {Arn: 'arn:aws:sqs:us-east-1:123456789012:q', RoleArn: 'arn:aws:iam::123456789012:role/r'}}\n"
             "",
             "s.yaml:14: scheduler.schedules[0].ScheduleExpression: cron needs 6 fields"},
        Case{"UnknownStateType",
             std::string(kGoodTaskDef) + "stepfunctions:\n"
             "  state_machines:\n"
             "    - name: m\n"
             "      definition: {StartAt: A, States: {A: {Type: Sleep, End: true}}}\n"
             "",
             "s.yaml:13: stepfunctions.state_machines[0].definition.States.A.Type: unknown state Type \"Sleep\""},
        Case{"MissingNext",
             std::string(kGoodTaskDef) + "stepfunctions:\n"
             "  state_machines:\n"
             "    - name: m\n"
             "      definition: {StartAt: A, States: {A: {Type: Pass}}}\n"
             "",
             "s.yaml:13: stepfunctions.state_machines[0].definition.States.A: state 'A' needs Next"},
        Case{"StatesAllNotLast",
             std::string(kGoodTaskDef) + "stepfunctions:\n"
             "  state_machines:\n"
             "    - name: m\n"
             "      definition: {StartAt: A, States: {A: {Type: Pass, End: true}, B: {Type: Task, Resource: 'arn:aws:states:::sns:publish', End: true, Retry: [{ErrorEquals: [States.ALL]}, {ErrorEquals: [X]}]}}}\n"
             "",
             "s.yaml:13: stepfunctions.state_machines[0].definition.States.B.Retry[0].ErrorEquals[0]: States.ALL must appear in the last"},
        Case{"RedriveMaxReceiveCountZero",
             std::string(kGoodTaskDef) + "sqs:\n"
             "  queues:\n"
             "    - {QueueName: q, Attributes: {RedrivePolicy: '{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:123456789012:d\",\"maxReceiveCount\":0}'}}\n"
             "    - {QueueName: d}\n"
             "",
             "s.yaml:12: sqs.queues[0].Attributes.RedrivePolicy.maxReceiveCount: 0 is out of range"},
        Case{"UnknownTopicArn",
             std::string(kGoodTaskDef) + "sns:\n"
             "  topics: [{Name: t}]\n"
             "  subscriptions: [{TopicArn: 'arn:aws:sns:us-east-1:123456789012:nope', Protocol: email, Endpoint: a@b.c}]\n"
             "",
             "s.yaml:12: sns.subscriptions[0].TopicArn: topic 'arn:aws:sns:us-east-1:123456789012:nope' does not exist"},
        Case{"FifoDeadLetterQueue",
             std::string(kGoodTaskDef) + "sqs:\n"
             "  queues: [{QueueName: q}]\n"
             "scheduler:\n"
             "  schedules:\n"
             "    - {Name: s, ScheduleExpression: 'rate(5 minutes)', FlexibleTimeWindow: {Mode: 'OFF'}, Target: {Arn: 'arn:aws:sqs:us-east-1:123456789012:q', RoleArn: 'arn:aws:iam::123456789012:role/r', DeadLetterConfig: {Arn: 'arn:aws:sqs:us-east-1:123456789012:dlq.fifo'}}}\n"
             "",
             "s.yaml:14: scheduler.schedules[0].Target.DeadLetterConfig.Arn:"}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(BadCommandLineTest, UnknownOptionAndMissingFileExit2) {
  EXPECT_EQ(RunCommand(Ecsim() + " run --bogus x.yaml").exit_code, 2);
  auto missing = RunCommand(Ecsim() + " run /nonexistent/s.yaml --out /tmp/ecsim-never-created");
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.out.find("/nonexistent/s.yaml: cannot read file"), std::string::npos) << missing.out;
  EXPECT_FALSE(fs::exists("/tmp/ecsim-never-created"));
  EXPECT_EQ(RunCommand(Ecsim() + " logs /nonexistent").exit_code, 2);
  EXPECT_EQ(RunCommand(Ecsim() + " run x.yaml --speed 5").exit_code, 2);
}

}  // namespace
}  // namespace ecsim_test
