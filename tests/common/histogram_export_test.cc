#include "common/histogram_export.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace gop {
namespace {

// A deterministic, skewed set of latencies (no RNG, so the golden file does
// not depend on the standard library's distributions).
Histogram GoldenHistogram() {
  Histogram h;
  for (int64_t i = 1; i <= 20'000; ++i) {
    const int64_t base = 200 + (i * 7919) % 1800;           // 0.2 .. 2 ms body
    const int64_t tail = (i % 97 == 0) ? (i % 50) * 1000 : 0;  // a few slow ones
    h.Record(base + tail);
  }
  return h;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(HistogramExportTest, HgrmMatchesGoldenFile) {
  const std::string path = std::string(GOP_TESTDATA_DIR) + "/golden.hgrm";
  const std::string actual = ToHgrm(GoldenHistogram());
  if (std::getenv("GOP_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path) << actual;
  }
  EXPECT_EQ(actual, ReadFile(path)) << "regenerate with GOP_UPDATE_GOLDEN=1 if the change is intended";
}

TEST(HistogramExportTest, HgrmEndsAtHundredPercentWithTotals) {
  const std::string text = ToHgrm(GoldenHistogram());
  EXPECT_NE(text.find("1.000000000000      20000\n"), std::string::npos);
  EXPECT_NE(text.find("#[Max     =       50.981, Total count    =        20000]"), std::string::npos) << text;
  EXPECT_NE(text.find("#[Buckets =           22, SubBuckets     =         2048]"), std::string::npos);
}

TEST(HistogramExportTest, EmptyHistogramHasOnlyHeaderAndFooter) {
  const std::string text = ToHgrm(Histogram());
  EXPECT_EQ(text.find("0.000000000000"), std::string::npos);
  EXPECT_NE(text.find("Total count    =            0"), std::string::npos);
}

TEST(HistogramExportTest, SummaryJsonInMilliseconds) {
  Histogram h;
  for (int v = 1; v <= 1000; ++v) h.Record(v * 100);  // 0.1 .. 100 ms
  const nlohmann::json j = ToSummaryJson(h);
  EXPECT_EQ(j["count"], 1000);
  EXPECT_DOUBLE_EQ(j["min_ms"].get<double>(), 0.1);
  EXPECT_DOUBLE_EQ(j["max_ms"].get<double>(), 100.0);
  EXPECT_NEAR(j["p99_ms"].get<double>(), 99.0, 0.1);
  EXPECT_NEAR(j["p50_ms"].get<double>(), 50.0, 0.05);
}

}  // namespace
}  // namespace gop
