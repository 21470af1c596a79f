// ecsim: the command line. Subcommands run, validate, logs, compare, queues
// and executions (docs/cli.md).
// Exit codes: 0 ran, 1 an expectation failed (or, with --check, an invariant),
// 2 bad input, 3 internal error, 130 interrupted.
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <sqlite3.h>

#include "sim/base/input_error.h"
#include "sim/compare/compare.h"
#include "sim/run/simulation.h"
#include "sim/scenario/scenario.h"

namespace fs = std::filesystem;

namespace {

std::atomic<bool> g_interrupted{false};
int g_interrupt_pipe[2] = {-1, -1};

void OnInterrupt(int) {
  g_interrupted.store(true);
  char c = 1;
  if (g_interrupt_pipe[1] >= 0) (void)!::write(g_interrupt_pipe[1], &c, 1);
}

std::string SelfDir() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string() : self.parent_path().string();
}

int BadInput(const std::string& message) {
  fmt::print(stderr, "ecsim: {}\n", message);
  return 2;
}

sqlite3* OpenRunDb(const std::string& run_dir);

int Logs(const std::string& run_dir, const std::string& task, const std::string& grep, const std::string& stream) {
  sqlite3* db = OpenRunDb(run_dir);
  if (!db) return 2;
  sqlite3_stmt* st = nullptr;
  const char* sql =
      "SELECT time_ms, task, container, stream, line FROM logs "
      "WHERE (?1 = '' OR task LIKE ?1 || '%') AND (?2 = '' OR instr(line, ?2) > 0) AND (?3 = '' OR stream = ?3) "
      "ORDER BY id";
  if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    return BadInput(fmt::format("{}: run.db has no logs table", run_dir));
  }
  sqlite3_bind_text(st, 1, task.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, grep.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 3, stream.c_str(), -1, SQLITE_TRANSIENT);
  int rows = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    int64_t ms = sqlite3_column_int64(st, 0);
    std::string t = reinterpret_cast<const char*>(sqlite3_column_text(st, 1));
    fmt::print("[{:>11}] task/{} {} {}{}\n", fmt::format("{}.{:03d}s", ms / 1000, ms % 1000), t.substr(0, 8),
               reinterpret_cast<const char*>(sqlite3_column_text(st, 2)),
               std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 3))) == "stderr" ? "! " : "| ",
               reinterpret_cast<const char*>(sqlite3_column_text(st, 4)));
    ++rows;
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  if (rows == 0) fmt::print(stderr, "ecsim logs: no matching lines\n");
  return 0;
}

// Opens RUN_DIR/run.db read-only; nullptr (after printing why) if it is not a run directory.
sqlite3* OpenRunDb(const std::string& run_dir) {
  fs::path db_path = fs::path(run_dir) / "run.db";
  if (!fs::exists(db_path)) {
    fmt::print(stderr, "ecsim: {}: not a run directory (no run.db)\n", run_dir);
    return nullptr;
  }
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    fmt::print(stderr, "ecsim: {}: cannot open run.db\n", run_dir);
    sqlite3_close(db);
    return nullptr;
  }
  return db;
}

std::string Text(sqlite3_stmt* st, int col) {
  const unsigned char* t = sqlite3_column_text(st, col);
  return t ? reinterpret_cast<const char*>(t) : "";
}

nlohmann::json Summary(sqlite3* db) {
  sqlite3_stmt* st = nullptr;
  nlohmann::json out;
  if (sqlite3_prepare_v2(db, "SELECT json FROM summary", -1, &st, nullptr) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
    out = nlohmann::json::parse(Text(st, 0), nullptr, false);
  sqlite3_finalize(st);
  return out;
}

// The queues of a run: counters, then every message left, with attributes
// (a dead-letter queue's ERROR_CODE, EXHAUSTED_RETRY_CONDITION, ...).
int Queues(const std::string& run_dir, const std::string& only) {
  sqlite3* db = OpenRunDb(run_dir);
  if (!db) return 2;
  nlohmann::json summary = Summary(db);
  if (!summary.contains("sqs")) {
    fmt::print("{}: this run had no SQS queues\n", run_dir);
    sqlite3_close(db);
    return 0;
  }
  for (const auto& q : summary["sqs"]["queues"]) {
    std::string name = q["name"];
    if (!only.empty() && name != only) continue;
    fmt::print("queue {}: {} visible, {} in flight; sent {}, received {}, redelivered {}, deleted {}, moved to DLQ {}, "
               "expired {}\n",
               name, q["visible"].get<int64_t>(), q["in_flight"].get<int64_t>(), q["sent"].get<int64_t>(),
               q["received"].get<int64_t>(), q["redelivered"].get<int64_t>(), q["deleted"].get<int64_t>(),
               q["moved_to_dlq"].get<int64_t>(), q["expired"].get<int64_t>());
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db,
                       "SELECT message_id, body, attributes, message_attributes FROM queue_messages "
                       "WHERE queue = ?1 ORDER BY rowid",
                       -1, &st, nullptr);
    sqlite3_bind_text(st, 1, name.c_str(), -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW) {
      fmt::print("  message {}\n    body: {}\n", Text(st, 0), Text(st, 1));
      auto attrs = nlohmann::json::parse(Text(st, 2), nullptr, false);
      if (attrs.is_object())
        for (auto it = attrs.begin(); it != attrs.end(); ++it)
          fmt::print("    {} = {}\n", it.key(), it.value().is_string() ? it.value().get<std::string>() : it.value().dump());
      auto mattrs = nlohmann::json::parse(Text(st, 3), nullptr, false);
      if (mattrs.is_object())
        for (auto it = mattrs.begin(); it != mattrs.end(); ++it)
          fmt::print("    {} = {}\n", it.key(), it.value().value("StringValue", it.value().dump()));
    }
    sqlite3_finalize(st);
  }
  if (summary.contains("sns") && !summary["sns"]["outbox"].empty()) {
    fmt::print("outbox:\n");
    for (const auto& m : summary["sns"]["outbox"])
      fmt::print("  {} to {}: {}\n", m["file"].get<std::string>(), m["to"].get<std::string>(), m["subject"].get<std::string>());
  }
  sqlite3_close(db);
  return 0;
}

