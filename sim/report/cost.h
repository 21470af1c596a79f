// What a run's tasks would cost on Fargate: per second, one-minute minimum,
// from the start of the image pull until the task stops, by task size and
// capacity provider.
#ifndef ECSIM_SIM_REPORT_COST_H_
#define ECSIM_SIM_REPORT_COST_H_

#include <memory>
#include <string>
#include <vector>

#include "fakes/ecs/ecs_service.h"
#include "sim/scenario/aws_sections.h"

namespace sim::report {

struct TaskCost {
  std::string task_id;
  int64_t billed_seconds = 0;  // 0: never reached the image pull, not billed
  double usd = 0;              // at its own capacity provider's price
  double on_demand_usd = 0;    // had it run on FARGATE
};

// Tasks still running at `end` are billed up to `end`.
std::vector<TaskCost> PriceTasks(const std::vector<std::unique_ptr<fakes::ecs::Task>>& tasks,
                                 const scenario::Pricing& pricing, Time end);

}  // namespace sim::report

#endif  // ECSIM_SIM_REPORT_COST_H_
