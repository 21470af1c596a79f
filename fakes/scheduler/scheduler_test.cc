#include "fakes/scheduler/scheduler.h"

#include <set>
#include <vector>

#include <gtest/gtest.h>

namespace fakes::scheduler {
namespace {

struct Call {
  int64_t at_ms;  // UTC
  int attempt;
  sim::Json input;
};

class FakeInvoker : public TargetInvoker {
 public:
  InvokeResult Invoke(const Schedule&, const sim::Json& input, int attempt) override {
    calls.push_back({now_ms(), attempt, input});
    return result;
  }
  std::function<int64_t()> now_ms;
  InvokeResult result;  // ok by default
  std::vector<Call> calls;
};

struct DlqMessage {
  std::string queue, body;
  std::map<std::string, std::string> attributes;
};

class FakeDlq : public DeadLetterSink {
 public:
  bool SendToDeadLetterQueue(const std::string& queue, const std::string& body,
                             const std::map<std::string, std::string>& attributes) override {
    if (!exists) return false;
    messages.push_back({queue, body, attributes});
    return true;
  }
  bool exists = true;
  std::vector<DlqMessage> messages;
};

const int64_t kEpoch = *sim::ParseIso8601Ms("2024-05-14T00:00:00Z");
const char* kDlq = "arn:aws:sqs:us-east-1:123456789012:scheduler-dlq";

int64_t Ms(const char* iso) { return *sim::ParseIso8601Ms(iso); }
std::string Iso(int64_t ms) { return sim::FormatIso8601Seconds(ms, sim::kTimeZero); }

// Builds a CreateSchedule input; `target_extra` and `top_extra` are JSON members.
Schedule Make(const std::string& expression, const std::string& top_extra = "", const std::string& target_extra = "") {
  std::string text = "{\"Name\": \"job\", \"ScheduleExpression\": \"" + expression +
                     "\", \"FlexibleTimeWindow\": {\"Mode\": \"OFF\"}" + (top_extra.empty() ? "" : ", " + top_extra) +
                     ", \"Target\": {\"Arn\": \"arn:aws:ecs:us-east-1:123456789012:cluster/batch\", \"RoleArn\": "
                     "\"arn:aws:iam::123456789012:role/r\"" +
                     (target_extra.empty() ? "" : ", " + target_extra) + "}}";
  return LoadSchedule(sim::Node::Root(sim::Document::Parse(text, "create.json", true)));
}

class SchedulerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    invoker_.now_ms = [this] { return kEpoch + sim::ToMillis(loop_.Now()); };
  }

  Scheduler& Make(uint64_t seed = 7, SchedulerTunables t = NoPrecision()) {
    scheduler_ = std::make_unique<Scheduler>(
        loop_, sim::Rng(seed), kEpoch, invoker_, dlq_, [this](const sim::Json& e) { events_.push_back(e); }, t);
    return *scheduler_;
  }
  static SchedulerTunables NoPrecision() {
    SchedulerTunables t;
    t.sixty_second_precision = false;
    return t;
  }
  void RunFor(sim::Duration d) { loop_.RunUntil(loop_.Now() + d); }
  std::vector<sim::Json> EventsOfKind(const std::string& kind) const {
    std::vector<sim::Json> out;
    for (const auto& e : events_)
      if (e["kind"] == kind) out.push_back(e);
    return out;
  }
  std::vector<std::string> CallTimes() const {
    std::vector<std::string> out;
    for (const auto& c : invoker_.calls) out.push_back(Iso(c.at_ms));
    return out;
  }

  sim::EventLoop loop_;
  FakeInvoker invoker_;
  FakeDlq dlq_;
  std::vector<sim::Json> events_;
  std::unique_ptr<Scheduler> scheduler_;
};

// Successive fire times from a start, through the pure computation.
std::vector<std::string> FireTimes(const Schedule& s, int64_t from, int n) {
  std::vector<std::string> out;
  const int64_t created = from;
  for (int i = 0; i < n; ++i) {
    auto t = Scheduler::NextFireTime(s, from, created);
    if (!t) break;
    out.push_back(Iso(*t));
    from = *t + 1;
  }
  return out;
}

