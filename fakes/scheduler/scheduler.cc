#include "fakes/scheduler/scheduler.h"

#include <algorithm>
#include <utility>

#include <fmt/format.h>

namespace fakes::scheduler {
namespace {

std::string KeyOf(const std::string& group, const std::string& name) { return group + "/" + name; }

std::string IsoSeconds(int64_t utc_ms) { return sim::FormatIso8601Seconds(utc_ms, sim::kTimeZero); }

int64_t FloorDiv(int64_t a, int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
int64_t CeilDiv(int64_t a, int64_t b) { return -FloorDiv(-a, b); }

std::string ReplaceAll(std::string text, std::string_view from, const std::string& to) {
  for (size_t pos = 0; (pos = text.find(from, pos)) != std::string::npos; pos += to.size())
    text.replace(pos, from.size(), to);
  return text;
}

}  // namespace

struct Scheduler::Entry {
  fakes::scheduler::Schedule schedule;
  std::string key;
  uint64_t serial = 0;
  int64_t created_ms = 0;
  sim::Rng window_rng{0};
  sim::Rng precision_rng{0};
  sim::Rng retry_rng{0};
  sim::Rng id_rng{0};
  std::optional<int64_t> next_fire_ms;
  std::optional<uint64_t> fire_token;        // pending[] entry of the armed fire
  std::map<uint64_t, sim::EventId> pending;  // token -> loop event
  uint64_t next_token = 0;
  int in_flight = 0;       // invocations still attempting
  int64_t fired = 0;       // fire times reached so far
  bool exhausted = false;  // no fire time left
};

struct Scheduler::Invocation {
  int64_t scheduled_ms = 0;
  int64_t first_attempt_ms = 0;
  std::string execution_id;
  int attempt = 0;  // 0-based
};

Scheduler::Scheduler(sim::EventLoop& loop, sim::Rng rng, int64_t epoch_ms, TargetInvoker& invoker,
                     DeadLetterSink& dead_letters, std::function<void(const sim::Json& event)> sink,
                     SchedulerTunables tunables, std::string region, std::string account)
    : loop_(loop),
      rng_(rng),
      epoch_ms_(epoch_ms),
      invoker_(invoker),
      dead_letters_(dead_letters),
      sink_(std::move(sink)),
      tunables_(tunables),
      region_(std::move(region)),
      account_(std::move(account)) {}

Scheduler::~Scheduler() {
  for (auto& [key, e] : entries_)
    for (auto& [token, id] : e->pending) loop_.Cancel(id);
}

int64_t Scheduler::NowMs() const { return epoch_ms_ + sim::ToMillis(loop_.Now()); }

sim::Time Scheduler::ToVirtual(int64_t utc_ms) const {
  return std::max(loop_.Now(), sim::FromMicros((utc_ms - epoch_ms_) * 1000));
}

std::string Scheduler::ScheduleArn(const fakes::scheduler::Schedule& s) const {
  return fmt::format("arn:aws:scheduler:{}:{}:schedule/{}/{}", region_, account_, s.group_name, s.name);
}

std::optional<int64_t> Scheduler::NextFireTime(const fakes::scheduler::Schedule& s, int64_t from_ms,
                                               int64_t created_ms) {
  const ScheduleExpression& x = s.expression;
  if (x.kind == ScheduleExpression::Kind::kAt) {
    // StartDate/EndDate do not apply to one-time schedules. A wall time skipped
    // by a DST gap never occurs; a repeated one fires at its first occurrence.
    std::vector<int64_t> utc = s.time_zone.ToUtc(x.at);
    if (utc.empty() || utc.front() * 1000 < from_ms) return std::nullopt;
    return utc.front() * 1000;
  }
  int64_t lo = s.start_date_ms ? std::max(from_ms, *s.start_date_ms) : from_ms;
  std::optional<int64_t> result;
  if (x.kind == ScheduleExpression::Kind::kRate) {
    // Fixed-length periods from StartDate (or creation); DST does not stretch them.
    int64_t anchor = s.start_date_ms.value_or(created_ms);
    int64_t period = sim::ToMicros(x.rate) / 1000;
    int64_t k = lo <= anchor ? 0 : CeilDiv(lo - anchor, period);
    result = anchor + k * period;
  } else {
    CivilTime local = s.time_zone.ToLocal(CeilDiv(lo, 1000));
    while (true) {
      std::optional<CivilTime> candidate = x.cron->NextAtOrAfter(local);
      if (!candidate) break;
      std::vector<int64_t> utc = s.time_zone.ToUtc(*candidate);
      // Skipped wall times (spring forward) never fire; repeated ones (fall
      // back) fire once, at their first occurrence.
      if (!utc.empty() && utc.front() * 1000 >= lo) {
        result = utc.front() * 1000;
        break;
      }
      local = UtcSecondsAsCivil(CivilAsUtcSeconds(*candidate) + 60);
    }
  }
  if (result && s.end_date_ms && *result > *s.end_date_ms) return std::nullopt;
  return result;
}

void Scheduler::Add(fakes::scheduler::Schedule schedule) {
  std::string key = KeyOf(schedule.group_name, schedule.name);
  if (entries_.count(key))
    throw sim::InputError(schedule.where, fmt::format("schedule '{}' already exists in group '{}' (ConflictException)",
                                                      schedule.name, schedule.group_name));
  auto e = std::make_unique<Entry>();
  e->key = key;
  e->serial = next_serial_++;
  e->created_ms = NowMs();
  sim::Rng mine = rng_.Fork("schedule/" + key);
  e->window_rng = mine.Fork("flexible-window");
  e->precision_rng = mine.Fork("precision");
  e->retry_rng = mine.Fork("retry");
  e->id_rng = mine.Fork("execution-id");
  e->schedule = std::move(schedule);
  Entry& ref = *e;
  entries_.emplace(key, std::move(e));
  if (ref.schedule.enabled) ArmNext(ref, ref.created_ms);
}

bool Scheduler::Delete(const std::string& name, const std::string& group_name) {
  std::string key = KeyOf(group_name, name);
  if (!entries_.count(key)) return false;
  Remove(key, "DeleteSchedule");
  return true;
}

bool Scheduler::SetEnabled(const std::string& name, bool enabled, const std::string& group_name) {
  auto it = entries_.find(KeyOf(group_name, name));
  if (it == entries_.end()) return false;
  Entry& e = *it->second;
  if (e.schedule.enabled == enabled) return true;
  e.schedule.enabled = enabled;
  if (!enabled) {
    if (e.fire_token) {
      loop_.Cancel(e.pending[*e.fire_token]);
      e.pending.erase(*e.fire_token);
      e.fire_token.reset();
    }
    e.next_fire_ms.reset();
    return true;
  }
  e.exhausted = false;
  ArmNext(e, NowMs());  // may complete and remove e
  return true;
}

bool Scheduler::Has(const std::string& name, const std::string& group_name) const {
  return entries_.count(KeyOf(group_name, name)) > 0;
}

std::optional<int64_t> Scheduler::NextFireTimeMs(const std::string& name, const std::string& group_name) const {
  auto it = entries_.find(KeyOf(group_name, name));
  if (it == entries_.end()) return std::nullopt;
  return it->second->next_fire_ms;
}

Scheduler::Entry* Scheduler::Find(const std::string& key, uint64_t serial) {
  auto it = entries_.find(key);
  return it != entries_.end() && it->second->serial == serial ? it->second.get() : nullptr;
}

uint64_t Scheduler::Post(Entry& e, sim::Time at, std::function<void(Entry&)> fn) {
  uint64_t token = e.next_token++;
  sim::EventId id = loop_.At(at, [this, key = e.key, serial = e.serial, token, fn = std::move(fn)] {
    Entry* entry = Find(key, serial);
    if (entry == nullptr) return;
    entry->pending.erase(token);
    fn(*entry);
  });
  e.pending[token] = id;
  return token;
}

void Scheduler::ArmNext(Entry& e, int64_t from_ms) {
  e.next_fire_ms = NextFireTime(e.schedule, from_ms, e.created_ms);
  if (!e.next_fire_ms) {
    e.exhausted = true;
    MaybeComplete(e);  // may remove e
    return;
  }
  int64_t scheduled = *e.next_fire_ms;
  e.fire_token = Post(e, ToVirtual(scheduled), [this, scheduled](Entry& en) { Tick(en, scheduled); });
}

void Scheduler::Tick(Entry& e, int64_t scheduled_ms) {
  e.fire_token.reset();
  ++e.fired;
  ++e.in_flight;
  sim::Duration offset{};
  if (e.schedule.flexible_mode == FlexibleMode::kFlexible)
    offset += sim::Seconds(
        60 * static_cast<int64_t>(e.window_rng.Uniform(static_cast<uint64_t>(e.schedule.maximum_window_minutes))));
  if (tunables_.sixty_second_precision) offset += sim::Seconds(static_cast<int64_t>(e.precision_rng.Uniform(60)));
  auto inv = std::make_shared<Invocation>();
  inv->scheduled_ms = scheduled_ms;
  std::string hex = e.id_rng.HexId(32);
  inv->execution_id = fmt::format("{}-{}-{}-{}-{}", hex.substr(0, 8), hex.substr(8, 4), hex.substr(12, 4),
                                  hex.substr(16, 4), hex.substr(20));
  Post(e, loop_.Now() + offset, [this, inv](Entry& en) { Attempt(en, inv); });
  ArmNext(e, scheduled_ms + 1);  // in_flight > 0, so e survives
}

void Scheduler::Attempt(Entry& e, std::shared_ptr<Invocation> inv) {
  if (inv->attempt == 0) inv->first_attempt_ms = NowMs();
  const fakes::scheduler::Schedule& s = e.schedule;
  const std::string key = e.key;
  const uint64_t serial = e.serial;

  sim::Json target_input;  // null without Input
  if (s.target.input) {
    std::string text = *s.target.input;
    text = ReplaceAll(text, "<aws.scheduler.schedule-arn>", ScheduleArn(s));
    text = ReplaceAll(text, "<aws.scheduler.scheduled-time>", IsoSeconds(inv->scheduled_ms));
    text = ReplaceAll(text, "<aws.scheduler.execution-id>", inv->execution_id);
    text = ReplaceAll(text, "<aws.scheduler.attempt-number>", std::to_string(inv->attempt + 1));
    target_input = sim::Json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (target_input.is_discarded()) target_input = text;
  }

  Emit({{"kind", "scheduler.invocation"},
        {"schedule", s.name},
        {"scheduled_time", IsoSeconds(inv->scheduled_ms)},
        {"attempt", inv->attempt},
        {"execution_id", inv->execution_id}});
  InvokeResult r = invoker_.Invoke(s, target_input, inv->attempt);
  Entry* alive = Find(key, serial);  // the target may have deleted the schedule
  if (alive == nullptr) return;
  if (r.ok) {
    FinishInvocation(*alive);
    return;
  }
  const RetryPolicy& policy = alive->schedule.target.retry_policy;
  const char* exhausted = nullptr;
  std::optional<sim::Time> next_at;
  if (r.retryable) {
    if (inv->attempt >= policy.maximum_retry_attempts) {
      exhausted = "MaximumRetryAttempts";
    } else {
      // Full jitter: uniform in [0, min(cap, base * 2^retry)], millisecond steps.
      sim::Duration ceiling = tunables_.retry_base;
      for (int i = 0; i < inv->attempt && ceiling < tunables_.retry_cap; ++i) ceiling *= 2;
      ceiling = std::min(ceiling, tunables_.retry_cap);
      int64_t ceiling_ms = std::max<int64_t>(0, sim::ToMicros(ceiling) / 1000);
      sim::Duration delay =
          sim::Millis(static_cast<int64_t>(alive->retry_rng.Uniform(static_cast<uint64_t>(ceiling_ms) + 1)));
      sim::Time at = loop_.Now() + delay;
      int64_t age_ms = epoch_ms_ + sim::ToMillis(at) - inv->first_attempt_ms;
      if (age_ms > sim::ToMicros(policy.maximum_event_age) / 1000)
        exhausted = "MaximumEventAgeInSeconds";
      else
        next_at = at;
    }
  }
  Emit({{"kind", "scheduler.target_error"},
        {"schedule", s.name},
        {"attempt", inv->attempt},
        {"error_code", r.error_code},
        {"error_message", r.error_message},
        {"retryable", r.retryable},
        {"next_attempt_at", next_at ? sim::Json(sim::FormatIso8601(epoch_ms_, *next_at)) : sim::Json(nullptr)}});
  if (next_at) {
    ++inv->attempt;
    Post(*alive, *next_at, [this, inv](Entry& en) { Attempt(en, inv); });
    return;
  }
  Fail(*alive, *inv, r, exhausted);
}

void Scheduler::Fail(Entry& e, const Invocation& inv, const InvokeResult& r, const char* exhausted_condition) {
  const fakes::scheduler::Schedule& s = e.schedule;
  const std::string key = e.key;
  const uint64_t serial = e.serial;
  std::map<std::string, std::string> attributes = {
      {"ERROR_CODE", r.error_code},
      {"ERROR_MESSAGE", r.error_message},
      {"EXECUTION_ID", inv.execution_id},
      {"IS_PAYLOAD_TRUNCATED", "false"},
      {"RETRY_ATTEMPTS", std::to_string(inv.attempt)},
      {"SCHEDULED_TIME", IsoSeconds(inv.scheduled_ms)},
      {"SCHEDULE_ARN", ScheduleArn(s)},
      {"TARGET_ARN", s.target.arn},
  };
  if (exhausted_condition != nullptr) attributes["EXHAUSTED_RETRY_CONDITION"] = exhausted_condition;
  sim::Json attributes_json = sim::Json::object();
  for (const auto& [k, v] : attributes) attributes_json[k] = v;

  if (!s.target.dead_letter_arn) {
    Emit({{"kind", "scheduler.dropped"},
          {"schedule", s.name},
          {"reason", "NoDeadLetterQueue"},
          {"execution_id", inv.execution_id},
          {"attributes", attributes_json}});
    FinishInvocation(e);
    return;
  }
  // Body: the target input as sent (context attributes substituted); "{}"
  // when the target has no Input.
  std::string body = "{}";
  if (s.target.input) {
    body = *s.target.input;
    body = ReplaceAll(body, "<aws.scheduler.schedule-arn>", ScheduleArn(s));
    body = ReplaceAll(body, "<aws.scheduler.scheduled-time>", IsoSeconds(inv.scheduled_ms));
    body = ReplaceAll(body, "<aws.scheduler.execution-id>", inv.execution_id);
    body = ReplaceAll(body, "<aws.scheduler.attempt-number>", std::to_string(inv.attempt + 1));
  }
  const std::string queue = *s.target.dead_letter_arn;
  const std::string name = s.name;
  bool delivered = dead_letters_.SendToDeadLetterQueue(queue, body, attributes);
  if (delivered)
    Emit({{"kind", "scheduler.dead_letter"}, {"schedule", name}, {"queue", queue}, {"attributes", attributes_json}});
  else
    Emit({{"kind", "scheduler.dropped"},
          {"schedule", name},
          {"reason", "DeadLetterQueueNotFound"},
          {"queue", queue},
          {"execution_id", inv.execution_id},
          {"attributes", attributes_json}});
  if (Entry* alive = Find(key, serial)) FinishInvocation(*alive);
}

void Scheduler::FinishInvocation(Entry& e) {
  --e.in_flight;
  MaybeComplete(e);
}

void Scheduler::MaybeComplete(Entry& e) {
  const fakes::scheduler::Schedule& s = e.schedule;
  bool one_time = s.expression.kind == ScheduleExpression::Kind::kAt;
  if (e.exhausted && e.in_flight == 0 && e.fired > 0 && s.action_after_completion == ActionAfterCompletion::kDelete &&
      (one_time || s.end_date_ms))
    Remove(e.key, "ActionAfterCompletion");
}

void Scheduler::Remove(const std::string& key, const std::string& reason) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  std::unique_ptr<Entry> e = std::move(it->second);
  entries_.erase(it);
  for (auto& [token, id] : e->pending) loop_.Cancel(id);
  Emit({{"kind", "scheduler.deleted"},
        {"schedule", e->schedule.name},
        {"group", e->schedule.group_name},
        {"reason", reason}});
}

void Scheduler::Emit(sim::Json event) const {
  if (!sink_) return;
  sim::Json out = sim::Json::object();
  out["kind"] = event["kind"];
  out["time"] = sim::FormatIso8601(epoch_ms_, loop_.Now());
  for (auto it = event.begin(); it != event.end(); ++it)
    if (it.key() != "kind") out[it.key()] = it.value();
  sink_(out);
}

}  // namespace fakes::scheduler
