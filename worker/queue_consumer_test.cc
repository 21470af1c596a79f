#include "worker/queue_consumer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ecsim::worker {
namespace {

using Json = nlohmann::json;

// ---------------------------------------------------------------- parsing

TEST(ParseItemBodyTest, AcceptsObjectAndBareInteger) {
  std::string error;
  EXPECT_EQ(ParseItemBody(R"({"item": 7})", 10, error), 7);
  EXPECT_EQ(ParseItemBody(R"({"item":0,"attempt":"x"})", 10, error), 0);
  EXPECT_EQ(ParseItemBody("9", 10, error), 9);
  EXPECT_EQ(ParseItemBody(" 3\n", 10, error), 3);
}

TEST(ParseItemBodyTest, RejectsWhatIsNotAnItemOfTheJob) {
  struct Case {
    const char* body;
    const char* error;
  };
  for (const Case& c : std::vector<Case>{{"", "not JSON"},
                                         {"item 3", "not JSON"},
                                         {"3.0", "not an integer"},
                                         {"\"3\"", "not an integer"},
                                         {"true", "not an integer"},
                                         {"[3]", "not an integer"},
                                         {R"({"Item": 3})", "no \"item\" key"},
                                         {R"({"item": "3"})", "\"item\" is not an integer"},
                                         {"-1", "outside the job"},
                                         {"10", "outside the job (0..9)"},
                                         {"18446744073709551615", "outside the job"}}) {
    std::string error;
    EXPECT_FALSE(ParseItemBody(c.body, 10, error).has_value()) << c.body;
    EXPECT_NE(error.find(c.error), std::string::npos) << c.body << " -> " << error;
  }
}

TEST(ParseReceiveResultTest, ReadsMessagesAndReceiveCount) {
  std::vector<ReceivedMessage> got;
  std::string error;
  ASSERT_TRUE(ParseReceiveResult(
      R"({"Messages":[{"MessageId":"m1","ReceiptHandle":"h1","Body":"{\"item\":4}",
          "Attributes":{"ApproximateReceiveCount":"3","SentTimestamp":"1700000000000"}},
          {"MessageId":"m2","ReceiptHandle":"h2","Body":"5"}]})",
      got, error))
      << error;
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].message_id, "m1");
  EXPECT_EQ(got[0].receipt_handle, "h1");
  EXPECT_EQ(got[0].body, R"({"item":4})");
  EXPECT_EQ(got[0].receive_count, 3);
  EXPECT_EQ(got[1].receive_count, -1);
}

TEST(ParseReceiveResultTest, EmptyOrMissingMessagesIsAnEmptyReceive) {
  std::vector<ReceivedMessage> got(1);
  std::string error;
  EXPECT_TRUE(ParseReceiveResult(R"({"Messages":[]})", got, error));
  EXPECT_TRUE(got.empty());
  EXPECT_TRUE(ParseReceiveResult("{}", got, error));
  EXPECT_TRUE(got.empty());
}

TEST(ParseReceiveResultTest, RejectsMalformedResults) {
  std::vector<ReceivedMessage> got;
  std::string error;
  EXPECT_FALSE(ParseReceiveResult("", got, error));
  EXPECT_FALSE(ParseReceiveResult(R"({"Messages":{}})", got, error));
  EXPECT_FALSE(ParseReceiveResult(R"({"Messages":[3]})", got, error));
  EXPECT_FALSE(ParseReceiveResult(R"({"Messages":[{"MessageId":"m","Body":"1"}]})", got, error));
  EXPECT_NE(error.find("ReceiptHandle"), std::string::npos);
}

TEST(ReceiveMessageArgsTest, AsksForTheConfiguredBatchWaitAndVisibility) {
  Options o;
  o.queue = "jobs";
  EXPECT_EQ(ReceiveMessageArgs(o), R"({"QueueUrl":"jobs","MaxNumberOfMessages":1,"WaitTimeSeconds":20})");
  o.batch = 10;
  o.wait_s = 0;
  o.visibility_s = 45;
  EXPECT_EQ(ReceiveMessageArgs(o),
            R"({"QueueUrl":"jobs","MaxNumberOfMessages":10,"WaitTimeSeconds":0,"VisibilityTimeout":45})");
}

