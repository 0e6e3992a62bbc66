#include "ctl/ctl_options.h"

#include <map>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gop::ctl {
namespace {

using ::testing::HasSubstr;

EnvLookup Env(std::map<std::string, std::string> vars) {
  return [vars](std::string_view name) -> std::optional<std::string> {
    auto it = vars.find(std::string(name));
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

TEST(CtlOptionsTest, DefaultsWithoutFlagsOrEnvironment) {
  auto options = ParseCtlArgs({"status"}, Env({}));
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->command, Command::kStatus);
  EXPECT_EQ(options->channel.target, "127.0.0.1:7400");
  EXPECT_EQ(options->channel.token, "");
  EXPECT_FALSE(options->channel.tls);
  EXPECT_FALSE(options->json);
  EXPECT_EQ(options->rpc_deadline, absl::Seconds(5));
}

TEST(CtlOptionsTest, EnvironmentFillsInAndFlagsWin) {
  const EnvLookup env = Env({{"GOP_COORDINATOR", "coord:9000"}, {"GOP_TOKEN", "env-token"}});
  auto from_env = ParseCtlArgs({"watch"}, env);
  ASSERT_TRUE(from_env.ok());
  EXPECT_EQ(from_env->channel.target, "coord:9000");
  EXPECT_EQ(from_env->channel.token, "env-token");

  auto from_flags = ParseCtlArgs({"watch", "--coordinator", "other:1", "--token=flag-token"}, env);
  ASSERT_TRUE(from_flags.ok());
  EXPECT_EQ(from_flags->command, Command::kWatch);
  EXPECT_EQ(from_flags->channel.target, "other:1");
  EXPECT_EQ(from_flags->channel.token, "flag-token");
}

TEST(CtlOptionsTest, AllFlags) {
  auto options = ParseCtlArgs({"--tls", "cancel", "--tls-ca", "ca.pem", "--tls-cert=c.pem",
                               "--tls-key", "k.pem", "--tls-server-name", "localhost",
                               "--reason", "wrong grid", "--json", "--timeout", "0.5"},
                              Env({}));
  ASSERT_TRUE(options.ok()) << options.status();
  EXPECT_EQ(options->command, Command::kCancel);
  EXPECT_TRUE(options->channel.tls);
  EXPECT_EQ(options->channel.tls_ca_file, "ca.pem");
  EXPECT_EQ(options->channel.tls_cert_file, "c.pem");
  EXPECT_EQ(options->channel.tls_key_file, "k.pem");
  EXPECT_EQ(options->channel.tls_server_name, "localhost");
  EXPECT_EQ(options->cancel_reason, "wrong grid");
  EXPECT_TRUE(options->json);
  EXPECT_EQ(options->rpc_deadline, absl::Milliseconds(500));
}

TEST(CtlOptionsTest, HelpWins) {
  auto options = ParseCtlArgs({"status", "--help", "--bogus"}, Env({}));
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->command, Command::kHelp);
  EXPECT_THAT(CtlUsage(), HasSubstr("--tls-ca"));
}

TEST(CtlOptionsTest, UsageErrors) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{}, "no command"},
      {{"stats"}, "unknown command 'stats'"},
      {{"status", "watch"}, "unexpected argument 'watch'"},
      {{"status", "--bogus"}, "unknown flag --bogus"},
      {{"status", "--coordinator"}, "--coordinator needs a value"},
      {{"status", "--tls-ca", "ca.pem"}, "need --tls"},
      {{"status", "--tls", "--tls-cert", "c.pem"}, "go together"},
      {{"status", "--reason", "x"}, "cancel only"},
      {{"status", "--timeout", "0"}, "--timeout"},
      {{"status", "--json=maybe"}, "takes no value"},
  };
  for (const Case& c : cases) {
    auto options = ParseCtlArgs(c.args, Env({}));
    ASSERT_FALSE(options.ok()) << testing::PrintToString(c.args);
    EXPECT_THAT(options.status().message(), HasSubstr(c.message)) << testing::PrintToString(c.args);
  }
}

}  // namespace
}  // namespace gop::ctl
