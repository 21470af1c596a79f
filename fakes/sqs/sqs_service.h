// Amazon SQS in virtual time: queues, visibility timeout, long polling,
// redrive to a dead-letter queue, retention, and the AWS/SQS gauges.
#ifndef ECSIM_FAKES_SQS_SQS_SERVICE_H_
#define ECSIM_FAKES_SQS_SQS_SERVICE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fakes/sqs/queue_spec.h"
#include "sim/base/document.h"
#include "sim/base/event_loop.h"
#include "sim/base/rng.h"
#include "sim/base/time.h"

namespace fakes::sqs {

// An API outcome as data. code is empty on success, otherwise the error code
// as the AWS SDKs report it (e.g. "AWS.SimpleQueueService.NonExistentQueue").
struct Status {
  std::string code;
  std::string message;
  bool ok() const { return code.empty(); }
};

// Error codes (the legacy query-protocol names the SDKs still surface).
inline constexpr char kNonExistentQueue[] = "AWS.SimpleQueueService.NonExistentQueue";
inline constexpr char kReceiptHandleIsInvalid[] = "ReceiptHandleIsInvalid";
inline constexpr char kMessageNotInflight[] = "AWS.SimpleQueueService.MessageNotInflight";
inline constexpr char kInvalidParameterValue[] = "InvalidParameterValue";
inline constexpr char kMissingParameter[] = "MissingParameter";

// One message attribute as AWS writes it: DataType "String", "Number" or
// "Binary" (optionally with a ".custom" suffix) and its value.
struct MessageAttributeValue {
  std::string data_type = "String";
  std::string string_value;
  std::string binary_value;  // base64 text, kept verbatim
  bool operator==(const MessageAttributeValue&) const = default;
};
using MessageAttributes = std::map<std::string, MessageAttributeValue>;

// {"name": {"DataType": ..., "StringValue": ...}} in name order.
sim::Json MessageAttributesToJson(const MessageAttributes& attributes);
// The inverse; returns a non-ok Status (InvalidParameterValue) on a bad shape.
Status MessageAttributesFromJson(const sim::Json& json, MessageAttributes* out);

struct SendMessageRequest {
  std::string queue;  // URL, ARN or bare name
  std::string body;
  MessageAttributes message_attributes;
  std::optional<sim::Duration> delay;  // 0..900 s; overrides the queue's DelaySeconds
  std::string message_group_id;        // FIFO queues: required
  std::string message_deduplication_id;  // FIFO queues without ContentBasedDeduplication: required
};

struct SendMessageResult {
  Status status;
  std::string message_id;
  std::string sequence_number;  // FIFO queues only
};

struct ReceiveMessageRequest {
  std::string queue;  // URL, ARN or bare name
  int max_number_of_messages = 1;           // 1..10
  std::optional<sim::Duration> wait_time;   // 0..20 s; default: queue's ReceiveMessageWaitTimeSeconds
  std::optional<sim::Duration> visibility_timeout;  // 0..43200 s; default: queue's VisibilityTimeout
};

// One element of a ReceiveMessage response.
struct ReceivedMessage {
  std::string message_id;
  std::string receipt_handle;
  std::string body;
  // System attributes, string-valued as AWS returns them: SentTimestamp,
  // ApproximateReceiveCount, ApproximateFirstReceiveTimestamp (+ MessageGroupId,
  // SequenceNumber, MessageDeduplicationId on FIFO queues).
  sim::Json attributes = sim::Json::object();
  MessageAttributes message_attributes;
  // {MessageId, ReceiptHandle, Body, Attributes, MessageAttributes}.
  sim::Json ToJson() const;
};

// Runs exactly once per accepted ReceiveMessage, with 0..max messages.
using ReceiveCallback = std::function<void(std::vector<ReceivedMessage> messages)>;

// Per-queue counters for the report. A redrive move counts as moved_to_dlq on
// the source queue and as redriven_in on the DLQ, never as sent (the
// NumberOfMessagesSent metric does not count it either).
struct QueueCounters {
  int64_t sent = 0;
  int64_t deduplicated = 0;  // FIFO sends dropped as duplicates
  int64_t received = 0;      // message deliveries
  int64_t redelivered = 0;   // deliveries with ApproximateReceiveCount > 1
  int64_t deleted = 0;
  int64_t moved_to_dlq = 0;
  int64_t redriven_in = 0;
  int64_t expired = 0;
};

// The ApproximateNumberOfMessages* gauges at the current virtual time.
struct QueueMetrics {
  int64_t visible = 0;      // ApproximateNumberOfMessagesVisible
  int64_t not_visible = 0;  // ApproximateNumberOfMessagesNotVisible (in flight)
  int64_t delayed = 0;      // ApproximateNumberOfMessagesDelayed
};

class SqsService {
 public:
  using Sink = std::function<void(const sim::Json& event)>;
  using ChangeListener = std::function<void(const std::string& queue_name)>;

