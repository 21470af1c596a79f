// Every shipped scenario, run by the real ecsim binary with the real worker:
// it shows what it promises, and two runs with one seed are byte-identical.
#include <gtest/gtest.h>

#include "tests/integration/run_helpers.h"

namespace ecsim_test {
namespace {

ScenarioRun RunScenario(const TempDir& dir, const std::string& name, const std::string& scenario,
                        const std::string& extra = "") {
  return RunShippedScenario(dir / name, scenario, extra);
}

class ScenarioTest : public ::testing::TestWithParam<const char*> {};

TEST_P(ScenarioTest, PassesItsExpectationsAndIsByteIdenticalAcrossTwoRuns) {
  TempDir dir;
  ScenarioRun a = RunScenario(dir, "a", GetParam());
  ScenarioRun b = RunScenario(dir, "b", GetParam());
  ASSERT_EQ(a.result.exit_code, 0) << a.result.out;
  ASSERT_EQ(b.result.exit_code, 0) << b.result.out;
  EXPECT_FALSE(a.events_text.empty());
  EXPECT_EQ(a.events_text, b.events_text);
  EXPECT_EQ(ReadFile(dir / "a/summary.json"), ReadFile(dir / "b/summary.json"));
  for (const auto& e : a.summary["expectations"]) EXPECT_TRUE(e["pass"].get<bool>()) << e.dump();
  EXPECT_TRUE(a.summary["deterministic"].get<bool>());
  EXPECT_EQ(a.summary["processes"]["left_running"], 0);
}

INSTANTIATE_TEST_SUITE_P(Shipped, ScenarioTest,
                         ::testing::Values("00-quickstart.yaml", "01-naive-restart.yaml", "02-checkpoint-resume.yaml",
                                           "03-sigterm-cleanup.yaml", "04-stop-timeout-kill.yaml",
                                           "05-spot-interruptions.yaml", "06-fis-stop-task.yaml",
                                           "07-spot-capacity-gap.yaml", "08-stepfunctions-retry.yaml",
                                           "09-scheduler-dlq.yaml", "10-sqs-work-queue.yaml"),
                         [](const auto& info) {
                           std::string n = info.param;
                           n = n.substr(0, n.find('.'));
                           for (auto& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

TEST(ScenarioBehaviourTest, NaiveRestartReprocessesCheckpointResumeDoesNot) {
  TempDir dir;
  ScenarioRun naive = RunScenario(dir, "naive", "01-naive-restart.yaml");
  ScenarioRun resume = RunScenario(dir, "resume", "02-checkpoint-resume.yaml");
  ASSERT_EQ(naive.result.exit_code, 0) << naive.result.out;
  ASSERT_EQ(resume.result.exit_code, 0) << resume.result.out;
  EXPECT_GT(naive.summary["items"]["reprocessed"].get<int>(), 0);
  EXPECT_EQ(naive.summary["tasks"][1]["started_at_index"], 0);
  EXPECT_FALSE(naive.summary["invariants"]["checkpoint_never_goes_backwards"]["pass"].get<bool>());
  EXPECT_LE(resume.summary["items"]["reprocessed"].get<int>(), 1);
  EXPECT_EQ(resume.summary["items"]["lost"], 0);
  EXPECT_GT(resume.summary["tasks"][1]["started_at_index"].get<int>(), 0);
  EXPECT_TRUE(resume.summary["invariants"]["every_item_committed_once"]["pass"].get<bool>());
  // The logs say so too, as CloudWatch would.
  auto logs = RunCommand(Ecsim() + " logs " + Quote((dir / "resume").string()) + " --grep Starting");
  EXPECT_NE(logs.out.find("Starting at 0"), std::string::npos) << logs.out;
  EXPECT_NE(logs.out.find("Starting at " + resume.summary["tasks"][1]["started_at_index"].dump()), std::string::npos)
      << logs.out;
}

TEST(ScenarioBehaviourTest, StopTimeoutKillLandsExactlyStopTimeoutAfterSigterm) {
  TempDir dir;
  ScenarioRun r = RunScenario(dir, "kill", "04-stop-timeout-kill.yaml");
  ASSERT_EQ(r.result.exit_code, 0) << r.result.out;
  int64_t sigterm = -1, sigkill = -1;
  bool saw_137 = false;
  for (const auto& e : r.events) {
    if (e["kind"] == "ecs.signal" && e["signal"] == "SIGTERM") sigterm = e["time_ms"];
    if (e["kind"] == "ecs.signal" && e["signal"] == "SIGKILL") sigkill = e["time_ms"];
    if (e["kind"] == "ecs.task_state_change" && e["event"]["detail"]["lastStatus"] == "STOPPED")
      saw_137 = e["event"]["detail"]["containers"][0]["exitCode"] == 137;
  }
  ASSERT_GE(sigterm, 0);
  EXPECT_EQ(sigkill - sigterm, 30000);
  EXPECT_TRUE(saw_137);
}

TEST(ScenarioBehaviourTest, SigtermCleanupExitsCleanlyWithoutSigkill) {
  TempDir dir;
  ScenarioRun r = RunScenario(dir, "clean", "03-sigterm-cleanup.yaml");
  ASSERT_EQ(r.result.exit_code, 0) << r.result.out;
  EXPECT_EQ(r.events_text.find("\"SIGKILL\""), std::string::npos);
  EXPECT_NE(r.events_text.find("\"after_sigterm_ms\":5000"), std::string::npos);
}

TEST(ScenarioBehaviourTest, TheSeedDrivesIdentities) {
  TempDir dir;
  ScenarioRun a = RunScenario(dir, "s1", "02-checkpoint-resume.yaml", "--seed 1");
  ScenarioRun b = RunScenario(dir, "s2", "02-checkpoint-resume.yaml", "--seed 2");
  ASSERT_EQ(a.result.exit_code, 0);
  ASSERT_EQ(b.result.exit_code, 0);
  EXPECT_NE(a.summary["tasks"][0]["id"], b.summary["tasks"][0]["id"]);
  EXPECT_EQ(b.summary["seed"], 2);
}

TEST(ScenarioBehaviourTest, CheckFailsTheRunWhenAnInvariantFails) {
  TempDir dir;
  // The naive worker commits items twice and restarts below its checkpoint.
  EXPECT_EQ(RunScenario(dir, "naive", "01-naive-restart.yaml", "--check").result.exit_code, 1);
  EXPECT_EQ(RunScenario(dir, "resume", "02-checkpoint-resume.yaml", "--check").result.exit_code, 0);
  // Without --check an invariant failure is reported, not fatal.
  EXPECT_EQ(RunScenario(dir, "naive2", "01-naive-restart.yaml").result.exit_code, 0);
}

TEST(ScenarioBehaviourTest, SeededSpotCapacityOutagesAreDrawnFromTheSeed) {
  TempDir dir;
  std::string src = ReadFile(SourceDir() + "/scenarios/07-spot-capacity-gap.yaml");
  src.replace(src.find("ecs:\n  spot_capacity_outages:\n    - {from: 0s, to: 12m}\n"), 56,
              "spot:\n  capacity_outages: {mean_available: 20m, mean_outage: 15m}\nend:\n  max_time: 6h\n");
  src.replace(src.find("  - {path: /ecs/run_task_failures, min: 2}\n"), 43, "");
  { std::ofstream(dir / "07r.yaml") << src; }
  fs::copy(SourceDir() + "/scenarios/taskdefs", dir / "taskdefs", fs::copy_options::recursive);
  auto run = [&](const std::string& out, int seed) {
    auto r = RunCommand(Ecsim() + " run " + Quote((dir / "07r.yaml").string()) + " --out " + Quote((dir / out).string()) +
                        " -q --seed " + std::to_string(seed));
    EXPECT_EQ(r.exit_code, 0) << r.out;
    return ReadFile(dir / out / "events.jsonl");
  };
  std::string a = run("a", 3), b = run("b", 3), c = run("c", 4);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  EXPECT_NE(a.find("\"kind\":\"spot.capacity_outage\""), std::string::npos);
}

TEST(ScenarioBehaviourTest, DefaultRunDirectoryIsNeverOverwrittenWithoutForce) {
  TempDir dir;
  auto first = RunCommand("cd " + Quote(dir.path().string()) + " && " + Ecsim() + " run " +
                          Quote(SourceDir() + "/scenarios/03-sigterm-cleanup.yaml") + " -q");
  ASSERT_EQ(first.exit_code, 0) << first.out;
  EXPECT_TRUE(fs::exists(dir / "runs/03-sigterm-cleanup-3/summary.json"));
  auto second = RunCommand("cd " + Quote(dir.path().string()) + " && " + Ecsim() + " run " +
                           Quote(SourceDir() + "/scenarios/03-sigterm-cleanup.yaml") + " -q");
  EXPECT_EQ(second.exit_code, 2);
  EXPECT_NE(second.out.find("--force"), std::string::npos);
  auto forced = RunCommand("cd " + Quote(dir.path().string()) + " && " + Ecsim() + " run " +
                           Quote(SourceDir() + "/scenarios/03-sigterm-cleanup.yaml") + " -q --force");
  EXPECT_EQ(forced.exit_code, 0);
}

}  // namespace
}  // namespace ecsim_test
