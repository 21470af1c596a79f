#include "fakes/sqs/sqs_service.h"

#include <regex>

#include <gtest/gtest.h>

#include "sim/base/event_loop.h"

namespace fakes::sqs {
namespace {

constexpr int64_t kEpochMs = 1715648400000;  // 2024-05-14T01:00:00Z
constexpr char kAccount[] = "123456789012";

class SqsTest : public ::testing::Test {
 protected:
  void Create(const std::string& yaml) {
    sqs_.CreateQueue(LoadQueue(sim::Node::Root(sim::Document::Parse(yaml, "queues.yaml", false))));
  }
  // A receive that records when and what its callback got.
  struct Outcome {
    bool called = false;
    sim::Time at{};
    std::vector<ReceivedMessage> messages;
  };
  std::shared_ptr<Outcome> Receive(const std::string& queue, std::optional<sim::Duration> wait = sim::Duration(0),
                                   int max = 10) {
    auto out = std::make_shared<Outcome>();
    ReceiveMessageRequest r;
    r.queue = queue;
    r.max_number_of_messages = max;
    r.wait_time = wait;
    Status s = sqs_.ReceiveMessage(r, [this, out](std::vector<ReceivedMessage> got) {
      out->called = true;
      out->at = loop_.Now();
      out->messages = std::move(got);
    });
    EXPECT_TRUE(s.ok()) << s.code;
    return out;
  }
  int64_t Visible(const std::string& q) { return sqs_.Metrics(q)->visible; }

