// The compose target driver against a stand-in `docker` (testdata/fake-docker)
// that records its calls and plays the aidbox service with the real minibox
// binary and a real PostgreSQL. No Docker engine is involved.
#include "agent/compose_driver.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "agent/command_runner.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/minibox_process.h"
#include "tests/support/pg_cluster.h"
#include "tests/support/free_port.h"

namespace gop {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

int UnusedPort() { return ::gop::testing::UnusedLoopbackPort(); }

class ComposeDriverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gop-compose-driver-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    for (const char* sub : {"bin", "compose", "state"}) fs::create_directory(dir_ / sub);
    // `docker compose ...` and `docker-compose ...` both reach the stand-in.
    for (const char* name : {"docker", "docker-compose"}) {
      fs::copy_file(fs::path(GOP_TESTDATA_DIR) / "fake-docker", dir_ / "bin" / name);
      fs::permissions(dir_ / "bin" / name, fs::perms::owner_all, fs::perm_options::add);
    }
    fs::copy_file(fs::path(GOP_SOURCE_DIR) / "compose" / "docker-compose.yaml",
                  dir_ / "compose" / "docker-compose.yaml");
    web_port_ = UnusedPort();

    config_.compose_dir = (dir_ / "compose").string();
    config_.project_name = "gop-test";
    config_.health_url = absl::StrCat("http://127.0.0.1:", web_port_, "/health");
    config_.base_url = absl::StrCat("http://127.0.0.1:", web_port_, "/fhir");
    config_.health_probe.interval = absl::Milliseconds(50);
    config_.log_tail_lines = 20;
    config_.stop_at_end = true;
    const char* path = getenv("PATH");
    config_.env = {
        {"PATH", absl::StrCat((dir_ / "bin").string(), ":", path ? path : "/usr/bin:/bin")},
        {"FAKE_DOCKER_LOG", (dir_ / "calls.log").string()},
        {"FAKE_DOCKER_STATE", (dir_ / "state").string()},
        {"FAKE_DOCKER_SERVICE_CMD", testing::MiniboxProcess::DefaultBinary()},
        {"BOX_WEB_PORT", absl::StrCat(web_port_)},
    };
  }

  void TearDown() override {
    // Whatever a failed assertion left running.
    std::string pid_text = ReadFile(dir_ / "state" / "service.pid");
    int pid = 0;
    if (absl::SimpleAtoi(absl::StripAsciiWhitespace(pid_text), &pid) && pid > 0) kill(pid, SIGKILL);
    fs::remove_all(dir_);
  }

  // minibox's database settings, as the compose file would give Aidbox its own.
  void UseRealDatabase() {
    ASSERT_TRUE(fs::exists(testing::MiniboxProcess::DefaultBinary()))
        << "minibox binary missing: " << testing::MiniboxProcess::DefaultBinary();
    absl::StatusOr<testing::PgConnInfo> db = testing::CreateTestDatabase("compose_driver");
    ASSERT_TRUE(db.ok()) << db.status();
    config_.env.emplace_back("BOX_DB_HOST", db->host);
    config_.env.emplace_back("BOX_DB_PORT", absl::StrCat(db->port));
    config_.env.emplace_back("BOX_DB_DATABASE", db->dbname);
    config_.env.emplace_back("BOX_DB_USER", db->user);
  }

  std::unique_ptr<ComposeDriver> MakeDriver() {
    absl::StatusOr<std::unique_ptr<ComposeDriver>> d = ComposeDriver::Create(config_, &runner_);
    EXPECT_TRUE(d.ok()) << d.status();
    return d.ok() ? std::move(*d) : nullptr;
  }

  std::vector<std::string> Calls() {
    return absl::StrSplit(ReadFile(dir_ / "calls.log"), '\n', absl::SkipEmpty());
  }

  static TargetConfig Cell(double cpu, int threads, int pool) {
    return TargetConfig{absl::StrCat("cpu", cpu, "_wt", threads, "_db", pool, "_rep1"), cpu,
                        threads, pool};
  }

  PosixCommandRunner runner_;
  fs::path dir_;
  int web_port_ = 0;
  ComposeDriverConfig config_;
};

TEST(ComposeOverrideTest, MatchesGoldenFile) {
  EXPECT_EQ(ComposeOverrideYaml("aidbox", TargetConfig{"cpu2_wt3_db4_rep1", 2, 3, 4}),
            ReadFile(fs::path(GOP_TESTDATA_DIR) / "compose_override_cpu2_wt3_db4.golden.yml"));
}

TEST(ComposeOverrideTest, FractionalCpuAndOtherService) {
  TargetConfig cell{"c", 1.5, 2, 3};
  EXPECT_EQ(InstanceName(cell), "cpu_1.5__web_2__db_3");
  YAML::Node y = YAML::Load(ComposeOverrideYaml("fhir", cell));
  EXPECT_EQ(y["services"]["fhir"]["deploy"]["resources"]["limits"]["cpus"].as<std::string>(), "1.5");
  EXPECT_EQ(y["services"]["fhir"]["environment"]["BOX_INSTANCE_NAME"].as<std::string>(),
            "cpu_1.5__web_2__db_3");
}

