// compose/docker-compose.yaml checked by Debian's docker-compose (v1, whose
// `config` parses and validates without an engine), alone and merged with the
// override file the compose driver writes.
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "agent/command_runner.h"
#include "agent/compose_driver.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gop {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const fs::path kCompose = fs::path(GOP_SOURCE_DIR) / "compose";

class ComposeConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gop-compose-config-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    fs::copy(kCompose, dir_, fs::copy_options::recursive);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // The secrets docker-compose.yaml requires; `skip` leaves one out.
  CommandResult Compose(const std::vector<std::string>& args, const std::string& skip = "") {
    CommandSpec spec;
    spec.argv = {"docker-compose", "-f", (dir_ / "docker-compose.yaml").string()};
    if (fs::exists(dir_ / "docker-compose.override.yml")) {
      spec.argv.push_back("-f");
      spec.argv.push_back((dir_ / "docker-compose.override.yml").string());
    }
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.working_dir = dir_.string();
    spec.timeout = absl::Seconds(60);
    spec.unset_env = {"AIDBOX_LICENSE", "AIDBOX_ADMIN_PASSWORD", "AIDBOX_CLIENT_SECRET",
                      "POSTGRES_PASSWORD", "AIDBOX_IMAGE", "GRAFANA_ADMIN_PASSWORD"};
    for (const char* key : {"AIDBOX_LICENSE", "AIDBOX_ADMIN_PASSWORD", "AIDBOX_CLIENT_SECRET",
                            "POSTGRES_PASSWORD"}) {
      if (key != skip) spec.env.emplace_back(key, absl::StrCat("test-", key));
    }
    absl::StatusOr<CommandResult> r = runner_.Run(spec);
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? *r : CommandResult{};
  }

  YAML::Node ResolvedConfig() {
    CommandResult r = Compose({"config"});
    EXPECT_TRUE(r.ok()) << r.Describe() << "\n" << r.stderr_tail;
    return YAML::Load(r.stdout_tail);
  }

  void Rewrite(const std::string& file, const std::string& from, const std::string& to) {
    std::ifstream in(dir_ / file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    size_t at = text.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
    std::ofstream(dir_ / file) << text;
  }

  PosixCommandRunner runner_;
  fs::path dir_;
};

TEST_F(ComposeConfigTest, ShippedFileIsValid) {
  CommandResult r = Compose({"config", "-q"});
  EXPECT_TRUE(r.ok()) << r.Describe() << "\n" << r.stderr_tail;
}

TEST_F(ComposeConfigTest, MissingSecretIsRefused) {
  CommandResult r = Compose({"config", "-q"}, "AIDBOX_LICENSE");
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(r.stderr_tail, HasSubstr("AIDBOX_LICENSE"));
}

TEST_F(ComposeConfigTest, BrokenFileIsRefused) {
  Rewrite("docker-compose.yaml", "    healthcheck:\n      test: [\"CMD-SHELL\", \"curl",
          "    healthcheck:\n      tests: [\"CMD-SHELL\", \"curl");
  CommandResult r = Compose({"config", "-q"});
  EXPECT_FALSE(r.ok());
  EXPECT_THAT(r.stderr_tail, HasSubstr("tests"));
}

TEST_F(ComposeConfigTest, ServicesPortsAndMetrics) {
  YAML::Node c = ResolvedConfig();
  YAML::Node services = c["services"];
  for (const char* s : {"aidbox", "postgres", "prometheus", "grafana", "cadvisor"}) {
    EXPECT_TRUE(services[s]) << "no service " << s;
  }
  YAML::Node aidbox = services["aidbox"];
  EXPECT_THAT(aidbox["image"].as<std::string>(), HasSubstr("healthsamurai/aidboxone"));
  EXPECT_EQ(aidbox["environment"]["BOX_METRICS_PORT"].as<std::string>(), "8765");
  EXPECT_EQ(aidbox["environment"]["BOX_LICENSE"].as<std::string>(), "test-AIDBOX_LICENSE");
  EXPECT_THAT(YAML::Dump(aidbox["healthcheck"]["test"]), HasSubstr("/health"));
  EXPECT_EQ(aidbox["environment"]["BOX_INIT_BUNDLE"].as<std::string>(),
            "file:///gop/init-bundle.json");

  auto published = [&](const char* service, int port) {
    for (const auto& p : services[service]["ports"]) {
      if (p["published"].as<int>() == port) return true;
    }
    return false;
  };
  EXPECT_TRUE(published("aidbox", 8080));
  EXPECT_TRUE(published("aidbox", 8765));
  EXPECT_TRUE(published("prometheus", 9090));
  EXPECT_TRUE(published("grafana", 3000));
  EXPECT_EQ(services["grafana"]["environment"]["GF_SECURITY_ADMIN_USER"].as<std::string>(),
            "admin");
  EXPECT_EQ(services["grafana"]["environment"]["GF_SECURITY_ADMIN_PASSWORD"].as<std::string>(),
            "password");
}

