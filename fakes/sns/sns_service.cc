#include "fakes/sns/sns_service.h"

#include <chrono>
#include <utility>

#include <fmt/format.h>

#include "fakes/sqs/ids.h"

namespace fakes::sns {
namespace {

constexpr size_t kMaxMessageBytes = 262144;
constexpr size_t kMaxSubjectChars = 100;

Status Error(const char* code, std::string message) { return Status{code, std::move(message)}; }

bool ValidSubject(const std::string& s) {
  if (s.size() > kMaxSubjectChars) return false;
  for (unsigned char c : s)
    if (c < 0x20 || c > 0x7e) return false;  // printable ASCII, no line breaks
  return !s.empty() && s[0] != ' ';
}

// "Tue, 14 May 2024 01:12:00 +0000"
std::string Rfc5322Date(int64_t epoch_ms) {
  using namespace std::chrono;
  sys_time<milliseconds> tp{milliseconds(epoch_ms)};
  sys_days day = floor<days>(tp);
  year_month_day ymd{day};
  weekday wd{day};
  hh_mm_ss<milliseconds> hms{tp - day};
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  return fmt::format("{}, {} {} {} {:02}:{:02}:{:02} +0000", kDays[wd.c_encoding()],
                     static_cast<unsigned>(ymd.day()), kMonths[static_cast<unsigned>(ymd.month()) - 1],
                     static_cast<int>(ymd.year()), hms.hours().count(), hms.minutes().count(),
                     hms.seconds().count());
}

std::string Crlf(const std::string& text) {
  std::string out;
  out.reserve(text.size() + text.size() / 40);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) out += '\r';
    out += text[i];
  }
  return out;
}

}  // namespace

TopicSpec LoadTopic(const sim::Node& input) {
  input.AllowOnly({"Name", "Attributes", "Tags", "DataProtectionPolicy"});
  TopicSpec spec;
  spec.where = input.Where();
  sim::Node name = input.Require("Name");
  spec.name = name.AsString();
  if (spec.name.empty() || spec.name.size() > 256) name.Fail("topic name must be 1 to 256 characters");
  for (char c : spec.name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_')
      name.Fail(fmt::format("topic name '{}' may contain only letters, digits, '-' and '_' (FIFO topics are not "
                            "modelled)",
                            spec.name));
  }
  if (auto attrs = input.Get("Attributes")) {
    attrs->AllowOnly({"DisplayName", "Policy", "DeliveryPolicy", "KmsMasterKeyId", "SignatureVersion",
                      "TracingConfig", "FifoTopic", "ContentBasedDeduplication", "ArchivePolicy"});
    for (const std::string& k : attrs->Keys()) {
      sim::Node v = attrs->Require(k);
      spec.attributes[k] = v.IsString() ? v.AsString() : v.json().dump();
    }
    if (auto fifo = attrs->Get("FifoTopic"); fifo && spec.attributes["FifoTopic"] == "true")
      fifo->Fail("FIFO topics are not modelled by ecsim");
  }
  if (auto tags = input.Get("Tags")) {
    tags->ExpectArray();
    for (size_t i = 0; i < tags->Size(); ++i) {
      sim::Node t = tags->At(i);
      t.AllowOnly({"Key", "Value"});
      spec.tags[t.Require("Key").AsString()] = t.Require("Value").AsString();
    }
  }
  return spec;
}