  // epoch_ms: the UTC wall time (ms) of virtual time zero, used for the
  // timestamps in message attributes and events. rng is forked per use.
  // *loop must outlive this service; pending events are cancelled on destruction.
  SqsService(sim::EventLoop& loop, sim::Rng rng, int64_t epoch_ms, std::string region, std::string account);
  ~SqsService();
  SqsService(const SqsService&) = delete;
  SqsService& operator=(const SqsService&) = delete;

  // Records "sqs.*" events: {"type", "time" (ISO-8601), "queue", ...}.
  void set_sink(Sink sink) { sink_ = std::move(sink); }
  // Called (synchronously) after anything that may change a queue's gauges.
  void AddChangeListener(ChangeListener listener) { listeners_.push_back(std::move(listener)); }

  // Adds a queue. A second queue with the same name is an InputError at spec.where.
  void CreateQueue(QueueSpec spec);
  // Cross-checks once all queues are known: every RedrivePolicy names an
  // existing queue of this account and region, of the same type (standard or
  // FIFO), and not itself. Throws sim::InputError naming file, line and key.
  void Validate() const;

  std::string QueueUrl(std::string_view name) const;  // https://sqs.<region>.amazonaws.com/<account>/<name>
  std::string QueueArn(std::string_view name) const;  // arn:aws:sqs:<region>:<account>:<name>
  // Queue name for a URL, ARN or bare name of an existing queue.
  std::optional<std::string> ResolveQueueName(std::string_view queue) const;
  bool HasQueue(std::string_view queue) const { return ResolveQueueName(queue).has_value(); }
  const QueueSpec* FindSpec(std::string_view queue) const;
  std::vector<std::string> QueueNames() const;

  SendMessageResult SendMessage(const SendMessageRequest& request);
  SendMessageResult SendMessage(std::string_view queue, std::string body, MessageAttributes attributes = {},
                                std::optional<sim::Duration> delay = std::nullopt);
  // Delivers visible messages now (callback runs before this returns), or
  // waits up to the wait time for one to become visible (long polling), or
  // calls back with no messages when the wait expires. On a non-ok Status the
  // callback is never called.
  Status ReceiveMessage(const ReceiveMessageRequest& request, ReceiveCallback callback);
  // Deletes the message if the handle is its latest one. A stale handle (the
  // message was received again since) succeeds without deleting, as AWS
  // documents; a handle of an already deleted message succeeds too.
  Status DeleteMessage(std::string_view queue, std::string_view receipt_handle);
  // Makes an in-flight message visible `timeout` after this call (0..43200 s,
  // at most 12 h after its latest receive).
  Status ChangeMessageVisibility(std::string_view queue, std::string_view receipt_handle, sim::Duration timeout);

  // The SendMessage API with AWS's parameter names (QueueUrl, MessageBody,
  // DelaySeconds, MessageAttributes, MessageGroupId, MessageDeduplicationId), as
  // Step Functions' sqs:sendMessage passes them. Returns "" or an error code;
  // out = {"MessageId", ["SequenceNumber"]}.
  std::string SendMessageApi(const sim::Json& params, sim::Json& out);

