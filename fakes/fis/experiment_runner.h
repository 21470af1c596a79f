// AWS FIS experiments against ECS tasks in virtual time: target resolution,
// selection modes, startAfter ordering, aws:ecs:stop-task, experiment states.
#ifndef ECSIM_FAKES_FIS_EXPERIMENT_RUNNER_H_
#define ECSIM_FAKES_FIS_EXPERIMENT_RUNNER_H_

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fakes/fis/experiment_template.h"
#include "fakes/fis/task_directory.h"
#include "sim/base/document.h"
#include "sim/base/event_loop.h"
#include "sim/base/rng.h"
#include "sim/base/time.h"

namespace fakes::fis {

// FIS reports this when a target matches no resource (experiment "failed",
// error code InvalidTarget), unless emptyTargetResolutionMode is skip.
inline constexpr char kEmptyTargetReason[] = "Target resolution returned empty set";

// Picks the targets of one template target from `tasks` (directory order):
// RUNNING tasks matching resourceArns / resourceTags / parameters and every
// filter, then selectionMode with `rng`. The result keeps directory order.
// PERCENT(n) takes ceil(size * n / 100) (ecsim's choice; AWS does not say).
std::vector<std::string> ResolveTarget(const Target& target, const std::vector<TaskDirectory::TaskInfo>& tasks,
                                       sim::Rng& rng);

class ExperimentRunner {
 public:
  using Sink = std::function<void(const sim::Json&)>;

  // Delays AWS does not document; zero by default (the transitions still go
  // through the event loop, so Start() returns before targets are resolved).
  struct Options {
    sim::Duration initiating_after = sim::Duration(0);  // pending -> initiating (targets resolved here)
    sim::Duration running_after = sim::Duration(0);     // initiating -> running
  };

  struct ActionStatus {
    std::string name, action_id;
    std::string state = "pending";  // pending|running|completed|skipped|cancelled|stopped
    std::string reason;
    std::vector<std::string> targets;
  };

  struct Experiment {
    std::string id;
    ExperimentTemplate tpl;
    std::string state = "pending";  // pending|initiating|running|completed|stopping|stopped|failed
    std::string reason;
    std::string error_code;
    std::map<std::string, std::vector<std::string>> resolved;  // target name -> task ARNs
    std::vector<ActionStatus> actions;                         // template order
    sim::Time start_time{}, end_time{};
    std::vector<sim::EventId> scheduled;  // cancelled on stop
  };

  // The directory must outlive the runner. Sink records are
  // {"kind":"fis.experiment","experimentId",...}; see docs/aws/fis.md.
  ExperimentRunner(sim::EventLoop& loop, sim::Rng rng, TaskDirectory& directory, Sink sink, Options options);
  ExperimentRunner(sim::EventLoop& loop, sim::Rng rng, TaskDirectory& directory, Sink sink)
      : ExperimentRunner(loop, std::move(rng), directory, std::move(sink), Options()) {}

  // Starts an experiment now; returns its id ("EXP" + 17 letters/digits).
  std::string Start(const ExperimentTemplate& tpl);
  // StopExperiment: running actions end "stopped", pending ones "cancelled",
  // and the experiment goes stopping -> stopped. False if unknown or finished.
  bool Stop(const std::string& experiment_id, const std::string& reason = "Experiment stopped by user");
  // A CloudWatch alarm went to ALARM: stops every unfinished experiment whose
  // template lists it as a stop condition. Returns how many were stopped.
  int OnAlarm(const std::string& alarm_arn);

  // nullptr if unknown.
  const Experiment* Find(const std::string& experiment_id) const;
  // The StopTask reason ecsim uses (AWS does not document FIS's).
  static std::string StopReason(const std::string& experiment_id) {
    return "Stopped by FIS experiment " + experiment_id;
  }

 private:
  Experiment& Get(const std::string& id);
  void Schedule(Experiment& e, sim::Duration after, std::function<void()> fn);
  void SetState(Experiment& e, const std::string& state, const std::string& reason = "");
  void Initiate(const std::string& id);
  void Run(const std::string& id);
  void StartReadyActions(Experiment& e);
  void StartAction(Experiment& e, size_t index);
  void FinishAction(Experiment& e, size_t index, const std::string& state, const std::string& reason = "");
  void MaybeComplete(Experiment& e);
  void EmitAction(const Experiment& e, const ActionStatus& a, bool modelled);
  static bool Finished(const Experiment& e);

  sim::EventLoop& loop_;
  sim::Rng rng_;
  TaskDirectory& directory_;
  Sink sink_;
  Options options_;
  std::map<std::string, std::unique_ptr<Experiment>> experiments_;
};

}  // namespace fakes::fis

#endif  // ECSIM_FAKES_FIS_EXPERIMENT_RUNNER_H_
