#include "worker/checkpoint_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

namespace ecsim::worker {
namespace {

class CheckpointStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ecsim-ckpt-" + std::to_string(getpid()) + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::unique_ptr<CheckpointStore> Open() {
    std::string error;
    auto s = CheckpointStore::Open((dir_ / "ckpt.db").string(), error);
    EXPECT_TRUE(s) << error;
    return s;
  }
  std::filesystem::path dir_;
};

TEST_F(CheckpointStoreTest, EmptyStoreResumesAtZeroWithEveryStrategy) {
  auto s = Open();
  int64_t probes;
  EXPECT_EQ(s->ResumeIndex(ResumeStrategy::kNone, probes), 0);
  EXPECT_EQ(s->ResumeIndex(ResumeStrategy::kScan, probes), 0);
  EXPECT_EQ(probes, 1);
  EXPECT_EQ(s->ResumeIndex(ResumeStrategy::kIndexed, probes), 0);
}

TEST_F(CheckpointStoreTest, CommittedItemsSurviveReopen) {
  {
    auto s = Open();
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(s->Commit(i, std::to_string(i * i), "t1", i));
  }
  auto s = Open();
  EXPECT_EQ(s->Count(), 10);
  int64_t probes;
  EXPECT_EQ(s->ResumeIndex(ResumeStrategy::kNone, probes), 0);
  EXPECT_EQ(s->ResumeIndex(ResumeStrategy::kScan, probes), 10);
  EXPECT_EQ(probes, 11);  // linear in the number of items, like continueAt()
  EXPECT_EQ(s->ResumeIndex(ResumeStrategy::kIndexed, probes), 10);
  EXPECT_EQ(probes, 1);
}

TEST_F(CheckpointStoreTest, ScanStopsAtFirstGapIndexedUsesMaximum) {
  auto s = Open();
  for (int i : {0, 1, 2, 4}) ASSERT_TRUE(s->Commit(i, "r", "t", 0));
  int64_t probes;
  EXPECT_EQ(s->ResumeIndex(ResumeStrategy::kScan, probes), 3);
  EXPECT_EQ(s->ResumeIndex(ResumeStrategy::kIndexed, probes), 5);
}

TEST_F(CheckpointStoreTest, RewritingAnItemKeepsOneRow) {
  auto s = Open();
  ASSERT_TRUE(s->Commit(3, "a", "t1", 1));
  ASSERT_TRUE(s->Commit(3, "b", "t2", 2));
  EXPECT_EQ(s->Count(), 1);
}

TEST_F(CheckpointStoreTest, RunCounterIncrements) {
  auto s = Open();
  EXPECT_EQ(s->BumpRunCount(), 1);
  EXPECT_EQ(s->BumpRunCount(), 2);
}

TEST_F(CheckpointStoreTest, UnopenableFileIsAnError) {
  std::string error;
  auto s = CheckpointStore::Open((dir_ / "missing-dir" / "x.db").string(), error);
  EXPECT_FALSE(s);
  EXPECT_FALSE(error.empty());
}

}  // namespace
}  // namespace ecsim::worker
