#include "fakes/stepfunctions/json_path.h"

#include <gtest/gtest.h>

namespace fakes::stepfunctions {
namespace {

using sim::Json;

const Json kStore = Json::parse(R"({
  "store": {
    "book": [
      {"category": "reference", "author": "Rees", "title": "Sayings", "price": 8.95},
      {"category": "fiction", "author": "Waugh", "title": "Sword", "price": 12.99, "isbn": "0-553"},
      {"category": "fiction", "author": "Melville", "title": "Moby Dick", "price": 8.99, "isbn": "0-395"}
    ],
    "bicycle": {"color": "red", "price": 19.95},
    "odd key": 1
  },
  "expensive": 10
})");

Json Eval(const std::string& path, const Json& root = kStore) {
  std::string error;
  auto p = JsonPath::Parse(path, &error);
  EXPECT_TRUE(p) << error;
  if (!p) return nullptr;
  auto v = p->Evaluate(root);
  return v ? *v : Json("<missing>");
}

TEST(JsonPathTest, RootSelectsWholeDocument) { EXPECT_EQ(Eval("$"), kStore); }

TEST(JsonPathTest, DotAndBracketNamesAreEquivalent) {
  EXPECT_EQ(Eval("$.store.bicycle.color"), "red");
  EXPECT_EQ(Eval("$['store']['bicycle']['color']"), "red");
  EXPECT_EQ(Eval("$[\"store\"].bicycle['price']"), 19.95);
  EXPECT_EQ(Eval("$.store['odd key']"), 1);
}

TEST(JsonPathTest, IndicesIncludingNegative) {
  EXPECT_EQ(Eval("$.store.book[1].author"), "Waugh");
  EXPECT_EQ(Eval("$.store.book[-1].author"), "Melville");
  EXPECT_EQ(Eval("$.store.book[3]"), "<missing>");
}

TEST(JsonPathTest, MissingDefinitePathDoesNotResolve) {
  auto p = JsonPath::Parse("$.store.car");
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->definite());
  EXPECT_FALSE(p->Evaluate(kStore).has_value());
}

TEST(JsonPathTest, WildcardYieldsArrayInDocumentOrder) {
  EXPECT_EQ(Eval("$.store.book[*].author"), Json::parse(R"(["Rees","Waugh","Melville"])"));
  EXPECT_EQ(Eval("$.store.bicycle.*"), Json::parse(R"(["red",19.95])"));
  EXPECT_EQ(Eval("$.store.book[*].nothing"), Json::array());
}

TEST(JsonPathTest, SliceSelectsHalfOpenRange) {
  EXPECT_EQ(Eval("$.store.book[0:2].author"), Json::parse(R"(["Rees","Waugh"])"));
  EXPECT_EQ(Eval("$.store.book[-1:].author"), Json::parse(R"(["Melville"])"));
}

TEST(JsonPathTest, RecursiveDescentFindsEveryPrice) {
  EXPECT_EQ(Eval("$..price"), Json::parse("[8.95,12.99,8.99,19.95]"));
  EXPECT_EQ(Eval("$..isbn"), Json::parse(R"(["0-553","0-395"])"));
}

TEST(JsonPathTest, FilterWithEqualityOnString) {
  EXPECT_EQ(Eval("$.store.book[?(@.category == 'fiction')].title"), Json::parse(R"(["Sword","Moby Dick"])"));
  EXPECT_EQ(Eval("$.store.book[?(@.category != 'fiction')].title"), Json::parse(R"(["Sayings"])"));
  EXPECT_EQ(Eval(R"($.store.book[?(@.author == "Rees")].price)"), Json::parse("[8.95]"));
}

TEST(JsonPathTest, FilterWithNumericOrdering) {
  EXPECT_EQ(Eval("$.store.book[?(@.price < 10)].title"), Json::parse(R"(["Sayings","Moby Dick"])"));
  EXPECT_EQ(Eval("$.store.book[?(@.price >= 12.99)].title"), Json::parse(R"(["Sword"])"));
  EXPECT_EQ(Eval("$.store.book[?(@.price <= 8.95)].title"), Json::parse(R"(["Sayings"])"));
  EXPECT_EQ(Eval("$.store.book[?(@.price > 100)].title"), Json::array());
}

