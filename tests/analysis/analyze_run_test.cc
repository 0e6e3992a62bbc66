#include "analysis/analyze_run.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace gop::analysis {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Each case is a run directory under testdata/ (result/, maybe grid.yaml)
// whose every CSV and SVG output has a golden copy in testdata/<case>/golden/.
// GOP_UPDATE_GOLDEN=1 rewrites the golden copies from the current output.
class AnalyzeRunTest : public ::testing::Test {
 protected:
  void SetUp() override {
    out_ = fs::temp_directory_path() /
           ("gop-analysis-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(out_);
  }
  void TearDown() override { fs::remove_all(out_); }

  AnalysisSummary Analyze(const std::string& name) {
    AnalysisSummary summary;
    const absl::Status s = AnalyzeRun(fs::path(GOP_TESTDATA_DIR) / name / "result", out_, &summary);
    EXPECT_TRUE(s.ok()) << s;
    return summary;
  }

  void ExpectGolden(const std::string& name) {
    const fs::path golden = fs::path(GOP_TESTDATA_DIR) / name / "golden";
    std::set<std::string> produced;
    for (const auto& entry : fs::directory_iterator(out_)) {
      const std::string file = entry.path().filename().string();
      if (file != "report.html") produced.insert(file);
    }
    if (std::getenv("GOP_UPDATE_GOLDEN") != nullptr) {
      fs::remove_all(golden);
      fs::create_directories(golden);
      for (const std::string& file : produced) fs::copy_file(out_ / file, golden / file);
      return;
    }
    std::set<std::string> expected;
    for (const auto& entry : fs::directory_iterator(golden)) {
      expected.insert(entry.path().filename().string());
    }
    EXPECT_EQ(produced, expected) << "the set of output files changed";
    for (const std::string& file : produced) {
      if (!expected.contains(file)) continue;
      EXPECT_EQ(ReadFile(out_ / file), ReadFile(golden / file))
          << file << " differs from " << (golden / file).string()
          << "; regenerate with GOP_UPDATE_GOLDEN=1 if the change is intended";
    }
  }

  std::string Out(const std::string& file) { return ReadFile(out_ / file); }

  fs::path out_;
};

TEST_F(AnalyzeRunTest, GridWithDuplicatesUntestedAndFailedCells) {
  const AnalysisSummary s = Analyze("grid");
  ExpectGolden("grid");
  EXPECT_EQ(s.result_files, 9);
  EXPECT_EQ(s.configurations, 9);
  EXPECT_EQ(s.failed_configurations, 1);
  EXPECT_TRUE(s.corrupt_files.empty());
  EXPECT_EQ(s.report_path, out_ / "report.html");
  // The seed's layouts.
  EXPECT_EQ(Out("cpu_2_avg_rps.csv"),
            "Web Threads / DB Pool,3,4,6,8\n"
            "2,591.00,656.00,N/A,N/A\n"
            "3,N/A,630.00,700.00,N/A\n"
            "4,N/A,N/A,591.00,FAILED\n");
  EXPECT_EQ(Out("best_configurations.csv"),
            "CPU Limit,Metric,Best Web Threads,Best DB Pool Size,Value\n"
            "1,Best RPS,1,2,328.00\n"
            "1,Best P99 Latency,1,2,18.77\n"
            "2,Best RPS,3,6,700.00\n"
            "2,Best P99 Latency,2,4,18.99\n");
  // 3 x 1.5 = 4.5 rounds to 4 (half to even): cpu 2, web x1.5, db x1.5 -> 3 threads, pool 4.
  EXPECT_EQ(Out("cpu_2_throughput.csv"),
            "DB \\ WEB Pool multiplier,WEB 1 X CPU,WEB 1.5 X CPU,WEB 2 X CPU\n"
            "DB 1.5 X WEB,591.00,630.00,591.00\n"
            "DB 2 X WEB,656.00,700.00,FAILED\n");
  EXPECT_NE(Out("summary_all_tests.csv").find("2,4,8,FAILED,FAILED,FAILED,FAILED,0\n"),
            std::string::npos);
  ASSERT_EQ(s.best.size(), 6u);
  EXPECT_EQ(s.best[3].goal, "throughput");
  EXPECT_EQ(s.best[3].web_threads, 3);
  EXPECT_EQ(s.best[3].db_pool, 6);
  EXPECT_EQ(s.best[4].goal, "latency");
  EXPECT_EQ(s.best[5].goal, "balanced");
  // Equal req/s at cpu 1 (1x2 and 2x4 both 328): a tie, not a winner.
  EXPECT_TRUE(s.best[0].tie);

  const std::string html = Out("report.html");
  EXPECT_NE(html.find("target not healthy within 60s"), std::string::npos);
  EXPECT_NE(html.find("web_thread_multipliers: [1, 1.5, 2]"), std::string::npos);  // grid.yaml
  EXPECT_NE(html.find("agent-b"), std::string::npos);
  EXPECT_LT(html.find("Recommendation"), html.find("<svg"));
  // Self-contained: no scripts, nothing fetched.
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src=\"http"), std::string::npos);
  EXPECT_EQ(html.find("href=\"http"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
}

TEST_F(AnalyzeRunTest, SeedShapedGridHasDenseMultiplierViews) {
  const AnalysisSummary s = Analyze("showcase");
  ExpectGolden("showcase");
  EXPECT_EQ(s.result_files, 40);
  for (const char* file : {"cpu_2_throughput.csv", "cpu_4_throughput.csv",
                           "cpu_2_p99_latency_by_multiplier.csv"}) {
    const std::string csv = Out(file);
    EXPECT_EQ(csv.find("N/A"), std::string::npos) << file;
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 5) << file;  // header + 4 db multipliers
  }
  // The thread x pool matrices are sparse, as the seed's were.
  EXPECT_NE(Out("cpu_4_avg_rps.csv").find("N/A"), std::string::npos);
}

