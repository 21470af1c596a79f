#include "fakes/stepfunctions/json_path.h"

#include <cstdlib>
#include <functional>
#include <stdexcept>

#include <fmt/format.h>

namespace fakes::stepfunctions {

using sim::Json;

namespace {

struct FilterExpr;

}  // namespace

struct JsonPath::Segment {
  enum class Kind { kName, kNames, kIndex, kWildcard, kSlice, kRecursive, kFilter };
  Kind kind = Kind::kName;
  std::vector<std::string> names;  // kName: one; kNames: ['a','b']
  int64_t index = 0;
  std::optional<int64_t> slice_start, slice_end;
  std::shared_ptr<const FilterExpr> filter;
};

namespace {

using Segment = JsonPath::Segment;
using Segments = std::vector<Segment>;

struct Operand {
  bool is_path = false;
  Segments path;  // relative to '@'
  Json literal;
};

struct FilterExpr {
  enum class Kind { kOr, kAnd, kCompare, kExists };
  Kind kind = Kind::kExists;
  std::vector<FilterExpr> children;  // kOr, kAnd
  std::string op;                    // kCompare
  Operand lhs, rhs;
};

class ParseError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  // root: '$' or '@' followed by segments.
  Segments ParsePath(char root, bool in_filter, bool* definite) {
    if (!Eat(root)) Throw(fmt::format("must start with '{}'", root));
    Segments out;
    while (!AtEnd()) {
      char c = s_[pos_];
      if (in_filter && c != '.' && c != '[') break;
      if (c == '.') {
        ++pos_;
        if (Eat('.')) {
          *definite = false;
          out.push_back(Segment{Segment::Kind::kRecursive});
          if (Peek() == '[') continue;
        }
        if (Eat('*')) {
          *definite = false;
          out.push_back(Segment{Segment::Kind::kWildcard});
          continue;
        }
        std::string name = ParseName(in_filter);
        if (name.empty()) Throw("expected a field name after '.'");
        Segment seg{Segment::Kind::kName};
        seg.names.push_back(name);
        out.push_back(std::move(seg));
      } else if (c == '[') {
        ++pos_;
        out.push_back(ParseBracket(definite));
      } else {
        Throw(fmt::format("unexpected '{}'", c));
      }
    }
    return out;
  }

  bool AtEnd() const { return pos_ >= s_.size(); }
  size_t pos() const { return pos_; }

 private:
  [[noreturn]] void Throw(const std::string& what) const {
    throw ParseError(fmt::format("{} at offset {}", what, pos_));
  }
  char Peek() const { return AtEnd() ? '\0' : s_[pos_]; }
  bool Eat(char c) {
    if (Peek() != c) return false;
    ++pos_;
    return true;
  }
  bool EatStr(std::string_view t) {
    if (s_.substr(pos_, t.size()) != t) return false;
    pos_ += t.size();
    return true;
  }
  void SkipSpace() {
    while (!AtEnd() && (s_[pos_] == ' ' || s_[pos_] == '\t')) ++pos_;
  }
  void Expect(char c) {
    if (!Eat(c)) Throw(fmt::format("expected '{}'", c));
  }

  std::string ParseName(bool in_filter) {
    std::string name;
    while (!AtEnd()) {
      char c = s_[pos_];
      if (c == '.' || c == '[') break;
      if (in_filter && (c == ' ' || c == ')' || c == '=' || c == '!' || c == '<' || c == '>' || c == '&' ||
                        c == '|' || c == '\t'))
        break;
      name += c;
      ++pos_;
    }
    return name;
  }

  std::string ParseQuoted() {
    char q = Peek();
    if (q != '\'' && q != '"') Throw("expected a quoted name");
    ++pos_;
    std::string out;
    while (true) {
      if (AtEnd()) Throw("unterminated string");
      char c = s_[pos_++];
      if (c == q) break;
      if (c == '\\' && !AtEnd()) c = s_[pos_++];
      out += c;
    }
    return out;
  }

