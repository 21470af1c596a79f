// RunCompare end to end against a fake ecsim: a small sh script that takes
// the same arguments as `ecsim run`, reads its behaviour from the "scenario"
// file (shell assignments) and writes a summary.json.
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <sys/stat.h>

#include <chrono>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sim/compare/compare.h"

namespace sim::compare {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr const char* kFakeEcsim = R"(#!/bin/sh
# fake ecsim: run SCENARIO --seed S --out DIR -q --force
[ "$1" = run ] && [ "$3" = --seed ] && [ "$5" = --out ] && [ "$7" = -q ] && [ "$8" = --force ] || { echo "fake: bad args $*" >&2; exit 3; }
scen=$2; seed=$4; out=$6
NAME=fake; BAD=0; CRASH_SEED=none; FAIL_SEED=none; EXPECT_FAIL_SEED=none; REP=10; WASTE=0.5; PROBE=; INT_PARENT=0
. "$scen"
[ "$INT_PARENT" = 1 ] && { kill -INT $PPID; exec sleep 30; }
if [ -n "$PROBE" ]; then
  mkdir -p "$PROBE/running"; : > "$PROBE/running/$$"
  ls "$PROBE/running" | wc -l >> "$PROBE/concurrency"
  sleep 0.2
  rm -f "$PROBE/running/$$"
fi
[ "$BAD" = 1 ] && { echo "ecsim: $scen:3: tasks: not a list" >&2; exit 2; }
[ "$seed" = "$CRASH_SEED" ] && kill -SEGV $$
[ "$seed" = "$FAIL_SEED" ] && { echo "ecsim: internal error: boom in $out" >&2; exit 3; }
mkdir -p "$out"
pass=true; rc=0
[ "$seed" = "$EXPECT_FAIL_SEED" ] && { pass=false; rc=1; }
cat > "$out/summary.json" <<EOF
{"scenario": "$NAME", "seed": $seed,
 "work": {"completion_ms": $((seed * 1000)), "interruptions": 1},
 "cost": {"usd": 1.5, "wasted_usd": $WASTE, "on_demand_usd": null},
 "items": {"reprocessed": $((REP + seed))},
 "invariants": {"every_item_committed_once": {"pass": $([ $REP -gt 0 ] && echo false || echo true), "reason": "dup $seed"}},
 "expectations": [{"path": "/items/lost", "pass": $pass}]}
EOF
exit $rc
)";

class RunCompareTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char templ[] = "/tmp/ecsim-compare-test-XXXXXX";
    ASSERT_NE(mkdtemp(templ), nullptr);
    dir_ = templ;
    fake_ = (dir_ / "fake-ecsim").string();
    std::ofstream(fake_) << kFakeEcsim;
    chmod(fake_.c_str(), 0755);
    fs::create_directories(dir_ / "tmp");
    const char* old = getenv("TMPDIR");
    if (old) old_tmpdir_ = old, had_tmpdir_ = true;
    setenv("TMPDIR", (dir_ / "tmp").c_str(), 1);
  }
  void TearDown() override {
    if (had_tmpdir_) setenv("TMPDIR", old_tmpdir_.c_str(), 1);
    else unsetenv("TMPDIR");
    fs::remove_all(dir_);
  }

  std::string Scenario(const std::string& name, const std::string& body) {
    std::string path = (dir_ / (name + ".yaml")).string();
    std::ofstream(path) << body;
    return path;
  }

  // Runs compare, capturing its stdout and stderr.
  int Run(CompareOptions o) {
    char *out_buf = nullptr, *err_buf = nullptr;
    size_t out_len = 0, err_len = 0;
    FILE* out = open_memstream(&out_buf, &out_len);
    FILE* err = open_memstream(&err_buf, &err_len);
    o.out = out;
    o.err = err;
    if (o.self_exe.empty()) o.self_exe = fake_;
    if (o.json_path == "compare.json") o.json_path = (dir_ / "compare.json").string();
    int rc = RunCompare(o);
    fclose(out);
    fclose(err);
    out_ = std::string(out_buf, out_len);
    err_ = std::string(err_buf, err_len);
    free(out_buf);
    free(err_buf);
    return rc;
  }

  static std::string Slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }

  bool TmpIsEmpty() const { return fs::is_empty(dir_ / "tmp"); }

  fs::path dir_;
  std::string fake_;
  std::string out_, err_;
  std::string old_tmpdir_;
  bool had_tmpdir_ = false;
};

