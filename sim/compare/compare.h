// `ecsim compare`: runs scenarios over many seeds as child ecsim processes and
// aggregates their summary.json files into a side-by-side table and JSON.
//
// The pure parts (seed lists, statistics, formatting) are separate from the
// process runner so they can be unit-tested with hand-made summaries.
//
// Statistics. For every scenario and metric: n (runs that had a number at the
// metric's pointer), missing (runs whose summary had no value, null, or a
// non-number there; runs without a summary are not counted at all), mean,
// min, max and p95. p95 is the nearest-rank percentile: the values sorted
// ascending, p95 = sorted[ceil(0.95 * n) - 1]. It is always one of the
// observed values (n = 1..20: the largest value except for n = 20, which
// takes the 19th).
//
// Determinism: the table and the JSON depend only on the summaries and the
// seeds (no wall times, no temporary paths), so the same seeds give
// byte-identical output.
#ifndef ECSIM_SIM_COMPARE_COMPARE_H_
#define ECSIM_SIM_COMPARE_COMPARE_H_

#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/base/document.h"

namespace sim::compare {

struct CompareOptions {
  std::vector<std::string> scenarios;  // scenario files, in column order
  std::string seeds;                   // ParseSeeds syntax, e.g. "1..50"
  int jobs = 2;                        // child runs at a time; must be >= 1
  std::string json_path = "compare.json";
  std::string keep_dir;                // non-empty: runs go to keep_dir/<stem>-<seed> and stay
  std::string self_exe;                // the ecsim binary; empty = /proc/self/exe
  // Where the table and the messages go (tests redirect them).
  std::FILE* out = stdout;
  std::FILE* err = stderr;
};

// Runs every scenario once per seed (`<self_exe> run SCENARIO --seed S --out
// DIR -q --force`, at most `jobs` at a time, no shell), prints the table to
// `out`, writes the JSON to `json_path` and returns the exit code:
//   0  every run produced a summary (exit 1 = failed expectations is data)
//   2  bad input: options, or a run that exited 2 (its message is printed and
//      the remaining runs are stopped)
//   3  at least one run exited 3, another unexpected code, or crashed; all
//      other runs are still reported
//   130 interrupted (SIGINT/SIGTERM); running children get SIGTERM
int RunCompare(const CompareOptions& options);

// "1..50", "7", "1,3,5", "1..10,20" (spaces around items allowed). Returns the
// seeds sorted ascending. Throws sim::InputError (key "--seeds") on syntax
// errors, empty ranges (a > b), duplicates, or more than kMaxSeeds seeds.
inline constexpr size_t kMaxSeeds = 100000;
std::vector<uint64_t> ParseSeeds(const std::string& text);

// Nearest-rank 95th percentile (see the file comment).
// REQUIRES: !values.empty(). `values` need not be sorted.
double P95(std::vector<double> values);

// "1-3, 7, 9-10" for {1,2,3,7,9,10}. REQUIRES: sorted ascending, unique.
std::string FormatSeedRanges(const std::vector<uint64_t>& seeds);

enum class Unit { kMillis, kUsd, kCount };

struct MetricSpec {
  const char* name;     // JSON key
  const char* label;    // table row label
  const char* pointer;  // JSON pointer into summary.json
  Unit unit;
};

// The aggregated metrics, in table row order.
const std::vector<MetricSpec>& Metrics();

// What one child run left behind.
struct SeedRun {
  uint64_t seed = 0;
  int exit_code = 0;            // exit status; -1 when killed by a signal
  int signal = 0;               // the signal that killed it, else 0
  std::optional<Json> summary;  // its summary.json, when it wrote a readable one
  std::string error;            // non-empty: the run failed (reported per seed)
};

struct MetricStats {
  int n = 0;        // runs with a numeric value
  int missing = 0;  // runs with a summary but no numeric value
  double mean = 0, p95 = 0, min = 0, max = 0;  // meaningful only when n > 0
};

struct ScenarioResult {
  std::string file;  // as given on the command line
  std::string name;  // summary.json "scenario" of the first summary; else the file stem
  int runs = 0;      // seeds run
  int ok = 0;        // runs with a summary
  std::vector<MetricStats> metrics;  // parallel to Metrics()
  // Per seed with a summary: the metric values (parallel to Metrics()).
  std::map<uint64_t, std::vector<std::optional<double>>> values;
  // Invariant name -> failing seeds (ascending), names in order of first
  // appearance over the seeds.
  std::vector<std::pair<std::string, std::vector<uint64_t>>> invariant_failures;
  // Invariant name -> seed -> reason, for the failing ones.
  std::map<std::string, std::map<uint64_t, std::string>> invariant_reasons;
  std::map<uint64_t, std::vector<std::string>> expectations_failed;  // seed -> paths
  std::map<uint64_t, std::string> errors;                            // seed -> message
  std::map<uint64_t, int> exit_codes;                                // seed -> exit code
};

// Aggregates the runs of one scenario. Runs with `error` set are errors;
// runs with a summary are data whatever their exit code.
ScenarioResult Aggregate(const std::string& file, const std::vector<SeedRun>& runs);
// Convenience for tests: summaries for seeds 1..n, all exit 0.
ScenarioResult Aggregate(const std::string& file, const std::vector<Json>& summaries);

// "B better than A" over the seeds both have data for: reprocessed(B) <
// reprocessed(A) and wasted_usd(B) < wasted_usd(A), both strictly.
struct BetterResult {
  std::vector<uint64_t> better;     // the claim holds
  std::vector<uint64_t> not_better; // both have values and it does not hold
  std::vector<uint64_t> no_data;    // a run failed or a value is missing
};
BetterResult CompareBetter(const ScenarioResult& a, const ScenarioResult& b);

// The side-by-side table and the lists below it (invariant failures,
// expectations failed, run errors, the B-better-than-A line when there are
// exactly two scenarios). Ends with a newline.
std::string FormatTable(const std::vector<ScenarioResult>& results, const std::vector<uint64_t>& seeds);

// The same content as JSON.
Json ToJson(const std::vector<ScenarioResult>& results, const std::vector<uint64_t>& seeds);

}  // namespace sim::compare

#endif  // ECSIM_SIM_COMPARE_COMPARE_H_