TEST_F(SchedulerTest, AtScheduleFiresOnceAtItsWallClockTime) {
  Make().Add(fakes::scheduler::Make("at(2024-05-14T01:12:00)"));
  RunFor(sim::Seconds(86400));
  EXPECT_EQ(CallTimes(), std::vector<std::string>{"2024-05-14T01:12:00Z"});
  auto inv = EventsOfKind("scheduler.invocation");
  ASSERT_EQ(inv.size(), 1u);
  EXPECT_EQ(inv[0]["scheduled_time"], "2024-05-14T01:12:00Z");
  EXPECT_EQ(inv[0]["attempt"], 0);
  EXPECT_EQ(inv[0]["time"], "2024-05-14T01:12:00.000Z");
  EXPECT_TRUE(scheduler_->Has("job"));  // ActionAfterCompletion NONE keeps it
}

TEST_F(SchedulerTest, AtScheduleIsReadInItsTimeZoneAndIgnoresStartDate) {
  Make().Add(fakes::scheduler::Make("at(2024-05-14T03:12:00)",
                                    "\"ScheduleExpressionTimezone\": \"Europe/Berlin\", \"StartDate\": "
                                    "\"2024-06-01T00:00:00Z\""));
  RunFor(sim::Seconds(86400));
  EXPECT_EQ(CallTimes(), std::vector<std::string>{"2024-05-14T01:12:00Z"});
}

TEST_F(SchedulerTest, AtScheduleInThePastNeverFires) {
  RunFor(sim::Seconds(7200));
  Make().Add(fakes::scheduler::Make("at(2024-05-14T01:00:00)", "\"ActionAfterCompletion\": \"DELETE\""));
  RunFor(sim::Seconds(86400));
  EXPECT_TRUE(invoker_.calls.empty());
  EXPECT_TRUE(scheduler_->Has("job"));
}

TEST_F(SchedulerTest, RateStartsAtCreationWithoutStartDate) {
  RunFor(sim::Seconds(42));
  Make().Add(fakes::scheduler::Make("rate(5 minutes)"));
  RunFor(sim::Seconds(12 * 60));
  EXPECT_EQ(CallTimes(),
            (std::vector<std::string>{"2024-05-14T00:00:42Z", "2024-05-14T00:05:42Z", "2024-05-14T00:10:42Z"}));
}

TEST_F(SchedulerTest, RateIsAnchoredAtStartDate) {
  Make().Add(fakes::scheduler::Make("rate(1 hour)", "\"StartDate\": \"2024-05-13T22:30:00Z\""));
  RunFor(sim::Seconds(3 * 3600));
  EXPECT_EQ(CallTimes(),
            (std::vector<std::string>{"2024-05-14T00:30:00Z", "2024-05-14T01:30:00Z", "2024-05-14T02:30:00Z"}));
}

TEST(SchedulerFireTimeTest, RateDaysAre24HoursAcrossDst) {
  Schedule s = Make("rate(1 day)", "\"ScheduleExpressionTimezone\": \"Europe/Berlin\"");
  EXPECT_EQ(FireTimes(s, Ms("2024-03-30T10:00:00Z"), 3),
            (std::vector<std::string>{"2024-03-30T10:00:00Z", "2024-03-31T10:00:00Z", "2024-04-01T10:00:00Z"}));
}

TEST(SchedulerFireTimeTest, CronSkipsWallTimeMissingInSpringForward) {
  // 02:30 does not exist in Berlin on 2024-03-31.
  Schedule s = Make("cron(30 2 * * ? *)", "\"ScheduleExpressionTimezone\": \"Europe/Berlin\"");
  EXPECT_EQ(FireTimes(s, Ms("2024-03-30T00:00:00Z"), 3),
            (std::vector<std::string>{"2024-03-30T01:30:00Z", "2024-04-01T00:30:00Z", "2024-04-02T00:30:00Z"}));
}

