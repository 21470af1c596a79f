#include "fakes/events/event_pattern.h"

#include <algorithm>
#include <cctype>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace fakes::events {
namespace {

using Matcher = EventPattern::Matcher;
using Kind = EventPattern::Matcher::Kind;
using Object = EventPattern::Object;
using sim::Json;
using sim::Node;

constexpr std::string_view kOr = "$or";

[[noreturn]] void Invalid(const Node& at, const std::string& reason) {
  at.Fail("Event pattern is not valid. Reason: " + reason);
}

std::string LowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// ---------------------------------------------------------------- loading --

bool IsScalar(const Json& v) { return v.is_string() || v.is_number() || v.is_boolean() || v.is_null(); }

std::string StringOperand(const Node& n, const std::string& op) {
  if (!n.json().is_string()) Invalid(n, op + " match pattern must be a string");
  return n.json().get<std::string>();
}

void ValidateWildcard(const Node& n, const std::string& text) {
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\') {
      if (i + 1 >= text.size() || (text[i + 1] != '*' && text[i + 1] != '\\'))
        Invalid(n, fmt::format("Invalid escape character at pos {}", i));
      ++i;
    } else if (text[i] == '*' && i + 1 < text.size() && text[i + 1] == '*') {
      Invalid(n, fmt::format("Consecutive wildcard characters at pos {}", i + 1));
    }
  }
}

double NumericOperand(const Node& n, const std::string& op) {
  if (!n.json().is_number()) Invalid(n, fmt::format("Value of {} must be numeric", op == "=" ? "equals" : op));
  return n.json().get<double>();
}

Matcher LoadNumeric(const Node& list) {
  if (!list.IsArray()) Invalid(list, "Value of numeric must be an array.");
  Matcher m;
  m.kind = Kind::kNumeric;
  size_t size = list.Size();
  if (size == 0 || !list.At(0).json().is_string())
    Invalid(size == 0 ? list : list.At(0),
            "Invalid member in numeric match: " + (size == 0 ? std::string("]") : list.At(0).json().dump()));
  std::string op = list.At(0).json().get<std::string>();
  if (op != "=" && op != "<" && op != "<=" && op != ">" && op != ">=")
    Invalid(list.At(0), "Unrecognized numeric range operator: " + op);
  if (size < 2) Invalid(list, fmt::format("Value of {} must be numeric", op == "=" ? "equals" : op));
  double v = NumericOperand(list.At(1), op);
  if (op == "=") {
    m.lower = m.upper = v;
  } else if (op == "<" || op == "<=") {
    m.upper = v;
    m.upper_open = op == "<";
  } else {
    m.lower = v;
    m.lower_open = op == ">";
    if (size > 2) {
      const Node op2_node = list.At(2);
      if (!op2_node.json().is_string()) Invalid(op2_node, "Bad value in numeric range: " + op2_node.json().dump());
      std::string op2 = op2_node.json().get<std::string>();
      if (op2 != "<" && op2 != "<=") Invalid(op2_node, "Bad numeric range operator: " + op2);
      if (size < 4) Invalid(list, fmt::format("Value of {} must be numeric", op2));
      m.upper = NumericOperand(list.At(3), op2);
      m.upper_open = op2 == "<";
      if (size > 4) Invalid(list.At(4), "Too many terms in numeric range expression");
      if (*m.lower > *m.upper) Invalid(list, "Bottom must be less than top");
      return m;
    }
  }
  if (size > 2) Invalid(list.At(2), "Too many elements in numeric expression");
  return m;
}

