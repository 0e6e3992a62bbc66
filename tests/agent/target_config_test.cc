#include "agent/target_config.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gop {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

std::string ReadTestdata(const std::string& name) {
  std::ifstream in(std::string(GOP_TESTDATA_DIR) + "/" + name);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

absl::StatusOr<TargetSettings> Parse(const std::string& yaml) {
  return ParseTargetSettings(yaml, "target.yaml");
}

TEST(TargetConfigTest, MinimalProcessTakesTheDefaults) {
  absl::StatusOr<TargetSettings> s = Parse("kind: process\n");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->kind, TargetKind::kProcess);
  EXPECT_EQ(TargetKindName(s->kind), "process");
  const ProcessTargetSettings& p = s->process;
  EXPECT_TRUE(p.command.empty());  // = minibox, resolved by the driver
  EXPECT_TRUE(p.env.empty());
  EXPECT_EQ(p.host, "127.0.0.1");
  EXPECT_EQ(p.port, 0);
  EXPECT_EQ(p.health_path, "/health");
  EXPECT_EQ(p.base_path, "/fhir");
  EXPECT_EQ(p.health_timeout, absl::Seconds(60));
  EXPECT_EQ(p.stop_grace, absl::Seconds(10));
  EXPECT_FALSE(p.reset_data);
  EXPECT_EQ(p.auth, "");
  EXPECT_EQ(p.cpu_limit, "auto");
  EXPECT_TRUE(p.pin_to_agent_cpus);
}

TEST(TargetConfigTest, FullProcessSection) {
  absl::StatusOr<TargetSettings> s = Parse(R"(
kind: process
process:
  command: [/opt/gop/minibox, --verbose]
  env:
    BOX_DB_HOST: 10.0.0.7
    BOX_DB_PORT: 5433
    BOX_DB_PASSWORD: "s3cret"
    BOX_ROOT_CLIENT_SECRET: rootpw
  working_dir: /srv/gop
  host: 127.0.0.2
  port: 8081
  health_path: /ready
  base_path: /
  health_timeout: 2m
  stop_grace: 3
  reset_data: true
  work_dir: /var/tmp/gop
  cpu_limit: cgroup1
  pin_to_agent_cpus: false
)");
  ASSERT_TRUE(s.ok()) << s.status();
  const ProcessTargetSettings& p = s->process;
  EXPECT_THAT(p.command, ElementsAre("/opt/gop/minibox", "--verbose"));
  EXPECT_THAT(p.env, ElementsAre(Pair("BOX_DB_HOST", "10.0.0.7"), Pair("BOX_DB_PORT", "5433"),
                                 Pair("BOX_DB_PASSWORD", "s3cret"),
                                 Pair("BOX_ROOT_CLIENT_SECRET", "rootpw")));
  EXPECT_EQ(p.working_dir, "/srv/gop");
  EXPECT_EQ(p.host, "127.0.0.2");
  EXPECT_EQ(p.port, 8081);
  EXPECT_EQ(p.health_path, "/ready");
  EXPECT_EQ(p.base_path, "/");
  EXPECT_EQ(p.health_timeout, absl::Minutes(2));
  EXPECT_EQ(p.stop_grace, absl::Seconds(3));
  EXPECT_TRUE(p.reset_data);
  EXPECT_EQ(p.work_dir, "/var/tmp/gop");
  EXPECT_EQ(p.cpu_limit, "cgroup1");
  EXPECT_FALSE(p.pin_to_agent_cpus);
  // minibox's root client, since a secret is set and no auth given.
  EXPECT_EQ(p.auth, "basic:root:rootpw");
}

TEST(TargetConfigTest, CommandAsOneString) {
  absl::StatusOr<TargetSettings> s =
      Parse("kind: process\nprocess:\n  command: ./server  --port-from-env\n");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_THAT(s->process.command, ElementsAre("./server", "--port-from-env"));
}

