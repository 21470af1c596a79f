// The Spot, FIS, Scheduler, Step Functions and SQS scenarios show what they
// promise, read from their run records; ecsim compare shows the workshop's
// point in numbers.
#include <gtest/gtest.h>

#include <map>

#include "tests/integration/run_helpers.h"

namespace ecsim_test {
namespace {

ScenarioRun RunScenario(const TempDir& tmp, const std::string& scenario) {
  return RunShippedScenario(tmp / "run", scenario);
}

// The message attributes of every message left in the run's scheduler-dlq.
std::vector<nlohmann::json> DlqAttributes(const fs::path& run_dir) {
  auto rows = RunCommand("sqlite3 " + Quote((run_dir / "run.db").string()) +
                         " 'SELECT message_attributes FROM queue_messages WHERE queue = \"scheduler-dlq\"'");
  std::vector<nlohmann::json> out;
  std::istringstream lines(rows.out);
  std::string line;
  while (std::getline(lines, line)) out.push_back(nlohmann::json::parse(line));
  return out;
}

TEST(SpotScenarioTest, EveryInterruptionIsNoticeAndSigtermAtOneInstantAndTheJobCompletes) {
  TempDir tmp;
  ScenarioRun r = RunScenario(tmp, "05-spot-interruptions.yaml");
  ASSERT_EQ(r.result.exit_code, 0) << r.result.out;
  std::map<std::string, int64_t> notice, sigterm;
  for (const auto& e : r.events) {
    if (e["kind"] == "ecs.task_state_change") {
      const auto& d = e["event"]["detail"];
      if (d["lastStatus"] == "RUNNING" && d["desiredStatus"] == "STOPPED" && d.value("stopCode", "") == "SpotInterruption") {
        EXPECT_EQ(d["stoppedReason"], "Your Spot Task was interrupted.");
        notice[e["task"]] = e["time_ms"];
      }
    }
    if (e["kind"] == "ecs.signal" && e["signal"] == "SIGTERM") sigterm[e["task"]] = e["time_ms"];
    EXPECT_NE(e.value("signal", ""), "SIGKILL") << "the graceful worker never needs SIGKILL";
  }
  EXPECT_GE(notice.size(), 3u);
  for (const auto& [task, t] : notice) EXPECT_EQ(sigterm[task], t) << task;
  EXPECT_EQ(r.summary["items"]["lost"], 0);
  EXPECT_TRUE(r.summary["invariants"]["every_item_committed_once"]["pass"].get<bool>());
  EXPECT_LT(r.summary["cost"]["usd"].get<double>(), r.summary["cost"]["on_demand_usd"].get<double>());
  EXPECT_EQ(r.summary["eventbridge"]["rules"][0]["restarts"], notice.size());
}

TEST(SpotScenarioTest, TerminationNoticeStopCodeSwitch) {
  TempDir tmp;
  std::string src = ReadFile(SourceDir() + "/scenarios/05-spot-interruptions.yaml");
  src.replace(src.find("spot:\n"), 6, "ecs:\n  spot_stop_code: TerminationNotice\nspot:\n");
  // The rule must match the older stop code too.
  src.replace(src.find("stopCode: [SpotInterruption]"), 28, "stopCode: [TerminationNotice]");
  fs::create_directories(tmp / "s");
  { std::ofstream(tmp / "s/05.yaml") << src; }
  auto res = RunCommand(Ecsim() + " run " + Quote((tmp / "s/05.yaml").string()) + " --out " + Quote((tmp / "run").string()) + " -q");
  ASSERT_EQ(res.exit_code, 0) << res.out;
  std::string events = ReadFile(tmp / "run/events.jsonl");
  EXPECT_NE(events.find("\"stopCode\":\"TerminationNotice\""), std::string::npos);
  EXPECT_EQ(events.find("\"stopCode\":\"SpotInterruption\""), std::string::npos);
}

TEST(SpotScenarioTest, AHandlerThatOutlivesStopTimeoutIsKilledExactlyStopTimeoutAfterTheNotice) {
  TempDir tmp;
  std::string src = ReadFile(SourceDir() + "/scenarios/05-spot-interruptions.yaml");
  // A 150 s cleanup against stopTimeout 120 s: every interruption ends in SIGKILL.
  src.replace(src.find("--on-sigterm, graceful, --finish-item"), 37, "--on-sigterm, cleanup, --cleanup-ms, \"150000\"");
  { std::ofstream(tmp / "05.yaml") << src; }
  ScenarioRun r = RunScenarioFile(tmp / "run", tmp / "05.yaml");
  ASSERT_EQ(r.result.exit_code, 0) << r.result.out;
  std::map<std::string, int64_t> notice, sigterm, sigkill;
  for (const auto& e : r.events) {
    if (e["kind"] == "ecs.task_state_change" && e["event"]["detail"]["lastStatus"] == "RUNNING" &&
        e["event"]["detail"].value("stopCode", "") == "SpotInterruption")
      notice[e["task"]] = e["time_ms"];
    if (e["kind"] == "ecs.signal") (e["signal"] == "SIGTERM" ? sigterm : sigkill)[e["task"]] = e["time_ms"];
  }
  ASSERT_GE(notice.size(), 3u);
  for (const auto& [task, t] : notice) {
    EXPECT_EQ(sigterm[task], t);
    EXPECT_EQ(sigkill[task] - t, 120000) << task;
  }
  for (const auto& t : r.summary["tasks"]) {
    if (t.value("stopCode", "") == "SpotInterruption") {
      EXPECT_EQ(t["containers"][0]["exit_code"], 137);
    }
  }
}

TEST(FisScenarioTest, Percent50StopsTwoOfTheFourTaggedTasksAndNoUntaggedOne) {
  TempDir tmp;
  ScenarioRun r = RunScenario(tmp, "06-fis-stop-task.yaml");
  ASSERT_EQ(r.result.exit_code, 0) << r.result.out;
  int tagged_stopped = 0, untagged_stopped = 0;
  for (const auto& t : r.summary["tasks"]) {
    bool stopped = t.value("stopCode", "") == "UserInitiated";
    if (t["name"] == "tagged") tagged_stopped += stopped;
    if (t["name"] == "untagged") untagged_stopped += stopped;
  }
  EXPECT_EQ(tagged_stopped, 2);
  EXPECT_EQ(untagged_stopped, 0);
  EXPECT_EQ(r.summary["items"]["lost"], 0);
}

TEST(FisScenarioTest, AnExperimentWithNoTargetsFails) {
  TempDir tmp;
  std::string src = ReadFile(SourceDir() + "/scenarios/06-fis-stop-task.yaml");
  src.replace(src.find("resourceTags: {chaos: \"true\"}"), 29, "resourceTags: {chaos: \"nope\"}");
  { std::ofstream(tmp / "06.yaml") << src; }
  fs::copy(SourceDir() + "/scenarios/taskdefs", tmp / "taskdefs", fs::copy_options::recursive);
  auto res = RunCommand(Ecsim() + " run " + Quote((tmp / "06.yaml").string()) + " --out " + Quote((tmp / "run").string()) + " -q");
  EXPECT_EQ(res.exit_code, 1) << res.out;  // the expectation on the experiment's state fails
  auto summary = ReadJson(tmp / "run/summary.json");
  EXPECT_EQ(summary["fis"]["experiments"][0]["state"], "failed");
  EXPECT_EQ(summary["fis"]["experiments"][0]["reason"], "Target resolution returned empty set");
}

TEST(CapacityGapScenarioTest, RunTaskFailsWithAwsReasonUntilCapacityReturns) {
  TempDir tmp;
  ScenarioRun r = RunScenario(tmp, "07-spot-capacity-gap.yaml");
  ASSERT_EQ(r.result.exit_code, 0) << r.result.out;
  int failures = 0;
  for (const auto& e : r.events)
    if (e["kind"] == "ecs.run_task" && e.contains("response"))
      for (const auto& f : e["response"]["failures"]) {
        ++failures;
        EXPECT_TRUE(f["arn"].is_null());
        EXPECT_EQ(f["reason"],
                  "Capacity is unavailable at this time. Please try again later or in a different availability zone");
        EXPECT_LT(e["time_ms"].get<int64_t>(), 720000);
      }
  EXPECT_GE(failures, 2);
  EXPECT_GE(r.summary["tasks"][0]["created_ms"].get<int64_t>(), 720000);  // placed once the outage ended
  EXPECT_EQ(r.summary["tasks"][0]["capacityProvider"], "FARGATE_SPOT");  // no fallback to on-demand
}

TEST(StepFunctionsScenarioTest, RetriesAtTheSeedsIntervalsThenSucceeds) {
  TempDir tmp;
  ScenarioRun r = RunScenario(tmp, "08-stepfunctions-retry.yaml");
  ASSERT_EQ(r.result.exit_code, 0) << r.result.out;
  std::vector<std::pair<std::string, int64_t>> failed;  // error, time
  std::vector<int64_t> waits_ecs, waits_task;
  for (const auto& e : r.events) {
    if (e["kind"] != "stepfunctions.history") continue;
    if (e["type"] == "TaskFailed") failed.emplace_back(e["taskFailedEventDetails"]["error"], e["time_ms"]);
    if (e["type"] == "TaskScheduled" && !failed.empty()) {
      int64_t wait = e["time_ms"].get<int64_t>() - failed.back().second;
      (failed.back().first == "ECS.AmazonECSException" ? waits_ecs : waits_task).push_back(wait);
    }
  }
  EXPECT_EQ(waits_ecs, (std::vector<int64_t>{10000, 20000}));  // 10 s x 2.0^n
  EXPECT_EQ(waits_task, (std::vector<int64_t>{3000, 3000}));   // 3 s, BackoffRate 1.0
  EXPECT_EQ(r.summary["stepfunctions"]["executions"][0]["status"], "SUCCEEDED");
  auto history = RunCommand(Ecsim() + " executions " + Quote(r.dir.string()));
  EXPECT_NE(history.out.find("ExecutionSucceeded"), std::string::npos) << history.out;
}

TEST(StepFunctionsScenarioTest, ATimedOutSyncStateStopsItsTask) {
  TempDir tmp;
  {
    std::ofstream(tmp / "s.yaml") << R"(seed: 3
ecs:
  lifecycle: {provisioning: 0s, pending: 0s, activating: 0s, deprovisioning: 0s}
task_definitions:
  - inline:
      family: long
      cpu: "256"
      memory: "512"
      containerDefinitions:
        - name: app
          image: x
          stopTimeout: 10
          command: [ecsim-worker, --items, "600", --item-ms, "1000", --on-sigterm, cleanup, --cleanup-ms, "4000"]
stepfunctions:
  state_machines:
    - name: m
      definition:
        StartAt: Run
        States:
          Run:
            Type: Task
            Resource: "arn:aws:states:::ecs:runTask.sync"
            TimeoutSeconds: 60
            Parameters: {TaskDefinition: long, LaunchType: FARGATE}
            Catch: [{ErrorEquals: [States.Timeout], Next: Gave up}]
            End: true
          Gave up: {Type: Pass, End: true}
actions:
  - at: 0s
    start_execution: {stateMachine: m}
)";
  }
  ScenarioRun r = RunScenarioFile(tmp / "run", tmp / "s.yaml");
  ASSERT_EQ(r.result.exit_code, 0) << r.result.out;
  int64_t timed_out = -1, sigterm = -1, notice = -1;
  for (const auto& e : r.events) {
    if (e["kind"] == "stepfunctions.history" && e["type"] == "TaskTimedOut") timed_out = e["time_ms"];
    if (e["kind"] == "ecs.signal" && e["signal"] == "SIGTERM") sigterm = e["time_ms"];
    EXPECT_NE(e.value("signal", ""), "SIGKILL") << "a 4 s cleanup fits in stopTimeout 10 s";
    if (e["kind"] == "ecs.task_state_change" && e["event"]["detail"]["lastStatus"] == "RUNNING" &&
        e["event"]["detail"]["desiredStatus"] == "STOPPED") {
      notice = e["time_ms"];
      EXPECT_EQ(e["event"]["detail"]["stopCode"], "UserInitiated");
      EXPECT_EQ(e["event"]["detail"]["stoppedReason"], "Stopped by AWS Step Functions: the waiting Task state was cancelled");
    }
  }
  EXPECT_EQ(timed_out, 60000);
  EXPECT_EQ(notice, 60000);
  EXPECT_EQ(sigterm, 60000);
  const auto& summary = r.summary;
  EXPECT_EQ(summary["stepfunctions"]["executions"][0]["status"], "SUCCEEDED");  // caught States.Timeout
  ASSERT_EQ(summary["tasks"].size(), 1u);
  EXPECT_EQ(summary["tasks"][0]["stopped_ms"], 64000);
  EXPECT_EQ(summary["tasks"][0]["containers"][0]["exit_code"], 0);
}

TEST(SchedulerDlqScenarioTest, RetriesExhaustedMessagesInTheDlqWithNineAttributesOneEmail) {
  TempDir tmp;
  ScenarioRun r = RunScenario(tmp, "09-scheduler-dlq.yaml");
  ASSERT_EQ(r.result.exit_code, 0) << r.result.out;
  auto dlq = DlqAttributes(r.dir);
  for (const auto& attrs : dlq) {
    for (const char* name : {"ERROR_CODE", "ERROR_MESSAGE", "EXECUTION_ID", "EXHAUSTED_RETRY_CONDITION",
                             "IS_PAYLOAD_TRUNCATED", "RETRY_ATTEMPTS", "SCHEDULED_TIME", "SCHEDULE_ARN", "TARGET_ARN"})
      EXPECT_TRUE(attrs.contains(name)) << name;
    EXPECT_EQ(attrs.size(), 9u);
    EXPECT_EQ(attrs["EXHAUSTED_RETRY_CONDITION"]["StringValue"], "MaximumRetryAttempts");
    EXPECT_EQ(attrs["RETRY_ATTEMPTS"]["StringValue"], "3");
    EXPECT_EQ(attrs["ERROR_MESSAGE"]["StringValue"], "TaskDefinition is inactive");
  }
  EXPECT_EQ(dlq.size(), 2u);
  std::vector<fs::path> mails;
  for (const auto& f : fs::directory_iterator(r.dir / "outbox")) mails.push_back(f.path());
  ASSERT_EQ(mails.size(), 1u);
  std::string mail = ReadFile(mails[0]);
  EXPECT_NE(mail.find("To: ops@example.com"), std::string::npos);
  EXPECT_NE(mail.find("Subject: ALARM: \"scheduler-dlq-not-empty\""), std::string::npos);
  auto q = RunCommand(Ecsim() + " queues " + Quote(r.dir.string()));
  EXPECT_NE(q.out.find("EXHAUSTED_RETRY_CONDITION = MaximumRetryAttempts"), std::string::npos) << q.out;
}

TEST(SchedulerDlqScenarioTest, PermanentErrorGoesToTheDlqWithoutRetriesOrExhaustedCondition) {
  TempDir tmp;
  std::string src = ReadFile(SourceDir() + "/scenarios/09-scheduler-dlq.yaml");
  // Permission errors are permanent: no retries.
  src.replace(src.find("sqs:\n"), 5, "ecs:\n  run_task_errors: [{code: AccessDeniedException, message: denied}]\nsqs:\n");
  fs::create_directories(tmp / "s");
  { std::ofstream(tmp / "s/09.yaml") << src; }
  fs::copy(SourceDir() + "/scenarios/taskdefs", tmp / "s/taskdefs", fs::copy_options::recursive);
  fs::copy(SourceDir() + "/scenarios/scheduler", tmp / "s/scheduler", fs::copy_options::recursive);
  auto res = RunCommand(Ecsim() + " run " + Quote((tmp / "s/09.yaml").string()) + " --out " +
                        Quote((tmp / "run").string()) + " -q");
  auto dlq = DlqAttributes(tmp / "run");
  for (const auto& attrs : dlq) {
    EXPECT_FALSE(attrs.contains("EXHAUSTED_RETRY_CONDITION"));
    EXPECT_EQ(attrs["RETRY_ATTEMPTS"]["StringValue"], "0");
    EXPECT_EQ(attrs["ERROR_CODE"]["StringValue"], "AccessDeniedException");
  }
  EXPECT_EQ(dlq.size(), 2u) << res.out;
}

TEST(WorkQueueScenarioTest, EveryItemDoneOnceInEffectWithRedeliveriesCounted) {
  TempDir tmp;
  ScenarioRun r = RunScenario(tmp, "10-sqs-work-queue.yaml");
  ASSERT_EQ(r.result.exit_code, 0) << r.result.out;
  EXPECT_EQ(r.summary["items"]["committed"], 400);
  EXPECT_EQ(r.summary["items"]["lost"], 0);
  EXPECT_TRUE(r.summary["invariants"]["every_item_committed_once"]["pass"].get<bool>());
  EXPECT_GE(r.summary["sqs"]["queues"][0]["redelivered"].get<int>(), 1);
  EXPECT_GE(r.summary["work"]["spot_interruptions"].get<int>(), 1);
  EXPECT_EQ(r.summary["sqs"]["queues"][0]["visible"], 0);
}

TEST(CompareTest, NaiveWorkerReprocessesAndWastesMoreOnEverySeed) {
  TempDir tmp;
  auto res = RunCommand("cd " + Quote(tmp.path().string()) + " && " + Ecsim() + " compare " +
                        Quote(SourceDir() + "/scenarios/01-naive-restart.yaml") + " " +
                        Quote(SourceDir() + "/scenarios/02-checkpoint-resume.yaml") + " --seeds 1..10 --jobs 2");
  ASSERT_EQ(res.exit_code, 0) << res.out;
  EXPECT_NE(res.out.find("better than 01-naive-restart (fewer items reprocessed and less wasted cost): 10 of 10 seeds"),
            std::string::npos)
      << res.out;
  auto json = ReadJson(tmp / "compare.json");
  EXPECT_FALSE(json.empty());
}

}  // namespace
}  // namespace ecsim_test