// The Step Functions executions of a run and their history, as
// GetExecutionHistory lists it.
int Executions(const std::string& run_dir, bool json) {
  sqlite3* db = OpenRunDb(run_dir);
  if (!db) return 2;
  nlohmann::json summary = Summary(db);
  if (!summary.contains("stepfunctions")) {
    fmt::print("{}: this run had no Step Functions executions\n", run_dir);
    sqlite3_close(db);
    return 0;
  }
  for (const auto& x : summary["stepfunctions"]["executions"]) {
    std::string arn = x["arn"];
    fmt::print("execution {} {}{}\n", x["name"].get<std::string>(), x["status"].get<std::string>(),
               x.contains("error") ? " (" + x["error"].get<std::string>() + ")" : "");
    sqlite3_stmt* st = nullptr;
    sqlite3_prepare_v2(db, "SELECT id, type, timestamp, json FROM execution_history WHERE execution_arn = ?1 ORDER BY id",
                       -1, &st, nullptr);
    sqlite3_bind_text(st, 1, arn.c_str(), -1, SQLITE_TRANSIENT);
    while (sqlite3_step(st) == SQLITE_ROW) {
      if (json) {
        fmt::print("  {}\n", Text(st, 3));
        continue;
      }
      auto h = nlohmann::json::parse(Text(st, 3), nullptr, false);
      std::string detail;
      for (auto it = h.begin(); h.is_object() && it != h.end(); ++it) {
        if (it.key().size() < 12 || it.key().compare(it.key().size() - 12, 12, "EventDetails") != 0) continue;
        for (const char* k : {"name", "resource", "error"})
          if (it.value().contains(k)) detail += std::string(detail.empty() ? "" : " ") + it.value()[k].get<std::string>();
      }
      fmt::print("  {:>3} {} {:<24} {}\n", sqlite3_column_int64(st, 0), Text(st, 2), Text(st, 1), detail);
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return 0;
}

// Prepares the run directory: created if missing; an existing non-empty one
// only with --force (its contents are then removed).
int PrepareOutDir(const fs::path& dir, bool force) {
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir)) return BadInput(fmt::format("{}: exists and is not a directory", dir.string()));
    if (!fs::is_empty(dir)) {
      if (!force)
        return BadInput(fmt::format("{}: run directory exists and is not empty (use --force to overwrite)", dir.string()));
      for (const auto& entry : fs::directory_iterator(dir)) fs::remove_all(entry.path(), ec);
    }
  } else {
    fs::create_directories(dir, ec);
    if (ec) return BadInput(fmt::format("{}: cannot create run directory: {}", dir.string(), ec.message()));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"ecsim: an offline, deterministic simulator and test bench for batch jobs on Amazon ECS / Fargate"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "ecsim 0.1.0");

  std::string scenario_path, out_dir, clock = "virtual", guard;
  uint64_t seed = 0;
  double speed = 1.0;
  bool force = false, quiet = false, no_logs = false, check = false;
  auto* run = app.add_subcommand("run", "Run a scenario and write its run directory");
  run->add_option("scenario", scenario_path, "Scenario file (YAML)")->required();
  auto* seed_opt = run->add_option("--seed", seed, "Seed for every random choice (default: the scenario's)");
  run->add_option("--out", out_dir, "Run directory (default: runs/<scenario>-<seed>)");
  run->add_flag("--force", force, "Overwrite an existing non-empty run directory");
  run->add_option("--clock", clock, "virtual (deterministic, default) or realtime (real signals at scaled real time)")
      ->check(CLI::IsMember({"virtual", "realtime"}));
  auto* speed_opt =
      run->add_option("--speed", speed, "Realtime only: virtual seconds per real second")->check(CLI::PositiveNumber);
  run->add_option("--guard", guard,
                  "Wall-clock limit for a worker to reach the channel or make its next request (default 10s)");
  run->add_flag("--quiet,-q", quiet, "Print nothing but errors");
  run->add_flag("--no-logs", no_logs, "Leave worker log lines out of the console timeline");
  run->add_flag("--check", check, "Exit 1 when an invariant fails");

  std::vector<std::string> validate_paths;
  auto* validate = app.add_subcommand("validate", "Check scenario files without running them");
  validate->add_option("scenario", validate_paths, "Scenario files")->required();

  std::string logs_dir, logs_task, logs_grep, logs_stream;
  auto* logs = app.add_subcommand("logs", "Search the worker logs of a run (the seeds' 'search log group')");
  logs->add_option("run_dir", logs_dir, "Run directory")->required();
  logs->add_option("--task", logs_task, "Only this task (id or id prefix)");
  logs->add_option("--grep", logs_grep, "Only lines containing this text");
  logs->add_option("--stream", logs_stream, "stdout or stderr")->check(CLI::IsMember({"stdout", "stderr"}));

  std::string queues_dir, queues_only;
  auto* queues = app.add_subcommand("queues", "List a run's SQS queues and the messages left in them (DLQ attributes too)");
  queues->add_option("run_dir", queues_dir, "Run directory")->required();
  queues->add_option("--queue", queues_only, "Only this queue");

  std::string executions_dir;
  bool executions_json = false;
  auto* executions = app.add_subcommand("executions", "List a run's Step Functions executions and their history");
  executions->add_option("run_dir", executions_dir, "Run directory")->required();
  executions->add_flag("--json", executions_json, "Print each history event as AWS's JSON");

  sim::compare::CompareOptions compare_options;
  auto* compare = app.add_subcommand("compare", "Run scenarios over many seeds and compare their summaries");
  compare->add_option("scenarios", compare_options.scenarios, "Scenario files (one column each)")->required();
  compare->add_option("--seeds", compare_options.seeds, "Seeds: 1..50, 7, 1,3,5 or 1..10,20")->required();
  compare->add_option("--jobs,-j", compare_options.jobs, "Runs at a time (default: 2)")->check(CLI::Range(1, 64));
  compare->add_option("--json", compare_options.json_path, "JSON output file (default: compare.json)");
  compare->add_option("--keep", compare_options.keep_dir, "Keep the runs in DIR/<scenario>-<seed>");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  std::string self_dir = SelfDir();

  try {
    if (*logs) return Logs(logs_dir, logs_task, logs_grep, logs_stream);
    if (*compare) return sim::compare::RunCompare(compare_options);
    if (*queues) return Queues(queues_dir, queues_only);
    if (*executions) return Executions(executions_dir, executions_json);
    if (*validate) {
      for (const auto& p : validate_paths) {
        auto s = sim::scenario::LoadScenario(p, self_dir);
        fmt::print("{}: ok ({} task definition(s), {} action(s))\n", p, s.task_definitions.size(), s.actions.size());
        for (const auto& td : s.task_definitions)
          if (!td.ignored_fields.empty()) {
            std::string fields;
            for (const auto& f : td.ignored_fields) fields += (fields.empty() ? "" : ", ") + f;
            fmt::print("  {}: accepted, not modelled: {}\n", td.family, fields);
          }
      }
      return 0;
    }
    // run
    if (clock != "realtime" && *speed_opt) return BadInput("--speed needs --clock realtime");
    auto scenario = sim::scenario::LoadScenario(scenario_path, self_dir);
    sim::run::RunOptions options;
    if (*seed_opt) options.seed = seed;
    uint64_t effective_seed = options.seed.value_or(scenario.seed);
    if (!guard.empty()) {
      auto d = sim::ParseDuration(guard);
      if (!d || *d < sim::Millis(100)) return BadInput(fmt::format("--guard: '{}' is not a duration of at least 100ms", guard));
      options.guard_ms = sim::ToMicros(*d) / 1000;
    }
    if (out_dir.empty()) out_dir = (fs::path("runs") / fmt::format("{}-{}", scenario.name, effective_seed)).string();
    if (int rc = PrepareOutDir(out_dir, force)) return rc;
    options.out_dir = fs::absolute(out_dir).lexically_normal().string();
    options.realtime = clock == "realtime";
    options.speed = speed;
    options.self_dir = self_dir;
    options.console = quiet ? nullptr : stdout;
    options.console_logs = !no_logs;
    options.check = check;

    if (::pipe2(g_interrupt_pipe, O_CLOEXEC | O_NONBLOCK) == 0) options.interrupt_fd = g_interrupt_pipe[0];
    options.interrupt = &g_interrupted;
    struct sigaction sa {};
    sa.sa_handler = OnInterrupt;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    auto result = sim::run::RunScenario(scenario, options);
    std::fflush(stdout);
    return result.exit_code;
  } catch (const sim::InputError& e) {
    return BadInput(e.what());
  } catch (const std::exception& e) {
    fmt::print(stderr, "ecsim: internal error: {}\n", e.what());
    return 3;
  }
}
