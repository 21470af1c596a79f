// The lock-step control protocol between the simulator and a worker process.
// One message per SOCK_SEQPACKET datagram, ASCII, space-separated; see
// docs/protocol.md. Shared by the simulator and the client library.
#ifndef ECSIM_WORKER_PROTOCOL_H_
#define ECSIM_WORKER_PROTOCOL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ecsim::protocol {

inline constexpr int kVersion = 1;
// Name of the environment variable holding the inherited channel's fd number.
inline constexpr const char* kControlFdEnv = "ECSIM_CONTROL_FD";
inline constexpr size_t kMaxMessage = 65536;

enum class Verb {
  kHello,   // HELLO <pid> <version>            -> OK <now>
  kNow,     // NOW                              -> OK <now>
  kSleep,   // SLEEP <us>                        -> OK <now> | SIG <signo> <now> <remaining_us>
  kWork,    // WORK <item> <us>                  -> OK <now> | SIG ...   (ground truth of work done)
  kCommit,  // COMMIT <item>                     (notification, no reply: item durably checkpointed)
  kJob,     // JOB <total> <start>               (notification, no reply: job size, first index)
  kCall,    // CALL <service.op> <json>          -> OK <now> <json> | ERR <now> <code> <message> | SIG ...
};

// COMMIT and JOB are one-way: the worker does not wait, the simulator reads
// them in order before the worker's next request.
inline bool IsNotification(Verb v) { return v == Verb::kCommit || v == Verb::kJob; }

struct Request {
  Verb verb = Verb::kNow;
  int64_t a = 0;     // pid / us / item / total
  int64_t b = 0;     // version / us / start
  std::string text;  // CALL: operation name
  std::string body;  // CALL: JSON arguments
};

enum class ReplyKind { kOk, kSignal, kError };

struct Reply {
  ReplyKind kind = ReplyKind::kOk;
  int64_t now_us = 0;
  int signo = 0;
  int64_t remaining_us = 0;
  std::string body;  // OK: optional JSON result; ERR: "<code> <message>"
};

std::string Encode(const Request& r);
std::string Encode(const Reply& r);
// nullopt on anything malformed: the simulator treats that as garbage on the
// channel and reports the worker.
std::optional<Request> DecodeRequest(std::string_view message);
std::optional<Reply> DecodeReply(std::string_view message);
std::string_view VerbName(Verb v);

}  // namespace ecsim::protocol

#endif  // ECSIM_WORKER_PROTOCOL_H_
