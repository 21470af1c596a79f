#include "sim/host/process_host.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include <boost/process.hpp>
#include <boost/process/extend.hpp>
#include <fmt/format.h>

namespace sim::host {
namespace bp = boost::process;
namespace proto = ecsim::protocol;

namespace {

// Runs in the child between fork and exec.
struct ChildSetup : bp::extend::handler {
  int control_fd;
  pid_t parent;
  template <class Executor>
  void on_exec_setup(Executor&) const {
    ::setpgid(0, 0);  // Ctrl-C reaches ecsim, which stops its workers itself
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the simulator
    if (::getppid() != parent) ::_exit(125);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    // Everything but stdio and the control channel closes at exec.
#ifdef SYS_close_range
    if (::syscall(SYS_close_range, 3U, ~0U, 4U /* CLOSE_RANGE_CLOEXEC */) != 0)
#endif
      for (int fd = 3; fd < 1024; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    if (control_fd >= 0) ::fcntl(control_fd, F_SETFD, 0);
  }
};

void SetNonBlocking(int fd) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  ::fcntl(fd, F_SETFD, FD_CLOEXEC);
}

void CloseFd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

std::string Printable(const std::string& s) {
  std::string out;
  for (unsigned char c : s.substr(0, 120)) out += (c >= 0x20 && c < 0x7f) ? static_cast<char>(c) : '?';
  return out;
}

}  // namespace

ProcessHost::ProcessHost(EventLoop& loop, Rng rng, HostOptions options, GroundTruth& truth)
    : loop_(loop), order_(rng.Fork("host.order")), options_(std::move(options)), truth_(truth) {}

ProcessHost::~ProcessHost() { KillAll("simulator shutting down", false); }

std::string ProcessHost::ResolveExecutable(const std::string& name, const std::string& self_dir) {
  auto executable = [](const std::string& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(p.c_str(), X_OK) == 0;
  };
  if (name.empty()) return {};
  if (name.find('/') != std::string::npos) return executable(name) ? name : std::string();
  if (!self_dir.empty() && executable(self_dir + "/" + name)) return self_dir + "/" + name;
  const char* path = std::getenv("PATH");
  std::string p = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= p.size()) {
    size_t end = p.find(':', start);
    std::string dir = p.substr(start, end == std::string::npos ? std::string::npos : end - start);
    if (!dir.empty() && executable(dir + "/" + name)) return dir + "/" + name;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return {};
}

ProcessHost::Handle ProcessHost::Start(const Spec& spec, std::function<void(const Exit&)> on_exit) {
  auto w = std::make_unique<Worker>();
  w->id = workers_.size();
  w->task_id = spec.task_id;
  w->container = spec.container;
  w->on_exit = std::move(on_exit);
  Worker& worker = *w;
  workers_.push_back(std::move(w));

  std::string exe = spec.argv.empty() ? std::string() : ResolveExecutable(spec.argv[0], self_dir_);
  if (exe.empty()) {
    Finish(worker, std::nullopt,
           fmt::format("CannotStartContainerError: exec: \"{}\": executable file not found in $PATH",
                       spec.argv.empty() ? "" : spec.argv[0]));
    return worker.id;
  }

  int pair[2] = {-1, -1};
  if (!options_.realtime && ::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
    Finish(worker, std::nullopt, fmt::format("CannotStartContainerError: socketpair: {}", std::strerror(errno)));
    return worker.id;
  }
  bp::environment env;
  // A container sees its task definition's environment, not ecsim's: only
  // these pass through (sanitizer options so instrumented workers report).
  for (const char* inherit : {"PATH", "HOME", "LANG", "TMPDIR", "ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"})
    if (const char* v = std::getenv(inherit)) env[inherit] = v;
  for (const auto& [k, v] : options_.extra_env) env[k] = v;
  for (const auto& [k, v] : spec.env) env[k] = v;
  if (!options_.realtime) env[proto::kControlFdEnv] = std::to_string(pair[1]);

  bp::pipe out_pipe, err_pipe;
  std::vector<std::string> args(spec.argv.begin() + 1, spec.argv.end());
  std::error_code ec;
  ChildSetup setup;
  setup.control_fd = options_.realtime ? -1 : pair[1];
  setup.parent = ::getpid();
  bp::child child;
  if (options_.working_dir.empty()) {
    child = bp::child(bp::exe = exe, bp::args = args, bp::env = env, bp::std_out > out_pipe, bp::std_err > err_pipe,
                      bp::std_in < bp::null, setup, ec);
  } else {
    child = bp::child(bp::exe = exe, bp::args = args, bp::env = env, bp::std_out > out_pipe, bp::std_err > err_pipe,
                      bp::std_in < bp::null, bp::start_dir = options_.working_dir, setup, ec);
  }
  if (pair[1] >= 0) ::close(pair[1]);
  // Boost.Process 1.74 has no close_sink(): take the fds over by hand.
  ::close(out_pipe.native_sink());
  out_pipe.assign_sink(-1);
  ::close(err_pipe.native_sink());
  err_pipe.assign_sink(-1);
  worker.out = out_pipe.native_source();
  out_pipe.assign_source(-1);
  worker.err = err_pipe.native_source();
  err_pipe.assign_source(-1);
  SetNonBlocking(worker.out);
  SetNonBlocking(worker.err);
  if (ec) {
    CloseFd(pair[0]);
    CloseFd(worker.out);
    CloseFd(worker.err);
    Finish(worker, std::nullopt, fmt::format("CannotStartContainerError: {}", ec.message()));
    return worker.id;
  }
  worker.pid = child.id();
  child.detach();  // reaped with waitpid below, never by Boost (see docs/protocol.md)
  worker.sock = pair[0];
  worker.pidfd = static_cast<int>(::syscall(SYS_pidfd_open, worker.pid, 0));
  if (worker.pidfd >= 0) ::fcntl(worker.pidfd, F_SETFD, FD_CLOEXEC);
  worker.state = State::kRunnable;  // served before virtual time moves on
  runnable_.push_back(worker.id);
  return worker.id;
}

void ProcessHost::Note(const Worker& w, const std::string& kind, Json data) {
  if (note_sink_) {
    Json d = {{"container", w.container}};
    for (auto it = data.begin(); it != data.end(); ++it) d[it.key()] = it.value();
    note_sink_(w.task_id, kind, d);
  }
}

void ProcessHost::Reply(Worker& w, const proto::Reply& r) {
  std::string msg = proto::Encode(r);
  while (::send(w.sock, msg.data(), msg.size(), MSG_NOSIGNAL) < 0) {
    if (errno == EINTR) continue;
    break;  // the worker is gone; its exit is noticed by Serve
  }
  w.state = State::kRunning;
}

void ProcessHost::MakeRunnable(Worker& w, proto::Reply r) {
  w.pending_reply = std::move(r);
  if (w.state != State::kRunnable) {
    w.state = State::kRunnable;
    runnable_.push_back(w.id);
  }
}

void ProcessHost::Block(Worker& w, proto::Verb verb, int64_t item, int64_t us) {
  w.blocked_verb = verb;
  w.item = item;
  w.block_start = loop_.Now();
  w.wake_at = loop_.Now() + Duration(us);
  if (w.pending_signal != 0) {
    int signo = w.pending_signal;
    w.pending_signal = 0;
    if (verb == proto::Verb::kWork) truth_.OnWorkInterrupted(w.task_id, item, Duration(0), loop_.Now());
    MakeRunnable(w, {proto::ReplyKind::kSignal, ToMicros(loop_.Now()), signo, us, {}});
    return;
  }
  w.state = State::kBlocked;
  Handle id = w.id;
  w.wake_event = loop_.At(w.wake_at, [this, id] {
    Worker& w = *workers_[id];
    w.wake_event.reset();
    if (w.blocked_verb == proto::Verb::kWork)
      truth_.OnWorkDone(w.task_id, w.item, w.wake_at - w.block_start, loop_.Now());
    MakeRunnable(w, {proto::ReplyKind::kOk, ToMicros(loop_.Now()), 0, 0, {}});
  });
}

bool ProcessHost::HandleRequest(Worker& w, const std::string& message) {
  auto req = proto::DecodeRequest(message);
  if (!req || (!w.hello && req->verb != proto::Verb::kHello) || (w.hello && req->verb == proto::Verb::kHello)) {
    Note(w, "process.protocol_error", {{"message", Printable(message)}});
    Kill(w, "garbage on the control channel");
    return true;
  }
  proto::Reply ok{proto::ReplyKind::kOk, ToMicros(loop_.Now()), 0, 0, {}};
  switch (req->verb) {
    case proto::Verb::kHello:
      if (req->b != proto::kVersion) {
        Note(w, "process.protocol_error", {{"message", fmt::format("protocol version {} (expected {})", req->b, proto::kVersion)}});
        Kill(w, "protocol version mismatch");
        return true;
      }
      w.hello = true;
      Reply(w, ok);
      return false;
    case proto::Verb::kNow:
      Reply(w, ok);
      return false;
    case proto::Verb::kCommit:  // notifications: no reply
      truth_.OnCommit(w.task_id, req->a, loop_.Now());
      return false;
    case proto::Verb::kJob:
      truth_.OnJob(w.task_id, req->a, req->b, loop_.Now());
      return false;
    case proto::Verb::kSleep:
      Block(w, proto::Verb::kSleep, -1, req->a);
      return true;
    case proto::Verb::kWork:
      Block(w, proto::Verb::kWork, req->a, req->b);
      return true;
    case proto::Verb::kCall: {
      if (!call_handler_) {
        Reply(w, {proto::ReplyKind::kError, ToMicros(loop_.Now()), 0, 0, "NotAvailable no simulated AWS APIs in this run"});
        return false;
      }
      if (w.pending_signal != 0) {
        int signo = w.pending_signal;
        w.pending_signal = 0;
        MakeRunnable(w, {proto::ReplyKind::kSignal, ToMicros(loop_.Now()), signo, 0, {}});
        return true;
      }
      w.state = State::kBlocked;
      w.blocked_verb = proto::Verb::kCall;
      Handle id = w.id;
      auto cancel = call_handler_({w.task_id, w.container}, req->text, req->body, [this, id](proto::Reply r) {
        Worker& w = *workers_[id];
        if (w.state != State::kBlocked || w.blocked_verb != proto::Verb::kCall) return;  // cancelled
        w.cancel_call = nullptr;
        r.now_us = ToMicros(loop_.Now());
        MakeRunnable(w, std::move(r));
      });
      // The handler may have answered at once; keep the cancel only while it has not.
      if (w.state == State::kBlocked) w.cancel_call = std::move(cancel);
      return true;
    }
  }
  return true;
}

void ProcessHost::ReadAvailable(Worker& w, bool final) {
  char buf[65536];
  for (int* fd : {&w.out, &w.err}) {
    std::string& target = fd == &w.out ? w.out_buf : w.err_buf;
    while (*fd >= 0) {
      ssize_t n = ::read(*fd, buf, sizeof buf);
      if (n > 0) {
        target.append(buf, static_cast<size_t>(n));
        continue;
      }
      if (n == 0) CloseFd(*fd);
      else if (errno == EINTR) continue;
      else if (errno != EAGAIN || final) {
        if (final && errno == EAGAIN) {
          // A grandchild may still hold the pipe: stop reading, keep nothing waiting.
          CloseFd(*fd);
        } else if (errno != EAGAIN) {
          CloseFd(*fd);
        }
      }
      break;
    }
  }
}

void ProcessHost::FlushLines(Worker& w, bool final) {
  for (auto* pair : {&w.out_buf, &w.err_buf}) {
    const char* stream = pair == &w.out_buf ? "stdout" : "stderr";
    size_t start = 0, nl;
    while ((nl = pair->find('\n', start)) != std::string::npos) {
      if (log_sink_) log_sink_({loop_.Now(), w.task_id, w.container, stream, pair->substr(start, nl - start)});
      start = nl + 1;
    }
    pair->erase(0, start);
    if (final && !pair->empty()) {
      if (log_sink_) log_sink_({loop_.Now(), w.task_id, w.container, stream, *pair});
      pair->clear();
    }
  }
}

void ProcessHost::CancelBlock(Worker& w) {
  if (w.wake_event) {
    loop_.Cancel(*w.wake_event);
    w.wake_event.reset();
  }
  if (w.cancel_call) {
    auto cancel = std::move(w.cancel_call);
    w.cancel_call = nullptr;
    cancel();
  }
}

void ProcessHost::Finish(Worker& w, std::optional<int> code, const std::string& reason) {
  CancelBlock(w);
  w.state = State::kExited;
  w.exit_code = code;
  w.exit_reason = reason;
  runnable_.erase(std::remove(runnable_.begin(), runnable_.end(), w.id), runnable_.end());
  CloseFd(w.sock);
  CloseFd(w.pidfd);
  CloseFd(w.out);
  CloseFd(w.err);
  Handle id = w.id;
  loop_.At(loop_.Now(), [this, id] {
    Worker& w = *workers_[id];
    if (w.on_exit) {
      auto cb = std::move(w.on_exit);
      w.on_exit = nullptr;
      cb({w.exit_code, w.exit_reason});
    }
  });
}

void ProcessHost::Reap(Worker& w, bool killed) {
  // When a container's main process ends, whatever it started ends with it
  // (Docker kills the rest of the container). The zombie still holds the
  // process group id, so this cannot hit a stranger.
  ::kill(-w.pid, SIGKILL);
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(w.pid, &status, 0);
  } while (r < 0 && errno == EINTR);
  ReadAvailable(w, true);
  FlushLines(w, true);
  std::optional<int> code;
  if (r == w.pid) {
    if (WIFEXITED(status)) code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status)) code = 128 + WTERMSIG(status);  // Docker-style: 143 SIGTERM, 137 SIGKILL
  } else {
    code = killed ? 137 : 255;
  }
  Finish(w, code, "");
}

