// The AWS models around ECS, built from a scenario's sections and wired to
// each other: ECS task events go to the EventBridge bus; rules restart tasks;
// Spot interrupts tasks; FIS stops them; the Scheduler invokes ECS, Step
// Functions or SQS and redrives to a DLQ; alarms on queues publish to SNS;
// workers reach SQS over the control channel.
#ifndef ECSIM_SIM_RUN_AWS_WORLD_H_
#define ECSIM_SIM_RUN_AWS_WORLD_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "fakes/cloudwatch/metric_alarm.h"
#include "fakes/ecs/ecs_service.h"
#include "fakes/events/event_bus.h"
#include "fakes/fis/experiment_runner.h"
#include "fakes/scheduler/scheduler.h"
#include "fakes/sns/sns_service.h"
#include "fakes/sqs/sqs_service.h"
#include "fakes/stepfunctions/executor.h"
#include "fakes/stepfunctions/integrations.h"
#include "sim/host/process_host.h"
#include "sim/report/recorder.h"
#include "sim/run/task_launcher.h"
#include "sim/scenario/scenario.h"

namespace sim::run {

class AwsWorld : fakes::fis::TaskDirectory,
                 fakes::scheduler::TargetInvoker,
                 fakes::scheduler::DeadLetterSink,
                 fakes::stepfunctions::EcsApi,
                 fakes::stepfunctions::MessagingApi {
 public:
  AwsWorld(const scenario::Scenario& s, EventLoop& loop, const Rng& root, fakes::ecs::EcsService& ecs,
           host::ProcessHost& host, report::Recorder& recorder, TaskLauncher& launcher);
  ~AwsWorld() override;

  // Creates queues, topics, alarms, schedules, rules; schedules seeded
  // messages and Spot interruptions. Call once before the run.
  void Wire();
  // Every ECS task state change, with its AWS event envelope.
  void OnTaskChange(const fakes::ecs::Task& task, const Json& envelope);
  void StartExperiment(const std::string& template_name);
  void StartExecution(const Json& args);

  // After the run: summary sections, run.db tables, the SNS outbox.
  void AddToSummary(Json& summary) const;
  std::vector<report::Recorder::Table> Tables() const;
  // Writes one .eml file per email into `dir` and returns their names.
  std::vector<std::string> WriteOutbox(const std::string& dir) const;
  // Tasks that consumed an SQS queue: their item order is the queue's, so
  // "checkpoint never goes backwards" does not apply to them.
  const std::set<std::string>& queue_consumers() const { return queue_consumers_; }

 private:
  // fis::TaskDirectory
  std::vector<TaskInfo> ListTasks() override;
  void StopTask(const std::string& task_arn, const std::string& reason) override;
  // scheduler::TargetInvoker / DeadLetterSink
  fakes::scheduler::InvokeResult Invoke(const fakes::scheduler::Schedule& s, const Json& target_input,
                                        int attempt) override;
  bool SendToDeadLetterQueue(const std::string& queue_arn, const std::string& body,
                             const std::map<std::string, std::string>& attributes) override;
  // stepfunctions::EcsApi / MessagingApi
  RunTaskOutcome RunTask(const Json& request) override;
  void WhenStopped(const std::string& task_arn, std::function<void(const Json& task)> fn) override;
  std::string Publish(const Json& params, Json& out) override;
  std::string SendMessage(const Json& params, Json& out) override;

  std::function<void()> HandleCall(const host::CallContext& ctx, const std::string& op, const std::string& body,
                                   std::function<void(host::CallReply)> done);
  std::function<void()> Dispatch(const host::CallContext& ctx, const std::string& op, const Json& args,
                                 std::function<void(host::CallReply)> done);
  void InterruptRunningSpotTasks(const std::string& why);
  void OnRuleMatched(size_t rule_index, const Json& event);
  void Record(const std::string& kind, const std::string& task, Json data, const std::string& text);

  const scenario::Scenario& s_;
  EventLoop& loop_;
  fakes::ecs::EcsService& ecs_;
  host::ProcessHost& host_;
  report::Recorder& recorder_;
  TaskLauncher& launcher_;
  Rng spot_rng_;
  Rng fis_rng_, sqs_rng_, sns_rng_, scheduler_rng_, sfn_rng_;
  fakes::events::EventBus bus_;
  std::unique_ptr<fakes::fis::ExperimentRunner> fis_;
  std::unique_ptr<fakes::sqs::SqsService> sqs_;
  std::unique_ptr<fakes::sns::SnsService> sns_;
  std::vector<std::unique_ptr<fakes::cloudwatch::MetricAlarm>> alarms_;
  std::unique_ptr<fakes::stepfunctions::AwsIntegrations> integrations_;
  std::unique_ptr<fakes::stepfunctions::Executor> executor_;
  std::unique_ptr<fakes::scheduler::Scheduler> scheduler_;
  std::vector<int> restarts_;  // per restart rule
  std::vector<std::string> experiments_;
  std::map<std::string, std::vector<std::function<void(const Json&)>>> stop_waiters_;
  std::map<std::string, bool> spot_armed_;  // task id -> random interruption drawn
  std::set<std::string> queue_consumers_;
  int scheduler_invocations_ = 0, scheduler_errors_ = 0, dead_letters_ = 0, scheduler_dropped_ = 0;
  int execution_counter_ = 0;
};

}  // namespace sim::run

#endif  // ECSIM_SIM_RUN_AWS_WORLD_H_
