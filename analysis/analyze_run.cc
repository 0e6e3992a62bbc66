#include "analysis/analyze_run.h"

#include <fstream>
#include <system_error>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "analysis/config_stats.h"
#include "analysis/csv_tables.h"
#include "analysis/heatmap_svg.h"
#include "analysis/html_report.h"
#include "analysis/line_chart_svg.h"
#include "analysis/recommendation.h"
#include "analysis/run_settings.h"
#include "analysis/spectrum_svg.h"

namespace gop::analysis {
namespace {

namespace fs = std::filesystem;

fs::path Normalized(const fs::path& dir) {
  std::error_code ec;
  fs::path p = fs::absolute(dir, ec).lexically_normal();
  if (ec) p = dir;
  if (p.filename().empty()) p = p.parent_path();
  return p;
}

class OutputDir {
 public:
  explicit OutputDir(fs::path dir) : dir_(std::move(dir)) {}

  absl::Status Write(const std::string& name, const std::string& content) {
    std::ofstream out(dir_ / name, std::ios::binary | std::ios::trunc);
    out << content;
    out.close();
    if (!out) {
      return absl::InternalError(absl::StrCat("cannot write ", (dir_ / name).string()));
    }
    written_.push_back(name);
    return absl::OkStatus();
  }

  const std::vector<std::string>& written() const { return written_; }

