#include "common/result_file.h"

#include <gtest/gtest.h>

#include "absl/time/time.h"
#include "common/histogram.h"
#include "gop/v1/histogram.pb.h"

namespace gop {
namespace {

using nlohmann::json;

const absl::Time kFinished = absl::FromUnixSeconds(1796316000);  // 2026-12-03T16:40:00Z

v1::CellConfig Cell(double cpu, int wt, int db, int rep) {
  v1::CellConfig cell;
  cell.set_cell_id("cell");
  cell.set_cpu_limit(cpu);
  cell.set_web_threads(wt);
  cell.set_db_pool(db);
  cell.set_repetition(rep);
  cell.set_web_thread_multiplier(1.5);
  cell.set_db_pool_multiplier(2);
  cell.mutable_load()->set_scenario("crud");
  cell.mutable_load()->set_executor(v1::EXECUTOR_CONSTANT_VUS);
  cell.mutable_load()->set_vus(6);
  cell.mutable_load()->set_duration_ms(30000);
  return cell;
}

Histogram Latencies(int64_t base_us, int n) {
  Histogram h;
  for (int i = 0; i < n; ++i) h.Record(base_us + (i * 37) % 5000);
  return h;
}

TEST(ResultFileNameTest, SeedLayoutWithRepetitionAndUtcStamp) {
  EXPECT_EQ(ResultFileName(Cell(2, 3, 4, 1), kFinished),
            "test_cpu2_wt3_db4_rep1_20261203T164000Z.json");
  EXPECT_EQ(ResultFileName(Cell(0.5, 1, 2, 3), kFinished),
            "test_cpu0.5_wt1_db2_rep3_20261203T164000Z.json");
}

TEST(ResultFileTest, RoundTripKeepsFiguresAndHistograms) {
  v1::CellResult result;
  result.set_cell_id("cpu2_wt3_db4_rep1");
  result.set_attempt(2);
  result.set_agent_id("agent-a");
  result.set_ok(true);
  result.set_measured_seconds(30);
  result.set_cpu_limit_mechanism("cgroup2");
  result.add_warnings("cpu affinity fallback");
  const Histogram overall = Latencies(1000, 3000);
  overall.ToProto(result.mutable_overall()->mutable_latency());
  result.mutable_overall()->set_requests(3000);
  result.mutable_overall()->set_errors(3);
  (*result.mutable_overall()->mutable_status_counts())[200] = 2997;
  (*result.mutable_overall()->mutable_error_kinds())["timeout"] = 3;
  v1::OperationStats* op = result.add_operations();
  op->set_name("POST Patient");
  op->set_requests(1000);
  Latencies(2000, 1000).ToProto(op->mutable_latency());

  const json doc = RenderResultFile(Cell(2, 3, 4, 1), result, kFinished);
  EXPECT_EQ(doc["timestamp"], "2026-12-03T16:40:00Z");
  EXPECT_EQ(doc["k6_results"]["status"], "success");
  EXPECT_DOUBLE_EQ(doc["k6_results"]["avg_rps"].get<double>(), 100.0);
  EXPECT_DOUBLE_EQ(doc["k6_results"]["p99_latency_ms"].get<double>(),
                   overall.ValueAtPercentile(99) / 1000.0);
  EXPECT_EQ(doc["k6_results"]["raw_metrics"]["http_reqs"]["count"], 3000);

  // Through text, as the coordinator writes and analysis reads it.
  absl::StatusOr<CellRecord> r = ParseResultFile(json::parse(doc.dump()));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->cpu_limit, 2);
  EXPECT_EQ(r->web_threads, 3);
  EXPECT_EQ(r->db_pool, 4);
  EXPECT_EQ(r->repetition, 1);
  EXPECT_EQ(r->web_thread_multiplier, 1.5);
  EXPECT_EQ(r->db_pool_multiplier, 2);
  EXPECT_TRUE(r->ok);
  EXPECT_FALSE(r->percentiles_as_given);
  EXPECT_DOUBLE_EQ(r->rps, 100.0);
  EXPECT_EQ(r->requests, 3000);
  EXPECT_EQ(r->errors, 3);
  EXPECT_EQ(r->measured_seconds, 30);
  ASSERT_TRUE(r->latency.has_value());
  EXPECT_TRUE(*r->latency == overall);
  ASSERT_EQ(r->operations.size(), 1u);
  EXPECT_EQ(r->operations[0].name, "POST Patient");
  EXPECT_TRUE(*r->operations[0].latency == Latencies(2000, 1000));
  EXPECT_EQ(r->status_counts.at(200), 2997);
  EXPECT_EQ(r->error_kinds.at("timeout"), 3);
  EXPECT_EQ(r->agent_id, "agent-a");
  EXPECT_EQ(r->attempt, 2);
  EXPECT_EQ(r->cpu_limit_mechanism, "cgroup2");
  EXPECT_EQ(r->warnings, std::vector<std::string>{"cpu affinity fallback"});
  EXPECT_EQ(r->scenario, "crud");
  EXPECT_EQ(r->executor, "constant-vus");
  EXPECT_EQ(r->vus, 6);
  EXPECT_EQ(r->duration_s, 30);
  ASSERT_TRUE(r->finished.has_value());
  EXPECT_EQ(*r->finished, kFinished);
}

TEST(ResultFileTest, FailedCellKeepsItsReason) {
  v1::CellResult result;
  result.set_ok(false);
  result.set_failure_reason("target not healthy within 60s");
  const json doc = RenderResultFile(Cell(1, 1, 2, 1), result, kFinished);
  EXPECT_EQ(doc["k6_results"]["status"], "failed");
  absl::StatusOr<CellRecord> r = ParseResultFile(doc);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->ok);
  EXPECT_EQ(r->failure_reason, "target not healthy within 60s");
}

