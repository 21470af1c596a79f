#include "fakes/sqs/queue_spec.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace fakes::sqs {
namespace {

// An attribute value given as "30" or 30.
int64_t AttrInt(const sim::Node& n, int64_t lo, int64_t hi) {
  int64_t v = 0;
  if (n.IsString()) {
    std::string s = n.AsString();
    if (s.empty() || s.size() > 18 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; }))
      n.Fail(fmt::format("expected a whole number (as a string or a number), found \"{}\"", s));
    v = std::stoll(s);
  } else {
    v = n.AsInt();
  }
  if (v < lo || v > hi) n.Fail(fmt::format("{} is out of range [{}, {}]", v, lo, hi));
  return v;
}

bool AttrBool(const sim::Node& n) {
  if (n.IsString()) {
    std::string s = n.AsString();
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    if (s == "true") return true;
    if (s == "false") return false;
    n.Fail(fmt::format("expected \"true\" or \"false\", found \"{}\"", n.AsString()));
  }
  return n.AsBool();
}

RedrivePolicy LoadRedriveObject(const sim::Node& n) {
  n.AllowOnly({"deadLetterTargetArn", "maxReceiveCount"});
  RedrivePolicy p;
  sim::Node arn = n.Require("deadLetterTargetArn");
  p.dead_letter_target_arn = arn.AsString();
  if (p.dead_letter_target_arn.rfind("arn:aws:sqs:", 0) != 0 ||
      std::count(p.dead_letter_target_arn.begin(), p.dead_letter_target_arn.end(), ':') != 5)
    arn.Fail(fmt::format("'{}' is not an SQS queue ARN (arn:aws:sqs:<region>:<account>:<name>)",
                         p.dead_letter_target_arn));
  p.where = arn.Where();
  p.max_receive_count = AttrInt(n.Require("maxReceiveCount"), 1, kMaxReceiveCountLimit);
  return p;
}

RedrivePolicy LoadRedrive(const sim::Node& n) {
  if (!n.IsString()) return LoadRedriveObject(n);
  // The API form: a JSON document inside a string. Errors inside it are
  // reported at the line of the string, with the inner key appended.
  std::shared_ptr<const sim::Document> inner;
  try {
    inner = sim::Document::Parse(n.AsString(), n.document().file(), true);
  } catch (const sim::InputError& e) {
    n.Fail("RedrivePolicy string is not valid JSON: " + e.message());
  }
  try {
    return LoadRedriveObject(sim::Node(inner, &inner->root(), "", n.key()));
  } catch (const sim::InputError& e) {
    throw sim::InputError({n.document().file(), n.line(), e.where().key}, e.message());
  }
}

void CheckQueueName(const sim::Node& n, const std::string& name, bool fifo) {
  std::string base = name;
  if (fifo) {
    if (name.size() < 5 || name.compare(name.size() - 5, 5, ".fifo") != 0)
      n.Fail(fmt::format("FIFO queue name '{}' must end with \".fifo\"", name));
    base = name.substr(0, name.size() - 5);
  } else if (name.size() >= 5 && name.compare(name.size() - 5, 5, ".fifo") == 0) {
    n.Fail(fmt::format("queue name '{}' ends with \".fifo\" but Attributes.FifoQueue is not \"true\"", name));
  }
  if (name.empty() || name.size() > 80)
    n.Fail(fmt::format("queue name must be 1 to 80 characters, found {}", name.size()));
  for (char c : base) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_')
      n.Fail(fmt::format("queue name '{}' may contain only letters, digits, '-' and '_'", name));
  }
}

}  // namespace

QueueSpec LoadQueue(const sim::Node& input) {
  input.AllowOnly({"QueueName", "Attributes", "tags"});
  QueueSpec spec;
  spec.where = input.Where();
  sim::Node name_node = input.Require("QueueName");
  spec.name = name_node.AsString();

  if (auto attrs = input.Get("Attributes")) {
    attrs->AllowOnly({"DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod", "Policy",
                      "ReceiveMessageWaitTimeSeconds", "VisibilityTimeout", "RedrivePolicy", "RedriveAllowPolicy",
                      "KmsMasterKeyId", "KmsDataKeyReusePeriodSeconds", "SqsManagedSseEnabled", "FifoQueue",
                      "ContentBasedDeduplication", "DeduplicationScope", "FifoThroughputLimit"});
    if (auto n = attrs->Get("FifoQueue")) spec.fifo = AttrBool(*n);
    if (auto n = attrs->Get("VisibilityTimeout"))
      spec.visibility_timeout = sim::Seconds(AttrInt(*n, 0, kMaxVisibilityTimeoutS));
    if (auto n = attrs->Get("MessageRetentionPeriod"))
      spec.retention = sim::Seconds(AttrInt(*n, kMinRetentionS, kMaxRetentionS));
    if (auto n = attrs->Get("ReceiveMessageWaitTimeSeconds"))
      spec.receive_wait = sim::Seconds(AttrInt(*n, 0, kMaxWaitTimeS));
    if (auto n = attrs->Get("DelaySeconds")) spec.delay = sim::Seconds(AttrInt(*n, 0, kMaxDelayS));
    if (auto n = attrs->Get("MaximumMessageSize"))
      spec.maximum_message_size = AttrInt(*n, kMinMessageSize, kMaxMessageSize);
    if (auto n = attrs->Get("RedrivePolicy")) spec.redrive = LoadRedrive(*n);
    if (auto n = attrs->Get("ContentBasedDeduplication")) {
      spec.content_based_deduplication = AttrBool(*n);
      if (!spec.fifo) n->Fail("ContentBasedDeduplication applies only to FIFO queues");
    }
    if (auto n = attrs->Get("FifoThroughputLimit"); n && !spec.fifo)
      n->Fail("FifoThroughputLimit applies only to FIFO queues");
    if (auto n = attrs->Get("DeduplicationScope"); n && !spec.fifo)
      n->Fail("DeduplicationScope applies only to FIFO queues");
  }
  CheckQueueName(name_node, spec.name, spec.fifo);

  if (auto tags = input.Get("tags")) {
    tags->ExpectObject();
    for (const std::string& k : tags->Keys()) spec.tags[k] = tags->Require(k).AsString();
  }
  return spec;
}

}  // namespace fakes::sqs
