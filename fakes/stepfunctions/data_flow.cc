#include "fakes/stepfunctions/data_flow.h"

#include <cmath>
#include <cstdlib>
#include <set>

#include <fmt/format.h>

#include "fakes/stepfunctions/json_path.h"

namespace fakes::stepfunctions {

using sim::Json;

namespace {

bool EndsWithDollar(const std::string& key) { return key.size() > 2 && key.compare(key.size() - 2, 2, ".$") == 0; }

const std::set<std::string, std::less<>>& KnownIntrinsics() {
  static const auto* names = new std::set<std::string, std::less<>>{
      "States.Format",        "States.StringToJson",   "States.JsonToString", "States.Array",
      "States.ArrayLength",   "States.ArrayGetItem",   "States.ArrayContains", "States.MathAdd",
      "States.StringSplit"};
  return *names;
}

// Parses and (when `eval`) evaluates an intrinsic call. Syntax errors throw
// std::invalid_argument; evaluation errors throw StatesError.
class IntrinsicParser {
 public:
  IntrinsicParser(std::string_view text, bool eval, const Json* input, const Json* context)
      : s_(text), eval_(eval), input_(input), context_(context) {}

  Json ParseTop() {
    Json v = ParseCall();
    SkipSpace();
    if (pos_ != s_.size()) Syntax("trailing characters");
    return v;
  }

 private:
  struct Arg {
    Json value;
    std::string raw;  // raw text of a string literal (escapes kept), for Format
    bool is_literal_string = false;
  };

  [[noreturn]] void Syntax(const std::string& what) const {
    throw std::invalid_argument(fmt::format("{} at offset {}", what, pos_));
  }
  [[noreturn]] void Runtime(const std::string& fn, const std::string& what) const {
    throw StatesError(kErrorRuntime, fmt::format("The function {} failed: {}", fn, what));
  }
  void SkipSpace() {
    while (pos_ < s_.size() && (s_[pos_] == ' ' || s_[pos_] == '\t')) ++pos_;
  }