Matcher LoadAnythingBut(const Node& n) {
  Matcher m;
  const Json& v = n.json();
  if (v.is_object()) {
    if (v.empty()) Invalid(n, "Anything-But expression name not found");
    if (v.size() > 1) Invalid(n, "Only one key allowed in match expression");
    std::string op = n.Keys().front();
    Node operand = *n.Get(op);
    if (op == "prefix" || op == "suffix") {
      if (!operand.json().is_string()) Invalid(operand, "prefix/suffix match pattern must be a string");
      m.text = operand.json().get<std::string>();
      if (m.text.empty()) Invalid(operand, "Null prefix/suffix not allowed");
      m.kind = op == "prefix" ? Kind::kAnythingButPrefix : Kind::kAnythingButSuffix;
      return m;
    }
    if (op == "equals-ignore-case") {
      m.kind = Kind::kAnythingButIgnoreCase;
      if (operand.json().is_string()) {
        m.texts.push_back(LowerAscii(operand.json().get<std::string>()));
      } else if (operand.IsArray() && operand.Size() > 0) {
        for (size_t i = 0; i < operand.Size(); ++i) {
          if (!operand.At(i).json().is_string())
            Invalid(operand.At(i),
                    "Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.");
          m.texts.push_back(LowerAscii(operand.At(i).json().get<std::string>()));
        }
      } else {
        Invalid(operand, "Value of anything-but/equals-ignore-case must be an array or single string value.");
      }
      return m;
    }
    Invalid(n, "Unsupported anything-but pattern: " + op);
  }
  m.kind = Kind::kAnythingBut;
  if (v.is_string() || v.is_number()) {
    m.values.push_back(v);
    return m;
  }
  if (!v.is_array()) Invalid(n, "Value of anything-but must be an array or single string/number value.");
  bool has_number = false, has_string = false;
  for (size_t i = 0; i < n.Size(); ++i) {
    const Json& item = n.At(i).json();
    if (item.is_string()) has_string = true;
    else if (item.is_number()) has_number = true;
    else Invalid(n.At(i), "Inside anything but list, start|null|boolean is not supported.");
    m.values.push_back(item);
  }
  if (has_number == has_string)
    Invalid(n, "Inside anything but list, either all values are number or string, mixed type is not supported");
  return m;
}

Matcher LoadMatchExpression(const Node& n) {
  if (n.Size() == 0) Invalid(n, "Match expression name not found");
  if (n.Size() > 1) Invalid(n, "Only one key allowed in match expression");
  std::string op = n.Keys().front();
  Node operand = *n.Get(op);
  Matcher m;
  if (op == "prefix" || op == "suffix" || op == "equals-ignore-case" || op == "wildcard") {
    m.text = StringOperand(operand, op);
    if (op == "prefix") m.kind = Kind::kPrefix;
    if (op == "suffix") m.kind = Kind::kSuffix;
    if (op == "equals-ignore-case") {
      m.kind = Kind::kEqualsIgnoreCase;
      m.text = LowerAscii(m.text);
    }
    if (op == "wildcard") {
      ValidateWildcard(operand, m.text);
      m.kind = Kind::kWildcard;
    }
    return m;
  }
  if (op == "anything-but") return LoadAnythingBut(operand);
  if (op == "numeric") return LoadNumeric(operand);
  if (op == "exists") {
    if (!operand.json().is_boolean()) Invalid(operand, "exists match pattern must be either true or false.");
    m.kind = Kind::kExists;
    m.exists = operand.json().get<bool>();
    return m;
  }
  if (op == "cidr") Invalid(n, "cidr matching is not modelled by ecsim");
  Invalid(n, "Unrecognized match type " + op);
}

