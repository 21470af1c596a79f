// One run of a scenario: builds the models, plays the actions in virtual time
// (or scaled real time), and writes the run directory.
#ifndef ECSIM_SIM_RUN_SIMULATION_H_
#define ECSIM_SIM_RUN_SIMULATION_H_

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>

#include "sim/base/document.h"
#include "sim/scenario/scenario.h"

namespace sim::run {

struct RunOptions {
  std::optional<uint64_t> seed;  // overrides the scenario's seed
  std::string out_dir;           // must exist and be empty
  bool realtime = false;
  double speed = 1.0;
  std::optional<int64_t> guard_ms;
  std::string self_dir;          // where ecsim-worker lives
  std::FILE* console = nullptr;  // nullptr: quiet
  bool console_logs = true;
  bool check = false;            // --check: a failed invariant fails the run
  const std::atomic<bool>* interrupt = nullptr;
  int interrupt_fd = -1;
};

struct RunResult {
  int exit_code = 0;  // 0 ran, 1 expectation/invariant failed, 3 internal error, 130 interrupted
  Json summary;
};

RunResult RunScenario(const scenario::Scenario& scenario, const RunOptions& options);

}  // namespace sim::run

#endif  // ECSIM_SIM_RUN_SIMULATION_H_
