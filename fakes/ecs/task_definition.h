// ECS task definitions as RegisterTaskDefinition takes them, and the registry
// of families, revisions and their ACTIVE / INACTIVE status.
#ifndef ECSIM_FAKES_ECS_TASK_DEFINITION_H_
#define ECSIM_FAKES_ECS_TASK_DEFINITION_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "sim/base/document.h"
#include "sim/base/time.h"

namespace fakes::ecs {

inline constexpr int kDefaultStopTimeoutS = 30;
inline constexpr int kFargateMaxStopTimeoutS = 120;

struct ContainerDefinition {
  std::string name;
  std::string image;
  std::vector<std::string> entry_point;
  std::vector<std::string> command;
  std::vector<std::pair<std::string, std::string>> environment;  // in document order
  bool essential = true;
  int stop_timeout_s = kDefaultStopTimeoutS;
  std::optional<int> start_timeout_s;
  sim::SourceLocation where;  // for errors found later (e.g. a missing executable)
};

struct TaskDefinition {
  std::string family;
  int revision = 0;  // assigned by the registry
  std::vector<ContainerDefinition> containers;
  std::string cpu;     // CPU units as a string, e.g. "256"
  std::string memory;  // MiB as a string, e.g. "512"
  std::vector<std::string> requires_compatibilities;
  std::string network_mode;
  std::map<std::string, std::string> tags;
  std::vector<std::string> ignored_fields;  // present in the document, not modelled
  sim::SourceLocation where;

  double VcpuCount() const;
  double MemoryGb() const;
};

// Reads RegisterTaskDefinition input JSON, or DescribeTaskDefinition output
// ({"taskDefinition": {...}}), as AWS writes them. Fields ecsim does not model
// are accepted and listed in `ignored_fields` (docs/aws/ecs.md lists them).
// Throws sim::InputError naming file, line and key.
TaskDefinition LoadTaskDefinition(const sim::Node& node);

enum class RevisionStatus { kActive, kInactive };

class TaskDefinitionRegistry {
 public:
  TaskDefinitionRegistry(std::string region, std::string account)
      : region_(std::move(region)), account_(std::move(account)) {}

  // Registers a new revision of the family; returns it.
  int Register(TaskDefinition td);
  // Marks family:revision INACTIVE from `effective_at` on (AWS allows up to a
  // 10-minute lag after DeregisterTaskDefinition). False if unknown.
  bool Deregister(const std::string& family, int revision, sim::Time effective_at);

  struct Lookup {
    const TaskDefinition* definition = nullptr;
    bool inactive = false;
    std::string error;  // set when not found
  };
  // Resolves "family", "family:3" or a full ARN at virtual time `now`.
  // "family" alone means the latest ACTIVE revision, as RunTask does.
  Lookup Resolve(const std::string& ref, sim::Time now) const;
  std::string Arn(const TaskDefinition& td) const;
  // Every revision, family order then revision order.
  std::vector<const TaskDefinition*> All() const;

 private:
  struct Revision {
    TaskDefinition definition;
    std::optional<sim::Time> inactive_from;
  };
  std::string region_, account_;
  std::map<std::string, std::vector<Revision>> families_;
};

}  // namespace fakes::ecs

#endif  // ECSIM_FAKES_ECS_TASK_DEFINITION_H_