Object LoadObject(const Node& n) {
  Object obj;
  if (n.Size() == 0) Invalid(n, "Empty objects are not allowed");
  for (const std::string& key : n.Keys()) {
    Node child = *n.Get(key);
    if (key == kOr) {
      if (!child.IsArray()) Invalid(child, "It must be an Array followed with $or.");
      if (child.Size() < 2) Invalid(child, "There must have at least 2 Objects in $or relationship.");
      std::vector<Object> alternatives;
      for (size_t i = 0; i < child.Size(); ++i) {
        Node alt = child.At(i);
        if (!alt.IsObject()) Invalid(alt, "Only JSON object is allowed in array of $or relationship.");
        alternatives.push_back(LoadObject(alt));
      }
      obj.any_of.push_back(std::move(alternatives));
      continue;
    }
    EventPattern::Field field;
    field.name = key;
    if (child.IsObject()) {
      field.nested = std::make_shared<Object>(LoadObject(child));
    } else if (child.IsArray()) {
      if (child.Size() == 0) Invalid(child, "Empty arrays are not allowed");
      for (size_t i = 0; i < child.Size(); ++i) {
        Node item = child.At(i);
        if (item.IsObject()) {
          field.matchers.push_back(LoadMatchExpression(item));
        } else if (IsScalar(item.json())) {
          Matcher m;
          m.kind = Kind::kExact;
          m.value = item.json();
          field.matchers.push_back(std::move(m));
        } else {
          Invalid(item, "Match value must be String, number, true, false, or null");
        }
      }
    } else {
      Invalid(child, fmt::format("\"{}\" must be an object or an array", key));
    }
    obj.fields.push_back(std::move(field));
  }
  return obj;
}

// --------------------------------------------------------------- matching --

bool StartsWith(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool EndsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}

