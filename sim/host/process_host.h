// Runs containers as real child processes and keeps them in lock-step with
// virtual time (docs/protocol.md): a worker's time-related calls block on a
// private channel, virtual time advances only when every live worker is
// blocked or gone, and runnable workers are resumed one at a time in an order
// drawn from the seed.
#ifndef ECSIM_SIM_HOST_PROCESS_HOST_H_
#define ECSIM_SIM_HOST_PROCESS_HOST_H_

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fakes/ecs/container_runtime.h"
#include "sim/base/document.h"
#include "sim/base/event_loop.h"
#include "sim/base/rng.h"
#include "sim/host/ground_truth.h"
#include "sim/host/wall_clock.h"
#include "worker/protocol.h"

namespace sim::host {

struct HostOptions {
  bool realtime = false;         // --clock realtime
  double speed = 1.0;            // --speed (realtime only)
  int64_t guard_ms = 10000;      // wall-clock guard per channel exchange
  std::string working_dir;       // cwd of every worker (the run directory)
  std::vector<std::pair<std::string, std::string>> extra_env;  // e.g. ECSIM_CHECKPOINT_DB
};

struct LogLine {
  Time at;
  std::string task_id, container, stream;  // stream: stdout | stderr
  std::string text;
};

// A worker's simulated AWS call (CALL <op> <json>). The handler answers now or
// later; until it does, the worker stays blocked. `cancel` is invoked if the
// worker is signalled or killed first.
struct CallContext {
  std::string task_id, container;
};
using CallReply = ecsim::protocol::Reply;
using CallHandler = std::function<std::function<void()>(const CallContext& ctx, const std::string& op,
                                                        const std::string& body, std::function<void(CallReply)> done)>;

class ProcessHost : public fakes::ecs::ContainerRuntime {
 public:
  ProcessHost(EventLoop& loop, Rng rng, HostOptions options, GroundTruth& truth);
  ~ProcessHost() override;
  ProcessHost(const ProcessHost&) = delete;
  ProcessHost& operator=(const ProcessHost&) = delete;

  Handle Start(const Spec& spec, std::function<void(const Exit&)> on_exit) override;
  void Signal(Handle handle, int signo) override;

  enum class Outcome { kIdle, kDone, kLimit, kInterrupted };
  // Serves workers and steps the event loop until nothing can happen, `done()`
  // holds, virtual time would pass `limit`, or `*interrupt` becomes true
  // (Ctrl-C; `interrupt_fd` is a self-pipe made readable by the handler).
  Outcome Run(Time limit, const std::function<bool()>& done);
  void SetInterrupt(const std::atomic<bool>* flag, int fd) {
    interrupt_flag_ = flag;
    interrupt_fd_ = fd;
  }
  // SIGKILLs and reaps every live worker (end of run, Ctrl-C, errors). With
  // notify=false their exits are not reported to the models: the run is over
  // and the tasks stay as they were.
  void KillAll(const std::string& why, bool notify);
  size_t live_workers() const;

  void SetLogSink(std::function<void(const LogLine&)> sink) { log_sink_ = std::move(sink); }
  // Notes for the run record: process.hung, process.protocol_error, ...
  void SetNoteSink(std::function<void(const std::string& task_id, const std::string& kind, const Json& data)> s) {
    note_sink_ = std::move(s);
  }
  void SetCallHandler(CallHandler h) { call_handler_ = std::move(h); }
  // Resolves argv[0]: a path with '/' as is, else next to ecsim, else PATH.
  // Empty if not found or not executable.
  static std::string ResolveExecutable(const std::string& name, const std::string& self_dir);
  void set_self_dir(std::string dir) { self_dir_ = std::move(dir); }

 private:
  enum class State { kRunning, kBlocked, kRunnable, kExited };
  struct Worker {
    Handle id = 0;
    std::string task_id, container;
    pid_t pid = -1;
    int sock = -1, out = -1, err = -1, pidfd = -1;
    State state = State::kRunning;
    bool hello = false;
    std::optional<ecsim::protocol::Reply> pending_reply;
    int pending_signal = 0;  // SIGTERM due before the worker first blocked
    // While blocked in SLEEP/WORK:
    ecsim::protocol::Verb blocked_verb = ecsim::protocol::Verb::kNow;
    int64_t item = -1;
    Time block_start{}, wake_at{};
    std::optional<EventId> wake_event;
    std::function<void()> cancel_call;
    std::string out_buf, err_buf;
    std::function<void(const Exit&)> on_exit;
    std::optional<int> exit_code;
    std::string exit_reason;
  };

  void Serve(Worker& w);
  bool HandleRequest(Worker& w, const std::string& message);  // true: w is blocked or gone
  void Block(Worker& w, ecsim::protocol::Verb verb, int64_t item, int64_t us);
  void Reply(Worker& w, const ecsim::protocol::Reply& r);
  void MakeRunnable(Worker& w, ecsim::protocol::Reply r);
  void ReadAvailable(Worker& w, bool final);
  void FlushLines(Worker& w, bool final);
  void Kill(Worker& w, const std::string& why);
  void Reap(Worker& w, bool killed);
  void Finish(Worker& w, std::optional<int> code, const std::string& reason);
  void Note(const Worker& w, const std::string& kind, Json data);
  void CancelBlock(Worker& w);
  Outcome RunVirtual(Time limit, const std::function<bool()>& done);
  Outcome RunRealtime(Time limit, const std::function<bool()>& done);
  bool Interrupted() const { return interrupt_flag_ && interrupt_flag_->load(); }

  EventLoop& loop_;
  Rng order_;
  HostOptions options_;
  GroundTruth& truth_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<Handle> runnable_;
  std::function<void(const LogLine&)> log_sink_;
  std::function<void(const std::string&, const std::string&, const Json&)> note_sink_;
  CallHandler call_handler_;
  const std::atomic<bool>* interrupt_flag_ = nullptr;
  int interrupt_fd_ = -1;
  std::string self_dir_;
  std::unique_ptr<RealtimeClock> realtime_;
};

}  // namespace sim::host

#endif  // ECSIM_SIM_HOST_PROCESS_HOST_H_
