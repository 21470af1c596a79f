#include "fakes/fis/experiment_runner.h"

#include <algorithm>
#include <utility>

namespace fakes::fis {
namespace {

using TaskInfo = TaskDirectory::TaskInfo;

bool IsTerminalAction(const std::string& state) {
  return state == "completed" || state == "skipped" || state == "cancelled" || state == "stopped" ||
         state == "failed";
}

// Value of a filter path on a task; nullopt if the task has none.
std::optional<std::string> FilterValue(const TaskInfo& t, const std::string& path) {
  if (path == "LastStatus") return t.last_status;
  if (path == "Group") return t.group;
  if (path == "ClusterArn") return t.cluster_arn;
  if (path == "ClusterName") return t.cluster_name;
  if (path == "TaskArn") return t.arn;
  if (path.compare(0, 5, "Tags.") == 0) {
    auto it = t.tags.find(path.substr(5));
    if (it != t.tags.end()) return it->second;
  }
  return std::nullopt;
}

bool Selected(const Target& target, const TaskInfo& t) {
  if (t.last_status != "RUNNING") return false;
  if (!target.resource_arns.empty() &&
      std::find(target.resource_arns.begin(), target.resource_arns.end(), t.arn) == target.resource_arns.end())
    return false;
  for (const auto& [key, value] : target.resource_tags) {
    auto it = t.tags.find(key);
    if (it == t.tags.end() || it->second != value) return false;
  }
  if (auto it = target.parameters.find("cluster"); it != target.parameters.end())
    if (t.cluster_name != it->second && t.cluster_arn != it->second) return false;
  if (auto it = target.parameters.find("service"); it != target.parameters.end())
    if (t.group != "service:" + it->second) return false;
  for (const auto& f : target.filters) {
    auto v = FilterValue(t, f.path);
    if (!v || std::find(f.values.begin(), f.values.end(), *v) == f.values.end()) return false;
  }
  return true;
}

}  // namespace

std::vector<std::string> ResolveTarget(const Target& target, const std::vector<TaskInfo>& tasks, sim::Rng& rng) {
  if (target.resource_type == "aws:ecs:cluster") return target.resource_arns;  // not modelled beyond the ARNs
  std::vector<std::string> candidates;
  for (const auto& t : tasks)
    if (Selected(target, t)) candidates.push_back(t.arn);
  const size_t size = candidates.size();
  size_t k = size;
  if (target.selection.kind == SelectionMode::Kind::kCount) {
    k = std::min(size, static_cast<size_t>(target.selection.n));
  } else if (target.selection.kind == SelectionMode::Kind::kPercent) {
    k = (size * static_cast<size_t>(target.selection.n) + 99) / 100;  // ceil
  }
  if (k >= size) return candidates;
  // Partial Fisher-Yates over indices, then back to directory order.
  std::vector<size_t> idx(size);
  for (size_t i = 0; i < size; ++i) idx[i] = i;
  for (size_t i = 0; i < k; ++i) std::swap(idx[i], idx[i + rng.Uniform(size - i)]);
  idx.resize(k);
  std::sort(idx.begin(), idx.end());
  std::vector<std::string> out;
  for (size_t i : idx) out.push_back(candidates[i]);
  return out;
}

ExperimentRunner::ExperimentRunner(sim::EventLoop& loop, sim::Rng rng, TaskDirectory& directory, Sink sink,
                                   Options options)
    : loop_(loop), rng_(std::move(rng)), directory_(directory), sink_(std::move(sink)), options_(options) {}

ExperimentRunner::Experiment& ExperimentRunner::Get(const std::string& id) { return *experiments_.at(id); }

const ExperimentRunner::Experiment* ExperimentRunner::Find(const std::string& id) const {
  auto it = experiments_.find(id);
  return it == experiments_.end() ? nullptr : it->second.get();
}

bool ExperimentRunner::Finished(const Experiment& e) {
  return e.state == "completed" || e.state == "stopped" || e.state == "failed";
}

void ExperimentRunner::Schedule(Experiment& e, sim::Duration after, std::function<void()> fn) {
  e.scheduled.push_back(loop_.After(after, std::move(fn)));
}

void ExperimentRunner::SetState(Experiment& e, const std::string& state, const std::string& reason) {
  e.state = state;
  e.reason = reason;
  if (Finished(e)) e.end_time = loop_.Now();
  sim::Json rec = {{"kind", "fis.experiment"}, {"experimentId", e.id}};
  if (!e.tpl.id.empty()) rec["experimentTemplateId"] = e.tpl.id;
  rec["state"] = state;
  if (!reason.empty()) rec["reason"] = reason;
  if (state == "failed" && !e.error_code.empty()) rec["errorCode"] = e.error_code;
  if (state == "running" || (state == "failed" && !e.resolved.empty()) ||
      (state == "completed" && e.tpl.actions_mode == "skip-all")) {
    sim::Json targets = sim::Json::object();
    for (const auto& t : e.tpl.targets)
      if (e.resolved.count(t.name)) targets[t.name] = e.resolved.at(t.name);
    rec["resolvedTargets"] = std::move(targets);
  }
  sink_(rec);
}

void ExperimentRunner::EmitAction(const Experiment& e, const ActionStatus& a, bool modelled) {
  sim::Json rec = {{"kind", "fis.experiment"}, {"experimentId", e.id}, {"action", a.name},
                   {"actionId", a.action_id}, {"state", a.state}};
  if (!a.targets.empty()) rec["targets"] = a.targets;
  if (!modelled) rec["modelled"] = false;
  if (!a.reason.empty()) rec["reason"] = a.reason;
  sink_(rec);
}

std::string ExperimentRunner::Start(const ExperimentTemplate& tpl) {
  static constexpr char kAlnum[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string id;
  do {
    id = "EXP";
    for (int i = 0; i < 17; ++i) id.push_back(kAlnum[rng_.Uniform(62)]);
  } while (experiments_.count(id));
  auto e = std::make_unique<Experiment>();
  e->id = id;
  e->tpl = tpl;
  e->start_time = loop_.Now();
  for (const auto& a : tpl.actions) e->actions.push_back({a.name, a.action_id, "pending", "", {}});
  Experiment& ref = *e;
  experiments_[id] = std::move(e);
  SetState(ref, "pending");
  Schedule(ref, options_.initiating_after, [this, id] { Initiate(id); });
  return id;
}

void ExperimentRunner::Initiate(const std::string& id) {
  Experiment& e = Get(id);
  SetState(e, "initiating");
  // Targets are resolved once, now; only targets some action uses.
  std::vector<TaskInfo> tasks = directory_.ListTasks();
  std::string empty_target;
  for (const auto& t : e.tpl.targets) {
    bool used = std::any_of(e.tpl.actions.begin(), e.tpl.actions.end(),
                            [&](const Action& a) { return a.target == t.name; });
    if (!used) continue;
    sim::Rng rng = rng_.Fork("fis.select/" + id + "/" + t.name);
    e.resolved[t.name] = ResolveTarget(t, tasks, rng);
    if (e.resolved[t.name].empty() && empty_target.empty()) empty_target = t.name;
  }
  if (!empty_target.empty() && e.tpl.empty_target_resolution_mode == "fail") {
    e.error_code = "InvalidTarget";
    for (auto& a : e.actions) a.state = "cancelled";
    SetState(e, "failed", kEmptyTargetReason);
    return;
  }
  Schedule(e, options_.running_after, [this, id] { Run(id); });
}

void ExperimentRunner::Run(const std::string& id) {
  Experiment& e = Get(id);
  if (e.tpl.actions_mode == "skip-all") {
    for (auto& a : e.actions) a.state = "skipped";
    SetState(e, "completed");
    return;
  }
  SetState(e, "running");
  for (size_t i = 0; i < e.actions.size(); ++i) {
    const Action& def = e.tpl.actions[i];
    if (!def.target.empty() && e.resolved[def.target].empty()) {
      e.actions[i].state = "skipped";
      e.actions[i].reason = kEmptyTargetReason;
      EmitAction(e, e.actions[i], def.modelled);
    }
  }
  StartReadyActions(e);
  MaybeComplete(e);
}

void ExperimentRunner::StartReadyActions(Experiment& e) {
  // Skipping an action can make others ready, so repeat until nothing changes.
  bool progress = true;
  while (progress && e.state == "running") {
    progress = false;
    for (size_t i = 0; i < e.actions.size(); ++i) {
      if (e.actions[i].state != "pending") continue;
      bool ready = true;
      for (const auto& dep : e.tpl.actions[i].start_after) {
        for (size_t j = 0; j < e.actions.size(); ++j)
          if (e.actions[j].name == dep && !IsTerminalAction(e.actions[j].state)) ready = false;
      }
      if (!ready) continue;
      StartAction(e, i);
      progress = true;
      if (e.state != "running") return;
    }
  }
}

void ExperimentRunner::StartAction(Experiment& e, size_t index) {
  const Action& def = e.tpl.actions[index];
  ActionStatus& a = e.actions[index];
  a.state = "running";
  if (!def.target.empty()) a.targets = e.resolved[def.target];
  a.reason = def.modelled ? "" : def.action_id + " is not modelled by ecsim: no fault injected";
  EmitAction(e, a, def.modelled);
  a.reason.clear();
  if (def.action_id == "aws:ecs:stop-task") {
    const std::string reason = StopReason(e.id);
    for (const auto& arn : a.targets) directory_.StopTask(arn, reason);
    if (e.state != "running") return;  // the directory stopped the experiment re-entrantly
  }
  if (def.duration && *def.duration > sim::Duration(0)) {
    const std::string id = e.id;
    Schedule(e, *def.duration, [this, id, index] {
      Experiment& ex = Get(id);
      FinishAction(ex, index, "completed");
      StartReadyActions(ex);
      MaybeComplete(ex);
    });
  } else {
    FinishAction(e, index, "completed");
  }
}

void ExperimentRunner::FinishAction(Experiment& e, size_t index, const std::string& state,
                                    const std::string& reason) {
  ActionStatus& a = e.actions[index];
  a.state = state;
  a.reason = reason;
  EmitAction(e, a, e.tpl.actions[index].modelled);
}

void ExperimentRunner::MaybeComplete(Experiment& e) {
  if (e.state != "running") return;
  for (const auto& a : e.actions)
    if (!IsTerminalAction(a.state)) return;
  SetState(e, "completed");
}

bool ExperimentRunner::Stop(const std::string& experiment_id, const std::string& reason) {
  auto it = experiments_.find(experiment_id);
  if (it == experiments_.end()) return false;
  Experiment& e = *it->second;
  if (Finished(e) || e.state == "stopping") return false;
  for (sim::EventId ev : e.scheduled) loop_.Cancel(ev);
  e.scheduled.clear();
  SetState(e, "stopping", reason);
  for (size_t i = 0; i < e.actions.size(); ++i) {
    if (e.actions[i].state == "running") FinishAction(e, i, "stopped", reason);
    else if (e.actions[i].state == "pending") FinishAction(e, i, "cancelled", reason);
  }
  SetState(e, "stopped", reason);
  return true;
}

int ExperimentRunner::OnAlarm(const std::string& alarm_arn) {
  std::vector<std::string> hit;
  for (const auto& [id, e] : experiments_) {
    if (Finished(*e)) continue;
    for (const auto& c : e->tpl.stop_conditions)
      if (c.source == "aws:cloudwatch:alarm" && c.value == alarm_arn) {
        hit.push_back(id);
        break;
      }
  }
  // Stop in start order, not id order, so the sink sees a natural sequence.
  std::sort(hit.begin(), hit.end(), [&](const std::string& a, const std::string& b) {
    const Experiment& ea = *experiments_.at(a);
    const Experiment& eb = *experiments_.at(b);
    return ea.start_time != eb.start_time ? ea.start_time < eb.start_time : a < b;
  });
  int stopped = 0;
  for (const auto& id : hit) stopped += Stop(id, "Experiment stopped by stop condition " + alarm_arn);
  return stopped;
}

}  // namespace fakes::fis
