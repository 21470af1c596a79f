#include "fakes/stepfunctions/data_flow.h"

#include <gtest/gtest.h>

namespace fakes::stepfunctions {
namespace {

using sim::Json;

const Json kContext = Json::parse(R"({
  "Execution": {"Id": "arn:aws:states:us-east-1:123456789012:execution:sm:run-1", "Name": "run-1",
                "StartTime": "2024-05-14T01:12:00.000Z", "Input": {"k": 1}},
  "State": {"Name": "RunJob", "EnteredTime": "2024-05-14T01:12:00.000Z", "RetryCount": 2},
  "StateMachine": {"Id": "arn:aws:states:us-east-1:123456789012:stateMachine:sm", "Name": "sm"}
})");

std::string ErrorOf(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const StatesError& e) {
    return e.error();
  }
  return "";
}

TEST(DataFlowTest, PayloadTemplateReadsInputAndContext) {
  Json input = Json::parse(R"({"job": {"id": "j-7", "items": [1, 2]}, "flag": true})");
  Json tmpl = Json::parse(R"({
    "Static": "x",
    "JobId.$": "$.job.id",
    "Execution.$": "$$.Execution.Name",
    "Retry.$": "$$.State.RetryCount",
    "Nested": {"Items.$": "$.job.items", "List": [{"F.$": "$.flag"}, "plain"]}
  })");
  Json out = ApplyPayloadTemplate(tmpl, input, kContext);
  EXPECT_EQ(out, Json::parse(R"({
    "Static": "x", "JobId": "j-7", "Execution": "run-1", "Retry": 2,
    "Nested": {"Items": [1, 2], "List": [{"F": true}, "plain"]}
  })"));
}

TEST(DataFlowTest, IndefinitePathInTemplateYieldsArray) {
  Json input = Json::parse(R"({"tasks": [{"arn": "a"}, {"arn": "b"}]})");
  Json out = ApplyPayloadTemplate(Json::parse(R"({"Arns.$": "$.tasks[*].arn"})"), input, kContext);
  EXPECT_EQ(out["Arns"], Json::parse(R"(["a","b"])"));
}

TEST(DataFlowTest, MissingPathInTemplateIsStatesRuntime) {
  EXPECT_EQ(ErrorOf([] { ApplyPayloadTemplate(Json::parse(R"({"X.$": "$.nope"})"), Json::object(), kContext); }),
            kErrorRuntime);
  try {
    ApplyPayloadTemplate(Json::parse(R"({"X.$": "$.nope"})"), Json::object(), kContext);
  } catch (const StatesError& e) {
    EXPECT_NE(e.cause().find("'$.nope' specified for the field 'X.$' could not be found"), std::string::npos);
  }
}

TEST(DataFlowTest, IntrinsicFormatSubstitutesArguments) {
  Json input = Json::parse(R"({"name": "job", "n": 3, "obj": {"a": 1}})");
  EXPECT_EQ(EvaluateIntrinsic("States.Format('Hello {}, run {} of {}', $.name, $.n, 5)", input, kContext),
            "Hello job, run 3 of 5");
  EXPECT_EQ(EvaluateIntrinsic("States.Format('literal \\{\\} and {}', $$.State.Name)", input, kContext),
            "literal {} and RunJob");
  EXPECT_EQ(EvaluateIntrinsic("States.Format('{}', $.obj)", input, kContext), R"({"a":1})");
  EXPECT_EQ(ErrorOf([&] { EvaluateIntrinsic("States.Format('{} {}', $.n)", input, kContext); }), kErrorRuntime);
}

TEST(DataFlowTest, IntrinsicJsonConversionsRoundTrip) {
  Json input = Json::parse(R"({"s": "{\"a\":[1,2]}", "o": {"b": "c"}})");
  EXPECT_EQ(EvaluateIntrinsic("States.StringToJson($.s)", input, kContext), Json::parse(R"({"a":[1,2]})"));
  EXPECT_EQ(EvaluateIntrinsic("States.JsonToString($.o)", input, kContext), R"({"b":"c"})");
  EXPECT_EQ(ErrorOf([&] { EvaluateIntrinsic("States.StringToJson($.o)", input, kContext); }), kErrorRuntime);
}

