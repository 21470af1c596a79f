#include "fakes/fis/experiment_template.h"

#include <string>

#include <gtest/gtest.h>

namespace fakes::fis {
namespace {

ExperimentTemplate Load(const std::string& text, const std::string& file = "tpl.json") {
  bool json = file.size() > 5 && file.substr(file.size() - 5) == ".json";
  return LoadExperimentTemplate(sim::Node::Root(sim::Document::Parse(text, file, json)));
}

// The workshop's template (GetExperimentTemplate shape), lightly abridged.
const char kWorkshop[] = R"json({
  "experimentTemplate": {
    "id": "EXT1a2b3c4d5e6f7",
    "description": "Stop the batch task",
    "roleArn": "arn:aws:iam::123456789012:role/FisRole",
    "tags": {"Name": "FisWorkshopECSTask"},
    "stopConditions": [{"source": "none"}],
    "targets": {
      "Tasks-Target-1": {
        "resourceType": "aws:ecs:task",
        "parameters": {"cluster": "FisStackECS-Cluster"},
        "filters": [{"path": "LastStatus", "values": ["RUNNING"]}],
        "selectionMode": "COUNT(1)"
      }
    },
    "actions": {
      "wait": {"actionId": "aws:fis:wait", "parameters": {"duration": "PT1M"}},
      "StopTask": {
        "actionId": "aws:ecs:stop-task",
        "description": "stop one task",
        "parameters": {},
        "targets": {"Tasks": "Tasks-Target-1"},
        "startAfter": ["wait"]
      }
    },
    "logConfiguration": {"cloudWatchLogsConfiguration": {"logGroupArn": "arn:aws:logs:::log-group:fis"},
                         "logSchemaVersion": 2},
    "experimentOptions": {"accountTargeting": "single-account", "emptyTargetResolutionMode": "skip"}
  }
})json";

TEST(ExperimentTemplateTest, LoadsTheGetExperimentTemplateShape) {
  ExperimentTemplate t = Load(kWorkshop);
  EXPECT_EQ(t.id, "EXT1a2b3c4d5e6f7");
  EXPECT_EQ(t.description, "Stop the batch task");
  EXPECT_EQ(t.tags.at("Name"), "FisWorkshopECSTask");
  ASSERT_EQ(t.stop_conditions.size(), 1u);
  EXPECT_EQ(t.stop_conditions[0].source, "none");
  ASSERT_EQ(t.targets.size(), 1u);
  const Target& target = t.targets[0];
  EXPECT_EQ(target.name, "Tasks-Target-1");
  EXPECT_EQ(target.parameters.at("cluster"), "FisStackECS-Cluster");
  EXPECT_EQ(target.selection.kind, SelectionMode::Kind::kCount);
  EXPECT_EQ(target.selection.n, 1);
  ASSERT_EQ(target.filters.size(), 1u);
  EXPECT_EQ(target.filters[0].path, "LastStatus");
  ASSERT_EQ(t.actions.size(), 2u);
  EXPECT_EQ(t.actions[0].name, "wait");
  EXPECT_EQ(t.actions[0].duration, sim::Seconds(60));
  EXPECT_EQ(t.actions[1].action_id, "aws:ecs:stop-task");
  EXPECT_EQ(t.actions[1].target, "Tasks-Target-1");
  EXPECT_EQ(t.actions[1].start_after, std::vector<std::string>{"wait"});
  EXPECT_TRUE(t.actions[1].modelled);
  EXPECT_EQ(t.empty_target_resolution_mode, "skip");
  EXPECT_EQ(t.log_configuration["logSchemaVersion"], 2);
}

