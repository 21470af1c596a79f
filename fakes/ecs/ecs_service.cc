#include "fakes/ecs/ecs_service.h"

#include <csignal>

#include <fmt/format.h>

namespace fakes::ecs {
namespace {

std::string StrOr(const sim::Json& obj, const char* key, const std::string& fallback) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return fallback;
  return it->get<std::string>();
}

}  // namespace

EcsService::EcsService(sim::EventLoop& loop, sim::Rng rng, EcsConfig config, TaskDefinitionRegistry& registry,
                       ContainerRuntime& runtime, CapacityModel& capacity)
    : loop_(loop),
      ids_(rng.Fork("ecs.ids")),
      placement_(rng.Fork("ecs.placement")),
      config_(std::move(config)),
      registry_(registry),
      runtime_(runtime),
      capacity_(capacity) {
  CreateCluster("default");
}

void EcsService::CreateCluster(const std::string& name, std::vector<StrategyItem> default_strategy) {
  clusters_[name] = {name, fmt::format("arn:aws:ecs:{}:{}:cluster/{}", config_.region, config_.account, name),
                     std::move(default_strategy)};
}

const EcsService::Cluster* EcsService::FindCluster(const std::string& name_or_arn) const {
  std::string name = name_or_arn;
  if (auto slash = name.rfind(":cluster/"); name.rfind("arn:", 0) == 0 && slash != std::string::npos)
    name = name.substr(slash + 9);
  auto it = clusters_.find(name);
  return it == clusters_.end() ? nullptr : &it->second;
}

bool EcsService::HasCluster(const std::string& name_or_arn) const { return FindCluster(name_or_arn) != nullptr; }

std::string EcsService::ClusterArn(const std::string& name) const {
  const Cluster* c = FindCluster(name);
  return c ? c->arn : std::string();
}

std::string EcsService::Iso(sim::Time t) const { return sim::FormatIso8601(config_.epoch_ms, t); }

