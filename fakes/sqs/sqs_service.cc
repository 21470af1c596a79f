#include "fakes/sqs/sqs_service.h"

#include <algorithm>
#include <set>
#include <utility>

#include <fmt/format.h>

#include "fakes/sqs/ids.h"

namespace fakes::sqs {
namespace {

constexpr int kMaxMessagesPerReceive = 10;
// FIFO deduplication interval.
constexpr sim::Duration kDeduplicationInterval = sim::Seconds(300);

Status Error(const char* code, std::string message) { return Status{code, std::move(message)}; }

int64_t MessageSize(const std::string& body, const MessageAttributes& attributes) {
  size_t n = body.size();
  for (const auto& [name, v] : attributes) n += name.size() + v.data_type.size() + v.string_value.size() + v.binary_value.size();
  return static_cast<int64_t>(n);
}

}  // namespace

sim::Json MessageAttributesToJson(const MessageAttributes& attributes) {
  sim::Json out = sim::Json::object();
  for (const auto& [name, v] : attributes) {
    sim::Json a = sim::Json::object();
    a["DataType"] = v.data_type;
    if (v.data_type.rfind("Binary", 0) == 0) {
      a["BinaryValue"] = v.binary_value;
    } else {
      a["StringValue"] = v.string_value;
    }
    out[name] = std::move(a);
  }
  return out;
}

Status MessageAttributesFromJson(const sim::Json& json, MessageAttributes* out) {
  if (json.is_null()) return {};
  if (!json.is_object()) return Error(kInvalidParameterValue, "MessageAttributes must be a map");
  for (auto it = json.begin(); it != json.end(); ++it) {
    const sim::Json& v = it.value();
    if (!v.is_object() || !v.contains("DataType") || !v["DataType"].is_string())
      return Error(kInvalidParameterValue, fmt::format("message attribute '{}' needs a DataType", it.key()));
    MessageAttributeValue a;
    a.data_type = v["DataType"].get<std::string>();
    std::string base = a.data_type.substr(0, a.data_type.find('.'));
    if (base != "String" && base != "Number" && base != "Binary")
      return Error(kInvalidParameterValue,
                   fmt::format("message attribute '{}' has DataType '{}' (String, Number or Binary)", it.key(),
                               a.data_type));
    const char* field = base == "Binary" ? "BinaryValue" : "StringValue";
    if (!v.contains(field) || !v[field].is_string())
      return Error(kInvalidParameterValue, fmt::format("message attribute '{}' needs a {}", it.key(), field));
    (base == "Binary" ? a.binary_value : a.string_value) = v[field].get<std::string>();
    (*out)[it.key()] = std::move(a);
  }
  return {};
}

sim::Json ReceivedMessage::ToJson() const {
  sim::Json j = sim::Json::object();
  j["MessageId"] = message_id;
  j["ReceiptHandle"] = receipt_handle;
  j["Body"] = body;
  j["Attributes"] = attributes;
  if (!message_attributes.empty()) j["MessageAttributes"] = MessageAttributesToJson(message_attributes);
  return j;
}

SqsService::SqsService(sim::EventLoop& loop, sim::Rng rng, int64_t epoch_ms, std::string region, std::string account)
    : loop_(loop),
      id_rng_(rng.Fork("sqs.ids")),
      handle_rng_(rng.Fork("sqs.receipts")),
      epoch_ms_(epoch_ms),
      region_(std::move(region)),
      account_(std::move(account)) {}

SqsService::~SqsService() {
  for (auto& [name, q] : queues_) {
    for (auto& [seq, m] : q.messages) CancelTimers(m);
    for (auto& [id, w] : q.waiters) loop_.Cancel(w.timeout);
    if (q.wake) loop_.Cancel(*q.wake);
  }
}

std::string SqsService::QueueUrl(std::string_view name) const {
  return fmt::format("https://sqs.{}.amazonaws.com/{}/{}", region_, account_, name);
}

std::string SqsService::QueueArn(std::string_view name) const {
  return fmt::format("arn:aws:sqs:{}:{}:{}", region_, account_, name);
}

std::optional<std::string> SqsService::ResolveQueueName(std::string_view queue) const {
  std::string name;
  std::string url_prefix = QueueUrl("");
  std::string arn_prefix = QueueArn("");
  if (queue.rfind(url_prefix, 0) == 0) {
    name = std::string(queue.substr(url_prefix.size()));
  } else if (queue.rfind(arn_prefix, 0) == 0) {
    name = std::string(queue.substr(arn_prefix.size()));
  } else if (queue.find('/') == std::string_view::npos && queue.find(':') == std::string_view::npos) {
    name = std::string(queue);
  } else {
    return std::nullopt;  // another region/account or not a queue reference
  }
  if (queues_.count(name) == 0) return std::nullopt;
  return name;
}

SqsService::Queue* SqsService::Find(std::string_view queue) {
  auto name = ResolveQueueName(queue);
  return name ? &queues_.at(*name) : nullptr;
}

const SqsService::Queue* SqsService::Find(std::string_view queue) const {
  auto name = ResolveQueueName(queue);
  return name ? &queues_.at(*name) : nullptr;
}

const QueueSpec* SqsService::FindSpec(std::string_view queue) const {
  const Queue* q = Find(queue);
  return q ? &q->spec : nullptr;
}

std::vector<std::string> SqsService::QueueNames() const {
  std::vector<std::string> names;
  for (const auto& [name, q] : queues_) names.push_back(name);
  return names;
}

std::string SqsService::Iso(sim::Time t) const { return sim::FormatIso8601(epoch_ms_, t); }
std::string SqsService::EpochMs(sim::Time t) const { return std::to_string(epoch_ms_ + sim::ToMillis(t)); }

void SqsService::Emit(const char* type, const Queue& q, sim::Json fields) {
  if (!sink_) return;
  sim::Json e = sim::Json::object();
  e["type"] = type;
  e["time"] = Iso(Now());
  e["queue"] = q.spec.name;
  for (auto it = fields.begin(); it != fields.end(); ++it) e[it.key()] = it.value();
  sink_(e);
}

void SqsService::Changed(const Queue& q) {
  for (const auto& l : listeners_) l(q.spec.name);
}

void SqsService::CreateQueue(QueueSpec spec) {
  if (queues_.count(spec.name))
    throw sim::InputError(spec.where, fmt::format("queue '{}' is defined twice", spec.name));
  std::string name = spec.name;
  Queue& q = queues_[name];
  q.spec = std::move(spec);
  q.created = Now();
}

void SqsService::Validate() const {
  for (const auto& [name, q] : queues_) {
    if (!q.spec.redrive) continue;
    const RedrivePolicy& p = *q.spec.redrive;
    std::string arn_prefix = QueueArn("");
    if (p.dead_letter_target_arn.rfind(arn_prefix, 0) != 0)
      throw sim::InputError(p.where, fmt::format("dead-letter queue '{}' must be in the same account and region "
                                                 "as its source queue ({}<name>)",
                                                 p.dead_letter_target_arn, arn_prefix));
    std::string target = p.dead_letter_target_arn.substr(arn_prefix.size());
    auto it = queues_.find(target);
    if (it == queues_.end())
      throw sim::InputError(p.where, fmt::format("dead-letter queue '{}' does not exist", p.dead_letter_target_arn));
    if (target == name) throw sim::InputError(p.where, "a queue cannot be its own dead-letter queue");
    if (it->second.spec.fifo != q.spec.fifo)
      throw sim::InputError(p.where, fmt::format("dead-letter queue '{}' is {} but '{}' is {}: the types must match",
                                                 target, it->second.spec.fifo ? "FIFO" : "standard", name,
                                                 q.spec.fifo ? "FIFO" : "standard"));
  }
}

SendMessageResult SqsService::SendMessage(std::string_view queue, std::string body, MessageAttributes attributes,
                                          std::optional<sim::Duration> delay) {
  SendMessageRequest r;
  r.queue = std::string(queue);
  r.body = std::move(body);
  r.message_attributes = std::move(attributes);
  r.delay = delay;
  return SendMessage(r);
}

SendMessageResult SqsService::SendMessage(const SendMessageRequest& request) {
  SendMessageResult result;
  Queue* q = Find(request.queue);
  if (!q) {
    result.status = Error(kNonExistentQueue, "The specified queue does not exist.");
    return result;
  }
  if (request.body.empty()) {
    result.status = Error(kMissingParameter, "The request must contain the parameter MessageBody.");
    return result;
  }
  int64_t size = MessageSize(request.body, request.message_attributes);
  if (size > q->spec.maximum_message_size) {
    result.status = Error(kInvalidParameterValue,
                          fmt::format("One or more parameters are invalid. Reason: Message must be shorter than {} "
                                      "bytes.",
                                      q->spec.maximum_message_size));
    return result;
  }
  sim::Duration delay = q->spec.delay;
  if (request.delay) {
    if (*request.delay < sim::Duration(0) || *request.delay > sim::Seconds(kMaxDelayS)) {
      result.status = Error(kInvalidParameterValue, "DelaySeconds must be between 0 and 900.");
      return result;
    }
    if (q->spec.fifo) {
      result.status = Error(kInvalidParameterValue,
                            "The request include parameter that is not valid for this queue type: DelaySeconds");
      return result;
    }
    delay = *request.delay;
  }

  Message m;
  if (q->spec.fifo) {
    if (request.message_group_id.empty()) {
      result.status = Error(kMissingParameter, "The request must contain the parameter MessageGroupId.");
      return result;
    }
    std::string dedup = request.message_deduplication_id;
    if (dedup.empty()) {
      if (!q->spec.content_based_deduplication) {
        result.status = Error(kInvalidParameterValue,
                              "The queue should either have ContentBasedDeduplication enabled or "
                              "MessageDeduplicationId provided explicitly");
        return result;
      }
      dedup = "body:" + request.body;  // content-based: the body itself stands in for its SHA-256
    }
    auto it = q->dedup.find(dedup);
    if (it != q->dedup.end() && it->second.until > Now()) {
      ++q->counters.deduplicated;
      result.message_id = it->second.message_id;
      result.sequence_number = it->second.sequence_number;
      Emit("sqs.send", *q, {{"message_id", result.message_id}, {"deduplicated", true}});
      return result;
    }
    m.group_id = request.message_group_id;
    m.deduplication_id = request.message_deduplication_id;
    m.sequence_number = fmt::format("{:020}", ++q->next_sequence_number);
    result.sequence_number = m.sequence_number;
    m.message_id = NewUuid(id_rng_);
    q->dedup[dedup] = Dedup{Now() + kDeduplicationInterval, m.message_id, m.sequence_number};
  } else {
    if (!request.message_group_id.empty() || !request.message_deduplication_id.empty()) {
      result.status = Error(kInvalidParameterValue,
                            "MessageGroupId and MessageDeduplicationId are valid only for FIFO queues");
      return result;
    }
    m.message_id = NewUuid(id_rng_);
  }
  m.body = request.body;
  m.attributes = request.message_attributes;
  m.sent = Now();
  m.retention_start = Now();
  result.message_id = m.message_id;
  ++q->counters.sent;
  sim::Json fields = {{"message_id", m.message_id}, {"body_bytes", m.body.size()}};
  if (delay > sim::Duration(0)) fields["delay_s"] = static_cast<double>(sim::ToMicros(delay)) / 1e6;
  Emit("sqs.send", *q, std::move(fields));
  Enqueue(*q, std::move(m), delay);
  return result;
}

void SqsService::Enqueue(Queue& q, Message m, sim::Duration delay) {
  m.seq = next_seq_++;
  uint64_t seq = m.seq;
  auto [it, inserted] = q.messages.emplace(seq, std::move(m));
  Message& msg = it->second;
  ScheduleExpiry(q, msg);
  if (delay > sim::Duration(0)) {
    msg.state = State::kDelayed;
    std::string name = q.spec.name;
    msg.timer = loop_.After(delay, [this, name, seq] { OnTimer(name, seq); });
  } else {
    msg.state = State::kVisible;
    msg.visible_since = Now();
    WakeWaiters(q);
  }
  Changed(q);
}

void SqsService::ScheduleExpiry(Queue& q, Message& m) {
  sim::Time at = std::max(Now(), m.retention_start + q.spec.retention);
  std::string name = q.spec.name;
  uint64_t seq = m.seq;
  // Retention is a background timer: a message left in a queue does not keep
  // a run going for four days.
  m.expiry = loop_.AtBackground(at, [this, name, seq] { OnExpiry(name, seq); });
}

void SqsService::CancelTimers(Message& m) {
  if (m.timer) loop_.Cancel(*m.timer);
  if (m.expiry) loop_.Cancel(*m.expiry);
  m.timer.reset();
  m.expiry.reset();
}

void SqsService::OnTimer(const std::string& queue, uint64_t seq) {
  Queue& q = queues_.at(queue);
  auto it = q.messages.find(seq);
  if (it == q.messages.end()) return;
  Message& m = it->second;
  m.timer.reset();
  State was = m.state;
  m.state = State::kVisible;
  m.visible_since = Now();
  if (was == State::kInFlight) {
    Emit("sqs.visibility_expired", q,
         {{"message_id", m.message_id}, {"receive_count", m.receive_count}});
  }
  WakeWaiters(q);
  Changed(q);
}

void SqsService::OnExpiry(const std::string& queue, uint64_t seq) {
  Queue& q = queues_.at(queue);
  auto it = q.messages.find(seq);
  if (it == q.messages.end()) return;
  it->second.expiry.reset();
  CancelTimers(it->second);
  std::string id = it->second.message_id;
  sim::Json fields = {{"message_id", id},
                      {"sent_timestamp", EpochMs(it->second.sent)},
                      {"retention_s", sim::ToMicros(q.spec.retention) / 1000000}};
  q.messages.erase(it);
  ++q.counters.expired;
  Emit("sqs.expired", q, std::move(fields));
  Changed(q);
}

std::vector<ReceivedMessage> SqsService::Collect(Queue& q, int max, std::optional<sim::Duration> visibility) {
  // Candidates: visible messages, by (time they became visible, send order)
  // on standard queues and by send order on FIFO queues, where a message
  // group with a message in flight is blocked.
  std::vector<std::pair<sim::Time, uint64_t>> order;
  std::set<std::string> blocked_groups;
  if (q.spec.fifo) {
    for (const auto& [seq, m] : q.messages)
      if (m.state != State::kVisible) blocked_groups.insert(m.group_id);
  }
  for (const auto& [seq, m] : q.messages) {
    if (m.state != State::kVisible) continue;
    if (q.spec.fifo && blocked_groups.count(m.group_id)) continue;
    order.emplace_back(q.spec.fifo ? sim::kTimeZero : m.visible_since, seq);
  }
  std::sort(order.begin(), order.end());

  std::vector<ReceivedMessage> out;
  sim::Duration vis = visibility.value_or(q.spec.visibility_timeout);
  for (const auto& [when, seq] : order) {
    if (static_cast<int>(out.size()) >= max) break;
    auto it = q.messages.find(seq);
    if (it == q.messages.end()) continue;
    Message& m = it->second;
    if (q.spec.redrive && m.receive_count + 1 > q.spec.redrive->max_receive_count) {
      std::string target = q.spec.redrive->dead_letter_target_arn.substr(QueueArn("").size());
      if (queues_.count(target) && target != q.spec.name) {
        MoveToDeadLetterQueue(q, seq);
        continue;
      }
    }
    ++m.receive_count;
    if (!m.first_receive) m.first_receive = Now();
    m.last_receive = Now();
    m.receipt_handle = NewReceiptHandle(handle_rng_);
    receipts_[m.receipt_handle] = Receipt{q.spec.name, seq};
    m.state = State::kInFlight;
    std::string name = q.spec.name;
    m.timer = loop_.After(vis, [this, name, seq] { OnTimer(name, seq); });
    ++q.counters.received;
    if (m.receive_count > 1) ++q.counters.redelivered;

    ReceivedMessage r;
    r.message_id = m.message_id;
    r.receipt_handle = m.receipt_handle;
    r.body = m.body;
    r.attributes["SentTimestamp"] = EpochMs(m.sent);
    r.attributes["ApproximateReceiveCount"] = std::to_string(m.receive_count);
    r.attributes["ApproximateFirstReceiveTimestamp"] = EpochMs(*m.first_receive);
    if (q.spec.fifo) {
      r.attributes["MessageGroupId"] = m.group_id;
      r.attributes["SequenceNumber"] = m.sequence_number;
      if (!m.deduplication_id.empty()) r.attributes["MessageDeduplicationId"] = m.deduplication_id;
    }
    r.message_attributes = m.attributes;
    Emit("sqs.receive", q,
         {{"message_id", m.message_id},
          {"receive_count", m.receive_count},
          {"visible_again_at", Iso(Now() + vis)}});
    out.push_back(std::move(r));
  }
  if (!out.empty()) Changed(q);
  return out;
}

void SqsService::MoveToDeadLetterQueue(Queue& source, uint64_t seq) {
  auto it = source.messages.find(seq);
  Message m = std::move(it->second);
  source.messages.erase(it);
  CancelTimers(m);
  std::string target = source.spec.redrive->dead_letter_target_arn.substr(QueueArn("").size());
  Queue& dlq = queues_.at(target);
  ++source.counters.moved_to_dlq;
  ++dlq.counters.redriven_in;
  Emit("sqs.moved_to_dlq", source,
       {{"message_id", m.message_id},
        {"dead_letter_queue", target},
        {"receive_count", m.receive_count},
        {"max_receive_count", source.spec.redrive->max_receive_count},
        {"sent_timestamp", EpochMs(m.sent)}});
  // Standard queues keep the original enqueue timestamp, so the DLQ's
  // retention clock is already running; FIFO queues reset it on the move.
  if (dlq.spec.fifo) {
    m.sent = Now();
    m.retention_start = Now();
  }
  m.receive_count = 0;
  m.first_receive.reset();
  m.receipt_handle.clear();
  Changed(source);
  Enqueue(dlq, std::move(m), sim::Duration(0));
}

void SqsService::WakeWaiters(Queue& q) {
  if (q.waiters.empty() || q.wake) return;
  std::string name = q.spec.name;
  q.wake = loop_.At(Now(), [this, name] { ServeWaiters(name); });
}

void SqsService::ServeWaiters(const std::string& queue) {
  Queue& q = queues_.at(queue);
  q.wake.reset();
  while (!q.waiters.empty()) {
    auto it = q.waiters.begin();
    std::vector<ReceivedMessage> got = Collect(q, it->second.max, it->second.visibility);
    if (got.empty()) break;
    Waiter w = std::move(it->second);
    q.waiters.erase(it);
    loop_.Cancel(w.timeout);
    w.callback(std::move(got));
  }
}

Status SqsService::ReceiveMessage(const ReceiveMessageRequest& request, ReceiveCallback callback) {
  Queue* q = Find(request.queue);
  if (!q) return Error(kNonExistentQueue, "The specified queue does not exist.");
  if (request.max_number_of_messages < 1 || request.max_number_of_messages > kMaxMessagesPerReceive)
    return Error(kInvalidParameterValue, fmt::format("Value {} for parameter MaxNumberOfMessages is invalid. Reason: "
                                                     "Must be between 1 and 10, if provided.",
                                                     request.max_number_of_messages));
  sim::Duration wait = request.wait_time.value_or(q->spec.receive_wait);
  if (wait < sim::Duration(0) || wait > sim::Seconds(kMaxWaitTimeS))
    return Error(kInvalidParameterValue, "WaitTimeSeconds must be between 0 and 20.");
  if (request.visibility_timeout &&
      (*request.visibility_timeout < sim::Duration(0) ||
       *request.visibility_timeout > sim::Seconds(kMaxVisibilityTimeoutS)))
    return Error(kInvalidParameterValue, "VisibilityTimeout must be between 0 and 43200.");

  std::vector<ReceivedMessage> got;
  // Waiters that arrived earlier are served first.
  if (q->waiters.empty()) got = Collect(*q, request.max_number_of_messages, request.visibility_timeout);
  if (!got.empty() || wait == sim::Duration(0)) {
    callback(std::move(got));
    return {};
  }
  uint64_t id = next_waiter_++;
  Waiter& w = q->waiters[id];
  w.max = request.max_number_of_messages;
  w.visibility = request.visibility_timeout;
  w.callback = std::move(callback);
  std::string name = q->spec.name;
  w.timeout = loop_.After(wait, [this, name, id] {
    Queue& queue = queues_.at(name);
    auto it = queue.waiters.find(id);
    if (it == queue.waiters.end()) return;
    Waiter expired = std::move(it->second);
    queue.waiters.erase(it);
    expired.callback({});
  });
  // Messages may already be visible behind earlier waiters.
  if (q->waiters.size() > 1) WakeWaiters(*q);
  return {};
}

Status SqsService::DeleteMessage(std::string_view queue, std::string_view receipt_handle) {
  Queue* q = Find(queue);
  if (!q) return Error(kNonExistentQueue, "The specified queue does not exist.");
  auto r = receipts_.find(std::string(receipt_handle));
  if (r == receipts_.end() || r->second.queue != q->spec.name)
    return Error(kReceiptHandleIsInvalid,
                 fmt::format("The input receipt handle \"{}\" is not a valid receipt handle.", receipt_handle));
  auto it = q->messages.find(r->second.seq);
  if (it == q->messages.end()) {
    Emit("sqs.delete", *q, {{"deleted", false}, {"reason", "message already gone"}});
    return {};
  }
  Message& m = it->second;
  if (m.receipt_handle != receipt_handle) {
    // AWS: "the request succeeds, but the message might not be deleted".
    Emit("sqs.delete", *q,
         {{"message_id", m.message_id}, {"deleted", false}, {"reason", "stale receipt handle"}});
    return {};
  }
  CancelTimers(m);
  std::string id = m.message_id;
  int64_t count = m.receive_count;
  q->messages.erase(it);
  ++q->counters.deleted;
  Emit("sqs.delete", *q, {{"message_id", id}, {"deleted", true}, {"receive_count", count}});
  Changed(*q);
  return {};
}

Status SqsService::ChangeMessageVisibility(std::string_view queue, std::string_view receipt_handle,
                                           sim::Duration timeout) {
  Queue* q = Find(queue);
  if (!q) return Error(kNonExistentQueue, "The specified queue does not exist.");
  if (timeout < sim::Duration(0) || timeout > sim::Seconds(kMaxVisibilityTimeoutS))
    return Error(kInvalidParameterValue, "VisibilityTimeout must be between 0 and 43200.");
  auto r = receipts_.find(std::string(receipt_handle));
  if (r == receipts_.end() || r->second.queue != q->spec.name)
    return Error(kReceiptHandleIsInvalid,
                 fmt::format("The input receipt handle \"{}\" is not a valid receipt handle.", receipt_handle));
  auto it = q->messages.find(r->second.seq);
  if (it == q->messages.end() || it->second.receipt_handle != receipt_handle ||
      it->second.state != State::kInFlight)
    return Error(kMessageNotInflight, "Message does not exist or is not available for visibility timeout change.");
  Message& m = it->second;
  if (Now() + timeout - m.last_receive > sim::Seconds(kMaxVisibilityTimeoutS))
    return Error(kInvalidParameterValue,
                 "Total VisibilityTimeout for the message is beyond the limit [43200 seconds]");
  if (m.timer) loop_.Cancel(*m.timer);
  std::string name = q->spec.name;
  uint64_t seq = m.seq;
  m.timer = loop_.After(timeout, [this, name, seq] { OnTimer(name, seq); });
  Emit("sqs.change_visibility", *q, {{"message_id", m.message_id}, {"visible_again_at", Iso(Now() + timeout)}});
  return {};
}

std::string SqsService::SendMessageApi(const sim::Json& params, sim::Json& out) {
  auto str = [&](const char* key) -> std::string {
    return params.contains(key) && params[key].is_string() ? params[key].get<std::string>() : std::string();
  };
  if (!params.is_object() || !params.contains("QueueUrl")) {
    out = {{"Error", "The request must contain the parameter QueueUrl."}};
    return kMissingParameter;
  }
  SendMessageRequest r;
  r.queue = str("QueueUrl");
  if (params.contains("MessageBody")) {
    const sim::Json& b = params["MessageBody"];
    r.body = b.is_string() ? b.get<std::string>() : b.dump();  // Step Functions serializes JSON bodies
  }
  if (params.contains("DelaySeconds")) {
    const sim::Json& d = params["DelaySeconds"];
    if (!d.is_number_integer()) {
      out = {{"Error", "DelaySeconds must be an integer."}};
      return kInvalidParameterValue;
    }
    r.delay = sim::Seconds(d.get<int64_t>());
  }
  if (params.contains("MessageAttributes")) {
    Status s = MessageAttributesFromJson(params["MessageAttributes"], &r.message_attributes);
    if (!s.ok()) {
      out = {{"Error", s.message}};
      return s.code;
    }
  }
  r.message_group_id = str("MessageGroupId");
  r.message_deduplication_id = str("MessageDeduplicationId");
  SendMessageResult res = SendMessage(r);
  if (!res.status.ok()) {
    out = {{"Error", res.status.message}};
    return res.status.code;
  }
  out = sim::Json::object();
  out["MessageId"] = res.message_id;
  if (!res.sequence_number.empty()) out["SequenceNumber"] = res.sequence_number;
  return "";
}

std::optional<QueueMetrics> SqsService::Metrics(std::string_view queue) const {
  const Queue* q = Find(queue);
  if (!q) return std::nullopt;
  QueueMetrics m;
  for (const auto& [seq, msg] : q->messages) {
    switch (msg.state) {
      case State::kVisible: ++m.visible; break;
      case State::kInFlight: ++m.not_visible; break;
      case State::kDelayed: ++m.delayed; break;
    }
  }
  return m;
}

std::optional<QueueCounters> SqsService::Counters(std::string_view queue) const {
  const Queue* q = Find(queue);
  if (!q) return std::nullopt;
  return q->counters;
}

std::optional<double> SqsService::GetMetric(std::string_view queue_name, std::string_view metric_name) const {
  auto it = queues_.find(std::string(queue_name));
  if (it == queues_.end()) return std::nullopt;
  QueueMetrics m = *Metrics(queue_name);
  if (metric_name == "ApproximateNumberOfMessagesVisible") return static_cast<double>(m.visible);
  if (metric_name == "ApproximateNumberOfMessagesNotVisible") return static_cast<double>(m.not_visible);
  if (metric_name == "ApproximateNumberOfMessagesDelayed") return static_cast<double>(m.delayed);
  return std::nullopt;
}

sim::Json SqsService::GetQueueAttributes(std::string_view queue) const {
  const Queue* q = Find(queue);
  if (!q) return nullptr;
  QueueMetrics m = *Metrics(q->spec.name);
  auto secs = [](sim::Duration d) { return std::to_string(sim::ToMicros(d) / 1000000); };
  sim::Json a = sim::Json::object();
  a["QueueArn"] = QueueArn(q->spec.name);
  a["ApproximateNumberOfMessages"] = std::to_string(m.visible);
  a["ApproximateNumberOfMessagesNotVisible"] = std::to_string(m.not_visible);
  a["ApproximateNumberOfMessagesDelayed"] = std::to_string(m.delayed);
  a["CreatedTimestamp"] = std::to_string((epoch_ms_ + sim::ToMillis(q->created)) / 1000);
  a["LastModifiedTimestamp"] = a["CreatedTimestamp"];
  a["VisibilityTimeout"] = secs(q->spec.visibility_timeout);
  a["MaximumMessageSize"] = std::to_string(q->spec.maximum_message_size);
  a["MessageRetentionPeriod"] = secs(q->spec.retention);
  a["DelaySeconds"] = secs(q->spec.delay);
  a["ReceiveMessageWaitTimeSeconds"] = secs(q->spec.receive_wait);
  if (q->spec.redrive) {
    sim::Json p = {{"deadLetterTargetArn", q->spec.redrive->dead_letter_target_arn},
                   {"maxReceiveCount", q->spec.redrive->max_receive_count}};
    a["RedrivePolicy"] = p.dump();
  }
  if (q->spec.fifo) {
    a["FifoQueue"] = "true";
    a["ContentBasedDeduplication"] = q->spec.content_based_deduplication ? "true" : "false";
  }
  return a;
}

sim::Json SqsService::MessageSnapshot(const Message& m) const {
  sim::Json j = sim::Json::object();
  j["MessageId"] = m.message_id;
  j["Body"] = m.body;
  j["State"] = m.state == State::kVisible ? "visible" : m.state == State::kInFlight ? "in_flight" : "delayed";
  sim::Json a = sim::Json::object();
  a["SentTimestamp"] = EpochMs(m.sent);
  a["ApproximateReceiveCount"] = std::to_string(m.receive_count);
  if (m.first_receive) a["ApproximateFirstReceiveTimestamp"] = EpochMs(*m.first_receive);
  if (!m.group_id.empty()) {
    a["MessageGroupId"] = m.group_id;
    a["SequenceNumber"] = m.sequence_number;
  }
  j["Attributes"] = std::move(a);
  if (!m.attributes.empty()) j["MessageAttributes"] = MessageAttributesToJson(m.attributes);
  return j;
}

sim::Json SqsService::Snapshot() const {
  sim::Json queues = sim::Json::array();
  for (const auto& [name, q] : queues_) {
    sim::Json j = sim::Json::object();
    j["QueueName"] = name;
    j["QueueUrl"] = QueueUrl(name);
    j["Attributes"] = GetQueueAttributes(name);
    if (!q.spec.tags.empty()) j["Tags"] = q.spec.tags;
    const QueueCounters& c = q.counters;
    j["Counters"] = {{"sent", c.sent},
                     {"deduplicated", c.deduplicated},
                     {"received", c.received},
                     {"redelivered", c.redelivered},
                     {"deleted", c.deleted},
                     {"moved_to_dlq", c.moved_to_dlq},
                     {"redriven_in", c.redriven_in},
                     {"expired", c.expired}};
    sim::Json messages = sim::Json::array();
    for (const auto& [seq, m] : q.messages) messages.push_back(MessageSnapshot(m));
    j["Messages"] = std::move(messages);
    queues.push_back(std::move(j));
  }
  return {{"queues", std::move(queues)}};
}

}  // namespace fakes::sqs
