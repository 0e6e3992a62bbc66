#include "coordinator/grid_expand.h"

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "coordinator/grid.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace gop {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

std::vector<std::string> Ids(const std::vector<v1::CellConfig>& cells) {
  std::vector<std::string> ids;
  for (const v1::CellConfig& cell : cells) ids.push_back(cell.cell_id());
  return ids;
}

GridSpec Grid(const std::string& text) {
  absl::StatusOr<GridSpec> spec = ParseGrid(text, "test.yaml");
  EXPECT_TRUE(spec.ok()) << spec.status();
  return spec.ok() ? *spec : GridSpec{};
}

GridSpec ShippedGrid(const std::string& name) {
  absl::StatusOr<GridSpec> spec = LoadGridFile(
      (std::filesystem::path(GOP_SOURCE_DIR) / "grids" / name).string());
  EXPECT_TRUE(spec.ok()) << spec.status();
  return spec.ok() ? *spec : GridSpec{};
}

TEST(RoundHalfEvenTest, TiesGoToEvenAsPythonRound) {
  EXPECT_EQ(RoundHalfEven(0.5), 0);
  EXPECT_EQ(RoundHalfEven(1.5), 2);
  EXPECT_EQ(RoundHalfEven(2.5), 2);
  EXPECT_EQ(RoundHalfEven(3.5), 4);
  EXPECT_EQ(RoundHalfEven(4.5), 4);
  EXPECT_EQ(RoundHalfEven(5.5), 6);
  EXPECT_EQ(RoundHalfEven(-0.5), 0);
  EXPECT_EQ(RoundHalfEven(-1.5), -2);
  EXPECT_EQ(RoundHalfEven(-2.5), -2);
}

TEST(RoundHalfEvenTest, NonTiesGoToNearest) {
  EXPECT_EQ(RoundHalfEven(0.0), 0);
  EXPECT_EQ(RoundHalfEven(2.0), 2);
  EXPECT_EQ(RoundHalfEven(2.49), 2);
  EXPECT_EQ(RoundHalfEven(2.51), 3);
  EXPECT_EQ(RoundHalfEven(4.4999), 4);
  EXPECT_EQ(RoundHalfEven(4.5001), 5);
  EXPECT_EQ(RoundHalfEven(-2.6), -3);
}

TEST(RoundHalfEvenTest, GridProductsAsTheSeedComputedThem) {
  EXPECT_EQ(RoundHalfEven(3 * 1.5), 4);   // the seed's own example
  EXPECT_EQ(RoundHalfEven(5 * 1.5), 8);   // 7.5
  EXPECT_EQ(RoundHalfEven(3 * 2.5), 8);   // 7.5
  EXPECT_EQ(RoundHalfEven(5 * 2.5), 12);  // 12.5
  EXPECT_EQ(RoundHalfEven(1 * 2.5), 2);
  EXPECT_EQ(RoundHalfEven(0.7 * 5), 4);  // 3.5
}

TEST(RoundHalfEvenTest, BinaryNoiseNextToAHalfCountsAsTheHalf) {
  // 15 x 4.1 is 61.49999999999999 in binary (Python's round gives 61); its
  // decimal value 61.5 rounds to even 62.
  volatile double cpu = 15, multiplier = 4.1;
  ASSERT_LT(cpu * multiplier, 61.5);
  EXPECT_EQ(RoundHalfEven(cpu * multiplier), 62);
  // 12.5 x 4.36 is 54.50000000000001 (Python: 55); decimal 54.5 -> 54.
  volatile double a = 12.5, b = 4.36;
  ASSERT_GT(a * b, 54.5);
  EXPECT_EQ(RoundHalfEven(a * b), 54);
  // 2.3 x 1.5 = 3.45 (3.4499999999999997 in binary) is no tie.
  EXPECT_EQ(RoundHalfEven(2.3 * 1.5), 3);
}

TEST(FormatCpuTest, ShortestFixedText) {
  EXPECT_EQ(FormatCpu(2), "2");
  EXPECT_EQ(FormatCpu(0.5), "0.5");
  EXPECT_EQ(FormatCpu(1.25), "1.25");
  EXPECT_EQ(FormatCpu(0.1), "0.1");
  EXPECT_EQ(FormatCpu(16), "16");
  EXPECT_EQ(FormatCpu(1000000), "1000000");
}

TEST(CellIdTest, SeedLayout) {
  EXPECT_EQ(CellId(2, 3, 4, 1), "cpu2_wt3_db4_rep1");
  EXPECT_EQ(CellId(0.5, 1, 2, 3), "cpu0.5_wt1_db2_rep3");
}

