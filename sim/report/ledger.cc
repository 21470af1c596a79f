#include "sim/report/ledger.h"

namespace sim::report {

void Ledger::OnJob(const std::string& task_id, int64_t total, int64_t start, Time at) {
  if (total > total_) total_ = total;
  starts_.emplace_back(task_id, start);
  int64_t prefix = 0;  // items 0..prefix-1 are durably committed right now
  for (auto it = items_.find(0); it != items_.end() && it->first == prefix && it->second.commits > 0; ++it) ++prefix;
  if (start < prefix)
    regressions_.push_back({task_id, start, prefix, at});
}

void Ledger::OnWorkDone(const std::string& task_id, int64_t item, Duration cost, Time) {
  work_time_ += cost;
  auto partial = partial_.find(task_id);
  if (partial != partial_.end()) {
    if (partial->second.first == item) {
      // The rest of an interrupted item (SIGTERM ignored, or --finish-item):
      // the earlier part was not wasted after all.
      cost += partial->second.second;
      interrupted_work_ -= partial->second.second;
    }
    partial_.erase(partial);
  }
  Item& it = items_[item];
  if (it.completions == 0) it.first_cost = cost;
  ++it.completions;
}

void Ledger::OnWorkInterrupted(const std::string& task_id, int64_t item, Duration done, Time) {
  work_time_ += done;
  interrupted_work_ += done;
  partial_[task_id] = {item, done};
}

void Ledger::OnCommit(const std::string& task_id, int64_t item, Time at) {
  Item& it = items_[item];
  if (it.commits == 0) it.first_commit_at = at;
  ++it.commits;
  auto last = last_commit_.find(task_id);
  if (last != last_commit_.end() && item < last->second) ++backwards_[task_id];
  last_commit_[task_id] = item;
}

Duration Ledger::wasted_work() const {
  Duration useful{0};
  for (const auto& [index, it] : items_)
    if (it.commits > 0 && it.completions > 0) useful += it.first_cost;
  return work_time_ - useful;
}

}  // namespace sim::report
