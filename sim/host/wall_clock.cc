#include "sim/host/wall_clock.h"

#include <chrono>

namespace sim::host {
namespace {
int64_t WallNowUs() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}
}  // namespace

int64_t WallNowMs() { return WallNowUs() / 1000; }

RealtimeClock::RealtimeClock(double speed) : speed_(speed), start_us_(WallNowUs()) {}

Time RealtimeClock::VirtualNow() const {
  return FromMicros(static_cast<int64_t>(static_cast<double>(WallNowUs() - start_us_) * speed_));
}

int64_t RealtimeClock::WallMsUntil(Time t) const {
  double target_us = static_cast<double>(ToMicros(t)) / speed_ + static_cast<double>(start_us_);
  double delta = target_us - static_cast<double>(WallNowUs());
  return delta <= 0 ? 0 : static_cast<int64_t>(delta / 1000.0) + 1;
}

}  // namespace sim::host
