// IANA time zones for EventBridge Scheduler: wall-clock <-> UTC through glibc and the system tz database.
#ifndef ECSIM_FAKES_SCHEDULER_TIME_ZONE_H_
#define ECSIM_FAKES_SCHEDULER_TIME_ZONE_H_

#include <compare>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fakes::scheduler {

// A wall-clock reading with no zone attached (proleptic Gregorian calendar).
struct CivilTime {
  int year = 1970;
  int month = 1;  // 1..12
  int day = 1;    // 1..31
  int hour = 0;
  int minute = 0;
  int second = 0;
  auto operator<=>(const CivilTime&) const = default;
};

// Calendar arithmetic, no time zone involved.
int64_t DaysFromCivil(int year, int month, int day);  // days since 1970-01-01
CivilTime CivilFromDays(int64_t days);                // time fields zero
int DaysInMonth(int year, int month);
// 1 = Sunday .. 7 = Saturday (the numbering of AWS cron's day-of-week field).
int DayOfWeek(int year, int month, int day);
// Seconds since the Unix epoch if `t` were a UTC reading.
int64_t CivilAsUtcSeconds(const CivilTime& t);
CivilTime UtcSecondsAsCivil(int64_t seconds);

// A named zone. Conversions set TZ for the duration of the call (setenv +
// tzset + localtime_r) and restore the previous TZ afterwards, so they are
// deterministic for a given tz database but NOT thread-safe: the simulator is
// single-threaded. "UTC"/"Etc/UTC" and friends are pure arithmetic.
class TimeZone {
 public:
  // Returns nullopt unless `name` is an IANA name with a TZif file under
  // /usr/share/zoneinfo (glibc would silently fall back to UTC otherwise).
  static std::optional<TimeZone> Load(std::string_view name);
  static TimeZone Utc();

  const std::string& name() const { return name_; }

  // Wall-clock reading at the given UTC instant.
  CivilTime ToLocal(int64_t utc_seconds) const;

  // Every UTC instant at which the wall clock shows `local`, ascending: empty
  // for a time skipped by a spring-forward gap, two entries for a time repeated
  // by a fall-back overlap, one otherwise.
  std::vector<int64_t> ToUtc(const CivilTime& local) const;

 private:
  TimeZone(std::string name, bool is_utc)
      : name_(std::move(name)), is_utc_(is_utc), day_offsets_(std::make_shared<std::map<int64_t, long>>()) {}

  // UTC offset in seconds at the instant. Asks glibc, and remembers the
  // offset of every UTC day that has none of the zone's transitions, so long
  // runs do not re-read the zone file for every fire time.
  long OffsetAt(int64_t utc_seconds) const;

  std::string name_;
  bool is_utc_;
  std::shared_ptr<std::map<int64_t, long>> day_offsets_;  // UTC day -> offset; shared by copies
};

}  // namespace fakes::scheduler

#endif  // ECSIM_FAKES_SCHEDULER_TIME_ZONE_H_
