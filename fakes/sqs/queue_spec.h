// An SQS queue definition read from CreateQueue input exactly as AWS writes it.
#ifndef ECSIM_FAKES_SQS_QUEUE_SPEC_H_
#define ECSIM_FAKES_SQS_QUEUE_SPEC_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "sim/base/document.h"
#include "sim/base/input_error.h"
#include "sim/base/time.h"

namespace fakes::sqs {

// Limits from the SQS API reference (aws-behavior.md section 7).
inline constexpr int64_t kMaxVisibilityTimeoutS = 43200;     // 12 h
inline constexpr int64_t kDefaultVisibilityTimeoutS = 30;
inline constexpr int64_t kMinRetentionS = 60;
inline constexpr int64_t kMaxRetentionS = 1209600;           // 14 days
inline constexpr int64_t kDefaultRetentionS = 345600;        // 4 days
inline constexpr int64_t kMaxWaitTimeS = 20;
inline constexpr int64_t kMaxDelayS = 900;
inline constexpr int64_t kMinMessageSize = 1024;
inline constexpr int64_t kMaxMessageSize = 1048576;          // 1 MiB since Aug 2025
inline constexpr int64_t kDefaultMessageSize = 262144;       // 256 KiB
inline constexpr int64_t kMaxReceiveCountLimit = 1000;

struct RedrivePolicy {
  std::string dead_letter_target_arn;
  int64_t max_receive_count = 0;  // 1..1000
  sim::SourceLocation where;      // of deadLetterTargetArn, for Validate()
};

struct QueueSpec {
  std::string name;
  bool fifo = false;
  bool content_based_deduplication = false;  // FIFO only
  sim::Duration visibility_timeout = sim::Seconds(kDefaultVisibilityTimeoutS);
  sim::Duration retention = sim::Seconds(kDefaultRetentionS);
  sim::Duration receive_wait = sim::Duration(0);
  sim::Duration delay = sim::Duration(0);
  int64_t maximum_message_size = kDefaultMessageSize;
  std::optional<RedrivePolicy> redrive;
  std::map<std::string, std::string> tags;
  sim::SourceLocation where;  // of the queue document
};

// Reads CreateQueue input: {QueueName, Attributes{...}, tags{...}}. Attribute
// values may be strings as AWS takes them ("30") or numbers. RedrivePolicy may
// be a JSON string (as in the API) or an object. Unknown keys and attributes,
// out-of-range values and malformed names throw sim::InputError naming file,
// line and key. Cross-queue checks (DLQ exists, same type) are done later by
// SqsService::Validate().
QueueSpec LoadQueue(const sim::Node& create_queue_input);

}  // namespace fakes::sqs

#endif  // ECSIM_FAKES_SQS_QUEUE_SPEC_H_
