#include "fakes/ecs/ecs_service.h"

#include <gtest/gtest.h>

#include <csignal>

namespace fakes::ecs {
namespace {

// An in-process stand-in for the process host: containers that exit when
// told, and react to SIGTERM after a scripted delay (or never).
class ScriptedRuntime : public ContainerRuntime {
 public:
  explicit ScriptedRuntime(sim::EventLoop& loop) : loop_(loop) {}
  struct Proc {
    Spec spec;
    std::function<void(const Exit&)> on_exit;
    bool alive = true;
    std::vector<std::pair<int64_t, int>> signals;  // (virtual us, signo)
  };
  Handle Start(const Spec& spec, std::function<void(const Exit&)> on_exit) override {
    procs.push_back({spec, std::move(on_exit)});
    return procs.size() - 1;
  }
  void Signal(Handle h, int signo) override {
    Proc& p = procs[h];
    if (!p.alive) return;
    p.signals.emplace_back(sim::ToMicros(loop_.Now()), signo);
    if (signo == SIGKILL) return Exit(h, 137);
    if (sigterm_delay) loop_.After(*sigterm_delay, [this, h] { Exit(h, 0); });
  }
  void Exit(Handle h, int code) {
    Proc& p = procs[h];
    if (!p.alive) return;
    p.alive = false;
    loop_.After(sim::Duration(0), [this, h, code] { procs[h].on_exit({code, ""}); });
  }
  std::optional<sim::Duration> sigterm_delay;  // nullopt: SIGTERM is ignored
  std::vector<Proc> procs;

 private:
  sim::EventLoop& loop_;
};

class EcsServiceTest : public ::testing::Test {
 protected:
  EcsServiceTest() : runtime_(loop_), ecs_(loop_, sim::Rng(1), Config(), registry_, runtime_, capacity_) {
    auto doc = sim::Document::Parse(R"({"family": "job", "cpu": "256", "memory": "512",
      "containerDefinitions": [{"name": "app", "image": "i", "command": ["w"], "stopTimeout": 30}]})", "td.json", true);
    registry_.Register(LoadTaskDefinition(sim::Node::Root(doc)));
    ecs_.AddListener([this](const Task&, const sim::Json& d) { events_.push_back(d); });
  }
  static EcsConfig Config() {
    EcsConfig c;
    c.timing = {sim::Seconds(1), sim::Seconds(2), sim::Seconds(3), sim::Seconds(0), sim::Seconds(4)};
    return c;
  }
  std::string RunOne(sim::Json req = {{"taskDefinition", "job"}, {"launchType", "FARGATE"}}) {
    auto out = ecs_.RunTask(req);
    EXPECT_TRUE(out.ok()) << out.exception_message;
    return out.task_ids.empty() ? "" : out.task_ids[0];
  }
  void RunAll() { while (loop_.Step()) {} }
  std::vector<std::string> Statuses() const {
    std::vector<std::string> s;
    for (const auto& e : events_) s.push_back(e["lastStatus"].get<std::string>() + "/" + e["desiredStatus"].get<std::string>());
    return s;
  }

