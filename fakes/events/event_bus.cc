#include "fakes/events/event_bus.h"

#include <stdexcept>
#include <utility>

namespace fakes::events {

Rule LoadRule(const sim::Node& node) {
  node.AllowOnly({"Name", "EventPattern", "State", "Description", "EventBusName", "RoleArn", "Tags",
                  "ScheduleExpression"});
  if (auto schedule = node.Get("ScheduleExpression"))
    schedule->Fail("scheduled rules are not modelled by ecsim's EventBridge bus; use an EventBridge Scheduler "
                   "schedule instead");
  Rule rule;
  sim::Node name = node.Require("Name");
  rule.name = name.AsString();
  if (rule.name.empty() || rule.name.size() > 64) name.Fail("Name must be 1 to 64 characters");
  for (char c : rule.name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '-' || c == '_';
    if (!ok) name.Fail("Name may contain only letters, digits, '.', '-' and '_'");
  }
  rule.pattern = LoadEventPattern(node.Require("EventPattern"));
  if (auto state = node.Get("State")) {
    std::string s = state->AsString();
    if (s == "ENABLED") rule.state = RuleState::kEnabled;
    else if (s == "DISABLED") rule.state = RuleState::kDisabled;
    else state->Fail("State must be ENABLED or DISABLED (ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS is not "
                     "modelled), found \"" + s + "\"");
  }
  rule.description = node.GetString("Description", "");
  if (rule.description.size() > 512) node.Require("Description").Fail("Description is longer than 512 characters");
  rule.event_bus_name = node.GetString("EventBusName", "default");
  if (rule.event_bus_name.empty()) node.Require("EventBusName").Fail("EventBusName must not be empty");
  return rule;
}

size_t EventBus::IndexOf(const std::string& rule_name) const {
  for (size_t i = 0; i < rules_.size(); ++i)
    if (rules_[i].name == rule_name) return i;
  return std::string::npos;
}

void EventBus::AddRule(Rule rule) {
  size_t i = IndexOf(rule.name);
  if (i != std::string::npos) {
    rules_[i] = std::move(rule);
    return;
  }
  rules_.push_back(std::move(rule));
  counters_.emplace_back();
}

bool EventBus::SetRuleState(const std::string& rule_name, RuleState state) {
  size_t i = IndexOf(rule_name);
  if (i == std::string::npos) return false;
  rules_[i].state = state;
  return true;
}

bool EventBus::AddTarget(const std::string& rule_name, Rule::Target target) {
  size_t i = IndexOf(rule_name);
  if (i == std::string::npos) return false;
  rules_[i].targets.push_back(std::move(target));
  return true;
}

size_t EventBus::PutEvent(const sim::Json& event) {
  ++events_put_;
  size_t matched = 0;
  // Index loop with the size fixed at entry: targets may add rules (which can
  // reallocate rules_), and rules added now only see later events.
  const size_t count = rules_.size();
  for (size_t i = 0; i < count; ++i) {
    if (rules_[i].state != RuleState::kEnabled || !rules_[i].pattern.Matches(event)) continue;
    ++matched;
    ++counters_[i].matched;
    // Copy the targets: a target may replace this rule while it runs.
    std::vector<Rule::Target> targets = rules_[i].targets;
    for (const auto& target : targets) {
      ++counters_[i].invocations;
      target(event);
    }
  }
  return matched;
}

const EventBus::RuleCounters& EventBus::counters(const std::string& rule_name) const {
  size_t i = IndexOf(rule_name);
  if (i == std::string::npos) throw std::out_of_range("no rule named " + rule_name);
  return counters_[i];
}

sim::Json MakeEvent(std::string source, std::string detail_type, sim::Json detail,
                    std::vector<std::string> resources, int64_t epoch_ms, sim::Time t, std::string id,
                    std::string region, std::string account) {
  sim::Json event = sim::Json::object();
  event["version"] = "0";
  event["id"] = std::move(id);
  event["detail-type"] = std::move(detail_type);
  event["source"] = std::move(source);
  event["account"] = std::move(account);
  event["time"] = sim::FormatIso8601Seconds(epoch_ms, t);
  event["region"] = std::move(region);
  event["resources"] = std::move(resources);
  event["detail"] = std::move(detail);
  return event;
}

}  // namespace fakes::events
