#include "fakes/sns/sns_service.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "sim/base/event_loop.h"

namespace fakes::sns {
namespace {

constexpr int64_t kEpochMs = 1715648400000;  // 2024-05-14T01:00:00Z, a Tuesday
constexpr char kTopic[] = "arn:aws:sns:us-east-1:123456789012:alerts";

std::shared_ptr<const sim::Document> Doc(const std::string& yaml, const std::string& file = "scenario.yaml") {
  return sim::Document::Parse(yaml, file, false);
}

class SnsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sqs_.CreateQueue(sqs::LoadQueue(sim::Node::Root(Doc("QueueName: inbox\n"))));
    sns_.CreateTopic(LoadTopic(sim::Node::Root(Doc("Name: alerts\nAttributes:\n  DisplayName: Batch alerts\n"))));
    sns_.set_sink([this](const sim::Json& e) { events_.push_back(e); });
  }
  std::string Subscribe(const std::string& protocol, const std::string& endpoint, bool raw = false) {
    std::string yaml = fmt::format("TopicArn: {}\nProtocol: {}\nEndpoint: {}\n", kTopic, protocol, endpoint);
    if (raw) yaml += "Attributes:\n  RawMessageDelivery: \"true\"\n";
    return sns_.Subscribe(LoadSubscription(sim::Node::Root(Doc(yaml))));
  }
  PublishResult Publish(const std::string& message, const std::string& subject = "") {
    PublishRequest r;
    r.topic_arn = kTopic;
    r.message = message;
    r.subject = subject;
    return sns_.Publish(r);
  }
  int CountEvents(const std::string& type) {
    int n = 0;
    for (const auto& e : events_) n += e["type"] == type;
    return n;
  }

  sim::EventLoop loop_;
  sqs::SqsService sqs_{loop_, sim::Rng(3), kEpochMs, "us-east-1", "123456789012"};
  SnsService sns_{loop_, sim::Rng(3), kEpochMs, "us-east-1", "123456789012", sqs_};
  std::vector<sim::Json> events_;
};

TEST_F(SnsTest, PendingEmailSubscriptionReceivesNothingUntilConfirmed) {
  sns_.set_auto_confirm(false);
  std::string sub = Subscribe("email", "ops@example.com");
  EXPECT_EQ(sns_.SubscriptionStatus(sub), "PendingConfirmation");
  ASSERT_TRUE(Publish("first").status.ok());
  EXPECT_TRUE(sns_.outbox().empty());
  EXPECT_EQ(CountEvents("sns.delivery_skipped"), 1);
  EXPECT_EQ(sns_.Snapshot()["topics"][0]["Counters"]["skipped_unconfirmed"], 1);

  ASSERT_TRUE(sns_.ConfirmSubscription(sub).ok());
  EXPECT_EQ(sns_.SubscriptionStatus(sub), "Confirmed");
  ASSERT_TRUE(Publish("second").status.ok());
  ASSERT_EQ(sns_.outbox().size(), 1u);
  EXPECT_EQ(sns_.outbox()[0].to, "ops@example.com");
  EXPECT_EQ(sns_.outbox()[0].body.rfind("second\n", 0), 0u);
}

TEST_F(SnsTest, AutoConfirmIsTheDefault) {
  std::string sub = Subscribe("email", "ops@example.com");
  EXPECT_EQ(sns_.SubscriptionStatus(sub), "Confirmed");
  EXPECT_EQ(CountEvents("sns.subscription_pending"), 1);
  EXPECT_EQ(CountEvents("sns.subscription_confirmed"), 1);
  Publish("hello", "Hi");
  ASSERT_EQ(sns_.outbox().size(), 1u);
  EXPECT_EQ(sns_.outbox()[0].subject, "Hi");
  EXPECT_EQ(sns_.outbox()[0].from, "no-reply@sns.amazonaws.com");
  EXPECT_EQ(sns_.outbox()[0].from_name, "Batch alerts");
}

TEST_F(SnsTest, UnconfirmedSubscriptionLapsesAfter48Hours) {
  sns_.set_auto_confirm(false);
  std::string sub = Subscribe("email", "ops@example.com");
  loop_.RunUntil(sim::kTimeZero + kUnconfirmedLifetime - sim::Seconds(1));
  EXPECT_EQ(sns_.SubscriptionStatus(sub), "PendingConfirmation");
  loop_.RunUntil(sim::kTimeZero + kUnconfirmedLifetime);
  EXPECT_EQ(sns_.SubscriptionStatus(sub), "Deleted");
  EXPECT_EQ(sns_.ConfirmSubscription(sub).code, kNotFound);
  EXPECT_TRUE(loop_.Idle());  // no timer was needed for the lapse
}

