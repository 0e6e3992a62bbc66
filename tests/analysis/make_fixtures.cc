// Writes the result-file fixtures under tests/analysis/testdata/ (checked in;
// run again only when the set of cases changes):
//   build-analysis/tests/analysis/gop_analysis_make_fixtures tests/analysis/testdata
// Deterministic: no RNG, no clock. Each case is a run directory with result/
// and, where the case needs it, grid.yaml.
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "common/histogram.h"
#include "common/result_file.h"
#include "gop/v1/cell.pb.h"
#include "gop/v1/session.pb.h"

namespace {

namespace fs = std::filesystem;

// Cell figures the generator makes up.
struct Spec {
  double cpu;
  int wt;
  int db;
  double m_web = 0;
  double m_db = 0;
  int rep = 1;
  double rps = 0;        // req/s over 10 s
  double base_ms = 0;    // typical latency
  double tail = 0;       // how far the slowest values reach, x base
  bool ok = true;
  std::string failure;
  std::string agent = "agent-a";
};

// A skewed, deterministic latency sample: value i of n.
int64_t Latency(const Spec& s, int i, int n) {
  const double u = (i + 0.5) / n;
  // Golden-ratio scramble so operations get interleaved values.
  const double v = std::fmod(u * 0.6180339887 * 7919, 1.0);
  const double ms = s.base_ms * (0.6 + 0.8 * v + s.tail * std::pow(v, 40));
  return static_cast<int64_t>(ms * 1000);
}

absl::Time kStart = absl::FromUnixSeconds(1796316000);  // 2026-12-03T16:40:00Z

void Write(const fs::path& run, const Spec& s, int index) {
  gop::v1::CellConfig cell;
  cell.set_cell_id(absl::StrCat("cpu", gop::FormatCpuLimit(s.cpu), "_wt", s.wt, "_db", s.db,
                                "_rep", s.rep));
  cell.set_cpu_limit(s.cpu);
  cell.set_web_threads(s.wt);
  cell.set_db_pool(s.db);
  cell.set_repetition(s.rep);
  cell.set_web_thread_multiplier(s.m_web);
  cell.set_db_pool_multiplier(s.m_db);
  gop::v1::LoadSpec* load = cell.mutable_load();
  load->set_scenario("crud");
  load->set_executor(gop::v1::EXECUTOR_CONSTANT_VUS);
  load->set_vus(2 * s.wt);
  load->set_duration_ms(10000);

  gop::v1::CellResult r;
  r.set_cell_id(cell.cell_id());
  r.set_attempt(1);
  r.set_agent_id(s.agent);
  r.set_ok(s.ok);
  r.set_cpu_limit_mechanism("cgroup2");
  if (!s.ok) {
    r.set_failure_reason(s.failure);
    r.set_target_logs("minibox: could not connect to server\n");
  } else {
    r.set_measured_seconds(10);
    const int n = static_cast<int>(s.rps * 10);
    gop::Histogram overall, post, get;
    for (int i = 0; i < n; ++i) {
      const int64_t v = Latency(s, i, n);
      overall.Record(v);
      (i % 3 == 0 ? post : get).Record(v);
    }
    gop::v1::OperationStats* o = r.mutable_overall();
    o->set_name("all");
    overall.ToProto(o->mutable_latency());
    o->set_requests(n);
    o->set_errors(n / 1000);
    (*o->mutable_status_counts())[200] = n - n / 1000;
    (*o->mutable_status_counts())[500] = n / 1000;
    (*o->mutable_error_kinds())["status"] = n / 1000;
    gop::v1::OperationStats* p = r.add_operations();
    p->set_name("POST Patient");
    post.ToProto(p->mutable_latency());
    p->set_requests(post.TotalCount());
    gop::v1::OperationStats* g = r.add_operations();
    g->set_name("GET Patient");
    get.ToProto(g->mutable_latency());
    g->set_requests(get.TotalCount());
    g->set_errors(n / 1000);
    r.set_iterations(n / 3);
    r.set_target_cpu_seconds(s.cpu * 9.5);
  }
  const absl::Time finished = kStart + absl::Minutes(index);
  const fs::path dir = run / "result";
  fs::create_directories(dir);
  std::ofstream(dir / gop::ResultFileName(cell, finished))
      << gop::RenderResultFile(cell, r, finished).dump(2) << "\n";
}

void WriteText(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream(path) << text;
}

// A made-up but plausible response surface: more threads help up to ~1.5 x
// cpu, a pool smaller than 2 x threads hurts, latency grows with threads.
Spec Surface(double cpu, double m_web, double m_db, int wt, int db) {
  const double t = wt / cpu;
  const double p = static_cast<double>(db) / wt;
  Spec s{.cpu = cpu, .wt = wt, .db = db, .m_web = m_web, .m_db = m_db};
  s.rps = std::round(350 * cpu * (1 - 0.25 * (t - 1.5) * (t - 1.5)) * (p >= 2 ? 1.0 : 0.9));
  s.base_ms = 2.0 + 1.5 * t + (p >= 2 ? 0 : 1.0);
  s.tail = 4 + 2 * t;
  return s;
}

int RoundHalfEven(double v) { return static_cast<int>(std::nearbyint(v)); }

void GridCase(const fs::path& root) {
  const fs::path run = root / "grid";
  WriteText(run / "grid.yaml",
            "# short grid used by the analysis golden tests\n"
            "cpu_limits: [1, 2]\n"
            "web_thread_multipliers: [1, 1.5, 2]\n"
            "db_pool_multipliers: [1.5, 2]\n"
            "repetitions: 1\n"
            "duration: 10s\n"
            "scenario: crud\n");
  int index = 0;
  std::vector<std::pair<int, int>> seen;
  for (double cpu : {1.0, 2.0}) {
    seen.clear();
    for (double mw : {1.0, 1.5, 2.0}) {
      for (double md : {1.5, 2.0}) {
        const int wt = RoundHalfEven(cpu * mw);
        const int db = RoundHalfEven(wt * md);
        bool dup = false;
        for (auto& [w, d] : seen) dup |= (w == wt && d == db);
        if (dup) continue;  // duplicate cells collapse into one
        seen.push_back({wt, db});
        Spec s = Surface(cpu, mw, md, wt, db);
        s.agent = index % 2 == 0 ? "agent-a" : "agent-b";
        if (cpu == 2 && wt == 4 && db == 8) {
          s.ok = false;
          s.failure = "target not healthy within 60s";
        }
        Write(run, s, index++);
      }
    }
  }
}

// The seed's full grid shape (its README's multipliers) at two CPU limits:
// wide, sparse thread x pool matrices and dense multiplier views.
void ShowcaseCase(const fs::path& root) {
  const fs::path run = root / "showcase";
  WriteText(run / "grid.yaml",
            "cpu_limits: [2, 4]\n"
            "web_thread_multipliers: [1, 1.5, 2, 2.5, 3]\n"
            "db_pool_multipliers: [1.5, 2, 2.5, 3]\n"
            "repetitions: 1\n"
            "duration: 5m\n"
            "scenario: crud\n");
  int index = 0;
  for (double cpu : {2.0, 4.0}) {
    std::vector<std::pair<int, int>> seen;
    for (double mw : {1.0, 1.5, 2.0, 2.5, 3.0}) {
      for (double md : {1.5, 2.0, 2.5, 3.0}) {
        const int wt = RoundHalfEven(cpu * mw);
        const int db = RoundHalfEven(wt * md);
        bool dup = false;
        for (auto& [w, d] : seen) dup |= (w == wt && d == db);
        if (dup) continue;
        seen.push_back({wt, db});
        const double t = wt / cpu;
        const double p = static_cast<double>(db) / wt;
        Spec s{.cpu = cpu, .wt = wt, .db = db, .m_web = mw, .m_db = md};
        // Throughput peaks near 1.5 threads per core and a pool of 2-2.5 x
        // threads; latency grows with threads (queueing on the cores).
        s.rps = std::round(760 * cpu * (1 - 0.12 * (t - 1.5) * (t - 1.5)) *
                           (1 - 0.06 * (p - 2.1) * (p - 2.1))) +
                ((wt * 7 + db * 13) % 17) - 8;
        s.base_ms = 1.2 + 0.9 * t * t - 0.1 * p;
        s.tail = 3 + 1.5 * t;
        s.agent = index % 2 == 0 ? "agent-a" : "agent-b";
        Write(run, s, index++);
      }
    }
  }
}

void RepetitionsCase(const fs::path& root) {
  const fs::path run = root / "repetitions";
  int index = 0;
  // Two configurations whose req/s intervals overlap (a tie), one clearly slower.
  struct Row {
    int wt, db;
    double rps[3];
    double base;
  } rows[] = {{2, 4, {700, 720, 690}, 3.0}, {3, 6, {715, 705, 725}, 4.0}, {4, 8, {600, 610, 590}, 6.0}};
  for (const Row& row : rows) {
    for (int rep = 1; rep <= 3; ++rep) {
      Spec s{.cpu = 2, .wt = row.wt, .db = row.db, .m_web = row.wt / 2.0, .m_db = 2, .rep = rep};
      s.rps = row.rps[rep - 1];
      s.base_ms = row.base + 0.1 * rep;
      s.tail = 6;
      s.agent = rep == 2 ? "agent-b" : "agent-a";
      Write(run, s, index++);
    }
  }
}

void SingleCase(const fs::path& root) {
  Spec s = Surface(2, 1.5, 2, 3, 6);
  Write(root / "single", s, 0);
}

void MissingCase(const fs::path& root) {
  const fs::path run = root / "missing";
  WriteText(run / "grid.yaml",
            "cpu_limits: [2]\nweb_thread_multipliers: [1, 2]\ndb_pool_multipliers: [1, 2]\n");
  Write(run, Surface(2, 1, 1, 2, 2), 0);
  Write(run, Surface(2, 2, 2, 4, 8), 1);
}

void FailedCase(const fs::path& root) {
  const fs::path run = root / "all_failed";
  Spec a{.cpu = 1, .wt = 1, .db = 2, .m_web = 1, .m_db = 2, .ok = false,
         .failure = "no agent can take this cell: needs 1 cores"};
  Spec b{.cpu = 1, .wt = 2, .db = 4, .m_web = 2, .m_db = 2, .ok = false,
         .failure = "target exited with status 1"};
  Write(run, a, 0);
  Write(run, b, 1);
}

void CorruptCase(const fs::path& root) {
  const fs::path run = root / "corrupt";
  Write(run, Surface(2, 1, 2, 2, 4), 0);
  Write(run, Surface(2, 1.5, 2, 3, 6), 1);
  WriteText(run / "result" / "test_cpu2_wt4_db8_rep1_20261203T164200Z.json",
            "{\"timestamp\": \"2026-12-03T16:42:00Z\", \"configuration\": {\"cpu_limit\": 2,");
  WriteText(run / "result" / "test_cpu2_wt4_db6_rep1_20261203T164300Z.json",
            "{\"timestamp\": \"2026-12-03T16:43:00Z\",\n"
            " \"configuration\": {\"cpu_limit\": 2, \"web_threads\": 4, \"db_pool_size\": 6},\n"
            " \"k6_results\": {\"status\": \"success\", \"avg_rps\": 500, \"p99_latency_ms\": 9},\n"
            " \"gop\": {\"histogram\": \"***not base64***\"}}\n");
}

// Files as the seed's performance_test.py wrote them: a k6 --summary-export
// under raw_metrics, no histograms.
void SeedCase(const fs::path& root) {
  const fs::path run = root / "seed";
  struct Row {
    int wt, db;
    double rps, p99, p95, avg;
    int count;
  } rows[] = {{2, 3, 1402.5, 7.10, 5.50, 2.80, 420750},
              {2, 4, 1488.0, 6.02, 4.90, 2.60, 446400},
              {3, 4, 1596.15, 8.40, 6.10, 3.10, 478845},
              {3, 6, 1550.3, 7.90, 6.00, 3.00, 465090}};
  for (const Row& r : rows) {
    const std::string name =
        absl::StrCat("test_cpu2_wt", r.wt, "_db", r.db, "_20241203_1640", r.wt, r.db, ".json");
    WriteText(run / "result" / name,
              absl::StrCat(
                  "{\n  \"timestamp\": \"2024-12-03T16:40:", r.wt, r.db, ".123456\",\n",
                  "  \"configuration\": {\"cpus\": \"2\", \"web_threads\": ", r.wt,
                  ", \"db_pool\": ", r.db, "},\n",
                  "  \"k6_results\": {\n    \"status\": \"success\",\n    \"avg_rps\": ", r.rps,
                  ",\n    \"p99_latency_ms\": ", r.p99, ",\n    \"raw_metrics\": {\"metrics\": {\n",
                  "      \"http_reqs\": {\"count\": ", r.count, ", \"rate\": ", r.rps, "},\n",
                  "      \"http_req_duration\": {\"avg\": ", r.avg, ", \"min\": 0.9, \"med\": 2.1, ",
                  "\"max\": 120.5, \"p(90)\": 4.2, \"p(95)\": ", r.p95, "},\n",
                  "      \"checks\": {\"passes\": ", r.count, ", \"fails\": 0}\n    }}\n  }\n}\n"));
  }
  // A seed run that k6 reported as failed.
  WriteText(run / "result" / "test_cpu2_wt4_db6_20241203_164046.json",
            "{\"timestamp\": \"2024-12-03T16:40:46\", \"configuration\": {\"cpu_limit\": 2, "
            "\"web_threads\": 4, \"db_pool_size\": 6}, \"k6_results\": {\"status\": \"failed\", "
            "\"error\": \"k6 exited with code 99\"}}\n");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: gop_analysis_make_fixtures TESTDATA_DIR\n";
    return 2;
  }
  const fs::path root = argv[1];
  for (const char* c : {"grid", "showcase", "repetitions", "single", "missing", "all_failed", "corrupt", "seed"}) {
    fs::remove_all(root / c / "result");
  }
  GridCase(root);
  ShowcaseCase(root);
  RepetitionsCase(root);
  SingleCase(root);
  MissingCase(root);
  FailedCase(root);
  CorruptCase(root);
  SeedCase(root);
  return 0;
}