SubscriptionSpec LoadSubscription(const sim::Node& input) {
  input.AllowOnly({"TopicArn", "Protocol", "Endpoint", "Attributes", "ReturnSubscriptionArn"});
  SubscriptionSpec spec;
  sim::Node topic = input.Require("TopicArn");
  spec.topic_arn = topic.AsString();
  spec.topic_where = topic.Where();
  sim::Node protocol = input.Require("Protocol");
  spec.protocol = protocol.AsString();
  if (spec.protocol != "email" && spec.protocol != "email-json" && spec.protocol != "sqs")
    protocol.Fail(fmt::format("protocol '{}' is not modelled (email, email-json, sqs)", spec.protocol));
  sim::Node endpoint = input.Require("Endpoint");
  spec.endpoint = endpoint.AsString();
  spec.endpoint_where = endpoint.Where();
  if (spec.protocol != "sqs" && spec.endpoint.find('@') == std::string::npos)
    endpoint.Fail(fmt::format("'{}' is not an email address", spec.endpoint));
  if (auto attrs = input.Get("Attributes")) {
    attrs->AllowOnly({"RawMessageDelivery", "DeliveryPolicy", "RedrivePolicy", "SubscriptionRoleArn"});
    if (auto raw = attrs->Get("RawMessageDelivery")) {
      std::string v = raw->IsString() ? raw->AsString() : (raw->AsBool() ? "true" : "false");
      if (v != "true" && v != "false") raw->Fail("expected \"true\" or \"false\"");
      spec.raw_message_delivery = v == "true";
      if (spec.raw_message_delivery && spec.protocol != "sqs")
        raw->Fail("RawMessageDelivery applies to sqs (and http/https, firehose) subscriptions only");
    }
  }
  if (auto r = input.Get("ReturnSubscriptionArn")) r->AsBool();
  return spec;
}

std::string RenderEmail(const EmailMessage& email) {
  std::string out;
  out += "Date: " + Rfc5322Date(email.time_epoch_ms) + "\r\n";
  out += fmt::format("From: \"{}\" <{}>\r\n", email.from_name, email.from);
  out += "To: " + email.to + "\r\n";
  out += "Subject: " + email.subject + "\r\n";
  out += "Message-ID: <" + email.message_id + "@email.amazonses.com>\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=UTF-8\r\n";
  out += "Content-Transfer-Encoding: 8bit\r\n";
  out += "\r\n";
  out += Crlf(email.body);
  if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
  return out;
}

SnsService::SnsService(sim::EventLoop& loop, sim::Rng rng, int64_t epoch_ms, std::string region, std::string account,
                       sqs::SqsService& sqs)
    : loop_(loop),
      id_rng_(rng.Fork("sns.ids")),
      signature_rng_(rng.Fork("sns.signatures")),
      epoch_ms_(epoch_ms),
      region_(std::move(region)),
      account_(std::move(account)),
      sqs_(sqs) {}

std::string SnsService::TopicArn(const std::string& name) const {
  return fmt::format("arn:aws:sns:{}:{}:{}", region_, account_, name);
}

void SnsService::Emit(const char* type, const std::string& topic_arn, sim::Json fields) {
  if (!sink_) return;
  sim::Json e = sim::Json::object();
  e["type"] = type;
  e["time"] = sim::FormatIso8601(epoch_ms_, loop_.Now());
  e["topic"] = topic_arn;
  for (auto it = fields.begin(); it != fields.end(); ++it) e[it.key()] = it.value();
  sink_(e);
}

std::string SnsService::CreateTopic(TopicSpec spec) {
  std::string arn = TopicArn(spec.name);
  if (topics_.count(arn)) throw sim::InputError(spec.where, fmt::format("topic '{}' is defined twice", spec.name));
  Topic& t = topics_[arn];
  t.arn = arn;
  t.spec = std::move(spec);
  return arn;
}

void SnsService::RequireTopic(const std::string& topic_arn, const sim::SourceLocation& where) const {
  if (!HasTopic(topic_arn)) throw sim::InputError(where, fmt::format("topic '{}' does not exist", topic_arn));
}

