#include "loadgen/template.h"

#include <regex>

#include "gtest/gtest.h"

namespace gop::loadgen {
namespace {

class TemplateTest : public ::testing::Test {
 protected:
  IterationValues Values() {
    IterationValues v;
    v.captures.resize(captures_.size());
    v.uuids.resize(uuids_.size());
    v.vu = 7;
    v.iteration = 3;
    v.rng = &rng_;
    return v;
  }
  SlotTable captures_, uuids_;
  std::mt19937_64 rng_{42};
};

TEST_F(TemplateTest, LiteralTextIsStatic) {
  auto t = Template::Compile("GET /Patient HTTP/1.1", Template::Escape::kNone, &captures_, &uuids_);
  ASSERT_TRUE(t.ok());
  EXPECT_TRUE(t->IsStatic());
  EXPECT_EQ(t->StaticText(), "GET /Patient HTTP/1.1");
}

TEST_F(TemplateTest, RendersCapturesAndBuiltins) {
  auto t = Template::Compile("/Patient/{{ patient.id }}?vu={{vu}}&i={{iteration}}&u={{unique}}",
                             Template::Escape::kNone, &captures_, &uuids_);
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_FALSE(t->IsStatic());
  ASSERT_EQ(captures_.Find("patient.id"), 0);
  IterationValues v = Values();
  v.captures[0] = "abc-1";
  std::string out;
  t->Render(v, &out);
  EXPECT_EQ(out, "/Patient/abc-1?vu=7&i=3&u=7-3");
  EXPECT_EQ(t->CaptureSlots(), std::vector<int>{0});
}

TEST_F(TemplateTest, UuidIsStableWithinAnIterationAndFreshAfterwards) {
  auto t = Template::Compile("{{uuid:p}} {{uuid:p}} {{uuid:q}}", Template::Escape::kNone,
                             &captures_, &uuids_);
  ASSERT_TRUE(t.ok());
  IterationValues v = Values();
  std::string out;
  t->Render(v, &out);
  std::regex re("([0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}) \\1 "
                "([0-9a-f-]{36})");
  std::smatch m;
  ASSERT_TRUE(std::regex_match(out, m, re)) << out;
  EXPECT_NE(m[1].str(), m[2].str());
  for (auto& u : v.uuids) u.clear();  // next iteration
  std::string again;
  t->Render(v, &again);
  EXPECT_NE(again.substr(0, 36), out.substr(0, 36));
}

TEST_F(TemplateTest, JsonEscapingKeepsBodiesValid) {
  auto t = Template::Compile(R"({"id":"{{x}}"})", Template::Escape::kJsonString, &captures_,
                             &uuids_);
  ASSERT_TRUE(t.ok());
  IterationValues v = Values();
  v.captures[0] = "a\"b\\c\n";
  std::string out;
  t->Render(v, &out);
  EXPECT_EQ(out, R"({"id":"a\"b\\c\n"})");
}

TEST_F(TemplateTest, NowIsAnRfc3339Timestamp) {
  auto t = Template::Compile("{{now}}", Template::Escape::kNone, &captures_, &uuids_);
  ASSERT_TRUE(t.ok());
  IterationValues v = Values();
  std::string out;
  t->Render(v, &out);
  EXPECT_TRUE(std::regex_match(out, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"))) << out;
}

TEST_F(TemplateTest, RejectsBrokenPlaceholders) {
  EXPECT_FALSE(Template::Compile("/x/{{patient.id", Template::Escape::kNone, &captures_, &uuids_).ok());
  EXPECT_FALSE(Template::Compile("/x/{{}}", Template::Escape::kNone, &captures_, &uuids_).ok());
  EXPECT_FALSE(Template::Compile("/x/{{a b}}", Template::Escape::kNone, &captures_, &uuids_).ok());
  EXPECT_FALSE(Template::Compile("{{uuid:}}", Template::Escape::kNone, &captures_, &uuids_).ok());
}

}  // namespace
}  // namespace gop::loadgen
