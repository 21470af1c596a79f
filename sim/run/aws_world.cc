#include "sim/run/aws_world.h"

#include <filesystem>
#include <fstream>

#include <fmt/format.h>

namespace sim::run {
namespace fs = std::filesystem;

namespace {

std::string Short(const std::string& arn) {
  auto slash = arn.rfind('/');
  return slash == std::string::npos ? arn : arn.substr(slash + 1);
}

std::string Str(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Which RunTask errors the Scheduler retries. AWS sends "deleted target
// resource" and permission errors to the DLQ at once; everything else is
// retried (docs/aws/scheduler.md).
bool Retryable(const std::string& code, const std::string& message) {
  if (code == "ClusterNotFoundException" || code == "AccessDeniedException") return false;
  if (code == "ClientException" && message == "Unable to describe task definition.") return false;
  return true;
}

// The models' sink records carry their kind as "type" or "kind" and their own
// time; the run record has both already.
std::string TakeKind(Json& e) {
  std::string kind = Str(e, "kind");
  if (kind.empty()) kind = Str(e, "type");
  e.erase("kind");
  e.erase("type");
  e.erase("time");
  return kind;
}

}  // namespace

AwsWorld::AwsWorld(const scenario::Scenario& s, EventLoop& loop, const Rng& root, fakes::ecs::EcsService& ecs,
                   host::ProcessHost& host, report::Recorder& recorder, TaskLauncher& launcher)
    : s_(s),
      loop_(loop),
      ecs_(ecs),
      host_(host),
      recorder_(recorder),
      launcher_(launcher),
      spot_rng_(root.Fork("spot.interruptions")),
      fis_rng_(root.Fork("fis")),
      sqs_rng_(root.Fork("sqs")),
      sns_rng_(root.Fork("sns")),
      scheduler_rng_(root.Fork("scheduler")),
      sfn_rng_(root.Fork("stepfunctions")) {}

AwsWorld::~AwsWorld() = default;

void AwsWorld::Record(const std::string& kind, const std::string& task, Json data, const std::string& text) {
  recorder_.Event(loop_.Now(), kind, task, std::move(data), text);
}

void AwsWorld::Wire() {
  const auto& a = s_.aws;
  // EventBridge rules that restart tasks.
  restarts_.assign(a.restart_rules.size(), 0);
  for (size_t i = 0; i < a.restart_rules.size(); ++i) {
    fakes::events::Rule rule = a.restart_rules[i].rule;
    rule.targets.clear();
    rule.targets.push_back([this, i](const Json& event) { OnRuleMatched(i, event); });
    bus_.AddRule(std::move(rule));
  }
  // FIS
  if (!a.fis_templates.empty())
    fis_ = std::make_unique<fakes::fis::ExperimentRunner>(loop_, fis_rng_, static_cast<fakes::fis::TaskDirectory&>(*this), [this](const Json& rec) {
      Json e = rec;
      std::string kind = TakeKind(e);
      std::string text;
      if (!e.contains("action")) {
        text = fmt::format("FIS experiment {} {}", Str(e, "experimentId"), Str(e, "state"));
        if (!Str(e, "reason").empty()) text += ": " + Str(e, "reason");
      } else {
        text = fmt::format("FIS action {} ({}) {}", Str(e, "action"), Str(e, "actionId"), Str(e, "state"));
        if (e.contains("targets") && e["targets"].is_array() && !e["targets"].empty())
          text += fmt::format(" on {} task(s)", e["targets"].size());
      }
      Record(kind, "", e, text);
    });
  // Spot: fixed-time interruptions.
  for (Time t : a.spot.interrupt_at)
    loop_.At(t, [this] { InterruptRunningSpotTasks("scheduled Spot interruption (spot.interruptions.at)"); });

  bool messaging = !a.queues.empty() || !a.topics.empty() || !a.alarms.empty() || !a.schedules.empty() ||
                   !a.state_machines.empty();
  if (messaging) {
    sqs_ = std::make_unique<fakes::sqs::SqsService>(loop_, sqs_rng_, s_.epoch_ms, s_.region, s_.account);
    sqs_->set_sink([this](const Json& rec) {
      Json e = rec;
      std::string type = TakeKind(e);
      std::string text;
      if (type == "sqs.moved_to_dlq")
        text = fmt::format("SQS message {} moved to dead-letter queue {}", Str(e, "message_id").substr(0, 8),
                           Str(e, "dead_letter_queue"));
      else if (type == "sqs.expired")
        text = fmt::format("SQS message {} expired from {}", Str(e, "message_id").substr(0, 8), Str(e, "queue"));
      Record(type, "", e, text);
    });
    for (const auto& q : a.queues) sqs_->CreateQueue(q);
    sns_ = std::make_unique<fakes::sns::SnsService>(loop_, sns_rng_, s_.epoch_ms, s_.region, s_.account, *sqs_);
    sns_->set_auto_confirm(a.sns_auto_confirm);
    sns_->set_sink([this](const Json& rec) {
      Json e = rec;
      std::string type = TakeKind(e);
      std::string text;
      std::string topic = Str(e, "topic");
      topic = topic.substr(topic.rfind(':') + 1);
      if (type == "sns.publish") text = fmt::format("SNS Publish to topic {}", topic);
      if (type == "sns.deliver")
        text = fmt::format("SNS delivers to {} {}{}", Str(e, "protocol"), Str(e, "endpoint"),
                           e.contains("subject") ? ": \"" + Str(e, "subject") + "\"" : "");
      if (type == "sns.subscription_pending" && !s_.aws.sns_auto_confirm)
        text = fmt::format("SNS subscription of {} is PendingConfirmation: nothing will be delivered", Str(e, "endpoint"));
      Record(type, "", e, text);
    });
    for (const auto& t : a.topics) sns_->CreateTopic(t);
    for (const auto& sub : a.subscriptions) sns_->Subscribe(sub);
    for (const auto& spec : a.alarms) {
      auto alarm = std::make_unique<fakes::cloudwatch::MetricAlarm>(
          loop_, s_.epoch_ms, s_.region, s_.account, spec,
          [this](const std::string&, const std::string& metric, const std::vector<fakes::cloudwatch::Dimension>& dims) {
            return dims.empty() ? std::optional<double>() : sqs_->GetMetric(dims[0].value, metric);
          },
          [this](const Json& params) {
            Json out;
            return sns_->PublishApi(params, out);
          },
          [this](const Json& rec) {
            Json e = rec;
            std::string type = TakeKind(e);
            std::string text;
            if (type == "cloudwatch.alarm_state_change")
              text = fmt::format("CloudWatch alarm {}: {} -> {}", Str(e, "alarm"), Str(e, "old_state"), Str(e, "new_state"));
            Record(type, "", e, text);
          });
      fakes::cloudwatch::MetricAlarm* raw = alarm.get();
      sqs_->AddChangeListener([raw](const std::string&) { raw->NotifyMetricChanged(); });
      alarms_.push_back(std::move(alarm));
    }
    for (const auto& m : a.queue_messages) {
      loop_.At(m.at, [this, m] {
        for (const auto& body : m.bodies) sqs_->SendMessage(m.queue, body);
        Record("sqs.seeded", "", {{"queue", m.queue}, {"messages", m.bodies.size()}},
               fmt::format("{} message(s) sent to {}", m.bodies.size(), m.queue));
      });
    }
    host_.SetCallHandler([this](const host::CallContext& ctx, const std::string& op, const std::string& body,
                                std::function<void(host::CallReply)> done) { return HandleCall(ctx, op, body, done); });
  }
  if (!a.state_machines.empty()) {
    integrations_ = std::make_unique<fakes::stepfunctions::AwsIntegrations>(
        static_cast<fakes::stepfunctions::EcsApi&>(*this), static_cast<fakes::stepfunctions::MessagingApi&>(*this));
    executor_ = std::make_unique<fakes::stepfunctions::Executor>(
        loop_, sfn_rng_, s_.epoch_ms, *integrations_, [this](const Json& h) {
          std::string type = Str(h, "type");
          std::string text;
          std::string exec = Short(Str(h, "executionArn"));
          if (exec.find(':') != std::string::npos) exec = exec.substr(exec.rfind(':') + 1);
          auto details = [&](const char* key) -> const Json& {
            static const Json kEmpty = Json::object();
            auto it = h.find(key);
            return it == h.end() ? kEmpty : *it;
          };
          if (type == "ExecutionStarted" || type == "ExecutionSucceeded") text = fmt::format("Step Functions {} {}", exec, type);
          if (type == "ExecutionFailed" || type == "ExecutionTimedOut")
            text = fmt::format("Step Functions {} {}: {}", exec, type, Str(details("executionFailedEventDetails"), "error"));
          if (type == "TaskStateEntered") text = fmt::format("Step Functions {} enters {}", exec, Str(details("stateEnteredEventDetails"), "name"));
          if (type == "TaskFailed")
            text = fmt::format("Step Functions {} task failed: {}", exec, Str(details("taskFailedEventDetails"), "error"));
          if (type == "TaskScheduled") text = fmt::format("Step Functions {} schedules {}", exec, Str(details("taskScheduledEventDetails"), "resource"));
          if (type == "TaskSucceeded") text = fmt::format("Step Functions {} task succeeded", exec);
          Record("stepfunctions.history", "", h, text);
        });
  }
  if (!a.schedules.empty()) {
    scheduler_ = std::make_unique<fakes::scheduler::Scheduler>(
        loop_, scheduler_rng_, s_.epoch_ms, static_cast<fakes::scheduler::TargetInvoker&>(*this),
        static_cast<fakes::scheduler::DeadLetterSink&>(*this),
        [this](const Json& rec) {
          Json e = rec;
          std::string type = TakeKind(e);
          std::string text;
          if (type == "scheduler.invocation") {
            ++scheduler_invocations_;
            text = fmt::format("Scheduler invokes {} (attempt {})", Str(e, "schedule"), e.value("attempt", 0));
          } else if (type == "scheduler.target_error") {
            ++scheduler_errors_;
            text = fmt::format("Scheduler target error {}: {}", Str(e, "error_code"), Str(e, "error_message"));
            if (!Str(e, "next_attempt_at").empty()) text += fmt::format(", retry at {}", Str(e, "next_attempt_at"));
            else text += " (no more retries)";
          } else if (type == "scheduler.dead_letter") {
            ++dead_letters_;
            text = fmt::format("Scheduler sends the event to dead-letter queue {}", Short(Str(e, "queue")));
          } else if (type == "scheduler.dropped") {
            ++scheduler_dropped_;
            text = fmt::format("Scheduler drops the event: {}", Str(e, "reason"));
          } else if (type == "scheduler.deleted") {
            text = fmt::format("Scheduler deletes schedule {}", Str(e, "schedule"));
          }
          Record(type, "", e, text);
        },
        a.scheduler_tunables, s_.region, s_.account);
    for (const auto& sch : a.schedules) scheduler_->Add(sch);
  }
}

// --- ECS events: the bus, Spot, Step Functions waiters ------------------------

void AwsWorld::OnTaskChange(const fakes::ecs::Task& t, const Json& envelope) {
  if (t.last_status == "RUNNING" && t.desired_status == "RUNNING" && t.capacity_provider == fakes::ecs::kFargateSpot &&
      s_.aws.spot.mean_time_between && !spot_armed_[t.id]) {
    spot_armed_[t.id] = true;
    double mean_us = static_cast<double>(ToMicros(*s_.aws.spot.mean_time_between));
    Duration after(static_cast<int64_t>(spot_rng_.Exponential(mean_us)) + 1);
    std::string id = t.id;
    loop_.After(after, [this, id] {
      auto* task = ecs_.FindTask(id);
      if (!task || task->last_status != "RUNNING" || task->stop_requested) return;
      Record("spot.interruption", id, {{"source", "random"}}, "Fargate Spot reclaims the capacity");
      ecs_.InterruptSpot(id);
    });
  }
  if (t.last_status == "STOPPED") {
    auto it = stop_waiters_.find(t.arn);
    if (it != stop_waiters_.end()) {
      auto waiters = std::move(it->second);
      stop_waiters_.erase(it);
      Json described = ecs_.Describe(t);
      for (auto& fn : waiters) loop_.At(loop_.Now(), [fn, described] { fn(described); });
    }
  }
  bus_.PutEvent(envelope);
}

void AwsWorld::InterruptRunningSpotTasks(const std::string& why) {
  for (const auto& t : ecs_.tasks()) {
    if (t->capacity_provider != fakes::ecs::kFargateSpot || t->last_status != "RUNNING" || t->stop_requested) continue;
    Record("spot.interruption", t->id, {{"source", "scheduled"}}, why);
    ecs_.InterruptSpot(t->id);
  }
}

void AwsWorld::OnRuleMatched(size_t i, const Json& event) {
  const auto& spec = s_.aws.restart_rules[i];
  std::string task_arn = event.contains("resources") && !event["resources"].empty() ? event["resources"][0].get<std::string>() : "";
  if (restarts_[i] >= spec.backoff.max_attempts) {
    Record("eventbridge.restart_cap", "", {{"rule", spec.rule.name}, {"restarts", restarts_[i]}},
           fmt::format("rule {}: restart cap of {} reached, not restarting {}", spec.rule.name,
                       spec.backoff.max_attempts, Short(task_arn).substr(0, 8)));
    return;
  }
  int n = ++restarts_[i];
  Duration wait = spec.backoff.Delay(n);
  Record("eventbridge.rule_matched", "", {{"rule", spec.rule.name}, {"restart", n}, {"delay_ms", ToMicros(wait) / 1000}},
         fmt::format("rule {} matched {}: restart {}/{} in {}", spec.rule.name, Short(task_arn).substr(0, 8), n,
                     spec.backoff.max_attempts, FormatSeconds(wait)));
  Json request = spec.run_task;
  std::string origin = "rule " + spec.rule.name;
  loop_.After(wait, [this, request, origin, i] {
    // A restart that cannot be placed (no Spot capacity) is retried with the
    // rule's back-off, at most as many calls as the rule has restarts left.
    scenario::Backoff retry = s_.aws.restart_rules[i].backoff;
    retry.max_attempts = std::max(1, retry.max_attempts - restarts_[i] + 1);
    launcher_.Launch(request, retry, origin, nullptr);
  });
}

// --- FIS ------------------------------------------------------------------------

void AwsWorld::StartExperiment(const std::string& name) {
  for (const auto& t : s_.aws.fis_templates)
    if (t.name == name) {
      std::string id = fis_->Start(t.tpl);
      experiments_.push_back(id);
      Record("fis.start", "", {{"template", name}, {"experiment", id}}, fmt::format("FIS StartExperiment {} -> {}", name, id));
      return;
    }
}

std::vector<fakes::fis::TaskDirectory::TaskInfo> AwsWorld::ListTasks() {
  std::vector<TaskInfo> out;
  for (const auto& t : ecs_.tasks()) {
    TaskInfo info;
    info.arn = t->arn;
    info.cluster_arn = t->cluster_arn;
    info.cluster_name = t->cluster_name;
    info.group = t->group;
    info.tags = t->tags;
    info.last_status = t->stop_requested ? "STOPPING" : t->last_status;
    out.push_back(std::move(info));
  }
  return out;
}

void AwsWorld::StopTask(const std::string& task_arn, const std::string& reason) {
  ecs_.StopTask("", task_arn, reason);
}

// --- Scheduler ------------------------------------------------------------------

fakes::scheduler::InvokeResult AwsWorld::Invoke(const fakes::scheduler::Schedule& sch, const Json& target_input, int) {
  const std::string& arn = sch.target.arn;
  fakes::scheduler::InvokeResult result;
  if (arn.rfind("arn:aws:ecs:", 0) == 0) {
    const auto& p = *sch.target.ecs_parameters;
    Json req = Json::object();
    req["cluster"] = arn;
    req["taskDefinition"] = p.task_definition_arn;
    req["count"] = p.task_count;
    if (!p.launch_type.empty()) req["launchType"] = p.launch_type;
    if (!p.capacity_provider_strategy.empty()) {
      req["capacityProviderStrategy"] = Json::array();
      for (const auto& c : p.capacity_provider_strategy)
        req["capacityProviderStrategy"].push_back(
            {{"capacityProvider", c.capacity_provider}, {"weight", c.weight}, {"base", c.base}});
    }
    if (!p.group.empty()) req["group"] = p.group;
    req["startedBy"] = "scheduler:" + sch.name;
    if (p.tags.is_array()) {
      req["tags"] = Json::array();
      for (const auto& kv : p.tags)
        for (auto it = kv.begin(); it != kv.end(); ++it)
          req["tags"].push_back({{"key", it.key()}, {"value", it.value().is_string() ? it.value().get<std::string>() : it.value().dump()}});
    }
    if (!target_input.is_null() && target_input.is_object() && target_input.contains("containerOverrides"))
      req["overrides"] = target_input;
    auto out = ecs_.RunTask(req);
    std::string text = fmt::format("RunTask {} (scheduler {})", p.task_definition_arn.substr(p.task_definition_arn.rfind('/') + 1), sch.name);
    if (!out.ok()) {
      result = {false, out.exception_code, out.exception_message, Retryable(out.exception_code, out.exception_message)};
      Record("ecs.run_task", "", {{"origin", "scheduler " + sch.name}, {"request", req},
                                  {"exception", {{"code", out.exception_code}, {"message", out.exception_message}}}},
             text + fmt::format(" failed: {}: {}", out.exception_code, out.exception_message));
      return result;
    }
    Record("ecs.run_task", "", {{"origin", "scheduler " + sch.name}, {"request", req}, {"failures", out.response["failures"]}},
           text + fmt::format(" -> {} task(s), {} failure(s)", out.task_ids.size(), out.response["failures"].size()));
    if (s_.aws.scheduler_failures_are_errors && !out.response["failures"].empty()) {
      // ecsim's option: AWS does not say whether failures[] fails an invocation.
      return {false, "ECS.RunTaskFailures", Str(out.response["failures"][0], "reason"), true};
    }
    return result;
  }
  if (arn.rfind("arn:aws:states:", 0) == 0) {
    for (const auto& m : s_.aws.state_machines)
      if (m.arn == arn) {
        Json input = target_input.is_null() ? Json::object() : target_input;
        std::string exec = executor_->Start(m.machine, m.arn, "", input);
        if (exec.empty()) return {false, "ExecutionAlreadyExists", "Execution already exists", false};
        return result;
      }
    return {false, "StateMachineDoesNotExist", "State Machine Does Not Exist: '" + arn + "'", false};
  }
  if (arn.rfind("arn:aws:sqs:", 0) == 0) {
    std::string body = target_input.is_string() ? target_input.get<std::string>() : target_input.dump();
    auto r = sqs_->SendMessage(arn, body);
    if (!r.status.ok()) return {false, r.status.code, r.status.message, r.status.code != "AWS.SimpleQueueService.NonExistentQueue"};
    return result;
  }
  return {false, "AWS.Scheduler.InternalServerError", "Unexpected error occurred while processing the request", true};
}

bool AwsWorld::SendToDeadLetterQueue(const std::string& queue_arn, const std::string& body,
                                     const std::map<std::string, std::string>& attributes) {
  if (!sqs_ || !sqs_->HasQueue(queue_arn)) return false;
  fakes::sqs::MessageAttributes attrs;
  for (const auto& [k, v] : attributes) attrs[k] = {"String", v, ""};
  return sqs_->SendMessage(queue_arn, body, attrs).status.ok();
}

// --- Step Functions -------------------------------------------------------------

void AwsWorld::StartExecution(const Json& args) {
  std::string ref = Str(args, "stateMachine");
  for (const auto& m : s_.aws.state_machines)
    if (m.name == ref || m.arn == ref) {
      Json input = args.contains("input") ? args["input"] : Json::object();
      std::string name = Str(args, "name");
      std::string arn = executor_->Start(m.machine, m.arn, name, input);
      Record("stepfunctions.start", "", {{"stateMachine", m.arn}, {"execution", arn}},
             arn.empty() ? fmt::format("StartExecution {} failed: ExecutionAlreadyExists", m.name) : "");
      return;
    }
}

fakes::stepfunctions::EcsApi::RunTaskOutcome AwsWorld::RunTask(const Json& request) {
  auto out = ecs_.RunTask(request);
  std::string td = request.value("taskDefinition", "");
  if (!out.ok())
    Record("ecs.run_task", "", {{"origin", "stepfunctions"}, {"request", request},
                                {"exception", {{"code", out.exception_code}, {"message", out.exception_message}}}},
           fmt::format("RunTask {} failed: {}: {} [stepfunctions]", td, out.exception_code, out.exception_message));
  else
    Record("ecs.run_task", "", {{"origin", "stepfunctions"}, {"request", request}, {"failures", out.response["failures"]}},
           fmt::format("RunTask {} -> {} task(s) [stepfunctions]", td, out.task_ids.size()));
  return {out.exception_code, out.exception_message, out.response};
}

void AwsWorld::WhenStopped(const std::string& task_arn, std::function<void(const Json& task)> fn) {
  auto* t = ecs_.FindTask(task_arn);
  if (t && t->last_status == "STOPPED") {
    Json described = ecs_.Describe(*t);
    loop_.At(loop_.Now(), [fn, described] { fn(described); });
    return;
  }
  stop_waiters_[task_arn].push_back(std::move(fn));
}

std::string AwsWorld::Publish(const Json& params, Json& out) { return sns_->PublishApi(params, out); }
std::string AwsWorld::SendMessage(const Json& params, Json& out) { return sqs_->SendMessageApi(params, out); }

// --- Worker calls: SQS over the control channel -------------------------------

std::function<void()> AwsWorld::HandleCall(const host::CallContext& ctx, const std::string& op, const std::string& body,
                                           std::function<void(host::CallReply)> done) {
  using ecsim::protocol::ReplyKind;
  auto fail = [&](const std::string& code, const std::string& message) {
    done({ReplyKind::kError, 0, 0, 0, code + " " + message});
    return std::function<void()>([] {});
  };
  Json args;
  try {
    args = Json::parse(body.empty() ? "{}" : body);
  } catch (const std::exception&) {
    return fail("InvalidParameterValue", "the arguments are not JSON");
  }
  if (!args.is_object()) return fail("InvalidParameterValue", "the arguments must be a JSON object");
  try {
    return Dispatch(ctx, op, args, done);
  } catch (const Json::exception& e) {
    // A worker that sends a string where a number belongs gets AWS's answer, not a crash.
    return fail("InvalidParameterValue", std::string("malformed arguments: ") + e.what());
  }
}

std::function<void()> AwsWorld::Dispatch(const host::CallContext& ctx, const std::string& op, const Json& args,
                                         std::function<void(host::CallReply)> done) {
  using ecsim::protocol::ReplyKind;
  auto fail = [&](const std::string& code, const std::string& message) {
    done({ReplyKind::kError, 0, 0, 0, code + " " + message});
    return std::function<void()>([] {});
  };
  std::string queue = Str(args, "QueueUrl");
  if (op == "sqs.ReceiveMessage") {
    queue_consumers_.insert(ctx.task_id);
    fakes::sqs::ReceiveMessageRequest r;
    r.queue = queue;
    r.max_number_of_messages = args.value("MaxNumberOfMessages", 1);
    if (args.contains("WaitTimeSeconds")) r.wait_time = Seconds(args["WaitTimeSeconds"].get<int64_t>());
    if (args.contains("VisibilityTimeout")) r.visibility_timeout = Seconds(args["VisibilityTimeout"].get<int64_t>());
    auto st = sqs_->ReceiveMessage(r, [done](std::vector<fakes::sqs::ReceivedMessage> messages) {
      Json out = {{"Messages", Json::array()}};
      for (const auto& m : messages) out["Messages"].push_back(m.ToJson());
      done({ReplyKind::kOk, 0, 0, 0, out.dump()});
    });
    if (!st.ok()) return fail(st.code, st.message);
    // A receive interrupted by a signal is a response the worker never saw:
    // its messages come back after the visibility timeout.
    return [] {};
  }
  if (op == "sqs.DeleteMessage") {
    auto st = sqs_->DeleteMessage(queue, Str(args, "ReceiptHandle"));
    if (!st.ok()) return fail(st.code, st.message);
    done({ReplyKind::kOk, 0, 0, 0, "{}"});
    return [] {};
  }
  if (op == "sqs.ChangeMessageVisibility") {
    auto st = sqs_->ChangeMessageVisibility(queue, Str(args, "ReceiptHandle"),
                                            Seconds(args.value("VisibilityTimeout", int64_t{0})));
    if (!st.ok()) return fail(st.code, st.message);
    done({ReplyKind::kOk, 0, 0, 0, "{}"});
    return [] {};
  }
  if (op == "sqs.SendMessage") {
    Json out;
    std::string code = sqs_->SendMessageApi(args, out);
    if (!code.empty()) return fail(code, out.value("Message", out.value("message", "SendMessage failed")));
    done({ReplyKind::kOk, 0, 0, 0, out.dump()});
    return [] {};
  }
  return fail("InvalidAction", "ecsim does not model " + op);
}

// --- After the run --------------------------------------------------------------

void AwsWorld::AddToSummary(Json& summary) const {
  const auto& a = s_.aws;
  if (!a.restart_rules.empty()) {
    Json rules = Json::array();
    for (size_t i = 0; i < a.restart_rules.size(); ++i) {
      const auto& c = bus_.counters(a.restart_rules[i].rule.name);
      rules.push_back({{"name", a.restart_rules[i].rule.name}, {"matched", c.matched}, {"restarts", restarts_[i]},
                       {"max_restarts", a.restart_rules[i].backoff.max_attempts}});
    }
    summary["eventbridge"] = {{"events", bus_.events_put()}, {"rules", rules}};
  }
  if (fis_) {
    Json list = Json::array();
    for (const auto& id : experiments_) {
      const auto* e = fis_->Find(id);
      if (!e) continue;
      Json targets = Json::object();
      for (const auto& [name, arns] : e->resolved) targets[name] = arns.size();
      list.push_back({{"id", id}, {"state", e->state}, {"reason", e->reason}, {"targets", targets}});
    }
    summary["fis"] = {{"experiments", list}};
  }
  if (sqs_) {
    Json queues = Json::array();
    for (const auto& name : sqs_->QueueNames()) {
      auto c = sqs_->Counters(name);
      auto m = sqs_->Metrics(name);
      queues.push_back({{"name", name},
                        {"visible", m->visible},
                        {"in_flight", m->not_visible},
                        {"sent", c->sent},
                        {"received", c->received},
                        {"redelivered", c->redelivered},
                        {"deleted", c->deleted},
                        {"moved_to_dlq", c->moved_to_dlq},
                        {"expired", c->expired}});
    }
    summary["sqs"] = {{"queues", queues}};
  }
  if (sns_ && (!a.topics.empty() || !sns_->outbox().empty())) {
    Json outbox = Json::array();
    int n = 0;
    for (const auto& m : sns_->outbox())
      outbox.push_back({{"file", fmt::format("outbox/{:04d}.eml", ++n)}, {"to", m.to}, {"subject", m.subject},
                        {"time_ms", ToMillis(m.time)}});
    summary["sns"] = {{"outbox", outbox}};
  }
  if (!alarms_.empty()) {
    Json list = Json::array();
    for (const auto& al : alarms_)
      list.push_back({{"name", al->spec().name}, {"state", std::string(fakes::cloudwatch::ToString(al->state()))},
                      {"transitions", al->history().size()}});
    summary["cloudwatch"] = {{"alarms", list}};
  }
  if (scheduler_)
    summary["scheduler"] = {{"invocations", scheduler_invocations_}, {"target_errors", scheduler_errors_},
                            {"dead_letters", dead_letters_}, {"dropped", scheduler_dropped_}};
  if (executor_) {
    Json list = Json::array();
    for (const auto& arn : executor_->ExecutionArns()) {
      const auto* e = executor_->Find(arn);
      Json x = {{"arn", arn}, {"name", e->name}, {"status", fakes::stepfunctions::ToString(e->status)},
                {"start_ms", ToMillis(e->start_time)}};
      if (e->stop_time) x["stop_ms"] = ToMillis(*e->stop_time);
      if (!e->error.empty()) x["error"] = e->error;
      if (!e->cause.empty()) x["cause"] = e->cause.substr(0, 200);
      list.push_back(x);
    }
    summary["stepfunctions"] = {{"executions", list}};
  }
}

std::vector<report::Recorder::Table> AwsWorld::Tables() const {
  std::vector<report::Recorder::Table> out;
  if (sqs_) {
    Json rows = Json::array();
    Json snap = sqs_->Snapshot();
    for (const auto& q : snap.value("queues", Json::array()))
      for (const auto& m : q.value("Messages", Json::array()))
        rows.push_back({{"queue", q.value("QueueName", "")}, {"message_id", m.value("MessageId", "")},
                        {"body", m.value("Body", "")}, {"attributes", m.value("Attributes", Json::object()).dump()},
                        {"message_attributes", m.value("MessageAttributes", Json::object()).dump()}});
    out.push_back({"queue_messages", {"queue", "message_id", "body", "attributes", "message_attributes"}, rows});
  }
  if (executor_) {
    Json rows = Json::array();
    for (const auto& arn : executor_->ExecutionArns())
      for (const auto& h : executor_->Find(arn)->history)
        rows.push_back({{"execution_arn", arn}, {"id", h.value("id", 0)}, {"type", h.value("type", "")},
                        {"timestamp", h.value("timestamp", "")}, {"json", h.dump()}});
    out.push_back({"execution_history", {"execution_arn", "id", "type", "timestamp", "json"}, rows});
  }
  return out;
}

std::vector<std::string> AwsWorld::WriteOutbox(const std::string& dir) const {
  std::vector<std::string> files;
  if (!sns_ || sns_->outbox().empty()) return files;
  fs::create_directories(fs::path(dir) / "outbox");
  int n = 0;
  for (const auto& m : sns_->outbox()) {
    std::string name = fmt::format("outbox/{:04d}.eml", ++n);
    std::ofstream(fs::path(dir) / name, std::ios::binary) << fakes::sns::RenderEmail(m);
    files.push_back(name);
  }
  return files;
}

}  // namespace sim::run