void ProcessHost::Kill(Worker& w, const std::string& why) {
  if (w.state == State::kExited) return;
  (void)why;
  if (w.state == State::kBlocked && w.blocked_verb == proto::Verb::kWork && w.wake_event)
    truth_.OnWorkInterrupted(w.task_id, w.item, loop_.Now() - w.block_start, loop_.Now());
  // The whole process group, as a container's processes die together.
  if (::kill(-w.pid, SIGKILL) != 0) ::kill(w.pid, SIGKILL);
  Reap(w, true);
}

void ProcessHost::Signal(Handle handle, int signo) {
  if (handle >= workers_.size()) return;
  Worker& w = *workers_[handle];
  if (w.state == State::kExited || w.pid < 0) return;
  if (signo == SIGKILL) return Kill(w, "SIGKILL");
  if (options_.realtime) {
    ::kill(w.pid, signo);
    return;
  }
  switch (w.state) {
    case State::kBlocked:
      if (w.blocked_verb == proto::Verb::kWork || w.blocked_verb == proto::Verb::kSleep) {
        int64_t remaining = ToMicros(w.wake_at - loop_.Now());
        if (remaining == 0) {
          // The wait ends at this very instant: it completed, and the signal
          // lands right after it, at the worker's next blocking call.
          CancelBlock(w);
          if (w.blocked_verb == proto::Verb::kWork)
            truth_.OnWorkDone(w.task_id, w.item, w.wake_at - w.block_start, loop_.Now());
          w.pending_signal = signo;
          MakeRunnable(w, {proto::ReplyKind::kOk, ToMicros(loop_.Now()), 0, 0, {}});
          break;
        }
        if (w.blocked_verb == proto::Verb::kWork)
          truth_.OnWorkInterrupted(w.task_id, w.item, loop_.Now() - w.block_start, loop_.Now());
        CancelBlock(w);
        MakeRunnable(w, {proto::ReplyKind::kSignal, ToMicros(loop_.Now()), signo, remaining, {}});
      } else {
        CancelBlock(w);  // a call in progress (long poll): interrupted
        MakeRunnable(w, {proto::ReplyKind::kSignal, ToMicros(loop_.Now()), signo, 0, {}});
      }
      break;
    case State::kRunnable:
    case State::kRunning:
      // Its reply (if any) stands: a completed call keeps its result. The
      // signal is delivered at the worker's next blocking call, at this same
      // virtual instant, since no time passes while it runs.
      w.pending_signal = signo;
      break;
    case State::kExited:
      break;
  }
}