TEST_F(AnalyzeRunTest, RepetitionsGiveIntervalsAndATie) {
  const AnalysisSummary s = Analyze("repetitions");
  ExpectGolden("repetitions");
  EXPECT_EQ(s.result_files, 9);
  EXPECT_EQ(s.configurations, 3);
  ASSERT_EQ(s.best.size(), 3u);
  const BestConfiguration& throughput = s.best[0];
  EXPECT_EQ(throughput.web_threads, 3);
  EXPECT_TRUE(throughput.tie);
  EXPECT_EQ(throughput.tie_web_threads, 2);
  EXPECT_EQ(throughput.tie_db_pool, 4);
  EXPECT_NEAR(throughput.rps, 715, 1e-9);  // mean of 715, 705, 725
  EXPECT_FALSE(s.best[1].tie);             // latency winner is clear
  EXPECT_EQ(Out("cpu_2_avg_rps.csv"),
            "Web Threads / DB Pool,4,6,8\n"
            "2,703.33,N/A,N/A\n"
            "3,N/A,715.00,N/A\n"
            "4,N/A,N/A,600.00\n");
  const std::string html = Out("report.html");
  EXPECT_NE(html.find("Tie with 2 web threads, DB pool 4"), std::string::npos);
  EXPECT_NE(html.find("715.0 \u00b1 24.8"), std::string::npos);
  EXPECT_NE(FormatBestTable(s).find("tie with 2 web threads / DB pool 4"), std::string::npos);
}

TEST_F(AnalyzeRunTest, SingleCell) {
  const AnalysisSummary s = Analyze("single");
  ExpectGolden("single");
  ASSERT_EQ(s.best.size(), 3u);
  for (const BestConfiguration& b : s.best) {
    EXPECT_EQ(b.web_threads, 3);
    EXPECT_EQ(b.db_pool, 6);
    EXPECT_FALSE(b.tie);
  }
  EXPECT_EQ(Out("cpu_2_p99_latency.csv"), "Web Threads / DB Pool,6\n3,25.74\n");
}