TEST(SchedulerFireTimeTest, CronRunsRepeatedWallTimeOnlyOnceInFallBack) {
  Schedule s = Make("cron(30 2 * * ? *)", "\"ScheduleExpressionTimezone\": \"Europe/Berlin\"");
  EXPECT_EQ(FireTimes(s, Ms("2024-10-26T00:00:00Z"), 3),
            (std::vector<std::string>{"2024-10-26T00:30:00Z", "2024-10-27T00:30:00Z", "2024-10-28T01:30:00Z"}));
  Schedule hourly = Make("cron(0 * * * ? *)", "\"ScheduleExpressionTimezone\": \"Europe/Berlin\"");
  EXPECT_EQ(FireTimes(hourly, Ms("2024-10-26T21:30:00Z"), 4),
            (std::vector<std::string>{"2024-10-26T22:00:00Z", "2024-10-26T23:00:00Z", "2024-10-27T00:00:00Z",
                                      "2024-10-27T02:00:00Z"}));
}

TEST(SchedulerFireTimeTest, QuarterHourlyCronOverADstYearLosesOnlyTheSkippedHour) {
  // 2024 in Berlin: 366 days x 96 quarter hours, minus 02:00-02:45 on 31 March;
  // the repeated 02:00-02:45 on 27 October fires once.
  Schedule s = Make("cron(0/15 * * * ? *)", "\"ScheduleExpressionTimezone\": \"Europe/Berlin\", \"StartDate\": "
                                            "\"2023-12-31T23:00:00Z\", \"EndDate\": \"2024-12-31T22:59:00Z\"");
  int64_t from = Ms("2023-12-01T00:00:00Z");
  int count = 0;
  while (auto t = Scheduler::NextFireTime(s, from, from)) {
    ++count;
    from = *t + 1;
  }
  EXPECT_EQ(count, 366 * 96 - 4);
}

TEST(SchedulerFireTimeTest, CronHonoursStartAndEndDate) {
  Schedule s = Make("cron(0 12 * * ? *)",
                    "\"StartDate\": \"2024-05-20T00:00:00Z\", \"EndDate\": "
                    "\"2024-05-22T12:00:00Z\"");
  EXPECT_EQ(FireTimes(s, Ms("2024-05-14T00:00:00Z"), 10),
            (std::vector<std::string>{"2024-05-20T12:00:00Z", "2024-05-21T12:00:00Z", "2024-05-22T12:00:00Z"}));
}

TEST(SchedulerFireTimeTest, CronYearUpperBoundEndsTheSchedule) {
  Schedule s = Make("cron(0 0 L 12 ? 2198-2199)");
  EXPECT_EQ(FireTimes(s, Ms("2198-06-01T00:00:00Z"), 5),
            (std::vector<std::string>{"2198-12-31T00:00:00Z", "2199-12-31T00:00:00Z"}));
}

TEST_F(SchedulerTest, DisabledScheduleNeverFires) {
  Make().Add(fakes::scheduler::Make("rate(1 minute)", "\"State\": \"DISABLED\""));
  RunFor(sim::Seconds(3600));
  EXPECT_TRUE(invoker_.calls.empty());
}

TEST_F(SchedulerTest, DeleteCancelsFutureInvocations) {
  Make().Add(fakes::scheduler::Make("rate(10 minutes)"));
  RunFor(sim::Seconds(15 * 60));
  EXPECT_TRUE(scheduler_->Delete("job"));
  EXPECT_FALSE(scheduler_->Delete("job"));
  RunFor(sim::Seconds(3600));
  EXPECT_EQ(invoker_.calls.size(), 2u);
  auto deleted = EventsOfKind("scheduler.deleted");
  ASSERT_EQ(deleted.size(), 1u);
  EXPECT_EQ(deleted[0]["reason"], "DeleteSchedule");
  EXPECT_TRUE(loop_.Idle());
}

TEST_F(SchedulerTest, DuplicateNameInGroupIsAConflict) {
  Make().Add(fakes::scheduler::Make("rate(10 minutes)"));
  EXPECT_THROW(scheduler_->Add(fakes::scheduler::Make("rate(5 minutes)")), sim::InputError);
  scheduler_->Add(fakes::scheduler::Make("rate(5 minutes)", "\"GroupName\": \"other\""));
  EXPECT_TRUE(scheduler_->Has("job", "other"));
}

