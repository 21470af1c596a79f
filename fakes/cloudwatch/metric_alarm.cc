#include "fakes/cloudwatch/metric_alarm.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <utility>

#include <fmt/format.h>

namespace fakes::cloudwatch {
namespace {

constexpr int64_t kMinuteMs = 60000;
constexpr size_t kMaxSubjectChars = 100;  // SNS's limit

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}

// 1 -> "1.0", 2.5 -> "2.5": how CloudWatch prints datapoints and thresholds.
std::string Num(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) return fmt::format("{:.1f}", v);
  return fmt::format("{}", v);
}

struct Civil {
  int year;
  unsigned month, day, weekday;
  int64_t hour, minute, second;
};

Civil ToCivil(int64_t epoch_ms) {
  using namespace std::chrono;
  sys_time<milliseconds> tp{milliseconds(epoch_ms)};
  sys_days day = floor<days>(tp);
  year_month_day ymd{day};
  hh_mm_ss<milliseconds> hms{tp - day};
  return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
          weekday{day}.c_encoding(), hms.hours().count(), hms.minutes().count(), hms.seconds().count()};
}

// "2024-05-14T01:13:00.000+0000", CloudWatch's notification time format.
std::string CwTime(int64_t epoch_ms) {
  Civil c = ToCivil(epoch_ms);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}+0000", c.year, c.month, c.day, c.hour, c.minute,
                     c.second, ((epoch_ms % 1000) + 1000) % 1000);
}

// "14/05/24 01:12:00", as datapoints appear in NewStateReason.
std::string ReasonTime(int64_t epoch_ms) {
  Civil c = ToCivil(epoch_ms);
  return fmt::format("{:02}/{:02}/{:02} {:02}:{:02}:{:02}", c.day, c.month, c.year % 100, c.hour, c.minute, c.second);
}

// "Tuesday 14 May, 2024 01:13:00 UTC", as in the alarm email.
std::string EmailTime(int64_t epoch_ms) {
  static constexpr const char* kDays[] = {"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday",
                                          "Saturday"};
  static constexpr const char* kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                                            "July",    "August",   "September", "October", "November", "December"};
  Civil c = ToCivil(epoch_ms);
  return fmt::format("{} {} {}, {} {:02}:{:02}:{:02} UTC", kDays[c.weekday], c.day, kMonths[c.month - 1], c.year,
                     c.hour, c.minute, c.second);
}

std::string Phrase(Comparison c) {
  switch (c) {
    case Comparison::kGreaterThanOrEqualToThreshold: return "greater than or equal to";
    case Comparison::kGreaterThanThreshold: return "greater than";
    case Comparison::kLessThanThreshold: return "less than";
    case Comparison::kLessThanOrEqualToThreshold: return "less than or equal to";
  }
  return "";
}

std::vector<ActionRef> LoadActions(const sim::Node& input, std::string_view key) {
  std::vector<ActionRef> out;
  auto list = input.Get(key);
  if (!list) return out;
  list->ExpectArray();
  for (size_t i = 0; i < list->Size(); ++i) {
    sim::Node a = list->At(i);
    std::string arn = a.AsString();
    if (arn.rfind("arn:aws:sns:", 0) != 0)
      a.Fail(fmt::format("'{}': only SNS topic actions are modelled (arn:aws:sns:<region>:<account>:<topic>)", arn));
    out.push_back({arn, a.Where()});
  }
  return out;
}

sim::Json ActionList(const std::vector<ActionRef>& actions) {
  sim::Json a = sim::Json::array();
  for (const auto& x : actions) a.push_back(x.arn);
  return a;
}

}  // namespace

std::string_view ToString(AlarmState state) {
  switch (state) {
    case AlarmState::kInsufficientData: return "INSUFFICIENT_DATA";
    case AlarmState::kOk: return "OK";
    case AlarmState::kAlarm: return "ALARM";
  }
  return "";
}

