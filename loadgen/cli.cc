#include "loadgen/cli.h"

#include <atomic>
#include <csignal>
#include <fstream>
#include <ostream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "loadgen/data_dir.h"
#include "loadgen/load_runner.h"
#include "loadgen/progress_line.h"
#include "loadgen/result_export.h"
#include "loadgen/scenario.h"
#include "nlohmann/json.hpp"

namespace gop::loadgen {

namespace {

std::atomic<bool> g_interrupted{false};

void OnSigint(int) { g_interrupted.store(true); }

bool ParseDurationFlag(const std::string& text, absl::Duration* out) {
  double secs;
  if (absl::SimpleAtod(text, &secs)) {  // a bare number means seconds
    *out = absl::Seconds(secs);
    return true;
  }
  return absl::ParseDuration(text, out);
}

absl::Status WriteJson(const std::filesystem::path& path, const nlohmann::json& j) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << j.dump(2) << "\n";
  if (!f) return absl::InternalError(absl::StrCat("cannot write ", path.string()));
  return absl::OkStatus();
}

}  // namespace

std::string UsageText() {
  return R"(gop-load: an event-driven HTTP/1.1 load generator for FHIR servers.

usage: gop-load --url URL [--scenario NAME] [--vus N] [--duration 30s] [options]

load:
  --url URL               base URL, http://host[:port][/path] (required)
  --scenario NAME         scenarios/NAME.yaml: crud (default), search, transaction,
                          get (one GET of --url itself per iteration)
  --executor NAME         constant-vus (default), constant-arrival-rate,
                          per-vu-iterations
  --vus N                 virtual users (default 300); open model: VUs kept ready
  --rate N                iterations per second (implies constant-arrival-rate)
  --max-vus N             open-model VU cap (default max(vus, 100))
  --iterations N          per VU, for per-vu-iterations (default 1)
  --duration D            measured phase (default 30s; 30s, 5m, 1h, 500ms)
  --warmup D              load before measuring, discarded (default 0)
  --prewarm-iterations N  per VU before the warm-up (default 0)
  --graceful-stop D       time for in-flight iterations at the end (default 30s)
  --max-start-lag D       open model: drop an iteration that cannot start
                          this long after its intended start (default 2s)
  --threads N             event-loop threads (default: cores)
  --auth SPEC             basic:USER:SECRET or bearer:TOKEN
  --connect-timeout D     default 5s
  --timeout D             request timeout, default 60s
  --data-dir DIR          holds scenarios/ and seeds/ (default: $GOP_DATA_DIR,
                          else found upwards from the executable)
output:
  --summary-export FILE   k6's summary-export JSON shape
  --summary-json FILE     gop's JSON summary (per operation, timeline)
  --hgrm-dir DIR          HdrHistogram .hgrm files per operation
  --json                  print gop's JSON summary on stdout instead of a table
  --quiet                 no live status line
  --help                  this text

exit codes: 0 done, 1 run failed (e.g. target unreachable), 2 bad usage.
)";
}

