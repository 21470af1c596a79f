// EventBridge Scheduler in virtual time: fire times, flexible windows, retries with back-off, DLQ redrive, auto-delete.
#ifndef ECSIM_FAKES_SCHEDULER_SCHEDULER_H_
#define ECSIM_FAKES_SCHEDULER_SCHEDULER_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "fakes/scheduler/schedule.h"
#include "sim/base/document.h"
#include "sim/base/event_loop.h"
#include "sim/base/rng.h"
#include "sim/base/time.h"

namespace fakes::scheduler {

struct InvokeResult {
  bool ok = true;
  std::string error_code, error_message;
  bool retryable = true;
};

// The target API (ECS RunTask, SQS SendMessage, ...). Called once per attempt.
class TargetInvoker {
 public:
  virtual ~TargetInvoker() = default;
  virtual InvokeResult Invoke(const Schedule& s, const sim::Json& target_input, int attempt /*0-based*/) = 0;
};

// Where dead-letter events go (an SQS model in a full run).
class DeadLetterSink {
 public:
  virtual ~DeadLetterSink() = default;
  // Returns false if the queue does not exist (the Scheduler then drops the event; record it).
  virtual bool SendToDeadLetterQueue(const std::string& queue_arn, const std::string& body,
                                     const std::map<std::string, std::string>& string_attributes) = 0;
};

// ecsim's choices where AWS publishes no numbers; scenario-settable.
struct SchedulerTunables {
  // Retry delay before retry n (0-based) is uniform in [0, min(cap, base * 2^n)]
  // ("full jitter"). AWS documents only "exponential back-off and jitter".
  sim::Duration retry_base = sim::Seconds(1);
  sim::Duration retry_cap = sim::Seconds(900);
  // AWS invokes "with 60 second precision": a 1:00 schedule runs between
  // 1:00:00 and 1:00:59. On: each invocation lands a seeded [0, 59] s after its
  // minute. Off: exactly on time (tests, tight timelines).
  bool sixty_second_precision = true;
};

inline constexpr const char* kDefaultRegion = "us-east-1";
inline constexpr const char* kDefaultAccount = "123456789012";

class Scheduler {
 public:
  // epoch_ms: the UTC wall-clock time (ms since 1970) that virtual time 0 stands
  // for. invoker, dead_letters and the loop must outlive the Scheduler.
  Scheduler(sim::EventLoop& loop, sim::Rng rng, int64_t epoch_ms, TargetInvoker& invoker, DeadLetterSink& dead_letters,
            std::function<void(const sim::Json& event)> sink, SchedulerTunables tunables = {},
            std::string region = kDefaultRegion, std::string account = kDefaultAccount);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // CreateSchedule at the current virtual time. An ENABLED schedule is armed
  // for its next fire time at or after now. Throws sim::InputError (at
  // schedule.where) if a schedule of that name already exists in the group.
  void Add(Schedule schedule);
  // DeleteSchedule: cancels the next fire and any pending retries. Returns
  // false if there is no such schedule.
  bool Delete(const std::string& name, const std::string& group_name = "default");

  // UpdateSchedule's State: DISABLED cancels the next fire (invocations
  // already retrying go on); ENABLED re-arms from now. Returns false if there
  // is no such schedule.
  bool SetEnabled(const std::string& name, bool enabled, const std::string& group_name = "default");

  bool Has(const std::string& name, const std::string& group_name = "default") const;
  // The scheduled (nominal) UTC time in ms of the next armed fire, if any.
  std::optional<int64_t> NextFireTimeMs(const std::string& name, const std::string& group_name = "default") const;
  std::string ScheduleArn(const Schedule& s) const;

  // Earliest fire time (UTC ms) at or after `from_ms`, honouring StartDate and
  // EndDate for recurring schedules. `created_ms` anchors rate() schedules
  // without a StartDate. Pure: no Rng, no loop.
  static std::optional<int64_t> NextFireTime(const Schedule& s, int64_t from_ms, int64_t created_ms);

 private:
  struct Entry;
  struct Invocation;

  int64_t NowMs() const;
  sim::Time ToVirtual(int64_t utc_ms) const;
  void ArmNext(Entry& e, int64_t from_ms);
  void Tick(Entry& e, int64_t scheduled_ms);
  void Attempt(Entry& e, std::shared_ptr<Invocation> inv);
  void Fail(Entry& e, const Invocation& inv, const InvokeResult& r, const char* exhausted_condition);
  void FinishInvocation(Entry& e);
  void MaybeComplete(Entry& e);
  // Runs fn(entry) at `at` unless the schedule is deleted first. Returns a token for pending.
  uint64_t Post(Entry& e, sim::Time at, std::function<void(Entry&)> fn);
  Entry* Find(const std::string& key, uint64_t serial);
  void Remove(const std::string& key, const std::string& reason);
  void Emit(sim::Json event) const;

  sim::EventLoop& loop_;
  sim::Rng rng_;
  int64_t epoch_ms_;
  TargetInvoker& invoker_;
  DeadLetterSink& dead_letters_;
  std::function<void(const sim::Json&)> sink_;
  SchedulerTunables tunables_;
  std::string region_;
  std::string account_;
  uint64_t next_serial_ = 1;
  std::map<std::string, std::unique_ptr<Entry>> entries_;  // "group/name"
};

}  // namespace fakes::scheduler

#endif  // ECSIM_FAKES_SCHEDULER_SCHEDULER_H_
