#include "loadgen/cli.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "tests/loadgen/test_http_server.h"

namespace gop::loadgen {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const fs::path kExe = fs::path(GOP_SOURCE_DIR) / "build" / "loadgen" / "gop-load";

TEST(ParseCommandLineTest, FlagsAndDurations) {
  auto o = ParseCommandLine({"--url", "http://h:1/fhir", "--scenario", "search", "--vus", "12",
                             "--duration=5m", "--warmup", "30s", "--threads", "3", "--auth",
                             "bearer:t0k", "--summary-export", "/tmp/x.json"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->load.base_url, "http://h:1/fhir");
  EXPECT_EQ(o->scenario, "search");
  EXPECT_EQ(o->load.vus, 12);
  EXPECT_EQ(o->load.duration, absl::Minutes(5));
  EXPECT_EQ(o->load.warmup, absl::Seconds(30));
  EXPECT_EQ(o->load.threads, 3);
  EXPECT_EQ(o->load.auth, "bearer:t0k");
  EXPECT_EQ(o->summary_export, "/tmp/x.json");
  EXPECT_EQ(o->load.executor, Executor::kConstantVus);
}

TEST(ParseCommandLineTest, RateMeansOpenModel) {
  auto o = ParseCommandLine({"--url", "http://h", "--rate", "250", "--max-vus", "40"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->load.executor, Executor::kConstantArrivalRate);
  EXPECT_EQ(o->load.rate, 250);
  EXPECT_EQ(o->load.max_vus, 40);
}

TEST(ParseCommandLineTest, ReportsEveryProblem) {
  auto o = ParseCommandLine({"--vus", "x", "--duration", "soon", "--scenario", "../etc", "--bogus", "1"});
  ASSERT_FALSE(o.ok());
  std::string msg(o.status().message());
  EXPECT_THAT(msg, HasSubstr("--vus"));
  EXPECT_THAT(msg, HasSubstr("--duration"));
  EXPECT_THAT(msg, HasSubstr("plain name"));
  EXPECT_THAT(msg, HasSubstr("unknown flag --bogus"));
  EXPECT_THAT(msg, HasSubstr("url is required"));
}

TEST(RunCliTest, HelpListsTheFlags) {
  std::ostringstream out, err;
  EXPECT_EQ(RunCli({"--help"}, kExe, out, err, false), 0);
  EXPECT_THAT(out.str(), HasSubstr("--summary-export"));
  EXPECT_THAT(out.str(), HasSubstr("--rate"));
}

TEST(RunCliTest, BadUsageExitsTwo) {
  std::ostringstream out, err;
  EXPECT_EQ(RunCli({"--vus", "3"}, kExe, out, err, false), 2);
  EXPECT_THAT(err.str(), HasSubstr("url is required"));
}

TEST(RunCliTest, UnreachableUrlExitsOneWithAClearMessage) {
  int port;
  {
    auto server = gop::testing::TestHttpServer::Start();
    ASSERT_TRUE(server.ok());
    port = (*server)->port();
  }
  std::ostringstream out, err;
  int code = RunCli({"--url", absl::StrCat("http://127.0.0.1:", port), "--scenario", "get",
                     "--data-dir", GOP_SOURCE_DIR, "--duration", "1s"},
                    kExe, out, err, false);
  EXPECT_EQ(code, 1);
  EXPECT_THAT(err.str(), HasSubstr("cannot connect to http://127.0.0.1:"));
}

TEST(RunCliTest, WritesSummariesAndHgrmFiles) {
  auto server = gop::testing::TestHttpServer::Start();
  ASSERT_TRUE(server.ok());
  fs::path dir = fs::path(::testing::TempDir()) / "gop-cli-out";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::ostringstream out, err;
  int code = RunCli({"--url", (*server)->url() + "/thing", "--scenario", "get", "--data-dir",
                     GOP_SOURCE_DIR, "--vus", "2", "--threads", "1", "--duration", "500ms",
                     "--summary-export", (dir / "k6.json").string(), "--summary-json",
                     (dir / "gop.json").string(), "--hgrm-dir", (dir / "hgrm").string()},
                    kExe, out, err, /*live=*/true);
  ASSERT_EQ(code, 0) << err.str();
  EXPECT_THAT(out.str(), HasSubstr("overall"));
  nlohmann::json k6 = nlohmann::json::parse(std::ifstream(dir / "k6.json"));
  EXPECT_GT(k6["metrics"]["http_reqs"]["count"].get<int64_t>(), 0);
  nlohmann::json gop = nlohmann::json::parse(std::ifstream(dir / "gop.json"));
  EXPECT_EQ(gop["scenario"], "get");
  EXPECT_EQ(gop["overall"]["errors"], 0);
  EXPECT_TRUE(fs::exists(dir / "hgrm" / "GET_url.hgrm"));
  EXPECT_THAT(err.str(), HasSubstr("req/s"));  // the live line
}

}  // namespace
}  // namespace gop::loadgen
