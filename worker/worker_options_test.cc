#include "worker/worker_options.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace ecsim::worker {
namespace {

// Parses `args` (split at spaces; "''" is an empty argument) as main() parses
// argv; returns "" or the error, "parse: ..." for one CLI11 reports itself.
std::string Parse(const std::string& args, Options& o, const char* queue_env = nullptr,
                  const char* db_env = nullptr) {
  std::vector<std::string> words = {"ecsim-worker"};
  for (size_t i = 0; i < args.size();) {
    size_t sp = std::min(args.find(' ', i), args.size());
    std::string w = args.substr(i, sp - i);
    words.push_back(w == "''" ? "" : w);
    i = sp + 1;
  }
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  CLI::App app;
  AddOptions(app, o);
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    return std::string("parse: ") + e.what();
  }
  return FinishOptions(app, o, queue_env, db_env);
}

TEST(WorkerOptionsTest, DefaultsToItemModeWithDocumentedValues) {
  Options o;
  EXPECT_EQ(Parse("", o), "");
  EXPECT_FALSE(o.queue_mode());
  EXPECT_EQ(o.items, 100);
  EXPECT_EQ(o.db, "checkpoint.db");
  EXPECT_EQ(o.wait_s, 20);
  EXPECT_EQ(o.visibility_s, 0);
  EXPECT_EQ(o.idle_polls, 2);
  EXPECT_EQ(o.batch, 1);
}

TEST(WorkerOptionsTest, QueueOptionSwitchesToQueueMode) {
  Options o;
  EXPECT_EQ(Parse("--queue jobs --batch 10 --wait-s 0 --visibility-s 60 --heartbeat --skip-done", o), "");
  EXPECT_TRUE(o.queue_mode());
  EXPECT_EQ(o.queue, "jobs");
  EXPECT_EQ(o.batch, 10);
  EXPECT_EQ(o.wait_s, 0);
  EXPECT_EQ(o.visibility_s, 60);
  EXPECT_TRUE(o.heartbeat);
  EXPECT_TRUE(o.skip_done);
}

TEST(WorkerOptionsTest, EnvironmentQueueUrlIsTheDefaultAndTheCommandLineWins) {
  const char* url = "https://sqs.us-east-1.amazonaws.com/123456789012/jobs";
  Options from_env;
  EXPECT_EQ(Parse("", from_env, url, "/tmp/x.db"), "");
  EXPECT_EQ(from_env.queue, url);
  EXPECT_EQ(from_env.db, "/tmp/x.db");
  Options named;
  EXPECT_EQ(Parse("--queue other", named, url), "");
  EXPECT_EQ(named.queue, "other");
  Options forced_item_mode;
  EXPECT_EQ(Parse("--queue '' --resume scan", forced_item_mode, url), "");
  EXPECT_FALSE(forced_item_mode.queue_mode());
}

TEST(WorkerOptionsTest, RejectsOutOfRangeQueueSettings) {
  for (const char* args : {"--queue q --wait-s 21", "--queue q --batch 0", "--queue q --batch 11",
                           "--queue q --visibility-s 43201", "--queue q --idle-polls -1"}) {
    Options o;
    EXPECT_NE(Parse(args, o).rfind("parse: ", 0), std::string::npos) << args;
  }
}

TEST(WorkerOptionsTest, RejectsQueueOptionsInItemMode) {
  Options o;
  std::string error = Parse("--batch 5", o);
  EXPECT_NE(error.find("--batch applies to queue mode only"), std::string::npos) << error;
  Options p;
  EXPECT_NE(Parse("--skip-done", p), "");
}

TEST(WorkerOptionsTest, RejectsItemOptionsInQueueMode) {
  Options o;
  std::string error = Parse("--queue q --resume scan", o);
  EXPECT_NE(error.find("--resume applies to item mode only"), std::string::npos) << error;
  Options p;
  EXPECT_NE(Parse("--log-every 10", p, "q"), "");
}

TEST(WorkerOptionsTest, HeartbeatNeedsAnExplicitVisibilityTimeout) {
  Options o;
  EXPECT_NE(Parse("--queue q --heartbeat", o).find("--visibility-s"), std::string::npos);
}

TEST(WorkerOptionsTest, PollingForeverNeedsLongPolling) {
  Options spin;
  EXPECT_NE(Parse("--queue q --idle-polls 0 --wait-s 0", spin), "");
  Options forever;
  EXPECT_EQ(Parse("--queue q --idle-polls 0", forever), "");
}

}  // namespace
}  // namespace ecsim::worker
