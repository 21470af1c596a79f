#include "fakes/cloudwatch/metric_alarm.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include "sim/base/testing/input_error.h"

#include "fakes/sns/sns_service.h"
#include "fakes/sqs/sqs_service.h"
#include "sim/base/event_loop.h"

namespace fakes::cloudwatch {
namespace {

constexpr int64_t kEpochMs = 1715648400000;  // 2024-05-14T01:00:00Z
constexpr char kTopic[] = "arn:aws:sns:us-east-1:123456789012:alerts";

std::shared_ptr<const sim::Document> Doc(const std::string& yaml, const std::string& file = "alarm.yaml") {
  return sim::Document::Parse(yaml, file, false);
}

std::string AlarmYaml(const std::string& extra = "") {
  return fmt::format(
      "AlarmName: dlq-not-empty\n"
      "Namespace: AWS/SQS\n"
      "MetricName: ApproximateNumberOfMessagesVisible\n"
      "Dimensions:\n"
      "  - Name: QueueName\n"
      "    Value: dlq\n"
      "Statistic: Maximum\n"
      "Period: 60\n"
      "EvaluationPeriods: 1\n"
      "Threshold: 1\n"
      "ComparisonOperator: GreaterThanOrEqualToThreshold\n"
      "AlarmActions: [\"{}\"]\n"
      "{}",
      kTopic, extra);
}

AlarmSpec Load(const std::string& yaml) { return LoadMetricAlarm(sim::Node::Root(Doc(yaml))); }

template <typename Fn>
sim::InputError ErrorOf(Fn fn) {
  return sim::testing::CaptureInputError(fn);
}

TEST(AlarmSpecTest, ReadsPutMetricAlarmInput) {
  AlarmSpec s = Load(AlarmYaml("DatapointsToAlarm: 1\nTreatMissingData: notBreaching\n"));
  EXPECT_EQ(s.name, "dlq-not-empty");
  EXPECT_EQ(s.dimensions.at(0).value, "dlq");
  EXPECT_EQ(s.statistic, Statistic::kMaximum);
  EXPECT_EQ(s.period, sim::Seconds(60));
  EXPECT_EQ(s.threshold, 1.0);
  EXPECT_EQ(s.missing_data, MissingData::kNotBreaching);
  ASSERT_EQ(s.alarm_actions.size(), 1u);
  EXPECT_EQ(s.alarm_actions[0].where.line, 12);
}

TEST(AlarmSpecTest, ErrorsNameLineAndKey) {
  auto e = ErrorOf([] {
    std::string y = AlarmYaml();
    y.replace(y.find("Period: 60"), 10, "Period: 90");
    Load(y);
  });
  EXPECT_EQ(e.where().line, 8);
  EXPECT_EQ(e.where().key, "Period");
  e = ErrorOf([] { Load(AlarmYaml("DatapointsToAlarm: 2\n")); });
  EXPECT_EQ(e.where().line, 13);
  EXPECT_EQ(e.where().key, "DatapointsToAlarm");
  e = ErrorOf([] {
    std::string y = AlarmYaml();
    y.replace(y.find("GreaterThanOrEqualToThreshold"), 29, "GreaterThanUpperThreshold");
    Load(y);
  });
  EXPECT_EQ(e.where().line, 11);
  e = ErrorOf([] { Load(AlarmYaml("OKActions: [\"arn:aws:automate:us-east-1:ec2:stop\"]\n")); });
  EXPECT_EQ(e.where().key, "OKActions[0]");
  e = ErrorOf([] { Load(AlarmYaml("Metrics: []\n")); });
  EXPECT_EQ(e.where().key, "Metrics");
  EXPECT_THROW(Load(AlarmYaml("TreatMissingData: sometimes\n")), sim::InputError);
}

TEST(AlarmSpecTest, ValidateNamesMissingTopicAndQueue) {
  AlarmSpec s = Load(AlarmYaml());
  auto e = ErrorOf([&] { ValidateAlarm(s, [](const std::string&) { return false; }, [](auto&) { return true; }); });
  EXPECT_EQ(e.where().line, 12);
  EXPECT_EQ(e.where().key, "AlarmActions[0]");
  e = ErrorOf([&] { ValidateAlarm(s, [](const std::string&) { return true; }, [](auto&) { return false; }); });
  EXPECT_EQ(e.where().line, 6);
  EXPECT_EQ(e.where().key, "Dimensions[0].Value");
  EXPECT_NO_THROW(ValidateAlarm(s, [](auto&) { return true; }, [](auto&) { return true; }));
}

// The alarm against a hand-driven metric and a recording publisher.
class AlarmTest : public ::testing::Test {
 protected:
  std::unique_ptr<MetricAlarm> Make(const std::string& extra) {
    return std::make_unique<MetricAlarm>(
        loop_, kEpochMs, "us-east-1", "123456789012", Load(AlarmYaml(extra)),
        [this](const std::string&, const std::string&, const std::vector<Dimension>&) { return value_; },
        [this](const sim::Json& p) {
          published_.push_back(p);
          return std::string();
        });
  }
  void RunMinutes(int m) { loop_.RunUntil(sim::kTimeZero + sim::Seconds(60 * m)); }
  // Changes the gauge and tells the alarm, as the SQS change listener does.
  void Set(MetricAlarm& alarm, std::optional<double> v) {
    value_ = v;
    alarm.NotifyMetricChanged();
  }

