#include "coordinator/coordinator_app.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "agent/cpu_limiter.h"
#include "analysis/analyze_run.h"
#include "common/grpc_channel.h"
#include "coordinator/coordinator_metrics.h"
#include "coordinator/coordinator_service.h"
#include "coordinator/dry_run.h"
#include "coordinator/grid.h"
#include "coordinator/grid_expand.h"
#include "coordinator/local_agents.h"
#include "coordinator/result_store.h"
#include "coordinator/run_controller.h"
#include "grpcpp/server_builder.h"

namespace gop {
namespace {

// Set by the signal handler (async-signal-safe: a lock-free store only); the
// progress thread turns it into a Cancel().
std::atomic<int> g_signal{0};

void OnSignal(int sig) { g_signal.store(sig); }

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void Log(const std::string& line) {
  static absl::Mutex mu(absl::kConstInit);
  absl::MutexLock lock(&mu);
  std::cerr << absl::FormatTime("%H:%M:%S ", absl::Now(), absl::LocalTimeZone()) << line << std::endl;
}

std::string ProgressLine(const v1::RunStatus& s) {
  std::string line = absl::StrFormat("progress: %d/%d done, %d running, %d queued, %d failed", s.cells_done(),
                                     s.cells_total(), s.cells_running(), s.cells_queued(), s.cells_failed());
  for (const v1::AgentStatus& a : s.agents()) {
    if (a.current_cell_id().empty()) continue;
    absl::StrAppendFormat(&line, " | %s %s %s %.0f req/s p99 %.1f ms", a.agent_id(), a.current_cell_id(),
                          v1::Phase_Name(a.phase()).substr(6), a.requests_per_second(), a.p99_us() / 1000.0);
  }
  if (s.eta_ms() > 0) absl::StrAppend(&line, " | ETA ", absl::FormatDuration(absl::Seconds(s.eta_ms() / 1000)));
  return line;
}

}  // namespace

int RunCoordinator(const CoordinatorAppOptions& options) {
  // ---- the grid: from --grid, or the state dir's copy when resuming ----
  std::filesystem::path state_dir = options.state_dir;
  const bool resuming = !state_dir.empty() && std::filesystem::exists(state_dir / "grid.yaml");
  std::string grid_path = options.grid_path;
  if (grid_path.empty()) {
    if (!resuming) {
      std::cerr << "gop-coordinator: --grid is required (or --state-dir of a run to resume)\n";
      return 2;
    }
    grid_path = (state_dir / "grid.yaml").string();
  }
  absl::StatusOr<GridSpec> grid = LoadGridFile(grid_path);
  if (!grid.ok()) {
    std::cerr << grid.status().message() << "\n";
    return 2;
  }
  std::vector<v1::CellConfig> cells = ExpandGrid(*grid);

  if (options.dry_run) {
    std::cout << FormatDryRun(*grid, cells, std::max(1, options.dry_run_agents));
    return 0;
  }

  const std::string resolved = RenderResolvedGrid(*grid);
  std::string run_id;
  if (state_dir.empty()) {
    run_id = absl::FormatTime("%Y%m%d-%H%M%S", absl::Now(), absl::LocalTimeZone());
    state_dir = std::filesystem::path("runs") / run_id;
  } else {
    run_id = state_dir.filename().string();
  }
  if (resuming) {
    if (ReadFile(state_dir / "grid.yaml") != resolved) {
      std::cerr << "gop-coordinator: " << state_dir.string()
                << " holds a run of a different grid; use another --state-dir, or omit --grid to resume it\n";
      return 2;
    }
  } else {
    std::error_code ec;
    std::filesystem::create_directories(state_dir, ec);
    if (absl::Status s = WriteFileAtomically(state_dir / "grid.yaml", resolved); !s.ok()) {
      std::cerr << "gop-coordinator: " << s.message() << "\n";
      return 3;
    }
  }

  // ---- metrics, controller, server ----
  std::unique_ptr<CoordinatorMetrics> metrics;
  if (!options.metrics_listen.empty()) {
    absl::StatusOr<std::unique_ptr<CoordinatorMetrics>> m = CoordinatorMetrics::Create(options.metrics_listen);
    if (!m.ok()) {
      std::cerr << "gop-coordinator: " << m.status().message() << "\n";
      return 3;
    }
    metrics = std::move(*m);
  }

  RunController::Options ro;
  ro.run_id = run_id;
  ro.state_dir = state_dir;
  ro.scheduling.max_attempts = grid->run.max_attempts;
  ro.scheduling.lease_timeout = grid->run.lease_timeout;
  ro.scheduling.unschedulable_grace = grid->run.unschedulable_grace;
  ro.scheduling.required_target_kind = grid->target.kind;
  ro.health_timeout = grid->target.health_timeout;
  ro.reset_data = grid->target.reset_data;
  ro.log = Log;
  absl::StatusOr<std::unique_ptr<RunController>> controller =
      RunController::Create(ro, cells, Clock::Real(), metrics.get());
  if (!controller.ok()) {
    std::cerr << "gop-coordinator: " << controller.status().message() << "\n";
    return 3;
  }

  CoordinatorService service(controller->get(), options.token, Log);
  grpc::ServerBuilder builder;
  std::shared_ptr<grpc::ServerCredentials> creds = grpc::InsecureServerCredentials();
  if (!options.tls_cert.empty()) {
    absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> tls =
        MakeServerCredentials(options.tls_cert, options.tls_key, options.tls_client_ca);
    if (!tls.ok()) {
      std::cerr << "gop-coordinator: " << tls.status().message() << "\n";
      return 2;
    }
    creds = *tls;
  }
  int port = 0;
  builder.AddListeningPort(options.listen, creds, &port);
  ConfigureServerKeepalive(builder);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr || port == 0) {
    std::cerr << "gop-coordinator: cannot listen on " << options.listen << "\n";
    return 3;
  }
  Log(absl::StrFormat("run %s: %d cells (%d already finished), state in %s", run_id, cells.size(),
                      (*controller)->resumed_cells(), state_dir.string()));
  Log(absl::StrFormat("listening for agents on port %d%s%s", port, options.token.empty() ? "" : " (token required)",
                      options.tls_cert.empty() ? "" : " (TLS)"));
  if (metrics) Log(absl::StrFormat("metrics on http://127.0.0.1:%d/metrics", metrics->port()));
  std::cout << "GOP_COORDINATOR_PORT=" << port << std::endl;

