#include "fakes/ecs/task_definition.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include <fmt/format.h>

namespace fakes::ecs {
namespace {

// Fields of RegisterTaskDefinition that ecsim reads; everything else is
// accepted and ignored.
constexpr std::string_view kTaskFields[] = {"family", "containerDefinitions", "cpu", "memory",
                                            "requiresCompatibilities", "networkMode", "tags"};
constexpr std::string_view kContainerFields[] = {"name",      "image",       "entryPoint",  "command",
                                                 "environment", "essential", "stopTimeout", "startTimeout"};

bool Known(std::string_view key, const auto& list) {
  return std::find(std::begin(list), std::end(list), key) != std::end(list);
}

// "1024", 1024, "1 vCPU" -> CPU units; "2048", "2 GB", "2GB" -> MiB.
std::string Normalize(const sim::Node& n, bool is_cpu) {
  std::string text;
  if (n.json().is_number_integer()) {
    text = std::to_string(n.AsInt());
  } else {
    text = n.AsString();
  }
  std::string digits;
  size_t i = 0;
  while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) digits += text[i++];
  std::string unit = text.substr(i);
  unit.erase(std::remove(unit.begin(), unit.end(), ' '), unit.end());
  for (auto& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (digits.empty()) n.Fail(fmt::format("'{}' is not a {} value", text, is_cpu ? "cpu" : "memory"));
  double v = std::atof(digits.c_str());
  if (is_cpu) {
    if (unit == "vcpu") v *= 1024;
    else if (!unit.empty()) n.Fail(fmt::format("'{}': cpu is CPU units (\"256\") or vCPU (\"1 vCPU\")", text));
  } else {
    if (unit == "gb") v *= 1024;
    else if (!unit.empty() && unit != "mb" && unit != "mib")
      n.Fail(fmt::format("'{}': memory is MiB (\"512\") or GB (\"2 GB\")", text));
  }
  return std::to_string(static_cast<int64_t>(v));
}

// Fargate's supported task size combinations.
bool FargateSizeValid(int64_t cpu, int64_t mem) {
  auto in = [&](int64_t lo, int64_t hi, int64_t step) { return mem >= lo && mem <= hi && (mem - lo) % step == 0; };
  switch (cpu) {
    case 256: return mem == 512 || mem == 1024 || mem == 2048;
    case 512: return in(1024, 4096, 1024);
    case 1024: return in(2048, 8192, 1024);
    case 2048: return in(4096, 16384, 1024);
    case 4096: return in(8192, 30720, 1024);
    case 8192: return in(16384, 61440, 4096);
    case 16384: return in(32768, 122880, 8192);
    default: return false;
  }
}

}  // namespace

double TaskDefinition::VcpuCount() const { return std::atof(cpu.c_str()) / 1024.0; }
double TaskDefinition::MemoryGb() const { return std::atof(memory.c_str()) / 1024.0; }

TaskDefinition LoadTaskDefinition(const sim::Node& input) {
  sim::Node node = input;
  input.ExpectObject();
  if (input.Has("taskDefinition") && !input.Has("family")) node = input.Require("taskDefinition");
  node.ExpectObject();
  TaskDefinition td;
  td.where = node.Where();
  for (const auto& key : node.Keys())
    if (!Known(key, kTaskFields)) td.ignored_fields.push_back(key);

  sim::Node family = node.Require("family");
  td.family = family.AsString();
  if (td.family.empty() || td.family.size() > 255 ||
      !std::all_of(td.family.begin(), td.family.end(),
                   [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; }))
    family.Fail("family must be 1-255 letters, digits, hyphens or underscores");

  if (auto c = node.Get("requiresCompatibilities")) td.requires_compatibilities = c->AsStringList();
  bool fargate = td.requires_compatibilities.empty() ||
                 std::find(td.requires_compatibilities.begin(), td.requires_compatibilities.end(), "FARGATE") !=
                     td.requires_compatibilities.end();
  if (auto n = node.Get("networkMode")) {
    td.network_mode = n->AsString();
    if (fargate && td.network_mode != "awsvpc") n->Fail("Fargate requires networkMode awsvpc");
  }
  if (auto c = node.Get("cpu")) td.cpu = Normalize(*c, true);
  if (auto m = node.Get("memory")) td.memory = Normalize(*m, false);
  if (fargate) {
    if (td.cpu.empty()) node.Fail("Fargate task definitions need a task-level 'cpu'");
    if (td.memory.empty()) node.Fail("Fargate task definitions need a task-level 'memory'");
    if (!FargateSizeValid(std::atoll(td.cpu.c_str()), std::atoll(td.memory.c_str())))
      node.Require("memory").Fail(
          fmt::format("cpu {} with memory {} is not a Fargate task size", td.cpu, td.memory));
  }
  if (auto tags = node.Get("tags")) {
    tags->ExpectArray();
    for (size_t i = 0; i < tags->Size(); ++i) {
      sim::Node t = tags->At(i);
      td.tags[t.Require("key").AsString()] = t.GetString("value", "");
    }
  }

  sim::Node defs = node.Require("containerDefinitions");
  defs.ExpectArray();
  if (defs.Size() == 0) defs.Fail("at least one container definition is required");
  bool any_essential = false;
  for (size_t i = 0; i < defs.Size(); ++i) {
    sim::Node c = defs.At(i);
    c.ExpectObject();
    ContainerDefinition cd;
    cd.where = c.Where();
    for (const auto& key : c.Keys())
      if (!Known(key, kContainerFields)) {
        std::string f = "containerDefinitions." + key;
        if (std::find(td.ignored_fields.begin(), td.ignored_fields.end(), f) == td.ignored_fields.end())
          td.ignored_fields.push_back(f);
      }
    cd.name = c.Require("name").AsString();
    for (const auto& other : td.containers)
      if (other.name == cd.name) c.Require("name").Fail(fmt::format("duplicate container name '{}'", cd.name));
    cd.image = c.Require("image").AsString();
    if (auto e = c.Get("entryPoint")) cd.entry_point = e->AsStringList();
    if (auto cmd = c.Get("command")) cd.command = cmd->AsStringList();
    if (cd.entry_point.empty() && cd.command.empty())
      c.Fail("ecsim runs the container's command as a real process: set 'command' (or 'entryPoint')");
    if (auto env = c.Get("environment")) {
      env->ExpectArray();
      for (size_t k = 0; k < env->Size(); ++k) {
        sim::Node kv = env->At(k);
        kv.AllowOnly({"name", "value"});
        std::string value;
        sim::Node v = kv.Require("value");
        if (v.json().is_number()) value = v.json().dump();
        else value = v.AsString();
        cd.environment.emplace_back(kv.Require("name").AsString(), value);
      }
    }
    cd.essential = c.GetBool("essential", true);
    any_essential = any_essential || cd.essential;
    if (auto st = c.Get("stopTimeout")) {
      if (fargate)
        cd.stop_timeout_s = static_cast<int>(st->AsIntInRange(0, kFargateMaxStopTimeoutS));
      else
        cd.stop_timeout_s = static_cast<int>(st->AsIntInRange(0, 86400));
    }
    if (auto st = c.Get("startTimeout")) cd.start_timeout_s = static_cast<int>(st->AsIntInRange(0, 86400));
    td.containers.push_back(std::move(cd));
  }
  if (!any_essential) defs.Fail("at least one container must be essential");
  return td;
}

int TaskDefinitionRegistry::Register(TaskDefinition td) {
  auto& revs = families_[td.family];
  td.revision = static_cast<int>(revs.size()) + 1;
  revs.push_back({std::move(td), std::nullopt});
  return static_cast<int>(revs.size());
}

bool TaskDefinitionRegistry::Deregister(const std::string& family, int revision, sim::Time effective_at) {
  auto it = families_.find(family);
  if (it == families_.end() || revision < 1 || revision > static_cast<int>(it->second.size())) return false;
  auto& rev = it->second[static_cast<size_t>(revision - 1)];
  if (!rev.inactive_from || *rev.inactive_from > effective_at) rev.inactive_from = effective_at;
  return true;
}

TaskDefinitionRegistry::Lookup TaskDefinitionRegistry::Resolve(const std::string& ref, sim::Time now) const {
  std::string spec = ref;
  auto slash = spec.rfind(":task-definition/");
  if (spec.rfind("arn:", 0) == 0) {
    if (slash == std::string::npos) return {nullptr, false, "Invalid task definition ARN: " + ref};
    spec = spec.substr(slash + 17);
  }
  std::string family = spec;
  int revision = 0;
  if (auto colon = spec.find(':'); colon != std::string::npos) {
    family = spec.substr(0, colon);
    revision = std::atoi(spec.c_str() + colon + 1);
    if (revision <= 0) return {nullptr, false, "Invalid revision number. Number: " + spec.substr(colon + 1)};
  }
  auto it = families_.find(family);
  if (it == families_.end()) return {nullptr, false, "Unable to describe task definition."};
  auto active = [&](const Revision& r) { return !r.inactive_from || *r.inactive_from > now; };
  if (revision == 0) {
    for (auto r = it->second.rbegin(); r != it->second.rend(); ++r)
      if (active(*r)) return {&r->definition, false, {}};
    return {nullptr, false, "TaskDefinition is inactive"};
  }
  if (revision > static_cast<int>(it->second.size())) return {nullptr, false, "Unable to describe task definition."};
  const Revision& r = it->second[static_cast<size_t>(revision - 1)];
  return {&r.definition, !active(r), {}};
}

std::string TaskDefinitionRegistry::Arn(const TaskDefinition& td) const {
  return fmt::format("arn:aws:ecs:{}:{}:task-definition/{}:{}", region_, account_, td.family, td.revision);
}

std::vector<const TaskDefinition*> TaskDefinitionRegistry::All() const {
  std::vector<const TaskDefinition*> out;
  for (const auto& [family, revs] : families_)
    for (const auto& r : revs) out.push_back(&r.definition);
  return out;
}

}  // namespace fakes::ecs
