#include "fakes/scheduler/cron_expression.h"

#include <gtest/gtest.h>

#include <fmt/format.h>

namespace fakes::scheduler {
namespace {

std::string Show(const std::optional<CivilTime>& t) {
  if (!t) return "none";
  return fmt::format("{:04d}-{:02d}-{:02d} {:02d}:{:02d}", t->year, t->month, t->day, t->hour, t->minute);
}

std::string Next(const char* expr, CivilTime from) { return Show(CronExpression::Parse(expr).NextAtOrAfter(from)); }

std::string ErrorOf(const char* expr) {
  try {
    CronExpression::Parse(expr);
  } catch (const ExpressionError& e) {
    return e.what();
  }
  return "";
}

TEST(CronExpressionTest, StepFromZeroFiresEveryFifteenMinutes) {
  EXPECT_EQ(Next("0/15 * * * ? *", {2024, 5, 14, 10, 7, 0}), "2024-05-14 10:15");
  EXPECT_EQ(Next("0/15 * * * ? *", {2024, 5, 14, 10, 45, 30}), "2024-05-14 11:00");  // seconds round up
  EXPECT_EQ(Next("*/20 * * * ? *", {2024, 5, 14, 10, 41, 0}), "2024-05-14 11:00");
  EXPECT_EQ(Next("5/20 * * * ? *", {2024, 5, 14, 10, 46, 0}), "2024-05-14 11:05");
}

TEST(CronExpressionTest, MatchingMinuteIsInclusive) {
  EXPECT_EQ(Next("30 12 * * ? *", {2024, 5, 14, 12, 30, 0}), "2024-05-14 12:30");
  EXPECT_EQ(Next("30 12 * * ? *", {2024, 5, 14, 12, 30, 1}), "2024-05-15 12:30");
}

TEST(CronExpressionTest, MonthAndDayNamesAndRanges) {
  // Weekdays at 09:00 in the first quarter; 2024-03-29 is a Friday.
  EXPECT_EQ(Next("0 9 ? JAN-MAR MON-FRI *", {2024, 3, 29, 9, 1, 0}), "2025-01-01 09:00");
  EXPECT_EQ(Next("0 9 ? jan-mar mon-fri *", {2024, 3, 30, 0, 0, 0}), "2025-01-01 09:00");
  EXPECT_EQ(Next("0 9 ? * SAT,SUN *", {2024, 5, 14, 0, 0, 0}), "2024-05-18 09:00");
  EXPECT_EQ(Next("0 8-10 * * ? *", {2024, 5, 14, 10, 1, 0}), "2024-05-15 08:00");
}

TEST(CronExpressionTest, RangeWrapsAroundTheWeek) {
  // FRI-MON = Fri, Sat, Sun, Mon; 2024-05-14 is a Tuesday.
  EXPECT_EQ(Next("0 0 ? * FRI-MON *", {2024, 5, 14, 0, 1, 0}), "2024-05-17 00:00");
  EXPECT_EQ(Next("0 0 ? * FRI-MON *", {2024, 5, 20, 0, 0, 0}), "2024-05-20 00:00");
  EXPECT_EQ(Next("0 22-1 * * ? *", {2024, 5, 14, 2, 0, 0}), "2024-05-14 22:00");
}

TEST(CronExpressionTest, LastDayOfMonthHandlesLeapYears) {
  EXPECT_EQ(Next("0 0 L * ? *", {2024, 2, 10, 0, 0, 0}), "2024-02-29 00:00");
  EXPECT_EQ(Next("0 0 L * ? *", {2023, 2, 10, 0, 0, 0}), "2023-02-28 00:00");
  EXPECT_EQ(Next("0 0 L * ? *", {2024, 4, 30, 0, 1, 0}), "2024-05-31 00:00");
}

TEST(CronExpressionTest, LastWeekdayOfMonth) {
  // 2024-08-31 is a Saturday, so the last weekday is Friday the 30th.
  EXPECT_EQ(Next("0 0 LW * ? *", {2024, 8, 1, 0, 0, 0}), "2024-08-30 00:00");
}

TEST(CronExpressionTest, NearestWeekdayStaysInsideTheMonth) {
  // 2024-06-15 is a Saturday -> Friday 14th. 2024-06-01 is a Saturday -> Monday 3rd, not May 31st.
  EXPECT_EQ(Next("0 0 15W * ? *", {2024, 6, 1, 0, 0, 0}), "2024-06-14 00:00");
  EXPECT_EQ(Next("0 0 1W * ? *", {2024, 5, 31, 0, 0, 0}), "2024-06-03 00:00");
  // 2024-09-01 is a Sunday -> Monday 2nd.
  EXPECT_EQ(Next("0 0 1W * ? *", {2024, 8, 2, 0, 0, 0}), "2024-09-02 00:00");
  // 2024-03-31 is a Sunday and the last day -> Friday 29th.
  EXPECT_EQ(Next("0 0 31W * ? *", {2024, 3, 1, 0, 0, 0}), "2024-03-29 00:00");
  // No 31st in April: 31W skips the month.
  EXPECT_EQ(Next("0 0 31W * ? *", {2024, 4, 1, 0, 0, 0}), "2024-05-31 00:00");
}

TEST(CronExpressionTest, NthDayOfWeek) {
  // First Monday of September 2024 is the 2nd; second Tuesday of May 2024 is the 14th.
  EXPECT_EQ(Next("0 10 ? * 2#1 *", {2024, 8, 6, 0, 0, 0}), "2024-09-02 10:00");
  EXPECT_EQ(Next("0 10 ? * TUE#2 *", {2024, 5, 1, 0, 0, 0}), "2024-05-14 10:00");
  // Fifth Friday: May 2024 has one (31st), June 2024 does not.
  EXPECT_EQ(Next("0 10 ? * 6#5 *", {2024, 6, 1, 0, 0, 0}), "2024-08-30 10:00");
}

TEST(CronExpressionTest, LastDayOfWeekInMonth) {
  EXPECT_EQ(Next("0 10 ? * 6L *", {2024, 11, 1, 0, 0, 0}), "2024-11-29 10:00");
  // Plain L in day-of-week is Saturday.
  EXPECT_EQ(Next("0 10 ? * L *", {2024, 5, 14, 0, 0, 0}), "2024-05-18 10:00");
}

TEST(CronExpressionTest, YearFieldBoundsTheSearch) {
  EXPECT_EQ(Next("0 0 1 1 ? 2030", {2024, 5, 14, 0, 0, 0}), "2030-01-01 00:00");
  EXPECT_EQ(Next("0 0 1 1 ? 2030", {2030, 1, 1, 0, 1, 0}), "none");
  EXPECT_EQ(Next("59 23 31 12 ? 2199", {2199, 12, 31, 23, 59, 0}), "2199-12-31 23:59");
  EXPECT_EQ(Next("0 0 1 1 ? *", {2199, 1, 1, 0, 1, 0}), "none");
  // No 29 February between 2197 and 2199 (2200 is not a leap year and out of range anyway).
  EXPECT_EQ(Next("0 0 29 2 ? *", {2197, 1, 1, 0, 0, 0}), "none");
  EXPECT_EQ(Next("0 0 1 1 ? 2020-2022/2", {2021, 1, 1, 0, 1, 0}), "2022-01-01 00:00");
}

TEST(CronExpressionTest, RejectsYearsOutsideAwsRange) {
  EXPECT_NE(ErrorOf("0 0 1 1 ? 2200").find("year field '2200': value 2200 is out of range 1970-2199"),
            std::string::npos);
  EXPECT_NE(ErrorOf("0 0 1 1 ? 1969").find("out of range"), std::string::npos);
}

TEST(CronExpressionTest, RequiresExactlyOneQuestionMark) {
  EXPECT_NE(ErrorOf("0 0 * * * *").find("exactly one of the two must be '?'"), std::string::npos);
  EXPECT_NE(ErrorOf("0 0 ? * ? *").find("exactly one of the two must be '?'"), std::string::npos);
  EXPECT_NE(ErrorOf("0 0 1 * MON *").find("exactly one"), std::string::npos);
}

TEST(CronExpressionTest, RejectsMalformedFields) {
  EXPECT_NE(ErrorOf("0 0 * * ?").find("needs 6 fields"), std::string::npos);
  EXPECT_NE(ErrorOf("0 0 * * ? * *").find("found 7"), std::string::npos);
  EXPECT_NE(ErrorOf("60 0 * * ? *").find("minutes field '60'"), std::string::npos);
  EXPECT_NE(ErrorOf("0 24 * * ? *").find("hours field"), std::string::npos);
  EXPECT_NE(ErrorOf("0/0 0 * * ? *").find("step '0'"), std::string::npos);
  EXPECT_NE(ErrorOf("0 0 ? * 2#6 *").find("after # must be 1-5"), std::string::npos);
  EXPECT_NE(ErrorOf("L 0 * * ? *").find("minutes field"), std::string::npos);
  EXPECT_NE(ErrorOf("0 MON * * ? *").find("hours field"), std::string::npos);
  EXPECT_NE(ErrorOf("0 0 * FOO ? *").find("nor a name JAN-DEC"), std::string::npos);
  EXPECT_NE(ErrorOf("0 0 1-5W * ? *").find("W takes a single day"), std::string::npos);
  EXPECT_NE(ErrorOf("0 0 0 * ? *").find("out of range 1-31"), std::string::npos);
  EXPECT_NE(ErrorOf("0 0 ? * 8 *").find("out of range 1-7"), std::string::npos);
  EXPECT_NE(ErrorOf("0,,5 0 * * ? *").find("empty list item"), std::string::npos);
}

}  // namespace
}  // namespace fakes::scheduler