TEST(ExperimentTemplateTest, SelectionModesParse) {
  auto mode = [](const std::string& m) {
    return Load("actions: {a: {actionId: aws:ecs:stop-task, targets: {Tasks: t}}}\n"
                "targets: {t: {resourceType: aws:ecs:task, resourceTags: {app: x}, selectionMode: '" + m + "'}}\n",
                "s.yaml")
        .targets[0]
        .selection;
  };
  EXPECT_EQ(mode("ALL").kind, SelectionMode::Kind::kAll);
  EXPECT_EQ(mode("COUNT(3)").ToString(), "COUNT(3)");
  EXPECT_EQ(mode("PERCENT(100)").ToString(), "PERCENT(100)");
  EXPECT_EQ(mode("PERCENT(1)").n, 1);
}

TEST(ExperimentTemplateTest, OtherEcsActionsLoadAsNotModelled) {
  ExperimentTemplate t = Load(
      "targets: {t: {resourceType: aws:ecs:task, resourceArns: [arn:a]}}\n"
      "actions:\n"
      "  cpu: {actionId: aws:ecs:task-cpu-stress, parameters: {duration: PT2M, percent: 80}, targets: {Tasks: t}}\n",
      "s.yaml");
  EXPECT_FALSE(t.actions[0].modelled);
  EXPECT_EQ(t.actions[0].duration, sim::Seconds(120));
  EXPECT_EQ(t.actions[0].parameters.at("percent"), "80");
}

TEST(ExperimentTemplateTest, IsoDurations) {
  EXPECT_EQ(ParseIsoDuration("PT5M"), sim::Seconds(300));
  EXPECT_EQ(ParseIsoDuration("PT1H30M"), sim::Seconds(5400));
  EXPECT_EQ(ParseIsoDuration("PT0.5S"), sim::Millis(500));
  EXPECT_EQ(ParseIsoDuration("P1DT1S"), sim::Seconds(86401));
  EXPECT_FALSE(ParseIsoDuration("5m"));
  EXPECT_FALSE(ParseIsoDuration("PT"));
  EXPECT_FALSE(ParseIsoDuration("P5M"));  // months are not durations FIS takes
  EXPECT_FALSE(ParseIsoDuration("PT5"));
}

struct BadCase {
  const char* yaml;
  int line;
  const char* key;
  const char* text;
};