// ---------------------------------------------------------------- the loop

// A scripted SQS queue plus virtual time. Messages that are received and not
// deleted stay in flight (no visibility expiry): each test checks what the
// consumer deletes and leaves.
class FakeRuntime : public Runtime {
 public:
  struct Message {
    std::string id, body, handle;
    int64_t receives = 0;
    bool in_flight = false;
  };

  explicit FakeRuntime(volatile std::sig_atomic_t& terminate) : terminate_(terminate) {}

  void Send(const std::string& body) { queue.push_back({"m" + std::to_string(queue.size()), body}); }

  bool simulated() override { return simulated_; }
  int64_t NowMs() override { return now_us / 1000; }
  client::WaitResult Sleep(int64_t us) override {
    sleeps.push_back(us);
    now_us += us;
    return {};
  }
  client::WaitResult Work(int64_t item, int64_t us) override {
    work.push_back({item, us});
    if (static_cast<int>(work.size()) == sigterm_at_work) {
      terminate_ = 1;
      now_us += us / 2;
      return {true, us - us / 2};
    }
    now_us += us;
    return {};
  }
  void Committed(int64_t item) override { committed.push_back(item); }
  void Job(int64_t total, int64_t start) override { jobs.push_back({total, start}); }
  client::CallResult Call(const std::string& op, const std::string& args) override {
    calls.push_back(op);
    Json a = Json::parse(args);
    if (op == "sqs.ReceiveMessage") {
      receive_args.push_back(a);
      if (static_cast<int>(receive_args.size()) == sigterm_at_receive) {
        terminate_ = 1;
        return {false, {}, "Interrupted the call was interrupted by a signal"};
      }
      if (!receive_error.empty()) return {false, {}, receive_error};
      Json out = {{"Messages", Json::array()}};
      for (auto& m : queue) {
        if (m.in_flight || static_cast<int64_t>(out["Messages"].size()) >= a["MaxNumberOfMessages"].get<int64_t>())
          continue;
        m.in_flight = true;
        ++m.receives;
        m.handle = "h-" + m.id + "-" + std::to_string(m.receives);
        out["Messages"].push_back({{"MessageId", m.id},
                                   {"ReceiptHandle", m.handle},
                                   {"Body", m.body},
                                   {"Attributes", {{"ApproximateReceiveCount", std::to_string(m.receives)}}}});
      }
      if (out["Messages"].empty()) now_us += a["WaitTimeSeconds"].get<int64_t>() * 1000000;
      return {true, out.dump(), {}};
    }
    if (op == "sqs.DeleteMessage") {
      if (interrupt_next_delete) {
        interrupt_next_delete = false;
        terminate_ = 1;
        return {false, {}, "Interrupted the call was interrupted by a signal"};
      }
      for (auto it = queue.begin(); it != queue.end(); ++it) {
        if (it->handle == a["ReceiptHandle"]) {
          deleted.push_back(it->body);
          queue.erase(it);
          return {true, "{}", {}};
        }
      }
      return {false, {}, "ReceiptHandleIsInvalid unknown handle"};
    }
    if (op == "sqs.ChangeMessageVisibility") {
      visibility_changes.push_back({a["ReceiptHandle"].get<std::string>(), a["VisibilityTimeout"].get<int64_t>()});
      return {true, "{}", {}};
    }
    return {false, {}, "InvalidAction " + op};
  }

  bool simulated_ = true;
  int64_t now_us = 0;
  int sigterm_at_work = 0;     // the n-th Work call (1-based) is cut short by SIGTERM
  int sigterm_at_receive = 0;  // the n-th ReceiveMessage is cut short by SIGTERM
  bool interrupt_next_delete = false;
  std::string receive_error;
  std::vector<Message> queue;
  std::vector<std::string> calls;
  std::vector<Json> receive_args;
  std::vector<std::pair<int64_t, int64_t>> work;  // (item, us)
  std::vector<int64_t> sleeps;
  std::vector<int64_t> committed;
  std::vector<std::pair<int64_t, int64_t>> jobs;
  std::vector<std::string> deleted;  // bodies
  std::vector<std::pair<std::string, int64_t>> visibility_changes;

 private:
  volatile std::sig_atomic_t& terminate_;
};

class QueueConsumerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ecsim-wq-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::string error;
    store_ = CheckpointStore::Open((dir_ / "ckpt.db").string(), error);
    ASSERT_TRUE(store_) << error;
    o_.queue = "jobs";
    o_.items = 10;
    o_.item_ms = 1000;
    o_.on_sigterm = "graceful";
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  int Run() {
    WorkerEnv env{rt_, *store_, "task-1", terminate_, [this](std::string_view l) { out_.emplace_back(l); },
                  [this](std::string_view l) { err_.emplace_back(l); }};
    return RunQueue(o_, env);
  }
  bool Printed(const std::string& line) const {
    for (const auto& l : out_)
      if (l == line) return true;
    return false;
  }

  std::filesystem::path dir_;
  std::unique_ptr<CheckpointStore> store_;
  volatile std::sig_atomic_t terminate_ = 0;
  FakeRuntime rt_{terminate_};
  Options o_;
  std::vector<std::string> out_, err_;
};

TEST_F(QueueConsumerTest, ProcessesCommitsAndDeletesEachMessageThenExitsWhenIdle) {
  rt_.Send(R"({"item": 2})");
  rt_.Send("0");
  rt_.Send(R"({"item": 5})");
  EXPECT_EQ(Run(), 0);
  ASSERT_EQ(rt_.jobs.size(), 1u);
  EXPECT_EQ(rt_.jobs[0], (std::pair<int64_t, int64_t>{10, 0}));
  EXPECT_EQ(rt_.work, (std::vector<std::pair<int64_t, int64_t>>{{2, 1000000}, {0, 1000000}, {5, 1000000}}));
  EXPECT_EQ(rt_.committed, (std::vector<int64_t>{2, 0, 5}));
  EXPECT_TRUE(rt_.queue.empty());
  EXPECT_EQ(store_->Count(), 3);
  EXPECT_TRUE(store_->Has(5));
  EXPECT_TRUE(Printed("Received item 2 (receive count 1)"));
  EXPECT_TRUE(Printed("Deleted item 5"));
  EXPECT_EQ(out_.back(), "Queue idle after 2 empty receive(s): processed 3 item(s), skipped 0, left 0 bad message(s), exiting");
  // Each item is committed before its message is deleted.
  std::vector<std::string> expected_calls = {"sqs.ReceiveMessage", "sqs.DeleteMessage", "sqs.ReceiveMessage",
                                             "sqs.DeleteMessage", "sqs.ReceiveMessage", "sqs.DeleteMessage",
                                             "sqs.ReceiveMessage", "sqs.ReceiveMessage"};
  EXPECT_EQ(rt_.calls, expected_calls);
  // Two empty long polls of 20 s after three items of 1 s.
  EXPECT_EQ(rt_.now_us, 43000000);
}

TEST_F(QueueConsumerTest, BatchReceivesUpToMaxNumberOfMessages) {
  o_.batch = 2;
  for (int i = 0; i < 3; ++i) rt_.Send(std::to_string(i));
  EXPECT_EQ(Run(), 0);
  EXPECT_EQ(rt_.receive_args[0]["MaxNumberOfMessages"], 2);
  EXPECT_EQ(rt_.calls[1], "sqs.DeleteMessage");
  EXPECT_EQ(rt_.calls[2], "sqs.DeleteMessage");
  EXPECT_EQ(rt_.calls[3], "sqs.ReceiveMessage");
  EXPECT_EQ(store_->Count(), 3);
}

TEST_F(QueueConsumerTest, DuplicateDeliveryOfCommittedItemIsProcessedAgain) {
  ASSERT_TRUE(store_->Commit(4, "16", "task-0", 0));
  rt_.Send("4");
  EXPECT_EQ(Run(), 0);
  EXPECT_EQ(rt_.work.size(), 1u);
  EXPECT_EQ(rt_.committed, (std::vector<int64_t>{4}));
  EXPECT_EQ(rt_.deleted.size(), 1u);
}