EcsService::RunTaskOutcome EcsService::RunTask(const sim::Json& request) {
  RunTaskOutcome out;
  ++counters_.run_task_calls;
  auto fail = [&](const char* code, std::string message) {
    ++counters_.run_task_exceptions;
    out.exception_code = code;
    out.exception_message = std::move(message);
    return out;
  };
  if (!request.is_object()) return fail("InvalidParameterException", "The request must be an object.");
  for (auto& e : injected_) {
    if (loop_.Now() < e.from || loop_.Now() >= e.to || (e.count > 0 && e.used >= e.count)) continue;
    ++e.used;
    return fail(e.code.c_str(), e.message);
  }
  if (!capacity_.TryAcquire(loop_.Now())) return fail("ThrottlingException", "Rate exceeded");
  const Cluster* cluster = FindCluster(StrOr(request, "cluster", "default"));
  if (!cluster) return fail("ClusterNotFoundException", "Cluster not found.");
  std::string td_ref = StrOr(request, "taskDefinition", "");
  if (td_ref.empty()) return fail("InvalidParameterException", "taskDefinition can not be blank.");
  auto lookup = registry_.Resolve(td_ref, loop_.Now());
  if (!lookup.definition) {
    return fail(lookup.error == "TaskDefinition is inactive" ? "InvalidParameterException" : "ClientException",
                lookup.error);
  }
  if (lookup.inactive) return fail("InvalidParameterException", "TaskDefinition is inactive");
  const TaskDefinition& td = *lookup.definition;

  int count = 1;
  if (auto it = request.find("count"); it != request.end()) {
    if (!it->is_number_integer() || it->get<int>() < 1 || it->get<int>() > 10)
      return fail("InvalidParameterException", "count must be between 1 and 10.");
    count = it->get<int>();
  }
  bool has_launch_type = request.contains("launchType");
  bool has_strategy = request.contains("capacityProviderStrategy");
  if (has_launch_type && has_strategy)
    return fail("InvalidParameterException",
                "Specifying both a launch type and capacity provider strategy is not supported.");
  std::vector<StrategyItem> strategy;
  if (has_launch_type) {
    std::string lt = StrOr(request, "launchType", "");
    if (lt != "FARGATE")
      return fail("InvalidParameterException", fmt::format("launchType {} is not modelled: ecsim models Fargate", lt));
    strategy = {{kFargate, 0, 1}};
  } else if (has_strategy) {
    const auto& arr = request["capacityProviderStrategy"];
    if (!arr.is_array()) return fail("InvalidParameterException", "capacityProviderStrategy must be a list.");
    for (const auto& item : arr) {
      StrategyItem s;
      s.capacity_provider = StrOr(item, "capacityProvider", "");
      if (s.capacity_provider != kFargate && s.capacity_provider != kFargateSpot)
        return fail("InvalidParameterException",
                    fmt::format("The specified capacity provider {} is not a Fargate capacity provider.",
                                s.capacity_provider));
      s.weight = item.value("weight", 0);
      s.base = item.value("base", 0);
      strategy.push_back(s);
    }
    std::string error = ValidateStrategy(strategy);
    if (!error.empty()) return fail("InvalidParameterException", error);
  } else if (!cluster->default_strategy.empty()) {
    strategy = cluster->default_strategy;
  } else {
    strategy = {{kFargate, 0, 1}};  // ecsim models Fargate only; see docs/aws/ecs.md
  }

  if (td.requires_compatibilities.size() > 0 &&
      std::find(td.requires_compatibilities.begin(), td.requires_compatibilities.end(), "FARGATE") ==
          td.requires_compatibilities.end())
    return fail("InvalidParameterException", "Task definition does not support launch_type FARGATE.");

  std::map<std::string, const sim::Json*> container_overrides;
  if (auto ov = request.find("overrides"); ov != request.end() && ov->contains("containerOverrides"))
    for (const auto& co : (*ov)["containerOverrides"]) container_overrides[StrOr(co, "name", "")] = &co;

  out.response = {{"tasks", sim::Json::array()}, {"failures", sim::Json::array()}};
  std::vector<std::string> providers = AssignProviders(strategy, count);
  for (const std::string& provider : providers) {
    if (provider == kFargateSpot && !capacity_.SpotAvailable(loop_.Now())) {
      out.response["failures"].push_back({{"arn", nullptr}, {"reason", kCapacityUnavailable}});
      ++counters_.run_task_failures;
      continue;
    }
    auto task = std::make_unique<Task>();
    task->id = ids_.HexId(32);
    task->arn = fmt::format("arn:aws:ecs:{}:{}:task/{}/{}", config_.region, config_.account, cluster->name, task->id);
    task->cluster_name = cluster->name;
    task->cluster_arn = cluster->arn;
    task->definition = &td;
    task->task_definition_arn = registry_.Arn(td);
    task->launch_type = "FARGATE";
    task->capacity_provider = provider;
    task->group = StrOr(request, "group", "family:" + td.family);
    task->started_by = StrOr(request, "startedBy", "");
    static const char* kZones[] = {"a", "b", "c"};
    task->availability_zone = config_.region + kZones[placement_.Uniform(3)];
    if (auto tags = request.find("tags"); tags != request.end() && tags->is_array())
      for (const auto& t : *tags) task->tags[StrOr(t, "key", "")] = StrOr(t, "value", "");
    task->created_at = loop_.Now();
    for (const auto& cd : td.containers) {
      Container c;
      c.name = cd.name;
      c.definition = &cd;
      std::vector<std::string> command = cd.command;
      c.env = cd.environment;
      if (auto it = container_overrides.find(cd.name); it != container_overrides.end()) {
        const sim::Json& co = *it->second;
        if (co.contains("command") && co["command"].is_array()) {
          command.clear();
          for (const auto& a : co["command"]) command.push_back(a.get<std::string>());
        }
        if (co.contains("environment"))
          for (const auto& kv : co["environment"]) {
            std::string name = StrOr(kv, "name", "");
            std::string value = StrOr(kv, "value", "");
            bool replaced = false;
            for (auto& e : c.env)
              if (e.first == name) e.second = value, replaced = true;
            if (!replaced) c.env.emplace_back(name, value);
          }
      }
      c.argv = cd.entry_point;
      c.argv.insert(c.argv.end(), command.begin(), command.end());
      task->containers.push_back(std::move(c));
    }
    Task& t = *task;
    tasks_.push_back(std::move(task));
    out.task_ids.push_back(t.id);
    ++counters_.tasks_started;
    Emit(t);  // PROVISIONING, as RunTask returns it
    out.response["tasks"].push_back(Describe(t));
    ScheduleTransition(t, config_.timing.provisioning, [this](Task& t) {
      Transition(t, "PENDING");
      ScheduleTransition(t, config_.timing.pending, [this](Task& t) {
        t.pull_started_at = loop_.Now();
        Transition(t, "ACTIVATING");
        ScheduleTransition(t, config_.timing.activating, [this](Task& t) {
          t.pull_stopped_at = loop_.Now();
          t.started_at = loop_.Now();
          StartContainers(t);
          Transition(t, "RUNNING");
        });
      });
    });
  }
  return out;
}

void EcsService::ScheduleTransition(Task& task, sim::Duration after, std::function<void(Task&)> fn) {
  Task* t = &task;
  task.pending_transition = loop_.After(after, [t, fn = std::move(fn)] {
    t->pending_transition.reset();
    fn(*t);
  });
}