TEST(ExperimentTemplateTest, InvalidTemplatesNameLineAndKey) {
  const BadCase cases[] = {
      {"targets:\n  t:\n    resourceType: aws:ecs:task\n    resourceArns: [arn:a]\n    selectionMode: COUNT(0)\n"
       "actions: {a: {actionId: aws:ecs:stop-task, targets: {Tasks: t}}}\n",
       5, "targets.t.selectionMode", "COUNT(n) needs n >= 1"},
      {"targets:\n  t:\n    resourceType: aws:ecs:task\n    resourceArns: [arn:a]\n    selectionMode: PERCENT(101)\n"
       "actions: {a: {actionId: aws:ecs:stop-task, targets: {Tasks: t}}}\n",
       5, "targets.t.selectionMode", "PERCENT(n) needs n in 1..100"},
      {"targets:\n  t:\n    resourceType: aws:ecs:task\n    resourceArns: [arn:a]\n    selectionMode: SOME\n"
       "actions: {a: {actionId: aws:ecs:stop-task, targets: {Tasks: t}}}\n",
       5, "targets.t.selectionMode", "ALL, COUNT(n) or PERCENT(n)"},
      {"targets:\n  t:\n    resourceType: aws:ecs:task\n    resourceArns: [arn:a]\n    resourceTags: {a: b}\n"
       "actions: {a: {actionId: aws:ecs:stop-task, targets: {Tasks: t}}}\n",
       3, "targets.t", "exactly one of resourceArns, resourceTags or parameters"},
      {"targets:\n  t:\n    resourceType: aws:ecs:task\n"
       "actions: {a: {actionId: aws:ecs:stop-task, targets: {Tasks: t}}}\n",
       3, "targets.t", "exactly one of"},
      {"targets:\n  t:\n    resourceType: aws:ec2:instance\n    resourceArns: [arn:a]\n"
       "actions: {a: {actionId: aws:ecs:stop-task, targets: {Tasks: t}}}\n",
       3, "targets.t.resourceType", "not modelled"},
      {"targets:\n  c: {resourceType: aws:ecs:cluster, resourceArns: [arn:c]}\n"
       "actions:\n  a:\n    actionId: aws:ecs:stop-task\n    targets: {Tasks: c}\n",
       6, "actions.a.targets.Tasks", "aws:ecs:stop-task needs aws:ecs:task"},
      {"targets:\n  t: {resourceType: aws:ecs:task, resourceArns: [arn:a]}\n"
       "actions:\n  a:\n    actionId: aws:ecs:stop-task\n    targets: {Instances: t}\n",
       6, "actions.a.targets.Instances", "takes the target key 'Tasks'"},
      {"targets:\n  t: {resourceType: aws:ecs:task, resourceArns: [arn:a]}\n"
       "actions:\n  a:\n    actionId: aws:ecs:stop-task\n    targets: {Tasks: u}\n",
       6, "actions.a.targets.Tasks", "no target named 'u'"},
      {"targets:\n  t: {resourceType: aws:ecs:task, resourceArns: [arn:a]}\n"
       "actions:\n  a:\n    actionId: aws:ecs:explode-task\n    targets: {Tasks: t}\n",
       5, "actions.a.actionId", "unknown actionId 'aws:ecs:explode-task'"},
      {"targets:\n  t: {resourceType: aws:ecs:task, resourceArns: [arn:a]}\n"
       "actions:\n  a:\n    actionId: aws:ecs:stop-task\n    parameters: {duration: PT1M}\n    targets: {Tasks: t}\n",
       6, "actions.a.parameters", "takes no parameters"},
      {"actions:\n  w:\n    actionId: aws:fis:wait\n    parameters:\n      duration: 5m\n",
       5, "actions.w.parameters.duration", "not an ISO-8601 duration"},
      {"actions:\n  w: {actionId: aws:fis:wait, parameters: {duration: PT1M}, startAfter: [v]}\n"
       "  v: {actionId: aws:fis:wait, parameters: {duration: PT1M}, startAfter: [w]}\n",
       2, "actions.w.startAfter", "cycle"},
      {"actions:\n  w: {actionId: aws:fis:wait, parameters: {duration: PT1M}, startAfter: [nope]}\n", 2,
       "actions.w.startAfter[0]", "no action named 'nope'"},
      {"stopConditions:\n  - source: aws:cloudwatch:alarm\nactions:\n  w: {actionId: aws:fis:wait, parameters: "
       "{duration: PT1M}}\n",
       2, "stopConditions[0]", "needs value"},
      {"actions:\n  w: {actionId: aws:fis:wait, parameters: {duration: PT1M}}\nexperimentOptions:\n"
       "  emptyTargetResolutionMode: ignore\n",
       4, "experimentOptions.emptyTargetResolutionMode", "fail or skip"},
      {"targets:\n  t:\n    resourceType: aws:ecs:task\n    parameters: {cluster: c}\n    filters:\n"
       "      - {path: State.Name, values: [running]}\n"
       "actions: {a: {actionId: aws:ecs:stop-task, targets: {Tasks: t}}}\n",
       6, "targets.t.filters[0].path", "not modelled"},
      {"targets:\n  t:\n    resourceType: aws:ecs:task\n    parameters: {service: s}\n"
       "actions: {a: {actionId: aws:ecs:stop-task, targets: {Tasks: t}}}\n",
       4, "targets.t.parameters", "missing required key 'cluster'"},
      {"descripton: x\nactions: {}\n", 1, "descripton", "unknown key"},
      {"description: x\n", 1, "", "missing required key 'actions'"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.yaml);
    try {
      Load(c.yaml, "tpl.yaml");
      ADD_FAILURE() << "loaded";
    } catch (const sim::InputError& e) {
      EXPECT_EQ(e.where().file, "tpl.yaml");
      EXPECT_EQ(e.where().line, c.line) << e.what();
      EXPECT_EQ(e.where().key, c.key) << e.what();
      EXPECT_NE(e.message().find(c.text), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace fakes::fis
