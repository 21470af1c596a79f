#include "sim/compare/compare.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <set>

#include <fmt/format.h>

#include "sim/base/input_error.h"

namespace sim::compare {

namespace {

[[noreturn]] void SeedsError(const std::string& message) { throw InputError({"--seeds", 0, ""}, message); }

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

uint64_t ParseSeed(const std::string& text, const std::string& item) {
  uint64_t v = 0;
  if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    SeedsError(fmt::format("'{}' is not a seed, a range a..b or a comma-separated list of those", item));
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size())
    SeedsError(fmt::format("'{}' is out of range (seeds are 0..{})", text, UINT64_MAX));
  return v;
}

std::string FormatValue(double v, Unit unit, bool is_mean) {
  switch (unit) {
    case Unit::kMillis:
      return fmt::format("{:.1f}", v / 1000.0);
    case Unit::kUsd:
      return fmt::format("{:.4f}", v);
    case Unit::kCount:
      if (!is_mean && v == static_cast<double>(static_cast<int64_t>(v))) return fmt::format("{}", static_cast<int64_t>(v));
      return fmt::format("{:.1f}", v);
  }
  return {};
}

// Column headers: the scenario names, made unique by appending "#<column>".
std::vector<std::string> ColumnNames(const std::vector<ScenarioResult>& results) {
  std::map<std::string, int> count;
  for (const auto& r : results) ++count[r.name];
  std::vector<std::string> names;
  for (size_t i = 0; i < results.size(); ++i)
    names.push_back(count[results[i].name] > 1 ? fmt::format("{}#{}", results[i].name, i + 1) : results[i].name);
  return names;
}

std::string PadRight(const std::string& s, size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}
std::string PadLeft(const std::string& s, size_t width) {
  return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

std::string Seeds(const std::vector<uint64_t>& seeds) {
  return fmt::format("{} {}", seeds.size() == 1 ? "seed" : "seeds", FormatSeedRanges(seeds));
}

}  // namespace

std::vector<uint64_t> ParseSeeds(const std::string& text) {
  if (Trim(text).empty()) SeedsError("empty; use e.g. 1..50, 7, 1,3,5 or 1..10,20");
  std::vector<uint64_t> seeds;
  std::set<uint64_t> seen;
  auto add = [&](uint64_t s) {
    if (!seen.insert(s).second) SeedsError(fmt::format("seed {} is listed more than once", s));
    if (seeds.size() >= kMaxSeeds) SeedsError(fmt::format("more than {} seeds", kMaxSeeds));
    seeds.push_back(s);
  };
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string item = Trim(std::string_view(text).substr(start, comma - start));
    if (item.empty()) SeedsError(fmt::format("empty item in '{}'", text));
    size_t dots = item.find("..");
    if (dots == std::string::npos) {
      add(ParseSeed(item, item));
    } else {
      uint64_t lo = ParseSeed(Trim(item.substr(0, dots)), item);
      uint64_t hi = ParseSeed(Trim(item.substr(dots + 2)), item);
      if (lo > hi) SeedsError(fmt::format("range '{}' is empty (first seed above last)", item));
      if (hi - lo >= kMaxSeeds) SeedsError(fmt::format("more than {} seeds", kMaxSeeds));
      for (uint64_t s = lo;; ++s) {
        add(s);
        if (s == hi) break;
      }
    }
    start = comma + 1;
  }
  std::sort(seeds.begin(), seeds.end());
  return seeds;
}

double P95(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  size_t rank = (95 * n + 99) / 100;  // ceil(0.95 n), exact in integers
  return values[rank - 1];
}

std::string FormatSeedRanges(const std::vector<uint64_t>& seeds) {
  std::string out;
  for (size_t i = 0; i < seeds.size();) {
    size_t j = i;
    while (j + 1 < seeds.size() && seeds[j + 1] == seeds[j] + 1) ++j;
    if (!out.empty()) out += ", ";
    out += j == i ? fmt::format("{}", seeds[i]) : fmt::format("{}-{}", seeds[i], seeds[j]);
    i = j + 1;
  }
  return out;
}

const std::vector<MetricSpec>& Metrics() {
  static const std::vector<MetricSpec> kMetrics = {
      {"completion_ms", "completion time (s)", "/work/completion_ms", Unit::kMillis},
      {"cost_usd", "cost (USD)", "/cost/usd", Unit::kUsd},
      {"wasted_usd", "wasted cost (USD)", "/cost/wasted_usd", Unit::kUsd},
      {"on_demand_usd", "on-demand cost (USD)", "/cost/on_demand_usd", Unit::kUsd},
      {"reprocessed", "items reprocessed", "/items/reprocessed", Unit::kCount},
      {"interruptions", "interruptions", "/work/interruptions", Unit::kCount},
  };
  return kMetrics;
}