std::string RegionName(std::string_view region) {
  static const std::map<std::string, std::string, std::less<>> kNames = {
      {"us-east-1", "US East (N. Virginia)"},     {"us-east-2", "US East (Ohio)"},
      {"us-west-1", "US West (N. California)"},   {"us-west-2", "US West (Oregon)"},
      {"ca-central-1", "Canada (Central)"},       {"sa-east-1", "South America (Sao Paulo)"},
      {"eu-west-1", "EU (Ireland)"},              {"eu-west-2", "EU (London)"},
      {"eu-west-3", "EU (Paris)"},                {"eu-central-1", "EU (Frankfurt)"},
      {"eu-north-1", "EU (Stockholm)"},           {"ap-south-1", "Asia Pacific (Mumbai)"},
      {"ap-northeast-1", "Asia Pacific (Tokyo)"}, {"ap-northeast-2", "Asia Pacific (Seoul)"},
      {"ap-southeast-1", "Asia Pacific (Singapore)"}, {"ap-southeast-2", "Asia Pacific (Sydney)"},
  };
  auto it = kNames.find(region);
  return it == kNames.end() ? std::string(region) : it->second;
}

AlarmSpec LoadMetricAlarm(const sim::Node& input) {
  input.AllowOnly({"AlarmName", "AlarmDescription", "ActionsEnabled", "OKActions", "AlarmActions",
                   "InsufficientDataActions", "MetricName", "Namespace", "Statistic", "ExtendedStatistic",
                   "Dimensions", "Period", "Unit", "EvaluationPeriods", "DatapointsToAlarm", "Threshold",
                   "ComparisonOperator", "TreatMissingData", "EvaluateLowSampleCountPercentile", "Metrics", "Tags",
                   "ThresholdMetricId"});
  for (const char* unmodelled : {"ExtendedStatistic", "Metrics", "ThresholdMetricId"}) {
    if (auto n = input.Get(unmodelled)) n->Fail("not modelled by ecsim (use Statistic on a single metric)");
  }
  AlarmSpec spec;
  spec.where = input.Where();
  sim::Node name = input.Require("AlarmName");
  spec.name = name.AsString();
  if (spec.name.empty() || spec.name.size() > 255) name.Fail("AlarmName must be 1 to 255 characters");
  spec.description = input.GetString("AlarmDescription", "");
  spec.actions_enabled = input.GetBool("ActionsEnabled", true);

  sim::Node ns = input.Require("Namespace");
  spec.metric_namespace = ns.AsString();
  if (spec.metric_namespace != "AWS/SQS") ns.Fail(fmt::format("namespace '{}' is not modelled (AWS/SQS)", spec.metric_namespace));
  sim::Node metric = input.Require("MetricName");
  spec.metric_name = metric.AsString();
  if (spec.metric_name != "ApproximateNumberOfMessagesVisible" &&
      spec.metric_name != "ApproximateNumberOfMessagesNotVisible" &&
      spec.metric_name != "ApproximateNumberOfMessagesDelayed")
    metric.Fail(fmt::format("metric '{}' is not modelled (ApproximateNumberOfMessagesVisible, "
                            "ApproximateNumberOfMessagesNotVisible, ApproximateNumberOfMessagesDelayed)",
                            spec.metric_name));

  sim::Node dims = input.Require("Dimensions");
  dims.ExpectArray();
  spec.dimensions_where = dims.Where();
  for (size_t i = 0; i < dims.Size(); ++i) {
    sim::Node d = dims.At(i);
    d.AllowOnly({"Name", "Value"});
    spec.dimensions.push_back({d.Require("Name").AsString(), d.Require("Value").AsString()});
    spec.dimensions_where = d.Require("Value").Where();
  }
  if (spec.dimensions.size() != 1 || spec.dimensions[0].name != "QueueName")
    dims.Fail("AWS/SQS metrics take exactly one dimension: [{Name: QueueName, Value: <queue name>}]");

  sim::Node stat = input.Require("Statistic");
  spec.statistic_name = stat.AsString();
  static const std::map<std::string, Statistic> kStats = {{"SampleCount", Statistic::kSampleCount},
                                                          {"Average", Statistic::kAverage},
                                                          {"Sum", Statistic::kSum},
                                                          {"Minimum", Statistic::kMinimum},
                                                          {"Maximum", Statistic::kMaximum}};
  auto s = kStats.find(spec.statistic_name);
  if (s == kStats.end())
    stat.Fail(fmt::format("'{}' is not a statistic (SampleCount, Average, Sum, Minimum, Maximum)", spec.statistic_name));
  spec.statistic = s->second;

  sim::Node period = input.Require("Period");
  int64_t period_s = period.AsInt();
  if (period_s < 60 || period_s % 60 != 0)
    period.Fail(fmt::format("{} is not a multiple of 60 seconds (SQS publishes 1-minute metrics)", period_s));
  spec.period = sim::Seconds(period_s);
  sim::Node eval = input.Require("EvaluationPeriods");
  spec.evaluation_periods = eval.AsIntInRange(1, 100000);
  if (period_s * spec.evaluation_periods > 7 * 86400)
    eval.Fail("Period x EvaluationPeriods must not exceed 7 days");
  spec.datapoints_to_alarm = spec.evaluation_periods;
  if (auto d = input.Get("DatapointsToAlarm")) spec.datapoints_to_alarm = d->AsIntInRange(1, spec.evaluation_periods);
  spec.threshold = input.Require("Threshold").AsDouble();

  sim::Node cmp = input.Require("ComparisonOperator");
  spec.comparison_name = cmp.AsString();
  static const std::map<std::string, Comparison> kCmps = {
      {"GreaterThanOrEqualToThreshold", Comparison::kGreaterThanOrEqualToThreshold},
      {"GreaterThanThreshold", Comparison::kGreaterThanThreshold},
      {"LessThanThreshold", Comparison::kLessThanThreshold},
      {"LessThanOrEqualToThreshold", Comparison::kLessThanOrEqualToThreshold}};
  auto c = kCmps.find(spec.comparison_name);
  if (c == kCmps.end())
    cmp.Fail(fmt::format("'{}' is not modelled (GreaterThanOrEqualToThreshold, GreaterThanThreshold, "
                         "LessThanThreshold, LessThanOrEqualToThreshold)",
                         spec.comparison_name));
  spec.comparison = c->second;

  if (auto m = input.Get("TreatMissingData")) {
    spec.missing_data_name = m->AsString();
    static const std::map<std::string, MissingData> kMissing = {{"missing", MissingData::kMissing},
                                                                {"breaching", MissingData::kBreaching},
                                                                {"notBreaching", MissingData::kNotBreaching},
                                                                {"ignore", MissingData::kIgnore}};
    auto it = kMissing.find(spec.missing_data_name);
    if (it == kMissing.end())
      m->Fail(fmt::format("'{}' is not one of breaching, notBreaching, ignore, missing", spec.missing_data_name));
    spec.missing_data = it->second;
  }
  spec.unit = input.GetString("Unit", "");
  if (auto p = input.Get("EvaluateLowSampleCountPercentile")) p->AsString();
  if (auto tags = input.Get("Tags")) tags->ExpectArray();
  spec.alarm_actions = LoadActions(input, "AlarmActions");
  spec.ok_actions = LoadActions(input, "OKActions");
  spec.insufficient_data_actions = LoadActions(input, "InsufficientDataActions");
  return spec;
}