TEST_F(SchedulerTest, DeleteAfterCompletionRemovesOneTimeScheduleAfterItsInvocation) {
  Make().Add(fakes::scheduler::Make("at(2024-05-14T00:10:00)", "\"ActionAfterCompletion\": \"DELETE\""));
  RunFor(sim::Seconds(9 * 60));
  EXPECT_TRUE(scheduler_->Has("job"));
  RunFor(sim::Seconds(2 * 60));
  EXPECT_FALSE(scheduler_->Has("job"));
  auto deleted = EventsOfKind("scheduler.deleted");
  ASSERT_EQ(deleted.size(), 1u);
  EXPECT_EQ(deleted[0]["reason"], "ActionAfterCompletion");
  EXPECT_EQ(deleted[0]["time"], "2024-05-14T00:10:00.000Z");
}

TEST_F(SchedulerTest, DeleteAfterCompletionWaitsForRetriesOfTheLastInvocation) {
  invoker_.result = {false, "ThrottlingException", "Rate exceeded", true};
  Make().Add(
      fakes::scheduler::Make("at(2024-05-14T00:10:00)", "\"ActionAfterCompletion\": \"DELETE\"",
                             "\"RetryPolicy\": {\"MaximumRetryAttempts\": 2}, \"DeadLetterConfig\": {\"Arn\": \"" +
                                 std::string(kDlq) + "\"}"));
  RunFor(sim::Seconds(3600));
  ASSERT_EQ(invoker_.calls.size(), 3u);
  ASSERT_EQ(dlq_.messages.size(), 1u);
  EXPECT_FALSE(scheduler_->Has("job"));
  EXPECT_EQ(events_.back()["kind"], "scheduler.deleted");
}

TEST_F(SchedulerTest, DeleteAfterCompletionRemovesRecurringScheduleAfterLastInvocationBeforeEndDate) {
  Make().Add(fakes::scheduler::Make("rate(1 hour)",
                                    "\"ActionAfterCompletion\": \"DELETE\", \"EndDate\": "
                                    "\"2024-05-14T02:30:00Z\""));
  RunFor(sim::Seconds(86400));
  EXPECT_EQ(CallTimes(),
            (std::vector<std::string>{"2024-05-14T00:00:00Z", "2024-05-14T01:00:00Z", "2024-05-14T02:00:00Z"}));
  EXPECT_FALSE(scheduler_->Has("job"));
  auto deleted = EventsOfKind("scheduler.deleted");
  ASSERT_EQ(deleted.size(), 1u);
  EXPECT_EQ(deleted[0]["time"], "2024-05-14T02:00:00.000Z");
}

TEST_F(SchedulerTest, RecurringScheduleWithoutEndDateIsNeverAutoDeleted) {
  // The cron's last fire time in 2024 is right now; without EndDate it stays.
  Make().Add(fakes::scheduler::Make("cron(0 0 14 5 ? 2024)", "\"ActionAfterCompletion\": \"DELETE\""));
  scheduler_->Add(
      fakes::scheduler::Make("rate(1 hour)", "\"ActionAfterCompletion\": \"DELETE\", \"GroupName\": \"other\""));
  RunFor(sim::Seconds(2 * 86400));
  EXPECT_EQ(invoker_.calls.size(), 1u + 49u);
  EXPECT_FALSE(scheduler_->NextFireTimeMs("job").has_value());
  EXPECT_TRUE(scheduler_->Has("job"));
  EXPECT_TRUE(scheduler_->Has("job", "other"));
  EXPECT_TRUE(EventsOfKind("scheduler.deleted").empty());
}

