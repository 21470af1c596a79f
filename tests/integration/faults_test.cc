// A misbehaving worker is reported, never hangs or crashes the simulator, and
// never outlives it.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <thread>

#include "tests/integration/run_helpers.h"

namespace ecsim_test {
namespace {

std::string Scenario(const std::string& mode, const std::string& extra_actions = "", const std::string& env = "",
                     const std::string& guard = "5s", int stop_timeout = 5) {
  return "seed: 7\n"
         "ecs:\n  lifecycle: {provisioning: 0s, pending: 0s, activating: 0s, deprovisioning: 0s}\n"
         "host:\n  guard: " + guard + "\n"
         "task_definitions:\n  - inline:\n      family: bad\n      cpu: \"256\"\n      memory: \"512\"\n"
         "      containerDefinitions:\n        - name: app\n          image: x\n"
         "          stopTimeout: " + std::to_string(stop_timeout) + "\n"
         "          command: [" + std::string(MISBEHAVING_WORKER) + ", " + mode + "]\n" + env +
         "actions:\n  - at: 0s\n    run_task: {taskDefinition: bad}\n    as: t\n" + extra_actions;
}

struct Outcome {
  CommandResult result;
  nlohmann::json summary;
  double wall_s = 0;
};

Outcome RunEcsim(const TempDir& dir, const std::string& scenario) {
  { std::ofstream(dir / "s.yaml") << scenario; }
  auto start = std::chrono::steady_clock::now();
  Outcome o;
  o.result = RunCommand(Ecsim() + " run " + Quote((dir / "s.yaml").string()) + " --out " + Quote((dir / "run").string()));
  o.wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (fs::exists(dir / "run/summary.json")) o.summary = ReadJson(dir / "run/summary.json");
  return o;
}

TEST(FaultsTest, WorkerThatNeverReachesTheChannelIsCaughtByTheGuard) {
  TempDir dir;
  auto o = RunEcsim(dir, Scenario("hang", "", "", "500ms"));
  ASSERT_EQ(o.result.exit_code, 0) << o.result.out;
  EXPECT_EQ(o.summary["processes"]["hung"], 1);
  EXPECT_EQ(o.summary["tasks"][0]["containers"][0]["exit_code"], 137);
  EXPECT_NE(o.result.out.find("never reached the control channel"), std::string::npos) << o.result.out;
  EXPECT_LT(o.wall_s, 8.0);  // the scenario's 500 ms guard, not the 10 s default
}

TEST(FaultsTest, WorkerThatStopsTalkingIsCaughtByTheGuard) {
  TempDir dir;
  auto o = RunEcsim(dir, Scenario("hang-after", "", "", "500ms"));
  ASSERT_EQ(o.result.exit_code, 0) << o.result.out;
  EXPECT_EQ(o.summary["processes"]["hung"], 1);
  EXPECT_EQ(o.summary["virtual_ms"], 1000);  // it slept one virtual second, then spun
}

TEST(FaultsTest, GarbageOnTheChannelIsReportedAndTheWorkerKilled) {
  TempDir dir;
  auto o = RunEcsim(dir, Scenario("garbage"));
  ASSERT_EQ(o.result.exit_code, 0) << o.result.out;
  EXPECT_EQ(o.summary["processes"]["protocol_errors"], 1);
  EXPECT_EQ(o.summary["tasks"][0]["containers"][0]["exit_code"], 137);
  EXPECT_EQ(o.summary["tasks"][0]["stopCode"], "EssentialContainerExited");
}

TEST(FaultsTest, CrashIsReportedWithTheSignalExitCode) {
  TempDir dir;
  auto o = RunEcsim(dir, Scenario("crash"));
  ASSERT_EQ(o.result.exit_code, 0) << o.result.out;
  EXPECT_EQ(o.summary["tasks"][0]["containers"][0]["exit_code"], 139);  // 128 + SIGSEGV
  EXPECT_NE(o.result.out.find("about to crash"), std::string::npos);
}

TEST(FaultsTest, IgnoredSigtermEndsInSigkillAtStopTimeout) {
  TempDir dir;
  auto o = RunEcsim(dir, Scenario("ignore-term", "  - at: 10s\n    stop_task: {task: t}\n", "", "2s", 7));
  ASSERT_EQ(o.result.exit_code, 0) << o.result.out;
  EXPECT_EQ(o.summary["tasks"][0]["containers"][0]["exit_code"], 137);
  EXPECT_EQ(o.summary["tasks"][0]["stopped_ms"], 17000);  // SIGTERM at 10 s, SIGKILL at 17 s
}

TEST(FaultsTest, LargeOutputBetweenCallsNeitherBlocksNorLosesLines) {
  TempDir dir;
  auto o = RunEcsim(dir, Scenario("flood"));
  ASSERT_EQ(o.result.exit_code, 0);
  auto count = RunCommand("sqlite3 " + Quote((dir / "run/run.db").string()) + " 'SELECT COUNT(*) FROM logs'");
  EXPECT_EQ(count.out, "1025\n");
  EXPECT_EQ(o.summary["tasks"][0]["containers"][0]["exit_code"], 0);
}

TEST(FaultsTest, ClosingTheChannelIsAnOrdinaryExit) {
  TempDir dir;
  auto o = RunEcsim(dir, Scenario("close-channel"));
  ASSERT_EQ(o.result.exit_code, 0) << o.result.out;
  EXPECT_EQ(o.summary["tasks"][0]["containers"][0]["exit_code"], 3);
}

TEST(FaultsTest, StoppingATaskKillsTheWorkersWholeProcessGroup) {
  TempDir dir;
  auto o = RunEcsim(dir, Scenario("spawn-child", "  - at: 5s\n    stop_task: {task: t}\n", "", "2s", 2));
  ASSERT_EQ(o.result.exit_code, 0) << o.result.out;
  auto left = RunCommand("pgrep -f 'sleep 60[0]' | wc -l");
  EXPECT_EQ(left.out, "0\n") << "the grandchild outlived its task";
}

bool Alive(pid_t pid) {
  if (::kill(pid, 0) != 0) return false;
  std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  auto close = stat.rfind(')');
  return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] != 'Z';
}

// Runs ecsim in the background on a worker that spins (guard 60 s), waits for
// the worker to announce its pid, then signals ecsim.
struct Background {
  pid_t ecsim = -1, worker = -1;
};
Background StartSpinning(const TempDir& dir) {
  std::string env = "          environment: [{name: ECSIM_TEST_PIDFILE, value: " + (dir / "worker.pid").string() + "}]\n";
  { std::ofstream(dir / "s.yaml") << Scenario("hang-after", "", env, "60s"); }
  Background b;
  b.ecsim = ::fork();
  if (b.ecsim == 0) {
    int devnull = ::open("/dev/null", O_WRONLY);
    ::dup2(devnull, 1);
    ::execl(ECSIM_BIN, "ecsim", "run", (dir / "s.yaml").c_str(), "--out", (dir / "run").c_str(), (char*)nullptr);
    ::_exit(127);
  }
  for (int i = 0; i < 3000 && b.worker <= 0; ++i) {  // up to 30 s: sanitizer builds on a busy machine
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    std::string pid = ReadFile(dir / "worker.pid");
    if (!pid.empty() && pid.back() == '\n') b.worker = std::stoi(pid);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the worker is spinning now
  return b;
}

TEST(NoOrphanTest, KillingEcsimWithSigkillLeavesNoWorkerBehind) {
  TempDir dir;
  Background b = StartSpinning(dir);
  ASSERT_GT(b.worker, 0) << "the worker never started";
  ASSERT_TRUE(Alive(b.worker));
  ::kill(b.ecsim, SIGKILL);
  int status;
  ::waitpid(b.ecsim, &status, 0);
  bool gone = false;
  for (int i = 0; i < 1000 && !gone; ++i) {
    gone = !Alive(b.worker);
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(gone) << "worker " << b.worker << " outlived a SIGKILLed ecsim";
  if (!gone) ::kill(b.worker, SIGKILL);
}

TEST(NoOrphanTest, CtrlCStopsCleanlyWithWhatWasRecorded) {
  TempDir dir;
  Background b = StartSpinning(dir);
  ASSERT_GT(b.worker, 0);
  ::kill(b.ecsim, SIGINT);
  int status = 0;
  ::waitpid(b.ecsim, &status, 0);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 130);
  EXPECT_FALSE(Alive(b.worker));
  auto summary = ReadJson(dir / "run/summary.json");
  EXPECT_EQ(summary["end_reason"], "interrupted");
  EXPECT_NE(ReadFile(dir / "run/events.jsonl").find("RUNNING"), std::string::npos);
}

TEST(RealtimeTest, ScriptWithoutTheClientGetsRealSignalsAtScaledTimes) {
  TempDir dir;
  {
    std::ofstream(dir / "job.sh") << "#!/bin/sh\ntrap 'echo got TERM; exit 0' TERM\necho started\n"
                                     "while true; do sleep 0.05; done\n";
  }
  fs::permissions(dir / "job.sh", fs::perms::owner_all);
  std::string scenario =
      "ecs:\n  lifecycle: {provisioning: 0s, pending: 0s, activating: 0s, deprovisioning: 0s}\n"
      "task_definitions:\n  - inline:\n      family: script\n      cpu: \"256\"\n      memory: \"512\"\n"
      "      containerDefinitions:\n        - name: app\n          image: x\n          command: [./job.sh]\n"
      "actions:\n  - at: 0s\n    run_task: {taskDefinition: script}\n    as: t\n"
      "  - at: 20s\n    stop_task: {task: t}\n";
  { std::ofstream(dir / "s.yaml") << scenario; }
  auto start = std::chrono::steady_clock::now();
  auto r = RunCommand(Ecsim() + " run " + Quote((dir / "s.yaml").string()) + " --out " + Quote((dir / "run").string()) +
                      " --clock realtime --speed 40");
  double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto summary = ReadJson(dir / "run/summary.json");
  EXPECT_FALSE(summary["deterministic"].get<bool>());
  EXPECT_EQ(summary["clock"], "realtime");
  EXPECT_EQ(summary["tasks"][0]["containers"][0]["exit_code"], 0);
  EXPECT_NE(r.out.find("got TERM"), std::string::npos) << r.out;
  EXPECT_GT(wall, 0.4);  // 20 virtual seconds at 40x
  EXPECT_LT(wall, 10.0);
}

}  // namespace
}  // namespace ecsim_test