TEST_F(SnsTest, SqsSubscriptionReceivesTheJsonEnvelope) {
  Subscribe("sqs", "arn:aws:sqs:us-east-1:123456789012:inbox");
  loop_.RunUntil(sim::kTimeZero + sim::Seconds(90));
  PublishResult p = Publish("job failed", "DLQ");
  ASSERT_TRUE(p.status.ok());
  std::vector<sqs::ReceivedMessage> got;
  sqs::ReceiveMessageRequest r;
  r.queue = "inbox";
  ASSERT_TRUE(sqs_.ReceiveMessage(r, [&](auto m) { got = std::move(m); }).ok());
  ASSERT_EQ(got.size(), 1u);
  sim::Json env = sim::Json::parse(got[0].body);
  std::vector<std::string> keys;
  for (auto it = env.begin(); it != env.end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp",
                                            "SignatureVersion", "Signature", "SigningCertURL", "UnsubscribeURL"}));
  EXPECT_EQ(env["Type"], "Notification");
  EXPECT_EQ(env["MessageId"], p.message_id);
  EXPECT_EQ(env["TopicArn"], kTopic);
  EXPECT_EQ(env["Subject"], "DLQ");
  EXPECT_EQ(env["Message"], "job failed");
  EXPECT_EQ(env["Timestamp"], "2024-05-14T01:01:30.000Z");
  EXPECT_EQ(env["SignatureVersion"], "1");
}

TEST_F(SnsTest, RawMessageDeliverySendsTheMessageItself) {
  Subscribe("sqs", "arn:aws:sqs:us-east-1:123456789012:inbox", /*raw=*/true);
  PublishRequest req;
  req.topic_arn = kTopic;
  req.message = "plain";
  req.message_attributes["severity"] = {"String", "high", ""};
  sns_.Publish(req);
  std::vector<sqs::ReceivedMessage> got;
  sqs::ReceiveMessageRequest r;
  r.queue = "inbox";
  sqs_.ReceiveMessage(r, [&](auto m) { got = std::move(m); });
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].body, "plain");
  EXPECT_EQ(got[0].message_attributes.at("severity").string_value, "high");
}

TEST_F(SnsTest, PublishToUnknownTopicIsNotFound) {
  PublishRequest r;
  r.topic_arn = "arn:aws:sns:us-east-1:123456789012:nope";
  r.message = "x";
  EXPECT_EQ(sns_.Publish(r).status.code, "NotFound");
  sim::Json out;
  EXPECT_EQ(sns_.PublishApi({{"TopicArn", r.topic_arn}, {"Message", "x"}}, out), "NotFound");
  EXPECT_EQ(Publish("x", "line\nbreak").status.code, kInvalidParameter);
  EXPECT_EQ(Publish("").status.code, kInvalidParameter);
}

TEST_F(SnsTest, MessageStructureJsonPicksThePerProtocolText) {
  Subscribe("email", "ops@example.com");
  Subscribe("sqs", "arn:aws:sqs:us-east-1:123456789012:inbox", /*raw=*/true);
  sim::Json out;
  sim::Json msg = {{"default", "{\"k\":1}"}, {"email", "Readable text"}};
  ASSERT_EQ(sns_.PublishApi({{"TopicArn", kTopic}, {"Message", msg.dump()}, {"MessageStructure", "json"}}, out), "");
  EXPECT_TRUE(out.contains("MessageId"));
  ASSERT_EQ(sns_.outbox().size(), 1u);
  EXPECT_EQ(sns_.outbox()[0].body.rfind("Readable text\n", 0), 0u);
  EXPECT_EQ(sns_.outbox()[0].subject, "AWS Notification Message");
  std::string body;
  sqs::ReceiveMessageRequest r;
  r.queue = "inbox";
  sqs_.ReceiveMessage(r, [&](auto m) { body = m.at(0).body; });
  EXPECT_EQ(body, "{\"k\":1}");
  EXPECT_EQ(sns_.PublishApi({{"TopicArn", kTopic}, {"Message", "{}"}, {"MessageStructure", "json"}}, out),
            kInvalidParameter);
}

