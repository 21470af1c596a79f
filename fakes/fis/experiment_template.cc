#include "fakes/fis/experiment_template.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <set>

#include <fmt/format.h>

namespace fakes::fis {
namespace {

using sim::Node;

struct KnownAction {
  std::string_view id;
  std::string_view target_key;     // empty: the action takes no targets
  std::string_view resource_type;  // of that target
  bool modelled;
  bool takes_parameters;
};

// The FIS actions for ECS (fis-actions-reference) plus aws:fis:wait.
constexpr KnownAction kKnownActions[] = {
    {"aws:ecs:stop-task", "Tasks", "aws:ecs:task", true, false},
    {"aws:fis:wait", "", "", true, true},
    {"aws:ecs:drain-container-instances", "Clusters", "aws:ecs:cluster", false, true},
    {"aws:ecs:task-cpu-stress", "Tasks", "aws:ecs:task", false, true},
    {"aws:ecs:task-io-stress", "Tasks", "aws:ecs:task", false, true},
    {"aws:ecs:task-kill-process", "Tasks", "aws:ecs:task", false, true},
    {"aws:ecs:task-network-blackhole-port", "Tasks", "aws:ecs:task", false, true},
    {"aws:ecs:task-network-latency", "Tasks", "aws:ecs:task", false, true},
    {"aws:ecs:task-network-packet-loss", "Tasks", "aws:ecs:task", false, true},
};

const KnownAction* FindKnownAction(std::string_view id) {
  for (const auto& a : kKnownActions)
    if (a.id == id) return &a;
  return nullptr;
}

std::string KnownActionList() {
  std::string out;
  for (const auto& a : kKnownActions) out += (out.empty() ? "" : ", ") + std::string(a.id);
  return out;
}

bool IsFilterPath(const std::string& path) {
  static const std::set<std::string> kPaths = {"LastStatus", "Group", "ClusterArn", "ClusterName", "TaskArn"};
  return kPaths.count(path) > 0 || (path.size() > 5 && path.compare(0, 5, "Tags.") == 0);
}

// AWS passes parameter values as strings; a YAML scenario may write 80 for "80".
std::string ScalarAsString(const Node& n) {
  const sim::Json& v = n.json();
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number() || v.is_boolean()) return v.dump();
  n.Fail("expected a string, found " + sim::TypeName(v));
}

std::map<std::string, std::string> StringMap(const Node& n) {
  n.ExpectObject();
  std::map<std::string, std::string> out;
  for (const auto& k : n.Keys()) out[k] = ScalarAsString(*n.Get(k));
  return out;
}

SelectionMode LoadSelectionMode(const Node& n) {
  std::string s = n.AsString();
  SelectionMode mode;
  if (s == "ALL") return mode;
  auto parse_arg = [&](std::string_view prefix) -> std::optional<int64_t> {
    if (s.size() <= prefix.size() + 1 || s.compare(0, prefix.size(), prefix) != 0 || s.back() != ')')
      return std::nullopt;
    int64_t v = 0;
    const char* first = s.data() + prefix.size();
    const char* last = s.data() + s.size() - 1;
    auto r = std::from_chars(first, last, v);
    if (r.ec != std::errc() || r.ptr != last) n.Fail(fmt::format("'{}': the count must be an integer", s));
    return v;
  };
  if (auto count = parse_arg("COUNT(")) {
    if (*count < 1) n.Fail(fmt::format("'{}': COUNT(n) needs n >= 1", s));
    mode.kind = SelectionMode::Kind::kCount;
    mode.n = *count;
    return mode;
  }
  if (auto percent = parse_arg("PERCENT(")) {
    if (*percent < 1 || *percent > 100) n.Fail(fmt::format("'{}': PERCENT(n) needs n in 1..100", s));
    mode.kind = SelectionMode::Kind::kPercent;
    mode.n = *percent;
    return mode;
  }
  n.Fail(fmt::format("selectionMode must be ALL, COUNT(n) or PERCENT(n), found \"{}\"", s));
}

Target LoadTarget(const std::string& name, const Node& n) {
  n.AllowOnly({"resourceType", "resourceArns", "resourceTags", "parameters", "filters", "selectionMode"});
  Target t;
  t.name = name;
  t.where = n.Where();
  Node type = n.Require("resourceType");
  t.resource_type = type.AsString();
  if (t.resource_type != "aws:ecs:task" && t.resource_type != "aws:ecs:cluster")
    type.Fail(fmt::format("resourceType '{}' is not modelled by ecsim (known: aws:ecs:task, aws:ecs:cluster)",
                          t.resource_type));
  int sources = n.Has("resourceArns") + n.Has("resourceTags") + n.Has("parameters");
  if (sources != 1)
    n.Fail(fmt::format("exactly one of resourceArns, resourceTags or parameters is required, found {}", sources));
  if (auto arns = n.Get("resourceArns")) {
    t.resource_arns = arns->AsStringList();
    if (t.resource_arns.empty()) arns->Fail("resourceArns must list at least one ARN");
  }
  if (auto tags = n.Get("resourceTags")) {
    t.resource_tags = StringMap(*tags);
    if (t.resource_tags.empty()) tags->Fail("resourceTags must hold at least one tag");
  }
  if (t.resource_type == "aws:ecs:cluster" && t.resource_arns.empty())
    n.Fail("ecsim resolves aws:ecs:cluster targets only from resourceArns");
  if (auto params = n.Get("parameters")) {
    if (t.resource_type != "aws:ecs:task") params->Fail("parameters are only modelled for aws:ecs:task targets");
    params->AllowOnly({"cluster", "service"});
    t.parameters = StringMap(*params);
    if (!t.parameters.count("cluster")) params->Fail("missing required key 'cluster'");
  }
  if (auto filters = n.Get("filters")) {
    filters->ExpectArray();
    for (size_t i = 0; i < filters->Size(); ++i) {
      Node f = filters->At(i);
      f.AllowOnly({"path", "values"});
      Node path = f.Require("path");
      TargetFilter filter{path.AsString(), f.Require("values").AsStringList()};
      if (!IsFilterPath(filter.path))
        path.Fail(fmt::format("filter path '{}' is not modelled (known: LastStatus, Group, ClusterArn, "
                              "ClusterName, TaskArn, Tags.<key>)",
                              filter.path));
      if (filter.values.empty()) f.Require("values").Fail("values must not be empty");
      t.filters.push_back(std::move(filter));
    }
  }
  if (auto mode = n.Get("selectionMode")) t.selection = LoadSelectionMode(*mode);
  return t;
}

Action LoadAction(const std::string& name, const Node& n, const ExperimentTemplate& tpl) {
  n.AllowOnly({"actionId", "description", "parameters", "targets", "startAfter"});
  Action a;
  a.name = name;
  a.where = n.Where();
  Node id = n.Require("actionId");
  a.action_id = id.AsString();
  const KnownAction* known = FindKnownAction(a.action_id);
  if (known == nullptr)
    id.Fail(fmt::format("unknown actionId '{}' (ecsim knows: {})", a.action_id, KnownActionList()));
  a.modelled = known->modelled;
  a.description = n.GetString("description", "");
  if (auto params = n.Get("parameters")) {
    a.parameters = StringMap(*params);
    if (!known->takes_parameters && !a.parameters.empty())
      params->Fail(fmt::format("{} takes no parameters", a.action_id));
    if (auto d = params->Get("duration")) {
      a.duration = ParseIsoDuration(ScalarAsString(*d));
      if (!a.duration) d->Fail(fmt::format("'{}' is not an ISO-8601 duration such as \"PT5M\"", ScalarAsString(*d)));
    }
  }
  if (a.action_id == "aws:fis:wait" && !a.duration)
    (n.Has("parameters") ? n.Require("parameters") : n).Fail("aws:fis:wait needs parameters.duration (e.g. \"PT5M\")");
  if (known->target_key.empty()) {
    if (auto targets = n.Get("targets"); targets && targets->Size() > 0)
      targets->Fail(fmt::format("{} takes no targets", a.action_id));
  } else {
    Node targets = n.Require("targets");
    targets.ExpectObject();
    for (const auto& key : targets.Keys())
      if (key != known->target_key)
        targets.Get(key)->Fail(fmt::format("{} takes the target key '{}', not '{}'", a.action_id, known->target_key, key));
    Node ref = targets.Require(known->target_key);
    a.target = ref.AsString();
    const Target* t = tpl.FindTarget(a.target);
    if (t == nullptr) ref.Fail(fmt::format("no target named '{}' in targets", a.target));
    if (t->resource_type != known->resource_type)
      ref.Fail(fmt::format("target '{}' has resourceType {}; {} needs {}", a.target, t->resource_type, a.action_id,
                           known->resource_type));
  }
  if (auto after = n.Get("startAfter")) a.start_after = after->AsStringList();
  return a;
}

void CheckStartAfter(const ExperimentTemplate& tpl, const Node& actions) {
  std::map<std::string, const Action*> by_name;
  for (const auto& a : tpl.actions) by_name[a.name] = &a;
  for (const auto& a : tpl.actions) {
    if (a.start_after.empty()) continue;
    Node after = actions.Require(a.name).Require("startAfter");
    for (size_t i = 0; i < a.start_after.size(); ++i) {
      if (!by_name.count(a.start_after[i]))
        after.At(i).Fail(fmt::format("no action named '{}' in actions", a.start_after[i]));
      if (a.start_after[i] == a.name) after.At(i).Fail("an action cannot start after itself");
    }
  }
  // Cycle check: depth-first over startAfter edges.
  std::map<std::string, int> color;  // 0 new, 1 on stack, 2 done
  std::function<bool(const Action&)> visit = [&](const Action& a) {
    color[a.name] = 1;
    for (const auto& dep : a.start_after) {
      if (color[dep] == 1) return false;
      if (color[dep] == 0 && !visit(*by_name[dep])) return false;
    }
    color[a.name] = 2;
    return true;
  };
  for (const auto& a : tpl.actions)
    if (color[a.name] == 0 && !visit(a))
      actions.Require(a.name).Require("startAfter").Fail("startAfter forms a cycle");
}

}  // namespace

