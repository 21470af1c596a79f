// Item mode: processes items start..N-1 in order, checkpointing each one, and
// resumes from the checkpoint table as --resume says (seeds 000 and 001).
#ifndef ECSIM_WORKER_ITEM_PROCESSOR_H_
#define ECSIM_WORKER_ITEM_PROCESSOR_H_

#include <cstdint>

#include "worker/runtime.h"
#include "worker/worker_options.h"

namespace ecsim::worker {

// The checkpointed result of `item` (what both modes write).
std::string ItemResult(int64_t item);

// The --on-sigterm=cleanup handler: logs, spends --cleanup-ms, logs. `item`
// is the item in progress (-1: none). Returns the exit code (0).
int RunCleanup(const Options& o, WorkerEnv& env, int64_t item);

// Runs item mode to the end, or to a SIGTERM the options make it survive.
// Returns the process exit code: 0 done or stopped on SIGTERM, 1 checkpoint
// write failed.
// REQUIRES: !o.queue_mode(); the SIGTERM disposition is installed.
int RunItems(const Options& o, WorkerEnv& env);

}  // namespace ecsim::worker

#endif  // ECSIM_WORKER_ITEM_PROCESSOR_H_