TEST_F(QueueConsumerTest, SkipDoneDeletesCommittedItemWithoutWork) {
  o_.skip_done = true;
  ASSERT_TRUE(store_->Commit(4, "16", "task-0", 0));
  rt_.Send("4");
  rt_.Send("5");
  EXPECT_EQ(Run(), 0);
  EXPECT_EQ(rt_.work, (std::vector<std::pair<int64_t, int64_t>>{{5, 1000000}}));
  EXPECT_TRUE(Printed("Skipped item 4 (already committed)"));
  EXPECT_TRUE(Printed("Deleted item 4"));
  EXPECT_EQ(rt_.deleted, (std::vector<std::string>{"4", "5"}));
  EXPECT_NE(out_.back().find("processed 1 item(s), skipped 1"), std::string::npos);
}

TEST_F(QueueConsumerTest, BadBodyIsLoggedAndLeftInTheQueue) {
  rt_.Send("not json");
  rt_.Send("{\"item\": 99}");
  rt_.Send("1");
  EXPECT_EQ(Run(), 0);
  EXPECT_EQ(rt_.deleted, (std::vector<std::string>{"1"}));
  ASSERT_EQ(rt_.queue.size(), 2u);
  EXPECT_TRUE(rt_.queue[0].in_flight);
  ASSERT_EQ(err_.size(), 2u);
  EXPECT_NE(err_[0].find("Bad message m0 (receive count 1): body not json: not JSON"), std::string::npos) << err_[0];
  EXPECT_NE(err_[1].find("outside the job"), std::string::npos) << err_[1];
  EXPECT_NE(out_.back().find("left 2 bad message(s)"), std::string::npos);
}

TEST_F(QueueConsumerTest, GracefulSigtermAbandonsTheMessageWithoutDeletingIt) {
  rt_.Send("3");
  rt_.Send("4");
  rt_.sigterm_at_work = 1;
  EXPECT_EQ(Run(), 0);
  EXPECT_TRUE(rt_.committed.empty());
  EXPECT_EQ(store_->Count(), 0);
  EXPECT_TRUE(rt_.deleted.empty());
  EXPECT_EQ(out_.back(), "Received SIGTERM: abandoning item 3, exiting");
  EXPECT_EQ(rt_.calls, (std::vector<std::string>{"sqs.ReceiveMessage"}));
}

TEST_F(QueueConsumerTest, GracefulSigtermWithFinishItemCompletesCommitsAndDeletes) {
  o_.finish_item = true;
  rt_.Send("3");
  rt_.Send("4");
  rt_.sigterm_at_work = 1;
  EXPECT_EQ(Run(), 0);
  // The remaining half of item 3 is worked, then it is committed and deleted.
  EXPECT_EQ(rt_.work, (std::vector<std::pair<int64_t, int64_t>>{{3, 1000000}, {3, 500000}}));
  EXPECT_EQ(rt_.committed, (std::vector<int64_t>{3}));
  EXPECT_EQ(rt_.deleted, (std::vector<std::string>{"3"}));
  EXPECT_EQ(out_.back(), "Received SIGTERM: finished item 3, exiting");
  EXPECT_EQ(rt_.queue.size(), 1u);
}

TEST_F(QueueConsumerTest, SigtermDuringLongPollExitsWithNothingInProgress) {
  rt_.sigterm_at_receive = 1;
  EXPECT_EQ(Run(), 0);
  EXPECT_EQ(out_.back(), "Received SIGTERM: no item in progress, exiting");
  EXPECT_TRUE(err_.empty());
}

TEST_F(QueueConsumerTest, SigtermDuringDeleteStillDeletesThenStops) {
  rt_.Send("1");
  rt_.Send("2");
  rt_.interrupt_next_delete = true;
  EXPECT_EQ(Run(), 0);
  EXPECT_EQ(rt_.deleted, (std::vector<std::string>{"1"}));
  EXPECT_TRUE(Printed("Deleted item 1"));
  EXPECT_EQ(out_.back(), "Received SIGTERM: no item in progress, exiting");
  EXPECT_EQ(rt_.work.size(), 1u);
}

