#include "fakes/scheduler/schedule.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

namespace fakes::scheduler {
namespace {

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int Digits(std::string_view s) {
  int out = 0;
  std::from_chars(s.data(), s.data() + s.size(), out);
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

CivilTime ParseAt(std::string_view body) {
  // yyyy-mm-ddThh:mm:ss, exactly.
  const std::string_view shape = "yyyy-mm-ddThh:mm:ss";
  bool ok = body.size() == shape.size();
  for (size_t i = 0; ok && i < shape.size(); ++i) {
    bool digit = std::isalpha(static_cast<unsigned char>(shape[i])) && shape[i] != 'T';
    ok = digit ? (body[i] >= '0' && body[i] <= '9') : body[i] == shape[i];
  }
  if (!ok) throw ExpressionError(fmt::format("at({}) must be at(yyyy-mm-ddThh:mm:ss)", body));
  CivilTime t{Digits(body.substr(0, 4)),  Digits(body.substr(5, 2)),  Digits(body.substr(8, 2)),
              Digits(body.substr(11, 2)), Digits(body.substr(14, 2)), Digits(body.substr(17, 2))};
  if (t.month < 1 || t.month > 12 || t.day < 1 || t.day > DaysInMonth(t.year, t.month) || t.hour > 23 ||
      t.minute > 59 || t.second > 59)
    throw ExpressionError(fmt::format("at({}) is not a valid date and time", body));
  return t;
}

sim::Duration ParseRate(std::string_view body) {
  body = Trim(body);
  size_t space = body.find_first_of(" \t");
  if (space == std::string_view::npos)
    throw ExpressionError(fmt::format("rate({}) must be rate(value unit), e.g. rate(5 minutes)", body));
  std::string_view value_text = body.substr(0, space);
  std::string_view unit = Trim(body.substr(space));
  if (!IsDigits(value_text) || value_text.size() > 9 || Digits(value_text) < 1)
    throw ExpressionError(fmt::format("rate value '{}' must be a positive integer", value_text));
  int64_t value = Digits(value_text);
  if (unit == "minute" || unit == "minutes") return sim::Seconds(60 * value);
  if (unit == "hour" || unit == "hours") return sim::Seconds(3600 * value);
  if (unit == "day" || unit == "days") return sim::Seconds(86400 * value);
  throw ExpressionError(fmt::format("rate unit '{}' must be one of minute, minutes, hour, hours, day, days", unit));
}

// ISO-8601 timestamp with Z or a numeric offset, or a number of epoch seconds
// (both are what the AWS CLI accepts for timestamps in JSON input).
int64_t ParseTimestamp(const sim::Node& node) {
  if (node.json().is_number()) return static_cast<int64_t>(node.AsDouble() * 1000.0);
  std::string text = node.AsString();
  int64_t offset_ms = 0;
  if (text.size() > 6) {
    std::string_view tail = std::string_view(text).substr(text.size() - 6);
    if ((tail[0] == '+' || tail[0] == '-') && tail[3] == ':' && IsDigits(tail.substr(1, 2)) &&
        IsDigits(tail.substr(4, 2))) {
      int64_t minutes = Digits(tail.substr(1, 2)) * 60 + Digits(tail.substr(4, 2));
      offset_ms = (tail[0] == '+' ? 1 : -1) * minutes * 60000;
      text = text.substr(0, text.size() - 6) + "Z";
    }
  }
  auto ms = sim::ParseIso8601Ms(text);
  if (!ms) node.Fail(fmt::format("'{}' is not an ISO-8601 timestamp such as 2024-05-14T01:12:00Z", node.AsString()));
  return *ms - offset_ms;
}

void CheckName(const sim::Node& node, const std::string& value) {
  bool ok = !value.empty() && value.size() <= 64 && std::all_of(value.begin(), value.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
  if (!ok) node.Fail(fmt::format("'{}' must be 1-64 characters of [0-9a-zA-Z-_.]", value));
}

std::string OneOf(const sim::Node& node, std::initializer_list<std::string_view> allowed) {
  std::string v = node.AsString();
  if (std::find(allowed.begin(), allowed.end(), v) == allowed.end()) {
    std::string list;
    for (auto a : allowed) list += (list.empty() ? "" : " | ") + std::string(a);
    node.Fail(fmt::format("'{}' must be one of {}", v, list));
  }
  return v;
}

sim::Json ListOfObjects(const sim::Node& node, size_t max_items, std::initializer_list<std::string_view> keys) {
  node.ExpectArray();
  if (node.Size() > max_items) node.Fail(fmt::format("at most {} items allowed, found {}", max_items, node.Size()));
  for (size_t i = 0; i < node.Size(); ++i) {
    sim::Node item = node.At(i);
    item.AllowOnly(keys);
    for (const auto& k : item.Keys()) item.Require(k).AsString();
  }
  return node.json();
}

EcsParameters LoadEcsParameters(const sim::Node& n) {
  n.AllowOnly({"TaskDefinitionArn", "TaskCount", "LaunchType", "CapacityProviderStrategy", "PlatformVersion", "Group",
               "Tags", "NetworkConfiguration", "PropagateTags", "ReferenceId", "EnableECSManagedTags",
               "EnableExecuteCommand", "PlacementConstraints", "PlacementStrategy"});
  EcsParameters p;
  p.task_definition_arn = n.Require("TaskDefinitionArn").AsString();
  if (p.task_definition_arn.empty()) n.Require("TaskDefinitionArn").Fail("must not be empty");
  if (auto c = n.Get("TaskCount")) p.task_count = static_cast<int>(c->AsIntInRange(1, 10));
  if (auto c = n.Get("LaunchType")) p.launch_type = OneOf(*c, {"EC2", "FARGATE", "EXTERNAL"});
  if (auto c = n.Get("CapacityProviderStrategy")) {
    c->ExpectArray();
    if (c->Size() > 6) c->Fail(fmt::format("at most 6 items allowed, found {}", c->Size()));
    if (!p.launch_type.empty()) c->Fail("LaunchType and CapacityProviderStrategy are mutually exclusive");
    for (size_t i = 0; i < c->Size(); ++i) {
      sim::Node item = c->At(i);
      item.AllowOnly({"capacityProvider", "weight", "base"});
      CapacityProviderStrategyItem s;
      s.capacity_provider = item.Require("capacityProvider").AsString();
      if (auto w = item.Get("weight")) s.weight = static_cast<int>(w->AsIntInRange(0, 1000));
      if (auto b = item.Get("base")) s.base = static_cast<int>(b->AsIntInRange(0, 100000));
      p.capacity_provider_strategy.push_back(std::move(s));
    }
  }
  p.platform_version = n.GetString("PlatformVersion", "");
  p.group = n.GetString("Group", "");
  if (auto t = n.Get("Tags")) {
    t->ExpectArray();
    if (t->Size() > 50) t->Fail(fmt::format("at most 50 tags allowed, found {}", t->Size()));
    for (size_t i = 0; i < t->Size(); ++i) {
      sim::Node item = t->At(i);
      item.ExpectObject();
      for (const auto& k : item.Keys()) item.Require(k).AsString();
    }
    p.tags = t->json();
  }
  if (auto nc = n.Get("NetworkConfiguration")) {
    nc->AllowOnly({"awsvpcConfiguration"});
    sim::Node vpc = nc->Require("awsvpcConfiguration");
    vpc.AllowOnly({"Subnets", "SecurityGroups", "AssignPublicIp"});
    auto subnets = vpc.Require("Subnets").AsStringList();
    if (subnets.empty() || subnets.size() > 16) vpc.Require("Subnets").Fail("needs 1 to 16 subnets");
    if (auto sg = vpc.Get("SecurityGroups")) {
      if (sg->AsStringList().size() > 5) sg->Fail("at most 5 security groups allowed");
    }
    if (auto ip = vpc.Get("AssignPublicIp")) OneOf(*ip, {"ENABLED", "DISABLED"});
    p.network_configuration = nc->json();
  }
  if (auto c = n.Get("PropagateTags")) p.propagate_tags = OneOf(*c, {"TASK_DEFINITION"});
  p.reference_id = n.GetString("ReferenceId", "");
  p.enable_ecs_managed_tags = n.GetBool("EnableECSManagedTags", false);
  p.enable_execute_command = n.GetBool("EnableExecuteCommand", false);
  if (auto c = n.Get("PlacementConstraints")) p.placement_constraints = ListOfObjects(*c, 10, {"type", "expression"});
  if (auto c = n.Get("PlacementStrategy")) p.placement_strategy = ListOfObjects(*c, 5, {"type", "field"});
  return p;
}

Target LoadTarget(const sim::Node& n) {
  n.AllowOnly({"Arn", "RoleArn", "Input", "RetryPolicy", "DeadLetterConfig", "EcsParameters", "SqsParameters",
               "EventBridgeParameters", "KinesisParameters", "SageMakerPipelineParameters"});
  Target t;
  t.arn = n.Require("Arn").AsString();
  if (t.arn.empty()) n.Require("Arn").Fail("must not be empty");
  t.role_arn = n.Require("RoleArn").AsString();
  if (t.role_arn.empty()) n.Require("RoleArn").Fail("must not be empty");
  if (auto in = n.Get("Input")) {
    std::string text = in->AsString();
    if (text.empty() || text.size() > 8192) in->Fail("must be 1 to 8192 characters");
    t.input = std::move(text);
  }
  if (auto rp = n.Get("RetryPolicy")) {
    rp->AllowOnly({"MaximumRetryAttempts", "MaximumEventAgeInSeconds"});
    if (auto a = rp->Get("MaximumRetryAttempts"))
      t.retry_policy.maximum_retry_attempts = static_cast<int>(a->AsIntInRange(0, 185));
    if (auto a = rp->Get("MaximumEventAgeInSeconds"))
      t.retry_policy.maximum_event_age = sim::Seconds(a->AsIntInRange(60, 86400));
  }
  if (auto dlc = n.Get("DeadLetterConfig")) {
    dlc->AllowOnly({"Arn"});
    if (auto arn_node = dlc->Get("Arn")) {
      std::string arn = arn_node->AsString();
      if (arn.size() >= 5 && arn.compare(arn.size() - 5, 5, ".fifo") == 0)
        arn_node->Fail(
            fmt::format("'{}' is a FIFO queue; EventBridge Scheduler supports only standard SQS queues as "
                        "dead-letter queues",
                        arn));
      // arn:aws[a-z-]*:sqs:<region>:<12 digits>:<name>
      auto parts = [&] {
        std::vector<std::string> out;
        size_t start = 0;
        for (size_t pos; (pos = arn.find(':', start)) != std::string::npos; start = pos + 1)
          out.push_back(arn.substr(start, pos - start));
        out.push_back(arn.substr(start));
        return out;
      }();
      bool ok = parts.size() == 6 && parts[0] == "arn" && parts[1].rfind("aws", 0) == 0 && parts[2] == "sqs" &&
                !parts[3].empty() && parts[4].size() == 12 && IsDigits(parts[4]) && !parts[5].empty() &&
                std::all_of(parts[5].begin(), parts[5].end(),
                            [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; });
      if (!ok) arn_node->Fail(fmt::format("'{}' is not an SQS queue ARN (arn:aws:sqs:<region>:<account>:<name>)", arn));
      t.dead_letter_arn = arn;
    }
  }
  if (auto ecs = n.Get("EcsParameters")) t.ecs_parameters = LoadEcsParameters(*ecs);
  if (auto sqs = n.Get("SqsParameters")) {
    sqs->AllowOnly({"MessageGroupId"});
    if (auto g = sqs->Get("MessageGroupId")) t.sqs_message_group_id = g->AsString();
  }
  for (const char* key : {"EventBridgeParameters", "KinesisParameters", "SageMakerPipelineParameters"}) {
    if (auto p = n.Get(key)) {
      p->ExpectObject();
      t.other_parameters[key] = p->json();
    }
  }
  return t;
}

}  // namespace

ScheduleExpression ParseScheduleExpression(std::string_view text) {
  ScheduleExpression e;
  e.text = std::string(text);
  auto body_of = [&](std::string_view prefix) -> std::optional<std::string_view> {
    if (text.size() < prefix.size() + 2 || text.substr(0, prefix.size()) != prefix || text[prefix.size()] != '(' ||
        text.back() != ')')
      return std::nullopt;
    return text.substr(prefix.size() + 1, text.size() - prefix.size() - 2);
  };
  if (auto body = body_of("at")) {
    e.kind = ScheduleExpression::Kind::kAt;
    e.at = ParseAt(*body);
  } else if (auto body = body_of("rate")) {
    e.kind = ScheduleExpression::Kind::kRate;
    e.rate = ParseRate(*body);
  } else if (auto body = body_of("cron")) {
    e.kind = ScheduleExpression::Kind::kCron;
    e.cron = CronExpression::Parse(*body);
  } else {
    throw ExpressionError(fmt::format(
        "'{}' is not a schedule expression: use at(yyyy-mm-ddThh:mm:ss), rate(value unit) or cron(fields)", text));
  }
  return e;
}

Schedule LoadSchedule(const sim::Node& in) {
  in.AllowOnly({"Name", "GroupName", "ScheduleExpression", "ScheduleExpressionTimezone", "StartDate", "EndDate",
                "State", "FlexibleTimeWindow", "ActionAfterCompletion", "Description", "KmsKeyArn", "ClientToken",
                "Target"});
  Schedule s;
  s.where = in.Where();
  s.name = in.Require("Name").AsString();
  CheckName(in.Require("Name"), s.name);
  if (auto g = in.Get("GroupName")) {
    s.group_name = g->AsString();
    CheckName(*g, s.group_name);
  }
  sim::Node expr = in.Require("ScheduleExpression");
  try {
    s.expression = ParseScheduleExpression(expr.AsString());
  } catch (const ExpressionError& e) {
    expr.Fail(e.what());
  }
  if (auto tz = in.Get("ScheduleExpressionTimezone")) {
    auto zone = TimeZone::Load(tz->AsString());
    if (!zone) tz->Fail(fmt::format("'{}' is not a time zone in the IANA tz database", tz->AsString()));
    s.time_zone = *zone;
  }
  if (auto d = in.Get("StartDate")) s.start_date_ms = ParseTimestamp(*d);
  if (auto d = in.Get("EndDate")) {
    s.end_date_ms = ParseTimestamp(*d);
    if (s.start_date_ms && *s.end_date_ms <= *s.start_date_ms) d->Fail("EndDate must be after StartDate");
  }
  if (auto st = in.Get("State")) s.enabled = OneOf(*st, {"ENABLED", "DISABLED"}) == "ENABLED";

  sim::Node ftw = in.Require("FlexibleTimeWindow");
  ftw.AllowOnly({"Mode", "MaximumWindowInMinutes"});
  std::string mode = OneOf(ftw.Require("Mode"), {"OFF", "FLEXIBLE"});
  if (mode == "FLEXIBLE") {
    s.flexible_mode = FlexibleMode::kFlexible;
    s.maximum_window_minutes = static_cast<int>(ftw.Require("MaximumWindowInMinutes").AsIntInRange(1, 1440));
  } else if (auto w = ftw.Get("MaximumWindowInMinutes")) {
    w->Fail("MaximumWindowInMinutes is only allowed with Mode FLEXIBLE");
  }
  if (auto a = in.Get("ActionAfterCompletion"))
    s.action_after_completion =
        OneOf(*a, {"NONE", "DELETE"}) == "DELETE" ? ActionAfterCompletion::kDelete : ActionAfterCompletion::kNone;
  if (auto d = in.Get("Description")) {
    s.description = d->AsString();
    if (s.description.size() > 512) d->Fail("must be at most 512 characters");
  }
  if (auto k = in.Get("KmsKeyArn")) k->AsString();  // accepted, no effect in the simulator
  if (auto c = in.Get("ClientToken")) c->AsString();
  s.target = LoadTarget(in.Require("Target"));
  return s;
}

}  // namespace fakes::scheduler
