#include "worker/protocol.h"

#include <gtest/gtest.h>

namespace ecsim::protocol {
namespace {

TEST(ProtocolTest, RequestsRoundTrip) {
  for (const Request& r : {Request{Verb::kHello, 123, 1, {}, {}}, Request{Verb::kNow, 0, 0, {}, {}},
                           Request{Verb::kSleep, 5000000, 0, {}, {}}, Request{Verb::kWork, 7, 1000, {}, {}},
                           Request{Verb::kCommit, 7, 0, {}, {}}, Request{Verb::kJob, 3600, 12, {}, {}},
                           Request{Verb::kCall, 0, 0, "sqs.ReceiveMessage", R"({"QueueUrl":"q"})"}}) {
    auto decoded = DecodeRequest(Encode(r));
    ASSERT_TRUE(decoded) << Encode(r);
    EXPECT_EQ(decoded->verb, r.verb);
    EXPECT_EQ(decoded->a, r.a);
    EXPECT_EQ(decoded->b, r.b);
    EXPECT_EQ(decoded->text, r.text);
    EXPECT_EQ(decoded->body, r.body);
  }
}

TEST(ProtocolTest, RepliesRoundTrip) {
  auto ok = DecodeReply(Encode(Reply{ReplyKind::kOk, 42, 0, 0, ""}));
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->now_us, 42);
  auto sig = DecodeReply(Encode(Reply{ReplyKind::kSignal, 120000000, 15, 500, ""}));
  ASSERT_TRUE(sig);
  EXPECT_EQ(sig->kind, ReplyKind::kSignal);
  EXPECT_EQ(sig->signo, 15);
  EXPECT_EQ(sig->remaining_us, 500);
  auto body = DecodeReply(Encode(Reply{ReplyKind::kOk, 1, 0, 0, R"({"Messages":[]})"}));
  ASSERT_TRUE(body);
  EXPECT_EQ(body->body, R"({"Messages":[]})");
  auto err = DecodeReply(Encode(Reply{ReplyKind::kError, 3, 0, 0, "QueueDoesNotExist no such queue"}));
  ASSERT_TRUE(err);
  EXPECT_EQ(err->kind, ReplyKind::kError);
  EXPECT_EQ(err->body, "QueueDoesNotExist no such queue");
}

TEST(ProtocolTest, GarbageIsRejected) {
  for (const char* bad : {"", "FOO", "SLEEP", "SLEEP x", "SLEEP -5", "SLEEP 5 6", "WORK 1", "NOW now", "HELLO 1",
                          "JOB 1 -2", "CALL", "SLEEP 99999999999999999999", "WORK 1 2\n"}) {
    EXPECT_FALSE(DecodeRequest(bad)) << bad;
  }
  EXPECT_FALSE(DecodeRequest(std::string("SLEEP 1\0", 8)));
  EXPECT_FALSE(DecodeReply("SIG 15 1"));
  EXPECT_FALSE(DecodeReply("YES 1"));
}

}  // namespace
}  // namespace ecsim::protocol