ScenarioResult Aggregate(const std::string& file, const std::vector<SeedRun>& runs) {
  const auto& metrics = Metrics();
  ScenarioResult r;
  r.file = file;
  r.runs = static_cast<int>(runs.size());
  r.metrics.resize(metrics.size());
  std::vector<std::vector<double>> samples(metrics.size());

  std::vector<SeedRun> sorted = runs;
  std::stable_sort(sorted.begin(), sorted.end(), [](const SeedRun& a, const SeedRun& b) { return a.seed < b.seed; });
  std::map<std::string, size_t> invariant_index;
  for (const auto& run : sorted) {
    r.exit_codes[run.seed] = run.exit_code;
    if (!run.error.empty() || !run.summary) {
      r.errors[run.seed] = run.error.empty() ? "no summary.json" : run.error;
      continue;
    }
    const Json& s = *run.summary;
    ++r.ok;
    if (r.name.empty() && s.is_object() && s.contains("scenario") && s["scenario"].is_string())
      r.name = s["scenario"].get<std::string>();

    auto& row = r.values[run.seed];
    row.resize(metrics.size());
    for (size_t m = 0; m < metrics.size(); ++m) {
      Json::json_pointer ptr(metrics[m].pointer);
      if (s.contains(ptr) && s.at(ptr).is_number()) {
        double v = s.at(ptr).get<double>();
        row[m] = v;
        samples[m].push_back(v);
      } else {
        ++r.metrics[m].missing;
      }
    }

    if (s.is_object() && s.contains("invariants") && s["invariants"].is_object()) {
      for (auto it = s["invariants"].begin(); it != s["invariants"].end(); ++it) {
        const Json& inv = it.value();
        if (!inv.is_object() || !inv.contains("pass") || !inv["pass"].is_boolean() || inv["pass"].get<bool>()) continue;
        auto [pos, added] = invariant_index.emplace(it.key(), r.invariant_failures.size());
        if (added) r.invariant_failures.push_back({it.key(), {}});
        r.invariant_failures[pos->second].second.push_back(run.seed);
        r.invariant_reasons[it.key()][run.seed] =
            inv.contains("reason") && inv["reason"].is_string() ? inv["reason"].get<std::string>() : "";
      }
    }
    if (s.is_object() && s.contains("expectations") && s["expectations"].is_array()) {
      for (const auto& e : s["expectations"]) {
        if (!e.is_object() || !e.contains("pass") || !e["pass"].is_boolean() || e["pass"].get<bool>()) continue;
        r.expectations_failed[run.seed].push_back(e.contains("path") && e["path"].is_string()
                                                      ? e["path"].get<std::string>()
                                                      : std::string("?"));
      }
    }
  }
  if (r.name.empty()) r.name = std::filesystem::path(file).stem().string();

  for (size_t m = 0; m < metrics.size(); ++m) {
    auto& st = r.metrics[m];
    const auto& v = samples[m];
    st.n = static_cast<int>(v.size());
    if (v.empty()) continue;
    double sum = 0;
    for (double x : v) sum += x;  // in seed order: deterministic
    st.mean = sum / static_cast<double>(v.size());
    st.min = *std::min_element(v.begin(), v.end());
    st.max = *std::max_element(v.begin(), v.end());
    st.p95 = P95(v);
  }
  return r;
}

ScenarioResult Aggregate(const std::string& file, const std::vector<Json>& summaries) {
  std::vector<SeedRun> runs;
  for (size_t i = 0; i < summaries.size(); ++i) runs.push_back({i + 1, 0, 0, summaries[i], ""});
  return Aggregate(file, runs);
}