void ValidateAlarm(const AlarmSpec& spec, const std::function<bool(const std::string&)>& topic_exists,
                   const std::function<bool(const std::string&)>& queue_exists) {
  for (const auto* list : {&spec.alarm_actions, &spec.ok_actions, &spec.insufficient_data_actions}) {
    for (const ActionRef& a : *list) {
      if (!topic_exists(a.arn)) throw sim::InputError(a.where, fmt::format("topic '{}' does not exist", a.arn));
    }
  }
  for (const Dimension& d : spec.dimensions) {
    if (d.name == "QueueName" && !queue_exists(d.value))
      throw sim::InputError(spec.dimensions_where, fmt::format("queue '{}' does not exist", d.value));
  }
}

MetricAlarm::MetricAlarm(sim::EventLoop& loop, int64_t epoch_ms, std::string region, std::string account,
                         AlarmSpec spec, MetricGetter metric, Publisher publish, Sink sink)
    : loop_(loop),
      epoch_ms_(epoch_ms),
      region_(std::move(region)),
      account_(std::move(account)),
      spec_(std::move(spec)),
      metric_(std::move(metric)),
      publish_(std::move(publish)),
      sink_(std::move(sink)),
      created_(loop.Now()),
      state_time_(loop.Now()) {
  int64_t abs = AbsMs(created_);
  last_sample_abs_ms_ = abs - (((abs % kMinuteMs) + kMinuteMs) % kMinuteMs);
  ScheduleNextSample();
}

