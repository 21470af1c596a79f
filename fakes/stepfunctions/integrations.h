// Step Functions service integrations: the seam between Task states and the
// service models, plus the optimized ECS / SNS / SQS integrations over narrow
// interfaces the simulator's ECS and messaging models implement.
#ifndef ECSIM_FAKES_STEPFUNCTIONS_INTEGRATIONS_H_
#define ECSIM_FAKES_STEPFUNCTIONS_INTEGRATIONS_H_

#include <functional>
#include <string>

#include "sim/base/document.h"

namespace fakes::stepfunctions {

inline constexpr char kEcsRunTaskSync[] = "arn:aws:states:::ecs:runTask.sync";
inline constexpr char kEcsRunTask[] = "arn:aws:states:::ecs:runTask";
inline constexpr char kSnsPublish[] = "arn:aws:states:::sns:publish";
inline constexpr char kSqsSendMessage[] = "arn:aws:states:::sqs:sendMessage";

// Error names of the ECS integration.
inline constexpr char kErrorEcsException[] = "ECS.AmazonECSException";
inline constexpr char kErrorEcsUnknown[] = "AmazonECS.Unknown";

struct TaskResult {
  bool ok = true;
  sim::Json output;
  std::string error;
  std::string cause;
};

class ServiceIntegrations {  // provided by the simulator wiring
 public:
  virtual ~ServiceIntegrations() = default;
  // Starts a Task state's call. `done` runs exactly once, now or at a later
  // virtual time, unless the returned cancel function is called first
  // (timeout). The returned function may be empty when there is nothing to
  // cancel.
  virtual std::function<void()> Invoke(const std::string& resource, const sim::Json& parameters,
                                       std::function<void(TaskResult)> done) = 0;
  // As Invoke, and a job-running integration (".sync") also reports the
  // submission (e.g. the RunTask response) through `submitted` before `done`;
  // the Executor records it as a TaskSubmitted event. The default never
  // reports a submission.
  virtual std::function<void()> InvokeReportingSubmission(const std::string& resource, const sim::Json& parameters,
                                                          std::function<void(const sim::Json&)> submitted,
                                                          std::function<void(TaskResult)> done) {
    (void)submitted;
    return Invoke(resource, parameters, std::move(done));
  }
};

class EcsApi {  // the simulator's ECS model implements this; API names/casing as the ECS API (camelCase)
 public:
  virtual ~EcsApi() = default;
  struct RunTaskOutcome {
    std::string exception_code, exception_message;  // empty code = no exception
    sim::Json response;                             // {"tasks":[Task...], "failures":[{"arn","reason","detail"}]}
  };
  virtual RunTaskOutcome RunTask(const sim::Json& request) = 0;  // request in ECS API camelCase
  // fn(task) once the task is STOPPED; task = DescribeTasks Task (camelCase): taskArn, lastStatus, stopCode,
  // stoppedReason, containers[] {name, exitCode (absent if never ran), reason}
  virtual void WhenStopped(const std::string& task_arn, std::function<void(const sim::Json& task)> fn) = 0;
  // StopTask (stopCode UserInitiated); a task already stopping or stopped is left alone.
  virtual void StopTask(const std::string& task_arn, const std::string& reason) = 0;
};

// The stoppedReason ecsim gives a task that Step Functions stops because its
// .sync Task state timed out or the execution ended (AWS documents that it
// stops such tasks, not the wording).
inline constexpr char kStoppedBySfnReason[] = "Stopped by AWS Step Functions: the waiting Task state was cancelled";

class MessagingApi {
 public:
  virtual ~MessagingApi() = default;
  // Empty string = success, otherwise an error code (e.g. "SNS.NotFoundException"); out receives the API response.
  virtual std::string Publish(const sim::Json& params, sim::Json& out) = 0;      // TopicArn, Message, Subject
  virtual std::string SendMessage(const sim::Json& params, sim::Json& out) = 0;  // QueueUrl, MessageBody
};

// Step Functions' optimized integrations for ECS RunTask (request-response and
// .sync), SNS Publish and SQS SendMessage.
//
//   runTask / runTask.sync: Parameters (PascalCase) -> EcsApi::RunTask
//     (camelCase). A RunTask exception fails with ECS.AmazonECSException
//     (Cause = message). Non-empty failures[]: plain runTask succeeds with the
//     response; .sync fails with AmazonECS.Unknown (Cause = failures JSON).
//     .sync then waits until every started task is STOPPED: any container with
//     a non-zero exitCode, or none at all, fails with States.TaskFailed
//     (Cause = the PascalCase task JSON); otherwise the output is the first
//     task, PascalCase. Outputs use PascalCase keys, as Step Functions returns.
//   sns:publish / sqs:sendMessage: Parameters passed unchanged; an error code
//     from MessagingApi is the error name (Cause names the call).
//   Any other resource fails with States.Runtime ("not modelled").
//
// Cancelling a .sync call (state TimeoutSeconds, execution timeout) stops
// waiting and calls StopTask on every task it started that has not stopped
// yet, as Step Functions does: the container gets SIGTERM, then SIGKILL after
// its stopTimeout.
// REQUIRES: `ecs` and `messaging` outlive this object and every pending call.
class AwsIntegrations : public ServiceIntegrations {
 public:
  AwsIntegrations(EcsApi& ecs, MessagingApi& messaging) : ecs_(ecs), messaging_(messaging) {}

  std::function<void()> Invoke(const std::string& resource, const sim::Json& parameters,
                               std::function<void(TaskResult)> done) override;
  std::function<void()> InvokeReportingSubmission(const std::string& resource, const sim::Json& parameters,
                                                  std::function<void(const sim::Json&)> submitted,
                                                  std::function<void(TaskResult)> done) override;

 private:
  EcsApi& ecs_;
  MessagingApi& messaging_;
};

// Key case conversion, applied recursively to object keys (values untouched):
// "TaskDefinition" <-> "taskDefinition".
sim::Json ToCamelCaseKeys(const sim::Json& value);
sim::Json ToPascalCaseKeys(const sim::Json& value);

}  // namespace fakes::stepfunctions

#endif  // ECSIM_FAKES_STEPFUNCTIONS_INTEGRATIONS_H_
