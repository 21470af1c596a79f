// AWS FIS experiment templates for ECS (CreateExperimentTemplate input or
// GetExperimentTemplate output), validated as FIS would before a run.
#ifndef ECSIM_FAKES_FIS_EXPERIMENT_TEMPLATE_H_
#define ECSIM_FAKES_FIS_EXPERIMENT_TEMPLATE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/base/document.h"
#include "sim/base/time.h"

namespace fakes::fis {

// selectionMode: ALL | COUNT(n) | PERCENT(n).
struct SelectionMode {
  enum class Kind { kAll, kCount, kPercent };
  Kind kind = Kind::kAll;
  int64_t n = 0;  // COUNT: >= 1; PERCENT: 1..100
  std::string ToString() const;
};

struct TargetFilter {
  std::string path;  // "LastStatus", "Group", "ClusterArn", "ClusterName", "TaskArn", "Tags.<key>"
  std::vector<std::string> values;  // any of them
};

struct Target {
  std::string name;
  std::string resource_type;                          // "aws:ecs:task"
  std::vector<std::string> resource_arns;             // exactly one of these three
  std::map<std::string, std::string> resource_tags;   //
  std::map<std::string, std::string> parameters;      // cluster, service
  std::vector<TargetFilter> filters;
  SelectionMode selection;
  sim::SourceLocation where;
};

struct Action {
  std::string name;
  std::string action_id;  // e.g. "aws:ecs:stop-task"
  std::string description;
  std::map<std::string, std::string> parameters;
  std::string target;  // target name, or empty for actions without targets (aws:fis:wait)
  std::vector<std::string> start_after;
  std::optional<sim::Duration> duration;  // parameters.duration (ISO-8601, "PT5M")
  bool modelled = false;  // false: loads, runs for its duration, injects nothing
  sim::SourceLocation where;
};

struct StopCondition {
  std::string source;  // "none" | "aws:cloudwatch:alarm"
  std::string value;   // alarm ARN
};

struct ExperimentTemplate {
  std::string id;  // GetExperimentTemplate output only
  std::string description;
  std::string role_arn;
  std::map<std::string, std::string> tags;
  std::vector<StopCondition> stop_conditions;
  std::vector<Target> targets;  // document order
  std::vector<Action> actions;  // document order
  sim::Json log_configuration;  // kept, not used
  std::string empty_target_resolution_mode = "fail";  // fail | skip
  std::string account_targeting = "single-account";   // single-account | multi-account
  std::string actions_mode = "run-all";                // run-all | skip-all
  std::string file;

  const Target* FindTarget(std::string_view name) const;
};

// Reads a template; accepts the GetExperimentTemplate response wrapper
// {"experimentTemplate": {...}} too. Throws sim::InputError naming file, line
// and key for anything FIS would reject, and for actions ecsim does not know.
ExperimentTemplate LoadExperimentTemplate(const sim::Node& node);

// "PT5M", "PT1H30M", "PT30S", "PT0.5S", "P1D" -> duration; nullopt if malformed.
std::optional<sim::Duration> ParseIsoDuration(std::string_view text);

}  // namespace fakes::fis

#endif  // ECSIM_FAKES_FIS_EXPERIMENT_TEMPLATE_H_
