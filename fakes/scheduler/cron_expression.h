// AWS EventBridge Scheduler cron expressions: cron(minutes hours day-of-month month day-of-week year).
#ifndef ECSIM_FAKES_SCHEDULER_CRON_EXPRESSION_H_
#define ECSIM_FAKES_SCHEDULER_CRON_EXPRESSION_H_

#include <bitset>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fakes/scheduler/time_zone.h"

namespace fakes::scheduler {

// A malformed expression; what() names the field and the problem. Loaders turn
// it into sim::InputError at the ScheduleExpression line.
class ExpressionError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

// The six AWS cron fields, evaluated on wall-clock time (the caller converts
// to and from the schedule's time zone).
//
//   minutes       0-59          , - * /
//   hours         0-23          , - * /
//   day-of-month  1-31          , - * / ? L W   (L = last day, LW = last weekday, 15W = weekday nearest the 15th)
//   month         1-12 JAN-DEC  , - * /
//   day-of-week   1-7  SUN-SAT  , - * / ? L #   (1 = Sunday; L = 7; 6L = last Friday; 2#1 = first Monday)
//   year          1970-2199     , - * /
//
// Exactly one of day-of-month and day-of-week must be '?'. A range whose start
// is above its end wraps around (FRI-MON, 22-2), as in Quartz, from which AWS
// cron derives. Names are case-insensitive.
class CronExpression {
 public:
  static constexpr int kMinYear = 1970;
  static constexpr int kMaxYear = 2199;

  // Parses the text between "cron(" and ")". Throws ExpressionError.
  static CronExpression Parse(std::string_view fields);

  // True if the calendar day matches day-of-month/day-of-week, month and year.
  bool MatchesDate(int year, int month, int day) const;
  bool MatchesTimeOfDay(int hour, int minute) const { return hours_[hour] && minutes_[minute]; }

  // The earliest whole minute at or after `from` (a reading with seconds is
  // rounded up to the next minute) that matches, or nullopt if there is none
  // before the end of year kMaxYear.
  std::optional<CivilTime> NextAtOrAfter(const CivilTime& from) const;

 private:
  std::bitset<60> minutes_;
  std::bitset<24> hours_;
  std::bitset<13> months_;
  std::bitset<kMaxYear - kMinYear + 1> years_;
  bool dom_unspecified_ = false;  // '?' in day-of-month
  std::bitset<32> dom_;
  bool dom_last_day_ = false;
  bool dom_last_weekday_ = false;
  std::vector<int> dom_nearest_weekday_;  // nW
  bool dow_unspecified_ = false;          // '?' in day-of-week
  std::bitset<8> dow_;
  std::vector<int> dow_last_in_month_;                 // nL
  std::vector<std::pair<int, int>> dow_nth_in_month_;  // n#k
};

}  // namespace fakes::scheduler

#endif  // ECSIM_FAKES_SCHEDULER_CRON_EXPRESSION_H_