  Json ParseCall() {
    SkipSpace();
    size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] != '(') ++pos_;
    std::string name(s_.substr(start, pos_ - start));
    while (!name.empty() && name.back() == ' ') name.pop_back();
    if (pos_ >= s_.size()) Syntax("expected '('");
    if (!KnownIntrinsics().count(name)) Syntax(fmt::format("unknown intrinsic function '{}'", name));
    ++pos_;  // '('
    std::vector<Arg> args;
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == ')') {
      ++pos_;
    } else {
      while (true) {
        args.push_back(ParseArg());
        SkipSpace();
        if (pos_ >= s_.size()) Syntax("expected ')'");
        char c = s_[pos_++];
        if (c == ')') break;
        if (c != ',') Syntax("expected ',' or ')'");
      }
    }
    if (!eval_) {
      CheckArity(name, args.size());
      return nullptr;
    }
    return Call(name, args);
  }

  void CheckArity(const std::string& name, size_t n) const {
    auto need = [&](size_t lo, size_t hi) {
      if (n < lo || n > hi) Syntax(fmt::format("{} takes {} argument(s), got {}", name, lo == hi ? std::to_string(lo) : fmt::format("{}..{}", lo, hi), n));
    };
    if (name == "States.Format") need(1, 1000);
    else if (name == "States.StringToJson" || name == "States.JsonToString" || name == "States.ArrayLength") need(1, 1);
    else if (name == "States.ArrayGetItem" || name == "States.ArrayContains" || name == "States.MathAdd" ||
             name == "States.StringSplit") need(2, 2);
  }

  Arg ParseArg() {
    SkipSpace();
    Arg arg;
    if (pos_ >= s_.size()) Syntax("expected an argument");
    char c = s_[pos_];
    if (c == '\'') {
      ++pos_;
      std::string value;
      while (true) {
        if (pos_ >= s_.size()) Syntax("unterminated string");
        char d = s_[pos_++];
        if (d == '\'') break;
        if (d == '\\') {
          if (pos_ >= s_.size()) Syntax("dangling escape");
          arg.raw += d;
          d = s_[pos_++];
        }
        arg.raw += d;
        value += d;
      }
      arg.value = value;
      arg.is_literal_string = true;
      return arg;
    }
    if (c == '$') {
      size_t start = pos_;
      int depth = 0;
      char quote = 0;
      while (pos_ < s_.size()) {
        char d = s_[pos_];
        if (quote) {
          if (d == quote) quote = 0;
        } else if (d == '\'' || d == '"') {
          quote = d;
        } else if (d == '[' || d == '(') {
          ++depth;
        } else if (d == ']' || (d == ')' && depth > 0)) {
          --depth;
        } else if (depth == 0 && (d == ',' || d == ')')) {
          break;
        }
        ++pos_;
      }
      std::string path(s_.substr(start, pos_ - start));
      while (!path.empty() && path.back() == ' ') path.pop_back();
      std::string err = CheckPath(path, /*allow_context=*/true);
      if (!err.empty()) Syntax(err);
      if (eval_) arg.value = ReadPath(path, *input_, *context_, path);
      return arg;
    }
    if (s_.substr(pos_, 7) == "States.") {
      arg.value = ParseCall();
      return arg;
    }
    for (auto [word, value] : {std::pair<std::string_view, Json>{"true", true}, {"false", false}, {"null", nullptr}}) {
      if (s_.substr(pos_, word.size()) == word) {
        pos_ += word.size();
        arg.value = value;
        return arg;
      }
    }
    size_t start = pos_;
    while (pos_ < s_.size() && std::string_view("+-0123456789.eE").find(s_[pos_]) != std::string_view::npos) ++pos_;
    std::string num(s_.substr(start, pos_ - start));
    if (num.empty()) Syntax("expected a string, number, path or function");
    char* end = nullptr;
    if (num.find_first_of(".eE") == std::string::npos) {
      long long v = std::strtoll(num.c_str(), &end, 10);
      if (end != num.c_str() + num.size()) Syntax("bad number");
      arg.value = static_cast<int64_t>(v);
    } else {
      double v = std::strtod(num.c_str(), &end);
      if (end != num.c_str() + num.size()) Syntax("bad number");
      arg.value = v;
    }
    return arg;
  }

  static std::string Render(const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

  Json Call(const std::string& name, const std::vector<Arg>& args) {
    CheckArity(name, args.size());
    if (name == "States.Format") {
      if (!args[0].value.is_string()) Runtime(name, "the template must be a string");
      // Work on the raw literal so that \{ and \} stay literal braces.
      std::string tmpl = args[0].is_literal_string ? args[0].raw : args[0].value.get<std::string>();
      std::string out;
      size_t next = 1;
      for (size_t i = 0; i < tmpl.size(); ++i) {
        if (tmpl[i] == '\\' && i + 1 < tmpl.size() && args[0].is_literal_string) {
          out += tmpl[++i];
        } else if (tmpl[i] == '{' && i + 1 < tmpl.size() && tmpl[i + 1] == '}') {
          if (next >= args.size()) Runtime(name, "more {} placeholders than arguments");
          out += Render(args[next++].value);
          ++i;
        } else {
          out += tmpl[i];
        }
      }
      if (next != args.size()) Runtime(name, "more arguments than {} placeholders");
      return out;
    }
    if (name == "States.StringToJson") {
      if (!args[0].value.is_string()) Runtime(name, "the argument must be a string");
      try {
        return Json::parse(args[0].value.get<std::string>());
      } catch (const nlohmann::json::parse_error&) {
        Runtime(name, "the argument is not valid JSON");
      }
    }
    if (name == "States.JsonToString") return args[0].value.dump();
    if (name == "States.Array") {
      Json out = Json::array();
      for (const auto& a : args) out.push_back(a.value);
      return out;
    }
    if (name == "States.ArrayLength") {
      if (!args[0].value.is_array()) Runtime(name, "the argument must be an array");
      return static_cast<int64_t>(args[0].value.size());
    }
    if (name == "States.ArrayGetItem") {
      const Json& a = args[0].value;
      const Json& i = args[1].value;
      if (!a.is_array() || !i.is_number_integer()) Runtime(name, "expects (array, integer)");
      int64_t idx = i.get<int64_t>();
      if (idx < 0 || idx >= static_cast<int64_t>(a.size())) Runtime(name, "index out of bounds");
      return a[static_cast<size_t>(idx)];
    }
    if (name == "States.ArrayContains") {
      if (!args[0].value.is_array()) Runtime(name, "the first argument must be an array");
      for (const auto& e : args[0].value)
        if (e == args[1].value) return true;
      return false;
    }
    if (name == "States.MathAdd") {
      const Json& a = args[0].value;
      const Json& b = args[1].value;
      if (!a.is_number_integer() || !b.is_number_integer()) Runtime(name, "expects two integers");
      return a.get<int64_t>() + b.get<int64_t>();
    }
    // States.StringSplit
    if (!args[0].value.is_string() || !args[1].value.is_string()) Runtime(name, "expects (string, string)");
    const std::string& s = args[0].value.get_ref<const std::string&>();
    const std::string& delims = args[1].value.get_ref<const std::string&>();
    Json out = Json::array();
    std::string cur;
    for (char c : s) {
      if (delims.find(c) != std::string::npos) {
        if (!cur.empty()) out.push_back(cur);
        cur.clear();
      } else {
        cur += c;
      }
    }
    if (!cur.empty()) out.push_back(cur);
    return out;
  }

  std::string_view s_;
  size_t pos_ = 0;
  bool eval_;
  const Json* input_;
  const Json* context_;
};

std::string Shorten(const Json& v) {
  std::string s = v.dump();
  return s.size() > 256 ? s.substr(0, 256) + "..." : s;
}

}  // namespace

std::string CheckPath(std::string_view text, bool allow_context) {
  if (allow_context && text.substr(0, 2) == "$$") text.remove_prefix(1);
  std::string error;
  if (!JsonPath::Parse(text, &error)) return error;
  return "";
}