TEST_F(SchedulerTest, RetriesStopAtMaximumRetryAttempts) {
  invoker_.result = {false, "ThrottlingException", "Rate exceeded", true};
  Make().Add(
      fakes::scheduler::Make("at(2024-05-14T00:01:00)", "",
                             "\"RetryPolicy\": {\"MaximumRetryAttempts\": 3}, \"DeadLetterConfig\": {\"Arn\": \"" +
                                 std::string(kDlq) + "\"}"));
  RunFor(sim::Seconds(86400));
  ASSERT_EQ(invoker_.calls.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(invoker_.calls[i].attempt, i);
  ASSERT_EQ(dlq_.messages.size(), 1u);
  const auto& a = dlq_.messages[0].attributes;
  EXPECT_EQ(a.at("EXHAUSTED_RETRY_CONDITION"), "MaximumRetryAttempts");
  EXPECT_EQ(a.at("RETRY_ATTEMPTS"), "3");
  auto errors = EventsOfKind("scheduler.target_error");
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_TRUE(errors[3]["next_attempt_at"].is_null());
  EXPECT_TRUE(errors[0]["next_attempt_at"].is_string());
  EXPECT_EQ(errors[0]["error_code"], "ThrottlingException");
  EXPECT_EQ(errors[0]["retryable"], true);
}

TEST_F(SchedulerTest, DeadLetterMessageCarriesExactlyTheNineAttributes) {
  invoker_.result = {false, "ThrottlingException", "Rate exceeded", true};
  Make().Add(fakes::scheduler::Make("at(2024-05-14T01:12:00)", "\"GroupName\": \"batch\"",
                                    "\"Input\": \"{\\\"job\\\": 1}\", \"RetryPolicy\": {\"MaximumRetryAttempts\": 0}, "
                                    "\"DeadLetterConfig\": {\"Arn\": \"" +
                                        std::string(kDlq) + "\"}"));
  RunFor(sim::Seconds(86400));
  ASSERT_EQ(dlq_.messages.size(), 1u);
  const DlqMessage& m = dlq_.messages[0];
  EXPECT_EQ(m.queue, kDlq);
  EXPECT_EQ(m.body, "{\"job\": 1}");
  std::vector<std::string> keys;
  for (const auto& [k, v] : m.attributes) keys.push_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"ERROR_CODE", "ERROR_MESSAGE", "EXECUTION_ID", "EXHAUSTED_RETRY_CONDITION",
                                            "IS_PAYLOAD_TRUNCATED", "RETRY_ATTEMPTS", "SCHEDULED_TIME", "SCHEDULE_ARN",
                                            "TARGET_ARN"}));
  EXPECT_EQ(m.attributes.at("ERROR_CODE"), "ThrottlingException");
  EXPECT_EQ(m.attributes.at("ERROR_MESSAGE"), "Rate exceeded");
  EXPECT_EQ(m.attributes.at("EXECUTION_ID").size(), 36u);
  EXPECT_EQ(m.attributes.at("IS_PAYLOAD_TRUNCATED"), "false");
  EXPECT_EQ(m.attributes.at("RETRY_ATTEMPTS"), "0");
  EXPECT_EQ(m.attributes.at("SCHEDULED_TIME"), "2024-05-14T01:12:00Z");
  EXPECT_EQ(m.attributes.at("SCHEDULE_ARN"), "arn:aws:scheduler:us-east-1:123456789012:schedule/batch/job");
  EXPECT_EQ(m.attributes.at("TARGET_ARN"), "arn:aws:ecs:us-east-1:123456789012:cluster/batch");
  auto dl = EventsOfKind("scheduler.dead_letter");
  ASSERT_EQ(dl.size(), 1u);
  EXPECT_EQ(dl[0]["queue"], kDlq);
  EXPECT_EQ(dl[0]["attributes"]["EXHAUSTED_RETRY_CONDITION"], "MaximumRetryAttempts");
}

TEST_F(SchedulerTest, RetriesStopAtMaximumEventAge) {
  invoker_.result = {false, "ServerException", "boom", true};
  SchedulerTunables t = NoPrecision();
  t.retry_base = sim::Seconds(10);
  t.retry_cap = sim::Seconds(20);
  Make(7, t).Add(fakes::scheduler::Make("at(2024-05-14T00:01:00)", "",
                                        "\"RetryPolicy\": {\"MaximumEventAgeInSeconds\": 60}, \"DeadLetterConfig\": "
                                        "{\"Arn\": \"" +
                                            std::string(kDlq) + "\"}"));
  RunFor(sim::Seconds(86400));
  ASSERT_EQ(dlq_.messages.size(), 1u);
  EXPECT_EQ(dlq_.messages[0].attributes.at("EXHAUSTED_RETRY_CONDITION"), "MaximumEventAgeInSeconds");
  ASSERT_GE(invoker_.calls.size(), 3u);  // delays are at most 20 s, so at least 3 fit into 60 s
  EXPECT_LT(invoker_.calls.size(), 186u);
  EXPECT_EQ(dlq_.messages[0].attributes.at("RETRY_ATTEMPTS"), std::to_string(invoker_.calls.size() - 1));
  for (const auto& c : invoker_.calls) EXPECT_LE(c.at_ms - invoker_.calls[0].at_ms, 60000);
}