void EcsService::Transition(Task& task, const std::string& status) {
  task.last_status = status;
  Emit(task);
}

void EcsService::Emit(Task& task) {
  ++task.version;
  sim::Json detail = Describe(task);
  for (auto& l : listeners_) l(task, detail);
}

void EcsService::StartContainers(Task& task) {
  for (size_t i = 0; i < task.containers.size(); ++i) {
    Container& c = task.containers[i];
    c.runtime_id = fmt::format("{}-{}", task.id, ids_.Uniform(10000000000ULL));
    ContainerRuntime::Spec spec{task.id, c.name, c.argv, c.env};
    spec.env.emplace_back("ECSIM_TASK_ID", task.id);
    spec.env.emplace_back("ECSIM_TASK_ARN", task.arn);
    spec.env.emplace_back("ECSIM_CONTAINER_NAME", c.name);
    c.last_status = "RUNNING";
    c.running = true;
    Task* t = &task;
    c.handle = runtime_.Start(spec, [this, t, i](const ContainerRuntime::Exit& exit) { OnContainerExit(*t, i, exit); });
  }
}

void EcsService::OnContainerExit(Task& task, size_t index, const ContainerRuntime::Exit& exit) {
  Container& c = task.containers[index];
  c.running = false;
  c.last_status = "STOPPED";
  c.exit_code = exit.exit_code;
  c.reason = exit.reason;
  if (c.kill_timer) {
    loop_.Cancel(*c.kill_timer);
    c.kill_timer.reset();
  }
  if (note_) {
    sim::Json data = {{"container", c.name}};
    if (exit.exit_code) data["exitCode"] = *exit.exit_code;
    if (!exit.reason.empty()) data["reason"] = exit.reason;
    if (c.sigterm_at) data["after_sigterm_ms"] = sim::ToMicros(loop_.Now() - *c.sigterm_at) / 1000;
    note_(task, "container.exit", data);
  }
  if (!task.stop_requested) {
    if (!exit.exit_code) {
      BeginStop(task, "TaskFailedToStart", exit.reason);
    } else if (c.definition->essential) {
      BeginStop(task, "EssentialContainerExited", "Essential container in task exited");
    } else {
      Emit(task);  // a container state change is a task state change event too
    }
    return;
  }
  MaybeFinishStopping(task);
}

std::string EcsService::StopTask(const std::string& cluster, const std::string& task_ref, const std::string& reason) {
  if (!cluster.empty() && !FindCluster(cluster)) return "ClusterNotFoundException: Cluster not found.";
  Task* task = FindTask(task_ref);
  if (!task || (!cluster.empty() && FindCluster(cluster)->name != task->cluster_name))
    return "InvalidParameterException: The referenced task was not found.";
  if (reason.size() > 255) return "InvalidParameterException: reason can be at most 255 characters.";
  BeginStop(*task, "UserInitiated", reason.empty() ? "Task stopped by user" : reason);
  return {};
}

void EcsService::InterruptSpot(const std::string& task_id) {
  Task* task = FindTask(task_id);
  if (!task || task->capacity_provider != kFargateSpot || task->last_status != "RUNNING" || task->stop_requested)
    return;
  BeginStop(*task, config_.spot_termination_notice_code ? "TerminationNotice" : "SpotInterruption",
            "Your Spot Task was interrupted.");
}

void EcsService::BeginStop(Task& task, const std::string& stop_code, const std::string& reason) {
  if (task.stop_requested || task.last_status == "STOPPED") return;
  task.stop_requested = true;
  task.desired_status = "STOPPED";
  task.stop_code = stop_code;
  task.stopped_reason = reason;
  task.stopping_at = loop_.Now();
  if (task.last_status != "RUNNING") {
    // Never started: no container ran, nothing to signal.
    if (task.pending_transition) loop_.Cancel(*task.pending_transition);
    task.pending_transition.reset();
    Emit(task);
    ScheduleTransition(task, sim::Duration(0), [this](Task& t) {
      t.execution_stopped_at = loop_.Now();
      Transition(t, "DEPROVISIONING");
      ScheduleTransition(t, config_.timing.deprovisioning, [this](Task& t) {
        t.stopped_at = loop_.Now();
        Transition(t, "STOPPED");
      });
    });
    return;
  }
  Emit(task);  // lastStatus RUNNING, desiredStatus STOPPED: the notice
  // SIGTERM goes out at this same instant unless deactivation takes time.
  if (config_.timing.deactivating == sim::Duration(0)) {
    EnterStopping(task);
  } else {
    Transition(task, "DEACTIVATING");
    ScheduleTransition(task, config_.timing.deactivating, [this](Task& t) { EnterStopping(t); });
  }
}

