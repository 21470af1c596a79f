#include "fakes/stepfunctions/choice.h"

#include <fmt/format.h>

#include "fakes/stepfunctions/data_flow.h"
#include "fakes/stepfunctions/json_path.h"

namespace fakes::stepfunctions {

using sim::Json;

namespace {

std::optional<Json> Lookup(const std::string& path, const Json& input, const Json& context) {
  bool ctx = path.compare(0, 2, "$$") == 0;
  auto parsed = JsonPath::Parse(ctx ? std::string_view(path).substr(1) : std::string_view(path));
  if (!parsed) throw StatesError(kErrorRuntime, fmt::format("invalid path '{}'", path));
  return parsed->Evaluate(ctx ? context : input);
}

bool StartsWith(const std::string& s, std::string_view p) { return s.compare(0, p.size(), p) == 0; }

// -1, 0, 1 for an ordered comparison.
template <typename T>
int Order(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

bool ApplyOrder(std::string_view op, int c) {
  if (op == "Equals") return c == 0;
  if (op == "LessThan") return c < 0;
  if (op == "GreaterThan") return c > 0;
  if (op == "LessThanEquals") return c <= 0;
  return c >= 0;  // GreaterThanEquals
}

}  // namespace

bool WildcardMatch(const std::string& pattern, const std::string& text) {
  // Tokenize: literal chars and stars.
  std::vector<int> tokens;  // -1 = star, else a char
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '\\' && i + 1 < pattern.size()) {
      tokens.push_back(static_cast<unsigned char>(pattern[++i]));
    } else if (pattern[i] == '*') {
      tokens.push_back(-1);
    } else {
      tokens.push_back(static_cast<unsigned char>(pattern[i]));
    }
  }
  // Greedy matching with backtracking to the last star: O(n*m) worst case.
  size_t t = 0, p = 0, star_p = std::string::npos, star_t = 0;
  while (t < text.size()) {
    if (p < tokens.size() && tokens[p] == static_cast<unsigned char>(text[t])) {
      ++p;
      ++t;
    } else if (p < tokens.size() && tokens[p] == -1) {
      star_p = p++;
      star_t = t;
    } else if (star_p != std::string::npos) {
      p = star_p + 1;
      t = ++star_t;
    } else {
      return false;
    }
  }
  while (p < tokens.size() && tokens[p] == -1) ++p;
  return p == tokens.size();
}

bool EvaluateRule(const ChoiceRule& rule, const Json& input, const Json& context) {
  switch (rule.kind) {
    case ChoiceRule::Kind::kAnd:
      for (const auto& c : rule.children)
        if (!EvaluateRule(c, input, context)) return false;
      return true;
    case ChoiceRule::Kind::kOr:
      for (const auto& c : rule.children)
        if (EvaluateRule(c, input, context)) return true;
      return false;
    case ChoiceRule::Kind::kNot:
      return !EvaluateRule(rule.children.at(0), input, context);
    case ChoiceRule::Kind::kCompare:
      break;
  }
  const std::string& op = rule.comparator;
  std::optional<Json> value = Lookup(rule.variable, input, context);
  if (op == "IsPresent") return value.has_value() == rule.operand.get<bool>();
  if (!value)
    throw StatesError(kErrorRuntime, fmt::format("Invalid path '{}': The choice state's condition path references an "
                                                 "invalid value.",
                                                 rule.variable));
  const Json& v = *value;
  if (op == "IsNull") return v.is_null() == rule.operand.get<bool>();
  if (op == "IsString") return v.is_string() == rule.operand.get<bool>();
  if (op == "IsNumeric") return v.is_number() == rule.operand.get<bool>();
  if (op == "IsBoolean") return v.is_boolean() == rule.operand.get<bool>();
  if (op == "IsTimestamp") {
    bool ts = v.is_string() && sim::ParseIso8601Ms(v.get<std::string>()).has_value();
    return ts == rule.operand.get<bool>();
  }
  if (op == "StringMatches") return v.is_string() && WildcardMatch(rule.operand.get<std::string>(), v.get<std::string>());

  // Resolve the operand of a "...Path" comparator.
  Json operand = rule.operand;
  std::string base = op;
  if (base.size() > 4 && base.compare(base.size() - 4, 4, "Path") == 0) {
    base.resize(base.size() - 4);
    auto other = Lookup(rule.operand.get<std::string>(), input, context);
    if (!other)
      throw StatesError(kErrorRuntime, fmt::format("Invalid path '{}': The choice state's condition path references "
                                                   "an invalid value.",
                                                   rule.operand.get<std::string>()));
    operand = *other;
  }
  if (base == "BooleanEquals") return v.is_boolean() && operand.is_boolean() && v == operand;
  if (StartsWith(base, "String")) {
    if (!v.is_string() || !operand.is_string()) return false;
    return ApplyOrder(std::string_view(base).substr(6), Order(v.get<std::string>(), operand.get<std::string>()));
  }
  if (StartsWith(base, "Numeric")) {
    if (!v.is_number() || !operand.is_number()) return false;
    return ApplyOrder(std::string_view(base).substr(7), Order(v.get<double>(), operand.get<double>()));
  }
  if (StartsWith(base, "Timestamp")) {
    if (!v.is_string() || !operand.is_string()) return false;
    auto a = sim::ParseIso8601Ms(v.get<std::string>());
    auto b = sim::ParseIso8601Ms(operand.get<std::string>());
    if (!a || !b) return false;
    return ApplyOrder(std::string_view(base).substr(9), Order(*a, *b));
  }
  throw StatesError(kErrorRuntime, "unknown comparator " + op);
}

std::string ChooseNext(const State& choice, const Json& input, const Json& context) {
  for (const auto& rule : choice.choices)
    if (EvaluateRule(rule, input, context)) return rule.next;
  if (!choice.default_next.empty()) return choice.default_next;
  throw StatesError(kErrorNoChoiceMatched,
                    fmt::format("No Matches! in state '{}' for input '{}'", choice.name, input.dump()));
}

}  // namespace fakes::stepfunctions
