#include "fakes/ecs/capacity.h"

#include <algorithm>

#include <fmt/format.h>

namespace fakes::ecs {

std::vector<StrategyItem> LoadStrategy(const sim::Node& node) {
  node.ExpectArray();
  std::vector<StrategyItem> out;
  for (size_t i = 0; i < node.Size(); ++i) {
    sim::Node item = node.At(i);
    item.AllowOnly({"capacityProvider", "weight", "base"});
    StrategyItem s;
    sim::Node provider = item.Require("capacityProvider");
    s.capacity_provider = provider.AsString();
    if (s.capacity_provider != kFargate && s.capacity_provider != kFargateSpot)
      provider.Fail(fmt::format("'{}' is not a Fargate capacity provider (FARGATE or FARGATE_SPOT)",
                                s.capacity_provider));
    if (auto w = item.Get("weight")) s.weight = static_cast<int>(w->AsIntInRange(0, 1000));
    if (auto b = item.Get("base")) s.base = static_cast<int>(b->AsIntInRange(0, 100000));
    out.push_back(s);
  }
  std::string error = ValidateStrategy(out);
  if (!error.empty()) node.Fail(error);
  return out;
}

std::string ValidateStrategy(const std::vector<StrategyItem>& strategy) {
  if (strategy.empty()) return "a capacity provider strategy needs at least one item";
  if (strategy.size() > 20) return "a capacity provider strategy can contain at most 20 items";
  int with_base = 0;
  bool any_weight = false;
  for (size_t i = 0; i < strategy.size(); ++i) {
    for (size_t j = 0; j < i; ++j)
      if (strategy[j].capacity_provider == strategy[i].capacity_provider)
        return fmt::format("capacity provider {} appears twice", strategy[i].capacity_provider);
    if (strategy[i].base > 0) ++with_base;
    if (strategy[i].weight > 0) any_weight = true;
  }
  if (with_base > 1) return "only one capacity provider in a strategy can have a base defined";
  if (!any_weight) return "at least one capacity provider in a strategy must have a weight greater than zero";
  return {};
}

std::vector<std::string> AssignProviders(const std::vector<StrategyItem>& strategy, int count) {
  std::vector<std::string> out;
  int remaining = count;
  for (const auto& s : strategy) {
    for (int i = 0; i < s.base && remaining > 0; ++i, --remaining) out.push_back(s.capacity_provider);
  }
  int total = 0;
  for (const auto& s : strategy) total += s.weight;
  std::vector<int> current(strategy.size(), 0);
  while (remaining-- > 0) {
    size_t best = 0;
    for (size_t i = 0; i < strategy.size(); ++i) {
      current[i] += strategy[i].weight;
      if (current[i] > current[best]) best = i;
    }
    current[best] -= total;
    out.push_back(strategy[best].capacity_provider);
  }
  return out;
}

bool CapacityModel::SpotAvailable(sim::Time t) const {
  return std::none_of(outages_.begin(), outages_.end(), [&](const auto& o) { return t >= o.first && t < o.second; });
}

void CapacityModel::SetThrottle(int64_t burst, int64_t per_second) {
  throttle_ = true;
  burst_ = burst;
  per_second_ = per_second;
  tokens_micro_ = burst * 1000000;
}

bool CapacityModel::TryAcquire(sim::Time now) {
  if (!throttle_) return true;
  int64_t elapsed_us = sim::ToMicros(now - last_refill_);
  last_refill_ = now;
  tokens_micro_ = std::min(burst_ * 1000000, tokens_micro_ + elapsed_us * per_second_);
  if (tokens_micro_ < 1000000) return false;
  tokens_micro_ -= 1000000;
  return true;
}

}  // namespace fakes::ecs