// Glob with '*' (any run, possibly empty) and "\*" / "\\" escapes.
bool WildcardMatch(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0;
  size_t star_p = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star_p = ++p;
      star_t = t;
      continue;
    }
    if (p < pattern.size()) {
      char want = pattern[p];
      size_t step = 1;
      if (want == '\\' && p + 1 < pattern.size()) {
        want = pattern[p + 1];
        step = 2;
      }
      if (want == text[t]) {
        p += step;
        ++t;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    t = ++star_t;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

bool NumbersEqual(const Json& a, const Json& b) {
  if (a.is_number_integer() && b.is_number_integer()) {
    if (a.is_number_unsigned() || b.is_number_unsigned()) return a.get<uint64_t>() == b.get<uint64_t>();
    return a.get<int64_t>() == b.get<int64_t>();
  }
  return a.get<double>() == b.get<double>();
}

bool ValuesEqual(const Json& pattern, const Json& value) {
  if (pattern.is_number() && value.is_number()) return NumbersEqual(pattern, value);
  return pattern == value;
}

bool LeafMatches(const Matcher& m, const Json& v) {
  switch (m.kind) {
    case Kind::kExact:
      return ValuesEqual(m.value, v);
    case Kind::kPrefix:
      return v.is_string() && StartsWith(v.get_ref<const std::string&>(), m.text);
    case Kind::kSuffix:
      return v.is_string() && EndsWith(v.get_ref<const std::string&>(), m.text);
    case Kind::kEqualsIgnoreCase:
      return v.is_string() && LowerAscii(v.get_ref<const std::string&>()) == m.text;
    case Kind::kWildcard:
      return v.is_string() && WildcardMatch(m.text, v.get_ref<const std::string&>());
    case Kind::kAnythingBut:
      return std::none_of(m.values.begin(), m.values.end(), [&](const Json& x) { return ValuesEqual(x, v); });
    case Kind::kAnythingButPrefix:
      return v.is_string() && !StartsWith(v.get_ref<const std::string&>(), m.text);
    case Kind::kAnythingButSuffix:
      return v.is_string() && !EndsWith(v.get_ref<const std::string&>(), m.text);
    case Kind::kAnythingButIgnoreCase: {
      if (!v.is_string()) return false;
      std::string lower = LowerAscii(v.get_ref<const std::string&>());
      return std::find(m.texts.begin(), m.texts.end(), lower) == m.texts.end();
    }
    case Kind::kNumeric: {
      if (!v.is_number()) return false;
      double x = v.get<double>();
      if (m.lower && (m.lower_open ? !(x > *m.lower) : !(x >= *m.lower))) return false;
      if (m.upper && (m.upper_open ? !(x < *m.upper) : !(x <= *m.upper))) return false;
      return true;
    }
    case Kind::kExists:
      return false;  // handled on the whole field
  }
  return false;
}

// Leaf values of a field: the value itself, or the scalar elements of an
// array (nested arrays flattened). Objects are not leaves.
void CollectLeaves(const Json& v, std::vector<const Json*>& out) {
  if (v.is_array()) {
    for (const Json& e : v) CollectLeaves(e, out);
  } else if (!v.is_object()) {
    out.push_back(&v);
  }
}

void CollectObjects(const Json& v, std::vector<const Json*>& out) {
  if (v.is_array()) {
    for (const Json& e : v) CollectObjects(e, out);
  } else if (v.is_object()) {
    out.push_back(&v);
  }
}

bool ObjectMatches(const Object& pattern, const Json* obj);

bool FieldMatches(const EventPattern::Field& field, const Json* obj) {
  const Json* value = nullptr;
  if (obj != nullptr && obj->is_object()) {
    auto it = obj->find(field.name);
    if (it != obj->end()) value = &*it;
  }
  if (field.nested) {
    std::vector<const Json*> objects;
    if (value != nullptr) CollectObjects(*value, objects);
    if (objects.empty()) return ObjectMatches(*field.nested, nullptr);
    return std::any_of(objects.begin(), objects.end(),
                       [&](const Json* o) { return ObjectMatches(*field.nested, o); });
  }
  std::vector<const Json*> leaves;
  if (value != nullptr) CollectLeaves(*value, leaves);
  for (const Matcher& m : field.matchers) {
    if (m.kind == Kind::kExists) {
      if (m.exists == !leaves.empty()) return true;
      continue;
    }
    for (const Json* leaf : leaves)
      if (LeafMatches(m, *leaf)) return true;
  }
  return false;
}

bool ObjectMatches(const Object& pattern, const Json* obj) {
  for (const auto& field : pattern.fields)
    if (!FieldMatches(field, obj)) return false;
  for (const auto& group : pattern.any_of) {
    if (std::none_of(group.begin(), group.end(), [&](const Object& alt) { return ObjectMatches(alt, obj); }))
      return false;
  }
  return true;
}

}  // namespace

bool EventPattern::Matches(const sim::Json& event) const { return ObjectMatches(root_, &event); }

EventPattern LoadEventPattern(const sim::Node& node) {
  EventPattern pattern;
  if (!node.IsString()) {
    if (!node.IsObject()) Invalid(node, "Event pattern must be a JSON object");
    pattern.root_ = LoadObject(node);
    pattern.json_ = node.json();
    return pattern;
  }
  // A JSON string (PutRule's EventPattern): parse it as its own document and
  // report lines relative to the line of the string.
  const std::string text = node.AsString();
  // Lines inside the string map to file lines only for a YAML block scalar
  // (`EventPattern: |`), whose content starts on the line after the mark. In
  // a .json file the whole string sits on one line.
  const std::string& file = node.document().file();
  const bool json_file = file.size() >= 5 && file.compare(file.size() - 5, 5, ".json") == 0;
  const bool block = !json_file && text.find('\n') != std::string::npos;
  auto relocate = [&](const sim::InputError& e) {
    sim::SourceLocation where = node.Where();
    if (block && where.line > 0) where.line += std::max(e.where().line, 1);
    if (!e.where().key.empty()) where.key += (where.key.empty() ? "" : ".") + e.where().key;
    return sim::InputError(where, e.message());
  };
  try {
    auto doc = sim::Document::Parse(text, node.document().file(), /*strict_json=*/true);
    Node root = Node::Root(doc);
    if (!root.IsObject()) Invalid(root, "Event pattern must be a JSON object");
    pattern.root_ = LoadObject(root);
    pattern.json_ = root.json();
  } catch (const sim::InputError& e) {
    throw relocate(e);
  }
  return pattern;
}

}  // namespace fakes::events
