#include "sim/base/time.h"

#include <gtest/gtest.h>

namespace sim {
namespace {

TEST(TimeTest, ParsesDurationsWithUnits) {
  EXPECT_EQ(ParseDuration("250ms"), Millis(250));
  EXPECT_EQ(ParseDuration("90s"), Seconds(90));
  EXPECT_EQ(ParseDuration("1.5s"), Millis(1500));
  EXPECT_EQ(ParseDuration("2m"), Seconds(120));
  EXPECT_EQ(ParseDuration("1h30m"), Seconds(5400));
  EXPECT_EQ(ParseDuration("1d"), Seconds(86400));
  EXPECT_EQ(ParseDuration("7us"), Duration(7));
}

TEST(TimeTest, RejectsDurationsWithoutUnitOrWithGarbage) {
  EXPECT_FALSE(ParseDuration("90"));
  EXPECT_FALSE(ParseDuration(""));
  EXPECT_FALSE(ParseDuration("s"));
  EXPECT_FALSE(ParseDuration("10 s"));
  EXPECT_FALSE(ParseDuration("1.2.3s"));
  EXPECT_FALSE(ParseDuration("5x"));
  EXPECT_FALSE(ParseDuration("-5s"));
}

TEST(TimeTest, FormatsSecondsWithMilliseconds) {
  EXPECT_EQ(FormatSeconds(Millis(120000)), "120.000s");
  EXPECT_EQ(FormatSeconds(Millis(1)), "0.001s");
  EXPECT_EQ(FormatSeconds(Duration(999)), "0.000s");
}

TEST(TimeTest, Iso8601RoundTrips) {
  auto epoch = ParseIso8601Ms("2022-05-14T01:12:00Z");
  ASSERT_TRUE(epoch);
  EXPECT_EQ(FormatIso8601Seconds(*epoch, kTimeZero), "2022-05-14T01:12:00Z");
  EXPECT_EQ(FormatIso8601(*epoch, FromMicros(61'500'000)), "2022-05-14T01:13:01.500Z");
  EXPECT_EQ(FormatIso8601Seconds(0, kTimeZero), "1970-01-01T00:00:00Z");
  // Leap day and year rollover.
  auto leap = ParseIso8601Ms("2024-02-28T23:59:59Z");
  EXPECT_EQ(FormatIso8601Seconds(*leap, FromMicros(1'000'000)), "2024-02-29T00:00:00Z");
  EXPECT_EQ(FormatIso8601Seconds(*ParseIso8601Ms("2024-12-31T23:59:59Z"), FromMicros(1'000'000)),
            "2025-01-01T00:00:00Z");
  EXPECT_EQ(ParseIso8601Ms("1970-01-01T00:00:01.250Z"), 1250);
}

TEST(TimeTest, RejectsMalformedIso8601) {
  EXPECT_FALSE(ParseIso8601Ms("2022-13-14T01:12:00Z"));
  EXPECT_FALSE(ParseIso8601Ms("2022-05-14"));
  EXPECT_FALSE(ParseIso8601Ms("2022-05-14T01:12:00+02:00"));
}

}  // namespace
}  // namespace sim
