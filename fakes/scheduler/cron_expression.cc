#include "fakes/scheduler/cron_expression.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

namespace fakes::scheduler {
namespace {

constexpr const char* kMonthNames[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                       "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
constexpr const char* kDayNames[] = {"SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"};

struct FieldSpec {
  const char* name;
  int lo;
  int hi;
  const char* const* names;  // nullptr if the field has no names
  int name_count;
};

constexpr FieldSpec kMinutes{"minutes", 0, 59, nullptr, 0};
constexpr FieldSpec kHours{"hours", 0, 23, nullptr, 0};
constexpr FieldSpec kDayOfMonth{"day-of-month", 1, 31, nullptr, 0};
constexpr FieldSpec kMonth{"month", 1, 12, kMonthNames, 12};
constexpr FieldSpec kDayOfWeek{"day-of-week", 1, 7, kDayNames, 7};
constexpr FieldSpec kYear{"year", CronExpression::kMinYear, CronExpression::kMaxYear, nullptr, 0};

[[noreturn]] void Fail(const FieldSpec& f, std::string_view text, const std::string& why) {
  throw ExpressionError(fmt::format("cron {} field '{}': {}", f.name, text, why));
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) return out;
    start = pos + 1;
  }
}

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// A number or (for month/day-of-week) a three-letter name, range-checked.
int ParseValue(const FieldSpec& f, std::string_view field_text, std::string_view v) {
  if (IsDigits(v)) {
    int out = 0;
    auto r = std::from_chars(v.data(), v.data() + v.size(), out);
    if (r.ec != std::errc() || out < f.lo || out > f.hi)
      Fail(f, field_text, fmt::format("value {} is out of range {}-{}", v, f.lo, f.hi));
    return out;
  }
  if (f.names != nullptr && v.size() == 3) {
    std::string upper;
    for (char c : v) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    for (int i = 0; i < f.name_count; ++i)
      if (upper == f.names[i]) return f.lo + i;
  }
  if (f.names != nullptr)
    Fail(f, field_text,
         fmt::format("'{}' is neither a number {}-{} nor a name {}-{}", v, f.lo, f.hi, f.names[0],
                     f.names[f.name_count - 1]));
  Fail(f, field_text, fmt::format("'{}' is not a number {}-{}", v, f.lo, f.hi));
}

// One list item without L/W/#: '*', v, a-b, with an optional /step.
template <size_t N>
void ParseRangeItem(const FieldSpec& f, std::string_view field_text, std::string_view item, std::bitset<N>& bits,
                    int bit_offset) {
  std::string_view range = item;
  int step = 1;
  bool has_step = false;
  if (auto slash = item.find('/'); slash != std::string_view::npos) {
    range = item.substr(0, slash);
    std::string_view step_text = item.substr(slash + 1);
    int parsed = 0;
    if (!IsDigits(step_text) ||
        std::from_chars(step_text.data(), step_text.data() + step_text.size(), parsed).ec != std::errc() || parsed < 1)
      Fail(f, field_text, fmt::format("step '{}' must be a positive number", step_text));
    step = parsed;
    has_step = true;
  }
  int lo, hi;
  if (range == "*") {
    lo = f.lo;
    hi = f.hi;
  } else if (auto dash = range.find('-'); dash != std::string_view::npos) {
    lo = ParseValue(f, field_text, range.substr(0, dash));
    hi = ParseValue(f, field_text, range.substr(dash + 1));
  } else {
    lo = ParseValue(f, field_text, range);
    hi = has_step ? f.hi : lo;  // "5/15" = from 5 to the end of the range
  }
  const int span = f.hi - f.lo + 1;
  const int count = (hi >= lo ? hi - lo : hi - lo + span) + 1;  // wraps when lo > hi
  for (int i = 0; i < count; i += step) {
    int v = lo + i;
    if (v > f.hi) v -= span;
    bits.set(static_cast<size_t>(v - bit_offset));
  }
}

template <size_t N>
void ParsePlainField(const FieldSpec& f, std::string_view text, std::bitset<N>& bits, int bit_offset) {
  for (std::string_view item : Split(text, ',')) {
    if (item.empty()) Fail(f, text, "empty list item");
    ParseRangeItem(f, text, item, bits, bit_offset);
  }
}

}  // namespace

