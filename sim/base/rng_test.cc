#include "sim/base/rng.h"

#include <gtest/gtest.h>

#include <array>

namespace sim {
namespace {

TEST(RngTest, SameSeedSameSequence) {
  Rng a(42), b(42);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(a.Next(), b.Next());
}

TEST(RngTest, KnownSplitMix64Values) {
  // Reference values of SplitMix64 seeded with 0: pins the algorithm, so a
  // change that alters every seeded run cannot slip in unnoticed.
  Rng r(0);
  EXPECT_EQ(r.Next(), 0xe220a8397b1dcdafULL);
  EXPECT_EQ(r.Next(), 0x6e789e6aa1b965f4ULL);
  EXPECT_EQ(r.Next(), 0x06c45d188009454fULL);
}

TEST(RngTest, UniformStaysInRangeAndCoversIt) {
  Rng r(7);
  std::array<int, 6> counts{};
  for (int i = 0; i < 60000; ++i) {
    uint64_t v = r.Uniform(6);
    ASSERT_LT(v, 6u);
    ++counts[v];
  }
  for (int c : counts) {
    EXPECT_GT(c, 9000);
    EXPECT_LT(c, 11000);
  }
  for (int i = 0; i < 1000; ++i) {
    int64_t v = r.UniformRange(-3, 3);
    ASSERT_GE(v, -3);
    ASSERT_LE(v, 3);
  }
}

TEST(RngTest, ForkedStreamsAreIndependentOfEachOther) {
  Rng root(1);
  Rng a1 = root.Fork("a");
  Rng b = root.Fork("b");
  (void)b.Next();
  (void)b.Next();
  Rng a2 = root.Fork("a");
  EXPECT_EQ(a1.Next(), a2.Next());
  EXPECT_NE(root.Fork("a").Next(), root.Fork("b").Next());
}

TEST(RngTest, ExponentialHasTheRequestedMean) {
  Rng r(3);
  double sum = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) sum += r.Exponential(100.0);
  EXPECT_NEAR(sum / n, 100.0, 5.0);
}

TEST(RngTest, HexIdShape) {
  Rng r(9);
  std::string id = r.HexId();
  EXPECT_EQ(id.size(), 32u);
  EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos);
}

}  // namespace
}  // namespace sim