std::string SelectionMode::ToString() const {
  switch (kind) {
    case Kind::kAll: return "ALL";
    case Kind::kCount: return fmt::format("COUNT({})", n);
    case Kind::kPercent: return fmt::format("PERCENT({})", n);
  }
  return "ALL";
}

const Target* ExperimentTemplate::FindTarget(std::string_view name) const {
  for (const auto& t : targets)
    if (t.name == name) return &t;
  return nullptr;
}

std::optional<sim::Duration> ParseIsoDuration(std::string_view s) {
  if (s.size() < 3 || s[0] != 'P') return std::nullopt;
  double total_s = 0;
  bool in_time = false, any = false;
  size_t i = 1;
  while (i < s.size()) {
    if (s[i] == 'T') {
      if (in_time) return std::nullopt;
      in_time = true;
      ++i;
      continue;
    }
    size_t start = i;
    while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
    if (i == start || i == s.size()) return std::nullopt;
    double v = 0;
    auto r = std::from_chars(s.data() + start, s.data() + i, v);
    if (r.ec != std::errc() || r.ptr != s.data() + i) return std::nullopt;
    char unit = s[i++];
    if (!in_time && unit == 'D') total_s += v * 86400;
    else if (in_time && unit == 'H') total_s += v * 3600;
    else if (in_time && unit == 'M') total_s += v * 60;
    else if (in_time && unit == 'S') total_s += v;
    else return std::nullopt;
    any = true;
  }
  if (!any) return std::nullopt;
  return sim::Duration(static_cast<int64_t>(std::llround(total_s * 1e6)));
}