BetterResult CompareBetter(const ScenarioResult& a, const ScenarioResult& b) {
  const auto& metrics = Metrics();
  size_t rep = 0, wasted = 0;
  for (size_t m = 0; m < metrics.size(); ++m) {
    if (std::string(metrics[m].name) == "reprocessed") rep = m;
    if (std::string(metrics[m].name) == "wasted_usd") wasted = m;
  }
  std::set<uint64_t> seeds;
  for (const auto& [seed, code] : a.exit_codes) seeds.insert(seed);
  for (const auto& [seed, code] : b.exit_codes) seeds.insert(seed);
  BetterResult out;
  for (uint64_t seed : seeds) {
    auto ia = a.values.find(seed), ib = b.values.find(seed);
    if (ia == a.values.end() || ib == b.values.end() || !ia->second[rep] || !ia->second[wasted] ||
        !ib->second[rep] || !ib->second[wasted]) {
      out.no_data.push_back(seed);
      continue;
    }
    bool better = *ib->second[rep] < *ia->second[rep] && *ib->second[wasted] < *ia->second[wasted];
    (better ? out.better : out.not_better).push_back(seed);
  }
  return out;
}

std::string FormatTable(const std::vector<ScenarioResult>& results, const std::vector<uint64_t>& seeds) {
  const auto& metrics = Metrics();
  std::vector<std::string> names = ColumnNames(results);
  std::string out;

  // Rows of cells: [label, cell per scenario]. A metric cell is split into
  // mean and p95 so the " / " lines up within a column.
  struct Cell {
    std::string left, right;  // right empty: a plain cell
  };
  std::vector<std::string> labels;
  std::vector<std::vector<Cell>> rows;
  labels.push_back(fmt::format("mean / p95 over {}", Seeds(seeds)));
  rows.push_back({});
  for (size_t i = 0; i < results.size(); ++i) rows.back().push_back({names[i], ""});
  labels.push_back("runs with a summary");
  rows.push_back({});
  for (const auto& r : results) rows.back().push_back({fmt::format("{} of {}", r.ok, r.runs), ""});
  for (size_t m = 0; m < metrics.size(); ++m) {
    labels.push_back(metrics[m].label);
    rows.push_back({});
    for (const auto& r : results) {
      const auto& st = r.metrics[m];
      if (st.n == 0) rows.back().push_back({"-", ""});
      else rows.back().push_back({FormatValue(st.mean, metrics[m].unit, true), FormatValue(st.p95, metrics[m].unit, false)});
    }
  }
  size_t label_w = 0;
  for (const auto& l : labels) label_w = std::max(label_w, l.size());
  std::vector<size_t> left_w(results.size(), 0), right_w(results.size(), 0), plain_w(results.size(), 0);
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) {
      if (row[i].right.empty()) plain_w[i] = std::max(plain_w[i], row[i].left.size());
      else left_w[i] = std::max(left_w[i], row[i].left.size()), right_w[i] = std::max(right_w[i], row[i].right.size());
    }
  std::vector<size_t> col_w(results.size());
  for (size_t i = 0; i < results.size(); ++i) {
    size_t split = right_w[i] > 0 ? left_w[i] + 3 + right_w[i] : 0;
    col_w[i] = std::max(split, plain_w[i]);
    // Widen the mean part so split cells fill the column (right-aligned).
    if (right_w[i] > 0 && col_w[i] > split) left_w[i] += col_w[i] - split;
  }
  for (size_t r = 0; r < rows.size(); ++r) {
    std::string line = PadRight(labels[r], label_w);
    for (size_t i = 0; i < rows[r].size(); ++i) {
      const Cell& c = rows[r][i];
      std::string cell = c.right.empty() ? PadLeft(c.left, col_w[i])
                                         : PadLeft(c.left, left_w[i]) + " / " + PadRight(c.right, right_w[i]);
      line += "   " + PadRight(cell, col_w[i]);
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }

  // Missing values (runs whose summary lacked a metric).
  std::vector<std::string> missing;
  for (size_t m = 0; m < metrics.size(); ++m)
    for (size_t i = 0; i < results.size(); ++i)
      if (results[i].metrics[m].missing > 0)
        missing.push_back(fmt::format("  {}: {}: missing in {} of {} summaries", names[i], metrics[m].label,
                                      results[i].metrics[m].missing, results[i].ok));
  if (!missing.empty()) {
    out += "missing values (skipped):\n";
    for (const auto& l : missing) out += l + "\n";
  }

  out += "invariant failures:";
  bool any_inv = false;
  for (const auto& r : results) any_inv = any_inv || !r.invariant_failures.empty();
  if (!any_inv) out += " none";
  out += "\n";
  if (any_inv) {
    for (size_t i = 0; i < results.size(); ++i) {
      const auto& r = results[i];
      if (r.invariant_failures.empty()) {
        out += fmt::format("  {}: none\n", names[i]);
        continue;
      }
      for (const auto& [inv, failing] : r.invariant_failures) {
        const auto& reasons = r.invariant_reasons.at(inv);
        out += fmt::format("  {}: {}: {} (seed {}: {})\n", names[i], inv, Seeds(failing), failing.front(),
                           reasons.at(failing.front()));
      }
    }
  }

  for (size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    if (r.expectations_failed.empty()) continue;
    std::map<std::string, std::vector<uint64_t>> by_path;  // sorted by path
    for (const auto& [seed, paths] : r.expectations_failed)
      for (const auto& p : paths) by_path[p].push_back(seed);
    for (const auto& [path, failing] : by_path)
      out += fmt::format("expectation failed: {}: {}: {}\n", names[i], path, Seeds(failing));
  }

  for (size_t i = 0; i < results.size(); ++i)
    for (const auto& [seed, message] : results[i].errors)
      out += fmt::format("run failed: {} seed {}: {}\n", names[i], seed, message);

  if (results.size() == 2) {
    BetterResult b = CompareBetter(results[0], results[1]);
    size_t compared = b.better.size() + b.not_better.size();
    out += fmt::format("{} better than {} (fewer items reprocessed and less wasted cost): {} of {} seeds", names[1],
                       names[0], b.better.size(), compared);
    if (!b.not_better.empty()) out += fmt::format("; not on {}", Seeds(b.not_better));
    if (!b.no_data.empty()) out += fmt::format("; no data for {}", Seeds(b.no_data));
    out += "\n";
  }
  return out;
}

