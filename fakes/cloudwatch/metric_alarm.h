// A CloudWatch metric alarm on an AWS/SQS queue gauge, sampled each virtual
// minute, evaluated per Period, notifying SNS topics on state changes.
#ifndef ECSIM_FAKES_CLOUDWATCH_METRIC_ALARM_H_
#define ECSIM_FAKES_CLOUDWATCH_METRIC_ALARM_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/base/document.h"
#include "sim/base/event_loop.h"
#include "sim/base/input_error.h"
#include "sim/base/time.h"

namespace fakes::cloudwatch {

enum class Statistic { kSampleCount, kAverage, kSum, kMinimum, kMaximum };
enum class Comparison {
  kGreaterThanOrEqualToThreshold,
  kGreaterThanThreshold,
  kLessThanThreshold,
  kLessThanOrEqualToThreshold,
};
enum class MissingData { kMissing, kBreaching, kNotBreaching, kIgnore };
enum class AlarmState { kInsufficientData, kOk, kAlarm };

// "INSUFFICIENT_DATA", "OK", "ALARM".
std::string_view ToString(AlarmState state);
// The console name CloudWatch puts in notifications ("US East (N. Virginia)");
// the code itself for regions not in the table.
std::string RegionName(std::string_view region);

struct Dimension {
  std::string name;
  std::string value;
};

struct ActionRef {
  std::string arn;
  sim::SourceLocation where;
};

// PutMetricAlarm input, as AWS writes it.
struct AlarmSpec {
  std::string name;
  std::string description;
  bool actions_enabled = true;
  std::string metric_namespace;  // "AWS/SQS"
  std::string metric_name;
  std::vector<Dimension> dimensions;
  sim::SourceLocation dimensions_where;
  Statistic statistic = Statistic::kMaximum;
  std::string statistic_name;  // as given: "Maximum"
  sim::Duration period = sim::Seconds(60);
  int64_t evaluation_periods = 1;
  int64_t datapoints_to_alarm = 1;
  double threshold = 0;
  Comparison comparison = Comparison::kGreaterThanOrEqualToThreshold;
  std::string comparison_name;
  MissingData missing_data = MissingData::kMissing;
  std::string missing_data_name = "missing";
  std::string unit;
  std::vector<ActionRef> alarm_actions;
  std::vector<ActionRef> ok_actions;
  std::vector<ActionRef> insufficient_data_actions;
  sim::SourceLocation where;
};

// Reads PutMetricAlarm input: AlarmName, AlarmDescription, ActionsEnabled,
// OKActions, AlarmActions, InsufficientDataActions, MetricName, Namespace,
// Statistic, Dimensions, Period, Unit, EvaluationPeriods, DatapointsToAlarm,
// Threshold, ComparisonOperator, TreatMissingData, Tags. Only the AWS/SQS
// ApproximateNumberOfMessages{Visible,NotVisible,Delayed} gauges with a
// QueueName dimension and SNS topic actions are modelled; anything else
// (metric math, anomaly bands, ExtendedStatistic) is an InputError naming the key.
AlarmSpec LoadMetricAlarm(const sim::Node& put_metric_alarm_input);

// Cross-checks once topics and queues are known. Throws sim::InputError at the
// offending action ARN or dimension value.
void ValidateAlarm(const AlarmSpec& spec, const std::function<bool(const std::string& topic_arn)>& topic_exists,
                   const std::function<bool(const std::string& queue_name)>& queue_exists);

struct StateChange {
  sim::Time time{};
  AlarmState from = AlarmState::kInsufficientData;
  AlarmState to = AlarmState::kInsufficientData;
  std::string reason;
};

class MetricAlarm {
 public:
  // The gauge's current value, or nullopt if there is no data.
  using MetricGetter = std::function<std::optional<double>(const std::string& metric_namespace,
                                                           const std::string& metric_name,
                                                           const std::vector<Dimension>& dimensions)>;
  // SNS Publish with AWS parameter names (TopicArn, Subject, Message,
  // MessageStructure). Returns "" or an error code.
  using Publisher = std::function<std::string(const sim::Json& publish_params)>;
  using Sink = std::function<void(const sim::Json& event)>;

  // Starts sampling at the next whole UTC minute (epoch_ms + virtual time), as
  // SQS publishes 1-minute metrics. The alarm starts in INSUFFICIENT_DATA.
  // *loop must outlive the alarm; the pending sample is cancelled on destruction.
  MetricAlarm(sim::EventLoop& loop, int64_t epoch_ms, std::string region, std::string account, AlarmSpec spec,
              MetricGetter metric, Publisher publish, Sink sink = {});
  ~MetricAlarm();
  MetricAlarm(const MetricAlarm&) = delete;
  MetricAlarm& operator=(const MetricAlarm&) = delete;

  // The alarm stops scheduling samples once its evaluation window is full of
  // one unchanging value (so an idle simulation can end). Call this whenever
  // the watched metric may have changed (SqsService::AddChangeListener); it
  // resumes sampling, treating the quiet minutes as that same value.
  void NotifyMetricChanged();
  // Stops sampling for good (end of a run).
  void Stop();

  const AlarmSpec& spec() const { return spec_; }
  std::string Arn() const;  // arn:aws:cloudwatch:<region>:<account>:alarm:<name>
  AlarmState state() const { return state_; }
  const std::vector<StateChange>& history() const { return history_; }
  bool sampling() const { return next_sample_.has_value(); }
  // DescribeAlarms-like: AlarmName, AlarmArn, StateValue, StateReason,
  // StateUpdatedTimestamp, History.
  sim::Json Snapshot() const;

 private:
  void ScheduleNextSample();
  void OnSample();
  void Evaluate();
  void SetState(AlarmState to, std::string reason);
  void Notify(const StateChange& change);
  std::string EmailText(const StateChange& change) const;
  std::optional<double> Aggregate(const std::vector<double>& samples) const;
  bool Breaches(double value) const;
  int64_t AbsMs(sim::Time t) const { return epoch_ms_ + sim::ToMillis(t); }
  int64_t PeriodMs() const { return sim::ToMicros(spec_.period) / 1000; }

  sim::EventLoop& loop_;
  int64_t epoch_ms_;
  std::string region_;
  std::string account_;
  AlarmSpec spec_;
  MetricGetter metric_;
  Publisher publish_;
  Sink sink_;
  sim::Time created_{};

  AlarmState state_ = AlarmState::kInsufficientData;
  std::string state_reason_ = "Unchecked: Initial alarm creation";
  sim::Time state_time_{};
  std::vector<StateChange> history_;

  std::optional<sim::EventId> next_sample_;
  bool stopped_ = false;
  std::optional<double> dormant_value_;  // set while sleeping
  int64_t last_sample_abs_ms_ = 0;       // boundary of the latest sample taken (or slept through)
  std::vector<double> period_samples_;    // samples of the period in progress
  // Datapoints of completed periods, newest last: (period start, value or missing).
  std::deque<std::pair<sim::Time, std::optional<double>>> datapoints_;
};

}  // namespace fakes::cloudwatch

#endif  // ECSIM_FAKES_CLOUDWATCH_METRIC_ALARM_H_
