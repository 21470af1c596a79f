#include "sim/compare/compare.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sim/base/input_error.h"

namespace sim::compare {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string SeedsErrorOf(const std::string& text) {
  try {
    ParseSeeds(text);
  } catch (const InputError& e) {
    return e.what();
  }
  return "(no error)";
}

TEST(ParseSeedsTest, AcceptsRangesSinglesAndLists) {
  EXPECT_EQ(ParseSeeds("1..50").size(), 50u);
  EXPECT_EQ(ParseSeeds("1..50").front(), 1u);
  EXPECT_EQ(ParseSeeds("1..50").back(), 50u);
  EXPECT_THAT(ParseSeeds("7"), ElementsAre(7u));
  EXPECT_THAT(ParseSeeds("1,3,5"), ElementsAre(1u, 3u, 5u));
  EXPECT_THAT(ParseSeeds("1..3,20"), ElementsAre(1u, 2u, 3u, 20u));
  EXPECT_THAT(ParseSeeds(" 9 , 2 .. 3 "), ElementsAre(2u, 3u, 9u));
  EXPECT_THAT(ParseSeeds("0"), ElementsAre(0u));
  EXPECT_THAT(ParseSeeds("18446744073709551615"), ElementsAre(UINT64_MAX));
  EXPECT_THAT(ParseSeeds("18446744073709551614..18446744073709551615"), ElementsAre(UINT64_MAX - 1, UINT64_MAX));
}

TEST(ParseSeedsTest, RejectsMalformedInputWithOneLineNamingTheOption) {
  for (const char* bad : {"", "  ", "a", "1..", "..3", "1,,2", "1,", "-1", "1.5", "5..3", "1,1", "1..5,3",
                          "18446744073709551616", "1...3", "0..100000"}) {
    std::string message = SeedsErrorOf(bad);
    EXPECT_THAT(message, ::testing::StartsWith("--seeds: ")) << "input '" << bad << "'";
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
  EXPECT_THAT(SeedsErrorOf("5..3"), HasSubstr("empty"));
  EXPECT_THAT(SeedsErrorOf("1..5,3"), HasSubstr("seed 3 is listed more than once"));
  EXPECT_THAT(SeedsErrorOf("0..100000"), HasSubstr("more than 100000 seeds"));
  EXPECT_EQ(ParseSeeds("0..99999").size(), kMaxSeeds);
}

TEST(P95Test, IsTheNearestRankValue) {
  std::vector<double> v;
  for (int i = 1; i <= 20; ++i) v.push_back(i);
  EXPECT_EQ(P95(v), 19);  // ceil(0.95 * 20) = 19
  v.push_back(21);
  EXPECT_EQ(P95(v), 20);  // ceil(19.95) = 20
  std::vector<double> hundred;
  for (int i = 100; i >= 1; --i) hundred.push_back(i);  // unsorted input
  EXPECT_EQ(P95(hundred), 95);
  EXPECT_EQ(P95({3, 1, 2}), 3);
  EXPECT_EQ(P95({4.5}), 4.5);
}

TEST(FormatSeedRangesTest, CompressesConsecutiveSeeds) {
  EXPECT_EQ(FormatSeedRanges({1, 2, 3}), "1-3");
  EXPECT_EQ(FormatSeedRanges({3, 17, 18}), "3, 17-18");
  EXPECT_EQ(FormatSeedRanges({5}), "5");
  EXPECT_EQ(FormatSeedRanges({1, 3, 5, 6, 7, 9}), "1, 3, 5-7, 9");
  EXPECT_EQ(FormatSeedRanges({}), "");
}

Json MakeSummary(const std::string& name, Json completion_ms, double usd, double wasted, int reprocessed,
                 bool committed_once = true) {
  return Json{{"scenario", name},
              {"work", {{"completion_ms", completion_ms}, {"interruptions", 2}}},
              {"cost", {{"usd", usd}, {"wasted_usd", wasted}, {"on_demand_usd", usd}}},
              {"items", {{"reprocessed", reprocessed}}},
              {"invariants",
               {{"every_item_committed_once", {{"pass", committed_once}, {"reason", committed_once ? "ok" : "dup"}}},
                {"every_task_stopped", {{"pass", true}, {"reason", "ok"}}}}},
              {"expectations", Json::array()}};
}

size_t MetricIndex(const std::string& name) {
  for (size_t i = 0; i < Metrics().size(); ++i)
    if (name == Metrics()[i].name) return i;
  ADD_FAILURE() << "no metric " << name;
  return 0;
}

TEST(AggregateTest, ComputesMeanP95MinMaxAndSkipsNulls) {
  std::vector<Json> s;
  for (int i = 1; i <= 4; ++i) s.push_back(MakeSummary("naive", i * 1000, 0.25 * i, 0.1, 10 * i));
  s.push_back(MakeSummary("naive", nullptr, 1.0, 0.1, 0));  // never completed
  ScenarioResult r = Aggregate("scenarios/01-naive.yaml", s);
  EXPECT_EQ(r.name, "naive");
  EXPECT_EQ(r.runs, 5);
  EXPECT_EQ(r.ok, 5);

  const MetricStats& c = r.metrics[MetricIndex("completion_ms")];
  EXPECT_EQ(c.n, 4);
  EXPECT_EQ(c.missing, 1);
  EXPECT_DOUBLE_EQ(c.mean, 2500);
  EXPECT_DOUBLE_EQ(c.min, 1000);
  EXPECT_DOUBLE_EQ(c.max, 4000);
  EXPECT_DOUBLE_EQ(c.p95, 4000);

  const MetricStats& usd = r.metrics[MetricIndex("cost_usd")];
  EXPECT_EQ(usd.n, 5);
  EXPECT_EQ(usd.missing, 0);
  EXPECT_DOUBLE_EQ(usd.mean, (0.25 + 0.5 + 0.75 + 1.0 + 1.0) / 5);

  const MetricStats& rep = r.metrics[MetricIndex("reprocessed")];
  EXPECT_DOUBLE_EQ(rep.mean, 20);
  EXPECT_DOUBLE_EQ(rep.min, 0);
  EXPECT_DOUBLE_EQ(rep.p95, 40);
  ASSERT_TRUE(r.values.at(5)[MetricIndex("reprocessed")].has_value());
  EXPECT_FALSE(r.values.at(5)[MetricIndex("completion_ms")].has_value());
}

TEST(AggregateTest, CountsAbsentAndNonNumericValuesAsMissing) {
  Json a = MakeSummary("x", 1000, 1, 1, 1);
  a.erase("cost");
  Json b = MakeSummary("x", "soon", 1, 1, 1);
  ScenarioResult r = Aggregate("x.yaml", std::vector<Json>{a, b});
  EXPECT_EQ(r.metrics[MetricIndex("cost_usd")].missing, 1);
  EXPECT_EQ(r.metrics[MetricIndex("cost_usd")].n, 1);
  EXPECT_EQ(r.metrics[MetricIndex("completion_ms")].missing, 1);
  EXPECT_EQ(r.metrics[MetricIndex("completion_ms")].n, 1);
}

TEST(AggregateTest, ListsInvariantFailuresByNameWithFailingSeeds) {
  std::vector<SeedRun> runs;
  for (uint64_t seed : {5, 1, 2, 3, 4}) {  // out of order on purpose
    runs.push_back({seed, 0, 0, MakeSummary("n", 1, 1, 1, 1, /*committed_once=*/seed == 3), ""});
  }
  ScenarioResult r = Aggregate("n.yaml", runs);
  ASSERT_EQ(r.invariant_failures.size(), 1u);
  EXPECT_EQ(r.invariant_failures[0].first, "every_item_committed_once");
  EXPECT_THAT(r.invariant_failures[0].second, ElementsAre(1u, 2u, 4u, 5u));
  EXPECT_EQ(r.invariant_reasons.at("every_item_committed_once").at(4), "dup");
}

TEST(AggregateTest, RecordsExpectationFailuresAndRunErrorsPerSeed) {
  Json failed = MakeSummary("n", 1, 1, 1, 1);
  failed["expectations"] = Json::array({Json{{"path", "/items/lost"}, {"pass", false}},
                                        Json{{"path", "/items/reprocessed"}, {"pass", true}}});
  std::vector<SeedRun> runs = {{1, 1, 0, failed, ""},
                               {2, 3, 0, std::nullopt, "exit 3: ecsim: internal error: boom"},
                               {3, -1, 11, std::nullopt, "killed by signal 11 (SEGV)"}};
  ScenarioResult r = Aggregate("scenarios/07-x.yaml", runs);
  EXPECT_EQ(r.ok, 1);
  EXPECT_EQ(r.runs, 3);
  EXPECT_THAT(r.expectations_failed.at(1), ElementsAre("/items/lost"));
  EXPECT_EQ(r.errors.size(), 2u);
  EXPECT_EQ(r.errors.at(2), "exit 3: ecsim: internal error: boom");
  EXPECT_EQ(r.exit_codes.at(3), -1);
  EXPECT_EQ(r.metrics[MetricIndex("cost_usd")].n, 1);
  EXPECT_EQ(r.metrics[MetricIndex("cost_usd")].missing, 0);  // failed runs are not "missing"
}

TEST(AggregateTest, NamesAScenarioWithoutSummariesAfterItsFile) {
  ScenarioResult r = Aggregate("scenarios/09-broken.yaml", std::vector<SeedRun>{{1, 3, 0, std::nullopt, "exit 3"}});
  EXPECT_EQ(r.name, "09-broken");
  EXPECT_EQ(r.metrics[0].n, 0);
}

TEST(CompareBetterTest, RequiresBothFewerReprocessedAndLessWaste) {
  std::vector<SeedRun> a, b;
  // seed 1: B better on both; seed 2: B fewer reprocessed but more waste;
  // seed 3: equal (not strictly better); seed 4: B's run failed.
  a.push_back({1, 0, 0, MakeSummary("a", 1, 1, 0.5, 10), ""});
  b.push_back({1, 0, 0, MakeSummary("b", 1, 1, 0.1, 0), ""});
  a.push_back({2, 0, 0, MakeSummary("a", 1, 1, 0.5, 10), ""});
  b.push_back({2, 0, 0, MakeSummary("b", 1, 1, 0.6, 0), ""});
  a.push_back({3, 0, 0, MakeSummary("a", 1, 1, 0.5, 10), ""});
  b.push_back({3, 0, 0, MakeSummary("b", 1, 1, 0.5, 10), ""});
  a.push_back({4, 0, 0, MakeSummary("a", 1, 1, 0.5, 10), ""});
  b.push_back({4, 3, 0, std::nullopt, "exit 3"});
  BetterResult r = CompareBetter(Aggregate("a.yaml", a), Aggregate("b.yaml", b));
  EXPECT_THAT(r.better, ElementsAre(1u));
  EXPECT_THAT(r.not_better, ElementsAre(2u, 3u));
  EXPECT_THAT(r.no_data, ElementsAre(4u));
}

std::vector<ScenarioResult> TwoScenarios() {
  std::vector<SeedRun> a, b;
  for (uint64_t seed = 1; seed <= 3; ++seed) {
    a.push_back({seed, 0, 0, MakeSummary("01-naive", 3600000 + seed * 100, 0.12345, 0.05, 1200, false), ""});
    b.push_back({seed, 0, 0, MakeSummary("02-checkpoint", 3700000, 0.1, seed == 2 ? 0.06 : 0.001, 1), ""});
  }
  return {Aggregate("scenarios/01-naive.yaml", a), Aggregate("scenarios/02-checkpoint.yaml", b)};
}

TEST(FormatTableTest, AlignsMeanAndP95PerColumnAndListsFindings) {
  std::string table = FormatTable(TwoScenarios(), {1, 2, 3});
  EXPECT_EQ(table,
            "mean / p95 over seeds 1-3          01-naive     02-checkpoint\n"
            "runs with a summary                  3 of 3            3 of 3\n"
            "completion time (s)         3600.2 / 3600.3   3700.0 / 3700.0\n"
            "cost (USD)                  0.1235 / 0.1235   0.1000 / 0.1000\n"
            "wasted cost (USD)           0.0500 / 0.0500   0.0207 / 0.0600\n"
            "on-demand cost (USD)        0.1235 / 0.1235   0.1000 / 0.1000\n"
            "items reprocessed           1200.0 / 1200        1.0 / 1\n"
            "interruptions                  2.0 / 2           2.0 / 2\n"
            "invariant failures:\n"
            "  01-naive: every_item_committed_once: seeds 1-3 (seed 1: dup)\n"
            "  02-checkpoint: none\n"
            "02-checkpoint better than 01-naive (fewer items reprocessed and less wasted cost): 2 of 3 seeds; "
            "not on seed 2\n");
}

TEST(FormatTableTest, ShowsDashForMetricsWithoutValuesAndReportsMissingAndErrors) {
  Json s = MakeSummary("solo", nullptr, 1, 1, 1);
  s["expectations"] = Json::array({Json{{"path", "/items/lost"}, {"pass", false}}});
  std::vector<SeedRun> runs = {{1, 1, 0, s, ""}, {2, -1, 9, std::nullopt, "killed by signal 9 (KILL)"}};
  std::string table = FormatTable({Aggregate("solo.yaml", runs)}, {1, 2});
  EXPECT_THAT(table, HasSubstr("completion time (s)  "));
  EXPECT_THAT(table, HasSubstr("runs with a summary                  1 of 2\n"));
  EXPECT_THAT(table, HasSubstr("missing values (skipped):\n  solo: completion time (s): missing in 1 of 1 summaries\n"));
  EXPECT_THAT(table, HasSubstr("expectation failed: solo: /items/lost: seed 1\n"));
  EXPECT_THAT(table, HasSubstr("run failed: solo seed 2: killed by signal 9 (KILL)\n"));
  EXPECT_THAT(table, HasSubstr("invariant failures: none\n"));
  EXPECT_THAT(table, ::testing::Not(HasSubstr("better than")));
  // The completion row has no numbers: a dash, right-aligned.
  size_t row = table.find("completion time (s)");
  std::string line = table.substr(row, table.find('\n', row) - row);
  EXPECT_EQ(line.back(), '-');
}

TEST(FormatTableTest, DisambiguatesScenariosWithTheSameName) {
  std::vector<Json> s = {MakeSummary("same", 1, 1, 1, 1)};
  std::string table = FormatTable({Aggregate("a/x.yaml", s), Aggregate("b/x.yaml", s)}, {1});
  EXPECT_THAT(table, HasSubstr("same#1"));
  EXPECT_THAT(table, HasSubstr("same#2"));
}

TEST(ToJsonTest, CarriesStatisticsFailuresAndTheBetterCount) {
  Json j = ToJson(TwoScenarios(), {1, 2, 3});
  EXPECT_EQ(j["seeds"], "1-3");
  ASSERT_EQ(j["scenarios"].size(), 2u);
  const Json& a = j["scenarios"][0];
  EXPECT_EQ(a["scenario"], "01-naive");
  EXPECT_EQ(a["file"], "scenarios/01-naive.yaml");
  EXPECT_EQ(a["metrics"]["completion_ms"]["n"], 3);
  EXPECT_DOUBLE_EQ(a["metrics"]["completion_ms"]["mean"].get<double>(), 3600200);
  EXPECT_DOUBLE_EQ(a["metrics"]["completion_ms"]["p95"].get<double>(), 3600300);
  EXPECT_DOUBLE_EQ(a["metrics"]["completion_ms"]["min"].get<double>(), 3600100);
  EXPECT_EQ(a["metrics"]["completion_ms"]["pointer"], "/work/completion_ms");
  EXPECT_EQ(a["invariant_failures"]["every_item_committed_once"]["failed"], "1-3");
  EXPECT_EQ(a["invariant_failures"]["every_item_committed_once"]["reasons"]["2"], "dup");
  EXPECT_EQ(a["per_seed"].size(), 3u);
  EXPECT_EQ(a["per_seed"][1]["seed"], 2);
  EXPECT_EQ(a["per_seed"][1]["reprocessed"], 1200.0);
  EXPECT_EQ(j["b_better_than_a"]["better"], 2);
  EXPECT_EQ(j["b_better_than_a"]["not_better_seeds"], Json::array({2}));
  // Same input, same bytes.
  EXPECT_EQ(j.dump(2), ToJson(TwoScenarios(), {1, 2, 3}).dump(2));
}

TEST(ToJsonTest, WritesNullStatisticsForAMetricWithoutValues) {
  Json j = ToJson({Aggregate("x.yaml", std::vector<Json>{MakeSummary("x", nullptr, 1, 1, 1)})}, {1});
  const Json& c = j["scenarios"][0]["metrics"]["completion_ms"];
  EXPECT_EQ(c["n"], 0);
  EXPECT_EQ(c["missing"], 1);
  EXPECT_TRUE(c["mean"].is_null());
  EXPECT_TRUE(c["p95"].is_null());
  EXPECT_FALSE(j.contains("b_better_than_a"));
}

}  // namespace
}  // namespace sim::compare