Json ToJson(const std::vector<ScenarioResult>& results, const std::vector<uint64_t>& seeds) {
  const auto& metrics = Metrics();
  std::vector<std::string> names = ColumnNames(results);
  Json j;
  j["seeds"] = FormatSeedRanges(seeds);
  j["runs_per_scenario"] = seeds.size();
  j["percentile"] = "p95 = nearest rank: sorted[ceil(0.95 n) - 1]";
  Json scen = Json::array();
  for (size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    Json s;
    s["scenario"] = r.name;
    s["column"] = names[i];
    s["file"] = r.file;
    s["runs"] = r.runs;
    s["ok"] = r.ok;
    Json mj = Json::object();
    for (size_t m = 0; m < metrics.size(); ++m) {
      const auto& st = r.metrics[m];
      Json one = {{"pointer", metrics[m].pointer}, {"n", st.n}, {"missing", st.missing}};
      if (st.n > 0) {
        one["mean"] = st.mean;
        one["p95"] = st.p95;
        one["min"] = st.min;
        one["max"] = st.max;
      } else {
        one["mean"] = one["p95"] = one["min"] = one["max"] = nullptr;
      }
      mj[metrics[m].name] = one;
    }
    s["metrics"] = mj;
    Json inv = Json::object();
    for (const auto& [name, failing] : r.invariant_failures) {
      Json reasons = Json::object();
      for (const auto& [seed, reason] : r.invariant_reasons.at(name)) reasons[std::to_string(seed)] = reason;
      inv[name] = {{"failed_seeds", failing}, {"failed", FormatSeedRanges(failing)}, {"reasons", reasons}};
    }
    s["invariant_failures"] = inv;
    Json per_seed = Json::array();
    for (const auto& [seed, code] : r.exit_codes) {
      Json row = {{"seed", seed}, {"exit_code", code}};
      auto v = r.values.find(seed);
      if (v != r.values.end())
        for (size_t m = 0; m < metrics.size(); ++m)
          row[metrics[m].name] = v->second[m] ? Json(*v->second[m]) : Json(nullptr);
      auto e = r.expectations_failed.find(seed);
      if (e != r.expectations_failed.end()) row["expectations_failed"] = e->second;
      auto err = r.errors.find(seed);
      if (err != r.errors.end()) row["error"] = err->second;
      per_seed.push_back(row);
    }
    s["per_seed"] = per_seed;
    scen.push_back(s);
  }
  j["scenarios"] = scen;
  if (results.size() == 2) {
    BetterResult b = CompareBetter(results[0], results[1]);
    j["b_better_than_a"] = {{"a", names[0]},
                            {"b", names[1]},
                            {"rule", "reprocessed(B) < reprocessed(A) and wasted_usd(B) < wasted_usd(A)"},
                            {"better", b.better.size()},
                            {"compared", b.better.size() + b.not_better.size()},
                            {"not_better_seeds", b.not_better},
                            {"no_data_seeds", b.no_data}};
  }
  return j;
}

}  // namespace sim::compare