void ProcessHost::Serve(Worker& w) {
  if (w.pending_reply) {
    proto::Reply r = *w.pending_reply;
    w.pending_reply.reset();
    Reply(w, r);
  } else {
    w.state = State::kRunning;
  }
  int64_t deadline = WallNowMs() + options_.guard_ms;
  char buf[proto::kMaxMessage + 1];
  while (w.state == State::kRunning) {
    pollfd fds[5];
    int n = 0;
    int sock_i = -1, out_i = -1, err_i = -1, pid_i = -1, int_i = -1;
    if (w.sock >= 0) fds[sock_i = n++] = {w.sock, POLLIN, 0};
    if (w.out >= 0) fds[out_i = n++] = {w.out, POLLIN, 0};
    if (w.err >= 0) fds[err_i = n++] = {w.err, POLLIN, 0};
    if (w.pidfd >= 0) fds[pid_i = n++] = {w.pidfd, POLLIN, 0};
    if (interrupt_fd_ >= 0) fds[int_i = n++] = {interrupt_fd_, POLLIN, 0};
    int64_t wait_ms = std::max<int64_t>(0, deadline - WallNowMs());
    if (w.pidfd < 0) wait_ms = std::min<int64_t>(wait_ms, 10);  // no pidfd: poll for the exit
    int rc = ::poll(fds, static_cast<nfds_t>(n), static_cast<int>(wait_ms));
    if (rc < 0 && errno != EINTR) break;
    if (Interrupted() || (int_i >= 0 && (fds[int_i].revents & POLLIN))) return;
    if ((out_i >= 0 && fds[out_i].revents) || (err_i >= 0 && fds[err_i].revents)) ReadAvailable(w, false);
    if (sock_i >= 0 && fds[sock_i].revents) {
      ssize_t got = ::recv(w.sock, buf, sizeof buf, MSG_DONTWAIT);
      if (got > 0) {
        ReadAvailable(w, false);
        FlushLines(w, false);
        if (static_cast<size_t>(got) > proto::kMaxMessage) {
          Note(w, "process.protocol_error", {{"message", "message too long"}});
          Kill(w, "garbage on the control channel");
          return;
        }
        if (HandleRequest(w, std::string(buf, static_cast<size_t>(got)))) return;
        deadline = WallNowMs() + options_.guard_ms;
        continue;
      }
      if (got == 0 || (errno != EAGAIN && errno != EINTR)) CloseFd(w.sock);  // channel closed: wait for the exit
    }
    bool exited = false;
    if (pid_i >= 0 && (fds[pid_i].revents & POLLIN)) exited = true;
    if (w.pidfd < 0) {
      // No pidfd (old kernel): peek with WNOWAIT, which leaves the zombie for Reap.
      siginfo_t info{};
      if (::waitid(P_PID, static_cast<id_t>(w.pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == w.pid)
        exited = true;
    }
    if (exited) {
      Reap(w, false);
      return;
    }
    if (WallNowMs() >= deadline) {
      Note(w, "process.hung",
           {{"guard_ms", options_.guard_ms},
            {"detail", w.hello ? "no request on the control channel within the wall-clock guard"
                               : "never reached the control channel within the wall-clock guard"}});
      Kill(w, "hung");
      return;
    }
  }
}

ProcessHost::Outcome ProcessHost::Run(Time limit, const std::function<bool()>& done) {
  return options_.realtime ? RunRealtime(limit, done) : RunVirtual(limit, done);
}

ProcessHost::Outcome ProcessHost::RunVirtual(Time limit, const std::function<bool()>& done) {
  while (true) {
    while (!runnable_.empty()) {
      if (Interrupted()) return Outcome::kInterrupted;
      size_t pick = order_.Uniform(runnable_.size());
      Handle id = runnable_[pick];
      runnable_.erase(runnable_.begin() + static_cast<long>(pick));
      Serve(*workers_[id]);
    }
    if (Interrupted()) return Outcome::kInterrupted;
    if (done()) return Outcome::kDone;
    auto next = loop_.NextTime();
    if (!next || (loop_.IdleExceptBackground() && live_workers() == 0)) return Outcome::kIdle;
    if (*next > limit) {
      loop_.RunUntil(limit);
      return Outcome::kLimit;
    }
    loop_.Step();
  }
}

ProcessHost::Outcome ProcessHost::RunRealtime(Time limit, const std::function<bool()>& done) {
  if (!realtime_) realtime_ = std::make_unique<RealtimeClock>(options_.speed);
  while (true) {
    if (Interrupted()) return Outcome::kInterrupted;
    Time now = std::min(realtime_->VirtualNow(), limit);
    if (now < loop_.Now()) now = loop_.Now();
    loop_.RunUntil(now);
    runnable_.clear();  // no lock-step in realtime mode
    if (done()) return Outcome::kDone;
    if (loop_.Now() >= limit) return Outcome::kLimit;
    if (live_workers() == 0 && loop_.IdleExceptBackground()) return Outcome::kIdle;
    int64_t wait_ms = 100;
    if (auto next = loop_.NextTime()) wait_ms = std::min<int64_t>(wait_ms, realtime_->WallMsUntil(*next));
    std::vector<pollfd> fds;
    std::vector<Handle> owners;
    for (auto& w : workers_) {
      if (w->state == State::kExited) continue;
      for (int fd : {w->out, w->err, w->pidfd})
        if (fd >= 0) {
          fds.push_back({fd, POLLIN, 0});
          owners.push_back(w->id);
        }
    }
    if (interrupt_fd_ >= 0) {
      fds.push_back({interrupt_fd_, POLLIN, 0});
      owners.push_back(~Handle{0});
    }
    ::poll(fds.data(), fds.size(), static_cast<int>(std::min<int64_t>(wait_ms, 10)));
    loop_.RunUntil(std::max(loop_.Now(), std::min(realtime_->VirtualNow(), limit)));
    for (size_t i = 0; i < fds.size(); ++i) {
      if (!fds[i].revents || owners[i] == ~Handle{0}) continue;
      Worker& w = *workers_[owners[i]];
      if (w.state == State::kExited) continue;
      if (fds[i].fd == w.pidfd) {
        Reap(w, false);
      } else {
        ReadAvailable(w, false);
        FlushLines(w, false);
      }
    }
    for (auto& w : workers_) {  // no pidfd: poll for exits
      if (w->state == State::kExited || w->pidfd >= 0 || w->pid < 0) continue;
      siginfo_t info{};
      if (::waitid(P_PID, static_cast<id_t>(w->pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == w->pid)
        Reap(*w, false);
    }
  }
}

void ProcessHost::KillAll(const std::string& why, bool notify) {
  for (auto& w : workers_)
    if (w->state != State::kExited && w->pid > 0) {
      Note(*w, "process.killed", {{"reason", why}});
      if (!notify) w->on_exit = nullptr;  // the run is over: the models are not told
      Kill(*w, why);
    }
}

size_t ProcessHost::live_workers() const {
  return static_cast<size_t>(std::count_if(workers_.begin(), workers_.end(),
                                           [](const auto& w) { return w->state != State::kExited; }));
}

}  // namespace sim::host
