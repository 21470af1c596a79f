#include "sim/base/time.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>

namespace sim {

std::optional<Duration> ParseDuration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  size_t i = 0;
  long double total_us = 0;
  bool any = false;
  while (i < text.size()) {
    size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) || text[i] == '.')) ++i;
    if (start == i) return std::nullopt;
    std::string number(text.substr(start, i - start));
    if (number.find('.') != number.rfind('.')) return std::nullopt;
    size_t ustart = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    std::string_view unit = text.substr(ustart, i - ustart);
    long double scale;
    if (unit == "us") scale = 1;
    else if (unit == "ms") scale = 1e3L;
    else if (unit == "s") scale = 1e6L;
    else if (unit == "m" || unit == "min") scale = 60e6L;
    else if (unit == "h") scale = 3600e6L;
    else if (unit == "d") scale = 86400e6L;
    else return std::nullopt;
    long double value = std::stold(number);
    total_us += value * scale;
    any = true;
  }
  if (!any || total_us > 9.2e18L) return std::nullopt;
  return Duration(static_cast<int64_t>(total_us + 0.5L));
}

std::string FormatSeconds(Duration d) {
  int64_t ms = d.count() / 1000;
  bool neg = ms < 0;
  if (neg) ms = -ms;
  return fmt::format("{}{}.{:03d}s", neg ? "-" : "", ms / 1000, ms % 1000);
}

namespace {

// Days since 1970-01-01 to civil date (Howard Hinnant's algorithm).
void CivilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
}

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

std::string Format(int64_t total_ms, bool with_ms) {
  int64_t days = total_ms >= 0 ? total_ms / 86400000 : -((-total_ms + 86399999) / 86400000);
  int64_t rem = total_ms - days * 86400000;
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, y, m, d);
  int64_t h = rem / 3600000, mi = rem / 60000 % 60, s = rem / 1000 % 60, ms = rem % 1000;
  if (with_ms) return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:03d}Z", y, m, d, h, mi, s, ms);
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z", y, m, d, h, mi, s);
}

}  // namespace

std::string FormatIso8601(int64_t epoch_ms, Time t) { return Format(epoch_ms + ToMillis(t), true); }
std::string FormatIso8601Seconds(int64_t epoch_ms, Time t) { return Format(epoch_ms + ToMillis(t), false); }

std::optional<int64_t> ParseIso8601Ms(std::string_view s) {
  // yyyy-mm-ddThh:mm:ss[.fff][Z|+00:00]
  auto num = [&](size_t pos, size_t len, int& out) {
    if (pos + len > s.size()) return false;
    auto r = std::from_chars(s.data() + pos, s.data() + pos + len, out);
    return r.ec == std::errc() && r.ptr == s.data() + pos + len;
  };
  int y, mo, d, h, mi, sec;
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != ' ') || s[13] != ':' || s[16] != ':')
    return std::nullopt;
  if (!num(0, 4, y) || !num(5, 2, mo) || !num(8, 2, d) || !num(11, 2, h) || !num(14, 2, mi) || !num(17, 2, sec))
    return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59) return std::nullopt;
  size_t i = 19;
  int ms = 0;
  if (i < s.size() && s[i] == '.') {
    size_t start = ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == start) return std::nullopt;
    std::string frac(s.substr(start, std::min<size_t>(3, i - start)));
    while (frac.size() < 3) frac += '0';
    ms = std::stoi(frac);
  }
  std::string_view tail = s.substr(i);
  if (!(tail.empty() || tail == "Z" || tail == "+00:00")) return std::nullopt;
  int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  return ((days * 24 + h) * 60 + mi) * 60000LL + sec * 1000LL + ms;
}

}  // namespace sim