TEST_F(RunCompareTest, RunsEverySeedAndPrintsTheTableAndJson) {
  std::string a = Scenario("01-naive", "NAME=naive\nREP=10\nWASTE=0.5\n");
  std::string b = Scenario("02-fixed", "NAME=fixed\nREP=0\nWASTE=0.1\n");
  CompareOptions o;
  o.scenarios = {a, b};
  o.seeds = "1..4";
  o.jobs = 2;
  EXPECT_EQ(Run(o), 0) << err_;
  EXPECT_THAT(out_, HasSubstr("naive"));
  EXPECT_THAT(out_, HasSubstr("runs with a summary"));
  EXPECT_THAT(out_, HasSubstr("completion time (s)            2.5 / 4.0         2.5 / 4.0\n"));
  EXPECT_THAT(out_, HasSubstr("naive: every_item_committed_once: seeds 1-4 (seed 1: dup 1)"));
  EXPECT_THAT(out_, HasSubstr("fixed better than naive (fewer items reprocessed and less wasted cost): 4 of 4 seeds\n"));
  EXPECT_THAT(out_, ::testing::Not(HasSubstr("expectation failed")));
  EXPECT_THAT(out_, HasSubstr("JSON written to " + (dir_ / "compare.json").string()));
  EXPECT_THAT(err_, ::testing::MatchesRegex("8 runs in [0-9.]+s \\([0-9.]+ runs/s\\)\n"));
  Json j = Json::parse(Slurp(dir_ / "compare.json"));
  EXPECT_EQ(j["scenarios"][0]["metrics"]["reprocessed"]["mean"], 12.5);
  EXPECT_EQ(j["scenarios"][1]["metrics"]["on_demand_usd"]["missing"], 4);
  EXPECT_EQ(j["b_better_than_a"]["better"], 4);
  EXPECT_TRUE(TmpIsEmpty()) << "temporary run directories left behind";
}

TEST_F(RunCompareTest, SameSeedsGiveByteIdenticalTableAndJson) {
  std::string a = Scenario("a", "NAME=a\nFAIL_SEED=2\n");
  CompareOptions o;
  o.scenarios = {a};
  o.seeds = "1..5";
  o.jobs = 3;
  o.json_path = (dir_ / "first.json").string();
  Run(o);
  std::string first_out = out_;
  o.json_path = (dir_ / "second.json").string();
  o.jobs = 1;
  Run(o);
  auto strip_json_line = [](std::string s) { return s.substr(0, s.find("JSON written to")); };
  EXPECT_EQ(strip_json_line(first_out), strip_json_line(out_));
  EXPECT_EQ(Slurp(dir_ / "first.json"), Slurp(dir_ / "second.json"));
  EXPECT_THAT(out_, HasSubstr("run failed: a seed 2: exit 3: ecsim: internal error: boom in <tmp>/a-2\n"));
}

TEST_F(RunCompareTest, ExitOneIsDataAndItsFailedExpectationsAreListed) {
  std::string a = Scenario("a", "NAME=a\nEXPECT_FAIL_SEED=3\n");
  CompareOptions o;
  o.scenarios = {a};
  o.seeds = "1..3";
  EXPECT_EQ(Run(o), 0) << err_;
  EXPECT_THAT(out_, HasSubstr("runs with a summary                  3 of 3\n"));
  EXPECT_THAT(out_, HasSubstr("expectation failed: a: /items/lost: seed 3\n"));
  Json j = Json::parse(Slurp(dir_ / "compare.json"));
  EXPECT_EQ(j["scenarios"][0]["per_seed"][2]["exit_code"], 1);
  EXPECT_EQ(j["scenarios"][0]["per_seed"][2]["expectations_failed"], Json::array({"/items/lost"}));
}

TEST_F(RunCompareTest, CrashesAndExitThreeAreReportedPerSeedAndExitThree) {
  std::string a = Scenario("a", "NAME=a\nCRASH_SEED=2\nFAIL_SEED=4\n");
  CompareOptions o;
  o.scenarios = {a};
  o.seeds = "1..5";
  EXPECT_EQ(Run(o), 3);
  EXPECT_THAT(out_, HasSubstr("runs with a summary                  3 of 5\n"));
  EXPECT_THAT(out_, HasSubstr("run failed: a seed 2: killed by signal 11 (SEGV)\n"));
  EXPECT_THAT(out_, HasSubstr("run failed: a seed 4: exit 3: ecsim: internal error: boom in <tmp>/a-4\n"));
  Json j = Json::parse(Slurp(dir_ / "compare.json"));
  EXPECT_EQ(j["scenarios"][0]["per_seed"][1]["exit_code"], -1);
  EXPECT_EQ(j["scenarios"][0]["metrics"]["completion_ms"]["n"], 3);
  EXPECT_TRUE(TmpIsEmpty());
}