std::string SnsService::Subscribe(const SubscriptionSpec& spec) {
  RequireTopic(spec.topic_arn, spec.topic_where);
  if (spec.protocol == "sqs") {
    if (spec.endpoint.rfind("arn:aws:sqs:", 0) != 0)
      throw sim::InputError(spec.endpoint_where, "an sqs subscription's Endpoint is the queue ARN");
    if (!sqs_.HasQueue(spec.endpoint))
      throw sim::InputError(spec.endpoint_where, fmt::format("queue '{}' does not exist", spec.endpoint));
  }
  Topic& t = topics_.at(spec.topic_arn);
  for (const std::string& existing : t.subscriptions) {
    const Subscription& s = subscriptions_.at(existing);
    if (s.spec.protocol == spec.protocol && s.spec.endpoint == spec.endpoint) return s.arn;  // idempotent, as AWS
  }
  Subscription s;
  s.arn = spec.topic_arn + ":" + sqs::NewUuid(id_rng_);
  s.spec = spec;
  s.created = loop_.Now();
  s.confirmed = spec.protocol == "sqs";  // same-account queue: no confirmation
  std::string arn = s.arn;
  t.subscriptions.push_back(arn);
  subscriptions_[arn] = std::move(s);
  sim::Json fields = {{"subscription", arn}, {"protocol", spec.protocol}, {"endpoint", spec.endpoint}};
  if (spec.protocol == "sqs") {
    Emit("sns.subscription_confirmed", spec.topic_arn, std::move(fields));
  } else {
    Emit("sns.subscription_pending", spec.topic_arn, fields);
    if (auto_confirm_) ConfirmSubscription(arn);
  }
  return arn;
}

void SnsService::Lapse(Subscription& s) {
  if (s.confirmed || s.deleted || loop_.Now() < s.created + kUnconfirmedLifetime) return;
  s.deleted = true;
  Emit("sns.subscription_deleted", s.spec.topic_arn,
       {{"subscription", s.arn}, {"reason", "not confirmed within 48 hours"}});
}

Status SnsService::ConfirmSubscription(const std::string& subscription_arn) {
  auto it = subscriptions_.find(subscription_arn);
  if (it == subscriptions_.end()) return Error(kNotFound, "Subscription does not exist");
  Subscription& s = it->second;
  Lapse(s);
  if (s.deleted) return Error(kNotFound, "Subscription does not exist");
  if (!s.confirmed) {
    s.confirmed = true;
    Emit("sns.subscription_confirmed", s.spec.topic_arn,
         {{"subscription", s.arn}, {"protocol", s.spec.protocol}, {"endpoint", s.spec.endpoint}});
  }
  return {};
}

std::optional<std::string> SnsService::SubscriptionStatus(const std::string& subscription_arn) const {
  auto it = subscriptions_.find(subscription_arn);
  if (it == subscriptions_.end()) return std::nullopt;
  const Subscription& s = it->second;
  if (s.confirmed) return "Confirmed";
  if (s.deleted || loop_.Now() >= s.created + kUnconfirmedLifetime) return "Deleted";
  return "PendingConfirmation";
}

std::string SnsService::Unsubscribe(const Subscription& s) const {
  return fmt::format("https://sns.{}.amazonaws.com/?Action=Unsubscribe&SubscriptionArn={}", region_, s.arn);
}

sim::Json SnsService::Envelope(const Topic& t, const std::string& message_id, const PublishRequest& r,
                               const std::string& message, const Subscription& s) {
  static constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string signature;
  for (int i = 0; i < 344; ++i) signature += i >= 342 ? '=' : kBase64[signature_rng_.Uniform(64)];
  sim::Json e = sim::Json::object();
  e["Type"] = "Notification";
  e["MessageId"] = message_id;
  e["TopicArn"] = t.arn;
  if (!r.subject.empty()) e["Subject"] = r.subject;
  e["Message"] = message;
  e["Timestamp"] = sim::FormatIso8601(epoch_ms_, loop_.Now());
  e["SignatureVersion"] = "1";
  e["Signature"] = signature;  // shaped like one, verifies against nothing
  e["SigningCertURL"] =
      fmt::format("https://sns.{}.amazonaws.com/SimpleNotificationService-{}.pem", region_, "ecsim0000000000000000000000000000");
  e["UnsubscribeURL"] = Unsubscribe(s);
  if (!r.message_attributes.empty()) {
    sim::Json attrs = sim::Json::object();
    for (const auto& [name, v] : r.message_attributes)
      attrs[name] = {{"Type", v.data_type}, {"Value", v.data_type.rfind("Binary", 0) == 0 ? v.binary_value : v.string_value}};
    e["MessageAttributes"] = std::move(attrs);
  }
  return e;
}

