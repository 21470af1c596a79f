#include "fakes/fis/experiment_runner.h"

#include <cctype>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace fakes::fis {
namespace {

using sim::Json;

class FakeDirectory : public TaskDirectory {
 public:
  void Add(const std::string& id, const std::string& status = "RUNNING", const std::string& group = "family:job",
           std::map<std::string, std::string> tags = {}, const std::string& cluster = "batch") {
    tasks.push_back({"arn:aws:ecs:us-east-1:123456789012:task/" + cluster + "/" + id,
                     "arn:aws:ecs:us-east-1:123456789012:cluster/" + cluster, cluster, group, std::move(tags),
                     status});
  }
  std::vector<TaskInfo> ListTasks() override {
    ++list_calls;
    return tasks;
  }
  void StopTask(const std::string& arn, const std::string& reason) override {
    stopped.emplace_back(arn, reason);
    for (auto& t : tasks)
      if (t.arn == arn) t.last_status = "STOPPED";
  }
  std::vector<TaskInfo> tasks;
  std::vector<std::pair<std::string, std::string>> stopped;
  int list_calls = 0;
};

std::string Arn(const std::string& id, const std::string& cluster = "batch") {
  return "arn:aws:ecs:us-east-1:123456789012:task/" + cluster + "/" + id;
}

ExperimentTemplate Tpl(const std::string& yaml) {
  return LoadExperimentTemplate(sim::Node::Root(sim::Document::Parse(yaml, "tpl.yaml", false)));
}

std::string StopTpl(const std::string& target_yaml, const std::string& extra = "") {
  return "targets:\n  t:\n" + target_yaml + "actions:\n  stop: {actionId: aws:ecs:stop-task, targets: {Tasks: t}}\n" +
         extra;
}

struct Harness {
  explicit Harness(uint64_t seed = 7) : runner(loop, sim::Rng(seed), dir, [this](const Json& r) { log.push_back(r); }) {}
  void Run() {
    while (loop.Step()) {
    }
  }
  std::vector<std::string> States(const std::string& id) const {
    std::vector<std::string> out;
    for (const auto& r : log)
      if (r["experimentId"] == id && !r.contains("action")) out.push_back(r["state"].get<std::string>());
    return out;
  }
  sim::EventLoop loop;
  FakeDirectory dir;
  std::vector<Json> log;
  ExperimentRunner runner;
};

TEST(ExperimentRunnerTest, StopTaskStopsAllRunningTargetsWithItsReason) {
  Harness h;
  h.dir.Add("a");
  h.dir.Add("b", "PENDING");
  h.dir.Add("c");
  h.dir.Add("d", "RUNNING", "family:job", {}, "other");
  std::string id = h.runner.Start(Tpl(StopTpl("    resourceType: aws:ecs:task\n    parameters: {cluster: batch}\n")));
  EXPECT_TRUE(h.dir.stopped.empty());  // nothing happens inside Start
  h.Run();
  ASSERT_EQ(h.dir.stopped.size(), 2u);
  EXPECT_EQ(h.dir.stopped[0].first, Arn("a"));
  EXPECT_EQ(h.dir.stopped[1].first, Arn("c"));
  EXPECT_EQ(h.dir.stopped[0].second, "Stopped by FIS experiment " + id);
  EXPECT_EQ(h.States(id), (std::vector<std::string>{"pending", "initiating", "running", "completed"}));
  const auto* e = h.runner.Find(id);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->state, "completed");
  EXPECT_EQ(e->actions[0].state, "completed");
  EXPECT_EQ(h.dir.list_calls, 1);  // resolved once
}

TEST(ExperimentRunnerTest, ExperimentIdLooksLikeAws) {
  Harness h;
  h.dir.Add("a");
  std::string id = h.runner.Start(Tpl(StopTpl("    resourceType: aws:ecs:task\n    resourceArns: [x]\n")));
  ASSERT_EQ(id.size(), 20u);
  EXPECT_EQ(id.substr(0, 3), "EXP");
  for (char c : id.substr(3)) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << id;
  Harness same;
  EXPECT_EQ(same.runner.Start(Tpl(StopTpl("    resourceType: aws:ecs:task\n    resourceArns: [x]\n"))), id);
}

TEST(ExperimentRunnerTest, EmptyTargetsFailTheExperimentLikeAws) {
  Harness h;
  h.dir.Add("a", "STOPPED");
  std::string id = h.runner.Start(Tpl(StopTpl("    resourceType: aws:ecs:task\n    parameters: {cluster: batch}\n")));
  h.Run();
  const auto* e = h.runner.Find(id);
  EXPECT_EQ(e->state, "failed");
  EXPECT_EQ(e->reason, "Target resolution returned empty set");
  EXPECT_EQ(e->error_code, "InvalidTarget");
  EXPECT_EQ(e->actions[0].state, "cancelled");
  EXPECT_TRUE(h.dir.stopped.empty());
  EXPECT_EQ(h.States(id), (std::vector<std::string>{"pending", "initiating", "failed"}));
  EXPECT_EQ(h.log.back()["reason"], "Target resolution returned empty set");
  EXPECT_EQ(h.log.back()["errorCode"], "InvalidTarget");
}

