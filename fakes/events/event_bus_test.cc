#include "fakes/events/event_bus.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace fakes::events {
namespace {

using sim::Json;

Rule RuleFrom(const std::string& yaml) {
  return LoadRule(sim::Node::Root(sim::Document::Parse(yaml, "rule.yaml", false)));
}

Rule MakeRule(const std::string& name, const std::string& pattern_json, std::vector<std::string>* log) {
  Rule rule = RuleFrom("Name: " + name + "\nEventPattern: '" + pattern_json + "'\n");
  rule.targets.push_back([log, name](const Json& e) { log->push_back(name + ":" + e["id"].get<std::string>()); });
  return rule;
}

Json Event(const std::string& id, const std::string& source) {
  return MakeEvent(source, "ECS Task State Change", Json{{"lastStatus", "STOPPED"}}, {"arn:task"}, 0,
                   sim::kTimeZero, id, "us-east-1", "123456789012");
}

TEST(EventBusTest, DeliversToMatchingEnabledRulesInInsertionOrder) {
  std::vector<std::string> log;
  EventBus bus;
  bus.AddRule(MakeRule("zeta", R"({"source":["aws.ecs"]})", &log));
  bus.AddRule(MakeRule("alpha", R"({"detail":{"lastStatus":["STOPPED"]}})", &log));
  bus.AddRule(MakeRule("other", R"({"source":["aws.s3"]})", &log));
  Rule disabled = MakeRule("off", R"({"source":["aws.ecs"]})", &log);
  disabled.state = RuleState::kDisabled;
  bus.AddRule(std::move(disabled));

  EXPECT_EQ(bus.PutEvent(Event("e1", "aws.ecs")), 2u);
  EXPECT_EQ(bus.PutEvent(Event("e2", "aws.s3")), 2u);  // alpha matches on detail, other on source
  EXPECT_EQ(log, (std::vector<std::string>{"zeta:e1", "alpha:e1", "alpha:e2", "other:e2"}));
  EXPECT_EQ(bus.counters("zeta").matched, 1u);
  EXPECT_EQ(bus.counters("alpha").matched, 2u);
  EXPECT_EQ(bus.counters("off").matched, 0u);
  EXPECT_EQ(bus.events_put(), 2u);
}

TEST(EventBusTest, CountsInvocationsPerTargetAndHonoursStateChanges) {
  std::vector<std::string> log;
  EventBus bus;
  Rule rule = MakeRule("r", R"({"source":["aws.ecs"]})", &log);
  rule.targets.push_back([&log](const Json&) { log.push_back("second"); });
  bus.AddRule(std::move(rule));
  bus.PutEvent(Event("e1", "aws.ecs"));
  EXPECT_EQ(bus.counters("r").matched, 1u);
  EXPECT_EQ(bus.counters("r").invocations, 2u);
  EXPECT_EQ(log, (std::vector<std::string>{"r:e1", "second"}));

  ASSERT_TRUE(bus.SetRuleState("r", RuleState::kDisabled));
  EXPECT_EQ(bus.PutEvent(Event("e2", "aws.ecs")), 0u);
  EXPECT_EQ(bus.counters("r").invocations, 2u);
  EXPECT_FALSE(bus.SetRuleState("nope", RuleState::kEnabled));
}

TEST(EventBusTest, PutRuleOnExistingNameReplacesInPlace) {
  std::vector<std::string> log;
  EventBus bus;
  bus.AddRule(MakeRule("a", R"({"source":["aws.s3"]})", &log));
  bus.AddRule(MakeRule("b", R"({"source":["aws.ecs"]})", &log));
  bus.AddRule(MakeRule("a", R"({"source":["aws.ecs"]})", &log));
  ASSERT_EQ(bus.rules().size(), 2u);
  bus.PutEvent(Event("e1", "aws.ecs"));
  EXPECT_EQ(log, (std::vector<std::string>{"a:e1", "b:e1"}));
}

TEST(EventBusTest, TargetsMayPublishAndAddRulesDuringDelivery) {
  std::vector<std::string> log;
  EventBus bus;
  Rule chain = MakeRule("chain", R"({"source":["aws.ecs"]})", &log);
  chain.targets.push_back([&](const Json&) {
    bus.AddRule(MakeRule("late", R"({"source":["aws.ecs","relay"]})", &log));
    bus.PutEvent(Event("relayed", "relay"));
  });
  bus.AddRule(std::move(chain));
  bus.PutEvent(Event("e1", "aws.ecs"));
  EXPECT_EQ(log, (std::vector<std::string>{"chain:e1", "late:relayed"}));
}

TEST(EventBusTest, MakeEventWritesTheEnvelopeInAwsKeyOrder) {
  Json e = MakeEvent("aws.ecs", "ECS Task State Change", Json{{"lastStatus", "RUNNING"}}, {"arn:t"},
                     1715649120000, sim::kTimeZero + sim::Millis(1500), "id-1", "eu-west-1", "111122223333");
  EXPECT_EQ(e.dump(),
            R"({"version":"0","id":"id-1","detail-type":"ECS Task State Change","source":"aws.ecs",)"
            R"("account":"111122223333","time":"2024-05-14T01:12:01Z","region":"eu-west-1",)"
            R"("resources":["arn:t"],"detail":{"lastStatus":"RUNNING"}})");
}

TEST(EventBusTest, LoadRuleReadsPutRuleInput) {
  Rule r = RuleFrom(
      "Name: spot-stops\nState: DISABLED\nDescription: d\nEventBusName: jobs\n"
      "EventPattern:\n  source: [aws.ecs]\n");
  EXPECT_EQ(r.name, "spot-stops");
  EXPECT_EQ(r.state, RuleState::kDisabled);
  EXPECT_EQ(r.description, "d");
  EXPECT_EQ(r.event_bus_name, "jobs");
  EXPECT_TRUE(r.pattern.Matches(Json{{"source", "aws.ecs"}}));
  EXPECT_TRUE(r.targets.empty());
}

TEST(EventBusTest, LoadRuleRejectsBadInputWithLine) {
  auto expect_error = [](const std::string& yaml, int line, const std::string& key, const std::string& text) {
    try {
      RuleFrom(yaml);
      ADD_FAILURE() << yaml;
    } catch (const sim::InputError& e) {
      EXPECT_EQ(e.where().line, line) << e.what();
      EXPECT_EQ(e.where().key, key) << e.what();
      EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
    }
  };
  expect_error("Name: r\nState: ON\nEventPattern: {source: [x]}\n", 2, "State", "ENABLED or DISABLED");
  expect_error("Name: r\n", 1, "", "missing required key 'EventPattern'");
  expect_error("Name: r s\nEventPattern: {source: [x]}\n", 1, "Name", "letters, digits");
  expect_error("Name: r\nEventPatern: {source: [x]}\n", 2, "EventPatern", "unknown key");
  expect_error("Name: r\nScheduleExpression: rate(5 minutes)\n", 2, "ScheduleExpression", "Scheduler");
  expect_error("Name: r\nEventPattern:\n  source: aws.ecs\n", 3, "EventPattern.source",
               "must be an object or an array");
}

}  // namespace
}  // namespace fakes::events