MetricAlarm::~MetricAlarm() {
  if (next_sample_) loop_.Cancel(*next_sample_);
}

std::string MetricAlarm::Arn() const {
  return fmt::format("arn:aws:cloudwatch:{}:{}:alarm:{}", region_, account_, spec_.name);
}

void MetricAlarm::ScheduleNextSample() {
  if (stopped_ || next_sample_) return;
  int64_t next_abs = last_sample_abs_ms_ + kMinuteMs;
  sim::Time at = sim::kTimeZero + sim::Millis(next_abs - epoch_ms_);
  next_sample_ = loop_.At(std::max(at, loop_.Now()), [this] { OnSample(); });
}

void MetricAlarm::Stop() {
  stopped_ = true;
  if (next_sample_) loop_.Cancel(*next_sample_);
  next_sample_.reset();
}

std::optional<double> MetricAlarm::Aggregate(const std::vector<double>& samples) const {
  if (samples.empty()) return std::nullopt;
  double sum = 0;
  for (double v : samples) sum += v;
  switch (spec_.statistic) {
    case Statistic::kSampleCount: return static_cast<double>(samples.size());
    case Statistic::kSum: return sum;
    case Statistic::kAverage: return sum / static_cast<double>(samples.size());
    case Statistic::kMinimum: return *std::min_element(samples.begin(), samples.end());
    case Statistic::kMaximum: return *std::max_element(samples.begin(), samples.end());
  }
  return std::nullopt;
}

bool MetricAlarm::Breaches(double v) const {
  switch (spec_.comparison) {
    case Comparison::kGreaterThanOrEqualToThreshold: return v >= spec_.threshold;
    case Comparison::kGreaterThanThreshold: return v > spec_.threshold;
    case Comparison::kLessThanThreshold: return v < spec_.threshold;
    case Comparison::kLessThanOrEqualToThreshold: return v <= spec_.threshold;
  }
  return false;
}

void MetricAlarm::OnSample() {
  next_sample_.reset();
  last_sample_abs_ms_ += kMinuteMs;
  std::optional<double> v = metric_(spec_.metric_namespace, spec_.metric_name, spec_.dimensions);
  if (v) period_samples_.push_back(*v);
  if (last_sample_abs_ms_ % PeriodMs() == 0) {
    sim::Time period_start = sim::kTimeZero + sim::Millis(last_sample_abs_ms_ - PeriodMs() - epoch_ms_);
    datapoints_.emplace_back(period_start, Aggregate(period_samples_));
    while (static_cast<int64_t>(datapoints_.size()) > spec_.evaluation_periods) datapoints_.pop_front();
    period_samples_.clear();
    Evaluate();
    // Asleep once the window holds nothing but the current value: every
    // future evaluation would give the same state until the metric changes.
    if (v && static_cast<int64_t>(datapoints_.size()) == spec_.evaluation_periods) {
      std::vector<double> constant(static_cast<size_t>(PeriodMs() / kMinuteMs), *v);
      std::optional<double> steady = Aggregate(constant);
      bool all_same = std::all_of(datapoints_.begin(), datapoints_.end(),
                                  [&](const auto& dp) { return dp.second && *dp.second == *steady; });
      if (all_same) {
        dormant_value_ = v;
        return;
      }
    }
  }
  ScheduleNextSample();
}

