#include "sim/base/document.h"

#include <gtest/gtest.h>

namespace sim {
namespace {

TEST(DocumentTest, YamlValuesKeepTheirLines) {
  auto doc = Document::Parse("a: 1\nb:\n  c: \"30\"\n  d: [x, 2]\n", "s.yaml", false);
  Node root = Node::Root(doc);
  EXPECT_EQ(root.Require("a").AsInt(), 1);
  Node c = root.Require("b").Require("c");
  EXPECT_EQ(c.AsString(), "30");  // quoted stays a string
  EXPECT_EQ(c.line(), 3);
  EXPECT_EQ(c.key(), "b.c");
  EXPECT_EQ(root.Require("b").Require("d").At(1).AsInt(), 2);
}

TEST(DocumentTest, JsonErrorsNameFileAndLine) {
  try {
    Document::Parse("{\n  \"family\": \"x\",\n  \"cpu\": ,\n}", "td.json", true);
    FAIL() << "expected InputError";
  } catch (const InputError& e) {
    EXPECT_EQ(e.where().file, "td.json");
    EXPECT_EQ(e.where().line, 3);
  }
}

TEST(DocumentTest, UnknownKeyErrorNamesKeyAndLine) {
  auto doc = Document::Parse("name: x\nsede: 3\n", "s.yaml", false);
  try {
    Node::Root(doc).AllowOnly({"name", "seed"});
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.where().line, 2);
    EXPECT_EQ(e.where().key, "sede");
    EXPECT_NE(std::string(e.what()).find("s.yaml:2: sede: unknown key"), std::string::npos);
  }
}

TEST(DocumentTest, RangeAndTypeChecks) {
  auto doc = Document::Parse("stopTimeout: 500\nd: 90\nok: 2m\n", "s.yaml", false);
  Node root = Node::Root(doc);
  EXPECT_THROW(root.Require("stopTimeout").AsIntInRange(0, 120), InputError);
  EXPECT_THROW(root.Require("d").AsDuration(), InputError);
  EXPECT_EQ(root.Require("ok").AsDuration(), Seconds(120));
  EXPECT_THROW(root.Require("missing"), InputError);
}

TEST(DocumentTest, DuplicateKeysAreRejected) {
  EXPECT_THROW(Document::Parse("a: 1\na: 2\n", "s.yaml", false), InputError);
}

TEST(DocumentTest, SubDocumentReportsParentLines) {
  auto doc = Document::Parse("x:\n  inline:\n    family: f\n    cpu: 256\n", "s.yaml", false);
  auto sub = Document::Sub(doc, "/x/inline");
  Node root = Node::Root(sub);
  EXPECT_EQ(root.Require("cpu").line(), 4);
}

}  // namespace
}  // namespace sim
