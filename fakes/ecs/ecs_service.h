// The ECS control plane for Fargate tasks: clusters, RunTask / StopTask, the
// task lifecycle PROVISIONING -> ... -> STOPPED, stopTimeout SIGKILLs, Spot
// interruptions, capacity providers, and an "ECS Task State Change" event for
// every transition.
#ifndef ECSIM_FAKES_ECS_ECS_SERVICE_H_
#define ECSIM_FAKES_ECS_ECS_SERVICE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fakes/ecs/capacity.h"
#include "fakes/ecs/container_runtime.h"
#include "fakes/ecs/task_definition.h"
#include "sim/base/document.h"
#include "sim/base/event_loop.h"
#include "sim/base/rng.h"

namespace fakes::ecs {

// How long each lifecycle phase takes (scenario key ecs.lifecycle).
struct LifecycleTiming {
  sim::Duration provisioning = sim::Seconds(5);    // ENI attach
  sim::Duration pending = sim::Seconds(10);        // waiting for capacity, image pull queued
  sim::Duration activating = sim::Seconds(3);      // image pull, container create
  sim::Duration deactivating = sim::Seconds(0);    // LB / service discovery deregistration
  sim::Duration deprovisioning = sim::Seconds(5);  // ENI detach
};

struct EcsConfig {
  std::string region = "us-east-1";
  std::string account = "123456789012";
  int64_t epoch_ms = 0;  // virtual time 0 in UTC milliseconds
  LifecycleTiming timing;
  std::string platform_version = "1.4.0";
  // Spot notices use stopCode TerminationNotice (older AWS docs) instead of SpotInterruption.
  bool spot_termination_notice_code = false;
};

struct Container {
  std::string name;
  const ContainerDefinition* definition = nullptr;
  std::vector<std::string> argv;
  std::vector<std::pair<std::string, std::string>> env;
  std::string runtime_id;
  std::string last_status = "PENDING";
  std::optional<int> exit_code;
  std::string reason;
  std::optional<ContainerRuntime::Handle> handle;
  bool running = false;
  std::optional<sim::EventId> kill_timer;
  std::optional<sim::Time> sigterm_at;
};

struct Task {
  std::string id, arn, cluster_name, cluster_arn, task_definition_arn;
  const TaskDefinition* definition = nullptr;
  std::string launch_type;        // FARGATE
  std::string capacity_provider;  // FARGATE or FARGATE_SPOT
  std::string group, started_by, availability_zone;
  std::map<std::string, std::string> tags;
  std::string last_status = "PROVISIONING";
  std::string desired_status = "RUNNING";
  std::string stop_code, stopped_reason;
  std::vector<Container> containers;
  sim::Time created_at;
  std::optional<sim::Time> pull_started_at, pull_stopped_at, started_at, stopping_at, execution_stopped_at, stopped_at;
  int version = 0;
  std::optional<sim::EventId> pending_transition;
  bool stop_requested = false;
};

// A fault switched on by the scenario: RunTask calls in [from, to) throw
// `code` / `message`, at most `count` times (0: every call in the window).
struct InjectedError {
  std::string code = "ThrottlingException";
  std::string message = "Rate exceeded";
  sim::Time from{}, to = sim::Time::max();
  int count = 0;
  int used = 0;
};

class EcsService {
 public:
  // One state change: the task after the change and the AWS event detail.
  using Listener = std::function<void(const Task&, const sim::Json& detail)>;
  // A note for the run record that is not an AWS event (signals, kills).
  using Note = std::function<void(const Task&, const std::string& kind, const sim::Json& data)>;

  EcsService(sim::EventLoop& loop, sim::Rng rng, EcsConfig config, TaskDefinitionRegistry& registry,
             ContainerRuntime& runtime, CapacityModel& capacity);

  void CreateCluster(const std::string& name, std::vector<StrategyItem> default_strategy = {});
  bool HasCluster(const std::string& name_or_arn) const;
  std::string ClusterArn(const std::string& name) const;

  struct RunTaskOutcome {
    std::string exception_code;  // e.g. "ThrottlingException", "InvalidParameterException"
    std::string exception_message;
    sim::Json response;  // {"tasks":[...], "failures":[...]} on success
    std::vector<std::string> task_ids;
    bool ok() const { return exception_code.empty(); }
  };
  // RunTask with the ECS API's request shape (camelCase: cluster, taskDefinition,
  // count, launchType, capacityProviderStrategy, overrides, group, startedBy, tags).
  RunTaskOutcome RunTask(const sim::Json& request);
  // StopTask: stopCode UserInitiated. Returns an error message, or empty.
  std::string StopTask(const std::string& cluster, const std::string& task, const std::string& reason);
  // Fargate Spot reclaims the task: notice event and SIGTERM now, SIGKILL after
  // min(stopTimeout, 120 s).
  void InterruptSpot(const std::string& task_id);

  Task* FindTask(const std::string& id_or_arn);
  const std::vector<std::unique_ptr<Task>>& tasks() const { return tasks_; }
  // DescribeTasks' Task shape (camelCase, ISO timestamps as in events).
  sim::Json Describe(const Task& task) const;

  void AddListener(Listener l) { listeners_.push_back(std::move(l)); }
  void InjectRunTaskError(InjectedError e) { injected_.push_back(std::move(e)); }
  // Every RunTask call, whoever made it (actions, rules, Scheduler, Step Functions).
  struct Counters {
    int run_task_calls = 0, run_task_exceptions = 0, run_task_failures = 0, tasks_started = 0;
  };
  const Counters& counters() const { return counters_; }
  void SetNote(Note n) { note_ = std::move(n); }
  const EcsConfig& config() const { return config_; }
  TaskDefinitionRegistry& registry() { return registry_; }

 private:
  struct Cluster {
    std::string name, arn;
    std::vector<StrategyItem> default_strategy;
  };
  std::string Iso(sim::Time t) const;
  void Emit(Task& task);
  void Transition(Task& task, const std::string& status);
  void ScheduleTransition(Task& task, sim::Duration after, std::function<void(Task&)> fn);
  void StartContainers(Task& task);
  void OnContainerExit(Task& task, size_t index, const ContainerRuntime::Exit& exit);
  void BeginStop(Task& task, const std::string& stop_code, const std::string& reason);
  void EnterStopping(Task& task);
  void MaybeFinishStopping(Task& task);
  const Cluster* FindCluster(const std::string& name_or_arn) const;

  sim::EventLoop& loop_;
  sim::Rng ids_;
  sim::Rng placement_;
  EcsConfig config_;
  TaskDefinitionRegistry& registry_;
  ContainerRuntime& runtime_;
  CapacityModel& capacity_;
  std::map<std::string, Cluster> clusters_;
  std::vector<std::unique_ptr<Task>> tasks_;
  std::vector<Listener> listeners_;
  Note note_;
  std::vector<InjectedError> injected_;
  Counters counters_;
};

}  // namespace fakes::ecs

#endif  // ECSIM_FAKES_ECS_ECS_SERVICE_H_