void MetricAlarm::NotifyMetricChanged() {
  if (stopped_ || !dormant_value_) return;
  double v = *dormant_value_;
  dormant_value_.reset();
  // Replay the quiet minutes (up to and including now) with the unchanged value.
  int64_t now_abs = AbsMs(loop_.Now());
  while (last_sample_abs_ms_ + kMinuteMs <= now_abs) {
    last_sample_abs_ms_ += kMinuteMs;
    period_samples_.push_back(v);
    if (last_sample_abs_ms_ % PeriodMs() == 0) {
      sim::Time period_start = sim::kTimeZero + sim::Millis(last_sample_abs_ms_ - PeriodMs() - epoch_ms_);
      datapoints_.emplace_back(period_start, Aggregate(period_samples_));
      while (static_cast<int64_t>(datapoints_.size()) > spec_.evaluation_periods) datapoints_.pop_front();
      period_samples_.clear();
    }
  }
  ScheduleNextSample();
}

void MetricAlarm::Evaluate() {
  int64_t n = spec_.evaluation_periods;
  int64_t missing = n - static_cast<int64_t>(datapoints_.size());
  int64_t present = 0, breaching = 0;
  std::vector<std::pair<sim::Time, double>> breaching_points, ok_points;  // newest first
  for (auto it = datapoints_.rbegin(); it != datapoints_.rend(); ++it) {
    if (!it->second) {
      ++missing;
      continue;
    }
    ++present;
    if (Breaches(*it->second)) {
      ++breaching;
      breaching_points.emplace_back(it->first, *it->second);
    } else {
      ok_points.emplace_back(it->first, *it->second);
    }
  }
  if (spec_.missing_data == MissingData::kBreaching) breaching += missing;
  if (present == 0 && spec_.missing_data == MissingData::kIgnore) return;
  if (present == 0 && spec_.missing_data == MissingData::kMissing) {
    SetState(AlarmState::kInsufficientData,
             fmt::format("Insufficient Data: {} datapoint{} {} unknown.", n, n == 1 ? "" : "s",
                         n == 1 ? "was" : "were"));
    return;
  }
  auto list = [&](const std::vector<std::pair<sim::Time, double>>& pts) {
    std::string s;
    for (const auto& [t, v] : pts) s += fmt::format("{}{} ({})", s.empty() ? "" : ", ", Num(v), ReasonTime(AbsMs(t)));
    return s;
  };
  if (breaching >= spec_.datapoints_to_alarm) {
    std::string reason = fmt::format(
        "Threshold Crossed: {} out of the last {} datapoint{} [{}] {} {} the threshold ({}) (minimum {} datapoint{} "
        "for OK -> ALARM transition).",
        breaching, n, n == 1 ? "" : "s", list(breaching_points), breaching == 1 ? "was" : "were",
        Phrase(spec_.comparison), Num(spec_.threshold), spec_.datapoints_to_alarm,
        spec_.datapoints_to_alarm == 1 ? "" : "s");
    SetState(AlarmState::kAlarm, std::move(reason));
  } else {
    std::string reason = fmt::format(
        "Threshold Crossed: {} datapoint{} [{}] {} not {} the threshold ({}).", ok_points.size(),
        ok_points.size() == 1 ? "" : "s", list(ok_points), ok_points.size() == 1 ? "was" : "were",
        Phrase(spec_.comparison), Num(spec_.threshold));
    SetState(AlarmState::kOk, std::move(reason));
  }
}