TEST_F(SnsTest, RenderEmailReadsAsMail) {
  std::string sub = Subscribe("email", "ops@example.com");
  loop_.RunUntil(sim::kTimeZero + sim::Seconds(72));
  Publish("Task stopped.", "ALARM: \"dlq\" in US East (N. Virginia)");
  std::string text = RenderEmail(sns_.outbox().at(0));
  std::string expected_head =
      "Date: Tue, 14 May 2024 01:01:12 +0000\r\n"
      "From: \"Batch alerts\" <no-reply@sns.amazonaws.com>\r\n"
      "To: ops@example.com\r\n"
      "Subject: ALARM: \"dlq\" in US East (N. Virginia)\r\n"
      "Message-ID: <" +
      sns_.outbox()[0].message_id + "@email.amazonses.com>\r\n";
  EXPECT_EQ(text.substr(0, expected_head.size()), expected_head);
  EXPECT_NE(text.find("\r\n\r\nTask stopped.\r\n\r\n--\r\nIf you wish to stop receiving notifications from this "
                      "topic, please click or visit the link below to unsubscribe:\r\nhttps://sns.us-east-1."
                      "amazonaws.com/unsubscribe.html?SubscriptionArn=" +
                      sub + "&Endpoint=ops@example.com\r\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("please contact us at https://aws.amazon.com/support\r\n"), std::string::npos);
  EXPECT_EQ(text.find("\n\n"), std::string::npos);  // every line ends in CRLF
}

TEST_F(SnsTest, EmailJsonCarriesTheEnvelope) {
  Subscribe("email-json", "ops@example.com");
  PublishResult p = Publish("m");
  sim::Json env = sim::Json::parse(sns_.outbox().at(0).body);
  EXPECT_EQ(env["MessageId"], p.message_id);
  EXPECT_EQ(env["Message"], "m");
}

TEST_F(SnsTest, SubscriptionToUnknownTopicNamesTheKeyLine) {
  auto doc = Doc("Protocol: email\nTopicArn: arn:aws:sns:us-east-1:123456789012:missing\nEndpoint: a@b.c\n", "subs.yaml");
  try {
    sns_.Subscribe(LoadSubscription(sim::Node::Root(doc)));
    FAIL() << "expected InputError";
  } catch (const sim::InputError& e) {
    EXPECT_EQ(e.where().file, "subs.yaml");
    EXPECT_EQ(e.where().line, 2);
    EXPECT_EQ(e.where().key, "TopicArn");
  }
}

TEST_F(SnsTest, SqsEndpointMustBeAnExistingQueue) {
  auto doc = Doc(fmt::format("TopicArn: {}\nProtocol: sqs\nEndpoint: arn:aws:sqs:us-east-1:123456789012:nope\n", kTopic));
  try {
    sns_.Subscribe(LoadSubscription(sim::Node::Root(doc)));
    FAIL() << "expected InputError";
  } catch (const sim::InputError& e) {
    EXPECT_EQ(e.where().line, 3);
    EXPECT_EQ(e.where().key, "Endpoint");
  }
}

TEST_F(SnsTest, LoaderRejectsUnmodelledProtocolsAndFifoTopics) {
  EXPECT_THROW(LoadSubscription(sim::Node::Root(Doc(fmt::format("TopicArn: {}\nProtocol: lambda\nEndpoint: x\n", kTopic)))),
               sim::InputError);
  EXPECT_THROW(LoadTopic(sim::Node::Root(Doc("Name: t\nAttributes:\n  FifoTopic: \"true\"\n"))), sim::InputError);
  EXPECT_THROW(LoadTopic(sim::Node::Root(Doc("Name: t\nColour: red\n"))), sim::InputError);
  EXPECT_THROW(sns_.CreateTopic(LoadTopic(sim::Node::Root(Doc("Name: alerts\n")))), sim::InputError);
}

TEST(SnsDeterminismTest, SameSeedSameIds) {
  auto run = [](uint64_t seed) {
    sim::EventLoop loop;
    sqs::SqsService sqs(loop, sim::Rng(seed), kEpochMs, "us-east-1", "123456789012");
    SnsService sns(loop, sim::Rng(seed), kEpochMs, "us-east-1", "123456789012", sqs);
    sns.CreateTopic(LoadTopic(sim::Node::Root(Doc("Name: alerts\n"))));
    sns.Subscribe(LoadSubscription(sim::Node::Root(Doc(fmt::format("TopicArn: {}\nProtocol: email\nEndpoint: a@b.c\n", kTopic)))));
    PublishRequest r;
    r.topic_arn = kTopic;
    r.message = "m";
    sns.Publish(r);
    return RenderEmail(sns.outbox().at(0)) + sns.Snapshot().dump();
  };
  EXPECT_EQ(run(5), run(5));
  EXPECT_NE(run(5), run(6));
}

}  // namespace
}  // namespace fakes::sns
