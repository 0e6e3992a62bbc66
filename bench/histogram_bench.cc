// Histogram micro-benchmarks (run on demand: build/bench/histogram_bench).
#include <cmath>
#include <random>
#include <vector>

#include "benchmark/benchmark.h"
#include "common/histogram.h"
#include "gop/v1/histogram.pb.h"

namespace gop {
namespace {

std::vector<int64_t> LogNormalSamples(size_t n) {
  std::mt19937_64 rng(1);
  std::lognormal_distribution<double> dist(std::log(2000.0), 1.0);
  std::vector<int64_t> v(n);
  for (auto& x : v) x = std::max<int64_t>(1, std::llround(dist(rng)));
  return v;
}

void BM_Record(benchmark::State& state) {
  const std::vector<int64_t> samples = LogNormalSamples(1 << 16);
  Histogram h;
  size_t i = 0;
  for (auto _ : state) {
    h.Record(samples[i++ & 0xffff]);
  }
  benchmark::DoNotOptimize(h.TotalCount());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Record);

// Two histograms as a 5-minute cell at ~3,000 req/s would fill.
void BM_MergeFiveMinuteHistograms(benchmark::State& state) {
  const std::vector<int64_t> samples = LogNormalSamples(900'000);
  Histogram a, b;
  for (size_t i = 0; i < samples.size(); ++i) (i % 2 ? a : b).Record(samples[i]);
  for (auto _ : state) {
    Histogram target = a;
    benchmark::DoNotOptimize(target.Merge(b));
  }
}
BENCHMARK(BM_MergeFiveMinuteHistograms)->Unit(benchmark::kMicrosecond);

void BM_EncodedSize(benchmark::State& state) {
  const std::vector<int64_t> samples = LogNormalSamples(1'000'000);
  Histogram h;
  for (int64_t s : samples) h.Record(s);
  size_t bytes = 0;
  for (auto _ : state) {
    v1::Histogram proto;
    h.ToProto(&proto);
    bytes = proto.ByteSizeLong();
    benchmark::DoNotOptimize(bytes);
  }
  state.counters["encoded_bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_EncodedSize)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace gop

BENCHMARK_MAIN();
