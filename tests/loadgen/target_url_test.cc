#include "loadgen/target_url.h"

#include "gtest/gtest.h"

namespace gop::loadgen {
namespace {

TEST(TargetUrlTest, ParsesHostPortAndBasePath) {
  auto u = ParseTargetUrl("http://127.0.0.1:8080/fhir/");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->host_header, "127.0.0.1:8080");
  EXPECT_EQ(u->path, "/fhir");
  EXPECT_EQ(u->Join("/Patient/1"), "/fhir/Patient/1");
  EXPECT_EQ(u->Join(""), "/fhir");
  EXPECT_EQ(u->Join("/"), "/fhir/");
}

TEST(TargetUrlTest, DefaultsAndIpv6) {
  auto u = ParseTargetUrl("http://localhost");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->port, 80);
  EXPECT_EQ(u->Join(""), "/");
  auto v6 = ParseTargetUrl("http://[::1]:9000/x.json");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 9000);
  EXPECT_EQ(v6->Join(""), "/x.json");
  auto q = ParseTargetUrl("http://h:1?a=b");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->Join(""), "/?a=b");
}

TEST(TargetUrlTest, RejectsWhatItCannotServe) {
  EXPECT_FALSE(ParseTargetUrl("https://example.org").ok());
  EXPECT_FALSE(ParseTargetUrl("http://").ok());
  EXPECT_FALSE(ParseTargetUrl("http://h:99999/").ok());
  EXPECT_FALSE(ParseTargetUrl("http://user:pw@h/").ok());
}

}  // namespace
}  // namespace gop::loadgen