std::string CheckReferencePath(std::string_view text) {
  std::string error;
  auto path = JsonPath::Parse(text, &error);
  if (!path) return error;
  if (!path->IsReferencePath()) return fmt::format("'{}' is not a reference path (only fields and indices)", text);
  return "";
}

std::string CheckDynamicValue(std::string_view text) {
  if (text.substr(0, 1) == "$") return CheckPath(text, /*allow_context=*/true);
  if (text.substr(0, 7) == "States.") {
    try {
      IntrinsicParser(text, /*eval=*/false, nullptr, nullptr).ParseTop();
    } catch (const std::invalid_argument& e) {
      return fmt::format("invalid intrinsic function '{}': {}", text, e.what());
    }
    return "";
  }
  return fmt::format("'{}' is neither a JSONPath nor an intrinsic function", text);
}

void ValidatePayloadTemplate(const sim::Node& node) {
  if (node.IsObject()) {
    for (const auto& key : node.Keys()) {
      sim::Node child = *node.Get(key);
      if (EndsWithDollar(key)) {
        if (!child.IsString()) child.Fail("a field ending in '.$' must hold a path or intrinsic function string");
        std::string err = CheckDynamicValue(child.AsString());
        if (!err.empty()) child.Fail(err);
      } else {
        ValidatePayloadTemplate(child);
      }
    }
  } else if (node.IsArray()) {
    for (size_t i = 0; i < node.Size(); ++i) ValidatePayloadTemplate(node.At(i));
  }
}

Json ReadPath(const std::string& path, const Json& input, const Json& context, const std::string& field) {
  bool ctx = path.compare(0, 2, "$$") == 0;
  std::string_view text = ctx ? std::string_view(path).substr(1) : std::string_view(path);
  std::string error;
  auto parsed = JsonPath::Parse(text, &error);
  if (!parsed) throw StatesError(kErrorRuntime, error);
  const Json& root = ctx ? context : input;
  auto value = parsed->Evaluate(root);
  if (!value)
    throw StatesError(kErrorRuntime,
                      fmt::format("The JSONPath '{}' specified for the field '{}' could not be found in the input '{}'",
                                  path, field, Shorten(root)));
  return *value;
}

Json ApplyInputPath(const std::optional<std::string>& path, const Json& input) {
  if (!path) return Json::object();
  if (*path == "$") return input;
  try {
    return ReadPath(*path, input, Json(), "InputPath");
  } catch (const StatesError&) {
    throw StatesError(kErrorRuntime, fmt::format("Invalid path '{}' : No results for path: {} in input '{}'", *path,
                                                 *path, Shorten(input)));
  }
}

Json ApplyOutputPath(const std::optional<std::string>& path, const Json& output) {
  if (!path) return Json::object();
  if (*path == "$") return output;
  try {
    return ReadPath(*path, output, Json(), "OutputPath");
  } catch (const StatesError&) {
    throw StatesError(kErrorRuntime, fmt::format("Invalid path '{}' : No results for path: {} in output '{}'", *path,
                                                 *path, Shorten(output)));
  }
}

Json EvaluateIntrinsic(std::string_view expression, const Json& input, const Json& context) {
  try {
    return IntrinsicParser(expression, /*eval=*/true, &input, &context).ParseTop();
  } catch (const std::invalid_argument& e) {
    throw StatesError(kErrorRuntime, fmt::format("invalid intrinsic function '{}': {}", expression, e.what()));
  }
}

Json ApplyPayloadTemplate(const Json& tmpl, const Json& input, const Json& context) {
  if (tmpl.is_array()) {
    Json out = Json::array();
    for (const auto& e : tmpl) out.push_back(ApplyPayloadTemplate(e, input, context));
    return out;
  }
  if (!tmpl.is_object()) return tmpl;
  Json out = Json::object();
  for (auto it = tmpl.begin(); it != tmpl.end(); ++it) {
    const std::string& key = it.key();
    if (!EndsWithDollar(key)) {
      out[key] = ApplyPayloadTemplate(it.value(), input, context);
      continue;
    }
    std::string name = key.substr(0, key.size() - 2);
    if (!it.value().is_string())
      throw StatesError(kErrorRuntime, fmt::format("The value for the field '{}' must be a STRING", key));
    const std::string& expr = it.value().get_ref<const std::string&>();
    if (expr.compare(0, 7, "States.") == 0)
      out[name] = EvaluateIntrinsic(expr, input, context);
    else
      out[name] = ReadPath(expr, input, context, key);
  }
  return out;
}

Json ApplyResultPath(const std::optional<std::string>& path, const Json& state_input, Json result) {
  if (!path) return state_input;
  if (*path == "$") return result;
  std::string error;
  auto parsed = JsonPath::Parse(*path, &error);
  if (!parsed || !parsed->IsReferencePath())
    throw StatesError(kErrorResultPathMatchFailure, error.empty() ? "ResultPath is not a reference path" : error);
  Json out = state_input;
  if (!parsed->Assign(&out, std::move(result)))
    throw StatesError(kErrorResultPathMatchFailure,
                      fmt::format("Unable to apply ResultPath \"{}\" to input \"{}\"", *path, Shorten(state_input)));
  return out;
}

}  // namespace fakes::stepfunctions