TEST(JsonPathTest, FilterWithAndOrAndParentheses) {
  EXPECT_EQ(Eval("$.store.book[?(@.price < 10 && @.category == 'fiction')].title"), Json::parse(R"(["Moby Dick"])"));
  EXPECT_EQ(Eval("$.store.book[?(@.author == 'Rees' || @.author == 'Waugh')].title"),
            Json::parse(R"(["Sayings","Sword"])"));
  EXPECT_EQ(Eval("$.store.book[?((@.price > 12 || @.price < 9) && @.isbn)].title"),
            Json::parse(R"(["Sword","Moby Dick"])"));
}

TEST(JsonPathTest, FilterExistenceTestAndMissingFieldNeverMatches) {
  EXPECT_EQ(Eval("$.store.book[?(@.isbn)].author"), Json::parse(R"(["Waugh","Melville"])"));
  // A field absent from an element does not compare equal or unequal.
  EXPECT_EQ(Eval("$.store.book[?(@.isbn != '0-553')].author"), Json::parse(R"(["Melville"])"));
}

TEST(JsonPathTest, FilterOnBooleansAndNumbersOfDifferentTypes) {
  Json doc = Json::parse(R"({"items":[{"ok":true,"n":1},{"ok":false,"n":"1"}]})");
  EXPECT_EQ(Eval("$.items[?(@.ok == true)].n", doc), Json::parse("[1]"));
  EXPECT_EQ(Eval("$.items[?(@.n == 1)].ok", doc), Json::parse("[true]"));
}

TEST(JsonPathTest, SyntaxErrorsAreReported) {
  std::string error;
  EXPECT_FALSE(JsonPath::Parse("store.book", &error));
  EXPECT_NE(error.find("must start with '$'"), std::string::npos);
  EXPECT_FALSE(JsonPath::Parse("$.store[", &error));
  EXPECT_FALSE(JsonPath::Parse("$.a[?(@.b ==)]", &error));
  EXPECT_FALSE(JsonPath::Parse("$.a['b]", &error));
  EXPECT_FALSE(JsonPath::Parse("$.", &error));
  EXPECT_FALSE(JsonPath::Parse("$.a[x]", &error));
}

TEST(JsonPathTest, DefinitenessAndReferencePaths) {
  EXPECT_TRUE(JsonPath::Parse("$.a.b[0]")->definite());
  EXPECT_TRUE(JsonPath::Parse("$.a.b[0]")->IsReferencePath());
  EXPECT_FALSE(JsonPath::Parse("$.a[*]")->definite());
  EXPECT_FALSE(JsonPath::Parse("$..a")->IsReferencePath());
  EXPECT_FALSE(JsonPath::Parse("$.a[?(@.x)]")->IsReferencePath());
}

TEST(JsonPathTest, AssignCreatesMissingObjects) {
  Json doc = Json::parse(R"({"a":{"keep":1}})");
  ASSERT_TRUE(JsonPath::Parse("$.a.b.c")->Assign(&doc, 5));
  EXPECT_EQ(doc, Json::parse(R"({"a":{"keep":1,"b":{"c":5}}})"));
}

TEST(JsonPathTest, AssignIntoArrayElementAndFailures) {
  Json doc = Json::parse(R"({"list":[{"x":1}],"s":"text"})");
  ASSERT_TRUE(JsonPath::Parse("$.list[0].y")->Assign(&doc, true));
  EXPECT_EQ(doc["list"][0]["y"], true);
  EXPECT_FALSE(JsonPath::Parse("$.s.inner")->Assign(&doc, 1));   // string is not an object
  EXPECT_FALSE(JsonPath::Parse("$.list[5]")->Assign(&doc, 1));   // index out of range
  Json scalar = "just a string";
  EXPECT_FALSE(JsonPath::Parse("$.x")->Assign(&scalar, 1));
}

}  // namespace
}  // namespace fakes::stepfunctions
