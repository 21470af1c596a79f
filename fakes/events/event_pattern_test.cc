#include "fakes/events/event_pattern.h"

#include <string>

#include <gtest/gtest.h>
#include "sim/base/testing/input_error.h"

namespace fakes::events {
namespace {

using sim::Json;

EventPattern Load(const std::string& json_text) {
  return LoadEventPattern(sim::Node::Root(sim::Document::Parse(json_text, "rule.json", true)));
}

bool Match(const std::string& pattern, const std::string& event) { return Load(pattern).Matches(Json::parse(event)); }

// Returns the error of loading `json_text`, or fails the test.
sim::InputError LoadError(const std::string& json_text) {
  return sim::testing::CaptureInputError([&] { Load(json_text); }, json_text);
}

const char kTaskEvent[] = R"({
  "version": "0", "id": "e1", "detail-type": "ECS Task State Change", "source": "aws.ecs",
  "account": "123456789012", "time": "2024-05-14T01:12:00Z", "region": "us-east-1",
  "resources": ["arn:aws:ecs:us-east-1:123456789012:task/c/abc"],
  "detail": {"clusterArn": "arn:aws:ecs:us-east-1:123456789012:cluster/c", "lastStatus": "STOPPED",
             "stopCode": "SpotInterruption", "group": "family:job", "version": 4, "cpu": "256",
             "containers": [{"name": "app", "exitCode": 143}, {"name": "sidecar", "exitCode": 137}],
             "attachments": [], "stoppedReason": null}
})";

TEST(EventPatternTest, ExactValuesMatchAnyListedValue) {
  EXPECT_TRUE(Match(R"({"source":["aws.ecs"],"detail-type":["ECS Task State Change"]})", kTaskEvent));
  EXPECT_TRUE(Match(R"({"detail":{"lastStatus":["RUNNING","STOPPED"]}})", kTaskEvent));
  EXPECT_FALSE(Match(R"({"detail":{"lastStatus":["RUNNING"]}})", kTaskEvent));
  EXPECT_FALSE(Match(R"({"source":["aws.ecs"],"detail":{"lastStatus":["RUNNING"]}})", kTaskEvent));
}

TEST(EventPatternTest, NumbersNullsAndTypesAreExact) {
  EXPECT_TRUE(Match(R"({"detail":{"version":[4]}})", kTaskEvent));
  EXPECT_TRUE(Match(R"({"detail":{"version":[4.0]}})", kTaskEvent));
  EXPECT_FALSE(Match(R"({"detail":{"version":["4"]}})", kTaskEvent));
  EXPECT_FALSE(Match(R"({"detail":{"cpu":[256]}})", kTaskEvent));  // event has the string "256"
  EXPECT_TRUE(Match(R"({"detail":{"stoppedReason":[null]}})", kTaskEvent));
  EXPECT_FALSE(Match(R"({"detail":{"stopCode":[null]}})", kTaskEvent));
  EXPECT_FALSE(Match(R"({"detail":{"missing":[null]}})", kTaskEvent));  // absent is not null
}

TEST(EventPatternTest, ArrayFieldsMatchWhenAnyElementMatches) {
  EXPECT_TRUE(Match(R"({"resources":["arn:aws:ecs:us-east-1:123456789012:task/c/abc"]})", kTaskEvent));
  EXPECT_TRUE(Match(R"({"detail":{"containers":{"exitCode":[137]}}})", kTaskEvent));
  EXPECT_FALSE(Match(R"({"detail":{"containers":{"exitCode":[1]}}})", kTaskEvent));
  // Fields of one nested pattern must match within the same array element.
  EXPECT_TRUE(Match(R"({"detail":{"containers":{"name":["sidecar"],"exitCode":[137]}}})", kTaskEvent));
  EXPECT_FALSE(Match(R"({"detail":{"containers":{"name":["app"],"exitCode":[137]}}})", kTaskEvent));
  EXPECT_TRUE(Match(R"({"tags":["a"]})", R"({"tags":["x","a"]})"));
  EXPECT_FALSE(Match(R"({"tags":["a"]})", R"({"tags":[]})"));
}

