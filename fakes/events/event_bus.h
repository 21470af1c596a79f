// An EventBridge event bus: rules with event patterns delivering matching
// events to their targets, and the AWS event envelope.
#ifndef ECSIM_FAKES_EVENTS_EVENT_BUS_H_
#define ECSIM_FAKES_EVENTS_EVENT_BUS_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "fakes/events/event_pattern.h"
#include "sim/base/document.h"
#include "sim/base/time.h"

namespace fakes::events {

enum class RuleState { kEnabled, kDisabled };

struct Rule {
  using Target = std::function<void(const sim::Json& event)>;
  std::string name;
  std::string description;
  std::string event_bus_name = "default";
  EventPattern pattern;
  RuleState state = RuleState::kEnabled;
  std::vector<Target> targets;  // invoked in this order
};

// Reads PutRule input {Name, EventPattern, State, Description, EventBusName}
// (also RoleArn and Tags, which are accepted and ignored). Targets are not part
// of PutRule; the simulator wires them. ScheduleExpression is refused: timed
// invocations are the Scheduler model's job. Throws sim::InputError.
Rule LoadRule(const sim::Node& node);

// Rules in insertion order. Delivery is synchronous and deterministic: an
// event goes to every ENABLED matching rule in the order the rules were added,
// and to each rule's targets in their order. AWS delivers asynchronously and
// without an order guarantee; a caller that wants latency schedules the
// PutEvent itself.
class EventBus {
 public:
  struct RuleCounters {
    uint64_t matched = 0;      // events that matched while the rule was enabled
    uint64_t invocations = 0;  // target calls made (matched x targets)
  };

  explicit EventBus(std::string name = "default") : name_(std::move(name)) {}

  const std::string& name() const { return name_; }

  // Adds a rule; a rule with the same name is replaced in place (PutRule on an
  // existing name updates it) and keeps its counters.
  void AddRule(Rule rule);
  // Returns false if there is no rule of that name.
  bool SetRuleState(const std::string& rule_name, RuleState state);
  bool AddTarget(const std::string& rule_name, Rule::Target target);

  // Delivers `event` and returns how many rules it matched. A target may call
  // PutEvent or AddRule re-entrantly; rules added during delivery see only
  // later events.
  size_t PutEvent(const sim::Json& event);

  // REQUIRES: a rule named `rule_name` exists.
  const RuleCounters& counters(const std::string& rule_name) const;
  const std::vector<Rule>& rules() const { return rules_; }
  uint64_t events_put() const { return events_put_; }

 private:
  size_t IndexOf(const std::string& rule_name) const;  // npos if absent

  std::string name_;
  std::vector<Rule> rules_;
  std::vector<RuleCounters> counters_;  // parallel to rules_
  uint64_t events_put_ = 0;
};

// The AWS event envelope, keys in this order:
// {"version":"0","id","detail-type","source","account","time","region",
//  "resources","detail"}. time = epoch_ms + t as ISO-8601 UTC to the second
// ("2024-05-14T01:12:00Z"), as EventBridge writes it.
sim::Json MakeEvent(std::string source, std::string detail_type, sim::Json detail,
                    std::vector<std::string> resources, int64_t epoch_ms, sim::Time t, std::string id,
                    std::string region, std::string account);

}  // namespace fakes::events

#endif  // ECSIM_FAKES_EVENTS_EVENT_BUS_H_
