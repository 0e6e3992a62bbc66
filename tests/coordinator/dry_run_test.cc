#include "coordinator/dry_run.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "coordinator/grid.h"
#include "coordinator/grid_expand.h"
#include "gtest/gtest.h"

namespace gop {
namespace {

namespace fs = std::filesystem;

std::string ReadText(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

v1::CellConfig CellTaking(double cpu, absl::Duration measured) {
  v1::CellConfig cell;
  cell.set_cpu_limit(cpu);
  cell.mutable_load()->set_duration_ms(absl::ToInt64Milliseconds(measured));
  return cell;
}

TEST(EstimateCellTimeTest, SumsEveryPhasePlusTheRestart) {
  v1::CellConfig cell;
  cell.mutable_load()->set_prewarm_iterations(20);  // 20 x 100 ms
  cell.mutable_load()->set_warmup_ms(30000);
  cell.mutable_load()->set_duration_ms(300000);
  cell.mutable_load()->set_graceful_stop_ms(30000);
  EXPECT_EQ(EstimateCellTime(cell), absl::Seconds(10 + 2 + 30 + 300 + 30));
}

TEST(EstimateWallTimeTest, ListSchedulingGivesEachCellToTheFirstFreeAgent) {
  // With the 10 s restart: 110, 60, 60, 40 s. Two agents: A takes 110;
  // B takes 60, then 60 (free at 120), then 40 (A free at 110) -> 150.
  const std::vector<v1::CellConfig> cells = {
      CellTaking(1, absl::Seconds(100)), CellTaking(1, absl::Seconds(50)),
      CellTaking(1, absl::Seconds(50)), CellTaking(1, absl::Seconds(30))};
  EXPECT_EQ(EstimateWallTime(cells, 1).wall, absl::Seconds(270));
  EXPECT_EQ(EstimateWallTime(cells, 2).wall, absl::Seconds(150));
  EXPECT_EQ(EstimateWallTime(cells, 4).wall, absl::Seconds(110));
  EXPECT_EQ(EstimateWallTime(cells, 10).wall, absl::Seconds(110));
  EXPECT_EQ(EstimateWallTime({}, 3).wall, absl::ZeroDuration());
}

TEST(EstimateWallTimeTest, CellsNeedingMoreCoresThanAnAgentHasAreLeftOut) {
  const std::vector<v1::CellConfig> cells = {CellTaking(0.5, absl::Seconds(20)),
                                             CellTaking(2, absl::Seconds(20)),
                                             CellTaking(1, absl::Seconds(20))};
  const WallTimeEstimate estimate = EstimateWallTime(cells, 2, 1);
  EXPECT_EQ(estimate.unschedulable, 1);
  EXPECT_EQ(estimate.wall, absl::Seconds(30));
  EXPECT_EQ(EstimateWallTime(cells, 2, 0).unschedulable, 0);
}

// Golden files for the dry-run text in testdata/grids/dry_run/NAME.txt.
// GOP_UPDATE_GOLDEN=1 rewrites them (review the diff before keeping it).
class DryRunGoldenTest : public ::testing::Test {
 protected:
  void ExpectGolden(const std::string& name, const std::string& actual) {
    const fs::path golden =
        fs::path(GOP_TESTDATA_DIR) / "grids" / "dry_run" / (name + ".txt");
    if (const char* update = std::getenv("GOP_UPDATE_GOLDEN");
        update != nullptr && std::string(update) == "1") {
      std::ofstream(golden) << actual;
    }
    EXPECT_EQ(actual, ReadText(golden)) << golden;
  }

  static GridSpec Shipped(const std::string& file) {
    absl::StatusOr<GridSpec> spec =
        LoadGridFile((fs::path(GOP_SOURCE_DIR) / "grids" / file).string());
    EXPECT_TRUE(spec.ok()) << spec.status();
    return spec.ok() ? *spec : GridSpec{};
  }

  static GridSpec Inline(const std::string& text) {
    absl::StatusOr<GridSpec> spec = ParseGrid(text, "inline.yaml");
    EXPECT_TRUE(spec.ok()) << spec.status();
    return spec.ok() ? *spec : GridSpec{};
  }
};

TEST_F(DryRunGoldenTest, SeedQuickOnThreeAgents) {
  const GridSpec spec = Shipped("seed-quick.yaml");
  ExpectGolden("seed_quick_3_agents", FormatDryRun(spec, ExpandGrid(spec), 3));
}

TEST_F(DryRunGoldenTest, ShortOnTwoLocalAgents) {
  const GridSpec spec = Shipped("short.yaml");
  ExpectGolden("short_2_agents", FormatDryRun(spec, ExpandGrid(spec), 2, 1));
}

TEST_F(DryRunGoldenTest, SeedFullOnOneAgentPrintsOnlyOneEstimate) {
  const GridSpec spec = Shipped("seed-full.yaml");
  ExpectGolden("seed_full_1_agent", FormatDryRun(spec, ExpandGrid(spec), 1));
}

TEST_F(DryRunGoldenTest, RepetitionsAndCellsTooBigForTheAgents) {
  const GridSpec spec = Inline(R"(
cpu_limits: [0.5, 1, 2]
web_thread_multipliers: [2]
db_pool_multipliers: [1.5]
repetitions: 2
duration: 1m
warmup: 15s
prewarm: 0
graceful_stop: 0s
)");
  ExpectGolden("repetitions_4_agents_1_core",
               FormatDryRun(spec, ExpandGrid(spec), 4, 1));
}

}  // namespace
}  // namespace gop