void EcsService::EnterStopping(Task& task) {
  Transition(task, "STOPPING");
  bool spot = task.stop_code == "SpotInterruption" || task.stop_code == "TerminationNotice";
  for (auto& c : task.containers) {
    if (!c.running) continue;
    c.sigterm_at = loop_.Now();
    int timeout_s = c.definition->stop_timeout_s;
    if (spot) timeout_s = std::min(timeout_s, kFargateMaxStopTimeoutS);  // the two-minute notice caps it
    if (note_) note_(task, "signal", {{"container", c.name}, {"signal", "SIGTERM"}, {"stopTimeout", timeout_s}});
    runtime_.Signal(*c.handle, SIGTERM);
    Task* t = &task;
    Container* cp = &c;
    c.kill_timer = loop_.After(sim::Seconds(timeout_s), [this, t, cp, timeout_s] {
      cp->kill_timer.reset();
      if (!cp->running) return;
      if (note_)
        note_(*t, "signal",
              {{"container", cp->name}, {"signal", "SIGKILL"}, {"reason", fmt::format("stopTimeout {}s expired", timeout_s)}});
      runtime_.Signal(*cp->handle, SIGKILL);
    });
  }
  MaybeFinishStopping(task);
}

void EcsService::MaybeFinishStopping(Task& task) {
  if (task.last_status != "STOPPING") return;
  for (const auto& c : task.containers)
    if (c.running) return;
  task.execution_stopped_at = loop_.Now();
  Transition(task, "DEPROVISIONING");
  ScheduleTransition(task, config_.timing.deprovisioning, [this](Task& t) {
    t.stopped_at = loop_.Now();
    Transition(t, "STOPPED");
  });
}

Task* EcsService::FindTask(const std::string& id_or_arn) {
  for (auto& t : tasks_)
    if (t->id == id_or_arn || t->arn == id_or_arn) return t.get();
  return nullptr;
}

sim::Json EcsService::Describe(const Task& t) const {
  sim::Json d = sim::Json::object();
  d["availabilityZone"] = t.availability_zone;
  d["capacityProviderName"] = t.capacity_provider;
  d["clusterArn"] = t.cluster_arn;
  d["connectivity"] = t.last_status == "PROVISIONING" ? "DISCONNECTED" : "CONNECTED";
  sim::Json containers = sim::Json::array();
  for (const auto& c : t.containers) {
    sim::Json cj = sim::Json::object();
    cj["containerArn"] = fmt::format("arn:aws:ecs:{}:{}:container/{}/{}/{}", config_.region, config_.account,
                                     t.cluster_name, t.id, c.name);
    if (c.exit_code) cj["exitCode"] = *c.exit_code;
    cj["image"] = c.definition->image;
    cj["lastStatus"] = c.last_status;
    cj["name"] = c.name;
    if (!c.reason.empty()) cj["reason"] = c.reason;
    if (!c.runtime_id.empty()) cj["runtimeId"] = c.runtime_id;
    cj["taskArn"] = t.arn;
    containers.push_back(std::move(cj));
  }
  d["containers"] = std::move(containers);
  d["cpu"] = t.definition->cpu;
  d["createdAt"] = Iso(t.created_at);
  d["desiredStatus"] = t.desired_status;
  if (t.execution_stopped_at) d["executionStoppedAt"] = Iso(*t.execution_stopped_at);
  d["group"] = t.group;
  d["lastStatus"] = t.last_status;
  d["launchType"] = t.launch_type;
  d["memory"] = t.definition->memory;
  d["platformFamily"] = "Linux";
  d["platformVersion"] = config_.platform_version;
  if (t.pull_started_at) d["pullStartedAt"] = Iso(*t.pull_started_at);
  if (t.pull_stopped_at) d["pullStoppedAt"] = Iso(*t.pull_stopped_at);
  if (t.started_at) d["startedAt"] = Iso(*t.started_at);
  if (!t.started_by.empty()) d["startedBy"] = t.started_by;
  if (!t.stop_code.empty()) d["stopCode"] = t.stop_code;
  if (t.stopped_at) d["stoppedAt"] = Iso(*t.stopped_at);
  if (!t.stopped_reason.empty()) d["stoppedReason"] = t.stopped_reason;
  if (t.stopping_at) d["stoppingAt"] = Iso(*t.stopping_at);
  if (!t.tags.empty()) {
    sim::Json tags = sim::Json::array();
    for (const auto& [k, v] : t.tags) tags.push_back({{"key", k}, {"value", v}});
    d["tags"] = std::move(tags);
  }
  d["taskArn"] = t.arn;
  d["taskDefinitionArn"] = t.task_definition_arn;
  d["updatedAt"] = Iso(loop_.Now());
  d["version"] = t.version;
  return d;
}

}  // namespace fakes::ecs
