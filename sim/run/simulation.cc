#include "sim/run/simulation.h"

#include <sqlite3.h>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "fakes/ecs/ecs_service.h"
#include "sim/host/process_host.h"
#include "sim/report/cost.h"
#include "sim/report/ledger.h"
#include "sim/report/recorder.h"
#include "sim/run/aws_world.h"
#include "sim/run/task_launcher.h"

namespace sim::run {
namespace fs = std::filesystem;

namespace {

std::string Uuid(Rng& rng) {
  std::string h = rng.HexId(32);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
}

// Rows of the worker's checkpoint table, read from the real SQLite file.
std::optional<int64_t> CountCheckpoints(const std::string& path, int64_t total) {
  if (!fs::exists(path)) return std::nullopt;
  sqlite3* db = nullptr;
  std::optional<int64_t> n;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK) {
    sqlite3_stmt* st = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM checkpoints WHERE idx >= 0 AND idx < ?1", -1, &st, nullptr) ==
        SQLITE_OK) {
      sqlite3_bind_int64(st, 1, total);
      if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
  }
  sqlite3_close(db);
  return n;
}

bool WriteFile(const fs::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f << text;
  return static_cast<bool>(f);
}

class Simulation {
 public:
  Simulation(const scenario::Scenario& s, const RunOptions& o)
      : s_(s),
        o_(o),
        seed_(o.seed.value_or(s.seed)),
        rng_(seed_),
        event_ids_(rng_.Fork("events.ids")),
        recorder_(s.epoch_ms, {o.console, o.console_logs}),
        host_(loop_, rng_.Fork("host"), HostOpts(), ledger_),
        registry_(s.region, s.account),
        ecs_(loop_, rng_.Fork("ecs"), EcsCfg(), registry_, host_, capacity_),
        launcher_(loop_, ecs_, recorder_),
        aws_(s, loop_, rng_, ecs_, host_, recorder_, launcher_) {}

  RunResult Run();

 private:
  host::HostOptions HostOpts() const {
    host::HostOptions h;
    h.realtime = o_.realtime;
    h.speed = o_.speed;
    h.guard_ms = o_.guard_ms.value_or(s_.guard_ms);
    h.working_dir = o_.out_dir;
    h.extra_env = {{"ECSIM_CHECKPOINT_DB", (fs::path(o_.out_dir) / "checkpoint.db").string()},
                   {"AWS_REGION", s_.region},
                   {"AWS_DEFAULT_REGION", s_.region}};
    return h;
  }
  fakes::ecs::EcsConfig EcsCfg() const {
    fakes::ecs::EcsConfig c;
    c.region = s_.region;
    c.account = s_.account;
    c.epoch_ms = s_.epoch_ms;
    c.timing = s_.lifecycle;
    c.spot_termination_notice_code = s_.spot_termination_notice;
    return c;
  }
  void Wire();
  void Schedule(size_t index);
  void Fire(size_t index);
  void OnTaskChange(const fakes::ecs::Task& task, const Json& detail);
  Json Summary(const std::string& end_reason, size_t left_running);
  Json Invariants(size_t left_running);
  bool Done() const;

