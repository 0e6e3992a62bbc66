#include "analysis/config_stats.h"

#include <gtest/gtest.h>

namespace gop::analysis {
namespace {

CellRecord Record(int rep, int64_t latency_us, int n, double rps) {
  CellRecord r;
  r.cpu_limit = 2;
  r.web_threads = 3;
  r.db_pool = 6;
  r.repetition = rep;
  r.ok = true;
  r.rps = rps;
  r.requests = n;
  r.agent_id = rep % 2 ? "agent-a" : "agent-b";
  Histogram h;
  h.RecordN(latency_us, n);
  r.latency = h;
  return r;
}

TEST(AggregateConfigsTest, PercentilesFromMergedHistogramNotAveraged) {
  // Repetition 1 answers in 1 ms, repetition 2 in 10 ms, equally often: the
  // merged p99 is 10 ms; averaging the two p99s would say 5.5 ms.
  std::vector<std::string> warnings;
  const std::vector<ConfigStats> configs =
      AggregateConfigs({Record(1, 1000, 1000, 100), Record(2, 10000, 1000, 120)}, &warnings);
  ASSERT_EQ(configs.size(), 1u);
  const ConfigStats& c = configs[0];
  EXPECT_NEAR(c.p99_ms, 10.0, 0.01);
  EXPECT_NEAR(c.p50_ms, 1.0, 0.001);
  EXPECT_NEAR(c.avg_ms, 5.5, 1e-9);
  EXPECT_EQ(c.latency->TotalCount(), 2000);
  EXPECT_DOUBLE_EQ(c.rps, 110);
  EXPECT_EQ(c.rps_interval.samples, 2);
  EXPECT_NEAR(c.p99_interval.mean, 5.5, 0.01);  // the spread of per-repetition p99s
  EXPECT_EQ(c.requests, 2000);
  EXPECT_EQ(c.runs_ok, 2);
  EXPECT_EQ(c.agents, (std::set<std::string>{"agent-a", "agent-b"}));
  EXPECT_FALSE(c.percentiles_as_given);
  EXPECT_TRUE(warnings.empty());
}

TEST(AggregateConfigsTest, RetriedRepetitionIsNotAFailure) {
  CellRecord failed = Record(1, 1000, 10, 0);
  failed.ok = false;
  failed.failure_reason = "agent lost";
  CellRecord failed2 = Record(2, 1000, 10, 0);
  failed2.ok = false;
  failed2.failure_reason = "target exited";
  std::vector<std::string> warnings;
  const std::vector<ConfigStats> configs =
      AggregateConfigs({failed, Record(1, 1000, 10, 50), failed2}, &warnings);
  ASSERT_EQ(configs.size(), 1u);
  EXPECT_TRUE(configs[0].ok());
  EXPECT_EQ(configs[0].runs_ok, 1);
  EXPECT_EQ(configs[0].runs_failed, 1);
  EXPECT_EQ(configs[0].failure_reasons, std::vector<std::string>{"target exited"});
}

TEST(AggregateConfigsTest, SeedRecordsUseGivenPercentiles) {
  CellRecord a = Record(1, 1000, 10, 1500);
  a.latency.reset();
  a.percentiles_as_given = true;
  a.given_p99_ms = 6;
  a.given_p95_ms = 4;
  a.given_avg_ms = 2;
  std::vector<std::string> warnings;
  const std::vector<ConfigStats> configs = AggregateConfigs({a}, &warnings);
  ASSERT_EQ(configs.size(), 1u);
  EXPECT_TRUE(configs[0].percentiles_as_given);
  EXPECT_EQ(configs[0].p99_ms, 6);
  EXPECT_EQ(configs[0].p95_ms, 4);
  EXPECT_EQ(configs[0].avg_ms, 2);
}

TEST(AggregateConfigsTest, SortedByConfiguration) {
  CellRecord a = Record(1, 1000, 10, 1);
  a.cpu_limit = 4;
  CellRecord b = Record(1, 1000, 10, 1);
  b.web_threads = 2;
  std::vector<std::string> warnings;
  const std::vector<ConfigStats> configs = AggregateConfigs({a, Record(1, 1000, 10, 1), b}, &warnings);
  ASSERT_EQ(configs.size(), 3u);
  EXPECT_EQ(configs[0].key, (ConfigKey{2, 2, 6}));
  EXPECT_EQ(configs[1].key, (ConfigKey{2, 3, 6}));
  EXPECT_EQ(configs[2].key, (ConfigKey{4, 3, 6}));
  EXPECT_EQ(CpuLimits(configs), (std::vector<double>{2, 4}));
}

}  // namespace
}  // namespace gop::analysis
