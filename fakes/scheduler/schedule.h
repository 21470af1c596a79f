// An EventBridge Scheduler schedule, read from a CreateSchedule input document as AWS writes it.
#ifndef ECSIM_FAKES_SCHEDULER_SCHEDULE_H_
#define ECSIM_FAKES_SCHEDULER_SCHEDULE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fakes/scheduler/cron_expression.h"
#include "fakes/scheduler/time_zone.h"
#include "sim/base/document.h"
#include "sim/base/input_error.h"
#include "sim/base/time.h"

namespace fakes::scheduler {

// at(yyyy-mm-ddThh:mm:ss) | rate(value unit) | cron(six fields).
struct ScheduleExpression {
  enum class Kind { kAt, kRate, kCron };
  Kind kind = Kind::kAt;
  std::string text;
  CivilTime at;                        // kAt: wall-clock time in the schedule's zone
  sim::Duration rate{};                // kRate
  std::optional<CronExpression> cron;  // kCron

  bool recurring() const { return kind != Kind::kAt; }
};

// Throws ExpressionError. Units: minute|minutes|hour|hours|day|days; singular
// and plural are both accepted for any value (see docs/aws/scheduler.md).
ScheduleExpression ParseScheduleExpression(std::string_view text);

// RetryPolicy; AWS's defaults when the block is omitted.
struct RetryPolicy {
  int maximum_retry_attempts = 185;                       // 0..185
  sim::Duration maximum_event_age = sim::Seconds(86400);  // 60..86400 s
};

struct CapacityProviderStrategyItem {
  std::string capacity_provider;
  int weight = 0;
  int base = 0;
};

// Target.EcsParameters (the RunTask request template). Structured sub-objects
// are kept as the JSON AWS takes.
struct EcsParameters {
  std::string task_definition_arn;
  int task_count = 1;
  std::string launch_type;  // "" when omitted
  std::vector<CapacityProviderStrategyItem> capacity_provider_strategy;
  std::string platform_version;
  std::string group;
  sim::Json tags;                   // [{"key": "value"}, ...] or null
  sim::Json network_configuration;  // {"awsvpcConfiguration": {...}} or null
  std::string propagate_tags;       // "TASK_DEFINITION" or ""
  std::string reference_id;
  bool enable_ecs_managed_tags = false;
  bool enable_execute_command = false;
  sim::Json placement_constraints;  // or null
  sim::Json placement_strategy;     // or null
};

struct Target {
  std::string arn;
  std::string role_arn;
  std::optional<std::string> input;
  RetryPolicy retry_policy;
  std::optional<std::string> dead_letter_arn;  // DeadLetterConfig.Arn, a standard SQS queue
  std::optional<EcsParameters> ecs_parameters;
  std::optional<std::string> sqs_message_group_id;   // SqsParameters.MessageGroupId
  sim::Json other_parameters = sim::Json::object();  // EventBridge/Kinesis/SageMaker parameters, kept verbatim
};

enum class FlexibleMode { kOff, kFlexible };
enum class ActionAfterCompletion { kNone, kDelete };

struct Schedule {
  std::string name;
  std::string group_name = "default";
  ScheduleExpression expression;
  TimeZone time_zone = TimeZone::Utc();
  std::optional<int64_t> start_date_ms;  // UTC epoch ms; ignored for at()
  std::optional<int64_t> end_date_ms;    // UTC epoch ms, inclusive; ignored for at()
  bool enabled = true;                   // State ENABLED | DISABLED
  FlexibleMode flexible_mode = FlexibleMode::kOff;
  int maximum_window_minutes = 0;  // 1..1440 when kFlexible
  ActionAfterCompletion action_after_completion = ActionAfterCompletion::kNone;
  std::string description;
  Target target;
  sim::SourceLocation where;  // the document the schedule came from
};

// Reads a CreateSchedule input object. Throws sim::InputError naming file,
// line and key for unknown keys, missing required keys, out-of-range values,
// bad expressions, unknown time zones and FIFO dead-letter queues.
Schedule LoadSchedule(const sim::Node& create_schedule_input);

}  // namespace fakes::scheduler

#endif  // ECSIM_FAKES_SCHEDULER_SCHEDULE_H_