// The heart of it: four cells in a row on one driver. A failing `up` and a
// never-healthy service each fail only their own cell, with the service's
// log attached; the cells after them run normally.
TEST_F(ComposeDriverTest, FailuresStayInTheirCellAndCarryTheLogs) {
  UseRealDatabase();
  if (HasFatalFailure()) return;
  config_.env.emplace_back("FAKE_DOCKER_FAIL_UP_FOR", "cpu_2__web_3__db_4");
  config_.env.emplace_back("FAKE_DOCKER_UNHEALTHY_FOR", "cpu_2__web_4__db_8");
  // That cell's service cannot reach its database.
  config_.env.emplace_back("FAKE_DOCKER_UNHEALTHY_ENV",
                           absl::StrCat("BOX_DB_PORT=", UnusedPort()));
  std::unique_ptr<ComposeDriver> driver = MakeDriver();
  ASSERT_NE(driver, nullptr);
  EXPECT_EQ(driver->Kind(), "compose");
  const fs::path override_file = dir_ / "compose" / "docker-compose.override.yml";

  // 1: healthy.
  absl::StatusOr<TargetInfo> first = driver->Start(Cell(1, 2, 3), absl::Seconds(60));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->cpu_limit_mechanism, "docker");
  EXPECT_EQ(first->base_url, config_.base_url);
  EXPECT_EQ(first->auth, "basic:gop-load:gop-load-secret");
  EXPECT_EQ(ReadFile(override_file), ComposeOverrideYaml("aidbox", Cell(1, 2, 3)));
  EXPECT_THAT(driver->LogTail(1000),
              HasSubstr("BOX_WEB_THREAD=2 BOX_DB_POOL_MAXIMUM_POOL_SIZE=3 "
                        "BOX_INSTANCE_NAME=cpu_1__web_2__db_3"));
  EXPECT_TRUE(driver->Stop().ok());  // the stack stays up between cells
  EXPECT_TRUE(HttpGetStatus(config_.health_url, absl::Seconds(10)).ok());

  // 2: `up` fails.
  absl::StatusOr<TargetInfo> second = driver->Start(Cell(2, 3, 4), absl::Seconds(60));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(second.status().message()),
              HasSubstr("`docker compose -p gop-test up -d --wait --force-recreate aidbox` "
                        "failed for cpu_2__web_3__db_4: exit code 1"));
  EXPECT_THAT(std::string(second.status().message()),
              HasSubstr("Error response from daemon: simulated failure of cpu_2__web_3__db_4"));
  EXPECT_THAT(std::string(second.status().message()),
              HasSubstr("--- docker compose -p gop-test logs --no-color --tail 20 aidbox ---\n"
                        "aidbox-1  | fake-docker: recreating aidbox (cpu_2__web_3__db_4, cpus 2)"));
  EXPECT_THAT(std::string(second.status().message()), HasSubstr("exited with code 1"));
  EXPECT_TRUE(driver->Stop().ok());

  // 3: starts, never healthy.
  absl::StatusOr<TargetInfo> third = driver->Start(Cell(2, 4, 8), absl::Seconds(2));
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.status().code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(std::string(third.status().message()),
              HasSubstr("service 'aidbox' (cpu_2__web_4__db_8) is not healthy: GET " +
                        config_.health_url + " not healthy after 2s"));
  EXPECT_THAT(std::string(third.status().message()),
              HasSubstr("aidbox-1  | fake-docker: recreating aidbox (cpu_2__web_4__db_8, cpus 2)"));
  EXPECT_TRUE(driver->Stop().ok());

  // 4: healthy again, with its own settings.
  absl::StatusOr<TargetInfo> fourth = driver->Start(Cell(1, 1, 2), absl::Seconds(60));
  ASSERT_TRUE(fourth.ok()) << fourth.status();
  EXPECT_EQ(ReadFile(override_file), ComposeOverrideYaml("aidbox", Cell(1, 1, 2)));
  EXPECT_THAT(driver->LogTail(1000), HasSubstr("BOX_INSTANCE_NAME=cpu_1__web_1__db_2"));
  EXPECT_TRUE(driver->Stop().ok());

  EXPECT_TRUE(driver->Shutdown().ok());
  EXPECT_FALSE(HttpGetStatus(config_.health_url, absl::Seconds(2)).ok());

  const std::string up = "docker compose -p gop-test up -d --wait --force-recreate aidbox";
  const std::string logs = "docker compose -p gop-test logs --no-color --tail 20 aidbox";
  const std::string our_logs = "docker compose -p gop-test logs --no-color --tail 1000 aidbox";
  EXPECT_THAT(Calls(), ElementsAre(up, our_logs,     // 1, and the test's LogTail
                                   up, logs,         // 2 failed up: the driver's logs
                                   up, logs,         // 3 unhealthy: the driver's logs
                                   up, our_logs,     // 4
                                   "docker compose -p gop-test down"));
}

