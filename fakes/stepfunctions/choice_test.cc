#include "fakes/stepfunctions/choice.h"

#include <gtest/gtest.h>

#include "fakes/stepfunctions/data_flow.h"

namespace fakes::stepfunctions {
namespace {

using sim::Json;

const Json kInput = Json::parse(R"({
  "status": "FAILED", "count": 7, "ratio": 0.5, "ok": false, "nothing": null,
  "limit": 7, "name": "report-2024.csv", "when": "2024-05-14T01:12:00Z", "other": "FAILED"
})");
const Json kContext = Json::parse(R"({"State": {"RetryCount": 2}})");

State ChoiceState(const std::string& rules, const std::string& default_next = "") {
  std::string text = R"({"StartAt": "C", "States": {"C": {"Type": "Choice", "Choices": [)" + rules + "]";
  if (!default_next.empty()) text += R"(, "Default": ")" + default_next + "\"";
  text += R"(}, "A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Succeed"}, "D": {"Type": "Succeed"}}})";
  return LoadStateMachine(sim::Node::Root(sim::Document::Parse(text, "c.json", true))).At("C");
}

bool Holds(const std::string& rule_body) {
  State s = ChoiceState("{" + rule_body + R"(, "Next": "A"})", "D");
  return ChooseNext(s, kInput, kContext) == "A";
}

TEST(ChoiceTest, StringComparators) {
  EXPECT_TRUE(Holds(R"("Variable": "$.status", "StringEquals": "FAILED")"));
  EXPECT_FALSE(Holds(R"("Variable": "$.status", "StringEquals": "failed")"));
  EXPECT_TRUE(Holds(R"("Variable": "$.status", "StringEqualsPath": "$.other")"));
  EXPECT_TRUE(Holds(R"("Variable": "$.status", "StringLessThan": "G")"));
  EXPECT_FALSE(Holds(R"("Variable": "$.count", "StringEquals": "7")"));  // type mismatch is false
}

TEST(ChoiceTest, NumericComparatorsIncludingPath) {
  EXPECT_TRUE(Holds(R"("Variable": "$.count", "NumericEquals": 7)"));
  EXPECT_TRUE(Holds(R"("Variable": "$.count", "NumericEquals": 7.0)"));
  EXPECT_TRUE(Holds(R"("Variable": "$.count", "NumericLessThan": 8)"));
  EXPECT_FALSE(Holds(R"("Variable": "$.count", "NumericLessThan": 7)"));
  EXPECT_TRUE(Holds(R"("Variable": "$.count", "NumericLessThanEquals": 7)"));
  EXPECT_TRUE(Holds(R"("Variable": "$.ratio", "NumericGreaterThan": 0.25)"));
  EXPECT_TRUE(Holds(R"("Variable": "$.count", "NumericGreaterThanEquals": 7)"));
  EXPECT_TRUE(Holds(R"("Variable": "$.count", "NumericEqualsPath": "$.limit")"));
  EXPECT_TRUE(Holds(R"("Variable": "$$.State.RetryCount", "NumericLessThanPath": "$.count")"));
  EXPECT_FALSE(Holds(R"("Variable": "$.status", "NumericEquals": 7)"));
}

TEST(ChoiceTest, BooleanAndTypeTests) {
  EXPECT_TRUE(Holds(R"("Variable": "$.ok", "BooleanEquals": false)"));
  EXPECT_FALSE(Holds(R"("Variable": "$.ok", "BooleanEquals": true)"));
  EXPECT_TRUE(Holds(R"("Variable": "$.nothing", "IsNull": true)"));
  EXPECT_TRUE(Holds(R"("Variable": "$.status", "IsNull": false)"));
  EXPECT_TRUE(Holds(R"("Variable": "$.status", "IsString": true)"));
  EXPECT_TRUE(Holds(R"("Variable": "$.ratio", "IsNumeric": true)"));
  EXPECT_FALSE(Holds(R"("Variable": "$.status", "IsNumeric": true)"));
  EXPECT_TRUE(Holds(R"("Variable": "$.when", "IsTimestamp": true)"));
  EXPECT_TRUE(Holds(R"("Variable": "$.when", "TimestampLessThan": "2024-05-15T00:00:00Z")"));
}

