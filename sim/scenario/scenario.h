// A scenario: the AWS documents, the timed actions and the expectations of one
// experiment, loaded and fully validated before anything runs. Schema:
// docs/scenarios.md.
#ifndef ECSIM_SIM_SCENARIO_SCENARIO_H_
#define ECSIM_SIM_SCENARIO_SCENARIO_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fakes/ecs/capacity.h"
#include "fakes/ecs/ecs_service.h"
#include "fakes/ecs/task_definition.h"
#include "sim/base/document.h"
#include "sim/base/time.h"
#include "sim/scenario/aws_sections.h"

namespace sim::scenario {

struct Trigger {
  std::optional<Time> at;          // at: <duration>
  std::string after_event;         // task_stopped | task_running
  std::string after_task;          // the name given with `as:`
  Duration delay{0};
};

struct Action {
  Trigger trigger;
  // run_task | stop_task | deregister_task_definition | interrupt_spot |
  // start_experiment | start_execution
  std::string kind;
  Json args;         // the action's body (ECS API shape for run_task)
  std::string as;    // name for the tasks it starts
  std::optional<Backoff> retry;  // run_task: retry failed placements (a user's retry loop)
  SourceLocation where;
};

struct Expectation {
  std::string path;  // JSON pointer into summary.json, e.g. /items/lost
  std::optional<Json> equals;
  std::optional<double> min, max;
  SourceLocation where;
};

struct ClusterSpec {
  std::string name;
  std::vector<fakes::ecs::StrategyItem> default_strategy;
};

struct Scenario {
  std::string name, file, dir, description;
  uint64_t seed = 1;
  int64_t epoch_ms = 0;
  std::string region = "us-east-1", account = "123456789012";
  std::vector<ClusterSpec> clusters;
  fakes::ecs::LifecycleTiming lifecycle;
  bool spot_termination_notice = false;
  std::optional<std::pair<int64_t, int64_t>> throttle;  // burst, per second
  std::vector<std::pair<Time, Time>> spot_outages;
  std::vector<fakes::ecs::InjectedError> run_task_errors;
  std::vector<fakes::ecs::TaskDefinition> task_definitions;
  std::vector<Action> actions;
  std::string end_when = "idle";  // idle | all_tasks_stopped
  Duration max_time = Seconds(86400);
  Duration deregistration_lag{0};
  int64_t guard_ms = 10000;
  std::vector<Expectation> expectations;
  AwsSections aws;
  std::shared_ptr<const Document> document;  // kept for sections loaded by models
};

// "family", "family:3" or a task definition ARN -> "family".
std::string FamilyOf(std::string task_definition_ref);

// Loads and validates everything a run needs, including referenced AWS
// documents and the executables of every container. Throws InputError.
// `self_dir` is where ecsim's own binaries live (to find ecsim-worker).
Scenario LoadScenario(const std::string& path, const std::string& self_dir);

}  // namespace sim::scenario

#endif  // ECSIM_SIM_SCENARIO_SCENARIO_H_