TEST(ExpandGridTest, SeedQuickIsTheSeedsSixCellsInOrder) {
  const std::vector<v1::CellConfig> cells =
      ExpandGrid(ShippedGrid("seed-quick.yaml"));
  EXPECT_THAT(Ids(cells),
              ElementsAre("cpu2_wt2_db3_rep1", "cpu2_wt2_db4_rep1",
                          "cpu2_wt3_db4_rep1", "cpu2_wt3_db6_rep1",
                          "cpu2_wt4_db6_rep1", "cpu2_wt4_db8_rep1"));
  ASSERT_EQ(cells.size(), 6u);
  // 2 x 1.5 = 3 threads; 3 x 1.5 = 4.5 -> 4 connections.
  EXPECT_EQ(cells[2].cpu_limit(), 2);
  EXPECT_EQ(cells[2].web_threads(), 3);
  EXPECT_EQ(cells[2].db_pool(), 4);
  EXPECT_EQ(cells[2].repetition(), 1);
  EXPECT_EQ(cells[2].web_thread_multiplier(), 1.5);
  EXPECT_EQ(cells[2].db_pool_multiplier(), 1.5);
  // The seed's k6 defaults: 2 x web_threads VUs, 5 m, 30 s graceful stop.
  const v1::LoadSpec& load = cells[2].load();
  EXPECT_EQ(load.scenario(), "crud");
  EXPECT_EQ(load.executor(), v1::EXECUTOR_CONSTANT_VUS);
  EXPECT_EQ(load.vus(), 6);
  EXPECT_EQ(load.duration_ms(), 300000);
  EXPECT_EQ(load.warmup_ms(), 0);
  EXPECT_EQ(load.graceful_stop_ms(), 30000);
  EXPECT_EQ(load.prewarm_iterations(), 10);
}

TEST(ExpandGridTest, SeedFullHasEightyDistinctCellsInTheSeedsOrder) {
  const std::vector<v1::CellConfig> cells =
      ExpandGrid(ShippedGrid("seed-full.yaml"));
  // 4 x 5 x 4 = 80, and no two collapse after rounding.
  ASSERT_EQ(cells.size(), 80u);
  const std::vector<std::string> ids = Ids(cells);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), 80u);
  // cpu, then web multiplier, then pool multiplier.
  EXPECT_THAT(
      std::vector<std::string>(ids.begin(), ids.begin() + 8),
      ElementsAre("cpu2_wt2_db3_rep1", "cpu2_wt2_db4_rep1", "cpu2_wt2_db5_rep1",
                  "cpu2_wt2_db6_rep1", "cpu2_wt3_db4_rep1", "cpu2_wt3_db6_rep1",
                  "cpu2_wt3_db8_rep1", "cpu2_wt3_db9_rep1"));
  // The seed README's 4-CPU example: 6 threads with pools 9, 12, 15, 18.
  EXPECT_THAT(std::vector<std::string>(ids.begin() + 24, ids.begin() + 28),
              ElementsAre("cpu4_wt6_db9_rep1", "cpu4_wt6_db12_rep1",
                          "cpu4_wt6_db15_rep1", "cpu4_wt6_db18_rep1"));
  EXPECT_EQ(ids.back(), "cpu8_wt24_db72_rep1");
  // 5 threads: 5 x 2.5 = 12.5 -> 12 and 5 x 1.5 = 7.5 -> 8 connections.
  EXPECT_EQ(ids[14], "cpu2_wt5_db12_rep1");
  EXPECT_EQ(ids[12], "cpu2_wt5_db8_rep1");
}

