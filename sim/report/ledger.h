// The ground truth of a run's work, kept from what workers said on the
// channel: which items were processed how often, what was committed, and how
// much work was thrown away.
#ifndef ECSIM_SIM_REPORT_LEDGER_H_
#define ECSIM_SIM_REPORT_LEDGER_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sim/base/document.h"
#include "sim/host/ground_truth.h"

namespace sim::report {

class Ledger : public host::GroundTruth {
 public:
  struct Item {
    int completions = 0;  // WORK calls that ran to the end
    int commits = 0;      // COMMIT notifications
    Duration first_cost{0};
    Time first_commit_at{};
  };
  void OnJob(const std::string& task_id, int64_t total, int64_t start, Time at) override;
  void OnWorkDone(const std::string& task_id, int64_t item, Duration cost, Time at) override;
  void OnWorkInterrupted(const std::string& task_id, int64_t item, Duration done, Time at) override;
  void OnCommit(const std::string& task_id, int64_t item, Time at) override;

  int64_t total() const { return total_; }
  const std::map<int64_t, Item>& items() const { return items_; }
  Duration work_time() const { return work_time_; }
  Duration interrupted_work() const { return interrupted_work_; }
  // Work not needed for the committed result: interrupted work, items done
  // again, and finished items never committed.
  Duration wasted_work() const;
  // Per task: where it started ("Starting at").
  const std::vector<std::pair<std::string, int64_t>>& starts() const { return starts_; }
  // Checkpoint regressions: a commit of an index lower than the same task's
  // previous commit (checkpoints going backwards within one task).
  // Per task: commits of an index below the same task's previous commit.
  const std::map<std::string, int>& backwards_commits() const { return backwards_; }
  // A task that started below the already-committed checkpoint (it redoes
  // durable work): the resume point went backwards.
  struct Regression {
    std::string task_id;
    int64_t start = 0, committed_prefix = 0;
    Time at;
  };
  const std::vector<Regression>& regressions() const { return regressions_; }

 private:
  int64_t total_ = 0;
  std::map<int64_t, Item> items_;
  Duration work_time_{0}, interrupted_work_{0};
  std::vector<std::pair<std::string, int64_t>> starts_;
  std::map<std::string, int64_t> last_commit_;
  std::map<std::string, int> backwards_;
  std::vector<Regression> regressions_;
  std::map<std::string, std::pair<int64_t, Duration>> partial_;  // task -> interrupted item, work done on it
};

}  // namespace sim::report

#endif  // ECSIM_SIM_REPORT_LEDGER_H_
