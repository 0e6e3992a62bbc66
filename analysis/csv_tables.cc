#include "analysis/csv_tables.h"

#include <cmath>
#include <map>
#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/result_file.h"

namespace gop::analysis {
namespace {

const ConfigStats* Find(const std::vector<ConfigStats>& configs, const ConfigKey& key) {
  for (const ConfigStats& c : configs) {
    if (c.key == key) return &c;
  }
  return nullptr;
}

std::string Cell(const ConfigStats* c, Metric metric) {
  if (c == nullptr) return "N/A";
  if (!c->ok()) return "FAILED";
  return Fixed2(MetricValue(*c, metric));
}

double Round2(double v) { return std::round(v * 100) / 100; }

}  // namespace

std::string Fixed2(double value) { return absl::StrFormat("%.2f", value); }

std::string MetricMatrixCsv(const std::vector<ConfigStats>& configs, double cpu_limit,
                            Metric metric) {
  std::set<int> threads, pools;
  for (const ConfigStats& c : configs) {
    if (c.key.cpu_limit != cpu_limit) continue;
    threads.insert(c.key.web_threads);
    pools.insert(c.key.db_pool);
  }
  std::string out = "Web Threads / DB Pool";
  for (int pool : pools) absl::StrAppend(&out, ",", pool);
  out += "\n";
  for (int wt : threads) {
    absl::StrAppend(&out, wt);
    for (int pool : pools) {
      absl::StrAppend(&out, ",", Cell(Find(configs, {cpu_limit, wt, pool}), metric));
    }
    out += "\n";
  }
  return out;
}

std::string SummaryCsv(const std::vector<ConfigStats>& configs) {
  std::string out =
      "CPU Limit,Web Threads,DB Pool Size,Avg RPS,P99 Latency (ms),P95 Latency (ms),"
      "Avg Latency (ms),Total Requests\n";
  for (const ConfigStats& c : configs) {
    absl::StrAppend(&out, FormatCpuLimit(c.key.cpu_limit), ",", c.key.web_threads, ",",
                    c.key.db_pool, ",");
    if (c.ok()) {
      absl::StrAppend(&out, Fixed2(c.rps), ",", Fixed2(c.p99_ms), ",", Fixed2(c.p95_ms), ",",
                      Fixed2(c.avg_ms), ",", c.requests, "\n");
    } else {
      out += "FAILED,FAILED,FAILED,FAILED,0\n";
    }
  }
  return out;
}

std::string BestConfigurationsCsv(const std::vector<ConfigStats>& configs,
                                  const std::vector<CpuRecommendation>& recommendations) {
  std::string out = "CPU Limit,Metric,Best Web Threads,Best DB Pool Size,Value\n";
  for (const CpuRecommendation& rec : recommendations) {
    auto row = [&](const char* name, const Pick& pick, Metric metric) {
      if (pick.winner < 0) return;
      const ConfigStats& c = configs[pick.winner];
      absl::StrAppend(&out, FormatCpuLimit(rec.cpu_limit), ",", name, ",", c.key.web_threads,
                      ",", c.key.db_pool, ",", Fixed2(MetricValue(c, metric)), "\n");
    };
    row("Best RPS", rec.throughput, Metric::kAvgRps);
    row("Best P99 Latency", rec.latency, Metric::kP99Latency);
  }
  return out;
}

std::string MultiplierMatrixCsv(const std::vector<ConfigStats>& configs, double cpu_limit,
                                Metric metric, const RunSettings& settings) {
  // (web multiplier, db multiplier) -> configuration it produced.
  std::map<std::pair<double, double>, ConfigKey> cells;
  std::set<double> web, db;
  if (!settings.web_thread_multipliers.empty() && !settings.db_pool_multipliers.empty()) {
    for (double mw : settings.web_thread_multipliers) {
      for (double md : settings.db_pool_multipliers) {
        const int wt = RoundHalfEven(cpu_limit * mw);
        cells[{mw, md}] = ConfigKey{cpu_limit, wt, RoundHalfEven(wt * md)};
        web.insert(mw);
        db.insert(md);
      }
    }
  }
  for (const ConfigStats& c : configs) {
    if (c.key.cpu_limit != cpu_limit) continue;
    double mw = c.web_thread_multiplier;
    double md = c.db_pool_multiplier;
    if (mw <= 0 || md <= 0) {
      mw = Round2(c.key.web_threads / cpu_limit);
      md = Round2(static_cast<double>(c.key.db_pool) / c.key.web_threads);
    }
    if (cells.contains({mw, md})) continue;
    cells[{mw, md}] = c.key;
    web.insert(mw);
    db.insert(md);
  }

  std::string out = "DB \\ WEB Pool multiplier";
  for (double mw : web) absl::StrAppend(&out, ",WEB ", mw, " X CPU");
  out += "\n";
  for (double md : db) {
    absl::StrAppend(&out, "DB ", md, " X WEB");
    for (double mw : web) {
      auto it = cells.find({mw, md});
      out += ",";
      out += it == cells.end() ? "N/A" : Cell(Find(configs, it->second), metric);
    }
    out += "\n";
  }
  return out;
}

}  // namespace gop::analysis