TEST(DataFlowTest, IntrinsicArrayFamilyAndMath) {
  Json input = Json::parse(R"({"a": [5, 6, 7], "x": 40, "csv": "a,b,,c"})");
  EXPECT_EQ(EvaluateIntrinsic("States.Array('x', $.x, States.Array(1))", input, kContext),
            Json::parse(R"(["x", 40, [1]])"));
  EXPECT_EQ(EvaluateIntrinsic("States.ArrayLength($.a)", input, kContext), 3);
  EXPECT_EQ(EvaluateIntrinsic("States.ArrayGetItem($.a, 1)", input, kContext), 6);
  EXPECT_EQ(EvaluateIntrinsic("States.ArrayContains($.a, 7)", input, kContext), true);
  EXPECT_EQ(EvaluateIntrinsic("States.MathAdd($.x, -2)", input, kContext), 38);
  EXPECT_EQ(EvaluateIntrinsic("States.StringSplit($.csv, ',')", input, kContext), Json::parse(R"(["a","b","c"])"));
}

TEST(DataFlowTest, IntrinsicInsideTemplate) {
  Json out = ApplyPayloadTemplate(Json::parse(R"json({"Msg.$": "States.Format('job {} failed', $.id)"})json"),
                                  Json::parse(R"({"id": "j1"})"), kContext);
  EXPECT_EQ(out["Msg"], "job j1 failed");
}

TEST(DataFlowTest, DynamicValueChecksRejectBadSyntax) {
  EXPECT_EQ(CheckDynamicValue("$.a.b"), "");
  EXPECT_EQ(CheckDynamicValue("$$.Execution.Id"), "");
  EXPECT_EQ(CheckDynamicValue("States.Format('{}', $.a)"), "");
  EXPECT_NE(CheckDynamicValue("States.Nope($.a)"), "");
  EXPECT_NE(CheckDynamicValue("States.Format('x'"), "");
  EXPECT_NE(CheckDynamicValue("States.ArrayLength($.a, $.b)"), "");
  EXPECT_NE(CheckDynamicValue("plain"), "");
  EXPECT_NE(CheckDynamicValue("$.a["), "");
}

TEST(DataFlowTest, ResultPathVariants) {
  Json input = Json::parse(R"({"keep": 1})");
  Json result = Json::parse(R"({"r": 2})");
  EXPECT_EQ(ApplyResultPath("$", input, result), result);
  EXPECT_EQ(ApplyResultPath(std::nullopt, input, result), input);  // null discards the result
  EXPECT_EQ(ApplyResultPath("$.out.task", input, result), Json::parse(R"({"keep":1,"out":{"task":{"r":2}}})"));
  EXPECT_EQ(ApplyResultPath("$.keep", input, result), Json::parse(R"({"keep":{"r":2}})"));
}

TEST(DataFlowTest, ResultPathIntoScalarIsMatchFailure) {
  EXPECT_EQ(ErrorOf([] { ApplyResultPath("$.keep.x", Json::parse(R"({"keep": 1})"), 2); }),
            kErrorResultPathMatchFailure);
  EXPECT_EQ(ErrorOf([] { ApplyResultPath("$.x", Json("scalar input"), 2); }), kErrorResultPathMatchFailure);
}

TEST(DataFlowTest, InputAndOutputPath) {
  Json input = Json::parse(R"({"a": {"b": 1}})");
  EXPECT_EQ(ApplyInputPath("$.a", input), Json::parse(R"({"b":1})"));
  EXPECT_EQ(ApplyInputPath(std::nullopt, input), Json::object());
  EXPECT_EQ(ApplyOutputPath(std::nullopt, input), Json::object());
  EXPECT_EQ(ErrorOf([&] { ApplyInputPath("$.zzz", input); }), kErrorRuntime);
  EXPECT_EQ(ErrorOf([&] { ApplyOutputPath("$.zzz", input); }), kErrorRuntime);
}

}  // namespace
}  // namespace fakes::stepfunctions
