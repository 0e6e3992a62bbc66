#include "minibox/config.h"

#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace gop::minibox {
namespace {

using ::testing::HasSubstr;

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(MiniboxConfigTest, DefaultsAreAidboxs) {
  absl::StatusOr<Config> c = ConfigFromEnv(Env({}));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->web_threads, 8);
  EXPECT_EQ(c->db_pool_size, 16);
  EXPECT_EQ(c->db_pool_timeout, absl::Seconds(30));
  EXPECT_EQ(c->web_port, 8080);
  EXPECT_FALSE(c->metrics_port.has_value());
  EXPECT_TRUE(c->root_client_secret.empty());
}

TEST(MiniboxConfigTest, ReadsEveryVariable) {
  absl::StatusOr<Config> c = ConfigFromEnv(Env({{"BOX_WEB_THREAD", "3"},
                                                {"BOX_DB_POOL_MAXIMUM_POOL_SIZE", "5"},
                                                {"BOX_DB_POOL_CONNECTION_TIMEOUT", "250"},
                                                {"BOX_DB_HOST", "db"},
                                                {"BOX_DB_PORT", "6543"},
                                                {"BOX_DB_DATABASE", "fhir"},
                                                {"BOX_DB_USER", "u"},
                                                {"BOX_DB_PASSWORD", "p"},
                                                {"BOX_WEB_PORT", "0"},
                                                {"BOX_METRICS_PORT", "9100"},
                                                {"BOX_ROOT_CLIENT_SECRET", "s3"},
                                                {"BOX_INSTANCE_NAME", "box-a"}}));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->web_threads, 3);
  EXPECT_EQ(c->db_pool_size, 5);
  EXPECT_EQ(c->db_pool_timeout, absl::Milliseconds(250));
  EXPECT_EQ(c->db_host, "db");
  EXPECT_EQ(c->db_port, 6543);
  EXPECT_EQ(c->db_name, "fhir");
  EXPECT_EQ(c->db_user, "u");
  EXPECT_EQ(c->db_password, "p");
  EXPECT_EQ(c->web_port, 0);
  EXPECT_EQ(c->metrics_port, 9100);
  EXPECT_EQ(c->root_client_secret, "s3");
  EXPECT_EQ(c->instance_name, "box-a");
}

TEST(MiniboxConfigTest, ReportsAllProblemsAtOnce) {
  absl::StatusOr<Config> c = ConfigFromEnv(Env({{"BOX_WEB_THREAD", "zero"},
                                                {"BOX_DB_POOL_MAXIMUM_POOL_SIZE", "0"},
                                                {"BOX_WEB_PORT", "70000"},
                                                {"BOX_DB_HOST", ""}}));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  std::string msg(c.status().message());
  EXPECT_THAT(msg, HasSubstr("BOX_WEB_THREAD=\"zero\""));
  EXPECT_THAT(msg, HasSubstr("BOX_DB_POOL_MAXIMUM_POOL_SIZE=\"0\""));
  EXPECT_THAT(msg, HasSubstr("BOX_WEB_PORT=\"70000\""));
  EXPECT_THAT(msg, HasSubstr("BOX_DB_HOST"));
}

}  // namespace
}  // namespace gop::minibox