  std::optional<QueueMetrics> Metrics(std::string_view queue) const;
  std::optional<QueueCounters> Counters(std::string_view queue) const;
  // An AWS/SQS gauge for dimension QueueName: ApproximateNumberOfMessagesVisible,
  // ApproximateNumberOfMessagesNotVisible or ApproximateNumberOfMessagesDelayed.
  // nullopt for an unknown queue or metric.
  std::optional<double> GetMetric(std::string_view queue_name, std::string_view metric_name) const;
  // GetQueueAttributes(All) with string values, as AWS returns them. null if unknown.
  sim::Json GetQueueAttributes(std::string_view queue) const;
  // Every queue (by name) with attributes, counters and remaining messages (by
  // send order), for the report.
  sim::Json Snapshot() const;

  const std::string& region() const { return region_; }
  const std::string& account() const { return account_; }

 private:
  enum class State { kDelayed, kVisible, kInFlight };
  struct Message {
    uint64_t seq = 0;  // global, increasing: send order
    std::string message_id;
    std::string body;
    MessageAttributes attributes;
    sim::Time sent{};             // SentTimestamp
    sim::Time retention_start{};  // original enqueue (standard) or DLQ arrival (FIFO)
    sim::Time visible_since{};    // ordering key among visible messages
    State state = State::kVisible;
    int64_t receive_count = 0;
    std::optional<sim::Time> first_receive;
    sim::Time last_receive{};
    std::string receipt_handle;  // latest
    std::optional<sim::EventId> timer;  // delay end or visibility expiry
    std::optional<sim::EventId> expiry;
    std::string group_id;
    std::string deduplication_id;
    std::string sequence_number;
  };
  struct Waiter {
    int max = 1;
    std::optional<sim::Duration> visibility;
    ReceiveCallback callback;
    sim::EventId timeout = 0;
  };
  struct Dedup {
    sim::Time until{};
    std::string message_id;
    std::string sequence_number;
  };
  struct Queue {
    QueueSpec spec;
    sim::Time created{};
    std::map<uint64_t, Message> messages;  // by seq
    QueueCounters counters;
    std::map<uint64_t, Waiter> waiters;  // by arrival
    std::optional<sim::EventId> wake;
    std::map<std::string, Dedup> dedup;
    uint64_t next_sequence_number = 0;
  };
  struct Receipt {
    std::string queue;
    uint64_t seq = 0;
  };

  Queue* Find(std::string_view queue);
  const Queue* Find(std::string_view queue) const;
  sim::Time Now() const { return loop_.Now(); }
  std::string Iso(sim::Time t) const;
  std::string EpochMs(sim::Time t) const;
  void Emit(const char* type, const Queue& q, sim::Json fields);
  void Changed(const Queue& q);

  // Inserts a message (new or redriven) and schedules its timers.
  void Enqueue(Queue& q, Message m, sim::Duration delay);
  void ScheduleExpiry(Queue& q, Message& m);
  void OnTimer(const std::string& queue, uint64_t seq);
  void OnExpiry(const std::string& queue, uint64_t seq);
  void CancelTimers(Message& m);
  // Picks up to max visible messages, redriving those past maxReceiveCount.
  std::vector<ReceivedMessage> Collect(Queue& q, int max, std::optional<sim::Duration> visibility);
  void MoveToDeadLetterQueue(Queue& source, uint64_t seq);
  void WakeWaiters(Queue& q);
  void ServeWaiters(const std::string& queue);
  sim::Json MessageSnapshot(const Message& m) const;

  sim::EventLoop& loop_;
  sim::Rng id_rng_;
  sim::Rng handle_rng_;
  int64_t epoch_ms_;
  std::string region_;
  std::string account_;
  Sink sink_;
  std::vector<ChangeListener> listeners_;
  std::map<std::string, Queue> queues_;
  std::map<std::string, Receipt> receipts_;  // every handle ever issued
  uint64_t next_seq_ = 1;
  uint64_t next_waiter_ = 1;
};

}  // namespace fakes::sqs

#endif  // ECSIM_FAKES_SQS_SQS_SERVICE_H_