 private:
  fs::path dir_;
  std::vector<std::string> written_;
};

// The best configurations of one CPU limit, one curve per distinct
// configuration ("Throughput + balanced: 3 web threads, DB pool 4").
std::vector<SpectrumSeries> BestSeries(const std::vector<ConfigStats>& configs,
                                       const CpuRecommendation& rec) {
  std::vector<std::pair<int, std::vector<std::string>>> picks;
  auto add = [&](const Pick& pick, const char* goal) {
    if (pick.winner < 0) return;
    for (auto& [index, goals] : picks) {
      if (index == pick.winner) {
        goals.push_back(goal);
        return;
      }
    }
    picks.push_back({pick.winner, {goal}});
  };
  add(rec.throughput, "Throughput");
  add(rec.latency, "Latency");
  add(rec.balanced, "Balanced");
  std::vector<SpectrumSeries> series;
  for (const auto& [index, goals] : picks) {
    const ConfigStats& c = configs[index];
    std::string label = absl::StrCat(absl::StrJoin(goals, " + "), ": ", c.key.web_threads,
                                     c.key.web_threads == 1 ? " web thread" : " web threads", ", DB pool ",
                                     c.key.db_pool);
    series.push_back({label, c.latency.has_value() ? &*c.latency : nullptr});
  }
  return series;
}

void AddBest(const std::vector<ConfigStats>& configs, const CpuRecommendation& rec,
             const Pick& pick, const char* goal, AnalysisSummary* out) {
  if (pick.winner < 0) return;
  const ConfigStats& c = configs[pick.winner];
  BestConfiguration best{.cpu_limit = rec.cpu_limit,
                         .goal = goal,
                         .web_threads = c.key.web_threads,
                         .db_pool = c.key.db_pool,
                         .rps = c.rps,
                         .p99_ms = c.p99_ms,
                         .tie = pick.tie};
  if (pick.tie) {
    best.tie_web_threads = configs[pick.runner_up].key.web_threads;
    best.tie_db_pool = configs[pick.runner_up].key.db_pool;
  }
  out->best.push_back(best);
}

}  // namespace

fs::path DefaultOutDir(const fs::path& result_dir) {
  return Normalized(result_dir).parent_path() / "analysis";
}

absl::Status AnalyzeRun(const fs::path& result_dir, const fs::path& out_dir,
                        AnalysisSummary* out) {
  AnalysisSummary local;
  if (out == nullptr) out = &local;
  *out = AnalysisSummary{};
  const fs::path dir = Normalized(result_dir);

  absl::StatusOr<LoadedResults> loaded = LoadResultDir(dir);
  if (!loaded.ok()) return loaded.status();
  if (loaded->records.empty() && loaded->corrupt.empty()) {
    return absl::NotFoundError(absl::StrCat("no result files (*.json) in ", dir.string()));
  }

  ReportInput report;
  std::vector<ConfigStats> configs = AggregateConfigs(loaded->records, &report.warnings);
  std::vector<CpuRecommendation> recommendations;
  for (double cpu : CpuLimits(configs)) recommendations.push_back(Recommend(configs, cpu));
  const RunSettings settings = ReadRunSettings(dir.parent_path() / "grid.yaml");
  if (!settings.problem.empty()) {
    report.warnings.push_back(absl::StrCat("grid.yaml could not be read: ", settings.problem));
  }

  std::error_code ec;
  fs::create_directories(out_dir, ec);
  if (ec) {
    return absl::InternalError(
        absl::StrCat("cannot create output directory ", out_dir.string(), ": ", ec.message()));
  }
  OutputDir files(out_dir);
  for (const CpuRecommendation& rec : recommendations) {
    const double cpu = rec.cpu_limit;
    const std::string prefix = absl::StrCat("cpu_", FormatCpuLimit(cpu), "_");
    const std::pair<const char*, Metric> matrices[] = {
        {"avg_rps.csv", Metric::kAvgRps},
        {"p99_latency.csv", Metric::kP99Latency},
        {"p95_latency.csv", Metric::kP95Latency},
        {"avg_latency.csv", Metric::kAvgLatency}};
    for (const auto& [suffix, metric] : matrices) {
      if (absl::Status s = files.Write(prefix + suffix, MetricMatrixCsv(configs, cpu, metric));
          !s.ok()) {
        return s;
      }
    }
    if (absl::Status s = files.Write(prefix + "throughput.csv",
                                     MultiplierMatrixCsv(configs, cpu, Metric::kAvgRps, settings));
        !s.ok()) {
      return s;
    }
    if (absl::Status s =
            files.Write(prefix + "p99_latency_by_multiplier.csv",
                        MultiplierMatrixCsv(configs, cpu, Metric::kP99Latency, settings));
        !s.ok()) {
      return s;
    }
    CpuPictures pictures{
        .cpu_limit = cpu,
        .rps_heatmap = HeatmapSvg(configs, cpu, Metric::kAvgRps, rec.throughput),
        .p99_heatmap = HeatmapSvg(configs, cpu, Metric::kP99Latency, rec.latency),
        .rps_line_chart = RpsLineChartSvg(configs, cpu),
        .latency_spectrum = LatencySpectrumSvg(
            BestSeries(configs, rec),
            absl::StrCat("Latency by percentile \u2014 CPU limit ",
                         FormatCpuLimit(cpu)))};
    const std::pair<const char*, const std::string*> svgs[] = {
        {"rps_heatmap.svg", &pictures.rps_heatmap},
        {"p99_heatmap.svg", &pictures.p99_heatmap},
        {"rps_vs_web_threads.svg", &pictures.rps_line_chart},
        {"latency_spectrum.svg", &pictures.latency_spectrum}};
    for (const auto& [suffix, svg] : svgs) {
      if (absl::Status s = files.Write(prefix + suffix, *svg); !s.ok()) return s;
    }
    report.pictures.push_back(std::move(pictures));
  }
  if (absl::Status s = files.Write("summary_all_tests.csv", SummaryCsv(configs)); !s.ok()) {
    return s;
  }
  if (absl::Status s = files.Write("best_configurations.csv",
                                   BestConfigurationsCsv(configs, recommendations));
      !s.ok()) {
    return s;
  }

  report.result_dir = dir.string();
  report.loaded = &*loaded;
  report.configs = &configs;
  report.recommendations = &recommendations;
  report.settings = &settings;
  report.output_files = files.written();
  if (absl::Status s = files.Write("report.html", RenderHtmlReport(report)); !s.ok()) return s;

  out->out_dir = out_dir;
  out->report_path = out_dir / "report.html";
  out->files_written = files.written();
  out->result_files = static_cast<int>(loaded->records.size());
  out->configurations = static_cast<int>(configs.size());
  for (const ConfigStats& c : configs) out->failed_configurations += c.ok() ? 0 : 1;
  out->corrupt_files = loaded->corrupt;
  for (const CpuRecommendation& rec : recommendations) {
    AddBest(configs, rec, rec.throughput, "throughput", out);
    AddBest(configs, rec, rec.latency, "latency", out);
    AddBest(configs, rec, rec.balanced, "balanced", out);
  }
  return absl::OkStatus();
}

std::string FormatBestTable(const AnalysisSummary& summary) {
  std::string out = absl::StrFormat("%-9s %-11s %11s %8s %11s %11s  %s\n", "CPU limit", "Goal",
                                    "Web threads", "DB pool", "req/s", "p99 (ms)", "Note");
  for (const BestConfiguration& b : summary.best) {
    std::string note;
    if (b.tie) {
      note = absl::StrCat("tie with ", b.tie_web_threads, " web threads / DB pool ",
                          b.tie_db_pool);
    }
    absl::StrAppend(&out, absl::StrFormat("%-9s %-11s %11d %8d %11.2f %11.2f  %s\n",
                                          FormatCpuLimit(b.cpu_limit), b.goal, b.web_threads,
                                          b.db_pool, b.rps, b.p99_ms, note));
  }
  if (summary.best.empty()) out += "(no successful configuration)\n";
  return out;
}

}  // namespace gop::analysis
