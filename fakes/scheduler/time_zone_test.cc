#include "fakes/scheduler/time_zone.h"

#include <cstdlib>
#include <cstring>

#include <gtest/gtest.h>

namespace fakes::scheduler {
namespace {

int64_t Utc(int y, int mo, int d, int h, int mi) { return CivilAsUtcSeconds({y, mo, d, h, mi, 0}); }

TEST(TimeZoneTest, UnknownZonesAreRejected) {
  EXPECT_FALSE(TimeZone::Load("Mars/Olympus_Mons").has_value());
  EXPECT_FALSE(TimeZone::Load("../../etc/passwd").has_value());
  EXPECT_FALSE(TimeZone::Load("").has_value());
  EXPECT_FALSE(TimeZone::Load("Europe").has_value());  // a directory, not a zone
  EXPECT_TRUE(TimeZone::Load("Europe/Berlin").has_value());
  EXPECT_TRUE(TimeZone::Load("UTC").has_value());
}

TEST(TimeZoneTest, ConvertsWinterAndSummerOffsets) {
  auto berlin = *TimeZone::Load("Europe/Berlin");
  EXPECT_EQ(berlin.ToUtc({2024, 1, 15, 12, 0, 0}), std::vector<int64_t>{Utc(2024, 1, 15, 11, 0)});
  EXPECT_EQ(berlin.ToUtc({2024, 7, 15, 12, 0, 0}), std::vector<int64_t>{Utc(2024, 7, 15, 10, 0)});
  EXPECT_EQ(berlin.ToLocal(Utc(2024, 7, 15, 10, 0)), (CivilTime{2024, 7, 15, 12, 0, 0}));
  auto ny = *TimeZone::Load("America/New_York");
  EXPECT_EQ(ny.ToUtc({2024, 1, 15, 12, 0, 0}), std::vector<int64_t>{Utc(2024, 1, 15, 17, 0)});
}

TEST(TimeZoneTest, SpringForwardGapHasNoInstant) {
  auto berlin = *TimeZone::Load("Europe/Berlin");
  EXPECT_TRUE(berlin.ToUtc({2024, 3, 31, 2, 30, 0}).empty());
  EXPECT_EQ(berlin.ToUtc({2024, 3, 31, 3, 0, 0}), std::vector<int64_t>{Utc(2024, 3, 31, 1, 0)});
}

TEST(TimeZoneTest, FallBackOverlapHasTwoInstants) {
  auto berlin = *TimeZone::Load("Europe/Berlin");
  EXPECT_EQ(berlin.ToUtc({2024, 10, 27, 2, 30, 0}),
            (std::vector<int64_t>{Utc(2024, 10, 27, 0, 30), Utc(2024, 10, 27, 1, 30)}));
}

TEST(TimeZoneTest, RestoresTheCallersTz) {
  setenv("TZ", "Asia/Tokyo", 1);
  auto berlin = *TimeZone::Load("Europe/Berlin");
  berlin.ToLocal(0);
  ASSERT_NE(std::getenv("TZ"), nullptr);
  EXPECT_STREQ(std::getenv("TZ"), "Asia/Tokyo");
  unsetenv("TZ");
  berlin.ToUtc({2024, 1, 1, 0, 0, 0});
  EXPECT_EQ(std::getenv("TZ"), nullptr);
}

TEST(TimeZoneTest, CachedOffsetsAgreeWithFreshLookups) {
  // A long-lived zone answers from its per-day cache; a fresh one asks glibc.
  for (const char* name : {"Europe/Berlin", "America/Sao_Paulo", "Australia/Lord_Howe", "Asia/Kolkata"}) {
    auto cached = *TimeZone::Load(name);
    for (int64_t t = Utc(2017, 1, 1, 0, 0); t < Utc(2019, 1, 1, 0, 0); t += 3 * 3600 + 17 * 60 + 11) {
      CivilTime fresh = TimeZone::Load(name)->ToLocal(t);
      ASSERT_EQ(cached.ToLocal(t), fresh) << name << " at " << t;
    }
  }
}

TEST(TimeZoneTest, CalendarHelpers) {
  EXPECT_EQ(DayOfWeek(1970, 1, 1), 5);   // Thursday
  EXPECT_EQ(DayOfWeek(2024, 5, 14), 3);  // Tuesday
  EXPECT_EQ(DaysInMonth(2024, 2), 29);
  EXPECT_EQ(DaysInMonth(2100, 2), 28);
  EXPECT_EQ(DaysInMonth(2000, 2), 29);
  EXPECT_EQ(UtcSecondsAsCivil(Utc(2199, 12, 31, 23, 59)), (CivilTime{2199, 12, 31, 23, 59, 0}));
}

}  // namespace
}  // namespace fakes::scheduler
