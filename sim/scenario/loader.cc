#include <filesystem>

#include <fmt/format.h>

#include "sim/host/process_host.h"
#include "sim/scenario/scenario.h"

namespace sim::scenario {
namespace fs = std::filesystem;

std::string FamilyOf(std::string ref) {
  if (auto slash = ref.rfind("task-definition/"); slash != std::string::npos) ref = ref.substr(slash + 16);
  return ref.substr(0, ref.find(':'));
}

namespace {

constexpr int64_t kDefaultEpochMs = 1704067200000;  // 2024-01-01T00:00:00Z

Trigger LoadTrigger(const Node& action) {
  Trigger t;
  bool has_at = action.Has("at"), has_after = action.Has("after");
  if (has_at == has_after) action.Fail("an action needs exactly one of 'at' or 'after'");
  if (has_at) {
    t.at = kTimeZero + action.Require("at").AsDuration();
    return t;
  }
  Node after = action.Require("after");
  after.AllowOnly({"task_stopped", "task_running", "delay"});
  for (const char* ev : {"task_stopped", "task_running"})
    if (auto n = after.Get(ev)) {
      if (!t.after_event.empty()) n->Fail("name one event: task_stopped or task_running");
      t.after_event = ev;
      t.after_task = n->AsString();
    }
  if (t.after_event.empty()) after.Fail("'after' needs task_stopped: <name> or task_running: <name>");
  t.delay = after.GetDuration("delay", Duration(0));
  return t;
}

void LoadActions(const Node& list, Scenario& s) {
  list.ExpectArray();
  std::vector<std::string> names;
  for (size_t i = 0; i < list.Size(); ++i) {
    Node a = list.At(i);
    a.AllowOnly({"at", "after", "as", "retry", "run_task", "stop_task", "deregister_task_definition", "interrupt_spot",
                 "start_experiment", "start_execution"});
    Action action;
    action.where = a.Where();
    action.trigger = LoadTrigger(a);
    int kinds = 0;
    for (const char* kind : {"run_task", "stop_task", "deregister_task_definition", "interrupt_spot",
                             "start_experiment", "start_execution"}) {
      if (auto body = a.Get(kind)) {
        ++kinds;
        action.kind = kind;
        body->ExpectObject();
        action.args = body->json();
        if (action.kind == "run_task") {
          body->AllowOnly({"cluster", "taskDefinition", "count", "launchType", "capacityProviderStrategy",
                           "overrides", "group", "startedBy", "tags", "networkConfiguration", "platformVersion",
                           "propagateTags", "enableECSManagedTags", "referenceId"});
          body->Require("taskDefinition").AsString();
          if (auto c = body->Get("count")) c->AsIntInRange(1, 10);
          if (auto st = body->Get("capacityProviderStrategy")) fakes::ecs::LoadStrategy(*st);
          if (auto lt = body->Get("launchType"))
            if (lt->AsString() != "FARGATE") lt->Fail("ecsim models Fargate: launchType must be FARGATE");
        } else if (action.kind == "stop_task" || action.kind == "interrupt_spot") {
          body->AllowOnly({"task", "reason", "cluster"});
          std::string ref = body->Require("task").AsString();
          if (std::find(names.begin(), names.end(), ref) == names.end())
            body->Require("task").Fail(fmt::format("no earlier action names its tasks '{}' (use as: {})", ref, ref));
          if (auto r = body->Get("reason"))
            if (r->AsString().size() > 255) r->Fail("reason can be at most 255 characters");
        } else if (action.kind == "start_experiment") {
          body->AllowOnly({"template"});
          Node t = body->Require("template");
          const auto& list = s.aws.fis_templates;
          if (std::none_of(list.begin(), list.end(), [&](const auto& f) { return f.name == t.AsString(); }))
            t.Fail(fmt::format("no FIS template named '{}' in fis.templates", t.AsString()));
        } else if (action.kind == "start_execution") {
          body->AllowOnly({"stateMachine", "name", "input"});
          Node m = body->Require("stateMachine");
          const auto& list = s.aws.state_machines;
          if (std::none_of(list.begin(), list.end(),
                           [&](const auto& x) { return x.name == m.AsString() || x.arn == m.AsString(); }))
            m.Fail(fmt::format("no state machine '{}' in stepfunctions.state_machines", m.AsString()));
          if (auto n = body->Get("name")) n->AsString();
        } else if (action.kind == "deregister_task_definition") {
          body->AllowOnly({"taskDefinition"});
          std::string ref = body->Require("taskDefinition").AsString();
          if (ref.find(':') == std::string::npos)
            body->Require("taskDefinition").Fail("name the revision to deregister, e.g. family:1");
        }
      }
    }
    if (kinds != 1)
      a.Fail("an action does exactly one of run_task, stop_task, interrupt_spot, deregister_task_definition, "
             "start_experiment, start_execution");
    if (auto r = a.Get("retry")) {
      if (action.kind != "run_task") r->Fail("'retry' applies to run_task");
      action.retry = LoadBackoff(*r, Backoff(), true);
    }
    if (auto as = a.Get("as")) {
      if (action.kind != "run_task") as->Fail("'as' names the tasks a run_task starts");
      action.as = as->AsString();
      names.push_back(action.as);
    }
    if (!action.trigger.after_task.empty() &&
        std::find(names.begin(), names.end(), action.trigger.after_task) == names.end())
      a.Require("after").Fail(fmt::format("no earlier action names its tasks '{}'", action.trigger.after_task));
    s.actions.push_back(std::move(action));
  }
}

void LoadExpectations(const Node& list, Scenario& s) {
  list.ExpectArray();
  for (size_t i = 0; i < list.Size(); ++i) {
    Node e = list.At(i);
    e.AllowOnly({"path", "equals", "min", "max"});
    Expectation x;
    x.where = e.Where();
    x.path = e.Require("path").AsString();
    if (x.path.empty() || x.path[0] != '/') e.Require("path").Fail("path is a JSON pointer into summary.json, e.g. /items/lost");
    if (auto v = e.Get("equals")) x.equals = v->json();
    if (auto v = e.Get("min")) x.min = v->AsDouble();
    if (auto v = e.Get("max")) x.max = v->AsDouble();
    if (!x.equals && !x.min && !x.max) e.Fail("an expectation needs equals, min or max");
    s.expectations.push_back(std::move(x));
  }
}

// Checks every container's executable now (a missing binary is bad input)
// and makes relative paths absolute against the scenario's folder, since
// workers run inside the run directory.
void ValidateExecutables(Scenario& s, const std::string& self_dir) {
  for (auto& td : s.task_definitions)
    for (auto& c : td.containers) {
      std::vector<std::string> argv = c.entry_point;
      argv.insert(argv.end(), c.command.begin(), c.command.end());
      std::string exe = argv[0];
      if (exe.find('/') != std::string::npos && exe[0] != '/') exe = (fs::path(s.dir) / exe).lexically_normal().string();
      if (host::ProcessHost::ResolveExecutable(exe, self_dir).empty()) {
        SourceLocation where = c.where;
        where.key += c.entry_point.empty() ? ".command" : ".entryPoint";
        throw InputError(where, fmt::format("executable '{}' not found (looked next to ecsim, then in PATH)", argv[0]));
      }
      (c.entry_point.empty() ? c.command : c.entry_point)[0] = exe;
    }
}

}  // namespace

Scenario LoadScenario(const std::string& path, const std::string& self_dir) {
  Scenario s;
  s.file = path;
  s.dir = fs::absolute(fs::path(path)).parent_path().string();
  s.name = fs::path(path).stem().string();
  s.document = Document::Load(path);
  Node root = Node::Root(s.document);
  root.ExpectObject();
  root.AllowOnly({"name", "description", "seed", "start_time", "region", "account", "clusters", "ecs",
                  "task_definitions", "actions", "end", "expect", "host", "spot", "pricing", "fis", "eventbridge",
                  "sqs", "sns", "cloudwatch", "scheduler", "stepfunctions"});
  s.name = root.GetString("name", s.name);
  s.description = root.GetString("description", "");
  if (auto seed = root.Get("seed")) s.seed = static_cast<uint64_t>(seed->AsIntInRange(0, INT64_MAX));
  s.epoch_ms = kDefaultEpochMs;
  if (auto st = root.Get("start_time")) {
    auto ms = ParseIso8601Ms(st->AsString());
    if (!ms) st->Fail("start_time must be ISO-8601 UTC, e.g. \"2024-05-14T12:35:00Z\"");
    s.epoch_ms = *ms;
  }
  s.region = root.GetString("region", s.region);
  s.account = root.GetString("account", s.account);
  if (s.account.size() != 12 || s.account.find_first_not_of("0123456789") != std::string::npos)
    root.Require("account").Fail("account must be 12 digits (quote it in YAML)");

  if (auto clusters = root.Get("clusters")) {
    clusters->ExpectArray();
    for (size_t i = 0; i < clusters->Size(); ++i) {
      Node c = clusters->At(i);
      c.AllowOnly({"name", "default_capacity_provider_strategy"});
      ClusterSpec spec;
      spec.name = c.Require("name").AsString();
      if (auto st = c.Get("default_capacity_provider_strategy")) spec.default_strategy = fakes::ecs::LoadStrategy(*st);
      s.clusters.push_back(std::move(spec));
    }
  }
  if (auto ecs = root.Get("ecs")) {
    ecs->AllowOnly({"lifecycle", "spot_stop_code", "throttle", "spot_capacity_outages", "deregistration_lag",
                    "run_task_errors"});
    if (auto errs = ecs->Get("run_task_errors")) {
      errs->ExpectArray();
      for (size_t i = 0; i < errs->Size(); ++i) {
        Node e = errs->At(i);
        e.AllowOnly({"code", "message", "from", "to", "count"});
        fakes::ecs::InjectedError err;
        err.code = e.GetString("code", err.code);
        static const char* kCodes[] = {"ThrottlingException", "ServerException", "ClientException",
                                       "InvalidParameterException", "AccessDeniedException", "BlockedException",
                                       "ClusterNotFoundException", "PlatformUnknownException",
                                       "PlatformTaskDefinitionIncompatibilityException", "UnsupportedFeatureException",
                                       "ConflictException"};
        if (std::none_of(std::begin(kCodes), std::end(kCodes), [&](const char* c) { return err.code == c; }))
          e.Require("code").Fail(fmt::format("'{}' is not a RunTask exception", err.code));
        err.message = e.GetString("message", err.code == "ThrottlingException" ? "Rate exceeded" : err.code);
        err.from = kTimeZero + e.GetDuration("from", Duration(0));
        if (auto to = e.Get("to")) err.to = kTimeZero + to->AsDuration();
        err.count = static_cast<int>(e.GetInt("count", 0));
        if (err.count < 0) e.Require("count").Fail("count must be >= 0 (0: every call in the window)");
        s.run_task_errors.push_back(err);
      }
    }
    if (auto lc = ecs->Get("lifecycle")) {
      lc->AllowOnly({"provisioning", "pending", "activating", "deactivating", "deprovisioning"});
      auto& t = s.lifecycle;
      t.provisioning = lc->GetDuration("provisioning", t.provisioning);
      t.pending = lc->GetDuration("pending", t.pending);
      t.activating = lc->GetDuration("activating", t.activating);
      t.deactivating = lc->GetDuration("deactivating", t.deactivating);
      t.deprovisioning = lc->GetDuration("deprovisioning", t.deprovisioning);
    }
    if (auto code = ecs->Get("spot_stop_code")) {
      std::string v = code->AsString();
      if (v != "SpotInterruption" && v != "TerminationNotice") code->Fail("spot_stop_code is SpotInterruption or TerminationNotice");
      s.spot_termination_notice = v == "TerminationNotice";
    }
    if (auto th = ecs->Get("throttle")) {
      th->AllowOnly({"burst", "per_second"});
      s.throttle = {th->Require("burst").AsIntInRange(1, 100000), th->Require("per_second").AsIntInRange(1, 100000)};
    }
    if (auto outages = ecs->Get("spot_capacity_outages")) {
      outages->ExpectArray();
      for (size_t i = 0; i < outages->Size(); ++i) {
        Node o = outages->At(i);
        o.AllowOnly({"from", "to"});
        Time from = kTimeZero + o.Require("from").AsDuration();
        Time to = kTimeZero + o.Require("to").AsDuration();
        if (to <= from) o.Require("to").Fail("'to' must be after 'from'");
        s.spot_outages.emplace_back(from, to);
      }
    }
    if (auto lag = ecs->Get("deregistration_lag")) {
      s.deregistration_lag = lag->AsDuration();
      if (s.deregistration_lag > Seconds(600)) lag->Fail("AWS applies deregistration within at most 10 minutes (max 10m)");
    }
  }

  Node tds = root.Require("task_definitions");
  tds.ExpectArray();
  if (tds.Size() == 0) tds.Fail("at least one task definition is required");
  for (size_t i = 0; i < tds.Size(); ++i) {
    Node entry = tds.At(i);
    entry.AllowOnly({"file", "inline"});
    if (entry.Has("file") == entry.Has("inline")) entry.Fail("give exactly one of 'file' or 'inline'");
    if (auto f = entry.Get("file")) {
      fs::path p = fs::path(s.dir) / f->AsString();
      if (!fs::exists(p)) f->Fail(fmt::format("task definition file '{}' does not exist", p.lexically_normal().string()));
      auto doc = Document::Load(p.lexically_normal().string());
      s.task_definitions.push_back(fakes::ecs::LoadTaskDefinition(Node::Root(doc)));
    } else {
      Node inl = entry.Require("inline");
      s.task_definitions.push_back(fakes::ecs::LoadTaskDefinition(inl));
    }
  }
  LoadAwsSections(root, s);
  if (auto actions = root.Get("actions")) LoadActions(*actions, s);
  // A run_task (an action's or a restart rule's) must name a family this scenario registers.
  for (size_t i = 0; i < s.aws.restart_rules.size(); ++i) {
    std::string family = FamilyOf(s.aws.restart_rules[i].run_task.value("taskDefinition", ""));
    if (std::none_of(s.task_definitions.begin(), s.task_definitions.end(),
                     [&](const auto& td) { return td.family == family; }))
      root.Require("eventbridge").Require("rules").At(i).Require("run_task").Require("taskDefinition")
          .Fail(fmt::format("no task definition of family '{}' in task_definitions", family));
  }
  for (const auto& a : s.actions) {
    if (a.kind != "run_task" && a.kind != "deregister_task_definition") continue;
    std::string family = FamilyOf(a.args["taskDefinition"].get<std::string>());
    bool known = std::any_of(s.task_definitions.begin(), s.task_definitions.end(),
                             [&](const auto& td) { return td.family == family; });
    if (!known) {
      SourceLocation where = a.where;
      where.key += "." + a.kind + ".taskDefinition";
      throw InputError(where, fmt::format("no task definition of family '{}' in task_definitions", family));
    }
  }
  if (auto end = root.Get("end")) {
    end->AllowOnly({"when", "max_time"});
    s.end_when = end->GetString("when", s.end_when);
    if (s.end_when != "idle" && s.end_when != "all_tasks_stopped")
      end->Require("when").Fail("end.when is idle or all_tasks_stopped");
    s.max_time = end->GetDuration("max_time", s.max_time);
  }
  if (auto host = root.Get("host")) {
    host->AllowOnly({"guard"});
    s.guard_ms = ToMicros(host->GetDuration("guard", Millis(s.guard_ms))) / 1000;
    if (s.guard_ms < 100) host->Require("guard").Fail("the wall-clock guard must be at least 100ms");
  }
  if (auto ex = root.Get("expect")) LoadExpectations(*ex, s);
  ValidateExecutables(s, self_dir);
  return s;
}

}  // namespace sim::scenario