TEST_F(SchedulerTest, BackoffIsFullJitterUnderTheDoublingCeiling) {
  invoker_.result = {false, "ServerException", "boom", true};
  SchedulerTunables t = NoPrecision();
  t.retry_base = sim::Seconds(2);
  t.retry_cap = sim::Seconds(30);
  Make(11, t).Add(
      fakes::scheduler::Make("at(2024-05-14T00:01:00)", "", "\"RetryPolicy\": {\"MaximumRetryAttempts\": 40}"));
  RunFor(sim::Seconds(86400));
  ASSERT_EQ(invoker_.calls.size(), 41u);
  int64_t widest = 0;
  for (size_t i = 1; i < invoker_.calls.size(); ++i) {
    int64_t delay = invoker_.calls[i].at_ms - invoker_.calls[i - 1].at_ms;
    int64_t ceiling = std::min<int64_t>(30000, 2000LL << std::min<size_t>(i - 1, 20));
    EXPECT_GE(delay, 0);
    EXPECT_LE(delay, ceiling) << "retry " << i;
    widest = std::max(widest, delay);
  }
  EXPECT_GT(widest, 8000);  // the ceiling really grows beyond the base
  // No DLQ configured: the event is dropped and recorded.
  auto dropped = EventsOfKind("scheduler.dropped");
  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_EQ(dropped[0]["reason"], "NoDeadLetterQueue");
}

TEST_F(SchedulerTest, PermanentErrorGoesToDlqImmediatelyWithoutExhaustedCondition) {
  invoker_.result = {false, "InvalidParameterException", "TaskDefinition is inactive", false};
  Make().Add(fakes::scheduler::Make("at(2024-05-14T00:01:00)", "",
                                    "\"DeadLetterConfig\": {\"Arn\": \"" + std::string(kDlq) + "\"}"));
  RunFor(sim::Seconds(86400));
  ASSERT_EQ(invoker_.calls.size(), 1u);
  ASSERT_EQ(dlq_.messages.size(), 1u);
  const auto& a = dlq_.messages[0].attributes;
  EXPECT_EQ(a.count("EXHAUSTED_RETRY_CONDITION"), 0u);
  EXPECT_EQ(a.size(), 8u);
  EXPECT_EQ(a.at("RETRY_ATTEMPTS"), "0");
  EXPECT_EQ(a.at("ERROR_CODE"), "InvalidParameterException");
  EXPECT_EQ(dlq_.messages[0].body, "{}");
  auto errors = EventsOfKind("scheduler.target_error");
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0]["retryable"], false);
}

TEST_F(SchedulerTest, MissingDeadLetterQueueDropsTheEvent) {
  invoker_.result = {false, "InvalidParameterException", "x", false};
  dlq_.exists = false;
  Make().Add(fakes::scheduler::Make("at(2024-05-14T00:01:00)", "",
                                    "\"DeadLetterConfig\": {\"Arn\": \"" + std::string(kDlq) + "\"}"));
  RunFor(sim::Seconds(3600));
  auto dropped = EventsOfKind("scheduler.dropped");
  ASSERT_EQ(dropped.size(), 1u);
  EXPECT_EQ(dropped[0]["reason"], "DeadLetterQueueNotFound");
  EXPECT_EQ(dropped[0]["queue"], kDlq);
  EXPECT_TRUE(EventsOfKind("scheduler.dead_letter").empty());
}

