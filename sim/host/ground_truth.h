// What the simulator saw workers do on the channel: work started, finished or
// interrupted, items committed. The report trusts this, not the worker.
#ifndef ECSIM_SIM_HOST_GROUND_TRUTH_H_
#define ECSIM_SIM_HOST_GROUND_TRUTH_H_

#include <cstdint>
#include <string>

#include "sim/base/time.h"

namespace sim::host {

class GroundTruth {
 public:
  virtual ~GroundTruth() = default;
  virtual void OnJob(const std::string& task_id, int64_t total, int64_t start, Time at) = 0;
  virtual void OnWorkDone(const std::string& task_id, int64_t item, Duration cost, Time at) = 0;
  virtual void OnWorkInterrupted(const std::string& task_id, int64_t item, Duration done, Time at) = 0;
  virtual void OnCommit(const std::string& task_id, int64_t item, Time at) = 0;
};

}  // namespace sim::host

#endif  // ECSIM_SIM_HOST_GROUND_TRUTH_H_