TEST_F(ComposeConfigTest, BindMountedFilesExist) {
  YAML::Node services = ResolvedConfig()["services"];
  int checked = 0;
  for (const char* s : {"aidbox", "prometheus", "grafana"}) {
    for (const auto& v : services[s]["volumes"]) {
      // v1 prints the short form "SOURCE:TARGET[:MODE]"; named volumes have
      // no '/' in SOURCE.
      std::string source = v.IsMap() ? v["source"].as<std::string>()
                                     : v.as<std::string>().substr(0, v.as<std::string>().find(':'));
      if (source.empty() || source[0] != '/') continue;
      EXPECT_TRUE(fs::exists(source)) << s << ": " << source;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 4);  // init bundle, prometheus dir, grafana provisioning + dashboards
}

TEST_F(ComposeConfigTest, DriverOverrideMergesIntoTheStack) {
  TargetConfig cell{"cpu2_wt3_db4_rep1", 2, 3, 4};
  std::ofstream(dir_ / "docker-compose.override.yml") << ComposeOverrideYaml("aidbox", cell);
  YAML::Node aidbox = ResolvedConfig()["services"]["aidbox"];
  EXPECT_EQ(aidbox["environment"]["BOX_WEB_THREAD"].as<std::string>(), "3");
  EXPECT_EQ(aidbox["environment"]["BOX_DB_POOL_MAXIMUM_POOL_SIZE"].as<std::string>(), "4");
  EXPECT_EQ(aidbox["environment"]["BOX_INSTANCE_NAME"].as<std::string>(), "cpu_2__web_3__db_4");
  EXPECT_EQ(aidbox["deploy"]["resources"]["limits"]["cpus"].as<double>(), 2.0);
  // The rest of the service survives the merge.
  EXPECT_EQ(aidbox["environment"]["BOX_METRICS_PORT"].as<std::string>(), "8765");
}

TEST(InitBundleTest, GivesTheLoadTestItsClientAndPolicy) {
  std::ifstream in(kCompose / "init-bundle.json");
  nlohmann::json bundle = nlohmann::json::parse(in);
  EXPECT_EQ(bundle["resourceType"], "Bundle");
  ComposeDriverConfig defaults;  // auth "basic:CLIENT:SECRET"
  std::vector<std::string> auth = absl::StrSplit(defaults.auth, ':');
  ASSERT_EQ(auth.size(), 3u);
  bool client = false, policy = false;
  for (const auto& e : bundle["entry"]) {
    const auto& r = e["resource"];
    EXPECT_EQ(e["request"]["url"], absl::StrCat("/", r["resourceType"].get<std::string>(), "/",
                                                 r["id"].get<std::string>()));
    if (r["resourceType"] == "Client" && r["id"] == auth[1]) {
      client = r["secret"] == auth[2] &&
               r["grant_types"] == nlohmann::json::array({"basic"});
    }
    if (r["resourceType"] == "AccessPolicy") {
      policy = r["engine"] == "allow" && r["link"][0]["id"] == auth[1];
    }
  }
  EXPECT_TRUE(client) << "no Client matching the driver's default auth " << defaults.auth;
  EXPECT_TRUE(policy) << "no AccessPolicy linked to the client";
}

}  // namespace
}  // namespace gop