TEST_F(SchedulerTest, ContextAttributesAreSubstitutedIntoTheInput) {
  Make().Add(
      fakes::scheduler::Make("at(2024-05-14T00:01:00)", "",
                             "\"Input\": \"{\\\"arn\\\": \\\"<aws.scheduler.schedule-arn>\\\", \\\"at\\\": "
                             "\\\"<aws.scheduler.scheduled-time>\\\", \\\"n\\\": <aws.scheduler.attempt-number>}\""));
  RunFor(sim::Seconds(3600));
  ASSERT_EQ(invoker_.calls.size(), 1u);
  const sim::Json& in = invoker_.calls[0].input;
  EXPECT_EQ(in["arn"], "arn:aws:scheduler:us-east-1:123456789012:schedule/default/job");
  EXPECT_EQ(in["at"], "2024-05-14T00:01:00Z");
  EXPECT_EQ(in["n"], 1);
}

TEST_F(SchedulerTest, SixtySecondPrecisionAndFlexibleWindowStayInTheirBounds) {
  SchedulerTunables t;  // precision on
  Make(3, t).Add(fakes::scheduler::Make("rate(1 hour)", ""));
  scheduler_->Add(LoadSchedule(sim::Node::Root(sim::Document::Parse(
      "{\"Name\": \"flex\", \"ScheduleExpression\": \"rate(1 hour)\", \"FlexibleTimeWindow\": {\"Mode\": "
      "\"FLEXIBLE\", \"MaximumWindowInMinutes\": 15}, \"Target\": {\"Arn\": \"a\", \"RoleArn\": \"r\"}}",
      "x.json", true))));
  RunFor(sim::Seconds(100 * 3600));
  std::set<int64_t> precise, flexible;
  for (const auto& e : EventsOfKind("scheduler.invocation")) {
    int64_t offset = *sim::ParseIso8601Ms(e["time"].get<std::string>()) -
                     *sim::ParseIso8601Ms(e["scheduled_time"].get<std::string>());
    ASSERT_GE(offset, 0);
    if (e["schedule"] == "job") {
      EXPECT_LT(offset, 60000);
      precise.insert(offset);
    } else {
      EXPECT_LT(offset, 15 * 60000);
      flexible.insert(offset);
    }
  }
  EXPECT_GT(precise.size(), 10u);  // really spread, not a constant
  EXPECT_GT(flexible.size(), 10u);
  EXPECT_GT(*flexible.rbegin(), 60000);  // the window reaches beyond the first minute
}

TEST_F(SchedulerTest, DisablingStopsFiresAndEnablingResumesFromNow) {
  Make().Add(fakes::scheduler::Make("rate(10 minutes)"));
  RunFor(sim::Seconds(5 * 60));
  EXPECT_TRUE(scheduler_->SetEnabled("job", false));
  EXPECT_FALSE(scheduler_->NextFireTimeMs("job").has_value());
  RunFor(sim::Seconds(3600));
  EXPECT_EQ(invoker_.calls.size(), 1u);
  EXPECT_TRUE(scheduler_->SetEnabled("job", true));
  RunFor(sim::Seconds(25 * 60));
  // Rate periods stay anchored at creation (00:00): 01:10, 01:20 after re-enabling at 01:05.
  EXPECT_EQ(CallTimes(), (std::vector<std::string>{"2024-05-14T00:00:00Z", "2024-05-14T01:10:00Z",
                                                   "2024-05-14T01:20:00Z", "2024-05-14T01:30:00Z"}));
  EXPECT_FALSE(scheduler_->SetEnabled("nope", true));
}

TEST_F(SchedulerTest, TargetMayDeleteItsOwnScheduleDuringInvoke) {
  class DeletingInvoker : public TargetInvoker {
   public:
    InvokeResult Invoke(const Schedule& s, const sim::Json&, int) override {
      ++calls;
      scheduler->Delete(s.name, s.group_name);
      return {false, "ServerException", "gone", true};
    }
    Scheduler* scheduler = nullptr;
    int calls = 0;
  } deleting;
  std::vector<sim::Json> events;
  Scheduler s(
      loop_, sim::Rng(1), kEpoch, deleting, dlq_, [&](const sim::Json& e) { events.push_back(e); }, NoPrecision());
  deleting.scheduler = &s;
  s.Add(fakes::scheduler::Make("rate(1 minute)", "", "\"DeadLetterConfig\": {\"Arn\": \"" + std::string(kDlq) + "\"}"));
  RunFor(sim::Seconds(3600));
  EXPECT_EQ(deleting.calls, 1);
  EXPECT_FALSE(s.Has("job"));
  EXPECT_TRUE(dlq_.messages.empty());
  EXPECT_EQ(events.back()["kind"], "scheduler.deleted");
  EXPECT_TRUE(loop_.Idle());
}

