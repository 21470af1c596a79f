#include "fakes/ecs/task_definition.h"

#include <gtest/gtest.h>

namespace fakes::ecs {
namespace {

TaskDefinition Load(const std::string& json) {
  auto doc = sim::Document::Parse(json, "td.json", true);
  return LoadTaskDefinition(sim::Node::Root(doc));
}

constexpr const char* kValid = R"({
  "family": "FisStopTaskStackTaskDef",
  "networkMode": "awsvpc",
  "requiresCompatibilities": ["FARGATE"],
  "cpu": "256",
  "memory": "512",
  "executionRoleArn": "arn:aws:iam::123456789012:role/exec",
  "containerDefinitions": [{
    "name": "app",
    "image": "public.ecr.aws/x/worker:latest",
    "command": ["ecsim-worker", "--items", "10"],
    "environment": [{"name": "BATCH", "value": "10"}],
    "stopTimeout": 30,
    "logConfiguration": {"logDriver": "awslogs"},
    "portMappings": []
  }]
})";

TEST(TaskDefinitionTest, LoadsRegisterTaskDefinitionInput) {
  TaskDefinition td = Load(kValid);
  EXPECT_EQ(td.family, "FisStopTaskStackTaskDef");
  ASSERT_EQ(td.containers.size(), 1u);
  EXPECT_EQ(td.containers[0].command[2], "10");
  EXPECT_EQ(td.containers[0].stop_timeout_s, 30);
  EXPECT_TRUE(td.containers[0].essential);
  EXPECT_DOUBLE_EQ(td.VcpuCount(), 0.25);
  EXPECT_DOUBLE_EQ(td.MemoryGb(), 0.5);
  // Fields ecsim does not model are accepted and listed.
  EXPECT_NE(std::find(td.ignored_fields.begin(), td.ignored_fields.end(), "executionRoleArn"), td.ignored_fields.end());
  EXPECT_NE(std::find(td.ignored_fields.begin(), td.ignored_fields.end(), "containerDefinitions.logConfiguration"),
            td.ignored_fields.end());
}

TEST(TaskDefinitionTest, AcceptsDescribeTaskDefinitionOutputAndUnitSizes) {
  TaskDefinition td = Load(R"({"taskDefinition": {"family": "f", "cpu": "1 vCPU", "memory": "2 GB",
    "taskDefinitionArn": "arn:aws:ecs:us-east-1:1:task-definition/f:3", "revision": 3, "status": "ACTIVE",
    "containerDefinitions": [{"name": "a", "image": "i", "command": ["x"]}]}})");
  EXPECT_EQ(td.cpu, "1024");
  EXPECT_EQ(td.memory, "2048");
}

TEST(TaskDefinitionTest, StopTimeoutAbove120OnFargateNamesLineAndKey) {
  std::string json = kValid;
  json.replace(json.find("\"stopTimeout\": 30"), 17, "\"stopTimeout\": 500");
  try {
    Load(json);
    FAIL();
  } catch (const sim::InputError& e) {
    EXPECT_EQ(e.where().line, 13);
    EXPECT_EQ(e.where().key, "containerDefinitions[0].stopTimeout");
    EXPECT_NE(e.message().find("[0, 120]"), std::string::npos);
  }
}

TEST(TaskDefinitionTest, RejectsInvalidDocuments) {
  EXPECT_THROW(Load(R"({"containerDefinitions": []})"), sim::InputError);  // no family
  EXPECT_THROW(Load(R"({"family": "f", "cpu": "256", "memory": "512", "containerDefinitions": []})"), sim::InputError);
  EXPECT_THROW(Load(R"({"family": "f", "cpu": "256", "memory": "4096",
    "containerDefinitions": [{"name": "a", "image": "i", "command": ["x"]}]})"), sim::InputError);  // size
  EXPECT_THROW(Load(R"({"family": "f", "cpu": "256", "memory": "512",
    "containerDefinitions": [{"name": "a", "image": "i"}]})"), sim::InputError);  // no command
  EXPECT_THROW(Load(R"({"family": "f", "cpu": "256", "memory": "512",
    "containerDefinitions": [{"name": "a", "image": "i", "command": ["x"], "essential": false}]})"),
               sim::InputError);  // nothing essential
  EXPECT_THROW(Load(R"({"family": "bad name", "cpu": "256", "memory": "512",
    "containerDefinitions": [{"name": "a", "image": "i", "command": ["x"]}]})"), sim::InputError);
}

TEST(TaskDefinitionRegistryTest, RevisionsAndDeregistrationWithLag) {
  TaskDefinitionRegistry reg("us-east-1", "123456789012");
  EXPECT_EQ(reg.Register(Load(kValid)), 1);
  EXPECT_EQ(reg.Register(Load(kValid)), 2);
  auto latest = reg.Resolve("FisStopTaskStackTaskDef", sim::kTimeZero);
  ASSERT_TRUE(latest.definition);
  EXPECT_EQ(latest.definition->revision, 2);
  EXPECT_EQ(reg.Arn(*latest.definition), "arn:aws:ecs:us-east-1:123456789012:task-definition/FisStopTaskStackTaskDef:2");

  ASSERT_TRUE(reg.Deregister("FisStopTaskStackTaskDef", 2, sim::FromMicros(600'000'000)));
  // Within the lag window the revision still runs.
  EXPECT_FALSE(reg.Resolve("FisStopTaskStackTaskDef:2", sim::FromMicros(599'000'000)).inactive);
  EXPECT_TRUE(reg.Resolve("FisStopTaskStackTaskDef:2", sim::FromMicros(600'000'000)).inactive);
  // The family alone now means the latest ACTIVE revision.
  EXPECT_EQ(reg.Resolve("FisStopTaskStackTaskDef", sim::FromMicros(600'000'000)).definition->revision, 1);
  EXPECT_TRUE(reg.Resolve("arn:aws:ecs:us-east-1:123456789012:task-definition/FisStopTaskStackTaskDef:2",
                          sim::FromMicros(700'000'000)).inactive);
  EXPECT_FALSE(reg.Resolve("nope", sim::kTimeZero).definition);
  EXPECT_FALSE(reg.Deregister("FisStopTaskStackTaskDef", 9, sim::kTimeZero));
}

}  // namespace
}  // namespace fakes::ecs