CronExpression CronExpression::Parse(std::string_view fields_text) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < fields_text.size()) {
    while (i < fields_text.size() && std::isspace(static_cast<unsigned char>(fields_text[i]))) ++i;
    size_t start = i;
    while (i < fields_text.size() && !std::isspace(static_cast<unsigned char>(fields_text[i]))) ++i;
    if (i > start) fields.push_back(fields_text.substr(start, i - start));
  }
  if (fields.size() != 6)
    throw ExpressionError(fmt::format(
        "cron needs 6 fields (minutes hours day-of-month month day-of-week year), found {}", fields.size()));

  CronExpression c;
  ParsePlainField(kMinutes, fields[0], c.minutes_, 0);
  ParsePlainField(kHours, fields[1], c.hours_, 0);
  ParsePlainField(kMonth, fields[3], c.months_, 0);
  ParsePlainField(kYear, fields[5], c.years_, kMinYear);

  // Day of month.
  std::string_view dom = fields[2];
  if (dom == "?") {
    c.dom_unspecified_ = true;
  } else {
    for (std::string_view item : Split(dom, ',')) {
      if (item.empty()) Fail(kDayOfMonth, dom, "empty list item");
      if (item == "?") Fail(kDayOfMonth, dom, "'?' must stand alone");
      if (item == "L") {
        c.dom_last_day_ = true;
      } else if (item == "LW") {
        c.dom_last_weekday_ = true;
      } else if (item.size() > 1 && item.back() == 'W') {
        std::string_view n = item.substr(0, item.size() - 1);
        if (!IsDigits(n)) Fail(kDayOfMonth, dom, "W takes a single day number, e.g. 15W");
        c.dom_nearest_weekday_.push_back(ParseValue(kDayOfMonth, dom, n));
      } else if (item.find_first_of("LW#") != std::string_view::npos) {
        Fail(kDayOfMonth, dom, fmt::format("'{}' is not valid here (use L, LW or nW)", item));
      } else {
        ParseRangeItem(kDayOfMonth, dom, item, c.dom_, 0);
      }
    }
  }

  // Day of week.
  std::string_view dow = fields[4];
  if (dow == "?") {
    c.dow_unspecified_ = true;
  } else {
    for (std::string_view item : Split(dow, ',')) {
      if (item.empty()) Fail(kDayOfWeek, dow, "empty list item");
      if (item == "?") Fail(kDayOfWeek, dow, "'?' must stand alone");
      if (item == "L") {
        c.dow_.set(7);  // the last day of the week: Saturday
      } else if (auto hash = item.find('#'); hash != std::string_view::npos) {
        int day = ParseValue(kDayOfWeek, dow, item.substr(0, hash));
        std::string_view nth = item.substr(hash + 1);
        if (nth.size() != 1 || nth[0] < '1' || nth[0] > '5')
          Fail(kDayOfWeek, dow, fmt::format("'{}': the number after # must be 1-5", item));
        c.dow_nth_in_month_.emplace_back(day, nth[0] - '0');
      } else if (item.size() > 1 && item.back() == 'L') {
        c.dow_last_in_month_.push_back(ParseValue(kDayOfWeek, dow, item.substr(0, item.size() - 1)));
      } else if (item.find_first_of("LW") != std::string_view::npos) {
        Fail(kDayOfWeek, dow, fmt::format("'{}' is not valid here (use L, nL or n#k)", item));
      } else {
        ParseRangeItem(kDayOfWeek, dow, item, c.dow_, 0);
      }
    }
  }

  if (c.dom_unspecified_ == c.dow_unspecified_)
    throw ExpressionError(
        fmt::format("cron day-of-month '{}' and day-of-week '{}': exactly one of the two must be '?'", dom, dow));
  return c;
}

bool CronExpression::MatchesDate(int year, int month, int day) const {
  if (year < kMinYear || year > kMaxYear || !years_[static_cast<size_t>(year - kMinYear)] || !months_[month])
    return false;
  const int dim = DaysInMonth(year, month);
  if (dow_unspecified_) {
    if (dom_[day]) return true;
    if (dom_last_day_ && day == dim) return true;
    if (dom_last_weekday_) {
      int last = dim;
      while (DayOfWeek(year, month, last) == 1 || DayOfWeek(year, month, last) == 7) --last;
      if (day == last) return true;
    }
    for (int n : dom_nearest_weekday_) {
      if (n > dim) continue;  // no 31W in a 30-day month
      int target = n;
      int w = DayOfWeek(year, month, n);
      if (w == 7)
        target = n == 1 ? 3 : n - 1;  // Saturday: Friday, or Monday the 3rd
      else if (w == 1)
        target = n == dim ? n - 2 : n + 1;  // Sunday: Monday, or Friday before month end
      if (day == target) return true;
    }
    return false;
  }
  const int w = DayOfWeek(year, month, day);
  if (dow_[w]) return true;
  for (int d : dow_last_in_month_)
    if (w == d && day + 7 > dim) return true;
  for (const auto& [d, nth] : dow_nth_in_month_)
    if (w == d && (day - 1) / 7 + 1 == nth) return true;
  return false;
}

std::optional<CivilTime> CronExpression::NextAtOrAfter(const CivilTime& from) const {
  CivilTime start = from;
  start.second = 0;
  int64_t start_minute = CivilAsUtcSeconds(start) / 60 + (from.second > 0 ? 1 : 0);
  start = UtcSecondsAsCivil(start_minute * 60);
  if (start.year < kMinYear) start = CivilTime{kMinYear, 1, 1, 0, 0, 0};

  int64_t day = DaysFromCivil(start.year, start.month, start.day);
  const int64_t last_day = DaysFromCivil(kMaxYear, 12, 31);
  bool first_day = true;
  while (day <= last_day) {
    CivilTime d = CivilFromDays(day);
    if (!years_[static_cast<size_t>(d.year - kMinYear)]) {
      day = DaysFromCivil(d.year + 1, 1, 1);
      first_day = false;
      continue;
    }
    if (!months_[d.month]) {
      day = d.month == 12 ? DaysFromCivil(d.year + 1, 1, 1) : DaysFromCivil(d.year, d.month + 1, 1);
      first_day = false;
      continue;
    }
    if (MatchesDate(d.year, d.month, d.day)) {
      for (int h = first_day ? start.hour : 0; h < 24; ++h) {
        if (!hours_[h]) continue;
        for (int m = (first_day && h == start.hour) ? start.minute : 0; m < 60; ++m) {
          if (!minutes_[m]) continue;
          d.hour = h;
          d.minute = m;
          return d;
        }
      }
    }
    ++day;
    first_day = false;
  }
  return std::nullopt;
}

}  // namespace fakes::scheduler