TEST_F(SchedulerTest, DestroyingTheSchedulerCancelsItsEvents) {
  Make().Add(fakes::scheduler::Make("rate(1 minute)"));
  RunFor(sim::Seconds(90));
  scheduler_.reset();
  EXPECT_TRUE(loop_.Idle());
  RunFor(sim::Seconds(3600));
  EXPECT_EQ(invoker_.calls.size(), 2u);
}

TEST_F(SchedulerTest, RetriesOfOneInvocationShareItsExecutionId) {
  invoker_.result = {false, "ThrottlingException", "Rate exceeded", true};
  Make(5, SchedulerTunables{})
      .Add(fakes::scheduler::Make("rate(1 hour)", "", "\"RetryPolicy\": {\"MaximumRetryAttempts\": 2}"));
  RunFor(sim::Seconds(90 * 60));
  auto inv = EventsOfKind("scheduler.invocation");
  ASSERT_EQ(inv.size(), 6u);
  EXPECT_EQ(inv[0]["execution_id"], inv[1]["execution_id"]);
  EXPECT_EQ(inv[0]["execution_id"], inv[2]["execution_id"]);
  EXPECT_NE(inv[0]["execution_id"], inv[3]["execution_id"]);
  EXPECT_EQ(inv[3]["scheduled_time"], "2024-05-14T01:00:00Z");
}

std::vector<sim::Json> RunSeeded(uint64_t seed) {
  sim::EventLoop loop;
  FakeInvoker invoker;
  invoker.now_ms = [&] { return kEpoch + sim::ToMillis(loop.Now()); };
  invoker.result = {false, "ThrottlingException", "Rate exceeded", true};
  FakeDlq dlq;
  std::vector<sim::Json> events;
  Scheduler s(loop, sim::Rng(seed), kEpoch, invoker, dlq, [&](const sim::Json& e) { events.push_back(e); });
  s.Add(Make("cron(0/20 * * * ? *)", "",
             "\"RetryPolicy\": {\"MaximumRetryAttempts\": 4}, \"DeadLetterConfig\": {\"Arn\": \"" + std::string(kDlq) +
                 "\"}"));
  loop.RunUntil(sim::kTimeZero + sim::Seconds(3 * 3600));
  return events;
}

TEST(SchedulerDeterminismTest, SameSeedGivesSameTimesAndIds) {
  auto a = RunSeeded(42);
  auto b = RunSeeded(42);
  ASSERT_GT(a.size(), 20u);
  EXPECT_EQ(sim::Json(a).dump(), sim::Json(b).dump());
  EXPECT_NE(sim::Json(a).dump(), sim::Json(RunSeeded(43)).dump());
}

TEST_F(SchedulerTest, EventKeysComeInAStableOrder) {
  invoker_.result = {false, "ThrottlingException", "Rate exceeded", false};
  Make().Add(fakes::scheduler::Make("at(2024-05-14T00:01:00)", "",
                                    "\"DeadLetterConfig\": {\"Arn\": \"" + std::string(kDlq) + "\"}"));
  RunFor(sim::Seconds(3600));
  ASSERT_EQ(events_.size(), 3u);
  EXPECT_EQ(events_[0].dump().substr(0, 60), "{\"kind\":\"scheduler.invocation\",\"time\":\"2024-05-14T00:01:00.0");
  std::vector<std::string> keys;
  for (auto it = events_[1].begin(); it != events_[1].end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"kind", "time", "schedule", "attempt", "error_code", "error_message",
                                            "retryable", "next_attempt_at"}));
  EXPECT_EQ(events_[2]["kind"], "scheduler.dead_letter");
}

}  // namespace
}  // namespace fakes::scheduler