TEST_F(ComposeDriverTest, ComposeV1CommandAndNoProjectName) {
  config_.compose_command = {"docker-compose"};
  EXPECT_EQ(ComposeDriver::Create(config_, &runner_).status().code(),
            absl::StatusCode::kInvalidArgument);  // v1 has no `up --wait`
  config_.up_wait = false;
  config_.project_name = "";
  config_.stop_at_end = false;
  config_.env.emplace_back("FAKE_DOCKER_FAIL_UP_FOR", "cpu_1__web_1__db_1");
  std::unique_ptr<ComposeDriver> driver = MakeDriver();
  ASSERT_NE(driver, nullptr);
  absl::StatusOr<TargetInfo> r = driver->Start(Cell(1, 1, 1), absl::Seconds(5));
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(driver->Shutdown().ok());  // stop_at_end false: no `down`
  EXPECT_THAT(Calls(), ElementsAre("docker-compose up -d --force-recreate aidbox",
                                   "docker-compose logs --no-color --tail 20 aidbox"));
}

TEST_F(ComposeDriverTest, MissingComposeCommandFailsTheCellWithoutLogs) {
  config_.compose_command = {"no-such-docker", "compose"};
  std::unique_ptr<ComposeDriver> driver = MakeDriver();
  ASSERT_NE(driver, nullptr);
  absl::StatusOr<TargetInfo> r = driver->Start(Cell(1, 1, 1), absl::Seconds(5));
  EXPECT_EQ(r.status().code(), absl::StatusCode::kFailedPrecondition) << r.status();
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("no-such-docker"));
  EXPECT_TRUE(Calls().empty());
}

TEST_F(ComposeDriverTest, RejectsBadCellsAndConfigs) {
  std::unique_ptr<ComposeDriver> driver = MakeDriver();
  ASSERT_NE(driver, nullptr);
  EXPECT_EQ(driver->Start(Cell(1, 0, 1), absl::Seconds(1)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(driver->CpuSecondsUsed().status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_TRUE(Calls().empty());

  ComposeDriverConfig bad = config_;
  bad.compose_dir = (dir_ / "nope").string();
  bad.health_url = "https://x/";
  absl::StatusOr<std::unique_ptr<ComposeDriver>> d = ComposeDriver::Create(bad, &runner_);
  EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(d.status().message()), HasSubstr("is not a directory"));
  EXPECT_THAT(std::string(d.status().message()), HasSubstr("health_url"));
}

TEST(ParseComposeDriverConfigTest, ReadsEveryKey) {
  YAML::Node node = YAML::Load(R"(
dir: /srv/gop/compose
project: gop
service: fhir
command: docker-compose
env: {AIDBOX_LICENSE: abc}
health_url: http://127.0.0.1:8888/health
base_url: http://127.0.0.1:8888/fhir
auth: basic:a:b
health_timeout: 90s
command_timeout: 120
log_tail_lines: 50
stop_at_end: true
)");
  absl::StatusOr<ComposeDriverConfig> c = ParseComposeDriverConfig(node);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->compose_dir, "/srv/gop/compose");
  EXPECT_EQ(c->project_name, "gop");
  EXPECT_EQ(c->service, "fhir");
  EXPECT_THAT(c->compose_command, ElementsAre("docker-compose"));
  EXPECT_FALSE(c->up_wait);  // v1 has no --wait
  EXPECT_THAT(c->env, ElementsAre(std::make_pair(std::string("AIDBOX_LICENSE"), std::string("abc"))));
  EXPECT_EQ(c->health_url, "http://127.0.0.1:8888/health");
  EXPECT_EQ(c->base_url, "http://127.0.0.1:8888/fhir");
  EXPECT_EQ(c->auth, "basic:a:b");
  EXPECT_EQ(c->health_timeout, absl::Seconds(90));
  EXPECT_EQ(c->command_timeout, absl::Seconds(120));
  EXPECT_EQ(c->log_tail_lines, 50);
  EXPECT_TRUE(c->stop_at_end);

  c = ParseComposeDriverConfig(YAML::Load("{dir: /x, command: [docker, compose]}"));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_THAT(c->compose_command, ElementsAre("docker", "compose"));
  EXPECT_TRUE(c->up_wait);
  EXPECT_EQ(c->service, "aidbox");
  EXPECT_FALSE(c->stop_at_end);
}

TEST(ParseComposeDriverConfigTest, ReportsEveryProblemWithItsPosition) {
  absl::StatusOr<ComposeDriverConfig> c = ParseComposeDriverConfig(YAML::Load(
      "health_timeout: soon\n"
      "colour: blue\n"
      "stop_at_end: maybe\n"
      "health_url: ftp://x/\n"));
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  std::string m(c.status().message());
  EXPECT_THAT(m, HasSubstr("1:17: compose.health_timeout: expected a duration"));
  EXPECT_THAT(m, HasSubstr("2:1: compose: unknown key 'colour'"));
  EXPECT_THAT(m, HasSubstr("3:14: compose.stop_at_end"));
  EXPECT_THAT(m, HasSubstr("4:13: compose.health_url: expected an http:// URL"));
  EXPECT_THAT(m, HasSubstr("compose.dir: required"));
}

}  // namespace
}  // namespace gop
