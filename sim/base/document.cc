#include "sim/base/document.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace sim {
namespace {

std::string EscapePointerToken(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

bool LooksLikeInt(const std::string& s) {
  if (s.empty()) return false;
  size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (i == s.size()) return false;
  return std::all_of(s.begin() + static_cast<long>(i), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool LooksLikeFloat(const std::string& s) {
  if (s.empty()) return false;
  char* end = nullptr;
  std::strtod(s.c_str(), &end);
  if (end != s.c_str() + s.size()) return false;
  return s.find_first_of("0123456789") != std::string::npos && s.find_first_of("xXpP") == std::string::npos &&
         s != "inf" && s != "nan";
}

Json Convert(const YAML::Node& node, const std::string& pointer, std::map<std::string, int>& lines,
             const std::string& file) {
  lines[pointer] = node.Mark().line + 1;
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return nullptr;
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() == "!") return s;  // quoted: always a string
      if (s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
      if (s == "true" || s == "True" || s == "TRUE") return true;
      if (s == "false" || s == "False" || s == "FALSE") return false;
      if (LooksLikeInt(s)) {
        try {
          return std::stoll(s);
        } catch (const std::out_of_range&) {
          return s;
        }
      }
      if (LooksLikeFloat(s)) return std::stod(s);
      return s;
    }
    case YAML::NodeType::Sequence: {
      Json arr = Json::array();
      size_t i = 0;
      for (const auto& item : node) {
        arr.push_back(Convert(item, pointer + "/" + std::to_string(i), lines, file));
        ++i;
      }
      return arr;
    }
    case YAML::NodeType::Map: {
      Json obj = Json::object();
      for (const auto& kv : node) {
        if (!kv.first.IsScalar())
          throw InputError({file, kv.first.Mark().line + 1, ""}, "mapping keys must be plain strings");
        std::string k = kv.first.Scalar();
        if (obj.contains(k)) throw InputError({file, kv.first.Mark().line + 1, k}, "duplicate key");
        obj[k] = Convert(kv.second, pointer + "/" + EscapePointerToken(k), lines, file);
        lines.emplace(pointer + "/" + EscapePointerToken(k) + "#key", kv.first.Mark().line + 1);
      }
      return obj;
    }
  }
  return nullptr;
}

int LineAtOffset(std::string_view text, size_t offset) {
  offset = std::min(offset, text.size());
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n'));
}

}  // namespace

std::shared_ptr<const Document> Document::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError({path, 0, ""}, "cannot read file");
  std::stringstream buf;
  buf << in.rdbuf();
  bool json = path.size() >= 5 && path.compare(path.size() - 5, 5, ".json") == 0;
  return Parse(buf.str(), path, json);
}

std::shared_ptr<const Document> Document::Parse(std::string_view text, const std::string& file, bool strict_json) {
  auto doc = std::make_shared<Document>();
  doc->file_ = file;
  if (strict_json) {
    try {
      Json checked = Json::parse(text);
      (void)checked;
    } catch (const nlohmann::json::parse_error& e) {
      std::string what = e.what();
      auto pos = what.find("syntax error");
      throw InputError({file, LineAtOffset(text, e.byte > 0 ? e.byte - 1 : 0), ""},
                       "malformed JSON: " + (pos == std::string::npos ? what : what.substr(pos)));
    }
  }
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    throw InputError({file, e.mark.line + 1, ""}, std::string(strict_json ? "malformed JSON: " : "malformed YAML: ") + e.msg);
  }
  doc->root_ = Convert(root, "", doc->lines_, file);
  return doc;
}

std::shared_ptr<const Document> Document::Sub(std::shared_ptr<const Document> parent, const std::string& prefix) {
  auto doc = std::make_shared<Document>();
  doc->file_ = parent->file_;
  doc->root_ = parent->root_.at(nlohmann::ordered_json::json_pointer(prefix));
  doc->parent_ = std::move(parent);
  doc->prefix_ = prefix;
  return doc;
}

int Document::LineOf(const std::string& pointer) const {
  if (parent_) return parent_->LineOf(prefix_ + pointer);
  std::string p = pointer;
  while (true) {
    auto it = lines_.find(p);
    if (it != lines_.end()) return it->second;
    if (p.empty()) return 0;
    p = p.substr(0, p.rfind('/'));
  }
}

Node Node::Root(std::shared_ptr<const Document> doc) {
  const Json* root = &doc->root();
  return Node(std::move(doc), root, "", "");
}

bool Node::Has(std::string_view name) const { return value_->is_object() && value_->contains(std::string(name)); }

