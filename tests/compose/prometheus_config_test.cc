// compose/prometheus checked by promtool: the scrape config (with its rule and
// target files in place), the rules, and the rules' unit tests.
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include <yaml-cpp/yaml.h>

#include "agent/command_runner.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gop {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const fs::path kPrometheus = fs::path(GOP_SOURCE_DIR) / "compose" / "prometheus";

class PrometheusConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gop-prom-config-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    // The config names its files at the container's mount point; point them
    // at a copy so promtool checks the rule and target files too.
    fs::copy(kPrometheus, dir_, fs::copy_options::recursive);
    std::string config = Read(dir_ / "prometheus.yml");
    for (size_t at; (at = config.find("/etc/prometheus")) != std::string::npos;) {
      config.replace(at, std::string("/etc/prometheus").size(), dir_.string());
    }
    std::ofstream(dir_ / "prometheus.yml") << config;
  }
  void TearDown() override { fs::remove_all(dir_); }

  static std::string Read(const fs::path& p) {
    std::ifstream in(p);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }

  CommandResult Promtool(const std::vector<std::string>& args, const fs::path& cwd = {}) {
    CommandSpec spec;
    spec.argv = {"promtool"};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.working_dir = cwd.string();
    spec.timeout = absl::Seconds(60);
    absl::StatusOr<CommandResult> r = runner_.Run(spec);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : CommandResult{};
  }

  PosixCommandRunner runner_;
  fs::path dir_;
};

TEST_F(PrometheusConfigTest, ConfigRulesAndTargetsAreValid) {
  CommandResult r = Promtool({"check", "config", (dir_ / "prometheus.yml").string()});
  std::string out = r.stdout_tail + r.stderr_tail;
  EXPECT_TRUE(r.ok()) << r.Describe() << "\n" << out;
  EXPECT_THAT(out, HasSubstr("SUCCESS: 5 rules found"));
  EXPECT_THAT(out, ::testing::Not(HasSubstr("WARNING")));  // every target file exists
}

TEST_F(PrometheusConfigTest, RulesPassTheirUnitTests) {
  CommandResult r = Promtool({"test", "rules", "gop_rules_test.yml"}, GOP_TESTDATA_DIR);
  EXPECT_TRUE(r.ok()) << r.Describe() << "\n" << r.stdout_tail << r.stderr_tail;
  EXPECT_THAT(r.stdout_tail, HasSubstr("SUCCESS"));
}

TEST_F(PrometheusConfigTest, BrokenConfigIsRefused) {
  std::ofstream(dir_ / "prometheus.yml", std::ios::app) << "  - job_name: aidbox\n";
  CommandResult r = Promtool({"check", "config", (dir_ / "prometheus.yml").string()});
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(r.stdout_tail + r.stderr_tail, HasSubstr("aidbox"));
}

TEST_F(PrometheusConfigTest, BrokenRuleIsRefused) {
  std::ofstream(dir_ / "rules" / "gop.yml", std::ios::app)
      << "      - alert: Broken\n        expr: sum(rate(x[5m])\n";
  CommandResult r = Promtool({"check", "rules", (dir_ / "rules" / "gop.yml").string()});
  EXPECT_FALSE(r.ok());
}

TEST_F(PrometheusConfigTest, ScrapesAidboxCoordinatorAgentsAndMinibox) {
  YAML::Node config = YAML::LoadFile((kPrometheus / "prometheus.yml").string());
  std::set<std::string> jobs;
  for (const auto& job : config["scrape_configs"]) {
    jobs.insert(job["job_name"].as<std::string>());
    if (job["job_name"].as<std::string>() == "aidbox") {
      // The compose service's BOX_METRICS_PORT.
      EXPECT_EQ(job["static_configs"][0]["targets"][0].as<std::string>(), "aidbox:8765");
    }
  }
  EXPECT_THAT(jobs, ::testing::IsSupersetOf(
                        {"aidbox", "gop-coordinator", "gop-agents", "minibox", "cadvisor"}));
}

}  // namespace
}  // namespace gop