TEST(ExperimentRunnerTest, EmptyTargetsSkipTheActionInSkipMode) {
  Harness h;
  std::string id = h.runner.Start(
      Tpl(StopTpl("    resourceType: aws:ecs:task\n    parameters: {cluster: batch}\n",
                  "experimentOptions: {emptyTargetResolutionMode: skip}\n")));
  h.Run();
  const auto* e = h.runner.Find(id);
  EXPECT_EQ(e->state, "completed");
  EXPECT_EQ(e->actions[0].state, "skipped");
}

std::vector<std::string> StoppedArns(uint64_t seed, const std::string& mode, int tasks) {
  Harness h(seed);
  for (int i = 0; i < tasks; ++i) h.dir.Add("t" + std::to_string(i));
  h.runner.Start(Tpl(StopTpl("    resourceType: aws:ecs:task\n    parameters: {cluster: batch}\n"
                             "    selectionMode: " + mode + "\n")));
  h.Run();
  std::vector<std::string> out;
  for (const auto& [arn, reason] : h.dir.stopped) out.push_back(arn);
  return out;
}

TEST(ExperimentRunnerTest, CountSelectionIsSizedAndDeterministicPerSeed) {
  EXPECT_EQ(StoppedArns(1, "COUNT(3)", 10).size(), 3u);
  EXPECT_EQ(StoppedArns(1, "COUNT(3)", 10), StoppedArns(1, "COUNT(3)", 10));
  EXPECT_EQ(StoppedArns(1, "COUNT(20)", 4).size(), 4u);  // all if fewer
  std::set<std::vector<std::string>> picks;
  for (uint64_t seed = 1; seed <= 20; ++seed) {
    auto p = StoppedArns(seed, "COUNT(1)", 10);
    ASSERT_EQ(p.size(), 1u);
    picks.insert(p);
  }
  EXPECT_GT(picks.size(), 3u);  // the seed changes which task is picked
}

TEST(ExperimentRunnerTest, PercentSelectionRoundsUp) {
  EXPECT_EQ(StoppedArns(3, "PERCENT(50)", 3).size(), 2u);
  EXPECT_EQ(StoppedArns(3, "PERCENT(50)", 4).size(), 2u);
  EXPECT_EQ(StoppedArns(3, "PERCENT(1)", 10).size(), 1u);
  EXPECT_EQ(StoppedArns(3, "PERCENT(100)", 7).size(), 7u);
  EXPECT_EQ(StoppedArns(3, "PERCENT(34)", 10), StoppedArns(3, "PERCENT(34)", 10));
  EXPECT_EQ(StoppedArns(3, "PERCENT(34)", 10).size(), 4u);
}

TEST(ExperimentRunnerTest, TagsServiceArnsAndFiltersNarrowTargets) {
  FakeDirectory d;
  d.Add("a", "RUNNING", "service:web", {{"app", "batch"}, {"tier", "1"}});
  d.Add("b", "RUNNING", "family:job", {{"app", "batch"}});
  d.Add("c", "RUNNING", "service:web", {{"app", "other"}});
  auto resolve = [&](const std::string& target_yaml) {
    ExperimentTemplate t = Tpl(StopTpl(target_yaml));
    sim::Rng rng(1);
    return ResolveTarget(t.targets[0], d.tasks, rng);
  };
  EXPECT_EQ(resolve("    resourceType: aws:ecs:task\n    resourceTags: {app: batch}\n"),
            (std::vector<std::string>{Arn("a"), Arn("b")}));
  EXPECT_EQ(resolve("    resourceType: aws:ecs:task\n    resourceTags: {app: batch, tier: '1'}\n"),
            (std::vector<std::string>{Arn("a")}));
  EXPECT_EQ(resolve("    resourceType: aws:ecs:task\n    parameters: {cluster: batch, service: web}\n"),
            (std::vector<std::string>{Arn("a"), Arn("c")}));
  EXPECT_EQ(resolve("    resourceType: aws:ecs:task\n    resourceArns: [" + Arn("c") + ", " + Arn("zz") + "]\n"),
            (std::vector<std::string>{Arn("c")}));
  EXPECT_EQ(resolve("    resourceType: aws:ecs:task\n    parameters: {cluster: " +
                    std::string("arn:aws:ecs:us-east-1:123456789012:cluster/batch") + "}\n" +
                    "    filters: [{path: Group, values: ['family:job']}]\n"),
            (std::vector<std::string>{Arn("b")}));
  EXPECT_EQ(resolve("    resourceType: aws:ecs:task\n    parameters: {cluster: batch}\n"
                    "    filters: [{path: Tags.app, values: [other, none]}]\n"),
            (std::vector<std::string>{Arn("c")}));
}