TEST(ResultFileTest, SuccessWithoutMeasurementsIsAFailure) {
  v1::CellResult result;
  result.set_ok(true);
  Histogram().ToProto(result.mutable_overall()->mutable_latency());
  absl::StatusOr<CellRecord> r =
      ParseResultFile(RenderResultFile(Cell(1, 1, 2, 1), result, kFinished));
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_FALSE(r->ok);
  EXPECT_EQ(r->failure_reason, "no request completed in the measured phase");
}

TEST(ResultFileTest, ReadsSeedFilesWithKeyVariantsAsGiven) {
  const json doc = json::parse(R"json({
    "timestamp": "2024-12-03T16:40:23.123456",
    "configuration": {"cpus": "4", "web_threads": 6, "db_pool": 12},
    "k6_results": {"status": "success", "avg_rps": 3094.02, "p99_latency_ms": 7.5,
      "raw_metrics": {"metrics": {
        "http_reqs": {"count": 928206, "rate": 3094.02},
        "http_req_duration": {"avg": 2.5, "p(95)": 5.25}}}}})json");
  absl::StatusOr<CellRecord> r = ParseResultFile(doc);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->cpu_limit, 4);
  EXPECT_EQ(r->web_threads, 6);
  EXPECT_EQ(r->db_pool, 12);
  EXPECT_TRUE(r->ok);
  EXPECT_TRUE(r->percentiles_as_given);
  EXPECT_FALSE(r->latency.has_value());
  EXPECT_DOUBLE_EQ(r->rps, 3094.02);
  EXPECT_EQ(r->requests, 928206);
  EXPECT_NEAR(r->measured_seconds, 300, 0.01);
  EXPECT_EQ(r->given_p99_ms, 7.5);
  EXPECT_EQ(r->given_p95_ms, 5.25);
  EXPECT_EQ(r->given_avg_ms, 2.5);
  EXPECT_TRUE(r->finished.has_value());
}

TEST(ResultFileTest, ReadsK6HandleSummaryValuesNesting) {
  const json doc = json::parse(R"json({
    "configuration": {"cpu_limit": 2, "web_threads": 3, "db_pool_size": 4},
    "k6_results": {"status": "success", "raw_metrics": {
      "http_reqs": {"type": "counter", "values": {"count": 600, "rate": 20}},
      "http_req_duration": {"type": "trend", "values": {"avg": 3, "p(95)": 6, "p(99)": 9}}}}})json");
  absl::StatusOr<CellRecord> r = ParseResultFile(doc);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->rps, 20);
  EXPECT_EQ(r->requests, 600);
  EXPECT_EQ(r->given_p99_ms, 9);
  EXPECT_EQ(r->given_p95_ms, 6);
}

TEST(ResultFileTest, RejectsWhatItCannotUse) {
  struct Case {
    const char* doc;
    const char* message;
  } cases[] = {
      {R"([1, 2])", "not a JSON object"},
      {R"({"k6_results": {}})", "configuration"},
      {R"({"configuration": {"cpu_limit": 2}, "k6_results": {}})", "web_threads db_pool_size"},
      {R"({"configuration": {"cpu_limit": 2, "web_threads": 0, "db_pool_size": 4},
           "k6_results": {}})", "out of range"},
      {R"({"configuration": {"cpu_limit": 2, "web_threads": 3, "db_pool_size": 4}})",
       "k6_results"},
      {R"({"configuration": {"cpu_limit": 2, "web_threads": 3, "db_pool_size": 4},
           "k6_results": {"status": "success", "avg_rps": 10}})", "neither a histogram"},
      {R"({"configuration": {"cpu_limit": 2, "web_threads": 3, "db_pool_size": 4},
           "k6_results": {"status": "success"}, "gop": {"histogram": "%%%"}})",
       "gop.histogram: invalid base64"},
      {R"({"configuration": {"cpu_limit": 2, "web_threads": 3, "db_pool_size": 4},
           "k6_results": {"status": "success"}, "gop": {"histogram": "AAAA"}})",
       "gop.histogram"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<CellRecord> r = ParseResultFile(json::parse(c.doc));
    ASSERT_FALSE(r.ok()) << c.doc;
    EXPECT_NE(r.status().message().find(c.message), std::string::npos)
        << c.doc << " -> " << r.status();
  }
}

}  // namespace
}  // namespace gop