  std::optional<int64_t> ParseInt() {
    size_t start = pos_;
    if (Peek() == '-') ++pos_;
    while (!AtEnd() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    if (pos_ == start || (pos_ == start + 1 && s_[start] == '-')) {
      pos_ = start;
      return std::nullopt;
    }
    return std::strtoll(std::string(s_.substr(start, pos_ - start)).c_str(), nullptr, 10);
  }

  Segment ParseBracket(bool* definite) {
    SkipSpace();
    Segment seg;
    if (Eat('*')) {
      *definite = false;
      seg.kind = Segment::Kind::kWildcard;
    } else if (Peek() == '\'' || Peek() == '"') {
      seg.kind = Segment::Kind::kName;
      seg.names.push_back(ParseQuoted());
      SkipSpace();
      while (Eat(',')) {
        SkipSpace();
        seg.kind = Segment::Kind::kNames;
        *definite = false;
        seg.names.push_back(ParseQuoted());
        SkipSpace();
      }
    } else if (Eat('?')) {
      *definite = false;
      seg.kind = Segment::Kind::kFilter;
      Expect('(');
      seg.filter = std::make_shared<FilterExpr>(ParseOr());
      SkipSpace();
      Expect(')');
    } else {
      auto first = ParseInt();
      SkipSpace();
      if (Eat(':')) {
        *definite = false;
        seg.kind = Segment::Kind::kSlice;
        seg.slice_start = first;
        SkipSpace();
        seg.slice_end = ParseInt();
      } else {
        if (!first) Throw("expected *, an index, a quoted name or ?( ) inside [ ]");
        seg.kind = Segment::Kind::kIndex;
        seg.index = *first;
      }
    }
    SkipSpace();
    Expect(']');
    return seg;
  }

  FilterExpr ParseOr() {
    FilterExpr first = ParseAnd();
    SkipSpace();
    if (s_.substr(pos_, 2) != "||") return first;
    FilterExpr out;
    out.kind = FilterExpr::Kind::kOr;
    out.children.push_back(std::move(first));
    while (EatStr("||")) {
      out.children.push_back(ParseAnd());
      SkipSpace();
    }
    return out;
  }

  FilterExpr ParseAnd() {
    FilterExpr first = ParsePrimary();
    SkipSpace();
    if (s_.substr(pos_, 2) != "&&") return first;
    FilterExpr out;
    out.kind = FilterExpr::Kind::kAnd;
    out.children.push_back(std::move(first));
    while (EatStr("&&")) {
      out.children.push_back(ParsePrimary());
      SkipSpace();
    }
    return out;
  }

  FilterExpr ParsePrimary() {
    SkipSpace();
    if (Eat('(')) {
      FilterExpr inner = ParseOr();
      SkipSpace();
      Expect(')');
      return inner;
    }
    FilterExpr out;
    out.lhs = ParseOperand();
    SkipSpace();
    for (std::string_view op : {"==", "!=", "<=", ">=", "<", ">"}) {
      if (EatStr(op)) {
        out.kind = FilterExpr::Kind::kCompare;
        out.op = std::string(op);
        SkipSpace();
        out.rhs = ParseOperand();
        return out;
      }
    }
    if (!out.lhs.is_path) Throw("a literal alone is not a filter");
    out.kind = FilterExpr::Kind::kExists;
    return out;
  }

  Operand ParseOperand() {
    SkipSpace();
    Operand op;
    char c = Peek();
    if (c == '@') {
      op.is_path = true;
      bool ignored = true;
      op.path = ParsePath('@', /*in_filter=*/true, &ignored);
      return op;
    }
    if (c == '\'' || c == '"') {
      op.literal = ParseQuoted();
      return op;
    }
    if (EatStr("true")) {
      op.literal = true;
      return op;
    }
    if (EatStr("false")) {
      op.literal = false;
      return op;
    }
    if (EatStr("null")) {
      op.literal = nullptr;
      return op;
    }
    size_t start = pos_;
    while (!AtEnd() && std::string_view("+-0123456789.eE").find(s_[pos_]) != std::string_view::npos) ++pos_;
    std::string num(s_.substr(start, pos_ - start));
    if (num.empty()) Throw("expected @path or a literal");
    char* end = nullptr;
    if (num.find_first_of(".eE") == std::string::npos) {
      long long v = std::strtoll(num.c_str(), &end, 10);
      if (end != num.c_str() + num.size()) Throw("bad number");
      op.literal = static_cast<int64_t>(v);
    } else {
      double v = std::strtod(num.c_str(), &end);
      if (end != num.c_str() + num.size()) Throw("bad number");
      op.literal = v;
    }
    return op;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

void Descendants(const Json* node, std::vector<const Json*>& out) {
  out.push_back(node);
  if (node->is_object() || node->is_array())
    for (const auto& child : *node) Descendants(&child, out);
}

std::vector<const Json*> Apply(const Segments& segs, const Json& root);

std::optional<Json> OperandValue(const Operand& op, const Json& current) {
  if (!op.is_path) return op.literal;
  auto matches = Apply(op.path, current);
  if (matches.size() != 1) return std::nullopt;
  return *matches[0];
}

bool Compare(const Json& a, const Json& b, const std::string& op) {
  if (a.is_number() && b.is_number()) {
    double x = a.get<double>(), y = b.get<double>();
    if (op == "==") return x == y;
    if (op == "!=") return x != y;
    if (op == "<") return x < y;
    if (op == "<=") return x <= y;
    if (op == ">") return x > y;
    return x >= y;
  }
  if (a.is_string() && b.is_string()) {
    int c = a.get_ref<const std::string&>().compare(b.get_ref<const std::string&>());
    if (op == "==") return c == 0;
    if (op == "!=") return c != 0;
    if (op == "<") return c < 0;
    if (op == "<=") return c <= 0;
    if (op == ">") return c > 0;
    return c >= 0;
  }
  if (op == "==") return a == b;
  if (op == "!=") return a != b;
  return false;  // ordering between other types is never true
}

bool Matches(const FilterExpr& e, const Json& current) {
  switch (e.kind) {
    case FilterExpr::Kind::kOr:
      for (const auto& c : e.children)
        if (Matches(c, current)) return true;
      return false;
    case FilterExpr::Kind::kAnd:
      for (const auto& c : e.children)
        if (!Matches(c, current)) return false;
      return true;
    case FilterExpr::Kind::kExists:
      return !Apply(e.lhs.path, current).empty();
    case FilterExpr::Kind::kCompare: {
      auto a = OperandValue(e.lhs, current);
      auto b = OperandValue(e.rhs, current);
      if (!a || !b) return false;  // a missing field never matches
      return Compare(*a, *b, e.op);
    }
  }
  return false;
}

int64_t Normalize(int64_t i, int64_t size) { return i < 0 ? i + size : i; }

std::vector<const Json*> Apply(const Segments& segs, const Json& root) {
  std::vector<const Json*> cur{&root};
  for (const Segment& seg : segs) {
    std::vector<const Json*> next;
    for (const Json* node : cur) {
      switch (seg.kind) {
        case Segment::Kind::kName:
        case Segment::Kind::kNames:
          if (node->is_object())
            for (const auto& n : seg.names) {
              auto it = node->find(n);
              if (it != node->end()) next.push_back(&*it);
            }
          break;
        case Segment::Kind::kIndex:
          if (node->is_array()) {
            int64_t size = static_cast<int64_t>(node->size());
            int64_t i = Normalize(seg.index, size);
            if (i >= 0 && i < size) next.push_back(&(*node)[static_cast<size_t>(i)]);
          }
          break;
        case Segment::Kind::kWildcard:
          if (node->is_object() || node->is_array())
            for (const auto& child : *node) next.push_back(&child);
          break;
        case Segment::Kind::kSlice:
          if (node->is_array()) {
            int64_t size = static_cast<int64_t>(node->size());
            int64_t lo = std::max<int64_t>(0, seg.slice_start ? Normalize(*seg.slice_start, size) : 0);
            int64_t hi = std::min<int64_t>(size, seg.slice_end ? Normalize(*seg.slice_end, size) : size);
            for (int64_t i = lo; i < hi; ++i) next.push_back(&(*node)[static_cast<size_t>(i)]);
          }
          break;
        case Segment::Kind::kRecursive:
          Descendants(node, next);
          break;
        case Segment::Kind::kFilter:
          if (node->is_array()) {
            for (const auto& child : *node)
              if (Matches(*seg.filter, child)) next.push_back(&child);
          } else if (node->is_object() && Matches(*seg.filter, *node)) {
            next.push_back(node);
          }
          break;
      }
    }
    cur = std::move(next);
  }
  return cur;
}

}  // namespace

std::optional<JsonPath> JsonPath::Parse(std::string_view text, std::string* error) {
  JsonPath path;
  path.text_ = std::string(text);
  try {
    Parser parser(text);
    bool definite = true;
    auto segs = parser.ParsePath('$', /*in_filter=*/false, &definite);
    path.definite_ = definite;
    path.segments_ = std::make_shared<const Segments>(std::move(segs));
  } catch (const ParseError& e) {
    if (error) *error = fmt::format("invalid JSONPath '{}': {}", text, e.what());
    return std::nullopt;
  }
  return path;
}

bool JsonPath::IsReferencePath() const {
  for (const auto& s : *segments_)
    if (s.kind != Segment::Kind::kName && s.kind != Segment::Kind::kIndex) return false;
  return true;
}

std::vector<const Json*> JsonPath::Select(const Json& root) const { return Apply(*segments_, root); }

std::optional<Json> JsonPath::Evaluate(const Json& root) const {
  auto matches = Select(root);
  if (definite_) {
    if (matches.empty()) return std::nullopt;
    return *matches[0];
  }
  Json out = Json::array();
  for (const Json* m : matches) out.push_back(*m);
  return out;
}

bool JsonPath::Assign(Json* root, Json value) const {
  const Segments& segs = *segments_;
  Json* cur = root;
  for (size_t i = 0; i < segs.size(); ++i) {
    const Segment& seg = segs[i];
    bool last = i + 1 == segs.size();
    if (seg.kind == Segment::Kind::kName) {
      if (!cur->is_object()) return false;
      bool existed = cur->contains(seg.names[0]);
      Json& child = (*cur)[seg.names[0]];  // creates null when missing
      if (!last && !existed) child = Json::object();
      cur = &child;
    } else {  // kIndex
      if (!cur->is_array()) return false;
      int64_t size = static_cast<int64_t>(cur->size());
      int64_t idx = Normalize(seg.index, size);
      if (idx < 0 || idx >= size) return false;
      cur = &(*cur)[static_cast<size_t>(idx)];
    }
  }
  *cur = std::move(value);
  return true;
}

}  // namespace fakes::stepfunctions
