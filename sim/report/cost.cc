#include "sim/report/cost.h"

namespace sim::report {

std::vector<TaskCost> PriceTasks(const std::vector<std::unique_ptr<fakes::ecs::Task>>& tasks,
                                 const scenario::Pricing& p, Time end) {
  std::vector<TaskCost> out;
  for (const auto& t : tasks) {
    TaskCost c;
    c.task_id = t->id;
    if (t->pull_started_at) {
      Time stop = t->stopped_at.value_or(end);
      int64_t us = ToMicros(stop - *t->pull_started_at);
      c.billed_seconds = std::max<int64_t>(60, (us + 999999) / 1000000);  // per second, rounded up, 1-minute minimum
      double hours = static_cast<double>(c.billed_seconds) / 3600.0;
      double vcpu = t->definition->VcpuCount(), gb = t->definition->MemoryGb();
      c.on_demand_usd = hours * (vcpu * p.on_demand_vcpu_hour + gb * p.on_demand_gb_hour);
      c.usd = t->capacity_provider == fakes::ecs::kFargateSpot ? hours * (vcpu * p.spot_vcpu_hour + gb * p.spot_gb_hour)
                                                               : c.on_demand_usd;
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace sim::report