ExperimentTemplate LoadExperimentTemplate(const sim::Node& input) {
  Node n = input;
  if (n.IsObject() && n.Keys() == std::vector<std::string>{"experimentTemplate"}) n = n.Require("experimentTemplate");
  n.AllowOnly({"description", "roleArn", "tags", "stopConditions", "targets", "actions", "logConfiguration",
               "experimentOptions", "clientToken", "id", "arn", "creationTime", "lastUpdateTime",
               "experimentReportConfiguration", "targetAccountConfigurationsCount"});
  ExperimentTemplate tpl;
  tpl.file = n.document().file();
  tpl.id = n.GetString("id", "");
  tpl.description = n.GetString("description", "");
  tpl.role_arn = n.GetString("roleArn", "");
  if (auto tags = n.Get("tags")) tpl.tags = StringMap(*tags);
  if (auto stops = n.Get("stopConditions")) {
    stops->ExpectArray();
    for (size_t i = 0; i < stops->Size(); ++i) {
      Node s = stops->At(i);
      s.AllowOnly({"source", "value"});
      StopCondition c{s.Require("source").AsString(), s.GetString("value", "")};
      if (c.source == "aws:cloudwatch:alarm") {
        if (c.value.empty()) s.Fail("an aws:cloudwatch:alarm stop condition needs value (the alarm ARN)");
      } else if (c.source == "none") {
        if (s.Has("value")) s.Require("value").Fail("a stop condition with source none takes no value");
      } else {
        s.Require("source").Fail(
            fmt::format("stop condition source must be none or aws:cloudwatch:alarm, found \"{}\"", c.source));
      }
      tpl.stop_conditions.push_back(std::move(c));
    }
  } else {
    tpl.stop_conditions.push_back({"none", ""});
  }
  if (auto targets = n.Get("targets")) {
    targets->ExpectObject();
    for (const auto& name : targets->Keys()) tpl.targets.push_back(LoadTarget(name, *targets->Get(name)));
  }
  Node actions = n.Require("actions");
  actions.ExpectObject();
  if (actions.Size() == 0) actions.Fail("at least one action is required");
  for (const auto& name : actions.Keys()) tpl.actions.push_back(LoadAction(name, *actions.Get(name), tpl));
  CheckStartAfter(tpl, actions);
  if (auto log = n.Get("logConfiguration")) tpl.log_configuration = log->json();
  if (auto opts = n.Get("experimentOptions")) {
    opts->AllowOnly({"emptyTargetResolutionMode", "accountTargeting", "actionsMode"});
    if (auto m = opts->Get("emptyTargetResolutionMode")) {
      tpl.empty_target_resolution_mode = m->AsString();
      if (tpl.empty_target_resolution_mode != "fail" && tpl.empty_target_resolution_mode != "skip")
        m->Fail("emptyTargetResolutionMode must be fail or skip");
    }
    if (auto m = opts->Get("accountTargeting")) {
      tpl.account_targeting = m->AsString();
      if (tpl.account_targeting != "single-account" && tpl.account_targeting != "multi-account")
        m->Fail("accountTargeting must be single-account or multi-account");
    }
    if (auto m = opts->Get("actionsMode")) {
      tpl.actions_mode = m->AsString();
      if (tpl.actions_mode != "run-all" && tpl.actions_mode != "skip-all")
        m->Fail("actionsMode must be run-all or skip-all");
    }
  }
  return tpl;
}

}  // namespace fakes::fis