TEST(TargetConfigTest, ComposeSectionUsesTheComposeDriversSettings) {
  absl::StatusOr<TargetSettings> s = Parse(R"(
kind: compose
compose:
  dir: /srv/gop/compose
  project: bench
  service: aidbox
  command: docker-compose
  health_url: http://127.0.0.1:8080/health
  base_url: http://127.0.0.1:8080/fhir
  stop_at_end: true
)");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->kind, TargetKind::kCompose);
  EXPECT_EQ(s->compose.compose_dir, "/srv/gop/compose");
  EXPECT_EQ(s->compose.project_name, "bench");
  EXPECT_THAT(s->compose.compose_command, ElementsAre("docker-compose"));
  EXPECT_EQ(s->compose.base_url, "http://127.0.0.1:8080/fhir");
  EXPECT_TRUE(s->compose.stop_at_end);
}

TEST(TargetConfigTest, External) {
  absl::StatusOr<TargetSettings> s =
      Parse("kind: external\nexternal:\n  url: http://10.1.2.3:8080/fhir\n  auth: bearer:abc\n");
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->kind, TargetKind::kExternal);
  EXPECT_EQ(s->external.url, "http://10.1.2.3:8080/fhir");
  EXPECT_EQ(s->external.auth, "bearer:abc");
}

TEST(TargetConfigTest, EveryProblemWithItsLineAndColumn) {
  absl::StatusOr<TargetSettings> s =
      ParseTargetSettings(ReadTestdata("target_config_bad.yaml"), "target_config_bad.yaml");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(std::string(s.status().message()) + "\n", ReadTestdata("target_config_bad.errors"));
}

TEST(TargetConfigTest, KindProblems) {
  absl::StatusOr<TargetSettings> missing = Parse("process: {port: 1}\n");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().message(),
            "target.yaml:1:1: kind: required (process, compose or external)");

  absl::StatusOr<TargetSettings> bad = Parse("kind: docker\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(),
            "target.yaml:1:7: kind: expected process, compose or external, got \"docker\"");

  absl::StatusOr<TargetSettings> no_section = Parse("kind: external\n");
  ASSERT_FALSE(no_section.ok());
  EXPECT_THAT(std::string(no_section.status().message()),
              HasSubstr("target.yaml:1:7: kind is external but"));

  absl::StatusOr<TargetSettings> dup = Parse("kind: process\nkind: external\n");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().message(), "target.yaml:2:1: duplicate key \"kind\" (first at line 1)");

  absl::StatusOr<TargetSettings> list = Parse("- kind: process\n");
  ASSERT_FALSE(list.ok());
  EXPECT_THAT(std::string(list.status().message()),
              HasSubstr("target.yaml:1:1: expected a mapping"));
}

TEST(TargetConfigTest, YamlSyntaxErrorHasAPosition) {
  absl::StatusOr<TargetSettings> s = Parse("kind: process\nprocess: {port: 1\n");
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.status().message()), ::testing::StartsWith("target.yaml:"));
  EXPECT_THAT(std::string(s.status().message()),
              ::testing::MatchesRegex("target\\.yaml:[0-9]+:[0-9]+: .*"));
}

TEST(TargetConfigTest, LoadReadsTheFileAndNamesIt) {
  const std::string path = std::string(GOP_TESTDATA_DIR) + "/target_config_bad.yaml";
  absl::StatusOr<TargetSettings> s = LoadTargetSettings(path);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.status().message()), ::testing::StartsWith(path + ":3:12: "));
  EXPECT_EQ(LoadTargetSettings("/nonexistent/target.yaml").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(TargetConfigTest, AuthForms) {
  EXPECT_TRUE(IsValidAuth(""));
  EXPECT_TRUE(IsValidAuth("basic:root:secret"));
  EXPECT_TRUE(IsValidAuth("basic:root:"));
  EXPECT_TRUE(IsValidAuth("bearer:abc"));
  EXPECT_FALSE(IsValidAuth("basic::secret"));
  EXPECT_FALSE(IsValidAuth("basic:root"));
  EXPECT_FALSE(IsValidAuth("bearer:"));
  EXPECT_FALSE(IsValidAuth("token abc"));
}

}  // namespace
}  // namespace gop