TEST(ExpandGridTest, DuplicatesCollapseKeepingTheFirst) {
  // 1 x 1 and 1 x 1.2 both give 1 thread; 1 x 1 and 1 x 1.4 both 1 connection.
  const std::vector<v1::CellConfig> cells = ExpandGrid(Grid(R"(
cpu_limits: [1, 1.0]
web_thread_multipliers: [1, 1.2, 2]
db_pool_multipliers: [1, 1.4]
cells:
  - {cpu: 1, web_threads: 2, db_pool: 3}
  - {cpu: 1, web_threads: 1, db_pool: 1}
  - {cpu: 1, web_threads: 2, db_pool: 3}
  - {cpu: 2, web_threads: 2, db_pool: 2}
)"));
  EXPECT_THAT(Ids(cells),
              ElementsAre("cpu1_wt1_db1_rep1", "cpu1_wt2_db2_rep1",
                          "cpu1_wt2_db3_rep1", "cpu2_wt2_db2_rep1"));
  ASSERT_EQ(cells.size(), 4u);
  // The first of the duplicates keeps its multipliers.
  EXPECT_EQ(cells[0].web_thread_multiplier(), 1);
  EXPECT_EQ(cells[0].db_pool_multiplier(), 1);
  // 2 x 1.4 = 2.8 -> 3 is the third grid cell; it is the same as the first
  // explicit one, so that one is dropped.
  EXPECT_EQ(cells[2].db_pool_multiplier(), 1.4);
  // Explicit cells carry no multipliers.
  EXPECT_EQ(cells[3].web_thread_multiplier(), 0);
  EXPECT_EQ(cells[3].db_pool_multiplier(), 0);
}

TEST(ExpandGridTest, RepetitionsRepeatTheWholeListInOrder) {
  const std::vector<v1::CellConfig> cells = ExpandGrid(Grid(R"(
cpu_limits: [0.5]
web_thread_multipliers: [2, 4]
db_pool_multipliers: [2]
repetitions: 3
)"));
  EXPECT_THAT(Ids(cells),
              ElementsAre("cpu0.5_wt1_db2_rep1", "cpu0.5_wt2_db4_rep1",
                          "cpu0.5_wt1_db2_rep2", "cpu0.5_wt2_db4_rep2",
                          "cpu0.5_wt1_db2_rep3", "cpu0.5_wt2_db4_rep3"));
  ASSERT_EQ(cells.size(), 6u);
  EXPECT_EQ(cells[3].repetition(), 2);
  EXPECT_EQ(cells[3].cpu_limit(), 0.5);
}

TEST(ExpandGridTest, LoadSpecCarriesTheGridsLoadSettings) {
  const std::vector<v1::CellConfig> cells = ExpandGrid(Grid(R"(
cells: [{cpu: 2, web_threads: 4, db_pool: 8}]
vus: 7
duration: 1m30s
warmup: 10s
prewarm: 2
graceful_stop: 500ms
scenario: read-only
)"));
  ASSERT_EQ(cells.size(), 1u);
  const v1::LoadSpec& load = cells[0].load();
  EXPECT_EQ(load.scenario(), "read-only");
  EXPECT_EQ(load.vus(), 7);
  EXPECT_EQ(load.duration_ms(), 90000);
  EXPECT_EQ(load.warmup_ms(), 10000);
  EXPECT_EQ(load.prewarm_iterations(), 2);
  EXPECT_EQ(load.graceful_stop_ms(), 500);
}

TEST(ExpandGridTest, ArrivalRateCapsVusEnoughForOneSecondIterations) {
  const std::vector<v1::CellConfig> cells = ExpandGrid(Grid(R"(
cells:
  - {cpu: 1, web_threads: 2, db_pool: 4}
  - {cpu: 4, web_threads: 40, db_pool: 80}
executor: constant-arrival-rate
rate: 10.5
)"));
  ASSERT_EQ(cells.size(), 2u);
  EXPECT_EQ(cells[0].load().executor(), v1::EXECUTOR_CONSTANT_ARRIVAL_RATE);
  EXPECT_EQ(cells[0].load().rate(), 10.5);
  EXPECT_EQ(cells[0].load().vus(), 0);
  EXPECT_EQ(cells[0].load().max_vus(), 11);  // ceil(10.5) > 2 x 2
  EXPECT_EQ(cells[1].load().max_vus(), 80);  // 2 x 40 > ceil(10.5)

  const std::vector<v1::CellConfig> capped = ExpandGrid(Grid(R"(
cells: [{cpu: 1, web_threads: 2, db_pool: 4}]
executor: constant-arrival-rate
rate: 100
max_vus: 30
)"));
  EXPECT_EQ(capped[0].load().max_vus(), 30);
}

TEST(ExpandGridTest, ShortGridFitsTwoOneCoreAgents) {
  const std::vector<v1::CellConfig> cells =
      ExpandGrid(ShippedGrid("short.yaml"));
  EXPECT_GE(cells.size(), 4u);
  EXPECT_LE(cells.size(), 6u);
  for (const v1::CellConfig& cell : cells) {
    EXPECT_LE(cell.cpu_limit(), 1) << cell.cell_id();
    EXPECT_LE(cell.load().duration_ms(), 30000) << cell.cell_id();
  }
}

}  // namespace
}  // namespace gop
