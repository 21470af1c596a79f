#include "fakes/stepfunctions/state_machine.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "fakes/stepfunctions/data_flow.h"

namespace fakes::stepfunctions {

using sim::Json;
using sim::Node;

namespace {

constexpr int64_t kMaxSeconds = 99999999;

const std::vector<std::string>& Comparators() {
  static const auto* list = [] {
    auto* v = new std::vector<std::string>;
    for (const char* family : {"String", "Numeric", "Timestamp"})
      for (const char* op : {"Equals", "LessThan", "GreaterThan", "LessThanEquals", "GreaterThanEquals"}) {
        v->push_back(fmt::format("{}{}", family, op));
        v->push_back(fmt::format("{}{}Path", family, op));
      }
    for (const char* extra : {"StringMatches", "BooleanEquals", "BooleanEqualsPath", "IsPresent", "IsNull",
                              "IsString", "IsNumeric", "IsBoolean", "IsTimestamp"})
      v->push_back(extra);
    return v;
  }();
  return *list;
}

bool EndsWith(const std::string& s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// A path field that may also be JSON null.
std::optional<std::string> NullablePath(const Node& state, std::string_view key, bool reference) {
  auto node = state.Get(key);
  if (!node) return "$";
  if (node->json().is_null()) return std::nullopt;
  std::string text = node->AsString();
  std::string err = reference ? CheckReferencePath(text) : CheckPath(text, /*allow_context=*/false);
  if (!err.empty()) node->Fail(err);
  return text;
}

std::string RequirePath(const Node& node, bool allow_context) {
  std::string text = node.AsString();
  std::string err = CheckPath(text, allow_context);
  if (!err.empty()) node.Fail(err);
  return text;
}

std::vector<std::string> ErrorEquals(const Node& owner, bool last_in_list) {
  Node list = owner.Require("ErrorEquals");
  list.ExpectArray();
  if (list.Size() == 0) list.Fail("ErrorEquals must name at least one error");
  std::vector<std::string> out = list.AsStringList();
  for (size_t i = 0; i < out.size(); ++i) {
    if (out[i] != kErrorAll) continue;
    if (out.size() != 1) list.At(i).Fail("States.ALL must appear alone in ErrorEquals");
    if (!last_in_list) list.At(i).Fail("States.ALL must appear in the last retrier or catcher");
  }
  return out;
}

std::optional<int64_t> OptionalSeconds(const Node& state, std::string_view key, int64_t lo) {
  auto node = state.Get(key);
  if (!node) return std::nullopt;
  return node->AsIntInRange(lo, kMaxSeconds);
}

Retrier LoadRetrier(const Node& node, bool last) {
  node.AllowOnly({"ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate", "MaxDelaySeconds",
                  "JitterStrategy", "Comment"});
  Retrier r;
  r.line = node.line();
  r.error_equals = ErrorEquals(node, last);
  if (auto n = node.Get("IntervalSeconds")) r.interval_seconds = n->AsIntInRange(1, kMaxSeconds);
  if (auto n = node.Get("MaxAttempts")) r.max_attempts = n->AsIntInRange(0, kMaxSeconds);
  if (auto n = node.Get("BackoffRate")) {
    r.backoff_rate = n->AsDouble();
    if (!(r.backoff_rate >= 1.0)) n->Fail(fmt::format("BackoffRate must be >= 1.0, got {}", n->json().dump()));
  }
  if (auto n = node.Get("MaxDelaySeconds")) r.max_delay_seconds = n->AsIntInRange(1, kMaxDelaySecondsLimit);
  if (auto n = node.Get("JitterStrategy")) {
    std::string j = n->AsString();
    if (j != "FULL" && j != "NONE") n->Fail(fmt::format("JitterStrategy must be FULL or NONE, got \"{}\"", j));
    r.full_jitter = j == "FULL";
  }
  return r;
}

Catcher LoadCatcher(const Node& node, bool last) {
  node.AllowOnly({"ErrorEquals", "Next", "ResultPath", "Comment"});
  Catcher c;
  c.line = node.line();
  c.error_equals = ErrorEquals(node, last);
  c.next = node.Require("Next").AsString();
  c.result_path = NullablePath(node, "ResultPath", /*reference=*/true);
  return c;
}

ChoiceRule LoadRule(const Node& node, bool top) {
  node.ExpectObject();
  ChoiceRule rule;
  std::vector<std::string> ops;
  for (const auto& key : node.Keys()) {
    if (key == "And" || key == "Or" || key == "Not" ||
        std::find(Comparators().begin(), Comparators().end(), key) != Comparators().end())
      ops.push_back(key);
    else if (key != "Variable" && key != "Next" && key != "Comment")
      node.Get(key)->Fail("unknown field in a Choice rule");
  }
  if (ops.empty()) node.Fail("a Choice rule needs one comparison operator, And, Or or Not");
  if (ops.size() > 1) node.Get(ops[1])->Fail(fmt::format("a Choice rule has one operator, found {} and {}", ops[0], ops[1]));
  if (top) {
    rule.next = node.Require("Next").AsString();
  } else if (auto n = node.Get("Next")) {
    n->Fail("Next is only allowed in a top-level Choice rule");
  }
  const std::string& op = ops[0];
  Node operand = *node.Get(op);
  if (op == "And" || op == "Or") {
    rule.kind = op == "And" ? ChoiceRule::Kind::kAnd : ChoiceRule::Kind::kOr;
    operand.ExpectArray();
    if (operand.Size() == 0) operand.Fail(op + " needs at least one rule");
    for (size_t i = 0; i < operand.Size(); ++i) rule.children.push_back(LoadRule(operand.At(i), false));
    if (auto v = node.Get("Variable")) v->Fail("Variable is not allowed beside " + op);
    return rule;
  }
  if (op == "Not") {
    rule.kind = ChoiceRule::Kind::kNot;
    rule.children.push_back(LoadRule(operand, false));
    if (auto v = node.Get("Variable")) v->Fail("Variable is not allowed beside Not");
    return rule;
  }
  rule.kind = ChoiceRule::Kind::kCompare;
  rule.comparator = op;
  rule.variable = RequirePath(node.Require("Variable"), /*allow_context=*/true);
  const Json& v = operand.json();
  if (EndsWith(op, "Path")) {
    rule.operand = RequirePath(operand, /*allow_context=*/true);
  } else if (op.rfind("Is", 0) == 0 || op == "BooleanEquals") {
    if (!v.is_boolean()) operand.Fail(op + " takes true or false");
  } else if (op.rfind("Numeric", 0) == 0) {
    if (!v.is_number()) operand.Fail(op + " takes a number");
  } else if (op.rfind("Timestamp", 0) == 0) {
    if (!v.is_string() || !sim::ParseIso8601Ms(v.get<std::string>())) operand.Fail(op + " takes an ISO-8601 timestamp string");
  } else if (!v.is_string()) {
    operand.Fail(op + " takes a string");
  }
  if (!EndsWith(op, "Path")) rule.operand = v;
  return rule;
}

void LoadTransition(const Node& node, State& s) {
  auto next = node.Get("Next");
  auto end = node.Get("End");
  bool is_end = end && end->AsBool();
  if (end && !is_end) end->Fail("End must be true when present");
  if (next && is_end) next->Fail("a state cannot have both Next and End");
  if (!next && !is_end) node.Fail(fmt::format("state '{}' needs Next or \"End\": true", s.name));
  if (next) s.next = next->AsString();
  s.end = is_end;
}

State LoadState(const Node& node, const std::string& name) {
  node.ExpectObject();
  State s;
  s.name = name;
  s.line = node.line();
  Node type = node.Require("Type");
  s.type_name = type.AsString();
  s.comment = node.GetString("Comment", "");
  const std::string& t = s.type_name;
  if (t == "Parallel" || t == "Map") type.Fail(t + " is not modelled");
  if (auto q = node.Get("QueryLanguage"); q && q->AsString() != "JSONPath")
    q->Fail("only the JSONPath query language is modelled");

  if (t == "Task") {
    s.type = StateType::kTask;
    node.AllowOnly({"Type", "Comment", "QueryLanguage", "Resource", "Parameters", "ResultSelector", "ResultPath",
                    "InputPath", "OutputPath", "Next", "End", "Retry", "Catch", "TimeoutSeconds",
                    "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath", "Credentials"});
    s.resource = node.Require("Resource").AsString();
    if (s.resource.rfind("arn:", 0) != 0) node.Require("Resource").Fail("Resource must be an ARN");
  } else if (t == "Pass") {
    s.type = StateType::kPass;
    node.AllowOnly({"Type", "Comment", "QueryLanguage", "InputPath", "OutputPath", "Parameters", "Result",
                    "ResultPath", "Next", "End"});
  } else if (t == "Wait") {
    s.type = StateType::kWait;
    node.AllowOnly({"Type", "Comment", "QueryLanguage", "InputPath", "OutputPath", "Seconds", "Timestamp",
                    "SecondsPath", "TimestampPath", "Next", "End"});
  } else if (t == "Choice") {
    s.type = StateType::kChoice;
    node.AllowOnly({"Type", "Comment", "QueryLanguage", "InputPath", "OutputPath", "Choices", "Default"});
  } else if (t == "Succeed") {
    s.type = StateType::kSucceed;
    node.AllowOnly({"Type", "Comment", "QueryLanguage", "InputPath", "OutputPath"});
  } else if (t == "Fail") {
    s.type = StateType::kFail;
    node.AllowOnly({"Type", "Comment", "QueryLanguage", "Error", "Cause", "ErrorPath", "CausePath"});
  } else {
    type.Fail(fmt::format("unknown state Type \"{}\" (Task, Pass, Wait, Choice, Succeed, Fail)", t));
  }

  s.input_path = NullablePath(node, "InputPath", false);
  s.output_path = NullablePath(node, "OutputPath", false);
  s.result_path = NullablePath(node, "ResultPath", true);
  if (auto p = node.Get("Parameters")) {
    ValidatePayloadTemplate(*p);
    s.parameters = p->json();
  }
  if (auto p = node.Get("ResultSelector")) {
    p->ExpectObject();
    ValidatePayloadTemplate(*p);
    s.result_selector = p->json();
  }
  if (s.type == StateType::kTask || s.type == StateType::kPass || s.type == StateType::kWait) LoadTransition(node, s);

  switch (s.type) {
    case StateType::kTask: {
      if (auto r = node.Get("Retry")) {
        r->ExpectArray();
        for (size_t i = 0; i < r->Size(); ++i) s.retry.push_back(LoadRetrier(r->At(i), i + 1 == r->Size()));
      }
      if (auto c = node.Get("Catch")) {
        c->ExpectArray();
        for (size_t i = 0; i < c->Size(); ++i) s.catchers.push_back(LoadCatcher(c->At(i), i + 1 == c->Size()));
      }
      s.timeout_seconds = OptionalSeconds(node, "TimeoutSeconds", 1);
      s.heartbeat_seconds = OptionalSeconds(node, "HeartbeatSeconds", 1);
      if (auto p = node.Get("TimeoutSecondsPath")) {
        if (s.timeout_seconds) p->Fail("TimeoutSeconds and TimeoutSecondsPath are exclusive");
        s.timeout_seconds_path = RequirePath(*p, false);
      }
      if (auto p = node.Get("HeartbeatSecondsPath")) {
        if (s.heartbeat_seconds) p->Fail("HeartbeatSeconds and HeartbeatSecondsPath are exclusive");
        s.heartbeat_seconds_path = RequirePath(*p, false);
      }
      int64_t timeout = s.timeout_seconds.value_or(kDefaultTaskTimeoutSeconds);
      if (s.heartbeat_seconds && *s.heartbeat_seconds >= timeout)
        node.Require("HeartbeatSeconds")
            .Fail(fmt::format("HeartbeatSeconds ({}) must be smaller than TimeoutSeconds ({})", *s.heartbeat_seconds,
                              timeout));
      break;
    }
    case StateType::kPass:
      if (auto r = node.Get("Result")) s.result = r->json();
      break;
    case StateType::kWait: {
      int count = 0;
      for (const char* k : {"Seconds", "Timestamp", "SecondsPath", "TimestampPath"}) count += node.Has(k);
      if (count != 1) node.Fail("a Wait state needs exactly one of Seconds, Timestamp, SecondsPath, TimestampPath");
      if (auto n = node.Get("Seconds")) s.seconds = n->AsIntInRange(0, kMaxSeconds);
      if (auto n = node.Get("Timestamp")) {
        s.timestamp = n->AsString();
        if (!sim::ParseIso8601Ms(*s.timestamp)) n->Fail("Timestamp must be ISO-8601, e.g. 2024-05-14T01:12:00Z");
      }
      if (auto n = node.Get("SecondsPath")) s.seconds_path = RequirePath(*n, true);
      if (auto n = node.Get("TimestampPath")) s.timestamp_path = RequirePath(*n, true);
      break;
    }
    case StateType::kChoice: {
      Node choices = node.Require("Choices");
      choices.ExpectArray();
      if (choices.Size() == 0) choices.Fail("Choices must hold at least one rule");
      for (size_t i = 0; i < choices.Size(); ++i) s.choices.push_back(LoadRule(choices.At(i), true));
      s.default_next = node.GetString("Default", "");
      break;
    }
    case StateType::kFail:
      s.error = node.GetString("Error", "");
      s.cause = node.GetString("Cause", "");
      if (auto n = node.Get("ErrorPath")) {
        if (node.Has("Error")) n->Fail("Error and ErrorPath are exclusive");
        s.error_path = RequirePath(*n, true);
      }
      if (auto n = node.Get("CausePath")) {
        if (node.Has("Cause")) n->Fail("Cause and CausePath are exclusive");
        s.cause_path = RequirePath(*n, true);
      }
      break;
    case StateType::kSucceed:
      break;
  }
  return s;
}

void CheckTarget(const StateMachine& m, const Node& where, const std::string& target) {
  if (!m.states.count(target)) where.Fail(fmt::format("no state named '{}'", target));
}

void CollectTargets(const ChoiceRule& rule, std::vector<std::string>& out) {
  if (!rule.next.empty()) out.push_back(rule.next);
}

}  // namespace

StateMachine LoadStateMachine(const Node& definition) {
  definition.ExpectObject();
  definition.AllowOnly({"Comment", "StartAt", "States", "TimeoutSeconds", "Version", "QueryLanguage"});
  StateMachine m;
  m.file = definition.document().file();
  m.comment = definition.GetString("Comment", "");
  if (auto q = definition.Get("QueryLanguage"); q && q->AsString() != "JSONPath")
    q->Fail("only the JSONPath query language is modelled");
  if (auto v = definition.Get("Version"); v && v->AsString() != "1.0") v->Fail("Version must be \"1.0\"");
  if (auto t = definition.Get("TimeoutSeconds")) m.timeout_seconds = t->AsIntInRange(1, kMaxSeconds);
  Node start = definition.Require("StartAt");
  m.start_at = start.AsString();
  Node states = definition.Require("States");
  states.ExpectObject();
  if (states.Size() == 0) states.Fail("States must define at least one state");
  for (const auto& name : states.Keys()) {
    if (name.empty() || name.size() > 80) states.Get(name)->Fail("state names are 1..80 characters");
    m.states.emplace(name, LoadState(*states.Get(name), name));
    m.state_order.push_back(name);
  }

  // Transitions name existing states.
  CheckTarget(m, start, m.start_at);
  for (const auto& name : m.state_order) {
    const State& s = m.states.at(name);
    Node sn = *states.Get(name);
    if (!s.next.empty()) CheckTarget(m, sn.Require("Next"), s.next);
    for (size_t i = 0; i < s.catchers.size(); ++i)
      CheckTarget(m, sn.Require("Catch").At(i).Require("Next"), s.catchers[i].next);
    for (size_t i = 0; i < s.choices.size(); ++i)
      CheckTarget(m, sn.Require("Choices").At(i).Require("Next"), s.choices[i].next);
    if (!s.default_next.empty()) CheckTarget(m, sn.Require("Default"), s.default_next);
  }

  // Every state is reachable from StartAt (CreateStateMachine rejects others).
  std::set<std::string> seen{m.start_at};
  std::vector<std::string> todo{m.start_at};
  while (!todo.empty()) {
    const State& s = m.states.at(todo.back());
    todo.pop_back();
    std::vector<std::string> targets;
    if (!s.next.empty()) targets.push_back(s.next);
    if (!s.default_next.empty()) targets.push_back(s.default_next);
    for (const auto& c : s.catchers) targets.push_back(c.next);
    for (const auto& r : s.choices) CollectTargets(r, targets);
    for (const auto& t : targets)
      if (seen.insert(t).second) todo.push_back(t);
  }
  for (const auto& name : m.state_order)
    if (!seen.count(name)) states.Get(name)->Fail(fmt::format("state '{}' is not reachable from StartAt", name));
  return m;
}

}  // namespace fakes::stepfunctions
