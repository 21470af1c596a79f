#include "fakes/ecs/capacity.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace fakes::ecs {
namespace {

std::vector<StrategyItem> Load(const std::string& yaml) {
  auto doc = sim::Document::Parse(yaml, "s.yaml", false);
  return LoadStrategy(sim::Node::Root(doc));
}

TEST(CapacityTest, StrategyRulesAsAwsAppliesThem) {
  EXPECT_NO_THROW(Load("[{capacityProvider: FARGATE_SPOT, weight: 3}, {capacityProvider: FARGATE, base: 1, weight: 1}]"));
  // Weight defaults to 0 through the API: all-zero weights are rejected.
  EXPECT_THROW(Load("[{capacityProvider: FARGATE_SPOT}]"), sim::InputError);
  EXPECT_THROW(Load("[{capacityProvider: FARGATE, base: 1, weight: 1}, {capacityProvider: FARGATE_SPOT, base: 2, weight: 1}]"),
               sim::InputError);
  EXPECT_THROW(Load("[{capacityProvider: my-asg, weight: 1}]"), sim::InputError);
  EXPECT_THROW(Load("[{capacityProvider: FARGATE, weight: 1, priority: 2}]"), sim::InputError);
}

TEST(CapacityTest, BaseFirstThenWeights) {
  std::vector<StrategyItem> s = {{kFargate, 2, 1}, {kFargateSpot, 0, 3}};
  auto p = AssignProviders(s, 10);
  ASSERT_EQ(p.size(), 10u);
  EXPECT_EQ(p[0], kFargate);
  EXPECT_EQ(p[1], kFargate);
  EXPECT_EQ(std::count(p.begin() + 2, p.end(), kFargateSpot), 6);  // 8 split 1:3
  // Weight-0 providers get nothing beyond their base.
  auto q = AssignProviders({{kFargate, 1, 0}, {kFargateSpot, 0, 1}}, 4);
  EXPECT_EQ(std::count(q.begin(), q.end(), kFargate), 1);
}

TEST(CapacityTest, SpotOutageWindows) {
  CapacityModel m;
  m.AddSpotOutage(sim::FromMicros(10), sim::FromMicros(20));
  EXPECT_TRUE(m.SpotAvailable(sim::FromMicros(9)));
  EXPECT_FALSE(m.SpotAvailable(sim::FromMicros(10)));
  EXPECT_FALSE(m.SpotAvailable(sim::FromMicros(19)));
  EXPECT_TRUE(m.SpotAvailable(sim::FromMicros(20)));
}

TEST(CapacityTest, TokenBucketThrottlesBurstsAndRefills) {
  CapacityModel m;
  EXPECT_TRUE(m.TryAcquire(sim::kTimeZero));  // off by default
  m.SetThrottle(2, 1);
  EXPECT_TRUE(m.TryAcquire(sim::kTimeZero));
  EXPECT_TRUE(m.TryAcquire(sim::kTimeZero));
  EXPECT_FALSE(m.TryAcquire(sim::kTimeZero));
  EXPECT_FALSE(m.TryAcquire(sim::FromMicros(500'000)));
  EXPECT_TRUE(m.TryAcquire(sim::FromMicros(1'000'000)));
}

}  // namespace
}  // namespace fakes::ecs