  // ---- local agents ----
  PosixCommandRunner runner;
  std::unique_ptr<LocalAgents> local;
  if (options.local_agents > 0) {
    LocalAgents::Options lo;
    lo.count = options.local_agents;
    lo.agent_binary = FindAgentBinary(options.executable);
    lo.coordinator = absl::StrCat("127.0.0.1:", port);
    lo.token = options.token;
    lo.target_file = options.agent_target;
    lo.log_dir = state_dir / "agents";
    lo.host_cpus = CurrentCpuSet();
    absl::StatusOr<std::unique_ptr<LocalAgents>> started = LocalAgents::Start(lo, &runner);
    if (!started.ok()) {
      std::cerr << "gop-coordinator: " << started.status().message() << "\n";
      server->Shutdown(absl::ToChronoTime(absl::Now() + absl::Seconds(1)));
      return 2;
    }
    local = std::move(*started);
    Log(absl::StrFormat("started %d local agent(s); logs in %s", options.local_agents, lo.log_dir.string()));
  }

  // ---- run ----
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  std::atomic<bool> running{true};
  std::thread progress([&] {
    absl::Time last = absl::Now();
    bool cancelled = false;
    while (running.load()) {
      absl::SleepFor(absl::Milliseconds(250));
      if (const int sig = g_signal.load(); sig != 0 && !cancelled) {
        cancelled = true;
        (*controller)->Cancel(absl::StrCat("interrupted by signal ", sig));
      }
      if (absl::Now() - last < absl::Seconds(5)) continue;
      last = absl::Now();
      Log(ProgressLine((*controller)->Status()));
    }
  });
  RunOutcome outcome = (*controller)->Run();
  running = false;
  progress.join();
  if (local) local->StopAll(absl::Seconds(10));
  // Let watchers receive the final status before the server goes.
  server->Shutdown(absl::ToChronoTime(absl::Now() + absl::Seconds(2)));

  // ---- analysis ----
  if (options.analyze) {
    AnalysisSummary summary;
    absl::Status s = AnalyzeRun(state_dir / "result", state_dir / "analysis", &summary);
    if (s.ok()) {
      std::cout << "\n" << FormatBestTable(summary) << "\nreport: " << summary.report_path.string() << "\n";
    } else {
      Log(absl::StrCat("analysis failed: ", s.message()));
    }
  }
  std::cout << absl::StrFormat("\nrun %s %s: %d done, %d failed (state dir %s)\n", run_id,
                               outcome.state == v1::RUN_STATE_CANCELLED ? "cancelled" : "finished", outcome.done,
                               outcome.failed, state_dir.string());
  for (const std::string& f : outcome.failures) std::cout << "  failed " << f << "\n";
  if (outcome.state == v1::RUN_STATE_CANCELLED) return 4;
  return outcome.failed > 0 ? 1 : 0;
}

}  // namespace gop
