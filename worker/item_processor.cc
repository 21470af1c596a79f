#include "worker/item_processor.h"

#include <string>

namespace ecsim::worker {

std::string ItemResult(int64_t item) { return std::to_string(item * item); }

int RunCleanup(const Options& o, WorkerEnv& env, int64_t item) {
  env.out("Received SIGTERM. Shutting down gracefully...");
  env.out("Cleanup: " + std::to_string(o.cleanup_ms) + " ms");
  env.runtime.Sleep(o.cleanup_ms * 1000);
  env.out("Cleanup done. Shutting down completed at item " + std::to_string(item));
  return 0;
}

int RunItems(const Options& o, WorkerEnv& env) {
  Runtime& rt = env.runtime;
  auto strategy = *ParseResumeStrategy(o.resume);
  int64_t probes = 0;
  int64_t start = env.store.ResumeIndex(strategy, probes);
  if (start > 0 || o.resume != "none") {
    env.out("Checkpoint table read (" + o.resume + "): " + std::to_string(probes) + " probe(s)");
  }
  if (o.read_ms > 0 && probes > 0) rt.Sleep(probes * o.read_ms * 1000);
  env.out("Starting at " + std::to_string(start));
  rt.Job(o.items, start);

  auto shutdown = [&](int64_t item, int64_t remaining_us) -> int {
    if (o.on_sigterm == "cleanup") return RunCleanup(o, env, item);
    // graceful
    if (item >= 0 && (remaining_us == 0 || o.finish_item)) {
      if (remaining_us > 0) rt.Work(item, remaining_us);
      env.store.Commit(item, ItemResult(item), env.writer, rt.NowMs());
      rt.Committed(item);
      env.out("Received SIGTERM: finished item " + std::to_string(item) + ", exiting");
    } else {
      env.out("Received SIGTERM: abandoning item " + std::to_string(item) + ", exiting");
    }
    return 0;
  };

  for (int64_t i = start; i < o.items; ++i) {
    auto r = rt.Work(i, o.item_ms * 1000);
    if (r.interrupted && env.terminate) return shutdown(i, r.remaining_us);
    if (!env.store.Commit(i, ItemResult(i), env.writer, rt.NowMs())) {
      env.err("checkpoint write failed at item " + std::to_string(i) + ": " + env.store.last_error());
      return 1;
    }
    rt.Committed(i);
    if (o.log_every > 0 && (i % o.log_every == 0 || i + 1 == o.items)) env.out("Processed item " + std::to_string(i));
    if (env.terminate) return shutdown(-1, 0);
  }
  env.out("Job complete: " + std::to_string(o.items) + " items");
  return 0;
}

}  // namespace ecsim::worker
