// ecsim-worker: the reference batch worker. Processes items 0..N-1, each
// costing a configurable amount of (virtual) time, and checkpoints each
// finished item to SQLite. Linked against the ecsim client, it lives in the
// simulator's virtual time; standalone it runs in real time.
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <CLI/CLI.hpp>

#include "worker/checkpoint_store.h"
#include "worker/client.h"

namespace {

volatile std::sig_atomic_t g_terminate = 0;
void OnSigterm(int) { g_terminate = 1; }

struct Options {
  int64_t items = 100;
  int64_t item_ms = 1000;
  std::string db;
  std::string resume = "none";
  int64_t read_ms = 0;
  std::string on_sigterm = "default";
  int64_t cleanup_ms = 5000;
  bool finish_item = false;
  int64_t log_every = 1;
  int64_t fail_runs = 0;
  int fail_exit_code = 1;
  int64_t startup_ms = 0;
};

void Say(const std::string& line) { std::printf("%s\n", line.c_str()); }

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"ecsim-worker: a checkpointing batch worker for ecsim (and for real use)"};
  app.add_option("--items", o.items, "Number of items to process (0..N-1)")->check(CLI::Range(int64_t{0}, int64_t{1} << 40));
  app.add_option("--item-ms", o.item_ms, "Time one item costs, in milliseconds")->check(CLI::Range(int64_t{0}, int64_t{86400000}));
  app.add_option("--db", o.db, "SQLite checkpoint file (default: $ECSIM_CHECKPOINT_DB, else ./checkpoint.db)");
  app.add_option("--resume", o.resume, "Where to start: none (index 0), scan (probe 0,1,2,... like continueAt()), indexed (MAX(idx)+1)")
      ->check(CLI::IsMember({"none", "scan", "indexed"}));
  app.add_option("--read-ms", o.read_ms, "Time one checkpoint probe costs while resuming, in milliseconds")->check(CLI::NonNegativeNumber);
  app.add_option("--on-sigterm", o.on_sigterm,
                 "default (die, exit 143) | graceful (stop after the current item, exit 0) | "
                 "cleanup (handler takes --cleanup-ms, then exit 0) | ignore")
      ->check(CLI::IsMember({"default", "graceful", "cleanup", "ignore"}));
  app.add_option("--cleanup-ms", o.cleanup_ms, "Time the cleanup handler takes, in milliseconds")->check(CLI::NonNegativeNumber);
  app.add_flag("--finish-item", o.finish_item, "graceful: finish and commit the interrupted item instead of abandoning it");
  app.add_option("--log-every", o.log_every, "Print a progress line every N items (0: never)")->check(CLI::NonNegativeNumber);
  app.add_option("--fail-runs", o.fail_runs, "Fail (exit --fail-exit-code) on the first N runs against this checkpoint file")->check(CLI::NonNegativeNumber);
  app.add_option("--fail-exit-code", o.fail_exit_code, "Exit code of a failing run")->check(CLI::Range(1, 255));
  app.add_option("--startup-ms", o.startup_ms, "Time spent starting up before the first item, in milliseconds")->check(CLI::NonNegativeNumber);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  if (o.db.empty()) {
    const char* env = std::getenv("ECSIM_CHECKPOINT_DB");
    o.db = env && *env ? env : "checkpoint.db";
  }
  const char* task = std::getenv("ECSIM_TASK_ID");
  std::string writer = task && *task ? task : "standalone";

  // SIGTERM disposition: the handler only sets a flag; the main loop reacts
  // as soon as the interrupted wait returns, in virtual time or real time alike.
  if (o.on_sigterm == "ignore") {
    std::signal(SIGTERM, SIG_IGN);
  } else if (o.on_sigterm != "default") {
    struct sigaction sa {};
    sa.sa_handler = OnSigterm;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, nullptr);
  }

  auto& client = ecsim::client::Client::Get();
  std::string error;
  auto store = ecsim::worker::CheckpointStore::Open(o.db, error);
  if (!store) {
    std::fprintf(stderr, "cannot open checkpoint database %s: %s\n", o.db.c_str(), error.c_str());
    return 2;
  }
  int64_t run = store->BumpRunCount();
  if (o.startup_ms > 0) client.Sleep(o.startup_ms * 1000);
  if (run <= o.fail_runs) {
    std::fprintf(stderr, "Simulated failure on run %lld of %lld: exiting with %d\n", static_cast<long long>(run),
                 static_cast<long long>(o.fail_runs), o.fail_exit_code);
    return o.fail_exit_code;
  }

  auto strategy = *ecsim::worker::ParseResumeStrategy(o.resume);
  int64_t probes = 0;
  int64_t start = store->ResumeIndex(strategy, probes);
  if (start > 0 || o.resume != "none") {
    Say("Checkpoint table read (" + o.resume + "): " + std::to_string(probes) + " probe(s)");
  }
  if (o.read_ms > 0 && probes > 0) client.Sleep(probes * o.read_ms * 1000);
  Say("Starting at " + std::to_string(start));
  client.Job(o.items, start);

  auto shutdown = [&](int64_t item, int64_t remaining_us) -> int {
    if (o.on_sigterm == "cleanup") {
      Say("Received SIGTERM. Shutting down gracefully...");
      Say("Cleanup: " + std::to_string(o.cleanup_ms) + " ms");
      client.Sleep(o.cleanup_ms * 1000);
      Say("Cleanup done. Shutting down completed at item " + std::to_string(item));
      return 0;
    }
    // graceful
    if (item >= 0 && (remaining_us == 0 || o.finish_item)) {
      if (remaining_us > 0) client.Work(item, remaining_us);
      store->Commit(item, std::to_string(item * item), writer, client.NowMs());
      client.Committed(item);
      Say("Received SIGTERM: finished item " + std::to_string(item) + ", exiting");
    } else {
      Say("Received SIGTERM: abandoning item " + std::to_string(item) + ", exiting");
    }
    return 0;
  };

  for (int64_t i = start; i < o.items; ++i) {
    auto r = client.Work(i, o.item_ms * 1000);
    if (r.interrupted && g_terminate) return shutdown(i, r.remaining_us);
    if (!store->Commit(i, std::to_string(i * i), writer, client.NowMs())) {
      std::fprintf(stderr, "checkpoint write failed at item %lld: %s\n", static_cast<long long>(i),
                   store->last_error().c_str());
      return 1;
    }
    client.Committed(i);
    if (o.log_every > 0 && (i % o.log_every == 0 || i + 1 == o.items)) Say("Processed item " + std::to_string(i));
    if (g_terminate) return shutdown(-1, 0);
  }
  Say("Job complete: " + std::to_string(o.items) + " items");
  return 0;
}
