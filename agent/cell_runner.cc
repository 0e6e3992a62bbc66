#include "agent/cell_runner.h"

#include <optional>

#include "absl/strings/str_cat.h"
#include "loadgen/load_result.h"
#include "loadgen/result_proto.h"
#include "loadgen/load_runner.h"
#include "loadgen/scenario.h"

namespace gop {
namespace {

v1::Phase ToPhase(loadgen::Phase p) {
  switch (p) {
    case loadgen::Phase::kPrewarm:
      return v1::PHASE_PREWARM;
    case loadgen::Phase::kWarmup:
      return v1::PHASE_WARMUP;
    case loadgen::Phase::kMeasuring:
      return v1::PHASE_MEASURING;
  }
  return v1::PHASE_UNSPECIFIED;
}

loadgen::Executor ToExecutor(v1::Executor e) {
  switch (e) {
    case v1::EXECUTOR_CONSTANT_ARRIVAL_RATE:
      return loadgen::Executor::kConstantArrivalRate;
    case v1::EXECUTOR_PER_VU_ITERATIONS:
      return loadgen::Executor::kPerVuIterations;
    default:
      return loadgen::Executor::kConstantVus;
  }
}

}  // namespace

v1::CellResult CellRunner::Execute(const v1::Assign& assign, ProgressSink* progress,
                                   const std::atomic<bool>* cancelled) {
  const v1::CellConfig& cell = assign.cell();
  v1::CellResult result;
  result.set_cell_id(cell.cell_id());
  result.set_attempt(assign.attempt());
  result.set_started_unix_ms(absl::ToUnixMillis(clock_->Now()));
  auto report_phase = [&](v1::Phase phase) {
    v1::Progress p;
    p.set_cell_id(cell.cell_id());
    p.set_attempt(assign.attempt());
    p.set_phase(phase);
    progress->Report(p);
  };
  auto fail = [&](const std::string& reason, bool with_logs) {
    result.set_ok(false);
    result.set_failure_reason(reason);
    if (with_logs) result.set_target_logs(driver_->LogTail(50));
    result.set_finished_unix_ms(absl::ToUnixMillis(clock_->Now()));
    return result;
  };

  // Scenario first: a typo should not cost a target restart.
  absl::StatusOr<loadgen::Scenario> scenario = loadgen::LoadScenario(cell.load().scenario(), options_.data_dir);
  if (!scenario.ok()) return fail(absl::StrCat("scenario: ", scenario.status().message()), false);

  report_phase(v1::PHASE_STARTING_TARGET);
  const absl::Duration health_timeout =
      assign.health_timeout_ms() > 0 ? absl::Milliseconds(assign.health_timeout_ms()) : absl::Seconds(120);
  TargetConfig target{cell.cell_id(), cell.cpu_limit(), cell.web_threads(), cell.db_pool(), assign.reset_data()};
  absl::StatusOr<TargetInfo> info = driver_->Start(target, health_timeout);
  if (!info.ok()) {
    result.set_target_logs(driver_->LogTail(50));
    driver_->Stop().IgnoreError();
    return fail(absl::StrCat("target did not start: ", info.status().message()), false);
  }
  result.set_cpu_limit_mechanism(info->cpu_limit_mechanism);
  for (const std::string& w : info->warnings) result.add_warnings(w);

  loadgen::LoadOptions options;
  options.base_url = info->base_url;
  options.auth = info->auth;
  options.executor = ToExecutor(cell.load().executor());
  options.vus = cell.load().vus() > 0 ? cell.load().vus() : 2 * cell.web_threads();
  options.rate = cell.load().rate();
  options.max_vus = cell.load().max_vus();
  options.duration = absl::Milliseconds(cell.load().duration_ms());
  options.warmup = absl::Milliseconds(cell.load().warmup_ms());
  options.graceful_stop = absl::Milliseconds(cell.load().graceful_stop_ms());
  options.prewarm_iterations = cell.load().prewarm_iterations();
  options.threads = options_.load_threads;

  absl::StatusOr<std::unique_ptr<loadgen::LoadRunner>> runner = loadgen::LoadRunner::Create(*scenario, options);
  if (!runner.ok()) {
    driver_->Stop().IgnoreError();
    return fail(absl::StrCat("load: ", runner.status().message()), false);
  }

  // CPU accounting for the measured phase only: sampled when it begins.
  std::optional<double> cpu_at_measure_start;
  bool cpu_warned = false;
  auto on_progress = [&](const loadgen::ProgressSample& s) {
    if (cancelled->load()) (*runner)->Cancel();
    if (s.phase == loadgen::Phase::kMeasuring && !cpu_at_measure_start.has_value()) {
      absl::StatusOr<double> cpu = driver_->CpuSecondsUsed();
      if (cpu.ok()) {
        cpu_at_measure_start = *cpu;
      } else if (!cpu_warned) {
        cpu_warned = true;
        result.add_warnings(absl::StrCat("target CPU use unknown: ", cpu.status().message()));
        cpu_at_measure_start = -1;
      }
    }
    v1::Progress p;
    p.set_cell_id(cell.cell_id());
    p.set_attempt(assign.attempt());
    p.set_phase(ToPhase(s.phase));
    p.set_elapsed_ms(absl::ToInt64Milliseconds(s.elapsed));
    p.set_phase_total_ms(absl::ToInt64Milliseconds(s.phase_total));
    p.set_requests_per_second(s.rps);
    p.set_requests(s.requests);
    p.set_errors(s.errors);
    s.interval_latency.ToProto(p.mutable_interval_latency());
    progress->Report(p);
  };
  absl::StatusOr<loadgen::LoadResult> load = (*runner)->Run(on_progress);
  if (load.ok() && cpu_at_measure_start.has_value() && *cpu_at_measure_start >= 0) {
    if (absl::StatusOr<double> cpu = driver_->CpuSecondsUsed(); cpu.ok()) {
      result.set_target_cpu_seconds(*cpu - *cpu_at_measure_start);
    }
  }
  report_phase(v1::PHASE_STOPPING_TARGET);
  std::string logs_on_failure;
  if (!load.ok() || cancelled->load()) logs_on_failure = driver_->LogTail(50);
  if (absl::Status s = driver_->Stop(); !s.ok()) result.add_warnings(absl::StrCat("stopping target: ", s.message()));

  if (cancelled->load()) {
    result.set_target_logs(logs_on_failure);
    return fail("cancelled by the coordinator", false);
  }
  if (!load.ok()) {
    result.set_target_logs(logs_on_failure);
    return fail(absl::StrCat("load: ", load.status().message()), false);
  }
  loadgen::ToProto(*load, &result);
  // A cell whose every request failed measured nothing about the
  // configuration (wrong URL, auth, a broken target): it must not win.
  const v1::OperationStats& overall = result.overall();
  if (overall.requests() == 0) return fail("no request completed in the measured phase", false);
  if (overall.errors() >= overall.requests()) {
    std::string why = absl::StrCat("every one of ", overall.requests(), " requests failed:");
    for (const auto& [kind, n] : overall.error_kinds()) absl::StrAppend(&why, " ", kind, "=", n);
    for (const auto& [status, n] : overall.status_counts()) absl::StrAppend(&why, " HTTP ", status, " x", n);
    return fail(why, false);
  }
  result.set_ok(true);
  result.set_finished_unix_ms(absl::ToUnixMillis(clock_->Now()));
  return result;
}

}  // namespace gop
