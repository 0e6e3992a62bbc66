#include "loadgen/result_export.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "gmock/gmock.h"
#include "gop/v1/session.pb.h"
#include "gtest/gtest.h"
#include "loadgen/result_proto.h"
#include "nlohmann/json.hpp"

namespace gop::loadgen {
namespace {

namespace fs = std::filesystem;

// A small, fully deterministic result: two operations, one error kind.
LoadResult SampleResult() {
  LoadResult r;
  r.scenario = "crud";
  r.executor = Executor::kConstantArrivalRate;
  r.measured_seconds = 10;
  OperationStats post;
  post.name = "POST Patient";
  for (int i = 1; i <= 100; ++i) post.latency.Record(i * 1000);  // 1..100 ms
  post.requests = 101;
  post.errors = 1;
  post.status_counts = {{201, 100}};
  post.error_kinds = {{"timeout", 1}};
  post.bytes_sent = 50'500;
  post.bytes_received = 40'000;
  OperationStats get;
  get.name = "GET Patient";
  for (int i = 0; i < 100; ++i) get.latency.Record(2000);
  get.requests = 100;
  get.status_counts = {{200, 100}};
  get.bytes_sent = 10'000;
  get.bytes_received = 80'000;
  r.operations = {post, get};
  r.overall.name = "overall";
  (void)r.overall.Merge(post);
  (void)r.overall.Merge(get);
  for (int i = 0; i < 200; ++i) r.latency_uncorrected.Record(1500);
  r.iterations = 100;
  r.dropped_iterations = 3;
  r.checks_passed = 200;
  r.checks_failed = 1;
  r.max_vus_used = 8;
  r.timeline = {{0, 120, 1, 2000, 90000}, {1, 81, 0, 2000, 50000}};
  return r;
}

std::string Golden(const std::string& name) {
  std::ifstream in(fs::path(GOP_TESTDATA_DIR) / name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Compares with testdata/<name>; GOP_UPDATE_GOLDEN=1 rewrites it.
void ExpectGolden(const std::string& name, const std::string& actual) {
  if (std::getenv("GOP_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(fs::path(GOP_TESTDATA_DIR) / name) << actual;
  }
  EXPECT_EQ(actual, Golden(name)) << "rerun with GOP_UPDATE_GOLDEN=1 if the change is intended";
}

TEST(ResultExportTest, K6SummaryExportShape) {
  nlohmann::json k6 = ToK6SummaryJson(SampleResult());
  ExpectGolden("k6_summary.golden.json", k6.dump(2) + "\n");
  // What the seed's analysis reads.
  EXPECT_DOUBLE_EQ(k6["metrics"]["http_reqs"]["rate"].get<double>(), 20.1);
  EXPECT_EQ(k6["metrics"]["http_reqs"]["count"], 201);
  EXPECT_TRUE(k6["metrics"]["http_req_duration"].contains("p(99)"));
  EXPECT_TRUE(k6["metrics"]["http_req_duration"].contains("med"));
  EXPECT_EQ(k6["metrics"]["checks"]["fails"], 1);
  EXPECT_EQ(k6["metrics"]["iterations"]["count"], 100);
}

TEST(ResultExportTest, SummaryJson) {
  ExpectGolden("summary.golden.json", ToSummaryJson(SampleResult()).dump(2) + "\n");
}

TEST(ResultExportTest, TextSummary) {
  ExpectGolden("summary.golden.txt", FormatTextSummary(SampleResult()));
}

TEST(ResultExportTest, HgrmFilePerOperation) {
  fs::path dir = fs::path(::testing::TempDir()) / "gop-hgrm";
  fs::remove_all(dir);
  ASSERT_TRUE(WriteHgrmFiles(SampleResult(), dir).ok());
  for (const char* f : {"overall.hgrm", "overall_uncorrected.hgrm", "POST_Patient.hgrm",
                        "GET_Patient.hgrm"}) {
    EXPECT_TRUE(fs::exists(dir / f)) << f;
  }
  std::ifstream in(dir / "POST_Patient.hgrm");
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_THAT(ss.str(), ::testing::HasSubstr("Percentile"));
  EXPECT_THAT(ss.str(), ::testing::HasSubstr("#[Max"));
}

TEST(ResultExportTest, ToProtoFillsTheLoadFigures) {
  v1::CellResult cell;
  cell.set_cell_id("keep-me");
  ToProto(SampleResult(), &cell);
  EXPECT_EQ(cell.cell_id(), "keep-me");
  EXPECT_DOUBLE_EQ(cell.measured_seconds(), 10);
  EXPECT_EQ(cell.overall().requests(), 201);
  EXPECT_EQ(cell.overall().errors(), 1);
  EXPECT_EQ(cell.overall().error_kinds().at("timeout"), 1);
  EXPECT_EQ(cell.overall().status_counts().at(200), 100);
  ASSERT_EQ(cell.operations_size(), 2);
  EXPECT_EQ(cell.operations(0).name(), "POST Patient");
  EXPECT_EQ(cell.iterations(), 100);
  EXPECT_EQ(cell.dropped_iterations(), 3);
  ASSERT_EQ(cell.timeline_size(), 2);
  EXPECT_EQ(cell.timeline(0).p99_us(), 90000);
  absl::StatusOr<Histogram> h = Histogram::FromProto(cell.overall().latency());
  ASSERT_TRUE(h.ok()) << h.status();
  EXPECT_EQ(*h, SampleResult().overall.latency);
  absl::StatusOr<Histogram> u = Histogram::FromProto(cell.latency_uncorrected());
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->TotalCount(), 200);
}

}  // namespace
}  // namespace gop::loadgen