TEST(EventPatternTest, PrefixSuffixAndIgnoreCase) {
  EXPECT_TRUE(Match(R"({"detail":{"group":[{"prefix":"family:"}]}})", kTaskEvent));
  EXPECT_FALSE(Match(R"({"detail":{"group":[{"prefix":"service:"}]}})", kTaskEvent));
  EXPECT_TRUE(Match(R"({"detail":{"clusterArn":[{"suffix":"cluster/c"}]}})", kTaskEvent));
  EXPECT_FALSE(Match(R"({"detail":{"clusterArn":[{"suffix":"cluster/d"}]}})", kTaskEvent));
  EXPECT_TRUE(Match(R"({"detail":{"lastStatus":[{"equals-ignore-case":"stopped"}]}})", kTaskEvent));
  EXPECT_FALSE(Match(R"({"detail":{"lastStatus":[{"equals-ignore-case":"stopping"}]}})", kTaskEvent));
  EXPECT_FALSE(Match(R"({"detail":{"version":[{"prefix":"4"}]}})", kTaskEvent));  // numbers are not strings
}

TEST(EventPatternTest, AnythingButValueListAndPrefix) {
  EXPECT_TRUE(Match(R"({"detail":{"stopCode":[{"anything-but":"UserInitiated"}]}})", kTaskEvent));
  EXPECT_FALSE(Match(R"({"detail":{"stopCode":[{"anything-but":["UserInitiated","SpotInterruption"]}]}})",
                     kTaskEvent));
  EXPECT_FALSE(Match(R"({"detail":{"version":[{"anything-but":[3,4]}]}})", kTaskEvent));
  EXPECT_TRUE(Match(R"({"detail":{"version":[{"anything-but":[3,5]}]}})", kTaskEvent));
  EXPECT_TRUE(Match(R"({"detail":{"group":[{"anything-but":{"prefix":"service:"}}]}})", kTaskEvent));
  EXPECT_FALSE(Match(R"({"detail":{"group":[{"anything-but":{"prefix":"family:"}}]}})", kTaskEvent));
  EXPECT_FALSE(Match(R"({"detail":{"group":[{"anything-but":{"suffix":":job"}}]}})", kTaskEvent));
  EXPECT_FALSE(
      Match(R"({"detail":{"stopCode":[{"anything-but":{"equals-ignore-case":["spotinterruption"]}}]}})", kTaskEvent));
  // A missing field matches no anything-but.
  EXPECT_FALSE(Match(R"({"detail":{"missing":[{"anything-but":"x"}]}})", kTaskEvent));
}

TEST(EventPatternTest, NumericRanges) {
  EXPECT_TRUE(Match(R"({"detail":{"version":[{"numeric":[">",0,"<=",5]}]}})", kTaskEvent));
  EXPECT_TRUE(Match(R"({"detail":{"version":[{"numeric":[">",3,"<",5]}]}})", kTaskEvent));
  EXPECT_FALSE(Match(R"({"detail":{"version":[{"numeric":[">",4]}]}})", kTaskEvent));
  EXPECT_TRUE(Match(R"({"detail":{"version":[{"numeric":[">=",4]}]}})", kTaskEvent));
  EXPECT_FALSE(Match(R"({"detail":{"version":[{"numeric":["<",4]}]}})", kTaskEvent));
  EXPECT_TRUE(Match(R"({"detail":{"version":[{"numeric":["=",4]}]}})", kTaskEvent));
  EXPECT_FALSE(Match(R"({"detail":{"cpu":[{"numeric":[">",0]}]}})", kTaskEvent));  // "256" is a string
  EXPECT_TRUE(Match(R"({"detail":{"containers":{"exitCode":[{"numeric":[">",140]}]}}})", kTaskEvent));
}

