// Queue mode ("improvement 3" of seed 000): work items arrive as SQS messages
// that several workers consume; a message is deleted only after its item is
// checkpointed, so an interrupted item comes back after its visibility timeout
// (at-least-once processing).
#ifndef ECSIM_WORKER_QUEUE_CONSUMER_H_
#define ECSIM_WORKER_QUEUE_CONSUMER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "worker/runtime.h"
#include "worker/worker_options.h"

namespace ecsim::worker {

// The item a message body names: {"item": k} (other keys ignored) or a bare
// JSON integer k, with 0 <= k < items. Otherwise nullopt and `error` says why.
std::optional<int64_t> ParseItemBody(std::string_view body, int64_t items, std::string& error);

// One message of a ReceiveMessage result.
struct ReceivedMessage {
  std::string message_id;
  std::string receipt_handle;
  std::string body;
  int64_t receive_count = -1;  // Attributes.ApproximateReceiveCount; -1 if absent
};

// Parses a ReceiveMessage result ({"Messages": [...]}; a missing or empty
// Messages is an empty receive). False, with `error`, on a malformed result.
bool ParseReceiveResult(std::string_view json, std::vector<ReceivedMessage>& out, std::string& error);

// The JSON arguments of the sqs.ReceiveMessage call the options ask for.
std::string ReceiveMessageArgs(const Options& o);

// The one-line error queue mode gives when not running under the simulator.
std::string NeedsSimulatorMessage(const Options& o);

// Runs queue mode: announces the job (o.items, start 0), then receives,
// works, checkpoints and deletes until --idle-polls consecutive empty
// receives or a SIGTERM the options make it survive. Returns the process exit
// code: 0 idle or stopped on SIGTERM; 1 a ReceiveMessage error, a malformed
// result or a failed checkpoint write; 2 not running under the simulator.
// REQUIRES: o.queue_mode(); the SIGTERM disposition is installed.
int RunQueue(const Options& o, WorkerEnv& env);

}  // namespace ecsim::worker

#endif  // ECSIM_WORKER_QUEUE_CONSUMER_H_