TEST_F(QueueConsumerTest, SigtermBetweenMessagesLeavesTheRestOfTheBatchInFlight) {
  o_.batch = 3;
  for (int i = 0; i < 3; ++i) rt_.Send(std::to_string(i));
  rt_.interrupt_next_delete = true;
  EXPECT_EQ(Run(), 0);
  EXPECT_EQ(rt_.work.size(), 1u);
  EXPECT_EQ(rt_.deleted, (std::vector<std::string>{"0"}));
  ASSERT_EQ(rt_.queue.size(), 2u);
  EXPECT_TRUE(rt_.queue[0].in_flight);
  EXPECT_TRUE(rt_.queue[1].in_flight);
  EXPECT_EQ(out_.back(), "Received SIGTERM: no item in progress, exiting");
}

TEST_F(QueueConsumerTest, CleanupSigtermSpendsCleanupTimeAndLeavesTheMessage) {
  o_.on_sigterm = "cleanup";
  o_.cleanup_ms = 5000;
  rt_.Send("3");
  rt_.sigterm_at_work = 1;
  EXPECT_EQ(Run(), 0);
  EXPECT_EQ(rt_.sleeps, (std::vector<int64_t>{5000000}));
  EXPECT_TRUE(rt_.deleted.empty());
  EXPECT_EQ(out_.back(), "Cleanup done. Shutting down completed at item 3");
}

TEST_F(QueueConsumerTest, HeartbeatExtendsVisibilityBetweenWorkSlices) {
  o_.heartbeat = true;
  o_.visibility_s = 4;
  o_.item_ms = 5000;
  o_.batch = 2;
  rt_.Send("1");
  rt_.Send("2");
  EXPECT_EQ(Run(), 0);
  // 5 s of work in 2 s slices; after each slice but the last, both messages
  // of the batch still held are extended, then only the second.
  EXPECT_EQ(rt_.work, (std::vector<std::pair<int64_t, int64_t>>{
                          {1, 2000000}, {1, 2000000}, {1, 1000000}, {2, 2000000}, {2, 2000000}, {2, 1000000}}));
  std::vector<std::pair<std::string, int64_t>> expected = {{"h-m0-1", 4}, {"h-m1-1", 4}, {"h-m0-1", 4},
                                                           {"h-m1-1", 4}, {"h-m1-1", 4}, {"h-m1-1", 4}};
  EXPECT_EQ(rt_.visibility_changes, expected);
  EXPECT_EQ(rt_.receive_args[0]["VisibilityTimeout"], 4);
  EXPECT_TRUE(Printed("Heartbeat: visibility of 2 message(s) extended to 4 s"));
}

TEST_F(QueueConsumerTest, SigtermDuringHeartbeatSliceReportsTheWholeRemainder) {
  o_.heartbeat = true;
  o_.visibility_s = 4;
  o_.item_ms = 5000;
  o_.finish_item = true;
  rt_.Send("1");
  rt_.sigterm_at_work = 2;  // in the second 2 s slice, 1 s in
  EXPECT_EQ(Run(), 0);
  // Finishing works what was left: 1 s of the slice + the last 1 s.
  EXPECT_EQ(rt_.work.back(), (std::pair<int64_t, int64_t>{1, 2000000}));
  EXPECT_EQ(rt_.committed, (std::vector<int64_t>{1}));
}

TEST_F(QueueConsumerTest, ReceiveErrorExitsOne) {
  rt_.receive_error = "AWS.SimpleQueueService.NonExistentQueue The specified queue does not exist.";
  EXPECT_EQ(Run(), 1);
  ASSERT_EQ(err_.size(), 1u);
  EXPECT_NE(err_[0].find("NonExistentQueue"), std::string::npos);
}

TEST_F(QueueConsumerTest, StandaloneQueueModeExitsTwo) {
  rt_.simulated_ = false;
  rt_.Send("1");
  EXPECT_EQ(Run(), 2);
  EXPECT_TRUE(rt_.calls.empty());
  ASSERT_EQ(err_.size(), 1u);
  EXPECT_NE(err_[0].find("needs the simulator"), std::string::npos);
}

TEST_F(QueueConsumerTest, IdlePollsCountsOnlyConsecutiveEmptyReceives) {
  o_.idle_polls = 1;
  rt_.Send("1");
  EXPECT_EQ(Run(), 0);
  EXPECT_EQ(rt_.receive_args.size(), 2u);
  EXPECT_EQ(out_.back().rfind("Queue idle after 1 empty receive(s)", 0), 0u) << out_.back();
}

}  // namespace
}  // namespace ecsim::worker