PublishResult SnsService::Publish(const PublishRequest& r) {
  PublishResult result;
  auto tit = topics_.find(r.topic_arn);
  if (tit == topics_.end()) {
    result.status = Error(kNotFound, "Topic does not exist");
    Emit("sns.publish_failed", r.topic_arn, {{"error", kNotFound}});
    return result;
  }
  Topic& t = tit->second;
  if (r.message.empty()) {
    result.status = Error(kInvalidParameter, "Invalid parameter: Empty message");
    return result;
  }
  if (r.message.size() > kMaxMessageBytes) {
    result.status = Error(kInvalidParameter, "Invalid parameter: Message too long");
    return result;
  }
  if (!r.subject.empty() && !ValidSubject(r.subject)) {
    result.status = Error(kInvalidParameter, "Invalid parameter: Subject");
    return result;
  }
  sim::Json per_protocol;
  if (r.message_structure == "json") {
    per_protocol = sim::Json::parse(r.message, nullptr, false);
    if (per_protocol.is_discarded() || !per_protocol.is_object() || !per_protocol.contains("default") ||
        !per_protocol["default"].is_string()) {
      result.status = Error(kInvalidParameter, "Invalid parameter: Message Structure - No default entry in JSON message body");
      return result;
    }
  } else if (!r.message_structure.empty()) {
    result.status = Error(kInvalidParameter, "Invalid parameter: MessageStructure");
    return result;
  }
  auto message_for = [&](const std::string& protocol) {
    if (per_protocol.is_null()) return r.message;
    if (per_protocol.contains(protocol) && per_protocol[protocol].is_string())
      return per_protocol[protocol].get<std::string>();
    return per_protocol["default"].get<std::string>();
  };

  result.message_id = sqs::NewUuid(id_rng_);
  ++t.counters.published;
  Emit("sns.publish", t.arn,
       {{"message_id", result.message_id}, {"subject", r.subject}, {"subscriptions", t.subscriptions.size()}});

  for (const std::string& sub_arn : t.subscriptions) {
    Subscription& s = subscriptions_.at(sub_arn);
    Lapse(s);
    sim::Json who = {{"message_id", result.message_id},
                     {"subscription", s.arn},
                     {"protocol", s.spec.protocol},
                     {"endpoint", s.spec.endpoint}};
    if (!s.confirmed) {
      ++t.counters.skipped_unconfirmed;
      who["reason"] = s.deleted ? "Deleted" : "PendingConfirmation";
      Emit("sns.delivery_skipped", t.arn, std::move(who));
      continue;
    }
    const std::string message = message_for(s.spec.protocol);
    if (s.spec.protocol == "sqs") {
      sqs::SendMessageResult sent =
          s.spec.raw_message_delivery
              ? sqs_.SendMessage(s.spec.endpoint, message, r.message_attributes)
              : sqs_.SendMessage(s.spec.endpoint, Envelope(t, result.message_id, r, message, s).dump());
      if (!sent.status.ok()) {
        ++t.counters.failed;
        who["error"] = sent.status.code;
        Emit("sns.delivery_failed", t.arn, std::move(who));
        continue;
      }
      who["sqs_message_id"] = sent.message_id;
    } else {
      EmailMessage email;
      email.message_id = result.message_id;
      email.to = s.spec.endpoint;
      auto display = t.spec.attributes.find("DisplayName");
      if (display != t.spec.attributes.end() && !display->second.empty()) email.from_name = display->second;
      email.subject = r.subject.empty() ? kDefaultEmailSubject : r.subject;
      email.time = loop_.Now();
      email.time_epoch_ms = epoch_ms_ + sim::ToMillis(loop_.Now());
      email.topic_arn = t.arn;
      email.subscription_arn = s.arn;
      if (s.spec.protocol == "email-json") {
        email.body = Envelope(t, result.message_id, r, message, s).dump(2) + "\n";
      } else {
        email.body = message;
        if (email.body.empty() || email.body.back() != '\n') email.body += "\n";
        email.body += fmt::format(
            "\n--\nIf you wish to stop receiving notifications from this topic, please click or visit the link "
            "below to unsubscribe:\nhttps://sns.{}.amazonaws.com/unsubscribe.html?SubscriptionArn={}&Endpoint={}\n\n"
            "Please do not reply directly to this email. If you have any questions or comments regarding this "
            "email, please contact us at https://aws.amazon.com/support\n",
            region_, s.arn, s.spec.endpoint);
      }
      who["subject"] = email.subject;
      who["outbox_index"] = outbox_.size();
      outbox_.push_back(std::move(email));
    }
    ++t.counters.delivered;
    Emit("sns.deliver", t.arn, std::move(who));
  }
  return result;
}