void MetricAlarm::SetState(AlarmState to, std::string reason) {
  if (to == state_) return;
  StateChange change{loop_.Now(), state_, to, std::move(reason)};
  state_ = to;
  state_reason_ = change.reason;
  state_time_ = change.time;
  history_.push_back(change);
  if (sink_) {
    sim::Json e = sim::Json::object();
    e["type"] = "cloudwatch.alarm_state_change";
    e["time"] = sim::FormatIso8601(epoch_ms_, change.time);
    e["alarm"] = spec_.name;
    e["old_state"] = ToString(change.from);
    e["new_state"] = ToString(change.to);
    e["reason"] = change.reason;
    sink_(e);
  }
  if (spec_.actions_enabled) Notify(change);
}

std::string MetricAlarm::EmailText(const StateChange& change) const {
  std::string dims;
  for (const auto& d : spec_.dimensions) dims += fmt::format("{}[{} = {}]", dims.empty() ? "" : " ", d.name, d.value);
  auto actions = [](const std::vector<ActionRef>& list) {
    std::string s;
    for (const auto& a : list) s += fmt::format("{}[{}]", s.empty() ? " " : " ", a.arn);
    return s;
  };
  std::string when = EmailTime(AbsMs(change.time));
  std::string out;
  out += fmt::format(
      "You are receiving this email because your Amazon CloudWatch Alarm \"{}\" in the {} region has entered the {} "
      "state, because \"{}\" at \"{}\".\n\n",
      spec_.name, RegionName(region_), ToString(change.to), change.reason, when);
  out += fmt::format("View this alarm in the AWS Management Console:\nhttps://{0}.console.aws.amazon.com/cloudwatch/"
                     "deeplink.js?region={0}#alarmsV2:alarm/{1}\n\n",
                     region_, spec_.name);
  out += "Alarm Details:\n";
  out += fmt::format("- Name:                       {}\n", spec_.name);
  out += fmt::format("- Description:                {}\n", spec_.description);
  out += fmt::format("- State Change:               {} -> {}\n", ToString(change.from), ToString(change.to));
  out += fmt::format("- Reason for State Change:    {}\n", change.reason);
  out += fmt::format("- Timestamp:                  {}\n", when);
  out += fmt::format("- AWS Account:                {}\n", account_);
  out += fmt::format("- Alarm Arn:                  {}\n\n", Arn());
  out += "Threshold:\n";
  out += fmt::format("- The alarm is in the ALARM state when the metric is {} {} for at least {} of the last {} "
                     "period(s) of {} seconds.\n\n",
                     spec_.comparison_name, Num(spec_.threshold), spec_.datapoints_to_alarm,
                     spec_.evaluation_periods, sim::ToMicros(spec_.period) / 1000000);
  out += "Monitored Metric:\n";
  out += fmt::format("- MetricNamespace:                     {}\n", spec_.metric_namespace);
  out += fmt::format("- MetricName:                          {}\n", spec_.metric_name);
  out += fmt::format("- Dimensions:                          {}\n", dims);
  out += fmt::format("- Period:                              {} seconds\n", sim::ToMicros(spec_.period) / 1000000);
  out += fmt::format("- Statistic:                           {}\n", spec_.statistic_name);
  out += fmt::format("- Unit:                                {}\n", spec_.unit.empty() ? "not specified" : spec_.unit);
  out += fmt::format("- TreatMissingData:                    {}\n\n", spec_.missing_data_name);
  out += "State Change Actions:\n";
  out += fmt::format("- OK:{}\n", actions(spec_.ok_actions));
  out += fmt::format("- ALARM:{}\n", actions(spec_.alarm_actions));
  out += fmt::format("- INSUFFICIENT_DATA:{}\n", actions(spec_.insufficient_data_actions));
  return out;
}