TEST_F(AnalyzeRunTest, MissingCellsReadNA) {
  Analyze("missing");
  ExpectGolden("missing");
  EXPECT_EQ(Out("cpu_2_avg_rps.csv"),
            "Web Threads / DB Pool,2,8\n"
            "2,591.00,N/A\n"
            "4,N/A,656.00\n");
  EXPECT_EQ(Out("cpu_2_throughput.csv"),
            "DB \\ WEB Pool multiplier,WEB 1 X CPU,WEB 2 X CPU\n"
            "DB 1 X WEB,591.00,N/A\n"
            "DB 2 X WEB,N/A,656.00\n");
}

TEST_F(AnalyzeRunTest, AllCellsFailed) {
  const AnalysisSummary s = Analyze("all_failed");
  ExpectGolden("all_failed");
  EXPECT_EQ(s.failed_configurations, 2);
  EXPECT_TRUE(s.best.empty());
  EXPECT_EQ(Out("best_configurations.csv"),
            "CPU Limit,Metric,Best Web Threads,Best DB Pool Size,Value\n");
  const std::string html = Out("report.html");
  EXPECT_NE(html.find("no agent can take this cell: needs 1 cores"), std::string::npos);
  EXPECT_NE(html.find("target exited with status 1"), std::string::npos);
  EXPECT_NE(FormatBestTable(s).find("no successful configuration"), std::string::npos);
}

TEST_F(AnalyzeRunTest, CorruptFilesAreNamedAndTheRestAnalysed) {
  const AnalysisSummary s = Analyze("corrupt");
  ExpectGolden("corrupt");
  EXPECT_EQ(s.result_files, 2);
  ASSERT_EQ(s.corrupt_files.size(), 2u);
  EXPECT_EQ(s.corrupt_files[0].file, "test_cpu2_wt4_db6_rep1_20261203T164300Z.json");
  EXPECT_NE(s.corrupt_files[0].reason.find("base64"), std::string::npos);
  EXPECT_EQ(s.corrupt_files[1].file, "test_cpu2_wt4_db8_rep1_20261203T164200Z.json");
  EXPECT_EQ(s.corrupt_files[1].reason, "not valid JSON");
  const std::string html = Out("report.html");
  EXPECT_NE(html.find("test_cpu2_wt4_db8_rep1_20261203T164200Z.json"), std::string::npos);
  EXPECT_NE(html.find("Corrupt result file"), std::string::npos);
}

TEST_F(AnalyzeRunTest, SeedFilesUsePercentilesAsGiven) {
  const AnalysisSummary s = Analyze("seed");
  ExpectGolden("seed");
  EXPECT_EQ(s.result_files, 5);
  EXPECT_EQ(s.failed_configurations, 1);
  EXPECT_EQ(Out("best_configurations.csv"),
            "CPU Limit,Metric,Best Web Threads,Best DB Pool Size,Value\n"
            "2,Best RPS,3,4,1596.15\n"
            "2,Best P99 Latency,2,4,6.02\n");
  EXPECT_EQ(Out("cpu_2_p95_latency.csv"),
            "Web Threads / DB Pool,3,4,6\n"
            "2,5.50,4.90,N/A\n"
            "3,N/A,6.10,6.00\n"
            "4,N/A,N/A,FAILED\n");
  const std::string html = Out("report.html");
  EXPECT_NE(html.find("k6 percentiles as given"), std::string::npos);
  EXPECT_NE(html.find("k6 exited with code 99"), std::string::npos);
}

TEST_F(AnalyzeRunTest, ErrorsAndDefaults) {
  EXPECT_EQ(AnalyzeRun(out_ / "does-not-exist", out_ / "a", nullptr).code(),
            absl::StatusCode::kNotFound);
  fs::create_directories(out_ / "empty");
  const absl::Status empty = AnalyzeRun(out_ / "empty", out_ / "a", nullptr);
  EXPECT_EQ(empty.code(), absl::StatusCode::kNotFound);
  EXPECT_NE(empty.message().find("no result files"), std::string::npos);
  EXPECT_EQ(DefaultOutDir("/runs/r1/result"), fs::path("/runs/r1/analysis"));
  EXPECT_EQ(DefaultOutDir("/runs/r1/result/"), fs::path("/runs/r1/analysis"));
}

}  // namespace
}  // namespace gop::analysis