TEST(EventPatternTest, ExistsLooksAtLeafValues) {
  EXPECT_TRUE(Match(R"({"detail":{"stopCode":[{"exists":true}]}})", kTaskEvent));
  EXPECT_FALSE(Match(R"({"detail":{"stopCode":[{"exists":false}]}})", kTaskEvent));
  EXPECT_TRUE(Match(R"({"detail":{"startedAt":[{"exists":false}]}})", kTaskEvent));
  EXPECT_FALSE(Match(R"({"detail":{"startedAt":[{"exists":true}]}})", kTaskEvent));
  EXPECT_TRUE(Match(R"({"detail":{"stoppedReason":[{"exists":true}]}})", kTaskEvent));  // null is a value
  EXPECT_TRUE(Match(R"({"detail":{"attachments":[{"exists":false}]}})", kTaskEvent));   // empty array
  EXPECT_TRUE(Match(R"({"nothere":{"deeper":[{"exists":false}]}})", kTaskEvent));
}

TEST(EventPatternTest, Wildcards) {
  EXPECT_TRUE(Match(R"({"detail":{"clusterArn":[{"wildcard":"arn:aws:ecs:*:cluster/*"}]}})", kTaskEvent));
  EXPECT_FALSE(Match(R"({"detail":{"clusterArn":[{"wildcard":"arn:aws:ecs:*:cluster/d"}]}})", kTaskEvent));
  EXPECT_TRUE(Match(R"({"k":[{"wildcard":"a*b"}]})", R"({"k":"ab"})"));
  EXPECT_TRUE(Match(R"({"k":[{"wildcard":"a*b"}]})", R"({"k":"axxbyyb"})"));
  EXPECT_FALSE(Match(R"({"k":[{"wildcard":"a*b"}]})", R"({"k":"axxbyy"})"));
  EXPECT_TRUE(Match(R"({"k":[{"wildcard":"a\\*b"}]})", R"({"k":"a*b"})"));
  EXPECT_FALSE(Match(R"({"k":[{"wildcard":"a\\*b"}]})", R"({"k":"axb"})"));
}

TEST(EventPatternTest, OrAlternativesAreAndedWithSiblings) {
  const char* pattern = R"({"source":["aws.ecs"],"detail":{"$or":[
      {"stopCode":["SpotInterruption"]}, {"containers":{"exitCode":[{"numeric":[">",0]}]}}]}})";
  EXPECT_TRUE(Match(pattern, kTaskEvent));
  EXPECT_TRUE(Match(pattern,
                    R"({"source":"aws.ecs","detail":{"stopCode":"UserInitiated","containers":[{"exitCode":1}]}})"));
  EXPECT_FALSE(Match(pattern,
                     R"({"source":"aws.ecs","detail":{"stopCode":"UserInitiated","containers":[{"exitCode":0}]}})"));
  EXPECT_FALSE(Match(pattern, R"({"source":"aws.s3","detail":{"stopCode":"SpotInterruption"}})"));
  EXPECT_TRUE(Match(R"({"$or":[{"source":["a"]},{"detail-type":["b"]}]})", R"({"source":"x","detail-type":"b"})"));
}

TEST(EventPatternTest, PatternMayBeAJsonStringAndLinesCountFromIt) {
  auto doc = sim::Document::Parse(
      "Name: r\nEventPattern: '{\"source\": [\"aws.ecs\"]}'\n", "rule.yaml", false);
  EventPattern p = LoadEventPattern(sim::Node::Root(doc).Require("EventPattern"));
  EXPECT_TRUE(p.Matches(Json::parse(kTaskEvent)));
  EXPECT_EQ(p.json(), Json::parse(R"({"source":["aws.ecs"]})"));

  auto bad = sim::Document::Parse("Name: r\nEventPattern: |\n  {\"source\": [\"aws.ecs\"],\n   \"detail\": []}\n",
                                  "rule.yaml", false);
  try {
    LoadEventPattern(sim::Node::Root(bad).Require("EventPattern"));
    FAIL();
  } catch (const sim::InputError& e) {
    EXPECT_EQ(e.where().file, "rule.yaml");
    EXPECT_EQ(e.where().key, "EventPattern.detail");
    EXPECT_NE(e.message().find("Empty arrays are not allowed"), std::string::npos) << e.what();
    EXPECT_EQ(e.where().line, 4);
  }

  // In a .json file the string is one physical line: report that line.
  auto json_bad = sim::Document::Parse(
      "{\n  \"Name\": \"r\",\n  \"EventPattern\": \"{\\n\\\"source\\\": []}\"\n}", "put-rule.json", true);
  try {
    LoadEventPattern(sim::Node::Root(json_bad).Require("EventPattern"));
    FAIL();
  } catch (const sim::InputError& e) {
    EXPECT_EQ(e.where().line, 3) << e.what();
    EXPECT_EQ(e.where().key, "EventPattern.source");
  }
}

TEST(EventPatternTest, InvalidPatternsNameLineKeyAndReason) {
  struct Case {
    const char* json;
    int line;
    const char* key;
    const char* reason;
  };
  const Case cases[] = {
      {"{\n\"source\": []\n}", 2, "source", "Empty arrays are not allowed"},
      {"{\n\"source\": \"aws.ecs\"\n}", 2, "source", "\"source\" must be an object or an array"},
      {"{\n\"detail\": {}\n}", 2, "detail", "Empty objects are not allowed"},
      {"{}", 1, "", "Empty objects are not allowed"},
      {"{\"detail\": {\n \"a\": [{\"regex\": \"x\"}]}}", 2, "detail.a[0]", "Unrecognized match type regex"},
      {"{\"a\": [\n{\"prefix\": \"x\", \"suffix\": \"y\"}]}", 2, "a[0]", "Only one key allowed in match expression"},
      {"{\"a\": [{\"prefix\":\n 3}]}", 2, "a[0].prefix", "prefix match pattern must be a string"},
      {"{\"a\": [{\"numeric\": [\n\">\", 0, \">\", 5]}]}", 2, "a[0].numeric[2]", "Bad numeric range operator: >"},
      {"{\"a\": [{\"numeric\": [\"~\", 0]}]}", 1, "a[0].numeric[0]", "Unrecognized numeric range operator: ~"},
      {"{\"a\": [{\"numeric\": [\"<\", \"x\"]}]}", 1, "a[0].numeric[1]", "Value of < must be numeric"},
      {"{\"a\": [{\"numeric\": [\"<\", 1, \"<\", 2]}]}", 1, "a[0].numeric[2]",
       "Too many elements in numeric expression"},
      {"{\"a\": [{\"numeric\": \">\"}]}", 1, "a[0].numeric", "Value of numeric must be an array."},
      {"{\"a\": [{\"exists\": \"yes\"}]}", 1, "a[0].exists", "exists match pattern must be either true or false."},
      {"{\"a\": [[\"x\"]]}", 1, "a[0]", "Match value must be String, number, true, false, or null"},
      {"{\"a\": [{\"anything-but\": [\"x\", 1]}]}", 1, "a[0].anything-but", "mixed type is not supported"},
      {"{\"a\": [{\"anything-but\": {\"wildcard\": \"x\"}}]}", 1, "a[0].anything-but",
       "Unsupported anything-but pattern: wildcard"},
      {"{\"a\": [{\"wildcard\": \"a**b\"}]}", 1, "a[0].wildcard", "Consecutive wildcard characters at pos 2"},
      {"{\"$or\": [{\"a\": [\"x\"]}]}", 1, "$or", "There must have at least 2 Objects in $or relationship."},
      {"{\"$or\": [{\"a\": [\"x\"]}, [\"b\"]]}", 1, "$or[1]",
       "Only JSON object is allowed in array of $or relationship."},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.json);
    sim::InputError e = LoadError(c.json);
    EXPECT_EQ(e.where().file, "rule.json");
    EXPECT_EQ(e.where().line, c.line);
    EXPECT_EQ(e.where().key, c.key);
    EXPECT_NE(e.message().find("Event pattern is not valid. Reason: "), std::string::npos) << e.message();
    EXPECT_NE(e.message().find(c.reason), std::string::npos) << e.message();
  }
}

}  // namespace
}  // namespace fakes::events