TEST(ExperimentRunnerTest, StartAfterAndDurationsOrderActionsInVirtualTime) {
  Harness h;
  h.dir.Add("a");
  std::string id = h.runner.Start(Tpl(
      "targets:\n  t: {resourceType: aws:ecs:task, parameters: {cluster: batch}}\n"
      "actions:\n"
      "  stop: {actionId: aws:ecs:stop-task, targets: {Tasks: t}, startAfter: [wait]}\n"
      "  wait: {actionId: aws:fis:wait, parameters: {duration: PT1M}}\n"));
  h.loop.RunUntil(sim::kTimeZero + sim::Seconds(59));
  EXPECT_TRUE(h.dir.stopped.empty());
  EXPECT_EQ(h.runner.Find(id)->state, "running");
  h.Run();
  EXPECT_EQ(h.loop.Now(), sim::kTimeZero + sim::Seconds(60));
  ASSERT_EQ(h.dir.stopped.size(), 1u);
  EXPECT_EQ(h.runner.Find(id)->state, "completed");
  std::vector<std::string> actions;
  for (const auto& r : h.log)
    if (r.contains("action")) actions.push_back(r["action"].get<std::string>() + ":" + r["state"].get<std::string>());
  EXPECT_EQ(actions, (std::vector<std::string>{"wait:running", "wait:completed", "stop:running", "stop:completed"}));
  // The target was resolved at start, while task "a" was RUNNING.
  EXPECT_EQ(h.log.back()["state"], "completed");
}

TEST(ExperimentRunnerTest, UnmodelledActionsRunTheirDurationAndSaySo) {
  Harness h;
  h.dir.Add("a");
  std::string id = h.runner.Start(Tpl(
      "targets:\n  t: {resourceType: aws:ecs:task, parameters: {cluster: batch}}\n"
      "actions:\n  cpu: {actionId: aws:ecs:task-cpu-stress, parameters: {duration: PT30S}, targets: {Tasks: t}}\n"));
  h.Run();
  EXPECT_EQ(h.loop.Now(), sim::kTimeZero + sim::Seconds(30));
  EXPECT_TRUE(h.dir.stopped.empty());
  bool saw_note = false;
  for (const auto& r : h.log)
    if (r.contains("action") && r["state"] == "running") {
      EXPECT_EQ(r["modelled"], false);
      EXPECT_NE(r["reason"].get<std::string>().find("not modelled"), std::string::npos);
      saw_note = true;
    }
  EXPECT_TRUE(saw_note);
  EXPECT_EQ(h.runner.Find(id)->state, "completed");
}

TEST(ExperimentRunnerTest, StopCancelsPendingActions) {
  Harness h;
  h.dir.Add("a");
  std::string id = h.runner.Start(Tpl(
      "targets:\n  t: {resourceType: aws:ecs:task, parameters: {cluster: batch}}\n"
      "stopConditions: [{source: 'aws:cloudwatch:alarm', value: 'arn:alarm:dlq'}]\n"
      "actions:\n"
      "  wait: {actionId: aws:fis:wait, parameters: {duration: PT5M}}\n"
      "  stop: {actionId: aws:ecs:stop-task, targets: {Tasks: t}, startAfter: [wait]}\n"));
  h.loop.RunUntil(sim::kTimeZero + sim::Seconds(10));
  EXPECT_EQ(h.runner.OnAlarm("arn:alarm:other"), 0);
  EXPECT_EQ(h.runner.OnAlarm("arn:alarm:dlq"), 1);
  h.Run();
  const auto* e = h.runner.Find(id);
  EXPECT_EQ(e->state, "stopped");
  EXPECT_EQ(e->actions[0].state, "stopped");
  EXPECT_EQ(e->actions[1].state, "cancelled");
  EXPECT_TRUE(h.dir.stopped.empty());
  EXPECT_EQ(h.States(id).back(), "stopped");
  EXPECT_FALSE(h.runner.Stop(id));
  EXPECT_FALSE(h.runner.Stop("EXPnope"));
}

TEST(ExperimentRunnerTest, SinkRecordsCarryKindAndResolvedTargets) {
  Harness h;
  h.dir.Add("a");
  std::string id = h.runner.Start(Tpl(StopTpl("    resourceType: aws:ecs:task\n    parameters: {cluster: batch}\n")));
  h.Run();
  for (const auto& r : h.log) {
    EXPECT_EQ(r["kind"], "fis.experiment");
    EXPECT_EQ(r["experimentId"], id);
  }
  bool saw_running = false;
  for (const auto& r : h.log)
    if (!r.contains("action") && r["state"] == "running") {
      EXPECT_EQ(r["resolvedTargets"]["t"], Json::array({Arn("a")}));
      saw_running = true;
    }
  EXPECT_TRUE(saw_running);
}

}  // namespace
}  // namespace fakes::fis
