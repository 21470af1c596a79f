#include "worker/worker_options.h"

#include <array>

namespace ecsim::worker {

namespace {

constexpr std::array<const char*, 3> kItemOnly = {"--resume", "--read-ms", "--log-every"};
constexpr std::array<const char*, 6> kQueueOnly = {"--wait-s", "--idle-polls", "--batch",
                                                   "--visibility-s", "--heartbeat", "--skip-done"};

}  // namespace

void AddOptions(CLI::App& app, Options& o) {
  app.add_option("--items", o.items, "Item mode: number of items to process (0..N-1). Queue mode: the job's size")
      ->check(CLI::Range(int64_t{0}, int64_t{1} << 40));
  app.add_option("--item-ms", o.item_ms, "Time one item costs, in milliseconds")
      ->check(CLI::Range(int64_t{0}, int64_t{86400000}));
  app.add_option("--db", o.db, "SQLite checkpoint file (default: $ECSIM_CHECKPOINT_DB, else ./checkpoint.db)");
  app.add_option("--on-sigterm", o.on_sigterm,
                 "default (die, exit 143) | graceful (stop after the current item, exit 0) | "
                 "cleanup (handler takes --cleanup-ms, then exit 0) | ignore")
      ->check(CLI::IsMember({"default", "graceful", "cleanup", "ignore"}));
  app.add_option("--cleanup-ms", o.cleanup_ms, "Time the cleanup handler takes, in milliseconds")
      ->check(CLI::NonNegativeNumber);
  app.add_flag("--finish-item", o.finish_item,
               "graceful: finish and commit the interrupted item instead of abandoning it");
  app.add_option("--fail-runs", o.fail_runs, "Fail (exit --fail-exit-code) on the first N runs against this checkpoint file")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--fail-exit-code", o.fail_exit_code, "Exit code of a failing run")->check(CLI::Range(1, 255));
  app.add_option("--startup-ms", o.startup_ms, "Time spent starting up before the first item, in milliseconds")
      ->check(CLI::NonNegativeNumber);

  app.add_option("--resume", o.resume,
                 "Item mode: where to start: none (index 0), scan (probe 0,1,2,... like continueAt()), "
                 "indexed (MAX(idx)+1)")
      ->check(CLI::IsMember({"none", "scan", "indexed"}));
  app.add_option("--read-ms", o.read_ms, "Item mode: time one checkpoint probe costs while resuming, in milliseconds")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--log-every", o.log_every, "Item mode: print a progress line every N items (0: never)")
      ->check(CLI::NonNegativeNumber);

  app.add_option("--queue", o.queue,
                 "Queue mode: consume items from this SQS queue (URL, ARN or name; default $ECSIM_QUEUE_URL; "
                 "'' forces item mode). Needs the simulator");
  app.add_option("--wait-s", o.wait_s, "Queue mode: long-poll WaitTimeSeconds (0..20)")
      ->check(CLI::Range(int64_t{0}, int64_t{20}));
  app.add_option("--visibility-s", o.visibility_s,
                 "Queue mode: VisibilityTimeout asked for on each receive, in seconds (0: the queue's own)")
      ->check(CLI::Range(int64_t{0}, int64_t{43200}));
  app.add_option("--idle-polls", o.idle_polls,
                 "Queue mode: exit 0 after N consecutive empty receives (0: never, needs --wait-s > 0)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--batch", o.batch, "Queue mode: MaxNumberOfMessages per receive (1..10)")
      ->check(CLI::Range(int64_t{1}, int64_t{10}));
  app.add_flag("--heartbeat", o.heartbeat,
               "Queue mode: extend the visibility of received messages every --visibility-s/2 while working");
  app.add_flag("--skip-done", o.skip_done,
               "Queue mode: delete a message whose item is already checkpointed without working on it");
}

std::string FinishOptions(const CLI::App& app, Options& o, const char* queue_env, const char* db_env) {
  if (o.db.empty()) o.db = db_env && *db_env ? db_env : "checkpoint.db";
  // --queue on the command line wins over the environment, even when empty.
  if (app.count("--queue") == 0 && queue_env) o.queue = queue_env;
  if (o.queue_mode()) {
    for (const char* name : kItemOnly) {
      if (app.count(name) > 0)
        return std::string(name) + " applies to item mode only (in queue mode the queue holds the work left)";
    }
    if (o.heartbeat && o.visibility_s == 0)
      return "--heartbeat needs --visibility-s > 0 (the timeout it keeps extending)";
    if (o.idle_polls == 0 && o.wait_s == 0)
      return "--idle-polls 0 (poll forever) needs --wait-s > 0: short polls of an empty queue would spin";
  } else {
    for (const char* name : kQueueOnly) {
      if (app.count(name) > 0) return std::string(name) + " applies to queue mode only: give --queue (or $" +
                                      kQueueUrlEnv + ")";
    }
  }
  return "";
}

}  // namespace ecsim::worker