TEST_F(RunCompareTest, BadInputInARunAbortsWithItsMessageAndExitTwo) {
  std::string good = Scenario("good", "NAME=good\n");
  std::string bad = Scenario("bad", "BAD=1\n");
  CompareOptions o;
  o.scenarios = {good, bad};
  o.seeds = "1..20";
  // One at a time: a fake run killed mid-way could leave an orphaned mkdir
  // behind (the real ecsim cleans up on SIGTERM; the interrupt test covers it).
  o.jobs = 1;
  EXPECT_EQ(Run(o), 2);
  EXPECT_EQ(err_, "ecsim: " + bad + ":3: tasks: not a list\n");
  EXPECT_EQ(out_, "");
  EXPECT_FALSE(fs::exists(dir_ / "compare.json"));
  EXPECT_TRUE(TmpIsEmpty());
}

TEST_F(RunCompareTest, KeepPutsRunsInTheGivenDirectory) {
  std::string a = Scenario("01-a", "NAME=a\n");
  CompareOptions o;
  o.scenarios = {a};
  o.seeds = "7,9";
  o.keep_dir = (dir_ / "kept").string();
  EXPECT_EQ(Run(o), 0) << err_;
  EXPECT_TRUE(fs::exists(dir_ / "kept" / "01-a-7" / "summary.json"));
  EXPECT_TRUE(fs::exists(dir_ / "kept" / "01-a-9" / "summary.json"));
  EXPECT_THAT(out_, HasSubstr("runs kept in " + o.keep_dir));
  EXPECT_TRUE(TmpIsEmpty());
}

TEST_F(RunCompareTest, NeverRunsMoreThanJobsAtATime) {
  std::string a = Scenario("a", "NAME=a\nPROBE=" + dir_.string() + "/probe\n");
  CompareOptions o;
  o.scenarios = {a};
  o.seeds = "1..6";
  o.jobs = 2;
  EXPECT_EQ(Run(o), 0) << err_;
  std::istringstream counts(Slurp(dir_ / "probe" / "concurrency"));
  int n = 0, seen = 0;
  while (counts >> n) {
    ++seen;
    EXPECT_LE(n, 2);
  }
  EXPECT_EQ(seen, 6);
}

TEST_F(RunCompareTest, RejectsBadOptionsBeforeRunningAnything) {
  std::string a = Scenario("a", "NAME=a\n");
  CompareOptions o;
  o.scenarios = {a};
  o.seeds = "3..1";
  EXPECT_EQ(Run(o), 2);
  EXPECT_THAT(err_, ::testing::StartsWith("ecsim compare: --seeds: "));
  o.seeds = "1";
  o.jobs = 0;
  EXPECT_EQ(Run(o), 2);
  EXPECT_THAT(err_, HasSubstr("--jobs"));
  o.jobs = 2;
  o.scenarios = {(dir_ / "missing.yaml").string()};
  EXPECT_EQ(Run(o), 2);
  EXPECT_THAT(err_, HasSubstr("missing.yaml: no such scenario file"));
  o.scenarios = {a};
  o.json_path = (dir_ / "no-such-dir" / "x.json").string();
  EXPECT_EQ(Run(o), 2);
  EXPECT_THAT(err_, HasSubstr("--json"));
  o.scenarios = {};
  EXPECT_EQ(Run(o), 2);
  EXPECT_TRUE(TmpIsEmpty());
}

TEST_F(RunCompareTest, InterruptStopsTheRunsAndExits130) {
  // Each fake run sends SIGINT to compare, then sleeps until terminated.
  std::string a = Scenario("a", "NAME=a\nINT_PARENT=1\n");
  CompareOptions o;
  o.scenarios = {a};
  o.seeds = "1..6";
  o.jobs = 2;
  struct sigaction before {};
  sigaction(SIGINT, nullptr, &before);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Run(o), 130);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20)) << "children were not terminated";
  EXPECT_EQ(err_, "ecsim compare: interrupted\n");
  EXPECT_FALSE(fs::exists(dir_ / "compare.json"));
  EXPECT_TRUE(TmpIsEmpty());
  struct sigaction now {};
  sigaction(SIGINT, nullptr, &now);
  EXPECT_EQ(now.sa_handler, before.sa_handler) << "SIGINT handler not restored";
  sigset_t mask;
  sigprocmask(SIG_SETMASK, nullptr, &mask);
  EXPECT_FALSE(sigismember(&mask, SIGINT)) << "SIGINT left blocked";
  EXPECT_FALSE(sigismember(&mask, SIGCHLD)) << "SIGCHLD left blocked";
}

TEST_F(RunCompareTest, AMissingBinaryIsAnInternalError) {
  std::string a = Scenario("a", "NAME=a\n");
  CompareOptions o;
  o.scenarios = {a};
  o.seeds = "1";
  o.self_exe = (dir_ / "no-ecsim").string();
  EXPECT_EQ(Run(o), 3);
  EXPECT_THAT(err_, HasSubstr("cannot start"));
  EXPECT_TRUE(TmpIsEmpty());
}

}  // namespace
}  // namespace sim::compare
