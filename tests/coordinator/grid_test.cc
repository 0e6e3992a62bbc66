#include "coordinator/grid.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gop {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string ReadText(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The message ParseGrid gives for `text`, or "" when it parses.
std::string Errors(const std::string& text) {
  absl::StatusOr<GridSpec> spec = ParseGrid(text, "grid.yaml");
  if (spec.ok()) return "";
  EXPECT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(spec.status().message());
}

TEST(ParseGridTest, MinimalGridTakesTheSeedDefaults) {
  absl::StatusOr<GridSpec> spec = ParseGrid(
      "cpu_limits: [2]\nweb_thread_multipliers: [1]\ndb_pool_multipliers: "
      "[2]\n",
      "grid.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->cpu_limits, std::vector<double>{2});
  EXPECT_EQ(spec->repetitions, 1);
  EXPECT_EQ(spec->duration, absl::Minutes(5));
  EXPECT_EQ(spec->warmup, absl::ZeroDuration());
  EXPECT_EQ(spec->graceful_stop, absl::Seconds(30));
  EXPECT_EQ(spec->prewarm, 10);
  EXPECT_EQ(spec->vus, 0);
  EXPECT_EQ(spec->executor, v1::EXECUTOR_CONSTANT_VUS);
  EXPECT_EQ(spec->scenario, "crud");
  EXPECT_EQ(spec->target.kind, "any");
  EXPECT_EQ(spec->target.health_timeout, absl::Seconds(120));
  EXPECT_FALSE(spec->target.reset_data);
  EXPECT_EQ(spec->run.max_attempts, 3);
  EXPECT_EQ(spec->run.lease_timeout, absl::Seconds(30));
  EXPECT_EQ(spec->run.unschedulable_grace, absl::Seconds(60));
}

TEST(ParseGridTest, ReadsEveryField) {
  absl::StatusOr<GridSpec> spec = ParseGrid(R"(
cpu_limits: [0.5, 2]
web_thread_multipliers: [2, 2.5]
db_pool_multipliers: [1.5]
cells:
  - {cpu: 1, web_threads: 3, db_pool: 7}
  - cpu: 1.5
    web_threads: 1
    db_pool: 2
repetitions: 3
duration: 1h30m
warmup: 30s
prewarm: 0
executor: constant-arrival-rate
rate: 250.5
max_vus: 40
scenario: read-heavy_v2
graceful_stop: 1.5s
target: {kind: process, health_timeout: 45s, reset_data: yes}
run: {max_attempts: 5, lease_timeout: 1m, unschedulable_grace: 0s}
)",
                                            "grid.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_EQ(spec->cpu_limits, (std::vector<double>{0.5, 2}));
  EXPECT_EQ(spec->web_thread_multipliers, (std::vector<double>{2, 2.5}));
  EXPECT_EQ(spec->db_pool_multipliers, (std::vector<double>{1.5}));
  ASSERT_EQ(spec->cells.size(), 2u);
  EXPECT_EQ(spec->cells[0].cpu, 1);
  EXPECT_EQ(spec->cells[0].web_threads, 3);
  EXPECT_EQ(spec->cells[0].db_pool, 7);
  EXPECT_EQ(spec->cells[1].cpu, 1.5);
  EXPECT_EQ(spec->repetitions, 3);
  EXPECT_EQ(spec->duration, absl::Minutes(90));
  EXPECT_EQ(spec->warmup, absl::Seconds(30));
  EXPECT_EQ(spec->prewarm, 0);
  EXPECT_EQ(spec->executor, v1::EXECUTOR_CONSTANT_ARRIVAL_RATE);
  EXPECT_EQ(spec->rate, 250.5);
  EXPECT_EQ(spec->max_vus, 40);
  EXPECT_EQ(spec->scenario, "read-heavy_v2");
  EXPECT_EQ(spec->graceful_stop, absl::Milliseconds(1500));
  EXPECT_EQ(spec->target.kind, "process");
  EXPECT_EQ(spec->target.health_timeout, absl::Seconds(45));
  EXPECT_TRUE(spec->target.reset_data);
  EXPECT_EQ(spec->run.max_attempts, 5);
  EXPECT_EQ(spec->run.lease_timeout, absl::Minutes(1));
  EXPECT_EQ(spec->run.unschedulable_grace, absl::ZeroDuration());
}

TEST(ParseGridTest, ExplicitCellsAloneAreAGrid) {
  absl::StatusOr<GridSpec> spec =
      ParseGrid("cells: [{cpu: 1, web_threads: 1, db_pool: 1}]\n", "g.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_TRUE(spec->cpu_limits.empty());
  EXPECT_EQ(spec->cells.size(), 1u);
}

// A few messages spelled out here so the format is visible next to the code;
// the golden files below cover the rest.
TEST(ParseGridTest, UnknownKeyNamesTheNearMiss) {
  EXPECT_EQ(Errors("cells: [{cpu: 1, web_threads: 1, db_pool: 1}]\n"
                   "warm_up: 10s\n"),
            "grid.yaml:2:1: unknown key \"warm_up\" (did you mean "
            "\"warmup\"?)");
}

TEST(ParseGridTest, UnknownKeyFarFromAnyListsTheKnownOnes) {
  EXPECT_EQ(Errors("cells: [{cpu: 1, web_threads: 1, db_pool: 1}]\n"
                   "run: {retries: 3}\n"),
            "grid.yaml:2:7: unknown key \"run.retries\" (known keys: "
            "max_attempts, lease_timeout, unschedulable_grace)");
}

TEST(ParseGridTest, ZeroCpuIsRefusedAtItsPosition) {
  EXPECT_EQ(Errors("cpu_limits: [4, 0]\nweb_thread_multipliers: [1]\n"
                   "db_pool_multipliers: [2]\n"),
            "grid.yaml:1:17: cpu_limits[1]: must be greater than 0, got 0");
}

TEST(ParseGridTest, EveryProblemIsReportedOnePerLineInFileOrder) {
  const std::string message = Errors(
      "duration: 5 min\ncpu_limits: [x]\nweb_thread_multipliers: [1]\n"
      "db_pool_multipliers: [2]\nvus: 0\n");
  EXPECT_EQ(message,
            "grid.yaml:1:11: duration: expected a duration such as 30s, 5m or "
            "1h30m, got \"5 min\"\n"
            "grid.yaml:2:14: cpu_limits[0]: expected a number, got \"x\"\n"
            "grid.yaml:5:6: vus: must be greater than 0, got 0");
}

TEST(ParseGridTest, NonFiniteAndHexNumbersAreRefused) {
  EXPECT_THAT(Errors("cpu_limits: [.inf]\nweb_thread_multipliers: [1]\n"
                     "db_pool_multipliers: [2]\n"),
              HasSubstr("cpu_limits[0]: expected a number, got \".inf\""));
  // yaml-cpp alone would read 010 as octal 8.
  EXPECT_THAT(Errors("cells: [{cpu: 1, web_threads: 0x10, db_pool: 1}]\n"),
              HasSubstr("cells[0].web_threads: expected a whole number"));
}

TEST(ParseGridTest, ImplausiblyLargeValuesAreRefused) {
  EXPECT_EQ(Errors("cpu_limits: [100000]\nweb_thread_multipliers: [2]\n"
                   "db_pool_multipliers: [1]\nrepetitions: 5000\n"),
            "grid.yaml:2:26: web_thread_multipliers[0]: cpu 100000 x "
            "multiplier 2 = 200000 web threads, more than 100000\n"
            "grid.yaml:4:14: repetitions: more than 1000");
  EXPECT_EQ(Errors("cells: [{cpu: 1, web_threads: 1, db_pool: 100001}]\n"),
            "grid.yaml:1:43: cells[0].db_pool: more than 100000");
}

TEST(ParseGridTest, ScenarioMustBeAPlainName) {
  for (const char* bad : {"a/b", "..", "../x", ".hidden", "a b", "\"\""}) {
    EXPECT_THAT(Errors(std::string("cells: [{cpu: 1, web_threads: 1, "
                                   "db_pool: 1}]\nscenario: ") +
                       bad + "\n"),
                HasSubstr("is not a plain name"))
        << bad;
  }
}

TEST(ParseGridTest, ShippedGridsAreValid) {
  int count = 0;
  for (const auto& entry :
       fs::directory_iterator(fs::path(GOP_SOURCE_DIR) / "grids")) {
    if (entry.path().extension() != ".yaml") continue;
    ++count;
    absl::StatusOr<GridSpec> spec = LoadGridFile(entry.path().string());
    EXPECT_TRUE(spec.ok()) << spec.status();
  }
  EXPECT_GE(count, 3);
}

TEST(LoadGridFileTest, MissingFileIsNotFound) {
  absl::StatusOr<GridSpec> spec = LoadGridFile("/nonexistent/grid.yaml");
  EXPECT_EQ(spec.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(spec.status().message(),
              HasSubstr("cannot read grid file /nonexistent/grid.yaml"));
}

TEST(LoadGridFileTest, MessagesNameTheFileAsGiven) {
  const fs::path path = fs::path(GOP_TESTDATA_DIR) / "grids/bad/zero_cpu.yaml";
  absl::StatusOr<GridSpec> spec = LoadGridFile(path.string());
  ASSERT_FALSE(spec.ok());
  EXPECT_THAT(spec.status().message(),
              HasSubstr(path.string() + ":1:14: cpu_limits[0]"));
}

TEST(RenderResolvedGridTest, WritesEveryDefaultAndReadsBackTheSame) {
  absl::StatusOr<GridSpec> spec = ParseGrid(
      "cpu_limits: [0.5, 2]\nweb_thread_multipliers: [2, 2.5]\n"
      "db_pool_multipliers: [1.5]\n"
      "cells: [{cpu: 1.25, web_threads: 3, db_pool: 7}]\n"
      "duration: 1h30m\nwarmup: 1.5s\n",
      "grid.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status();
  const std::string rendered = RenderResolvedGrid(*spec);
  EXPECT_EQ(rendered,
            "# The grid as this run resolved it: every default written out.\n"
            "cpu_limits: [0.5, 2]\n"
            "web_thread_multipliers: [2, 2.5]\n"
            "db_pool_multipliers: [1.5]\n"
            "cells:\n"
            "  - {cpu: 1.25, web_threads: 3, db_pool: 7}\n"
            "repetitions: 1\n"
            "scenario: crud\n"
            "executor: constant-vus\n"
            "# vus: 2 x web_threads\n"
            "duration: 1h30m\n"
            "warmup: 1.5s\n"
            "prewarm: 10\n"
            "graceful_stop: 30s\n"
            "target:\n"
            "  kind: any\n"
            "  health_timeout: 2m\n"
            "  reset_data: false\n"
            "run:\n"
            "  max_attempts: 3\n"
            "  lease_timeout: 30s\n"
            "  unschedulable_grace: 1m\n");
  absl::StatusOr<GridSpec> again = ParseGrid(rendered, "resolved.yaml");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(RenderResolvedGrid(*again), rendered);
}

TEST(RenderResolvedGridTest, ArrivalRateRoundTrips) {
  absl::StatusOr<GridSpec> spec = ParseGrid(
      "cells: [{cpu: 1, web_threads: 1, db_pool: 1}]\n"
      "executor: constant-arrival-rate\nrate: 12.5\nmax_vus: 7\n",
      "grid.yaml");
  ASSERT_TRUE(spec.ok()) << spec.status();
  const std::string rendered = RenderResolvedGrid(*spec);
  EXPECT_THAT(rendered, HasSubstr("executor: constant-arrival-rate\n"
                                  "rate: 12.5\nmax_vus: 7\n"));
  absl::StatusOr<GridSpec> again = ParseGrid(rendered, "resolved.yaml");
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(again->rate, 12.5);
  EXPECT_EQ(again->max_vus, 7);
  EXPECT_EQ(RenderResolvedGrid(*again), rendered);
}

// Each testdata/grids/bad/NAME.yaml must fail with exactly the message in
// NAME.errors. GOP_UPDATE_GOLDEN=1 rewrites the .errors files (review the
// diff before keeping it).
class BadGridTest : public ::testing::TestWithParam<std::string> {};

TEST_P(BadGridTest, ReportsExactlyTheExpectedProblems) {
  const fs::path dir = fs::path(GOP_TESTDATA_DIR) / "grids" / "bad";
  const fs::path yaml = dir / (GetParam() + ".yaml");
  const fs::path golden = dir / (GetParam() + ".errors");
  absl::StatusOr<GridSpec> spec =
      ParseGrid(ReadText(yaml), yaml.filename().string());
  ASSERT_FALSE(spec.ok()) << yaml << " parsed";
  ASSERT_EQ(spec.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string actual = std::string(spec.status().message()) + "\n";
  if (const char* update = std::getenv("GOP_UPDATE_GOLDEN");
      update != nullptr && std::string(update) == "1") {
    std::ofstream(golden) << actual;
  }
  EXPECT_EQ(actual, ReadText(golden));
}

INSTANTIATE_TEST_SUITE_P(
    Golden, BadGridTest,
    ::testing::Values("unknown_key", "wrong_type", "zero_cpu", "bad_duration",
                      "round_to_zero", "many_problems", "executor_mismatch",
                      "arrival_rate_mismatch", "empty", "no_cells",
                      "missing_list", "bad_cells", "duplicate_key",
                      "syntax_error", "not_a_mapping"));

}  // namespace
}  // namespace gop