  sim::EventLoop loop_;
  TaskDefinitionRegistry registry_{"us-east-1", "123456789012"};
  CapacityModel capacity_;
  ScriptedRuntime runtime_;
  EcsService ecs_;
  std::vector<sim::Json> events_;
};

TEST_F(EcsServiceTest, LifecycleReachesRunningAfterConfiguredPhases) {
  std::string id = RunOne();
  loop_.RunUntil(sim::FromMicros(6'000'000));
  EXPECT_EQ(Statuses(), (std::vector<std::string>{"PROVISIONING/RUNNING", "PENDING/RUNNING", "ACTIVATING/RUNNING",
                                                  "RUNNING/RUNNING"}));
  ASSERT_EQ(runtime_.procs.size(), 1u);
  EXPECT_EQ(runtime_.procs[0].spec.argv, std::vector<std::string>{"w"});
  EXPECT_EQ(events_.back()["startedAt"], "1970-01-01T00:00:06.000Z");
  for (size_t i = 0; i < events_.size(); ++i) EXPECT_EQ(events_[i]["version"], i + 1);
}

TEST_F(EcsServiceTest, StopTaskSendsSigtermAtOnceAndSigkillExactlyStopTimeoutLater) {
  std::string id = RunOne();
  loop_.RunUntil(sim::FromMicros(10'000'000));
  ASSERT_TRUE(ecs_.StopTask("", id, "").empty());
  RunAll();
  const auto& sigs = runtime_.procs[0].signals;
  ASSERT_EQ(sigs.size(), 2u);
  EXPECT_EQ(sigs[0], std::make_pair(int64_t{10'000'000}, SIGTERM));
  EXPECT_EQ(sigs[1], std::make_pair(int64_t{40'000'000}, SIGKILL));
  const auto& last = events_.back();
  EXPECT_EQ(last["lastStatus"], "STOPPED");
  EXPECT_EQ(last["stopCode"], "UserInitiated");
  EXPECT_EQ(last["stoppedReason"], "Task stopped by user");
  EXPECT_EQ(last["containers"][0]["exitCode"], 137);
  EXPECT_EQ(last["stoppedAt"], "1970-01-01T00:00:44.000Z");  // + deprovisioning
}

TEST_F(EcsServiceTest, ContainerThatExitsOnSigtermIsNotKilled) {
  runtime_.sigterm_delay = sim::Seconds(5);
  std::string id = RunOne();
  loop_.RunUntil(sim::FromMicros(10'000'000));
  ecs_.StopTask("", id, "maintenance");
  RunAll();
  ASSERT_EQ(runtime_.procs[0].signals.size(), 1u);
  EXPECT_EQ(events_.back()["containers"][0]["exitCode"], 0);
  EXPECT_EQ(events_.back()["stoppedReason"], "maintenance");
}

TEST_F(EcsServiceTest, EssentialContainerExitStopsTheTask) {
  std::string id = RunOne();
  loop_.RunUntil(sim::FromMicros(7'000'000));
  runtime_.Exit(0, 0);
  RunAll();
  EXPECT_EQ(events_.back()["stopCode"], "EssentialContainerExited");
  EXPECT_EQ(events_.back()["stoppedReason"], "Essential container in task exited");
  EXPECT_TRUE(runtime_.procs[0].signals.empty());
}

TEST_F(EcsServiceTest, StopBeforeRunningNeverStartsContainers) {
  std::string id = RunOne();
  loop_.RunUntil(sim::FromMicros(2'000'000));
  ecs_.StopTask("", id, "");
  RunAll();
  EXPECT_TRUE(runtime_.procs.empty());
  EXPECT_EQ(events_.back()["lastStatus"], "STOPPED");
  EXPECT_FALSE(events_.back()["containers"][0].contains("exitCode"));
}

TEST_F(EcsServiceTest, SpotInterruptionNoticeAndSigtermAtTheSameInstant) {
  std::string id = RunOne({{"taskDefinition", "job"},
                           {"capacityProviderStrategy", {{{"capacityProvider", "FARGATE_SPOT"}, {"weight", 1}}}}});
  loop_.RunUntil(sim::FromMicros(20'000'000));
  size_t before = events_.size();
  ecs_.InterruptSpot(id);
  const auto& notice = events_[before];
  EXPECT_EQ(notice["lastStatus"], "RUNNING");
  EXPECT_EQ(notice["desiredStatus"], "STOPPED");
  EXPECT_EQ(notice["stopCode"], "SpotInterruption");
  EXPECT_EQ(notice["stoppedReason"], "Your Spot Task was interrupted.");
  EXPECT_EQ(notice["capacityProviderName"], "FARGATE_SPOT");
  ASSERT_EQ(runtime_.procs[0].signals.size(), 1u);
  EXPECT_EQ(runtime_.procs[0].signals[0].first, 20'000'000);
  RunAll();
  EXPECT_EQ(runtime_.procs[0].signals[1], std::make_pair(int64_t{50'000'000}, SIGKILL));
}

TEST_F(EcsServiceTest, RunTaskErrorsAsAwsReportsThem) {
  EXPECT_EQ(ecs_.RunTask({{"taskDefinition", "nope"}}).exception_code, "ClientException");
  EXPECT_EQ(ecs_.RunTask({{"taskDefinition", "job"}, {"count", 11}}).exception_code, "InvalidParameterException");
  EXPECT_EQ(ecs_.RunTask({{"taskDefinition", "job"}, {"cluster", "missing"}}).exception_code,
            "ClusterNotFoundException");
  EXPECT_EQ(ecs_.RunTask({{"taskDefinition", "job"}, {"launchType", "FARGATE"},
                          {"capacityProviderStrategy", {{{"capacityProvider", "FARGATE"}, {"weight", 1}}}}})
                .exception_code,
            "InvalidParameterException");
  registry_.Deregister("job", 1, loop_.Now());
  auto inactive = ecs_.RunTask({{"taskDefinition", "job:1"}});
  EXPECT_EQ(inactive.exception_code, "InvalidParameterException");
  EXPECT_EQ(inactive.exception_message, "TaskDefinition is inactive");
}

TEST_F(EcsServiceTest, NoSpotCapacityGivesFailuresEntryAndNoFallback) {
  capacity_.AddSpotOutage(sim::kTimeZero, sim::FromMicros(60'000'000));
  auto out = ecs_.RunTask({{"taskDefinition", "job"},
                           {"count", 2},
                           {"capacityProviderStrategy", {{{"capacityProvider", "FARGATE_SPOT"}, {"weight", 1}}}}});
  ASSERT_TRUE(out.ok());
  EXPECT_TRUE(out.response["tasks"].empty());
  ASSERT_EQ(out.response["failures"].size(), 2u);
  EXPECT_EQ(out.response["failures"][0]["reason"], kCapacityUnavailable);
  EXPECT_TRUE(out.response["failures"][0]["arn"].is_null());
}

TEST_F(EcsServiceTest, ThrottlingException) {
  capacity_.SetThrottle(1, 1);
  EXPECT_TRUE(ecs_.RunTask({{"taskDefinition", "job"}}).ok());
  auto out = ecs_.RunTask({{"taskDefinition", "job"}});
  EXPECT_EQ(out.exception_code, "ThrottlingException");
  EXPECT_EQ(out.exception_message, "Rate exceeded");
}

TEST_F(EcsServiceTest, InjectedErrorsFireTheirCountThenStop) {
  ecs_.InjectRunTaskError({"ThrottlingException", "Rate exceeded", sim::kTimeZero, sim::Time::max(), 2, 0});
  EXPECT_EQ(ecs_.RunTask({{"taskDefinition", "job"}}).exception_code, "ThrottlingException");
  EXPECT_EQ(ecs_.RunTask({{"taskDefinition", "job"}}).exception_code, "ThrottlingException");
  EXPECT_TRUE(ecs_.RunTask({{"taskDefinition", "job"}}).ok());
}

TEST_F(EcsServiceTest, OverridesReplaceCommandAndMergeEnvironment) {
  RunOne({{"taskDefinition", "job"},
          {"overrides",
           {{"containerOverrides",
             {{{"name", "app"}, {"command", {"w", "--items", "5"}}, {"environment", {{{"name", "X"}, {"value", "1"}}}}}}}}}});
  loop_.RunUntil(sim::FromMicros(7'000'000));
  ASSERT_EQ(runtime_.procs.size(), 1u);
  EXPECT_EQ(runtime_.procs[0].spec.argv, (std::vector<std::string>{"w", "--items", "5"}));
  bool found = false;
  for (const auto& [k, v] : runtime_.procs[0].spec.env) found = found || (k == "X" && v == "1");
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace fakes::ecs
