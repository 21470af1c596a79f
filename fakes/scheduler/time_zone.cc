#include "fakes/scheduler/time_zone.h"

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <fstream>

namespace fakes::scheduler {
namespace {

constexpr std::string_view kZoneInfoDir = "/usr/share/zoneinfo/";

// Sets TZ for one conversion and restores the caller's TZ (or its absence).
class ScopedTz {
 public:
  explicit ScopedTz(const std::string& name) {
    const char* old = std::getenv("TZ");
    if (old != nullptr) old_ = std::string(old);
    setenv("TZ", name.c_str(), 1);
    tzset();
  }
  ~ScopedTz() {
    if (old_)
      setenv("TZ", old_->c_str(), 1);
    else
      unsetenv("TZ");
    tzset();
  }
  ScopedTz(const ScopedTz&) = delete;
  ScopedTz& operator=(const ScopedTz&) = delete;

 private:
  std::optional<std::string> old_;
};

bool IsUtcName(std::string_view name) {
  return name == "UTC" || name == "Etc/UTC" || name == "Etc/UCT" || name == "UCT" || name == "Etc/GMT" ||
         name == "GMT" || name == "Etc/Universal" || name == "Universal" || name == "Etc/Zulu" || name == "Zulu";
}

// The UTC offset (seconds) glibc reports under the TZ currently set.
long OffsetUnderCurrentTz(int64_t utc_seconds) {
  time_t t = static_cast<time_t>(utc_seconds);
  struct tm tm {};
  localtime_r(&t, &tm);
  return tm.tm_gmtoff;
}

}  // namespace

int64_t DaysFromCivil(int year, int month, int day) {
  int64_t y = year - (month <= 2 ? 1 : 0);
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t mp = month > 2 ? month - 3 : month + 9;
  const int64_t doy = (153 * mp + 2) / 5 + day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilTime CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  CivilTime t;
  t.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  t.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  t.year = static_cast<int>(yoe + era * 400 + (t.month <= 2 ? 1 : 0));
  return t;
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

int DayOfWeek(int year, int month, int day) {
  int64_t days = DaysFromCivil(year, month, day);  // 1970-01-01 was a Thursday (5)
  int64_t w = (days + 4) % 7;                      // 0 = Sunday
  if (w < 0) w += 7;
  return static_cast<int>(w) + 1;
}

int64_t CivilAsUtcSeconds(const CivilTime& t) {
  return ((DaysFromCivil(t.year, t.month, t.day) * 24 + t.hour) * 60 + t.minute) * 60 + t.second;
}

CivilTime UtcSecondsAsCivil(int64_t seconds) {
  int64_t days = seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400);
  int64_t rem = seconds - days * 86400;
  CivilTime t = CivilFromDays(days);
  t.hour = static_cast<int>(rem / 3600);
  t.minute = static_cast<int>(rem / 60 % 60);
  t.second = static_cast<int>(rem % 60);
  return t;
}

std::optional<TimeZone> TimeZone::Load(std::string_view name) {
  if (IsUtcName(name)) return TimeZone(std::string(name), true);
  if (name.empty() || name.front() == '/' || name.find("..") != std::string_view::npos ||
      name.find_first_of(" :,\\") != std::string_view::npos)
    return std::nullopt;
  std::ifstream in(std::string(kZoneInfoDir) + std::string(name), std::ios::binary);
  char magic[4] = {};
  if (!in || !in.read(magic, 4) || std::string_view(magic, 4) != "TZif") return std::nullopt;
  return TimeZone(std::string(name), false);
}

TimeZone TimeZone::Utc() { return TimeZone("UTC", true); }

long TimeZone::OffsetAt(int64_t utc_seconds) const {
  const int64_t day = utc_seconds >= 0 ? utc_seconds / 86400 : -((-utc_seconds + 86399) / 86400);
  auto it = day_offsets_->find(day);
  if (it != day_offsets_->end()) return it->second;
  ScopedTz tz(name_);
  const long first = OffsetUnderCurrentTz(day * 86400);
  const long last = OffsetUnderCurrentTz(day * 86400 + 86399);
  const long at = OffsetUnderCurrentTz(utc_seconds);
  // Zones change offset at most once a day, so equal ends mean no change.
  if (first == last) day_offsets_->emplace(day, first);
  return at;
}

CivilTime TimeZone::ToLocal(int64_t utc_seconds) const {
  if (is_utc_) return UtcSecondsAsCivil(utc_seconds);
  return UtcSecondsAsCivil(utc_seconds + OffsetAt(utc_seconds));
}

std::vector<int64_t> TimeZone::ToUtc(const CivilTime& local) const {
  const int64_t naive = CivilAsUtcSeconds(local);
  if (is_utc_) return {naive};
  // Any offset in force within two days of the reading is a candidate; keep
  // those that read back as the same wall-clock time. Zones change offset at
  // most once in two days, so this finds every solution.
  std::vector<long> offsets;
  for (int64_t probe : {naive - 86400 * 2, naive - 86400, naive, naive + 86400, naive + 86400 * 2}) {
    long off = OffsetAt(probe);
    if (std::find(offsets.begin(), offsets.end(), off) == offsets.end()) offsets.push_back(off);
  }
  std::vector<int64_t> out;
  for (long off : offsets) {
    int64_t candidate = naive - off;
    if (ToLocal(candidate) == local && std::find(out.begin(), out.end(), candidate) == out.end())
      out.push_back(candidate);
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace fakes::scheduler