  sim::EventLoop loop_;
  std::optional<double> value_ = 0.0;
  std::vector<sim::Json> published_;
};

TEST_F(AlarmTest, StartsInsufficientThenOkThenAlarm) {
  auto alarm = Make("");
  EXPECT_EQ(alarm->state(), AlarmState::kInsufficientData);
  RunMinutes(1);
  EXPECT_EQ(alarm->state(), AlarmState::kOk);
  Set(*alarm, 2);
  RunMinutes(2);
  EXPECT_EQ(alarm->state(), AlarmState::kAlarm);
  ASSERT_EQ(published_.size(), 1u);
  EXPECT_EQ(published_[0]["Subject"], "ALARM: \"dlq-not-empty\" in US East (N. Virginia)");
  EXPECT_EQ(published_[0]["TopicArn"], kTopic);
  EXPECT_EQ(published_[0]["MessageStructure"], "json");
  sim::Json per_protocol = sim::Json::parse(published_[0]["Message"].get<std::string>());
  sim::Json n = sim::Json::parse(per_protocol["default"].get<std::string>());
  EXPECT_EQ(n["AlarmName"], "dlq-not-empty");
  EXPECT_EQ(n["NewStateValue"], "ALARM");
  EXPECT_EQ(n["OldStateValue"], "OK");
  EXPECT_EQ(n["StateChangeTime"], "2024-05-14T01:02:00.000+0000");
  EXPECT_EQ(n["Region"], "US East (N. Virginia)");
  EXPECT_EQ(n["AlarmArn"], "arn:aws:cloudwatch:us-east-1:123456789012:alarm:dlq-not-empty");
  EXPECT_EQ(n["Trigger"]["MetricName"], "ApproximateNumberOfMessagesVisible");
  EXPECT_EQ(n["Trigger"]["Statistic"], "MAXIMUM");
  EXPECT_EQ(n["Trigger"]["Threshold"], 1.0);
  EXPECT_EQ(n["Trigger"]["Dimensions"][0]["value"], "dlq");
  EXPECT_EQ(n["NewStateReason"],
            "Threshold Crossed: 1 out of the last 1 datapoint [2.0 (14/05/24 01:01:00)] was greater than or equal "
            "to the threshold (1.0) (minimum 1 datapoint for OK -> ALARM transition).");
  EXPECT_NE(per_protocol["email"].get<std::string>().find("has entered the ALARM state"), std::string::npos);
}

TEST_F(AlarmTest, DatapointsToAlarmNeedsMOutOfN) {
  AlarmSpec s = Load(AlarmYaml());
  s.evaluation_periods = 3;
  s.datapoints_to_alarm = 2;
  MetricAlarm m(loop_, kEpochMs, "us-east-1", "123456789012", s,
                [this](auto&, auto&, auto&) { return value_; }, [](const sim::Json&) { return std::string(); });
  Set(m, 5);
  RunMinutes(1);
  EXPECT_NE(m.state(), AlarmState::kAlarm);  // 1 of 3
  Set(m, 0);
  RunMinutes(2);
  EXPECT_NE(m.state(), AlarmState::kAlarm);  // still 1 of 3
  Set(m, 5);
  RunMinutes(3);
  EXPECT_EQ(m.state(), AlarmState::kAlarm);  // 2 of 3
}

TEST_F(AlarmTest, PeriodAggregatesMinuteSamplesWithTheStatistic) {
  std::string y = AlarmYaml();
  y.replace(y.find("Period: 60"), 10, "Period: 180");
  y.replace(y.find("Statistic: Maximum"), 18, "Statistic: Sum");
  y.replace(y.find("Threshold: 1"), 12, "Threshold: 6");
  AlarmSpec s = Load(y);
  MetricAlarm m(loop_, kEpochMs, "us-east-1", "123456789012", s, [this](auto&, auto&, auto&) { return value_; },
                [](const sim::Json&) { return std::string(); });
  value_ = 2;  // three samples of 2 => Sum 6 at the end of the 3-minute period
  RunMinutes(2);
  EXPECT_EQ(m.state(), AlarmState::kInsufficientData);
  RunMinutes(3);
  EXPECT_EQ(m.state(), AlarmState::kAlarm);
}

TEST_F(AlarmTest, MissingDataWithDefaultTreatmentIsInsufficient) {
  auto alarm = Make("OKActions: [\"arn:aws:sns:us-east-1:123456789012:alerts\"]\n");
  RunMinutes(1);
  EXPECT_EQ(alarm->state(), AlarmState::kOk);
  ASSERT_EQ(published_.size(), 1u);  // AWS fires OK actions on INSUFFICIENT_DATA -> OK too
  EXPECT_EQ(published_[0]["Subject"], "OK: \"dlq-not-empty\" in US East (N. Virginia)");
  Set(*alarm, std::nullopt);
  RunMinutes(2);
  EXPECT_EQ(alarm->state(), AlarmState::kInsufficientData);
}

TEST_F(AlarmTest, SleepsWhenSteadyAndWakesOnChange) {
  auto alarm = Make("");
  RunMinutes(1);
  EXPECT_FALSE(alarm->sampling());
  EXPECT_TRUE(loop_.Idle());  // nothing keeps the simulation running
  loop_.RunUntil(sim::kTimeZero + sim::Seconds(600) + sim::Seconds(30));
  value_ = 3;
  alarm->NotifyMetricChanged();
  EXPECT_TRUE(alarm->sampling());
  RunMinutes(10);
  EXPECT_EQ(alarm->state(), AlarmState::kOk);
  RunMinutes(11);
  EXPECT_EQ(alarm->state(), AlarmState::kAlarm);
  EXPECT_EQ(alarm->history().back().time, sim::kTimeZero + sim::Seconds(660));
  alarm->Stop();
  EXPECT_TRUE(loop_.Idle());
}

TEST(AlarmPipelineTest, DlqMessageFiresAlarmOnceAndSendsExactlyOneEmail) {
  sim::EventLoop loop;
  sim::Rng rng(2024);
  sqs::SqsService sqs(loop, rng.Fork("sqs"), kEpochMs, "us-east-1", "123456789012");
  sns::SnsService sns(loop, rng.Fork("sns"), kEpochMs, "us-east-1", "123456789012", sqs);
  std::vector<sim::Json> events;
  auto sink = [&](const sim::Json& e) { events.push_back(e); };
  sqs.set_sink(sink);
  sns.set_sink(sink);

  sqs.CreateQueue(sqs::LoadQueue(sim::Node::Root(Doc("QueueName: dlq\n"))));
  sqs.CreateQueue(sqs::LoadQueue(sim::Node::Root(Doc(
      "QueueName: jobs\nAttributes:\n  VisibilityTimeout: 30\n"
      "  RedrivePolicy: '{\"deadLetterTargetArn\":\"arn:aws:sqs:us-east-1:123456789012:dlq\",\"maxReceiveCount\":\"1\"}'\n"))));
  sqs.Validate();
  sns.CreateTopic(sns::LoadTopic(sim::Node::Root(Doc("Name: alerts\n"))));
  sns.Subscribe(sns::LoadSubscription(sim::Node::Root(
      Doc(fmt::format("TopicArn: {}\nProtocol: email\nEndpoint: ops@example.com\n", kTopic)))));

  AlarmSpec spec = Load(AlarmYaml());
  ValidateAlarm(spec, [&](const std::string& t) { return sns.HasTopic(t); },
                [&](const std::string& q) { return sqs.HasQueue(q); });
  MetricAlarm alarm(
      loop, kEpochMs, "us-east-1", "123456789012", spec,
      [&](const std::string&, const std::string& metric, const std::vector<Dimension>& dims) {
        return sqs.GetMetric(dims.at(0).value, metric);
      },
      [&](const sim::Json& params) {
        sim::Json out;
        return sns.PublishApi(params, out);
      },
      sink);
  sqs.AddChangeListener([&](const std::string& q) {
    if (q == "dlq") alarm.NotifyMetricChanged();
  });

  // A consumer that never deletes: received once, then redriven on the next receive.
  sqs.SendMessage("jobs", "item 42");
  sqs::ReceiveMessageRequest r;
  r.queue = "jobs";
  sqs.ReceiveMessage(r, [](auto) {});
  loop.At(sim::kTimeZero + sim::Seconds(200), [&] { sqs.ReceiveMessage(r, [](auto) {}); });
  loop.RunUntil(sim::kTimeZero + sim::Seconds(3600));

  ASSERT_EQ(sqs.Counters("jobs")->moved_to_dlq, 1);
  EXPECT_EQ(alarm.state(), AlarmState::kAlarm);
  int alarm_transitions = 0;
  for (const auto& c : alarm.history()) alarm_transitions += c.to == AlarmState::kAlarm;
  EXPECT_EQ(alarm_transitions, 1);
  EXPECT_EQ(alarm.history().back().time, sim::kTimeZero + sim::Seconds(240));  // minute after the move at 200 s
  ASSERT_EQ(sns.outbox().size(), 1u);
  const sns::EmailMessage& mail = sns.outbox()[0];
  EXPECT_EQ(mail.to, "ops@example.com");
  EXPECT_EQ(mail.subject, "ALARM: \"dlq-not-empty\" in US East (N. Virginia)");
  EXPECT_EQ(mail.body.rfind("You are receiving this email because your Amazon CloudWatch Alarm \"dlq-not-empty\"", 0),
            0u);
  std::string text = sns::RenderEmail(mail);
  EXPECT_NE(text.find("Date: Tue, 14 May 2024 01:04:00 +0000\r\n"), std::string::npos);
  EXPECT_FALSE(alarm.sampling());  // steady in ALARM: asleep
}

}  // namespace
}  // namespace fakes::cloudwatch