void MetricAlarm::Notify(const StateChange& change) {
  const std::vector<ActionRef>& targets = change.to == AlarmState::kAlarm ? spec_.alarm_actions
                                          : change.to == AlarmState::kOk  ? spec_.ok_actions
                                                                          : spec_.insufficient_data_actions;
  if (targets.empty()) return;
  sim::Json n = sim::Json::object();
  n["AlarmName"] = spec_.name;
  n["AlarmDescription"] = spec_.description.empty() ? sim::Json(nullptr) : sim::Json(spec_.description);
  n["AWSAccountId"] = account_;
  n["AlarmConfigurationUpdatedTimestamp"] = CwTime(AbsMs(created_));
  n["NewStateValue"] = ToString(change.to);
  n["NewStateReason"] = change.reason;
  n["StateChangeTime"] = CwTime(AbsMs(change.time));
  n["Region"] = RegionName(region_);
  n["AlarmArn"] = Arn();
  n["OldStateValue"] = ToString(change.from);
  n["OKActions"] = ActionList(spec_.ok_actions);
  n["AlarmActions"] = ActionList(spec_.alarm_actions);
  n["InsufficientDataActions"] = ActionList(spec_.insufficient_data_actions);
  sim::Json dims = sim::Json::array();
  for (const auto& d : spec_.dimensions) dims.push_back({{"value", d.value}, {"name", d.name}});
  n["Trigger"] = {{"MetricName", spec_.metric_name},
                  {"Namespace", spec_.metric_namespace},
                  {"StatisticType", "Statistic"},
                  {"Statistic", Upper(spec_.statistic_name)},
                  {"Unit", spec_.unit.empty() ? sim::Json(nullptr) : sim::Json(spec_.unit)},
                  {"Dimensions", dims},
                  {"Period", sim::ToMicros(spec_.period) / 1000000},
                  {"EvaluationPeriods", spec_.evaluation_periods},
                  {"DatapointsToAlarm", spec_.datapoints_to_alarm},
                  {"ComparisonOperator", spec_.comparison_name},
                  {"Threshold", spec_.threshold},
                  {"TreatMissingData", spec_.missing_data_name},
                  {"EvaluateLowSampleCountPercentile", ""}};
  std::string subject = fmt::format("{}: \"{}\" in {}", ToString(change.to), spec_.name, RegionName(region_));
  if (subject.size() > kMaxSubjectChars) subject = subject.substr(0, kMaxSubjectChars);
  sim::Json message = {{"default", n.dump()}, {"email", EmailText(change)}};
  for (const ActionRef& a : targets) {
    sim::Json params = {{"TopicArn", a.arn},
                        {"Subject", subject},
                        {"Message", message.dump()},
                        {"MessageStructure", "json"}};
    std::string error = publish_ ? publish_(params) : std::string("NoPublisher");
    if (sink_) {
      sim::Json e = sim::Json::object();
      e["type"] = "cloudwatch.alarm_action";
      e["time"] = sim::FormatIso8601(epoch_ms_, loop_.Now());
      e["alarm"] = spec_.name;
      e["state"] = ToString(change.to);
      e["topic"] = a.arn;
      if (!error.empty()) e["error"] = error;
      sink_(e);
    }
  }
}

sim::Json MetricAlarm::Snapshot() const {
  sim::Json h = sim::Json::array();
  for (const auto& c : history_) {
    h.push_back({{"time", sim::FormatIso8601(epoch_ms_, c.time)},
                 {"old_state", ToString(c.from)},
                 {"new_state", ToString(c.to)},
                 {"reason", c.reason}});
  }
  sim::Json j = sim::Json::object();
  j["AlarmName"] = spec_.name;
  j["AlarmArn"] = Arn();
  j["StateValue"] = ToString(state_);
  j["StateReason"] = state_reason_;
  j["StateUpdatedTimestamp"] = CwTime(AbsMs(state_time_));
  j["History"] = std::move(h);
  return j;
}

}  // namespace fakes::cloudwatch
