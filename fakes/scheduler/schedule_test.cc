#include "fakes/scheduler/schedule.h"

#include <gtest/gtest.h>
#include "sim/base/testing/input_error.h"

namespace fakes::scheduler {
namespace {

// A CreateSchedule input with one line per key, so tests can name lines.
std::string Input(const std::string& expression_line, const std::string& extra_target = "",
                  const std::string& extra_top = "") {
  return "{\n"                               // 1
         "  \"Name\": \"nightly-batch\",\n"  // 2
         "  " +
         expression_line +
         ",\n"                                                 // 3
         "  \"FlexibleTimeWindow\": {\"Mode\": \"OFF\"},\n" +  // 4
         extra_top +
         "  \"Target\": {\n"
         "    \"Arn\": \"arn:aws:ecs:us-east-1:123456789012:cluster/batch\",\n"
         "    \"RoleArn\": \"arn:aws:iam::123456789012:role/scheduler\"" +
         extra_target +
         "\n  }\n"
         "}\n";
}

Schedule Load(const std::string& text) {
  return LoadSchedule(sim::Node::Root(sim::Document::Parse(text, "create.json", true)));
}

sim::InputError ErrorOf(const std::string& text) {
  return sim::testing::CaptureInputError([&] { Load(text); }, text);
}

TEST(LoadScheduleTest, ReadsAwsCreateScheduleInputWithDefaults) {
  Schedule s = Load(Input("\"ScheduleExpression\": \"cron(35 12 * * ? *)\""));
  EXPECT_EQ(s.name, "nightly-batch");
  EXPECT_EQ(s.group_name, "default");
  EXPECT_EQ(s.time_zone.name(), "UTC");
  EXPECT_TRUE(s.enabled);
  EXPECT_EQ(s.expression.kind, ScheduleExpression::Kind::kCron);
  EXPECT_EQ(s.flexible_mode, FlexibleMode::kOff);
  EXPECT_EQ(s.action_after_completion, ActionAfterCompletion::kNone);
  EXPECT_EQ(s.target.retry_policy.maximum_retry_attempts, 185);
  EXPECT_EQ(s.target.retry_policy.maximum_event_age, sim::Seconds(86400));
  EXPECT_FALSE(s.target.dead_letter_arn.has_value());
  EXPECT_EQ(s.where.file, "create.json");
}

TEST(LoadScheduleTest, ReadsFullEcsTargetWithDlqAndRetryPolicy) {
  std::string target =
      ",\n    \"Input\": \"{\\\"job\\\": \\\"<aws.scheduler.execution-id>\\\"}\",\n"
      "    \"RetryPolicy\": {\"MaximumRetryAttempts\": 2, \"MaximumEventAgeInSeconds\": 3600},\n"
      "    \"DeadLetterConfig\": {\"Arn\": \"arn:aws:sqs:us-east-1:123456789012:scheduler-dlq\"},\n"
      "    \"EcsParameters\": {\"TaskDefinitionArn\": \"arn:aws:ecs:us-east-1:123456789012:task-definition/job:5\",\n"
      "      \"TaskCount\": 1, \"CapacityProviderStrategy\": [{\"capacityProvider\": \"FARGATE_SPOT\", \"weight\": "
      "1}],\n"
      "      \"NetworkConfiguration\": {\"awsvpcConfiguration\": {\"Subnets\": [\"subnet-1\"], \"AssignPublicIp\": "
      "\"ENABLED\"}},\n"
      "      \"PlatformVersion\": \"LATEST\", \"EnableECSManagedTags\": true, \"PropagateTags\": \"TASK_DEFINITION\"}";
  std::string top =
      "  \"ScheduleExpressionTimezone\": \"Europe/Berlin\",\n"
      "  \"StartDate\": \"2024-05-01T00:00:00Z\", \"EndDate\": \"2024-06-01T02:00:00+02:00\",\n"
      "  \"State\": \"DISABLED\", \"ActionAfterCompletion\": \"DELETE\", \"GroupName\": \"batch\",\n"
      "  \"KmsKeyArn\": \"arn:aws:kms:us-east-1:123456789012:key/x\", \"Description\": \"d\",\n";
  Schedule s = Load(Input("\"ScheduleExpression\": \"rate(5 minutes)\"", target, top));
  EXPECT_EQ(s.expression.rate, sim::Seconds(300));
  EXPECT_EQ(s.time_zone.name(), "Europe/Berlin");
  EXPECT_EQ(*s.start_date_ms, *sim::ParseIso8601Ms("2024-05-01T00:00:00Z"));
  EXPECT_EQ(*s.end_date_ms, *sim::ParseIso8601Ms("2024-06-01T00:00:00Z"));
  EXPECT_FALSE(s.enabled);
  EXPECT_EQ(s.action_after_completion, ActionAfterCompletion::kDelete);
  EXPECT_EQ(s.group_name, "batch");
  EXPECT_EQ(s.target.retry_policy.maximum_retry_attempts, 2);
  EXPECT_EQ(s.target.retry_policy.maximum_event_age, sim::Seconds(3600));
  EXPECT_EQ(*s.target.dead_letter_arn, "arn:aws:sqs:us-east-1:123456789012:scheduler-dlq");
  ASSERT_TRUE(s.target.ecs_parameters.has_value());
  EXPECT_EQ(s.target.ecs_parameters->capacity_provider_strategy.at(0).capacity_provider, "FARGATE_SPOT");
  EXPECT_EQ(s.target.ecs_parameters->network_configuration["awsvpcConfiguration"]["Subnets"][0], "subnet-1");
  EXPECT_TRUE(s.target.ecs_parameters->enable_ecs_managed_tags);
}

TEST(LoadScheduleTest, ParsesRateUnitsAndAt) {
  EXPECT_EQ(ParseScheduleExpression("rate(1 minute)").rate, sim::Seconds(60));
  EXPECT_EQ(ParseScheduleExpression("rate(2 hours)").rate, sim::Seconds(7200));
  EXPECT_EQ(ParseScheduleExpression("rate(1 day)").rate, sim::Seconds(86400));
  EXPECT_EQ(ParseScheduleExpression("rate(1 minutes)").rate, sim::Seconds(60));  // accepted, see docs
  EXPECT_EQ(ParseScheduleExpression("at(2024-02-29T23:59:59)").at, (CivilTime{2024, 2, 29, 23, 59, 59}));
  EXPECT_THROW(ParseScheduleExpression("at(2023-02-29T00:00:00)"), ExpressionError);
  EXPECT_THROW(ParseScheduleExpression("at(2024-05-14T01:12:00Z)"), ExpressionError);
  EXPECT_THROW(ParseScheduleExpression("rate(0 minutes)"), ExpressionError);
  EXPECT_THROW(ParseScheduleExpression("rate(5 seconds)"), ExpressionError);
  EXPECT_THROW(ParseScheduleExpression("rate(5)"), ExpressionError);
  EXPECT_THROW(ParseScheduleExpression("every 5 minutes"), ExpressionError);
}

TEST(LoadScheduleTest, BadCronNamesTheScheduleExpressionLine) {
  auto e = ErrorOf(Input("\"ScheduleExpression\": \"cron(0 0 * * * *)\""));
  EXPECT_EQ(e.where().line, 3);
  EXPECT_EQ(e.where().key, "ScheduleExpression");
  EXPECT_NE(e.message().find("exactly one of the two must be '?'"), std::string::npos) << e.what();
}

TEST(LoadScheduleTest, FifoDeadLetterQueueIsRejectedAtItsKey) {
  auto e = ErrorOf(Input("\"ScheduleExpression\": \"rate(1 hour)\"",
                         ",\n    \"DeadLetterConfig\": {\"Arn\": \"arn:aws:sqs:us-east-1:123456789012:dlq.fifo\"}"));
  EXPECT_EQ(e.where().line, 8);
  EXPECT_EQ(e.where().key, "Target.DeadLetterConfig.Arn");
  EXPECT_NE(e.message().find("FIFO"), std::string::npos) << e.what();
}

TEST(LoadScheduleTest, MaximumRetryAttemptsAbove185IsRejected) {
  auto e = ErrorOf(
      Input("\"ScheduleExpression\": \"rate(1 hour)\"", ",\n    \"RetryPolicy\": {\"MaximumRetryAttempts\": 186}"));
  EXPECT_EQ(e.where().line, 8);
  EXPECT_EQ(e.where().key, "Target.RetryPolicy.MaximumRetryAttempts");
  EXPECT_NE(e.message().find("186 is out of range [0, 185]"), std::string::npos) << e.what();
}

TEST(LoadScheduleTest, EventAgeOutsideRangeIsRejected) {
  auto e = ErrorOf(
      Input("\"ScheduleExpression\": \"rate(1 hour)\"", ",\n    \"RetryPolicy\": {\"MaximumEventAgeInSeconds\": 59}"));
  EXPECT_EQ(e.where().key, "Target.RetryPolicy.MaximumEventAgeInSeconds");
}

TEST(LoadScheduleTest, UnknownTopLevelKeyIsAnError) {
  auto e = ErrorOf(Input("\"ScheduleExpression\": \"rate(1 hour)\"", "", "  \"Schedule\": \"x\",\n"));
  EXPECT_EQ(e.where().line, 5);
  EXPECT_EQ(e.where().key, "Schedule");
  EXPECT_NE(e.message().find("unknown key"), std::string::npos);
}

TEST(LoadScheduleTest, UnknownTimeZoneIsAnError) {
  auto e = ErrorOf(Input("\"ScheduleExpression\": \"rate(1 hour)\"", "",
                         "  \"ScheduleExpressionTimezone\": \"Europe/Atlantis\",\n"));
  EXPECT_EQ(e.where().line, 5);
  EXPECT_EQ(e.where().key, "ScheduleExpressionTimezone");
}

TEST(LoadScheduleTest, FlexibleWindowRules) {
  const std::string expr = "\"ScheduleExpression\": \"rate(1 hour)\"";
  auto text = Input(expr);
  auto flexible = [&](const std::string& ftw) {
    std::string t = text;
    t.replace(t.find("{\"Mode\": \"OFF\"}"), 15, ftw);
    return t;
  };
  Schedule s = Load(flexible("{\"Mode\": \"FLEXIBLE\", \"MaximumWindowInMinutes\": 15}"));
  EXPECT_EQ(s.flexible_mode, FlexibleMode::kFlexible);
  EXPECT_EQ(s.maximum_window_minutes, 15);
  EXPECT_EQ(ErrorOf(flexible("{\"Mode\": \"FLEXIBLE\"}")).where().key, "FlexibleTimeWindow");
  EXPECT_EQ(ErrorOf(flexible("{\"Mode\": \"FLEXIBLE\", \"MaximumWindowInMinutes\": 1441}")).where().key,
            "FlexibleTimeWindow.MaximumWindowInMinutes");
  EXPECT_EQ(ErrorOf(flexible("{\"Mode\": \"OFF\", \"MaximumWindowInMinutes\": 5}")).where().key,
            "FlexibleTimeWindow.MaximumWindowInMinutes");
  EXPECT_EQ(ErrorOf(flexible("{\"Mode\": \"SOMETIMES\"}")).where().key, "FlexibleTimeWindow.Mode");
  EXPECT_EQ(ErrorOf(flexible("{}")).where().key, "FlexibleTimeWindow");
}

TEST(LoadScheduleTest, EcsParametersAreValidated) {
  const std::string expr = "\"ScheduleExpression\": \"rate(1 hour)\"";
  EXPECT_EQ(ErrorOf(Input(expr, ",\n    \"EcsParameters\": {\"TaskCount\": 1}")).where().key, "Target.EcsParameters");
  EXPECT_EQ(
      ErrorOf(Input(expr, ",\n    \"EcsParameters\": {\"TaskDefinitionArn\": \"td\", \"TaskCount\": 11}")).where().key,
      "Target.EcsParameters.TaskCount");
  EXPECT_EQ(ErrorOf(Input(expr,
                          ",\n    \"EcsParameters\": {\"TaskDefinitionArn\": \"td\", \"LaunchType\": "
                          "\"FARGATE\", \"CapacityProviderStrategy\": [{\"capacityProvider\": \"FARGATE\"}]}"))
                .where()
                .key,
            "Target.EcsParameters.CapacityProviderStrategy");
  EXPECT_EQ(
      ErrorOf(Input(expr, ",\n    \"EcsParameters\": {\"TaskDefinitionArn\": \"td\", \"Cluster\": \"x\"}")).where().key,
      "Target.EcsParameters.Cluster");
}

TEST(LoadScheduleTest, MissingTargetAndBadDatesAreErrors) {
  EXPECT_EQ(ErrorOf("{\"Name\": \"a\", \"ScheduleExpression\": \"rate(1 hour)\", \"FlexibleTimeWindow\": {\"Mode\": "
                    "\"OFF\"}}")
                .message(),
            "missing required key 'Target'");
  auto e = ErrorOf(Input("\"ScheduleExpression\": \"rate(1 hour)\"", "",
                         "  \"StartDate\": \"2024-05-02T00:00:00Z\", \"EndDate\": \"2024-05-01T00:00:00Z\",\n"));
  EXPECT_EQ(e.where().key, "EndDate");
  EXPECT_EQ(
      ErrorOf(Input("\"ScheduleExpression\": \"rate(1 hour)\"", "", "  \"StartDate\": \"yesterday\",\n")).where().key,
      "StartDate");
  EXPECT_EQ(ErrorOf(Input("\"ScheduleExpression\": \"rate(1 hour)\"", "", "  \"GroupName\": \"a b\",\n")).where().key,
            "GroupName");
}

}  // namespace
}  // namespace fakes::scheduler
