#include "analysis/confidence_interval.h"

#include <gtest/gtest.h>

#include <cmath>

namespace gop::analysis {
namespace {

TEST(MeanIntervalTest, StudentTForThreeSamples) {
  // mean 2, sample stddev 1, t(0.975, df=2) = 4.3027.
  const Interval iv = MeanInterval({1, 2, 3});
  EXPECT_DOUBLE_EQ(iv.mean, 2);
  EXPECT_EQ(iv.samples, 3);
  EXPECT_TRUE(iv.HasSpread());
  EXPECT_NEAR(iv.HalfWidth(), 4.3027 / std::sqrt(3.0), 1e-3);
}

TEST(MeanIntervalTest, WiderThanNormalForFewSamples) {
  const Interval two = MeanInterval({10, 12});
  EXPECT_NEAR(two.HalfWidth(), 12.706 * std::sqrt(2.0) / std::sqrt(2.0), 1e-2);
}

TEST(MeanIntervalTest, OneSampleHasNoSpread) {
  const Interval iv = MeanInterval({5});
  EXPECT_FALSE(iv.HasSpread());
  EXPECT_EQ(iv.low, 5);
  EXPECT_EQ(iv.high, 5);
  EXPECT_EQ(MeanInterval({}).samples, 0);
}

TEST(MeanIntervalTest, Overlap) {
  EXPECT_TRUE((Interval{5, 4, 6, 3}).Overlaps(Interval{7, 5.5, 8.5, 3}));
  EXPECT_FALSE((Interval{5, 4, 6, 3}).Overlaps(Interval{7, 6.5, 8.5, 3}));
}

}  // namespace
}  // namespace gop::analysis
