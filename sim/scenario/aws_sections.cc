#include "sim/scenario/aws_sections.h"

#include <cmath>
#include <filesystem>

#include <fmt/format.h>

#include "fakes/sns/sns_service.h"
#include "fakes/sqs/sqs_service.h"
#include "sim/scenario/scenario.h"

namespace sim::scenario {
namespace fs = std::filesystem;

Duration Backoff::Delay(int attempt) const {
  double us = static_cast<double>(ToMicros(initial)) * std::pow(multiplier, attempt - 1);
  return std::min(max, Duration(static_cast<int64_t>(std::min(us, 9.0e15))));
}

namespace {

// The document in an entry's `file` (relative to the scenario) or `inline` key.
Node FileOrInline(const Node& entry, const Scenario& s) {
  if (entry.Has("file") == entry.Has("inline")) entry.Fail("give exactly one of file: <path> or inline: {...}");
  if (auto inl = entry.Get("inline")) return *inl;
  Node f = entry.Require("file");
  fs::path p = fs::path(s.dir) / f.AsString();
  if (!fs::exists(p)) f.Fail(fmt::format("file '{}' does not exist", p.lexically_normal().string()));
  return Node::Root(Document::Load(p.lexically_normal().string()));
}

// An AWS document given as {file: path}, {inline: {...}}, or directly.
Node Document(const Node& entry, const Scenario& s) {
  entry.ExpectObject();
  if (entry.Has("file") || entry.Has("inline")) {
    if (entry.Size() != 1) entry.Fail("give the document either as {file: path} or {inline: {...}}, nothing beside it");
    return FileOrInline(entry, s);
  }
  return entry;
}

// The entry's `name`, which must not repeat one already loaded.
template <typename Spec>
std::string UniqueName(const Node& entry, const std::vector<Spec>& loaded) {
  Node n = entry.Require("name");
  std::string name = n.AsString();
  for (const auto& other : loaded)
    if (other.name == name) n.Fail(fmt::format("duplicate name '{}'", name));
  return name;
}

}  // namespace

Backoff LoadBackoff(const Node& n, Backoff b, bool require_attempts) {
  n.AllowOnly({"max_attempts", "initial", "multiplier", "max"});
  if (require_attempts) n.Require("max_attempts");
  if (auto v = n.Get("max_attempts")) b.max_attempts = static_cast<int>(v->AsIntInRange(require_attempts ? 1 : 0, 1000));
  b.initial = n.GetDuration("initial", b.initial);
  if (auto v = n.Get("multiplier")) {
    b.multiplier = v->AsDouble();
    if (b.multiplier < 1.0 || b.multiplier > 100.0) v->Fail("multiplier must be in [1, 100]");
  }
  b.max = n.GetDuration("max", b.max);
  if (b.max < b.initial) n.Fail("max must be at least initial");
  return b;
}

namespace {

double Price(const Node& parent, const char* key, double fallback) {
  auto n = parent.Get(key);
  if (!n) return fallback;
  double v = n->AsDouble();
  if (!(v >= 0.0) || v > 100.0) n->Fail("a price is US dollars per hour, between 0 and 100");
  return v;
}


}  // namespace

void LoadAwsSections(const Node& root, Scenario& s) {
  AwsSections& a = s.aws;
  if (auto spot = root.Get("spot")) {
    spot->AllowOnly({"interruptions", "capacity_outages"});
    if (auto in = spot->Get("interruptions")) {
      in->AllowOnly({"at", "mean_time_between"});
      if (auto at = in->Get("at")) {
        at->ExpectArray();
        for (size_t i = 0; i < at->Size(); ++i) a.spot.interrupt_at.push_back(kTimeZero + at->At(i).AsDuration());
      }
      if (auto m = in->Get("mean_time_between")) {
        a.spot.mean_time_between = m->AsDuration();
        if (*a.spot.mean_time_between < Seconds(1)) m->Fail("mean_time_between must be at least 1s");
      }
    }
    if (auto co = spot->Get("capacity_outages")) {
      co->AllowOnly({"mean_available", "mean_outage"});
      Duration avail = co->Require("mean_available").AsDuration(), outage = co->Require("mean_outage").AsDuration();
      if (avail < Seconds(1) || outage < Seconds(1)) co->Fail("mean_available and mean_outage must be at least 1s");
      a.spot.random_outages = {avail, outage};
    }
  }
  if (auto pricing = root.Get("pricing")) {
    pricing->AllowOnly({"on_demand", "spot"});
    if (auto od = pricing->Get("on_demand")) {
      od->AllowOnly({"vcpu_hour", "gb_hour"});
      a.pricing.on_demand_vcpu_hour = Price(*od, "vcpu_hour", a.pricing.on_demand_vcpu_hour);
      a.pricing.on_demand_gb_hour = Price(*od, "gb_hour", a.pricing.on_demand_gb_hour);
    }
    if (auto sp = pricing->Get("spot")) {
      sp->AllowOnly({"vcpu_hour", "gb_hour"});
      a.pricing.spot_vcpu_hour = Price(*sp, "vcpu_hour", a.pricing.spot_vcpu_hour);
      a.pricing.spot_gb_hour = Price(*sp, "gb_hour", a.pricing.spot_gb_hour);
    }
  }
  if (auto fis = root.Get("fis")) {
    fis->AllowOnly({"templates"});
    Node list = fis->Require("templates");
    list.ExpectArray();
    for (size_t i = 0; i < list.Size(); ++i) {
      Node t = list.At(i);
      t.AllowOnly({"name", "file", "inline"});
      FisTemplateSpec spec;
      spec.name = UniqueName(t, a.fis_templates);
      spec.tpl = fakes::fis::LoadExperimentTemplate(FileOrInline(t, s));
      a.fis_templates.push_back(std::move(spec));
    }
  }
  if (auto eb = root.Get("eventbridge")) {
    eb->AllowOnly({"rules"});
    Node list = eb->Require("rules");
    list.ExpectArray();
    for (size_t i = 0; i < list.Size(); ++i) {
      Node r = list.At(i);
      r.AllowOnly({"rule", "run_task", "backoff"});
      RestartRuleSpec spec;
      spec.rule = fakes::events::LoadRule(Document(r.Require("rule"), s));
      Node rt = r.Require("run_task");
      rt.ExpectObject();
      rt.Require("taskDefinition").AsString();
      if (auto st = rt.Get("capacityProviderStrategy")) fakes::ecs::LoadStrategy(*st);
      spec.run_task = rt.json();
      if (auto b = r.Get("backoff")) spec.backoff = LoadBackoff(*b, spec.backoff, false);
      a.restart_rules.push_back(std::move(spec));
    }
  }

  // Queues, topics and alarms are cross-checked on throwaway services, so the
  // errors are the ones the running models would raise, before anything runs.
  EventLoop check_loop;
  fakes::sqs::SqsService check_sqs(check_loop, Rng(0), s.epoch_ms, s.region, s.account);
  fakes::sns::SnsService check_sns(check_loop, Rng(0), s.epoch_ms, s.region, s.account, check_sqs);
  if (auto sqs = root.Get("sqs")) {
    sqs->AllowOnly({"queues", "messages"});
    if (auto list = sqs->Get("queues")) {
      list->ExpectArray();
      for (size_t i = 0; i < list->Size(); ++i) {
        a.queues.push_back(fakes::sqs::LoadQueue(Document(list->At(i), s)));
        check_sqs.CreateQueue(a.queues.back());
      }
    }
    check_sqs.Validate();
    if (auto list = sqs->Get("messages")) {
      list->ExpectArray();
      for (size_t i = 0; i < list->Size(); ++i) {
        Node m = list->At(i);
        m.AllowOnly({"queue", "at", "bodies", "items"});
        QueueMessagesSpec spec;
        Node q = m.Require("queue");
        spec.queue = q.AsString();
        if (!check_sqs.HasQueue(spec.queue)) q.Fail(fmt::format("no queue '{}' in sqs.queues", spec.queue));
        spec.at = kTimeZero + m.GetDuration("at", Duration(0));
        if (m.Has("bodies") == m.Has("items")) m.Fail("give bodies: [...] or items: {count: N, from: 0}");
        if (auto b = m.Get("bodies")) {
          b->ExpectArray();
          for (size_t k = 0; k < b->Size(); ++k)
            spec.bodies.push_back(b->At(k).IsString() ? b->At(k).AsString() : b->At(k).json().dump());
        } else {
          Node items = m.Require("items");
          items.AllowOnly({"count", "from"});
          int64_t count = items.Require("count").AsIntInRange(1, 1000000);
          int64_t from = items.GetInt("from", 0);
          for (int64_t k = from; k < from + count; ++k) spec.bodies.push_back(fmt::format("{{\"item\":{}}}", k));
        }
        a.queue_messages.push_back(std::move(spec));
      }
    }
  }
  if (auto sns = root.Get("sns")) {
    sns->AllowOnly({"auto_confirm", "topics", "subscriptions"});
    a.sns_auto_confirm = sns->GetBool("auto_confirm", true);
    if (auto list = sns->Get("topics")) {
      list->ExpectArray();
      for (size_t i = 0; i < list->Size(); ++i) {
        a.topics.push_back(fakes::sns::LoadTopic(Document(list->At(i), s)));
        check_sns.CreateTopic(a.topics.back());
      }
    }
    if (auto list = sns->Get("subscriptions")) {
      list->ExpectArray();
      for (size_t i = 0; i < list->Size(); ++i) {
        a.subscriptions.push_back(fakes::sns::LoadSubscription(Document(list->At(i), s)));
        check_sns.Subscribe(a.subscriptions.back());
      }
    }
  }
  if (auto cw = root.Get("cloudwatch")) {
    cw->AllowOnly({"alarms"});
    Node list = cw->Require("alarms");
    list.ExpectArray();
    for (size_t i = 0; i < list.Size(); ++i) {
      a.alarms.push_back(fakes::cloudwatch::LoadMetricAlarm(Document(list.At(i), s)));
      fakes::cloudwatch::ValidateAlarm(
          a.alarms.back(), [&](const std::string& t) { return check_sns.HasTopic(t); },
          [&](const std::string& q) { return check_sqs.HasQueue(q); });
    }
  }
  if (auto sf = root.Get("stepfunctions")) {
    sf->AllowOnly({"state_machines"});
    Node list = sf->Require("state_machines");
    list.ExpectArray();
    for (size_t i = 0; i < list.Size(); ++i) {
      Node m = list.At(i);
      m.AllowOnly({"name", "definition", "roleArn"});
      StateMachineSpec spec;
      spec.name = UniqueName(m, a.state_machines);
      spec.arn = fmt::format("arn:aws:states:{}:{}:stateMachine:{}", s.region, s.account, spec.name);
      spec.machine = fakes::stepfunctions::LoadStateMachine(Document(m.Require("definition"), s));
      a.state_machines.push_back(std::move(spec));
    }
  }
  if (auto sch = root.Get("scheduler")) {
    sch->AllowOnly({"schedules", "retry", "sixty_second_precision", "failures_are_errors"});
    if (auto r = sch->Get("retry")) {
      r->AllowOnly({"base", "cap"});
      a.scheduler_tunables.retry_base = r->GetDuration("base", a.scheduler_tunables.retry_base);
      a.scheduler_tunables.retry_cap = r->GetDuration("cap", a.scheduler_tunables.retry_cap);
    }
    a.scheduler_tunables.sixty_second_precision =
        sch->GetBool("sixty_second_precision", a.scheduler_tunables.sixty_second_precision);
    a.scheduler_failures_are_errors = sch->GetBool("failures_are_errors", false);
    Node list = sch->Require("schedules");
    list.ExpectArray();
    for (size_t i = 0; i < list.Size(); ++i) {
      Node entry = list.At(i);
      Node doc = Document(entry, s);
      fakes::scheduler::Schedule schedule = fakes::scheduler::LoadSchedule(doc);
      Node target = doc.Require("Target");
      Node arn = target.Require("Arn");
      const std::string& t = schedule.target.arn;
      if (t.rfind("arn:aws:ecs:", 0) == 0) {
        if (t.find(":cluster/") == std::string::npos) arn.Fail("an ECS target's Arn is the cluster ARN");
        std::string cluster = t.substr(t.find(":cluster/") + 9);
        bool known = cluster == "default" || std::any_of(s.clusters.begin(), s.clusters.end(),
                                                         [&](const ClusterSpec& c) { return c.name == cluster; });
        if (!known) arn.Fail(fmt::format("no cluster '{}' in clusters", cluster));
        if (!schedule.target.ecs_parameters) target.Fail("an ECS target needs EcsParameters");
        std::string family = FamilyOf(schedule.target.ecs_parameters->task_definition_arn);
        if (std::none_of(s.task_definitions.begin(), s.task_definitions.end(),
                         [&](const auto& td) { return td.family == family; }))
          target.Require("EcsParameters").Require("TaskDefinitionArn")
              .Fail(fmt::format("no task definition of family '{}' in task_definitions", family));
      } else if (t.rfind("arn:aws:states:", 0) == 0) {
        if (std::none_of(a.state_machines.begin(), a.state_machines.end(),
                         [&](const StateMachineSpec& m) { return m.arn == t; }))
          arn.Fail(fmt::format("no state machine with ARN '{}' in stepfunctions.state_machines", t));
      } else if (t.rfind("arn:aws:sqs:", 0) == 0) {
        if (!check_sqs.HasQueue(t)) arn.Fail(fmt::format("no queue '{}' in sqs.queues", t));
      } else {
        arn.Fail("ecsim models Scheduler targets ECS RunTask (cluster ARN), Step Functions and SQS");
      }
      if (schedule.target.dead_letter_arn && !check_sqs.HasQueue(*schedule.target.dead_letter_arn))
        target.Require("DeadLetterConfig").Require("Arn")
            .Fail(fmt::format("dead-letter queue '{}' is not in sqs.queues", *schedule.target.dead_letter_arn));
      a.schedules.push_back(std::move(schedule));
    }
  }
}

}  // namespace sim::scenario
