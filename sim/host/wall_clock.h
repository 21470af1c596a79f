// The only real clocks in sim/: the wall-clock guard against hung workers and
// the scaled clock of --clock realtime. Nothing here feeds a deterministic run's
// output: in virtual mode the guard only decides whether a worker is hung.
#ifndef ECSIM_SIM_HOST_WALL_CLOCK_H_
#define ECSIM_SIM_HOST_WALL_CLOCK_H_

#include <cstdint>

#include "sim/base/time.h"

namespace sim::host {

// Monotonic wall time in milliseconds (steady clock).
int64_t WallNowMs();

// Maps wall time to virtual time for --clock realtime: virtual = elapsed * speed.
class RealtimeClock {
 public:
  explicit RealtimeClock(double speed);
  Time VirtualNow() const;
  // Wall milliseconds from now until virtual time `t` (0 if already past).
  int64_t WallMsUntil(Time t) const;

 private:
  double speed_;
  int64_t start_us_;
};

}  // namespace sim::host

#endif  // ECSIM_SIM_HOST_WALL_CLOCK_H_