  sim::EventLoop loop_;
  SqsService sqs_{loop_, sim::Rng(7), kEpochMs, "us-east-1", kAccount};
  std::vector<sim::Json> events_;
};

TEST_F(SqsTest, MessageReappearsAfterVisibilityTimeoutWithHigherReceiveCount) {
  Create("QueueName: jobs\nAttributes:\n  VisibilityTimeout: \"30\"\n");
  ASSERT_TRUE(sqs_.SendMessage("jobs", "item-1").status.ok());
  auto first = Receive("jobs");
  ASSERT_EQ(first->messages.size(), 1u);
  EXPECT_EQ(first->messages[0].attributes["ApproximateReceiveCount"], "1");
  EXPECT_EQ(first->messages[0].attributes["SentTimestamp"], std::to_string(kEpochMs));

  EXPECT_TRUE(Receive("jobs")->messages.empty());  // in flight
  loop_.RunUntil(sim::kTimeZero + sim::Seconds(29));
  EXPECT_EQ(sqs_.Metrics("jobs")->not_visible, 1);
  EXPECT_TRUE(Receive("jobs")->messages.empty());
  loop_.RunUntil(sim::kTimeZero + sim::Seconds(30));
  EXPECT_EQ(Visible("jobs"), 1);

  auto second = Receive("jobs");
  ASSERT_EQ(second->messages.size(), 1u);
  const ReceivedMessage& m = second->messages[0];
  EXPECT_EQ(m.message_id, first->messages[0].message_id);
  EXPECT_NE(m.receipt_handle, first->messages[0].receipt_handle);
  EXPECT_EQ(m.attributes["ApproximateReceiveCount"], "2");
  EXPECT_EQ(m.attributes["SentTimestamp"], std::to_string(kEpochMs));
  EXPECT_EQ(m.attributes["ApproximateFirstReceiveTimestamp"], std::to_string(kEpochMs));
  EXPECT_EQ(sqs_.Counters("jobs")->received, 2);
  EXPECT_EQ(sqs_.Counters("jobs")->redelivered, 1);
}

TEST_F(SqsTest, LongPollWakesWhenAMessageIsSent) {
  Create("QueueName: jobs\n");
  auto got = Receive("jobs", sim::Seconds(20));
  EXPECT_FALSE(got->called);
  loop_.At(sim::kTimeZero + sim::Seconds(5), [this] { sqs_.SendMessage("jobs", "late"); });
  while (loop_.Step()) {
  }
  ASSERT_TRUE(got->called);
  EXPECT_EQ(got->at, sim::kTimeZero + sim::Seconds(5));
  ASSERT_EQ(got->messages.size(), 1u);
  EXPECT_EQ(got->messages[0].body, "late");
}

TEST_F(SqsTest, LongPollExpiryReturnsEmpty) {
  Create("QueueName: jobs\nAttributes:\n  ReceiveMessageWaitTimeSeconds: 20\n");
  auto got = Receive("jobs", std::nullopt);  // queue default wait applies
  loop_.RunUntil(sim::kTimeZero + sim::Seconds(19));
  EXPECT_FALSE(got->called);
  loop_.RunUntil(sim::kTimeZero + sim::Seconds(21));
  ASSERT_TRUE(got->called);
  EXPECT_EQ(got->at, sim::kTimeZero + sim::Seconds(20));
  EXPECT_TRUE(got->messages.empty());
  // A message sent after the wait expired is not delivered to that receive.
  sqs_.SendMessage("jobs", "x");
  EXPECT_TRUE(got->messages.empty());
}

TEST_F(SqsTest, LongPollWakesWhenVisibilityExpires) {
  Create("QueueName: jobs\nAttributes:\n  VisibilityTimeout: 10\n");
  sqs_.SendMessage("jobs", "a");
  ASSERT_EQ(Receive("jobs")->messages.size(), 1u);
  auto got = Receive("jobs", sim::Seconds(20));
  loop_.RunUntil(sim::kTimeZero + sim::Seconds(20));
  ASSERT_TRUE(got->called);
  EXPECT_EQ(got->at, sim::kTimeZero + sim::Seconds(10));
  ASSERT_EQ(got->messages.size(), 1u);
  EXPECT_EQ(got->messages[0].attributes["ApproximateReceiveCount"], "2");
}

class RedriveTest : public SqsTest {
 protected:
  void SetUp() override {
    Create("QueueName: dlq\nAttributes:\n  MessageRetentionPeriod: \"7200\"\n");
    Create(
        "QueueName: jobs\n"
        "Attributes:\n"
        "  VisibilityTimeout: \"10\"\n"
        "  MessageRetentionPeriod: \"3600\"\n"
        "  RedrivePolicy: '{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:123456789012:dlq\",\"maxReceiveCount\":2}'\n");
    sqs_.Validate();
    sqs_.set_sink([this](const sim::Json& e) { events_.push_back(e); });
  }
};

TEST_F(RedriveTest, MovedToDlqOnReceiveThatWouldExceedMaxReceiveCountKeepingSentTimestamp) {
  sqs_.SendMessage("jobs", "poison");
  loop_.RunUntil(sim::kTimeZero + sim::Seconds(100));
  for (int count = 1; count <= 2; ++count) {
    auto got = Receive("jobs");
    ASSERT_EQ(got->messages.size(), 1u) << count;
    EXPECT_EQ(got->messages[0].attributes["ApproximateReceiveCount"], std::to_string(count));
    loop_.RunUntil(loop_.Now() + sim::Seconds(10));
  }
  auto third = Receive("jobs");
  EXPECT_TRUE(third->called);
  EXPECT_TRUE(third->messages.empty());  // count 3 > 2: moved instead of delivered
  EXPECT_EQ(sqs_.Metrics("jobs")->visible + sqs_.Metrics("jobs")->not_visible, 0);
  EXPECT_EQ(sqs_.Counters("jobs")->moved_to_dlq, 1);
  EXPECT_EQ(sqs_.Counters("dlq")->redriven_in, 1);
  EXPECT_EQ(sqs_.Counters("dlq")->sent, 0);
  EXPECT_EQ(Visible("dlq"), 1);

  auto dead = Receive("dlq");
  ASSERT_EQ(dead->messages.size(), 1u);
  EXPECT_EQ(dead->messages[0].body, "poison");
  EXPECT_EQ(dead->messages[0].attributes["SentTimestamp"], std::to_string(kEpochMs));  // original enqueue
  EXPECT_EQ(dead->messages[0].attributes["ApproximateReceiveCount"], "1");

  bool saw_move = false;
  for (const auto& e : events_) {
    if (e["type"] == "sqs.moved_to_dlq") {
      saw_move = true;
      EXPECT_EQ(e["queue"], "jobs");
      EXPECT_EQ(e["dead_letter_queue"], "dlq");
      EXPECT_EQ(e["receive_count"], 2);
    }
  }
  EXPECT_TRUE(saw_move);
}

TEST_F(RedriveTest, RetentionInDlqIsMeasuredFromOriginalEnqueue) {
  sqs_.SendMessage("jobs", "poison");  // t = 0
  for (int i = 0; i < 3; ++i) {
    Receive("jobs");
    loop_.RunUntil(loop_.Now() + sim::Seconds(10));
  }
  ASSERT_EQ(Visible("dlq"), 1);  // moved at t = 20 s
  // DLQ retention is 7200 s counted from t = 0, not from the move.
  loop_.RunUntil(sim::kTimeZero + sim::Seconds(7199));
  EXPECT_EQ(Visible("dlq"), 1);
  loop_.RunUntil(sim::kTimeZero + sim::Seconds(7200));
  EXPECT_EQ(Visible("dlq"), 0);
  EXPECT_EQ(sqs_.Counters("dlq")->expired, 1);
  EXPECT_EQ(events_.back()["type"], "sqs.expired");
}

TEST_F(RedriveTest, MessageMovedAfterDlqRetentionAlreadyPassedExpiresAtOnce) {
  Create("QueueName: short-dlq\nAttributes:\n  MessageRetentionPeriod: 60\n");
  Create(
      "QueueName: slow\n"
      "Attributes:\n"
      "  VisibilityTimeout: 100\n"
      "  RedrivePolicy: {deadLetterTargetArn: 'arn:aws:sqs:us-east-1:123456789012:short-dlq', maxReceiveCount: 1}\n");
  sqs_.SendMessage("slow", "m");
  Receive("slow");
  loop_.RunUntil(sim::kTimeZero + sim::Seconds(100));
  Receive("slow");  // moves at t = 100 s, 40 s past the DLQ's 60 s retention
  loop_.RunUntil(sim::kTimeZero + sim::Seconds(100));
  EXPECT_EQ(sqs_.Counters("short-dlq")->redriven_in, 1);
  EXPECT_EQ(sqs_.Counters("short-dlq")->expired, 1);
  EXPECT_EQ(Visible("short-dlq"), 0);
}

TEST_F(SqsTest, RetentionDeletesMessagesEvenInFlight) {
  Create("QueueName: jobs\nAttributes:\n  MessageRetentionPeriod: 60\n  VisibilityTimeout: 600\n");
  sqs_.SendMessage("jobs", "a");
  loop_.RunUntil(sim::kTimeZero + sim::Seconds(30));
  sqs_.SendMessage("jobs", "b");
  ASSERT_EQ(Receive("jobs", sim::Duration(0), 1)->messages.size(), 1u);
  loop_.RunUntil(sim::kTimeZero + sim::Seconds(60));
  EXPECT_EQ(sqs_.Counters("jobs")->expired, 1);
  EXPECT_EQ(sqs_.Metrics("jobs")->not_visible, 0);
  EXPECT_EQ(Visible("jobs"), 1);
  loop_.RunUntil(sim::kTimeZero + sim::Seconds(90));
  EXPECT_EQ(sqs_.Counters("jobs")->expired, 2);
}

TEST_F(SqsTest, ChangeMessageVisibilityRestartsTimerFromTheCall) {
  Create("QueueName: jobs\n");  // default 30 s
  sqs_.SendMessage("jobs", "a");
  auto got = Receive("jobs");
  std::string handle = got->messages.at(0).receipt_handle;
  loop_.RunUntil(sim::kTimeZero + sim::Seconds(20));
  ASSERT_TRUE(sqs_.ChangeMessageVisibility("jobs", handle, sim::Seconds(60)).ok());
  loop_.RunUntil(sim::kTimeZero + sim::Seconds(79));
  EXPECT_EQ(Visible("jobs"), 0);  // neither 30 s nor 60 s after the receive
  loop_.RunUntil(sim::kTimeZero + sim::Seconds(80));
  EXPECT_EQ(Visible("jobs"), 1);
  // Not in flight any more.
  EXPECT_EQ(sqs_.ChangeMessageVisibility("jobs", handle, sim::Seconds(5)).code, kMessageNotInflight);
}

TEST_F(SqsTest, ChangeMessageVisibilityToZeroReleasesAtOnce) {
  Create("QueueName: jobs\n");
  sqs_.SendMessage("jobs", "a");
  std::string handle = Receive("jobs")->messages.at(0).receipt_handle;
  ASSERT_TRUE(sqs_.ChangeMessageVisibility("jobs", handle, sim::Duration(0)).ok());
  loop_.RunUntil(loop_.Now());
  EXPECT_EQ(Visible("jobs"), 1);
  EXPECT_EQ(sqs_.ChangeMessageVisibility("jobs", "garbage", sim::Seconds(5)).code, kReceiptHandleIsInvalid);
  EXPECT_EQ(sqs_.ChangeMessageVisibility("jobs", handle, sim::Seconds(43201)).code, kInvalidParameterValue);
}

TEST_F(SqsTest, DeleteWithStaleHandleSucceedsButKeepsTheMessage) {
  Create("QueueName: jobs\nAttributes:\n  VisibilityTimeout: 5\n");
  sqs_.SendMessage("jobs", "a");
  std::string old_handle = Receive("jobs")->messages.at(0).receipt_handle;
  loop_.RunUntil(sim::kTimeZero + sim::Seconds(5));
  std::string new_handle = Receive("jobs")->messages.at(0).receipt_handle;

  EXPECT_TRUE(sqs_.DeleteMessage("jobs", old_handle).ok());
  EXPECT_EQ(sqs_.Metrics("jobs")->not_visible, 1);
  EXPECT_EQ(sqs_.Counters("jobs")->deleted, 0);

  EXPECT_TRUE(sqs_.DeleteMessage("jobs", new_handle).ok());
  EXPECT_EQ(sqs_.Metrics("jobs")->not_visible, 0);
  EXPECT_EQ(sqs_.Counters("jobs")->deleted, 1);
  EXPECT_TRUE(sqs_.DeleteMessage("jobs", new_handle).ok());  // already gone: still succeeds
  EXPECT_EQ(sqs_.DeleteMessage("jobs", "AQEBnotahandle").code, kReceiptHandleIsInvalid);
}

TEST_F(SqsTest, DeleteWithLatestHandleWorksAfterVisibilityExpired) {
  Create("QueueName: jobs\nAttributes:\n  VisibilityTimeout: 5\n");
  sqs_.SendMessage("jobs", "a");
  std::string handle = Receive("jobs")->messages.at(0).receipt_handle;
  loop_.RunUntil(sim::kTimeZero + sim::Seconds(6));
  ASSERT_EQ(Visible("jobs"), 1);
  EXPECT_TRUE(sqs_.DeleteMessage("jobs", handle).ok());
  EXPECT_EQ(Visible("jobs"), 0);
}

TEST_F(SqsTest, EveryApiAcceptsUrlArnOrName) {
  Create("QueueName: jobs\n");
  EXPECT_EQ(sqs_.QueueUrl("jobs"), "https://sqs.us-east-1.amazonaws.com/123456789012/jobs");
  EXPECT_EQ(sqs_.QueueArn("jobs"), "arn:aws:sqs:us-east-1:123456789012:jobs");
  EXPECT_TRUE(sqs_.SendMessage(sqs_.QueueUrl("jobs"), "1").status.ok());
  EXPECT_TRUE(sqs_.SendMessage(sqs_.QueueArn("jobs"), "2").status.ok());
  EXPECT_TRUE(sqs_.SendMessage("jobs", "3").status.ok());
  EXPECT_EQ(Visible(sqs_.QueueArn("jobs")), 3);
  EXPECT_EQ(sqs_.SendMessage("nope", "x").status.code, kNonExistentQueue);
  EXPECT_EQ(sqs_.SendMessage("arn:aws:sqs:eu-west-1:123456789012:jobs", "x").status.code, kNonExistentQueue);
  ReceiveMessageRequest r;
  r.queue = "nope";
  EXPECT_EQ(sqs_.ReceiveMessage(r, [](auto) { FAIL(); }).code, kNonExistentQueue);
  r.queue = "jobs";
  r.max_number_of_messages = 11;
  EXPECT_EQ(sqs_.ReceiveMessage(r, [](auto) { FAIL(); }).code, kInvalidParameterValue);
}

TEST_F(SqsTest, ReceiveOrderIsByVisibilityTimeThenSendOrder) {
  Create("QueueName: jobs\nAttributes:\n  VisibilityTimeout: 10\n");
  sqs_.SendMessage("jobs", "a");
  sqs_.SendMessage("jobs", "b");
  ASSERT_EQ(Receive("jobs", sim::Duration(0), 1)->messages.at(0).body, "a");
  loop_.RunUntil(sim::kTimeZero + sim::Seconds(5));
  sqs_.SendMessage("jobs", "c");
  loop_.RunUntil(sim::kTimeZero + sim::Seconds(10));  // "a" visible again at 10 s
  auto got = Receive("jobs");
  ASSERT_EQ(got->messages.size(), 3u);
  EXPECT_EQ(got->messages[0].body, "b");
  EXPECT_EQ(got->messages[1].body, "c");
  EXPECT_EQ(got->messages[2].body, "a");
}

TEST_F(SqsTest, DelayedMessagesCountAsDelayedUntilDue) {
  Create("QueueName: jobs\nAttributes:\n  DelaySeconds: 30\n");
  sqs_.SendMessage("jobs", "queue-delay");
  sqs_.SendMessage("jobs", "no-delay", {}, sim::Duration(0));
  EXPECT_EQ(sqs_.Metrics("jobs")->delayed, 1);
  EXPECT_EQ(Visible("jobs"), 1);
  EXPECT_EQ(sqs_.GetMetric("jobs", "ApproximateNumberOfMessagesDelayed"), 1.0);
  loop_.RunUntil(sim::kTimeZero + sim::Seconds(30));
  EXPECT_EQ(Visible("jobs"), 2);
  EXPECT_EQ(sqs_.SendMessage("jobs", "x", {}, sim::Seconds(901)).status.code, kInvalidParameterValue);
}

TEST_F(SqsTest, MessageAttributesRoundTrip) {
  Create("QueueName: jobs\n");
  MessageAttributes attrs;
  attrs["attempt"] = {"Number", "3", ""};
  attrs["source"] = {"String", "scheduler", ""};
  sqs_.SendMessage("jobs", "a", attrs);
  auto got = Receive("jobs");
  EXPECT_EQ(got->messages.at(0).message_attributes, attrs);
  sim::Json j = got->messages[0].ToJson();
  EXPECT_EQ(j["MessageAttributes"]["attempt"]["DataType"], "Number");
  EXPECT_EQ(j["MessageAttributes"]["attempt"]["StringValue"], "3");
}

TEST_F(SqsTest, SendMessageApiTakesAwsParameterNames) {
  Create("QueueName: jobs\n");
  sim::Json out;
  sim::Json params = {{"QueueUrl", sqs_.QueueUrl("jobs")},
                      {"MessageBody", {{"job", 1}}},
                      {"MessageAttributes", {{"k", {{"DataType", "String"}, {"StringValue", "v"}}}}}};
  EXPECT_EQ(sqs_.SendMessageApi(params, out), "");
  EXPECT_TRUE(out.contains("MessageId"));
  auto got = Receive("jobs");
  EXPECT_EQ(got->messages.at(0).body, "{\"job\":1}");
  EXPECT_EQ(sqs_.SendMessageApi({{"QueueUrl", "nope"}, {"MessageBody", "x"}}, out), kNonExistentQueue);
  EXPECT_EQ(sqs_.SendMessageApi({{"QueueUrl", "jobs"}}, out), kMissingParameter);
}

TEST(SqsDeterminismTest, SameSeedGivesSameIdsAndHandles) {
  auto run = [](uint64_t seed) {
    sim::EventLoop loop;
    SqsService sqs(loop, sim::Rng(seed), kEpochMs, "us-east-1", kAccount);
    sqs.CreateQueue(LoadQueue(sim::Node::Root(sim::Document::Parse("QueueName: q\n", "q.yaml", false))));
    std::vector<std::string> ids;
    for (int i = 0; i < 3; ++i) ids.push_back(sqs.SendMessage("q", "m").message_id);
    ReceiveMessageRequest r;
    r.queue = "q";
    r.max_number_of_messages = 10;
    sqs.ReceiveMessage(r, [&](std::vector<ReceivedMessage> got) {
      for (const auto& m : got) ids.push_back(m.receipt_handle);
    });
    ids.push_back(sqs.Snapshot().dump());
    return ids;
  };
  auto a = run(11);
  EXPECT_EQ(a, run(11));
  EXPECT_NE(a, run(12));
  std::regex uuid("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  EXPECT_TRUE(std::regex_match(a[0], uuid)) << a[0];
  EXPECT_NE(a[0], a[1]);
  EXPECT_EQ(a[3].rfind("AQEB", 0), 0u);
}

TEST_F(SqsTest, FifoDeliversInGroupOrderAndDeduplicates) {
  Create("QueueName: jobs.fifo\nAttributes:\n  FifoQueue: \"true\"\n  ContentBasedDeduplication: \"true\"\n");
  SendMessageRequest r;
  r.queue = "jobs.fifo";
  r.message_group_id = "g1";
  r.body = "1";
  auto first = sqs_.SendMessage(r);
  ASSERT_TRUE(first.status.ok());
  auto dup = sqs_.SendMessage(r);
  EXPECT_EQ(dup.message_id, first.message_id);
  EXPECT_EQ(sqs_.Counters("jobs.fifo")->deduplicated, 1);
  r.body = "2";
  sqs_.SendMessage(r);
  r.message_group_id = "g2";
  r.body = "3";
  sqs_.SendMessage(r);

  auto got = Receive("jobs.fifo", sim::Duration(0), 1);
  ASSERT_EQ(got->messages.at(0).body, "1");
  EXPECT_EQ(got->messages[0].attributes["MessageGroupId"], "g1");
  // g1 is blocked while "1" is in flight; g2 is not.
  auto next = Receive("jobs.fifo");
  ASSERT_EQ(next->messages.size(), 1u);
  EXPECT_EQ(next->messages[0].body, "3");

  r.message_group_id.clear();
  EXPECT_EQ(sqs_.SendMessage(r).status.code, kMissingParameter);
  loop_.RunUntil(sim::kTimeZero + sim::Seconds(301));
  r.message_group_id = "g1";
  r.body = "1";
  EXPECT_NE(sqs_.SendMessage(r).message_id, first.message_id);  // dedup window over
}

TEST_F(SqsTest, SnapshotListsQueuesAndMessagesInStableOrder) {
  Create("QueueName: b\n");
  Create("QueueName: a\nAttributes:\n  VisibilityTimeout: 60\n");
  sqs_.SendMessage("b", "x");
  sqs_.SendMessage("b", "y");
  Receive("b", sim::Duration(0), 1);
  sim::Json snap = sqs_.Snapshot();
  ASSERT_EQ(snap["queues"].size(), 2u);
  EXPECT_EQ(snap["queues"][0]["QueueName"], "a");
  EXPECT_EQ(snap["queues"][0]["Attributes"]["VisibilityTimeout"], "60");
  const sim::Json& b = snap["queues"][1];
  ASSERT_EQ(b["Messages"].size(), 2u);
  EXPECT_EQ(b["Messages"][0]["Body"], "x");
  EXPECT_EQ(b["Messages"][0]["State"], "in_flight");
  EXPECT_EQ(b["Messages"][1]["State"], "visible");
  EXPECT_EQ(b["Counters"]["sent"], 2);
  EXPECT_EQ(b["Attributes"]["ApproximateNumberOfMessages"], "1");
}

TEST_F(SqsTest, ChangeListenerHearsEveryGaugeChange) {
  Create("QueueName: jobs\nAttributes:\n  VisibilityTimeout: 5\n");
  std::vector<std::string> heard;
  sqs_.AddChangeListener([&](const std::string& q) { heard.push_back(q); });
  sqs_.SendMessage("jobs", "a");
  Receive("jobs");
  loop_.RunUntil(sim::kTimeZero + sim::Seconds(5));
  EXPECT_EQ(heard.size(), 3u);  // send, receive, visibility expiry
}

}  // namespace
}  // namespace fakes::sqs