TEST(ChoiceTest, IsPresentHandlesMissingVariable) {
  EXPECT_TRUE(Holds(R"("Variable": "$.missing", "IsPresent": false)"));
  EXPECT_FALSE(Holds(R"("Variable": "$.missing", "IsPresent": true)"));
  EXPECT_TRUE(Holds(R"("Variable": "$.nothing", "IsPresent": true)"));
}

TEST(ChoiceTest, MissingVariableIsStatesRuntime) {
  State s = ChoiceState(R"({"Variable": "$.missing", "StringEquals": "x", "Next": "A"})", "D");
  try {
    ChooseNext(s, kInput, kContext);
    FAIL();
  } catch (const StatesError& e) {
    EXPECT_EQ(e.error(), kErrorRuntime);
  }
}

TEST(ChoiceTest, StringMatchesWildcards) {
  EXPECT_TRUE(Holds(R"("Variable": "$.name", "StringMatches": "report-*.csv")"));
  EXPECT_TRUE(Holds(R"("Variable": "$.name", "StringMatches": "*")"));
  EXPECT_FALSE(Holds(R"("Variable": "$.name", "StringMatches": "*.json")"));
  EXPECT_TRUE(WildcardMatch("a*b*c", "axxbyyc"));
  EXPECT_FALSE(WildcardMatch("a*b*c", "axxbyy"));
  EXPECT_TRUE(WildcardMatch("lit\\*", "lit*"));
  EXPECT_FALSE(WildcardMatch("lit\\*", "literal"));
  EXPECT_TRUE(WildcardMatch("", ""));
  EXPECT_FALSE(WildcardMatch("", "x"));
}

TEST(ChoiceTest, AndOrNotCompose) {
  EXPECT_TRUE(Holds(R"("And": [{"Variable": "$.count", "NumericGreaterThan": 5},
                               {"Variable": "$.status", "StringEquals": "FAILED"}])"));
  EXPECT_FALSE(Holds(R"("And": [{"Variable": "$.count", "NumericGreaterThan": 9},
                                {"Variable": "$.status", "StringEquals": "FAILED"}])"));
  EXPECT_TRUE(Holds(R"("Or": [{"Variable": "$.count", "NumericGreaterThan": 9},
                              {"Variable": "$.status", "StringEquals": "FAILED"}])"));
  EXPECT_TRUE(Holds(R"("Not": {"Variable": "$.status", "StringEquals": "OK"})"));
}

TEST(ChoiceTest, FirstMatchWinsThenDefaultThenNoChoiceMatched) {
  State s = ChoiceState(R"({"Variable": "$.count", "NumericGreaterThan": 1, "Next": "A"},
                           {"Variable": "$.count", "NumericGreaterThan": 2, "Next": "B"})",
                        "D");
  EXPECT_EQ(ChooseNext(s, kInput, kContext), "A");
  EXPECT_EQ(ChooseNext(s, Json::parse(R"({"count": 0})"), kContext), "D");
  State no_default = ChoiceState(R"({"Variable": "$.count", "NumericGreaterThan": 1, "Next": "A"},
                                    {"Variable": "$.count", "NumericLessThan": 0, "Next": "B"},
                                    {"Variable": "$.count", "NumericEquals": 0, "Next": "D"})");
  try {
    ChooseNext(no_default, Json::parse(R"({"count": 0.5})"), kContext);
    FAIL();
  } catch (const StatesError& e) {
    EXPECT_EQ(e.error(), kErrorNoChoiceMatched);
  }
}

}  // namespace
}  // namespace fakes::stepfunctions
