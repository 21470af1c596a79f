// The client library a worker links to live in the simulator's virtual time.
// With ECSIM_CONTROL_FD set it talks to the simulator over the inherited
// channel; without it every call falls back to real time, so the same binary
// runs standalone and in production.
#ifndef ECSIM_WORKER_CLIENT_H_
#define ECSIM_WORKER_CLIENT_H_

#include <cstdint>
#include <string>

namespace ecsim::client {

struct WaitResult {
  bool interrupted = false;   // a signal handler ran during the wait
  int64_t remaining_us = 0;   // what was left of the wait when it was interrupted
};

struct CallResult {
  bool ok = false;
  std::string body;   // JSON result when ok
  std::string error;  // "<code> <message>" when !ok
};

class Client {
 public:
  // The process-wide client, connected on first use.
  static Client& Get();

  bool simulated() const { return fd_ >= 0; }
  // Milliseconds since the start of the run (virtual), or since the Unix epoch
  // when standalone.
  int64_t NowMs();
  // Blocks for `us` microseconds of (virtual) time. If SIGTERM arrives while
  // waiting: an ignored signal is ignored; the default action ends the process
  // (exit 143); a handler runs, and the wait returns early with the remainder.
  WaitResult Sleep(int64_t us);
  // Like Sleep, and tells the simulator that the time is work on `item`. It is
  // the simulator's ground truth of work done.
  WaitResult Work(int64_t item, int64_t us);
  // Tells the simulator that `item` is durably checkpointed.
  void Committed(int64_t item);
  // Announces the job: `total` items, processing starts at `start`.
  void Job(int64_t total, int64_t start);
  // A simulated AWS API call ("sqs.ReceiveMessage", JSON arguments). Blocks in
  // virtual time as the API would (long polling). Standalone: not available.
  CallResult Call(const std::string& operation, const std::string& json_args);

 private:
  Client();
  bool Exchange(const std::string& request, std::string& reply);
  bool Notify(const std::string& message);
  WaitResult Wait(int64_t us, int64_t item);  // item < 0: plain sleep

  int fd_ = -1;
  // Virtual time cannot move while this process runs (lock-step), so the
  // time of the last reply is the current virtual time: NowMs() needs no
  // round trip.
  int64_t now_us_ = 0;
};

}  // namespace ecsim::client

#endif  // ECSIM_WORKER_CLIENT_H_
