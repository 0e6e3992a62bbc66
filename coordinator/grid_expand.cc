#include "coordinator/grid_expand.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"

namespace gop {
namespace {

// Distance within which a value counts as exactly halfway between integers.
constexpr double kHalfTolerance = 1e-9;

struct Config {
  double cpu;
  int web_threads;
  int db_pool;
  double web_multiplier;  // 0 for explicit cells
  double db_multiplier;   // 0 for explicit cells
};

v1::LoadSpec MakeLoad(const GridSpec& spec, int web_threads) {
  v1::LoadSpec load;
  load.set_scenario(spec.scenario);
  load.set_executor(spec.executor);
  if (spec.executor == v1::EXECUTOR_CONSTANT_ARRIVAL_RATE) {
    load.set_rate(spec.rate);
    int max_vus = spec.max_vus;
    if (max_vus == 0) {
      max_vus =
          std::max(2 * web_threads, static_cast<int>(std::ceil(spec.rate)));
    }
    load.set_max_vus(max_vus);
  } else {
    load.set_vus(spec.vus > 0 ? spec.vus : 2 * web_threads);
  }
  load.set_duration_ms(absl::ToInt64Milliseconds(spec.duration));
  load.set_warmup_ms(absl::ToInt64Milliseconds(spec.warmup));
  load.set_prewarm_iterations(spec.prewarm);
  load.set_graceful_stop_ms(absl::ToInt64Milliseconds(spec.graceful_stop));
  return load;
}

}  // namespace

int RoundHalfEven(double value) {
  const double floor = std::floor(value);
  const double fraction = value - floor;
  double rounded;
  if (std::fabs(fraction - 0.5) <= kHalfTolerance) {
    rounded = std::fmod(floor, 2.0) == 0.0 ? floor : floor + 1.0;
  } else {
    rounded = fraction < 0.5 ? floor : floor + 1.0;
  }
  // Callers validate ranges; clamp so absurd input cannot overflow.
  rounded =
      std::clamp(rounded, static_cast<double>(std::numeric_limits<int>::min()),
                 static_cast<double>(std::numeric_limits<int>::max()));
  return static_cast<int>(rounded);
}

std::string FormatCpu(double cpu) {
  char buffer[400];  // fixed notation of any double fits
  // Fixed notation, shortest digits that read back: never "1e+06".
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof(buffer), cpu,
                                 std::chars_format::fixed);
  if (ec != std::errc()) return absl::StrCat(cpu);
  return std::string(buffer, end);
}

std::string CellId(double cpu, int web_threads, int db_pool, int repetition) {
  return absl::StrCat("cpu", FormatCpu(cpu), "_wt", web_threads, "_db", db_pool,
                      "_rep", repetition);
}

std::vector<v1::CellConfig> ExpandGrid(const GridSpec& spec) {
  std::vector<Config> configs;
  std::set<std::tuple<double, int, int>> seen;
  auto add = [&](const Config& config) {
    if (seen.emplace(config.cpu, config.web_threads, config.db_pool).second) {
      configs.push_back(config);
    }
  };
  for (double cpu : spec.cpu_limits) {
    for (double m_web : spec.web_thread_multipliers) {
      const int web_threads = RoundHalfEven(cpu * m_web);
      for (double m_db : spec.db_pool_multipliers) {
        add({cpu, web_threads, RoundHalfEven(web_threads * m_db), m_web, m_db});
      }
    }
  }
  for (const ExplicitCell& cell : spec.cells) {
    add({cell.cpu, cell.web_threads, cell.db_pool, 0, 0});
  }

  std::vector<v1::CellConfig> cells;
  cells.reserve(configs.size() * std::max(spec.repetitions, 1));
  for (int rep = 1; rep <= spec.repetitions; ++rep) {
    for (const Config& config : configs) {
      v1::CellConfig& cell = cells.emplace_back();
      cell.set_cell_id(
          CellId(config.cpu, config.web_threads, config.db_pool, rep));
      cell.set_cpu_limit(config.cpu);
      cell.set_web_threads(config.web_threads);
      cell.set_db_pool(config.db_pool);
      cell.set_repetition(rep);
      cell.set_web_thread_multiplier(config.web_multiplier);
      cell.set_db_pool_multiplier(config.db_multiplier);
      *cell.mutable_load() = MakeLoad(spec, config.web_threads);
    }
  }
  return cells;
}

}  // namespace gop
