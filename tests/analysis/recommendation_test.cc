#include "analysis/recommendation.h"

#include <gtest/gtest.h>

namespace gop::analysis {
namespace {

ConfigStats Config(int wt, int db, double rps, double p99, std::vector<double> rps_reps = {}) {
  ConfigStats c;
  c.key = {2, wt, db};
  c.runs_ok = 1;
  c.rps = rps;
  c.p99_ms = p99;
  c.rps_interval = rps_reps.empty() ? MeanInterval({rps}) : MeanInterval(rps_reps);
  c.p99_interval = MeanInterval({p99});
  return c;
}

TEST(RecommendTest, ThroughputLatencyAndBalanced) {
  const std::vector<ConfigStats> configs = {
      Config(2, 4, 1000, 5.0),   // lowest p99
      Config(3, 6, 1300, 6.0),   // within 1.25 x 5.0
      Config(4, 8, 1500, 9.0),   // fastest, too slow a tail for balanced
  };
  const CpuRecommendation rec = Recommend(configs, 2);
  EXPECT_EQ(rec.throughput.winner, 2);
  EXPECT_EQ(rec.throughput.runner_up, 1);
  EXPECT_FALSE(rec.throughput.tie);
  EXPECT_EQ(rec.latency.winner, 0);
  EXPECT_DOUBLE_EQ(rec.balanced_p99_limit_ms, 6.25);
  EXPECT_EQ(rec.balanced.winner, 1);
  EXPECT_EQ(rec.balanced.runner_up, 0);
}

TEST(RecommendTest, OverlappingIntervalsAreATie) {
  const std::vector<ConfigStats> configs = {
      Config(2, 4, 1000, 5.0, {990, 1010, 1000}),
      Config(3, 6, 1010, 6.0, {1000, 1020, 1010}),
      Config(4, 8, 800, 9.0, {795, 800, 805}),
  };
  const CpuRecommendation rec = Recommend(configs, 2);
  EXPECT_EQ(rec.throughput.winner, 1);
  EXPECT_EQ(rec.throughput.runner_up, 0);
  EXPECT_TRUE(rec.throughput.tie);
}

TEST(RecommendTest, SeparatedIntervalsAreNotATie) {
  const std::vector<ConfigStats> configs = {
      Config(2, 4, 1000, 5.0, {999, 1000, 1001}),
      Config(3, 6, 1100, 6.0, {1099, 1100, 1101}),
  };
  const CpuRecommendation rec = Recommend(configs, 2);
  EXPECT_EQ(rec.throughput.winner, 1);
  EXPECT_FALSE(rec.throughput.tie);
}

TEST(RecommendTest, EqualFiguresAreATieEvenWithoutRepetitions) {
  const std::vector<ConfigStats> configs = {Config(2, 4, 1000, 5.0), Config(3, 6, 1000, 7.0)};
  const CpuRecommendation rec = Recommend(configs, 2);
  EXPECT_TRUE(rec.throughput.tie);
  EXPECT_EQ(rec.throughput.winner, 0);  // grid order breaks the tie
  EXPECT_FALSE(rec.latency.tie);
}

TEST(RecommendTest, FailedAndOtherCpuConfigsAreIgnored) {
  std::vector<ConfigStats> configs = {Config(2, 4, 1000, 5.0), Config(3, 6, 5000, 1.0)};
  configs[1].runs_ok = 0;
  configs[1].runs_failed = 1;
  ConfigStats other = Config(4, 8, 9000, 1.0);
  other.key.cpu_limit = 4;
  configs.push_back(other);
  const CpuRecommendation rec = Recommend(configs, 2);
  EXPECT_EQ(rec.throughput.winner, 0);
  EXPECT_EQ(rec.throughput.runner_up, -1);
  EXPECT_EQ(rec.latency.winner, 0);
  EXPECT_EQ(Recommend(configs, 8).throughput.winner, -1);
}

}  // namespace
}  // namespace gop::analysis
