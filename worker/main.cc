// ecsim-worker: the reference batch worker. Item mode processes items 0..N-1,
// each costing a configurable amount of (virtual) time, and checkpoints each
// finished item to SQLite; queue mode takes the items from an SQS queue
// instead. Linked against the ecsim client, it lives in the simulator's
// virtual time; standalone it runs in real time (item mode only).
// Every mode and option: docs/worker.md.
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include <CLI/CLI.hpp>

#include "worker/checkpoint_store.h"
#include "worker/client.h"
#include "worker/item_processor.h"
#include "worker/queue_consumer.h"
#include "worker/runtime.h"
#include "worker/worker_options.h"

namespace {

volatile std::sig_atomic_t g_terminate = 0;
void OnSigterm(int) { g_terminate = 1; }

void Say(std::string_view line) { std::printf("%.*s\n", static_cast<int>(line.size()), line.data()); }
void Complain(std::string_view line) { std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data()); }

}  // namespace

int main(int argc, char** argv) {
  namespace w = ecsim::worker;
  w::Options o;
  CLI::App app{"ecsim-worker: a checkpointing batch worker for ecsim (and for real use)"};
  w::AddOptions(app, o);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : 2;
  }
  if (std::string error = w::FinishOptions(app, o, std::getenv(w::kQueueUrlEnv), std::getenv("ECSIM_CHECKPOINT_DB"));
      !error.empty()) {
    Complain("ecsim-worker: " + error);
    return 2;
  }
  const char* task = std::getenv("ECSIM_TASK_ID");
  std::string writer = task && *task ? task : "standalone";

  // SIGTERM disposition: the handler only sets a flag; the loops react as
  // soon as the interrupted wait returns, in virtual time or real time alike.
  if (o.on_sigterm == "ignore") {
    std::signal(SIGTERM, SIG_IGN);
  } else if (o.on_sigterm != "default") {
    struct sigaction sa {};
    sa.sa_handler = OnSigterm;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, nullptr);
  }

  auto& client = ecsim::client::Client::Get();
  // Standalone (or ecsim --clock realtime), stdout is a pipe or a log driver:
  // line-buffer it so a SIGKILL does not swallow what was already printed.
  // Under the simulator the client flushes before every request anyway.
  if (!client.simulated()) std::setvbuf(stdout, nullptr, _IOLBF, 0);
  if (o.queue_mode() && !client.simulated()) {
    Complain(w::NeedsSimulatorMessage(o));
    return 2;
  }
  std::string error;
  auto store = w::CheckpointStore::Open(o.db, error);
  if (!store) {
    Complain("cannot open checkpoint database " + o.db + ": " + error);
    return 2;
  }
  int64_t run = store->BumpRunCount();
  if (o.startup_ms > 0) client.Sleep(o.startup_ms * 1000);
  if (run <= o.fail_runs) {
    std::fprintf(stderr, "Simulated failure on run %lld of %lld: exiting with %d\n", static_cast<long long>(run),
                 static_cast<long long>(o.fail_runs), o.fail_exit_code);
    return o.fail_exit_code;
  }

  w::ClientRuntime runtime(client);
  w::WorkerEnv env{runtime, *store, writer, g_terminate, Say, Complain};
  return o.queue_mode() ? w::RunQueue(o, env) : w::RunItems(o, env);
}