absl::StatusOr<CliOptions> ParseCommandLine(const std::vector<std::string>& args) {
  CliOptions o;
  std::vector<std::string> problems;
  bool executor_given = false;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string flag = args[i];
    std::string value;
    bool has_inline = false;
    if (size_t eq = flag.find('='); flag.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
      has_inline = true;
    }
    if (flag == "--help" || flag == "-h") {
      o.help = true;
      continue;
    }
    if (flag == "--json") {
      o.json = true;
      continue;
    }
    if (flag == "--quiet" || flag == "-q") {
      o.quiet = true;
      continue;
    }
    if (!has_inline) {
      if (i + 1 >= args.size()) {
        problems.push_back(absl::StrCat(flag, " needs a value"));
        break;
      }
      value = args[++i];
    }
    auto to_int = [&](int* out) {
      if (!absl::SimpleAtoi(value, out)) problems.push_back(absl::StrCat(flag, ": not a number: ", value));
    };
    auto to_duration = [&](absl::Duration* out) {
      if (!ParseDurationFlag(value, out)) {
        problems.push_back(absl::StrCat(flag, ": not a duration (30s, 5m): ", value));
      }
    };
    if (flag == "--url") {
      o.load.base_url = value;
    } else if (flag == "--scenario") {
      o.scenario = value;
    } else if (flag == "--executor") {
      absl::StatusOr<Executor> e = ParseExecutor(value);
      if (e.ok()) {
        o.load.executor = *e;
        executor_given = true;
      } else {
        problems.push_back(std::string(e.status().message()));
      }
    } else if (flag == "--vus") {
      to_int(&o.load.vus);
    } else if (flag == "--rate") {
      if (!absl::SimpleAtod(value, &o.load.rate)) problems.push_back(absl::StrCat("--rate: not a number: ", value));
    } else if (flag == "--max-vus") {
      to_int(&o.load.max_vus);
    } else if (flag == "--iterations") {
      to_int(&o.load.iterations);
    } else if (flag == "--duration") {
      to_duration(&o.load.duration);
    } else if (flag == "--warmup") {
      to_duration(&o.load.warmup);
    } else if (flag == "--prewarm-iterations") {
      to_int(&o.load.prewarm_iterations);
    } else if (flag == "--graceful-stop") {
      to_duration(&o.load.graceful_stop);
    } else if (flag == "--max-start-lag") {
      to_duration(&o.load.max_start_lag);
    } else if (flag == "--threads") {
      to_int(&o.load.threads);
    } else if (flag == "--auth") {
      o.load.auth = value;
    } else if (flag == "--connect-timeout") {
      to_duration(&o.load.connect_timeout);
    } else if (flag == "--timeout") {
      to_duration(&o.load.request_timeout);
    } else if (flag == "--data-dir") {
      o.data_dir = value;
    } else if (flag == "--summary-export") {
      o.summary_export = value;
    } else if (flag == "--summary-json") {
      o.summary_json = value;
    } else if (flag == "--hgrm-dir") {
      o.hgrm_dir = value;
    } else {
      problems.push_back(absl::StrCat("unknown flag ", flag));
    }
  }
  if (!executor_given && o.load.rate > 0) o.load.executor = Executor::kConstantArrivalRate;
  if (o.load.executor == Executor::kConstantArrivalRate && !executor_given && o.load.vus == 300) {
    o.load.vus = 0;  // the closed-model default does not apply
  }
  if (!o.help) {
    if (!IsPlainName(o.scenario)) {
      problems.push_back(absl::StrCat("--scenario must be a plain name, not \"", o.scenario, "\""));
    }
    if (absl::Status st = Validate(o.load); !st.ok()) problems.push_back(std::string(st.message()));
  }
  if (!problems.empty()) return absl::InvalidArgumentError(absl::StrJoin(problems, "; "));
  return o;
}

int RunCli(const std::vector<std::string>& args, const std::filesystem::path& executable,
           std::ostream& out, std::ostream& err, bool live) {
  absl::StatusOr<CliOptions> parsed = ParseCommandLine(args);
  if (!parsed.ok()) {
    err << "gop-load: " << parsed.status().message() << "\n(see gop-load --help)\n";
    return 2;
  }
  const CliOptions& o = *parsed;
  if (o.help) {
    out << UsageText();
    return 0;
  }
  absl::StatusOr<std::filesystem::path> data_dir = FindDataDir(o.data_dir, executable);
  if (!data_dir.ok()) {
    err << "gop-load: " << data_dir.status().message() << "\n";
    return 2;
  }
  absl::StatusOr<Scenario> scenario = LoadScenario(o.scenario, *data_dir);
  if (!scenario.ok()) {
    err << "gop-load: " << scenario.status().message() << "\n";
    return 2;
  }
  absl::StatusOr<std::unique_ptr<LoadRunner>> runner = LoadRunner::Create(*std::move(scenario), o.load);
  if (!runner.ok()) {
    err << "gop-load: " << runner.status().message() << "\n";
    return runner.status().code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
  }
  g_interrupted.store(false);
  auto previous = std::signal(SIGINT, OnSigint);
  bool show = live && !o.quiet;
  LoadRunner* r = runner->get();
  absl::StatusOr<LoadResult> result = r->Run([&](const ProgressSample& s) {
    if (g_interrupted.load()) r->Cancel();
    if (show) err << "\r" << FormatProgressLine(s) << "\x1b[K" << std::flush;
  });
  std::signal(SIGINT, previous);
  if (show) err << "\n";
  if (!result.ok()) {
    err << "gop-load: " << result.status().message() << "\n";
    return 1;
  }
  int code = 0;
  auto report = [&](const absl::Status& st) {
    if (!st.ok()) {
      err << "gop-load: " << st.message() << "\n";
      code = 1;
    }
  };
  if (!o.summary_export.empty()) report(WriteJson(o.summary_export, ToK6SummaryJson(*result)));
  if (!o.summary_json.empty()) report(WriteJson(o.summary_json, ToSummaryJson(*result)));
  if (!o.hgrm_dir.empty()) report(WriteHgrmFiles(*result, o.hgrm_dir));
  if (o.json) {
    out << ToSummaryJson(*result).dump(2) << "\n";
  } else {
    out << FormatTextSummary(*result);
  }
  return code;
}

}  // namespace gop::loadgen
