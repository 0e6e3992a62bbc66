#include "common/histogram.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "gop/v1/histogram.pb.h"
#include "gtest/gtest.h"

namespace gop {
namespace {

constexpr double kPercentiles[] = {50, 90, 95, 99, 99.9, 100};

// The exact nearest-rank percentile of sorted samples (DESIGN.md).
int64_t NearestRank(const std::vector<int64_t>& sorted, double p) {
  const auto n = static_cast<int64_t>(sorted.size());
  int64_t rank = static_cast<int64_t>(std::ceil(p / 100.0 * static_cast<double>(n) - 1e-9));
  rank = std::clamp<int64_t>(rank, 1, n);
  return sorted[rank - 1];
}

std::vector<int64_t> Uniform(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<int64_t> dist(1, 100'000);
  std::vector<int64_t> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

std::vector<int64_t> LogNormal(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::lognormal_distribution<double> dist(std::log(2000.0), 1.0);  // median 2 ms
  std::vector<int64_t> v(n);
  for (auto& x : v) x = std::max<int64_t>(1, std::llround(dist(rng)));
  return v;
}

std::vector<int64_t> Bimodal(int n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> fast(1000.0, 100.0);    // 1 ms mode
  std::normal_distribution<double> slow(250000.0, 20000.0);  // 250 ms mode
  std::bernoulli_distribution pick_slow(0.05);
  std::vector<int64_t> v(n);
  for (auto& x : v) x = std::max<int64_t>(1, std::llround(pick_slow(rng) ? slow(rng) : fast(rng)));
  return v;
}

Histogram Of(const std::vector<int64_t>& samples) {
  Histogram h;
  for (int64_t s : samples) h.Record(s);
  return h;
}

class PercentileAccuracyTest : public ::testing::TestWithParam<std::vector<int64_t> (*)(int, uint64_t)> {};

TEST_P(PercentileAccuracyTest, EveryPercentileWithinOneThousandthOfExact) {
  std::vector<int64_t> samples = GetParam()(200'000, 42);
  const Histogram h = Of(samples);
  std::sort(samples.begin(), samples.end());
  ASSERT_EQ(h.TotalCount(), static_cast<int64_t>(samples.size()));
  for (double p : kPercentiles) {
    const int64_t exact = NearestRank(samples, p);
    const int64_t reported = h.ValueAtPercentile(p);
    EXPECT_LE(std::abs(reported - exact), static_cast<int64_t>(0.001 * exact))
        << "p" << p << ": exact " << exact << " reported " << reported;
  }
  EXPECT_EQ(h.Min(), samples.front());
  EXPECT_EQ(h.Max(), samples.back());
  double sum = 0;
  for (int64_t s : samples) sum += static_cast<double>(s);
  EXPECT_DOUBLE_EQ(h.Mean(), sum / static_cast<double>(samples.size()));
}

INSTANTIATE_TEST_SUITE_P(Distributions, PercentileAccuracyTest,
                         ::testing::Values(&Uniform, &LogNormal, &Bimodal));

TEST(HistogramTest, PercentileIsNearestRank) {
  Histogram h;
  for (int v = 1; v <= 100; ++v) h.Record(v);
  EXPECT_EQ(h.ValueAtPercentile(0), 1);
  EXPECT_EQ(h.ValueAtPercentile(50), 50);
  EXPECT_EQ(h.ValueAtPercentile(50.5), 51);
  EXPECT_EQ(h.ValueAtPercentile(99), 99);
  EXPECT_EQ(h.ValueAtPercentile(99.5), 100);
  EXPECT_EQ(h.ValueAtPercentile(100), 100);
  EXPECT_EQ(h.ValueAtPercentile(250), 100);  // clamped
}

TEST(HistogramTest, EmptyHistogramReportsZeros) {
  Histogram h;
  EXPECT_EQ(h.TotalCount(), 0);
  EXPECT_EQ(h.ValueAtPercentile(99), 0);
  EXPECT_EQ(h.Min(), 0);
  EXPECT_EQ(h.Max(), 0);
  EXPECT_EQ(h.Mean(), 0.0);
  EXPECT_EQ(h.StdDev(), 0.0);
}

TEST(HistogramTest, ValuesAboveRangeAreCountedNotDropped) {
  Histogram h;
  h.Record(10);
  h.Record(5'000'000'000);  // 83 minutes, above the 1 h default
  EXPECT_EQ(h.TotalCount(), 2);
  EXPECT_EQ(h.OverflowCount(), 1);
  EXPECT_EQ(h.Max(), 5'000'000'000);
  EXPECT_EQ(h.ValueAtPercentile(100), 5'000'000'000);
  EXPECT_EQ(h.ValueAtPercentile(50), 10);
}

TEST(HistogramTest, NegativeValuesCountAsZero) {
  Histogram h;
  h.Record(-5);
  EXPECT_EQ(h.TotalCount(), 1);
  EXPECT_EQ(h.Min(), 0);
  EXPECT_EQ(h.ValueAtPercentile(100), 0);
}

TEST(HistogramTest, RecordNCountsMany) {
  Histogram a, b;
  a.RecordN(1234, 1000);
  for (int i = 0; i < 1000; ++i) b.Record(1234);
  EXPECT_EQ(a, b);
}

TEST(HistogramTest, MergeOfEightEqualsHistogramOfAllSamples) {
  const std::vector<int64_t> samples = LogNormal(80'000, 7);
  Histogram all = Of(samples);
  Histogram merged;
  for (int part = 0; part < 8; ++part) {
    Histogram h;
    for (size_t i = part; i < samples.size(); i += 8) h.Record(samples[i]);
    ASSERT_TRUE(merged.Merge(h).ok());
  }
  EXPECT_EQ(merged, all);
  for (double p : kPercentiles) EXPECT_EQ(merged.ValueAtPercentile(p), all.ValueAtPercentile(p));
}

TEST(HistogramTest, MergeRejectsDifferentLayoutAndChangesNothing) {
  Histogram a;
  a.Record(100);
  auto b = Histogram::Create({.lowest_discernible_value = 1, .highest_trackable_value = 60'000'000,
                              .significant_digits = 2});
  ASSERT_TRUE(b.ok());
  b->Record(5);
  const Histogram before = a;
  absl::Status s = a.Merge(*b);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(a, before);
}

TEST(HistogramTest, CreateRejectsImpossibleLayouts) {
  EXPECT_FALSE(Histogram::Create({.lowest_discernible_value = 0}).ok());
  EXPECT_FALSE(Histogram::Create({.lowest_discernible_value = 10, .highest_trackable_value = 15}).ok());
  EXPECT_FALSE(Histogram::Create({.significant_digits = 0}).ok());
  EXPECT_FALSE(Histogram::Create({.significant_digits = 6}).ok());
  EXPECT_TRUE(Histogram::Create({.lowest_discernible_value = 1000, .highest_trackable_value = 3'600'000'000,
                                 .significant_digits = 2})
                  .ok());
}

TEST(HistogramTest, ResetForgetsEverything) {
  Histogram h = Of(Uniform(1000, 3));
  h.Reset();
  EXPECT_EQ(h, Histogram());
}

TEST(HistogramTest, CoarserLayoutStaysWithinItsPrecision) {
  auto h = Histogram::Create({.lowest_discernible_value = 1, .highest_trackable_value = 3'600'000'000,
                              .significant_digits = 2});
  ASSERT_TRUE(h.ok());
  std::vector<int64_t> samples = LogNormal(50'000, 11);
  for (int64_t s : samples) h->Record(s);
  std::sort(samples.begin(), samples.end());
  for (double p : kPercentiles) {
    const int64_t exact = NearestRank(samples, p);
    EXPECT_LE(std::abs(h->ValueAtPercentile(p) - exact), static_cast<int64_t>(0.01 * exact) + 1) << p;
  }
}

class HistogramProtoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    original_ = Of(Bimodal(100'000, 5));
    original_.Record(7'200'000'000);  // one overflow
    original_.ToProto(&proto_);
  }
  Histogram original_;
  v1::Histogram proto_;
};

TEST_F(HistogramProtoTest, RoundTripIsLossless) {
  auto back = Histogram::FromProto(proto_);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, original_);
  EXPECT_EQ(back->OverflowCount(), 1);

  v1::Histogram through_bytes;
  ASSERT_TRUE(through_bytes.ParseFromString(proto_.SerializeAsString()));
  auto again = Histogram::FromProto(through_bytes);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, original_);
}

TEST_F(HistogramProtoTest, EmptyRoundTrip) {
  v1::Histogram p;
  Histogram().ToProto(&p);
  auto back = Histogram::FromProto(p);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, Histogram());
}

TEST_F(HistogramProtoTest, TruncatedCountsAreRejected) {
  const std::string counts = proto_.counts();
  for (size_t cut = 0; cut < counts.size(); cut += std::max<size_t>(1, counts.size() / 97)) {
    v1::Histogram p = proto_;
    p.set_counts(counts.substr(0, cut));
    EXPECT_FALSE(Histogram::FromProto(p).ok()) << "cut at " << cut;
  }
}

TEST_F(HistogramProtoTest, CorruptedCountsNeverCrashAndNeverDisagreeWithTotals) {
  std::mt19937 rng(99);
  int rejected = 0;
  for (int trial = 0; trial < 500; ++trial) {
    v1::Histogram p = proto_;
    std::string* counts = p.mutable_counts();
    const size_t at = rng() % counts->size();
    (*counts)[at] = static_cast<char>((*counts)[at] ^ (1 + rng() % 255));
    auto h = Histogram::FromProto(p);
    if (!h.ok()) {
      ++rejected;
      continue;
    }
    // Anything accepted must be self-consistent.
    EXPECT_EQ(h->TotalCount(), p.total_count());
  }
  EXPECT_GT(rejected, 450);
}

TEST_F(HistogramProtoTest, MismatchedHeaderIsRejected) {
  {
    v1::Histogram p = proto_;
    p.set_total_count(p.total_count() + 1);
    EXPECT_FALSE(Histogram::FromProto(p).ok());
  }
  {
    v1::Histogram p = proto_;
    p.set_counts_length(p.counts_length() + 1);
    EXPECT_FALSE(Histogram::FromProto(p).ok());
  }
  {
    v1::Histogram p = proto_;
    p.set_counts_length(1'000'000);
    EXPECT_FALSE(Histogram::FromProto(p).ok());
  }
  {
    v1::Histogram p = proto_;
    p.set_significant_digits(9);
    EXPECT_FALSE(Histogram::FromProto(p).ok());
  }
  {
    v1::Histogram p = proto_;
    p.set_highest_trackable_value(1000);  // fewer slots than the counts describe
    EXPECT_FALSE(Histogram::FromProto(p).ok());
  }
  {
    v1::Histogram p = proto_;
    p.set_min_value(p.max_value() + 1);
    EXPECT_FALSE(Histogram::FromProto(p).ok());
  }
}

TEST_F(HistogramProtoTest, GarbageBytesAreRejected) {
  v1::Histogram p;
  EXPECT_FALSE(p.ParseFromString(std::string("\xff\xff\xff\xff\xff\xff", 6)) && Histogram::FromProto(p).ok());
}

}  // namespace
}  // namespace gop
