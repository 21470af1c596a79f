#include "worker/client.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "worker/protocol.h"

namespace ecsim::client {
namespace proto = ecsim::protocol;

namespace {

[[noreturn]] void Die(const char* what) {
  std::fprintf(stderr, "ecsim client: %s (errno %d)\n", what, errno);
  std::fflush(stderr);
  _exit(70);
}

bool SignalIgnored(int signo) {
  struct sigaction current {};
  if (sigaction(signo, nullptr, &current) != 0) return false;
  return current.sa_handler == SIG_IGN;
}

int64_t RealNowUs() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000 + ts.tv_nsec / 1000;
}

// Standalone: a real sleep that a signal handler interrupts.
WaitResult RealSleep(int64_t us) {
  timespec req{static_cast<time_t>(us / 1000000), static_cast<long>(us % 1000000) * 1000};
  timespec rem{};
  while (nanosleep(&req, &rem) != 0) {
    if (errno != EINTR) break;
    return {true, static_cast<int64_t>(rem.tv_sec) * 1000000 + rem.tv_nsec / 1000};
  }
  return {};
}

}  // namespace

Client& Client::Get() {
  static Client* client = new Client();  // never destroyed: usable from handlers at exit
  return *client;
}

Client::Client() {
  const char* env = std::getenv(proto::kControlFdEnv);
  if (env == nullptr || *env == '\0') return;
  fd_ = std::atoi(env);
  std::string reply;
  proto::Request hello{proto::Verb::kHello, static_cast<int64_t>(getpid()), proto::kVersion, {}, {}};
  if (!Exchange(proto::Encode(hello), reply)) Die("cannot reach the simulator on the control channel");
}

bool Client::Notify(const std::string& message) {
  std::fflush(stdout);
  std::fflush(stderr);
  while (send(fd_, message.data(), message.size(), MSG_NOSIGNAL) < 0) {
    if (errno != EINTR) return false;
  }
  return true;
}

bool Client::Exchange(const std::string& request, std::string& reply) {
  // Everything printed so far is flushed first, so the simulator can stamp
  // each line with the virtual time at which it was written.
  std::fflush(stdout);
  std::fflush(stderr);
  while (send(fd_, request.data(), request.size(), MSG_NOSIGNAL) < 0) {
    if (errno != EINTR) return false;
  }
  char buf[proto::kMaxMessage];
  ssize_t n;
  while ((n = recv(fd_, buf, sizeof buf, 0)) < 0) {
    if (errno != EINTR) return false;
  }
  if (n == 0) return false;
  reply.assign(buf, static_cast<size_t>(n));
  if (auto r = proto::DecodeReply(reply)) now_us_ = r->now_us;
  return true;
}

int64_t Client::NowMs() {
  if (!simulated()) return RealNowUs() / 1000;
  return now_us_ / 1000;
}

WaitResult Client::Wait(int64_t us, int64_t item) {
  while (true) {
    proto::Request req;
    if (item >= 0) {
      req = {proto::Verb::kWork, item, us, {}, {}};
    } else {
      req = {proto::Verb::kSleep, us, 0, {}, {}};
    }
    std::string reply;
    if (!Exchange(proto::Encode(req), reply)) Die("control channel closed");
    auto r = proto::DecodeReply(reply);
    if (!r) Die("malformed reply");
    if (r->kind != proto::ReplyKind::kSignal) return {};
    if (SignalIgnored(r->signo)) {
      // An ignored signal does not interrupt anything: keep waiting.
      us = r->remaining_us;
      if (us <= 0) return {};
      continue;
    }
    // Runs the worker's own handler now, in this thread, at the virtual
    // instant the signal was due; the default action ends the process.
    std::raise(r->signo);
    return {true, r->remaining_us};
  }
}

WaitResult Client::Sleep(int64_t us) {
  if (!simulated()) return RealSleep(us);
  return Wait(us, -1);
}

WaitResult Client::Work(int64_t item, int64_t us) {
  if (!simulated()) return RealSleep(us);
  return Wait(us, item);
}

void Client::Committed(int64_t item) {
  if (!simulated()) return;
  if (!Notify(proto::Encode(proto::Request{proto::Verb::kCommit, item, 0, {}, {}}))) Die("control channel closed");
}

void Client::Job(int64_t total, int64_t start) {
  if (!simulated()) return;
  if (!Notify(proto::Encode(proto::Request{proto::Verb::kJob, total, start, {}, {}}))) Die("control channel closed");
}

CallResult Client::Call(const std::string& operation, const std::string& json_args) {
  if (!simulated()) return {false, {}, "NotAvailable simulated AWS APIs need the simulator"};
  while (true) {
    std::string reply;
    if (!Exchange(proto::Encode(proto::Request{proto::Verb::kCall, 0, 0, operation, json_args}), reply))
      Die("control channel closed");
    auto r = proto::DecodeReply(reply);
    if (!r) Die("malformed reply");
    switch (r->kind) {
      case proto::ReplyKind::kOk: return {true, r->body, {}};
      case proto::ReplyKind::kError: return {false, {}, r->body};
      case proto::ReplyKind::kSignal:
        if (!SignalIgnored(r->signo)) {
          std::raise(r->signo);
          return {false, {}, "Interrupted the call was interrupted by a signal"};
        }
        break;  // ignored: the simulator re-issues nothing; ask again
    }
  }
}

}  // namespace ecsim::client