std::string SnsService::PublishApi(const sim::Json& params, sim::Json& out) {
  auto str = [&](const char* key) -> std::string {
    if (!params.is_object() || !params.contains(key)) return "";
    return params[key].is_string() ? params[key].get<std::string>() : params[key].dump();
  };
  PublishRequest r;
  r.topic_arn = str("TopicArn");
  if (r.topic_arn.empty()) {
    out = {{"Error", "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter"}};
    return kInvalidParameter;
  }
  r.message = str("Message");  // a JSON value from Step Functions is serialized
  r.subject = str("Subject");
  r.message_structure = str("MessageStructure");
  if (params.contains("MessageAttributes")) {
    // SNS's API shape: {"name": {"DataType": ..., "StringValue": ...}}, same as SQS.
    Status s = sqs::MessageAttributesFromJson(params["MessageAttributes"], &r.message_attributes);
    if (!s.ok()) {
      out = {{"Error", s.message}};
      return kInvalidParameter;
    }
  }
  PublishResult res = Publish(r);
  if (!res.status.ok()) {
    out = {{"Error", res.status.message}};
    return res.status.code;
  }
  out = {{"MessageId", res.message_id}};
  return "";
}

sim::Json SnsService::Snapshot() const {
  sim::Json topics = sim::Json::array();
  for (const auto& [arn, t] : topics_) {
    sim::Json subs = sim::Json::array();
    for (const std::string& sub_arn : t.subscriptions) {
      const Subscription& s = subscriptions_.at(sub_arn);
      subs.push_back({{"SubscriptionArn", s.arn},
                      {"Protocol", s.spec.protocol},
                      {"Endpoint", s.spec.endpoint},
                      {"Status", *SubscriptionStatus(s.arn)},
                      {"RawMessageDelivery", s.spec.raw_message_delivery ? "true" : "false"}});
    }
    sim::Json j = sim::Json::object();
    j["TopicArn"] = arn;
    j["Attributes"] = t.spec.attributes;
    if (!t.spec.tags.empty()) j["Tags"] = t.spec.tags;
    j["Subscriptions"] = std::move(subs);
    j["Counters"] = {{"published", t.counters.published},
                     {"delivered", t.counters.delivered},
                     {"skipped_unconfirmed", t.counters.skipped_unconfirmed},
                     {"failed", t.counters.failed}};
    topics.push_back(std::move(j));
  }
  return {{"topics", std::move(topics)}, {"emails", outbox_.size()}};
}

}  // namespace fakes::sns
