// Virtual time: integer microseconds since the start of a run. Never a double.
#ifndef ECSIM_SIM_BASE_TIME_H_
#define ECSIM_SIM_BASE_TIME_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sim {

// The simulated clock never ticks by itself: only the event loop moves it.
struct VirtualClock {
  using rep = int64_t;
  using period = std::micro;
  using duration = std::chrono::duration<rep, period>;
  using time_point = std::chrono::time_point<VirtualClock>;
  static constexpr bool is_steady = true;
};

using Duration = VirtualClock::duration;
using Time = VirtualClock::time_point;

constexpr Time kTimeZero{};

inline constexpr int64_t ToMicros(Duration d) { return d.count(); }
inline constexpr int64_t ToMicros(Time t) { return t.time_since_epoch().count(); }
inline constexpr int64_t ToMillis(Time t) { return ToMicros(t) / 1000; }
inline constexpr Time FromMicros(int64_t us) { return Time(Duration(us)); }
inline constexpr Duration Millis(int64_t ms) { return Duration(ms * 1000); }
inline constexpr Duration Seconds(int64_t s) { return Duration(s * 1000000); }

// Parses "250ms", "90s", "1.5s", "2m", "1h", "1h30m", "2d". A bare number is
// rejected: every duration in a scenario carries its unit.
std::optional<Duration> ParseDuration(std::string_view text);

// "120.000s" style, milliseconds resolution, for the console and docs.
std::string FormatSeconds(Duration d);
inline std::string FormatSeconds(Time t) { return FormatSeconds(t.time_since_epoch()); }

// ISO-8601 UTC ("2024-05-14T01:12:00.000Z") of epoch_ms + t. Pure arithmetic,
// no time zone database and no clock read.
std::string FormatIso8601(int64_t epoch_ms, Time t);
std::string FormatIso8601Seconds(int64_t epoch_ms, Time t);  // without fraction
// Parses "2024-05-14T01:12:00Z" (optionally with .fff and 'Z'/'+00:00').
std::optional<int64_t> ParseIso8601Ms(std::string_view text);

}  // namespace sim

#endif  // ECSIM_SIM_BASE_TIME_H_
