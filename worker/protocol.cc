#include "worker/protocol.h"

#include <charconv>
#include <vector>

namespace ecsim::protocol {
namespace {

bool ParseInt(std::string_view s, int64_t& out) {
  if (s.empty()) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// Splits off up to `n` space-separated tokens; the remainder (if any) is rest.
std::vector<std::string_view> Split(std::string_view s, size_t n, std::string_view& rest) {
  std::vector<std::string_view> out;
  while (out.size() < n && !s.empty()) {
    size_t sp = s.find(' ');
    out.push_back(s.substr(0, sp));
    s = sp == std::string_view::npos ? std::string_view() : s.substr(sp + 1);
  }
  rest = s;
  return out;
}

bool Printable(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 && c != '\t') return false;
  return true;
}

}  // namespace

std::string_view VerbName(Verb v) {
  switch (v) {
    case Verb::kHello: return "HELLO";
    case Verb::kNow: return "NOW";
    case Verb::kSleep: return "SLEEP";
    case Verb::kWork: return "WORK";
    case Verb::kCommit: return "COMMIT";
    case Verb::kJob: return "JOB";
    case Verb::kCall: return "CALL";
  }
  return "?";
}

std::string Encode(const Request& r) {
  std::string out(VerbName(r.verb));
  switch (r.verb) {
    case Verb::kNow: break;
    case Verb::kSleep:
    case Verb::kCommit: out += " " + std::to_string(r.a); break;
    case Verb::kHello:
    case Verb::kWork:
    case Verb::kJob: out += " " + std::to_string(r.a) + " " + std::to_string(r.b); break;
    case Verb::kCall: out += " " + r.text + " " + r.body; break;
  }
  return out;
}

std::string Encode(const Reply& r) {
  switch (r.kind) {
    case ReplyKind::kOk:
      return "OK " + std::to_string(r.now_us) + (r.body.empty() ? "" : " " + r.body);
    case ReplyKind::kSignal:
      return "SIG " + std::to_string(r.signo) + " " + std::to_string(r.now_us) + " " + std::to_string(r.remaining_us);
    case ReplyKind::kError:
      return "ERR " + std::to_string(r.now_us) + " " + r.body;
  }
  return "ERR 0 internal";
}

std::optional<Request> DecodeRequest(std::string_view m) {
  if (m.size() > kMaxMessage || !Printable(m)) return std::nullopt;
  std::string_view rest;
  auto head = Split(m, 1, rest);
  if (head.empty()) return std::nullopt;
  Request r;
  std::string_view verb = head[0];
  auto ints = [&](size_t n) {
    std::string_view tail;
    auto t = Split(rest, n, tail);
    if (t.size() != n || !tail.empty()) return false;
    if (n >= 1 && !ParseInt(t[0], r.a)) return false;
    if (n >= 2 && !ParseInt(t[1], r.b)) return false;
    return true;
  };
  if (verb == "HELLO") {
    r.verb = Verb::kHello;
    if (!ints(2)) return std::nullopt;
  } else if (verb == "NOW") {
    r.verb = Verb::kNow;
    if (!rest.empty()) return std::nullopt;
  } else if (verb == "SLEEP") {
    r.verb = Verb::kSleep;
    if (!ints(1) || r.a < 0) return std::nullopt;
  } else if (verb == "WORK") {
    r.verb = Verb::kWork;
    if (!ints(2) || r.a < 0 || r.b < 0) return std::nullopt;
  } else if (verb == "COMMIT") {
    r.verb = Verb::kCommit;
    if (!ints(1) || r.a < 0) return std::nullopt;
  } else if (verb == "JOB") {
    r.verb = Verb::kJob;
    if (!ints(2) || r.a < 0 || r.b < 0) return std::nullopt;
  } else if (verb == "CALL") {
    r.verb = Verb::kCall;
    std::string_view body;
    auto t = Split(rest, 1, body);
    if (t.size() != 1 || t[0].empty()) return std::nullopt;
    r.text = std::string(t[0]);
    r.body = std::string(body);
  } else {
    return std::nullopt;
  }
  return r;
}

std::optional<Reply> DecodeReply(std::string_view m) {
  std::string_view rest;
  auto head = Split(m, 1, rest);
  if (head.empty()) return std::nullopt;
  Reply r;
  if (head[0] == "OK") {
    std::string_view body;
    auto t = Split(rest, 1, body);
    if (t.size() != 1 || !ParseInt(t[0], r.now_us)) return std::nullopt;
    r.body = std::string(body);
  } else if (head[0] == "SIG") {
    std::string_view tail;
    auto t = Split(rest, 3, tail);
    int64_t signo;
    if (t.size() != 3 || !tail.empty() || !ParseInt(t[0], signo) || !ParseInt(t[1], r.now_us) ||
        !ParseInt(t[2], r.remaining_us))
      return std::nullopt;
    r.kind = ReplyKind::kSignal;
    r.signo = static_cast<int>(signo);
  } else if (head[0] == "ERR") {
    std::string_view body;
    auto t = Split(rest, 1, body);
    if (t.size() != 1 || !ParseInt(t[0], r.now_us)) return std::nullopt;
    r.kind = ReplyKind::kError;
    r.body = std::string(body);
  } else {
    return std::nullopt;
  }
  return r;
}

}  // namespace ecsim::protocol