std::optional<Node> Node::Get(std::string_view name) const {
  if (!Has(name)) return std::nullopt;
  std::string n(name);
  return Node(doc_, &value_->at(n), pointer_ + "/" + EscapePointerToken(n), key_.empty() ? n : key_ + "." + n);
}

Node Node::Require(std::string_view name) const {
  ExpectObject();
  auto child = Get(name);
  if (!child) Fail(fmt::format("missing required key '{}'", name));
  return *child;
}

Node Node::At(size_t index) const {
  return Node(doc_, &value_->at(index), pointer_ + "/" + std::to_string(index), fmt::format("{}[{}]", key_, index));
}

size_t Node::Size() const { return value_->is_array() || value_->is_object() ? value_->size() : 0; }

std::vector<std::string> Node::Keys() const {
  std::vector<std::string> keys;
  if (value_->is_object())
    for (auto it = value_->begin(); it != value_->end(); ++it) keys.push_back(it.key());
  return keys;
}

void Node::AllowOnly(std::initializer_list<std::string_view> names) const {
  ExpectObject();
  for (auto it = value_->begin(); it != value_->end(); ++it) {
    if (std::find(names.begin(), names.end(), it.key()) == names.end()) {
      std::string allowed;
      for (auto n : names) allowed += (allowed.empty() ? "" : ", ") + std::string(n);
      Node child = *Get(it.key());
      auto line_it = doc_->LineOf(child.pointer_ + "#key");
      throw InputError({doc_->file(), line_it ? line_it : child.line(), child.key_},
                       fmt::format("unknown key (allowed: {})", allowed));
    }
  }
}

void Node::ExpectObject() const {
  if (!value_->is_object()) Fail("expected a mapping, found " + TypeName(*value_));
}
void Node::ExpectArray() const {
  if (!value_->is_array()) Fail("expected a list, found " + TypeName(*value_));
}

std::string Node::AsString() const {
  if (!value_->is_string()) Fail("expected a string, found " + TypeName(*value_));
  return value_->get<std::string>();
}

int64_t Node::AsInt() const {
  if (value_->is_number_integer()) return value_->get<int64_t>();
  if (value_->is_number_float()) {
    double d = value_->get<double>();
    if (d == static_cast<double>(static_cast<int64_t>(d))) return static_cast<int64_t>(d);
  }
  Fail("expected an integer, found " + TypeName(*value_));
}

int64_t Node::AsIntInRange(int64_t lo, int64_t hi) const {
  int64_t v = AsInt();
  if (v < lo || v > hi) Fail(fmt::format("{} is out of range [{}, {}]", v, lo, hi));
  return v;
}

double Node::AsDouble() const {
  if (!value_->is_number()) Fail("expected a number, found " + TypeName(*value_));
  return value_->get<double>();
}

bool Node::AsBool() const {
  if (!value_->is_boolean()) Fail("expected true or false, found " + TypeName(*value_));
  return value_->get<bool>();
}

Duration Node::AsDuration() const {
  if (!value_->is_string()) Fail("expected a duration with a unit such as \"90s\", \"250ms\" or \"2m\"");
  auto d = ParseDuration(value_->get<std::string>());
  if (!d) Fail(fmt::format("'{}' is not a duration (use e.g. \"90s\", \"250ms\", \"2m\", \"1h\")", value_->get<std::string>()));
  return *d;
}

std::vector<std::string> Node::AsStringList() const {
  ExpectArray();
  std::vector<std::string> out;
  for (size_t i = 0; i < Size(); ++i) out.push_back(At(i).AsString());
  return out;
}

std::string Node::GetString(std::string_view name, const std::string& fallback) const {
  auto c = Get(name);
  return c ? c->AsString() : fallback;
}
int64_t Node::GetInt(std::string_view name, int64_t fallback) const {
  auto c = Get(name);
  return c ? c->AsInt() : fallback;
}
bool Node::GetBool(std::string_view name, bool fallback) const {
  auto c = Get(name);
  return c ? c->AsBool() : fallback;
}
Duration Node::GetDuration(std::string_view name, Duration fallback) const {
  auto c = Get(name);
  return c ? c->AsDuration() : fallback;
}

void Node::Fail(const std::string& message) const { throw InputError(Where(), message); }

std::string TypeName(const Json& value) {
  switch (value.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::object: return "a mapping";
    case Json::value_t::array: return "a list";
    case Json::value_t::string: return fmt::format("string \"{}\"", value.get<std::string>());
    case Json::value_t::boolean: return value.get<bool>() ? "true" : "false";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return fmt::format("number {}", value.dump());
    case Json::value_t::number_float: return fmt::format("number {}", value.dump());
    default: return "a value";
  }
}

}  // namespace sim
