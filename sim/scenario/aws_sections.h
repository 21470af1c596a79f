// The scenario sections that configure the AWS models beyond ECS: Spot,
// pricing, FIS, EventBridge rules, SQS, SNS, CloudWatch alarms, EventBridge
// Scheduler and Step Functions. Each AWS document is read by its model's own
// loader, as AWS writes it. Schema: docs/scenarios.md.
#ifndef ECSIM_SIM_SCENARIO_AWS_SECTIONS_H_
#define ECSIM_SIM_SCENARIO_AWS_SECTIONS_H_

#include <optional>
#include <string>
#include <vector>

#include "fakes/cloudwatch/metric_alarm.h"
#include "fakes/events/event_bus.h"
#include "fakes/fis/experiment_template.h"
#include "fakes/scheduler/schedule.h"
#include "fakes/scheduler/scheduler.h"
#include "fakes/sns/sns_service.h"
#include "fakes/sqs/queue_spec.h"
#include "fakes/stepfunctions/state_machine.h"
#include "sim/base/document.h"

namespace sim::scenario {

// Retries with exponential back-off: attempt n (1-based) waits
// min(max, initial * multiplier^(n-1)).
struct Backoff {
  int max_attempts = 10;
  Duration initial = Seconds(10);
  double multiplier = 2.0;
  Duration max = Seconds(300);
  Duration Delay(int attempt) const;
};

struct SpotSpec {
  std::vector<Time> interrupt_at;              // interrupt every RUNNING Spot task at these times
  std::optional<Duration> mean_time_between;   // seeded exponential, per Spot task
  std::optional<std::pair<Duration, Duration>> random_outages;  // mean available, mean outage
};

// us-east-1 Linux/x86 figures; Spot defaults to 70% off ("up to 70%"; the
// real price varies): an assumption, documented in docs/report.md.
struct Pricing {
  double on_demand_vcpu_hour = 0.04048;
  double on_demand_gb_hour = 0.004445;
  double spot_vcpu_hour = 0.012144;
  double spot_gb_hour = 0.0013335;
};

struct FisTemplateSpec {
  std::string name;
  fakes::fis::ExperimentTemplate tpl;
};

// An EventBridge rule whose target runs a task again: the "independent
// process that restarts the job" of seed 000.
struct RestartRuleSpec {
  fakes::events::Rule rule;  // without targets
  Json run_task;             // RunTask request (ECS API shape)
  Backoff backoff;           // max_attempts caps the restarts
};

struct QueueMessagesSpec {
  std::string queue;
  std::vector<std::string> bodies;
  Time at{};
};

struct StateMachineSpec {
  std::string name;
  std::string arn;
  fakes::stepfunctions::StateMachine machine;
};

struct AwsSections {
  SpotSpec spot;
  Pricing pricing;
  std::vector<FisTemplateSpec> fis_templates;
  std::vector<RestartRuleSpec> restart_rules;
  std::vector<fakes::sqs::QueueSpec> queues;
  std::vector<QueueMessagesSpec> queue_messages;
  bool sns_auto_confirm = true;
  std::vector<fakes::sns::TopicSpec> topics;
  std::vector<fakes::sns::SubscriptionSpec> subscriptions;
  std::vector<fakes::cloudwatch::AlarmSpec> alarms;
  std::vector<fakes::scheduler::Schedule> schedules;
  fakes::scheduler::SchedulerTunables scheduler_tunables;
  bool scheduler_failures_are_errors = false;
  std::vector<StateMachineSpec> state_machines;
};

// Reads {max_attempts, initial, multiplier, max} over `defaults`; with
// require_attempts, max_attempts must be given (1..1000).
Backoff LoadBackoff(const Node& node, Backoff defaults, bool require_attempts);

struct Scenario;
// Reads the sections present under `root` into scenario.aws and cross-checks
// the references between them (queues, topics, state machines, clusters,
// task definitions). Throws InputError.
void LoadAwsSections(const Node& root, Scenario& scenario);

}  // namespace sim::scenario

#endif  // ECSIM_SIM_SCENARIO_AWS_SECTIONS_H_
