#include "fakes/sqs/queue_spec.h"

#include <gtest/gtest.h>
#include "sim/base/testing/input_error.h"

#include "fakes/sqs/sqs_service.h"
#include "sim/base/event_loop.h"

namespace fakes::sqs {
namespace {

QueueSpec Load(const std::string& yaml, const std::string& file = "queues.yaml") {
  return LoadQueue(sim::Node::Root(sim::Document::Parse(yaml, file, false)));
}

template <typename Fn>
sim::InputError ErrorOf(Fn fn) {
  return sim::testing::CaptureInputError(fn);
}

TEST(QueueSpecTest, DefaultsMatchAws) {
  QueueSpec q = Load("QueueName: jobs\n");
  EXPECT_EQ(q.name, "jobs");
  EXPECT_FALSE(q.fifo);
  EXPECT_EQ(q.visibility_timeout, sim::Seconds(30));
  EXPECT_EQ(q.retention, sim::Seconds(345600));
  EXPECT_EQ(q.receive_wait, sim::Duration(0));
  EXPECT_EQ(q.delay, sim::Duration(0));
  EXPECT_FALSE(q.redrive.has_value());
}

TEST(QueueSpecTest, AttributesAcceptStringsAndNumbers) {
  QueueSpec q = Load(
      "QueueName: jobs\n"
      "Attributes:\n"
      "  VisibilityTimeout: \"45\"\n"
      "  MessageRetentionPeriod: 3600\n"
      "  ReceiveMessageWaitTimeSeconds: \"20\"\n"
      "  DelaySeconds: 5\n"
      "tags:\n"
      "  team: batch\n");
  EXPECT_EQ(q.visibility_timeout, sim::Seconds(45));
  EXPECT_EQ(q.retention, sim::Seconds(3600));
  EXPECT_EQ(q.receive_wait, sim::Seconds(20));
  EXPECT_EQ(q.delay, sim::Seconds(5));
  EXPECT_EQ(q.tags.at("team"), "batch");
}

TEST(QueueSpecTest, RedrivePolicyAsJsonStringOrObject) {
  QueueSpec a = Load(
      "QueueName: jobs\n"
      "Attributes:\n"
      "  RedrivePolicy: '{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:123456789012:dlq\",\"maxReceiveCount\":\"5\"}'\n");
  ASSERT_TRUE(a.redrive.has_value());
  EXPECT_EQ(a.redrive->dead_letter_target_arn, "arn:aws:sqs:us-east-1:123456789012:dlq");
  EXPECT_EQ(a.redrive->max_receive_count, 5);
  QueueSpec b = Load(
      "QueueName: jobs\n"
      "Attributes:\n"
      "  RedrivePolicy:\n"
      "    deadLetterTargetArn: arn:aws:sqs:us-east-1:123456789012:dlq\n"
      "    maxReceiveCount: 3\n");
  EXPECT_EQ(b.redrive->max_receive_count, 3);
  EXPECT_EQ(b.redrive->where.line, 4);
}

TEST(QueueSpecTest, OutOfRangeVisibilityNamesLineAndKey) {
  auto e = ErrorOf([] { Load("QueueName: jobs\nAttributes:\n  VisibilityTimeout: \"50000\"\n"); });
  EXPECT_EQ(e.where().file, "queues.yaml");
  EXPECT_EQ(e.where().line, 3);
  EXPECT_EQ(e.where().key, "Attributes.VisibilityTimeout");
  EXPECT_NE(std::string(e.what()).find("out of range [0, 43200]"), std::string::npos);
}

TEST(QueueSpecTest, RetentionBelowMinimumIsRejected) {
  auto e = ErrorOf([] { Load("QueueName: jobs\nAttributes:\n  MessageRetentionPeriod: 59\n"); });
  EXPECT_EQ(e.where().line, 3);
  EXPECT_EQ(e.where().key, "Attributes.MessageRetentionPeriod");
}

TEST(QueueSpecTest, BadMaxReceiveCountInsideJsonStringNamesOuterLine) {
  auto e = ErrorOf([] {
    Load(
        "QueueName: jobs\n"
        "Attributes:\n"
        "  VisibilityTimeout: 30\n"
        "  RedrivePolicy: '{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:123456789012:dlq\",\"maxReceiveCount\":0}'\n");
  });
  EXPECT_EQ(e.where().line, 4);
  EXPECT_EQ(e.where().key, "Attributes.RedrivePolicy.maxReceiveCount");
}

TEST(QueueSpecTest, MalformedRedriveJsonIsAnInputError) {
  auto e = ErrorOf([] { Load("QueueName: jobs\nAttributes:\n  RedrivePolicy: '{\"deadLetterTargetArn\": '\n"); });
  EXPECT_EQ(e.where().line, 3);
  EXPECT_EQ(e.where().key, "Attributes.RedrivePolicy");
}

TEST(QueueSpecTest, UnknownAttributeIsRejected) {
  auto e = ErrorOf([] { Load("QueueName: jobs\nAttributes:\n  VisibilityTimout: 30\n"); });
  EXPECT_EQ(e.where().line, 3);
  EXPECT_EQ(e.where().key, "Attributes.VisibilityTimout");
}

TEST(QueueSpecTest, FifoNameAndAttributeMustAgree) {
  EXPECT_TRUE(Load("QueueName: jobs.fifo\nAttributes:\n  FifoQueue: \"true\"\n").fifo);
  auto e = ErrorOf([] { Load("QueueName: jobs.fifo\n"); });
  EXPECT_EQ(e.where().key, "QueueName");
  EXPECT_THROW(Load("QueueName: jobs\nAttributes:\n  FifoQueue: \"true\"\n"), sim::InputError);
  EXPECT_THROW(Load("QueueName: 'bad name'\n"), sim::InputError);
}

class ValidateTest : public ::testing::Test {
 protected:
  void Add(const std::string& yaml, int index) { sqs_.CreateQueue(Load(yaml, "q" + std::to_string(index) + ".yaml")); }
  sim::EventLoop loop_;
  SqsService sqs_{loop_, sim::Rng(1), 0, "us-east-1", "123456789012"};
};

TEST_F(ValidateTest, MissingDeadLetterQueueNamesTheArnLine) {
  Add(
      "QueueName: jobs\n"
      "Attributes:\n"
      "  RedrivePolicy:\n"
      "    maxReceiveCount: 3\n"
      "    deadLetterTargetArn: arn:aws:sqs:us-east-1:123456789012:nope\n",
      1);
  auto e = ErrorOf([&] { sqs_.Validate(); });
  EXPECT_EQ(e.where().file, "q1.yaml");
  EXPECT_EQ(e.where().line, 5);
  EXPECT_EQ(e.where().key, "Attributes.RedrivePolicy.deadLetterTargetArn");
  EXPECT_NE(std::string(e.what()).find("does not exist"), std::string::npos);
}

TEST_F(ValidateTest, DeadLetterQueueTypeMustMatch) {
  Add("QueueName: dlq.fifo\nAttributes:\n  FifoQueue: \"true\"\n", 1);
  Add(
      "QueueName: jobs\n"
      "Attributes:\n"
      "  RedrivePolicy:\n"
      "    deadLetterTargetArn: arn:aws:sqs:us-east-1:123456789012:dlq.fifo\n"
      "    maxReceiveCount: 3\n",
      2);
  auto e = ErrorOf([&] { sqs_.Validate(); });
  EXPECT_EQ(e.where().line, 4);
  EXPECT_NE(std::string(e.what()).find("types must match"), std::string::npos);
}

TEST_F(ValidateTest, ValidRedrivePasses) {
  Add("QueueName: dlq\n", 1);
  Add(
      "QueueName: jobs\n"
      "Attributes:\n"
      "  RedrivePolicy: {deadLetterTargetArn: 'arn:aws:sqs:us-east-1:123456789012:dlq', maxReceiveCount: 2}\n",
      2);
  EXPECT_NO_THROW(sqs_.Validate());
}

TEST_F(ValidateTest, DuplicateQueueIsRejected) {
  Add("QueueName: jobs\n", 1);
  EXPECT_THROW(Add("QueueName: jobs\n", 2), sim::InputError);
}

}  // namespace
}  // namespace fakes::sqs
