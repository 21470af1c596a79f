// Amazon SNS in virtual time: topics, email/email-json/sqs subscriptions with
// confirmation, Publish fan-out, and the emails it would send.
#ifndef ECSIM_FAKES_SNS_SNS_SERVICE_H_
#define ECSIM_FAKES_SNS_SNS_SERVICE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fakes/sqs/sqs_service.h"
#include "sim/base/document.h"
#include "sim/base/event_loop.h"
#include "sim/base/input_error.h"
#include "sim/base/rng.h"
#include "sim/base/time.h"

namespace fakes::sns {

using Status = sqs::Status;

// Error codes as the SNS API returns them (Step Functions reports them as
// "SNS.NotFoundException" etc.; the mapping belongs to the caller).
inline constexpr char kNotFound[] = "NotFound";
inline constexpr char kInvalidParameter[] = "InvalidParameter";

// How long an unconfirmed subscription lives (48 h since May 2023).
inline constexpr sim::Duration kUnconfirmedLifetime = sim::Seconds(48 * 3600);
inline constexpr char kEmailFrom[] = "no-reply@sns.amazonaws.com";
inline constexpr char kDefaultFromName[] = "AWS Notifications";
inline constexpr char kDefaultEmailSubject[] = "AWS Notification Message";

struct TopicSpec {
  std::string name;
  std::map<std::string, std::string> attributes;  // as given (DisplayName, Policy, ...)
  std::map<std::string, std::string> tags;
  sim::SourceLocation where;
};

// Reads CreateTopic input: {Name, Attributes{...}, Tags[{Key, Value}]}.
// FIFO topics are rejected as not modelled. Errors name file, line and key.
TopicSpec LoadTopic(const sim::Node& create_topic_input);

struct SubscriptionSpec {
  std::string topic_arn;
  std::string protocol;  // email | email-json | sqs
  std::string endpoint;  // address or queue ARN
  bool raw_message_delivery = false;
  sim::SourceLocation topic_where;
  sim::SourceLocation endpoint_where;
};

// Reads Subscribe input: {TopicArn, Protocol, Endpoint, Attributes{RawMessageDelivery, ...},
// ReturnSubscriptionArn}. Other protocols and FilterPolicy are rejected as not
// modelled. Whether the topic and queue exist is checked by Subscribe().
SubscriptionSpec LoadSubscription(const sim::Node& subscribe_input);

// One email SNS would send. RenderEmail turns it into RFC 5322 text.
struct EmailMessage {
  std::string message_id;  // the SNS MessageId
  std::string to;
  std::string from = kEmailFrom;
  std::string from_name = kDefaultFromName;  // the topic's DisplayName if set
  std::string subject;
  std::string body;  // includes AWS's unsubscribe footer (email) or the JSON envelope (email-json)
  sim::Time time{};
  int64_t time_epoch_ms = 0;  // UTC wall time of `time`
  std::string topic_arn;
  std::string subscription_arn;
};

// Date, From, To, Subject, Message-ID, MIME headers, blank line, body; CRLF
// line ends. Deterministic: everything comes from the message.
std::string RenderEmail(const EmailMessage& email);

struct PublishRequest {
  std::string topic_arn;
  std::string message;
  std::string subject;            // optional; <= 100 printable ASCII characters
  std::string message_structure;  // "" or "json" (per-protocol messages with a "default")
  sqs::MessageAttributes message_attributes;
};

struct PublishResult {
  Status status;
  std::string message_id;
};

struct TopicCounters {
  int64_t published = 0;
  int64_t delivered = 0;
  int64_t skipped_unconfirmed = 0;
  int64_t failed = 0;
};

class SnsService {
 public:
  using Sink = std::function<void(const sim::Json& event)>;

  // *loop and *sqs must outlive this service.
  SnsService(sim::EventLoop& loop, sim::Rng rng, int64_t epoch_ms, std::string region, std::string account,
             sqs::SqsService& sqs);
  SnsService(const SnsService&) = delete;
  SnsService& operator=(const SnsService&) = delete;

  // Records "sns.*" events: {"type", "time", "topic", ...}.
  void set_sink(Sink sink) { sink_ = std::move(sink); }
  // Scenario switch, default true: email subscriptions are confirmed as soon
  // as they are made (as if the recipient clicked the link). When false they
  // stay PendingConfirmation until ConfirmSubscription, receive nothing, and
  // lapse after 48 h.
  void set_auto_confirm(bool on) { auto_confirm_ = on; }

  // Returns the topic ARN. A duplicate name is an InputError at spec.where.
  std::string CreateTopic(TopicSpec spec);
  std::string TopicArn(const std::string& name) const;
  bool HasTopic(const std::string& topic_arn) const { return topics_.count(topic_arn) > 0; }
  // Throws InputError at `where` if the topic does not exist.
  void RequireTopic(const std::string& topic_arn, const sim::SourceLocation& where) const;

  // Returns the subscription ARN. Unknown topic => InputError at
  // spec.topic_where; sqs endpoint that is not an existing queue => InputError
  // at spec.endpoint_where. email starts PendingConfirmation; sqs is confirmed.
  std::string Subscribe(const SubscriptionSpec& spec);
  Status ConfirmSubscription(const std::string& subscription_arn);
  // "Confirmed", "PendingConfirmation" or "Deleted" (lapsed); nullopt if unknown.
  std::optional<std::string> SubscriptionStatus(const std::string& subscription_arn) const;

  // Fans the message out to the topic's confirmed subscriptions now.
  PublishResult Publish(const PublishRequest& request);
  // Publish with AWS's parameter names (TopicArn, Message, Subject,
  // MessageStructure, MessageAttributes). Returns "" or an error code;
  // out = {"MessageId"}.
  std::string PublishApi(const sim::Json& params, sim::Json& out);

  // Every email sent, in order.
  const std::vector<EmailMessage>& outbox() const { return outbox_; }
  // Topics (by ARN) with subscriptions (in creation order) and counters.
  sim::Json Snapshot() const;

 private:
  struct Subscription {
    std::string arn;
    SubscriptionSpec spec;
    bool confirmed = false;
    bool deleted = false;
    sim::Time created{};
  };
  struct Topic {
    TopicSpec spec;
    std::string arn;
    std::vector<std::string> subscriptions;  // ARNs, creation order
    TopicCounters counters;
  };

  void Emit(const char* type, const std::string& topic_arn, sim::Json fields);
  // Lapses a subscription left unconfirmed for 48 h (checked lazily so that no
  // timer keeps the event loop busy).
  void Lapse(Subscription& s);
  sim::Json Envelope(const Topic& t, const std::string& message_id, const PublishRequest& r,
                     const std::string& message, const Subscription& s);
  std::string Unsubscribe(const Subscription& s) const;

  sim::EventLoop& loop_;
  sim::Rng id_rng_;
  sim::Rng signature_rng_;
  int64_t epoch_ms_;
  std::string region_;
  std::string account_;
  sqs::SqsService& sqs_;
  Sink sink_;
  bool auto_confirm_ = true;
  std::map<std::string, Topic> topics_;                // by ARN
  std::map<std::string, Subscription> subscriptions_;  // by ARN
  std::vector<EmailMessage> outbox_;
};

}  // namespace fakes::sns

#endif  // ECSIM_FAKES_SNS_SNS_SERVICE_H_
