// RunTask as a caller makes it: one call, or a retry loop with exponential
// back-off when the call throws or places nothing (capacity, throttling).
// Every attempt is recorded.
#ifndef ECSIM_SIM_RUN_TASK_LAUNCHER_H_
#define ECSIM_SIM_RUN_TASK_LAUNCHER_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "fakes/ecs/ecs_service.h"
#include "sim/base/event_loop.h"
#include "sim/report/recorder.h"
#include "sim/scenario/aws_sections.h"

namespace sim::run {

class TaskLauncher {
 public:
  using Placed = std::function<void(const std::vector<std::string>& task_ids)>;
  TaskLauncher(EventLoop& loop, fakes::ecs::EcsService& ecs, report::Recorder& recorder)
      : loop_(loop), ecs_(ecs), recorder_(recorder) {}

  // Calls RunTask now. With `retry`, a call that throws or places no task is
  // repeated after retry->Delay(n) up to retry->max_attempts calls in all.
  // `origin` says who called (an action, a rule) in the record.
  void Launch(const Json& request, const std::optional<scenario::Backoff>& retry, const std::string& origin,
              Placed placed, int attempt = 1);

 private:
  EventLoop& loop_;
  fakes::ecs::EcsService& ecs_;
  report::Recorder& recorder_;
};

}  // namespace sim::run

#endif  // ECSIM_SIM_RUN_TASK_LAUNCHER_H_