  const scenario::Scenario& s_;
  const RunOptions& o_;
  uint64_t seed_;
  Rng rng_;
  Rng event_ids_;
  EventLoop loop_;
  report::Ledger ledger_;
  report::Recorder recorder_;
  host::ProcessHost host_;
  fakes::ecs::TaskDefinitionRegistry registry_;
  fakes::ecs::CapacityModel capacity_;
  fakes::ecs::EcsService ecs_;
  TaskLauncher launcher_;
  AwsWorld aws_;
  std::map<std::string, std::vector<std::string>> named_tasks_;  // as: name -> task ids
  std::map<std::string, std::string> task_names_;               // task id -> name
  std::vector<bool> fired_;
  std::vector<bool> armed_;
  int hung_ = 0, protocol_errors_ = 0;
};

void Simulation::Wire() {
  host_.set_self_dir(o_.self_dir);
  if (o_.interrupt) host_.SetInterrupt(o_.interrupt, o_.interrupt_fd);
  for (const auto& td : s_.task_definitions) registry_.Register(td);
  for (const auto& c : s_.clusters) ecs_.CreateCluster(c.name, c.default_strategy);
  for (const auto& [from, to] : s_.spot_outages) capacity_.AddSpotOutage(from, to);
  if (s_.aws.spot.random_outages) {
    // Alternating available / unavailable windows over the whole run, drawn
    // from their own stream: exponential with the given means.
    Rng outages = rng_.Fork("spot.capacity");
    double avail = static_cast<double>(ToMicros(s_.aws.spot.random_outages->first));
    double gap = static_cast<double>(ToMicros(s_.aws.spot.random_outages->second));
    Time t = kTimeZero;
    while (t < kTimeZero + s_.max_time) {
      Time from = t + Duration(static_cast<int64_t>(outages.Exponential(avail)));
      Time to = from + Duration(static_cast<int64_t>(outages.Exponential(gap)) + 1);
      capacity_.AddSpotOutage(from, to);
      recorder_.Event(kTimeZero, "spot.capacity_outage", "", {{"from_ms", ToMillis(from)}, {"to_ms", ToMillis(to)}}, "");
      t = to;
    }
  }
  if (s_.throttle) capacity_.SetThrottle(s_.throttle->first, s_.throttle->second);
  for (const auto& e : s_.run_task_errors) ecs_.InjectRunTaskError(e);

  ecs_.AddListener([this](const fakes::ecs::Task& t, const Json& detail) { OnTaskChange(t, detail); });
  ecs_.SetNote([this](const fakes::ecs::Task& t, const std::string& kind, const Json& data) {
    std::string text;
    if (kind == "signal") {
      text = data["signal"].get<std::string>() + " -> " + data["container"].get<std::string>();
      if (data.contains("stopTimeout")) text += fmt::format(" (stopTimeout {}s)", data["stopTimeout"].get<int>());
      if (data.contains("reason")) text += " (" + data["reason"].get<std::string>() + ")";
    } else if (kind == "container.exit") {
      text = data["container"].get<std::string>() + " exited";
      if (data.contains("exitCode")) text += fmt::format(" with code {}", data["exitCode"].get<int>());
      if (data.contains("reason")) text += ": " + data["reason"].get<std::string>();
      if (data.contains("after_sigterm_ms"))
        text += fmt::format(" ({} after SIGTERM)", FormatSeconds(Millis(data["after_sigterm_ms"].get<int64_t>())));
    }
    recorder_.Event(loop_.Now(), "ecs." + kind, t.id, data, text);
  });
  host_.SetLogSink([this](const host::LogLine& l) { recorder_.Log(l); });
  host_.SetNoteSink([this](const std::string& task, const std::string& kind, const Json& data) {
    std::string text = kind;
    if (kind == "process.hung") {
      ++hung_;
      text = fmt::format("worker hung: {} (wall-clock guard {} ms): SIGKILL", data["detail"].get<std::string>(),
                         data["guard_ms"].get<int64_t>());
    } else if (kind == "process.protocol_error") {
      ++protocol_errors_;
      text = "garbage on the control channel: \"" + data["message"].get<std::string>() + "\": SIGKILL";
    } else if (kind == "process.killed") {
      text = "killed: " + data["reason"].get<std::string>();
    }
    recorder_.Event(loop_.Now(), kind, task, data, text);
  });
  aws_.Wire();
  fired_.assign(s_.actions.size(), false);
  armed_.assign(s_.actions.size(), false);
  for (size_t i = 0; i < s_.actions.size(); ++i)
    if (s_.actions[i].trigger.at) Schedule(i);
}

void Simulation::Schedule(size_t i) {
  const auto& a = s_.actions[i];
  Time when = a.trigger.at ? *a.trigger.at : loop_.Now() + a.trigger.delay;
  armed_[i] = true;
  loop_.At(std::max(when, loop_.Now()), [this, i] { Fire(i); });
}

void Simulation::OnTaskChange(const fakes::ecs::Task& t, const Json& detail) {
  Json envelope = Json::object();
  envelope["version"] = "0";
  envelope["id"] = Uuid(event_ids_);
  envelope["detail-type"] = "ECS Task State Change";
  envelope["source"] = "aws.ecs";
  envelope["account"] = s_.account;
  envelope["time"] = FormatIso8601Seconds(s_.epoch_ms, loop_.Now());
  envelope["region"] = s_.region;
  envelope["resources"] = Json::array({t.arn});
  envelope["detail"] = detail;
  std::string text = t.last_status;
  if (t.desired_status == "STOPPED" && t.last_status != "STOPPED") text += " (desired STOPPED)";
  if (!t.stop_code.empty() && (t.last_status == "RUNNING" || t.last_status == "STOPPED"))
    text += fmt::format(" stopCode={} \"{}\"", t.stop_code, t.stopped_reason);
  if (t.last_status == "PROVISIONING") text += fmt::format(" {} on {}", t.task_definition_arn.substr(t.task_definition_arn.rfind('/') + 1), t.capacity_provider);
  if (t.last_status == "STOPPED")
    for (const auto& c : t.containers)
      if (c.exit_code) text += fmt::format(" {}:exit {}", c.name, *c.exit_code);
  recorder_.Event(loop_.Now(), "ecs.task_state_change", t.id, {{"event", envelope}}, text);
  aws_.OnTaskChange(t, envelope);

  // after: triggers
  auto name_it = task_names_.find(t.id);
  if (name_it == task_names_.end()) return;
  const std::string& name = name_it->second;
  for (size_t i = 0; i < s_.actions.size(); ++i) {
    const auto& trig = s_.actions[i].trigger;
    if (armed_[i] || trig.at || trig.after_task != name) continue;
    bool hit = false;
    if (trig.after_event == "task_running" && t.last_status == "RUNNING" && t.desired_status == "RUNNING") hit = true;
    if (trig.after_event == "task_stopped" && t.last_status == "STOPPED") {
      hit = true;
      for (const auto& id : named_tasks_[name])
        if (ecs_.FindTask(id)->last_status != "STOPPED") hit = false;
    }
    if (hit) Schedule(i);
  }
}

void Simulation::Fire(size_t i) {
  const auto& a = s_.actions[i];
  fired_[i] = true;
  if (a.kind == "run_task") {
    std::string as = a.as;
    launcher_.Launch(a.args, a.retry, fmt::format("action {}", i + 1), [this, as](const std::vector<std::string>& ids) {
      if (as.empty()) return;
      for (const auto& id : ids) {
        named_tasks_[as].push_back(id);
        task_names_[id] = as;
      }
    });
  } else if (a.kind == "start_experiment") {
    aws_.StartExperiment(a.args["template"].get<std::string>());
  } else if (a.kind == "start_execution") {
    aws_.StartExecution(a.args);
  } else if (a.kind == "stop_task" || a.kind == "interrupt_spot") {
    std::string ref = a.args["task"].get<std::string>();
    std::string reason = a.args.value("reason", "");
    for (const auto& id : named_tasks_[ref]) {
      if (a.kind == "stop_task") {
        std::string error = ecs_.StopTask(a.args.value("cluster", ""), id, reason);
        recorder_.Event(loop_.Now(), "action.stop_task", id, {{"action", i + 1}, {"task_name", ref}, {"error", error}},
                        fmt::format("StopTask{}{}", reason.empty() ? "" : " \"" + reason + "\"",
                                    error.empty() ? "" : " failed: " + error));
      } else {
        auto* t = ecs_.FindTask(id);
        bool applies = t && t->capacity_provider == fakes::ecs::kFargateSpot && t->last_status == "RUNNING" &&
                       !t->stop_requested;
        recorder_.Event(loop_.Now(), "action.interrupt_spot", id, {{"action", i + 1}, {"task_name", ref}, {"applied", applies}},
                        applies ? "Spot interruption (scenario action)"
                                : "Spot interruption ignored: not a RUNNING FARGATE_SPOT task");
        if (applies) ecs_.InterruptSpot(id);
      }
    }
  } else if (a.kind == "deregister_task_definition") {
    std::string ref = a.args["taskDefinition"].get<std::string>();
    if (auto slash = ref.rfind("task-definition/"); slash != std::string::npos) ref = ref.substr(slash + 16);
    std::string family = ref.substr(0, ref.find(':'));
    int revision = std::atoi(ref.substr(ref.find(':') + 1).c_str());
    bool ok = registry_.Deregister(family, revision, loop_.Now() + s_.deregistration_lag);
    recorder_.Event(loop_.Now(), "ecs.deregister_task_definition", "",
                    {{"taskDefinition", ref}, {"ok", ok}, {"inactive_from_ms", ToMillis(loop_.Now() + s_.deregistration_lag)}},
                    fmt::format("DeregisterTaskDefinition {}{}", ref, ok ? "" : " (unknown revision)"));
  }
}

bool Simulation::Done() const {
  if (s_.end_when != "all_tasks_stopped") return false;
  for (size_t i = 0; i < fired_.size(); ++i)
    if (!fired_[i]) return false;
  if (ecs_.tasks().empty()) return false;
  for (const auto& t : ecs_.tasks())
    if (t->last_status != "STOPPED") return false;
  return true;
}

Json Simulation::Invariants(size_t left_running) {
  Json inv = Json::object();
  auto put = [&](const char* name, bool pass, const std::string& reason) {
    inv[name] = {{"pass", pass}, {"reason", reason}};
  };
  int64_t total = ledger_.total();
  int64_t never = 0, twice = 0;
  for (int64_t i = 0; i < total; ++i) {
    auto it = ledger_.items().find(i);
    int commits = it == ledger_.items().end() ? 0 : it->second.commits;
    if (commits == 0) ++never;
    if (commits > 1) ++twice;
  }
  put("every_item_committed_once", never == 0 && twice == 0,
      total == 0 ? "not applicable: no worker announced a job"
                 : fmt::format("{} of {} items never committed, {} committed more than once", never, total, twice));
  // A task that starts below what is already durably checkpointed throws work
  // away. Queue consumers take items in the queue's order: not applicable.
  const auto& exempt = aws_.queue_consumers();
  std::vector<report::Ledger::Regression> regressions;
  for (const auto& r : ledger_.regressions())
    if (!exempt.count(r.task_id)) regressions.push_back(r);
  int backwards = 0;
  for (const auto& [task, n] : ledger_.backwards_commits())
    if (!exempt.count(task)) backwards += n;
  std::string first;
  if (!regressions.empty()) {
    const auto& r = regressions.front();
    first = fmt::format("task {} started at item {} at {} although items 0..{} were committed ({} such start(s))",
                        r.task_id.substr(0, 8), r.start, FormatSeconds(r.at), r.committed_prefix - 1, regressions.size());
  }
  size_t violations = regressions.size() + static_cast<size_t>(backwards);
  if (first.empty() && violations > 0)
    first = fmt::format("{} commit(s) of an index below the same task's previous commit", backwards);
  put("checkpoint_never_goes_backwards", violations == 0,
      violations == 0 ? "every task started at or after the committed checkpoint" : first);
  int not_stopped = 0;
  for (const auto& t : ecs_.tasks())
    if (t->last_status != "STOPPED") ++not_stopped;
  put("every_task_stopped", not_stopped == 0, fmt::format("{} task(s) not STOPPED at the end", not_stopped));
  put("no_process_left", left_running == 0,
      fmt::format("{} worker process(es) still running at the end (killed)", left_running));
  return inv;
}

Json Simulation::Summary(const std::string& end_reason, size_t left_running) {
  Json items_rows = Json::array();
  int64_t processed = 0, reprocessed = 0, commits = 0;
  for (const auto& [idx, it] : ledger_.items()) {
    items_rows.push_back(Json::array({idx, it.completions, it.commits}));
    if (it.completions > 0) ++processed;
    if (it.completions > 1) ++reprocessed;
    commits += it.commits;
  }
  int64_t total = ledger_.total();
  int64_t committed_channel = 0;
  for (const auto& [idx, it] : ledger_.items())
    if (idx < total && it.commits > 0) ++committed_channel;
  auto db_count = CountCheckpoints((fs::path(o_.out_dir) / "checkpoint.db").string(), total);
  int64_t committed = db_count.value_or(committed_channel);

  Json summary = Json::object();
  summary["scenario"] = s_.name;
  summary["seed"] = seed_;
  summary["clock"] = o_.realtime ? "realtime" : "virtual";
  summary["deterministic"] = !o_.realtime;
  if (o_.realtime) summary["speed"] = o_.speed;
  summary["virtual_ms"] = ToMillis(loop_.Now());
  summary["end_reason"] = end_reason;
  summary["start_time"] = FormatIso8601Seconds(s_.epoch_ms, kTimeZero);
  Json items = Json::object();
  items["total"] = total;
  items["committed"] = committed;
  items["reprocessed"] = reprocessed;
  items["lost"] = total - committed;
  items["processed"] = processed;
  items["commits"] = commits;
  items["work_ms"] = ToMicros(ledger_.work_time()) / 1000;
  items["wasted_work_ms"] = ToMicros(ledger_.wasted_work()) / 1000;
  items["committed_source"] = db_count ? "checkpoint.db" : "channel";
  summary["items"] = items;
  Json tasks = Json::array();
  for (const auto& t : ecs_.tasks()) {
    Json tj = Json::object();
    tj["id"] = t->id;
    auto nm = task_names_.find(t->id);
    if (nm != task_names_.end()) tj["name"] = nm->second;
    tj["taskDefinitionArn"] = t->task_definition_arn;
    tj["capacityProvider"] = t->capacity_provider;
    tj["lastStatus"] = t->last_status;
    tj["created_ms"] = ToMillis(t->created_at);
    if (t->started_at) tj["started_ms"] = ToMillis(*t->started_at);
    if (t->stopping_at) tj["stopping_ms"] = ToMillis(*t->stopping_at);
    if (t->stopped_at) tj["stopped_ms"] = ToMillis(*t->stopped_at);
    if (!t->stop_code.empty()) tj["stopCode"] = t->stop_code;
    if (!t->stopped_reason.empty()) tj["stoppedReason"] = t->stopped_reason;
    for (const auto& [task, start] : ledger_.starts())
      if (task == t->id) tj["started_at_index"] = start;
    Json cs = Json::array();
    for (const auto& c : t->containers) {
      Json cj = {{"name", c.name}};
      cj["exit_code"] = c.exit_code ? Json(*c.exit_code) : Json();
      if (!c.reason.empty()) cj["reason"] = c.reason;
      cs.push_back(cj);
    }
    tj["containers"] = cs;
    tasks.push_back(tj);
  }
  summary["tasks"] = tasks;
  const auto& ec = ecs_.counters();
  summary["ecs"] = {{"run_task_calls", ec.run_task_calls},
                    {"run_task_exceptions", ec.run_task_exceptions},
                    {"run_task_failures", ec.run_task_failures},
                    {"tasks_started", ec.tasks_started}};

  // Work and cost
  int interruptions = 0, attempts = 0;
  for (const auto& t : ecs_.tasks()) {
    if (t->started_at) ++attempts;
    if (t->started_at && !t->stop_code.empty() && t->stop_code != "EssentialContainerExited" &&
        t->stop_code != "TaskFailedToStart")
      ++interruptions;
  }
  Json work = Json::object();
  std::optional<Time> completion;
  if (total > 0 && committed_channel == total)
    for (const auto& [idx, it] : ledger_.items())
      if (idx < total && (!completion || it.first_commit_at > *completion)) completion = it.first_commit_at;
  work["completion_ms"] = completion ? Json(ToMillis(*completion)) : Json();
  work["attempts"] = attempts;
  work["interruptions"] = interruptions;
  int spot = 0;  // from the tasks themselves: seeded, scheduled and action-driven alike
  for (const auto& t : ecs_.tasks())
    if (t->stop_code == "SpotInterruption" || t->stop_code == "TerminationNotice") ++spot;
  work["spot_interruptions"] = spot;
  work["work_lost_ms"] = ToMicros(ledger_.wasted_work()) / 1000;
  work["interrupted_work_ms"] = ToMicros(ledger_.interrupted_work()) / 1000;
  summary["work"] = work;

  auto costs = report::PriceTasks(ecs_.tasks(), s_.aws.pricing, loop_.Now());
  double usd = 0, on_demand = 0;
  for (size_t i = 0; i < costs.size(); ++i) {
    usd += costs[i].usd;
    on_demand += costs[i].on_demand_usd;
    summary["tasks"][i]["billed_seconds"] = costs[i].billed_seconds;
    summary["tasks"][i]["cost_usd"] = costs[i].usd;
  }
  int64_t work_ms = ToMicros(ledger_.work_time()) / 1000;
  double wasted_fraction = work_ms > 0 ? static_cast<double>(ToMicros(ledger_.wasted_work()) / 1000) / work_ms : 0.0;
  auto round6 = [](double v) { return std::round(v * 1e6) / 1e6; };
  const auto& p = s_.aws.pricing;
  summary["cost"] = {{"usd", round6(usd)},
                     {"wasted_usd", round6(usd * wasted_fraction)},
                     {"on_demand_usd", round6(on_demand)},
                     {"savings_vs_on_demand_usd", round6(on_demand - usd)},
                     {"pricing",
                      {{"on_demand", {{"vcpu_hour", p.on_demand_vcpu_hour}, {"gb_hour", p.on_demand_gb_hour}}},
                       {"spot", {{"vcpu_hour", p.spot_vcpu_hour}, {"gb_hour", p.spot_gb_hour}}}}}};
  aws_.AddToSummary(summary);
  summary["processes"] = {{"hung", hung_}, {"protocol_errors", protocol_errors_}, {"left_running", left_running}};
  summary["invariants"] = Invariants(left_running);
  summary["_items_rows"] = items_rows;
  return summary;
}

RunResult Simulation::Run() {
  Wire();
  recorder_.Print(fmt::format("ecsim: scenario {} seed {} ({} clock{})", s_.name, seed_,
                              o_.realtime ? "realtime" : "virtual",
                              o_.realtime ? fmt::format(", speed {}", o_.speed) : ""));
  auto outcome = host_.Run(kTimeZero + s_.max_time, [this] { return Done(); });
  std::string end_reason = outcome == host::ProcessHost::Outcome::kIdle      ? "idle"
                           : outcome == host::ProcessHost::Outcome::kDone    ? "all_tasks_stopped"
                           : outcome == host::ProcessHost::Outcome::kLimit   ? "max_time"
                                                                             : "interrupted";
  size_t left = host_.live_workers();
  host_.KillAll(end_reason == "interrupted" ? "run interrupted (Ctrl-C)" : "end of run (" + end_reason + ")", false);
  // Exit callbacks of the killed workers are due now; let them land.
  loop_.RunUntil(loop_.Now());

  RunResult result;
  result.summary = Summary(end_reason, left);
  Json items_rows = result.summary["_items_rows"];
  result.summary.erase("_items_rows");

  // Expectations
  Json exp = Json::array();
  bool failed = false;
  for (const auto& e : s_.expectations) {
    Json r = {{"path", e.path}};
    Json::json_pointer ptr(e.path);
    bool pass = false;
    if (result.summary.contains(ptr)) {
      const Json& v = result.summary.at(ptr);
      r["actual"] = v;
      pass = true;
      if (e.equals) {
        r["equals"] = *e.equals;
        pass = pass && v == *e.equals;
      }
      if (e.min || e.max) {
        if (!v.is_number()) pass = false;
        else {
          double d = v.get<double>();
          if (e.min) r["min"] = *e.min, pass = pass && d >= *e.min;
          if (e.max) r["max"] = *e.max, pass = pass && d <= *e.max;
        }
      }
    } else {
      r["actual"] = nullptr;
      r["error"] = "no such value in summary.json";
    }
    r["pass"] = pass;
    failed = failed || !pass;
    exp.push_back(r);
  }
  result.summary["expectations"] = exp;
  bool invariant_failed = false;
  for (auto it = result.summary["invariants"].begin(); it != result.summary["invariants"].end(); ++it)
    if (!(*it)["pass"].get<bool>()) invariant_failed = true;

  // Outputs
  fs::path dir(o_.out_dir);
  result.summary["outputs"] = {{"events", "events.jsonl"}, {"run_db", "run.db"}};
  if (fs::exists(dir / "checkpoint.db")) result.summary["outputs"]["checkpoint_db"] = "checkpoint.db";
  Json tasks_full = Json::array();
  for (const auto& t : ecs_.tasks()) {
    Json d = ecs_.Describe(*t);
    d["id"] = t->id;
    tasks_full.push_back(d);
  }
  bool ok = WriteFile(dir / "events.jsonl", recorder_.EventsJsonl());
  auto outbox = aws_.WriteOutbox(o_.out_dir);
  if (!outbox.empty()) result.summary["outputs"]["outbox"] = outbox;
  std::string db_error =
      recorder_.WriteRunDb((dir / "run.db").string(), tasks_full, items_rows, result.summary, aws_.Tables());
  ok = ok && db_error.empty() && WriteFile(dir / "summary.json", result.summary.dump(2) + "\n");
  if (!ok) {
    result.exit_code = 3;
    recorder_.Print("ecsim: internal error: cannot write the run directory: " + db_error);
    return result;
  }

  // Console summary
  const Json& items = result.summary["items"];
  recorder_.Print("");
  recorder_.Print(fmt::format("summary: {} in {} of virtual time (end: {})", s_.name, FormatSeconds(loop_.Now()), end_reason));
  recorder_.Print(fmt::format("  items: total {}  committed {}  reprocessed {}  lost {}  wasted work {}",
                              items["total"].get<int64_t>(), items["committed"].get<int64_t>(),
                              items["reprocessed"].get<int64_t>(), items["lost"].get<int64_t>(),
                              FormatSeconds(Millis(items["wasted_work_ms"].get<int64_t>()))));
  for (const auto& t : result.summary["tasks"]) {
    std::string codes;
    for (const auto& c : t["containers"])
      codes += fmt::format(" {}={}", c["name"].get<std::string>(), c["exit_code"].is_null() ? "-" : c["exit_code"].dump());
    recorder_.Print(fmt::format("  task/{} {} {} {}{}", t["id"].get<std::string>().substr(0, 8),
                                t["capacityProvider"].get<std::string>(), t["lastStatus"].get<std::string>(),
                                t.value("stopCode", std::string("-")), codes));
  }
  for (auto it = result.summary["invariants"].begin(); it != result.summary["invariants"].end(); ++it)
    recorder_.Print(fmt::format("  invariant {:<34} {}{}", it.key(), (*it)["pass"].get<bool>() ? "pass" : "FAIL",
                                (*it)["pass"].get<bool>() ? "" : ": " + (*it)["reason"].get<std::string>()));
  for (const auto& e : exp)
    recorder_.Print(fmt::format("  expect {:<37} {} (actual {})", e["path"].get<std::string>(),
                                e["pass"].get<bool>() ? "pass" : "FAIL", e["actual"].dump()));
  recorder_.Print(fmt::format("  run directory: {}", o_.out_dir));

  if (end_reason == "interrupted") result.exit_code = 130;
  else if (failed || (o_.check && invariant_failed)) result.exit_code = 1;
  return result;
}

}  // namespace

RunResult RunScenario(const scenario::Scenario& scenario, const RunOptions& options) {
  Simulation sim(scenario, options);
  return sim.Run();
}

}  // namespace sim::run
