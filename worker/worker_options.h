// ecsim-worker's command line: the options of item mode and queue mode, and
// the cross-checks CLI11 cannot express (which options belong to which mode).
#ifndef ECSIM_WORKER_WORKER_OPTIONS_H_
#define ECSIM_WORKER_WORKER_OPTIONS_H_

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

namespace ecsim::worker {

// Name of the environment variable that switches to queue mode by default.
inline constexpr const char* kQueueUrlEnv = "ECSIM_QUEUE_URL";

struct Options {
  // Both modes.
  int64_t items = 100;  // item mode: items 0..N-1; queue mode: the job's size (bodies must be < items)
  int64_t item_ms = 1000;
  std::string db;
  std::string on_sigterm = "default";  // default | graceful | cleanup | ignore
  int64_t cleanup_ms = 5000;
  bool finish_item = false;
  int64_t fail_runs = 0;
  int fail_exit_code = 1;
  int64_t startup_ms = 0;
  // Item mode only.
  std::string resume = "none";
  int64_t read_ms = 0;
  int64_t log_every = 1;
  // Queue mode (queue non-empty) only.
  std::string queue;          // QueueUrl: URL, ARN or bare name
  int64_t wait_s = 20;        // WaitTimeSeconds 0..20
  int64_t visibility_s = 0;   // VisibilityTimeout 0..43200; 0: the queue's own
  int64_t idle_polls = 2;     // exit after this many consecutive empty receives; 0: never
  int64_t batch = 1;          // MaxNumberOfMessages 1..10
  bool heartbeat = false;     // ChangeMessageVisibility every visibility_s / 2 while working
  bool skip_done = false;     // delete, without work, messages whose item is already committed

  bool queue_mode() const { return !queue.empty(); }
};

// Registers every option (with its range check) on `app`, bound to `o`.
void AddOptions(CLI::App& app, Options& o);

// After a successful app.parse(): fills defaults from the environment
// (`queue_env` = $ECSIM_QUEUE_URL, `db_env` = $ECSIM_CHECKPOINT_DB; either may
// be null) and checks that no option of the other mode was given. Returns ""
// or a one-line error (the caller exits 2).
std::string FinishOptions(const CLI::App& app, Options& o, const char* queue_env, const char* db_env);

}  // namespace ecsim::worker

#endif  // ECSIM_WORKER_WORKER_OPTIONS_H_
