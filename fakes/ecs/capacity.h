// Fargate capacity: capacity provider strategies as AWS applies them, Spot
// capacity availability over virtual time, and RunTask throttling.
#ifndef ECSIM_FAKES_ECS_CAPACITY_H_
#define ECSIM_FAKES_ECS_CAPACITY_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sim/base/document.h"
#include "sim/base/time.h"

namespace fakes::ecs {

inline constexpr const char* kFargate = "FARGATE";
inline constexpr const char* kFargateSpot = "FARGATE_SPOT";
inline constexpr const char* kCapacityUnavailable =
    "Capacity is unavailable at this time. Please try again later or in a different availability zone";

struct StrategyItem {
  std::string capacity_provider;
  int base = 0;    // API default 0
  int weight = 0;  // API default 0 (the console uses 1)
};

// Parses [{"capacityProvider":..,"weight":..,"base":..}] and applies AWS's
// rules: providers FARGATE / FARGATE_SPOT, at most 20 items, no duplicates,
// only one item with a base, not every weight zero.
std::vector<StrategyItem> LoadStrategy(const sim::Node& node);
// The same rules on an already-built strategy; empty string when valid.
std::string ValidateStrategy(const std::vector<StrategyItem>& strategy);

// Chooses a provider for each of `count` tasks: the first `base` tasks go to
// the provider with a base, the rest are split by weight with a smooth
// weighted round-robin (AWS does not document its exact split; this is
// ecsim's deterministic choice, see docs/aws/ecs.md).
std::vector<std::string> AssignProviders(const std::vector<StrategyItem>& strategy, int count);

class CapacityModel {
 public:
  // No FARGATE_SPOT capacity in [from, to).
  void AddSpotOutage(sim::Time from, sim::Time to) { outages_.emplace_back(from, to); }
  bool SpotAvailable(sim::Time t) const;
  const std::vector<std::pair<sim::Time, sim::Time>>& outages() const { return outages_; }

  // RunTask token bucket: `burst` tokens, refilled at `per_second`. Off until set.
  void SetThrottle(int64_t burst, int64_t per_second);
  // Takes one token; false means ThrottlingException ("Rate exceeded").
  bool TryAcquire(sim::Time now);

 private:
  std::vector<std::pair<sim::Time, sim::Time>> outages_;
  bool throttle_ = false;
  int64_t burst_ = 0, per_second_ = 0;
  int64_t tokens_micro_ = 0;  // tokens x 1e6, integer so refills are exact
  sim::Time last_refill_{};
};

}  // namespace fakes::ecs

#endif  // ECSIM_FAKES_ECS_CAPACITY_H_
