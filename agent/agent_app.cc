#include "agent/agent_app.h"

#include <unistd.h>

#include <atomic>
#include <csignal>
#include <thread>
#include <filesystem>
#include <iostream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "agent/agent.h"
#include "agent/agent_metrics.h"
#include "agent/cell_runner.h"
#include "agent/command_runner.h"
#include "agent/compose_driver.h"
#include "agent/cpu_limiter.h"
#include "agent/external_driver.h"
#include "agent/process_driver.h"
#include "agent/target_config.h"
#include "common/grpc_channel.h"
#include "loadgen/data_dir.h"

namespace gop {
namespace {

// Set by the signal handler (a lock-free store only, async-signal-safe); a
// watcher thread turns it into Agent::Stop().
std::atomic<bool> g_stop{false};

void OnSignal(int) { g_stop.store(true); }

std::string Hostname() {
  char buf[256] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return "unknown";
  return buf;
}

int64_t MemoryBytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page = sysconf(_SC_PAGE_SIZE);
  return pages > 0 && page > 0 ? static_cast<int64_t>(pages) * page : 0;
}

}  // namespace

int RunAgent(const AgentAppOptions& options) {
  auto log = [](const std::string& line) {
    std::cerr << absl::FormatTime("%H:%M:%S ", absl::Now(), absl::LocalTimeZone()) << line << std::endl;
  };

  TargetSettings settings;
  if (!options.target_file.empty()) {
    absl::StatusOr<TargetSettings> loaded = LoadTargetSettings(options.target_file);
    if (!loaded.ok()) {
      std::cerr << "gop-agent: " << loaded.status().message() << "\n";
      return 2;
    }
    settings = *loaded;
  }
  std::vector<int> cpu_set = options.cpu_set.empty() ? CurrentCpuSet() : options.cpu_set;

  PosixCommandRunner runner;
  SystemCpuLimiter limiter(CpuLimiterOptionsFor(settings.process));
  std::unique_ptr<TargetDriver> driver;
  switch (settings.kind) {
    case TargetKind::kProcess: {
      ProcessTargetSettings process = settings.process;
      if (process.command.empty()) process.command = DefaultTargetCommand(options.executable);
      if (process.work_dir.empty() && !options.work_dir.empty()) process.work_dir = options.work_dir;
      absl::StatusOr<std::unique_ptr<ProcessDriver>> d =
          ProcessDriver::Create(process, ProcessDriverDeps{&runner, &limiter, cpu_set});
      if (!d.ok()) {
        std::cerr << "gop-agent: " << d.status().message() << "\n";
        return 2;
      }
      driver = std::move(*d);
      break;
    }
    case TargetKind::kCompose: {
      absl::StatusOr<std::unique_ptr<ComposeDriver>> d = ComposeDriver::Create(settings.compose, &runner);
      if (!d.ok()) {
        std::cerr << "gop-agent: " << d.status().message() << "\n";
        return 2;
      }
      driver = std::move(*d);
      break;
    }
    case TargetKind::kExternal:
      driver = std::make_unique<ExternalDriver>(settings.external.url, settings.external.auth);
      break;
  }

  absl::StatusOr<std::filesystem::path> data_dir =
      loadgen::FindDataDir(options.data_dir, std::filesystem::path(options.executable));
  if (!data_dir.ok()) {
    std::cerr << "gop-agent: " << data_dir.status().message() << "\n";
    return 2;
  }

  ChannelOptions channel_options;
  channel_options.target = options.coordinator;
  channel_options.token = options.token;
  channel_options.tls = options.tls;
  channel_options.tls_ca_file = options.tls_ca;
  channel_options.tls_cert_file = options.tls_cert;
  channel_options.tls_key_file = options.tls_key;
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = MakeChannel(channel_options);
  if (!channel.ok()) {
    std::cerr << "gop-agent: " << channel.status().message() << "\n";
    return 2;
  }
  std::unique_ptr<v1::Coordinator::Stub> stub = v1::Coordinator::NewStub(*channel);

  CellRunner cell_runner(driver.get(), CellRunner::Options{*data_dir, options.load_threads});
  Agent::Options agent_options;
  agent_options.agent_id = options.agent_id.empty() ? absl::StrCat(Hostname(), "-", getpid()) : options.agent_id;
  CellExecutor* executor = &cell_runner;
  std::unique_ptr<MeteredExecutor> metered;
  if (!options.metrics_listen.empty()) {
    absl::StatusOr<std::unique_ptr<MeteredExecutor>> m =
        MeteredExecutor::Create(options.metrics_listen, agent_options.agent_id, &cell_runner);
    if (!m.ok()) {
      std::cerr << "gop-agent: " << m.status().message() << "\n";
      return 2;
    }
    metered = std::move(*m);
    executor = metered.get();
  }
  agent_options.hostname = Hostname();
  agent_options.cores = static_cast<double>(cpu_set.size());
  agent_options.memory_bytes = MemoryBytes();
  agent_options.target_kind = driver->Kind();
  agent_options.cpu_set = cpu_set;
  agent_options.token = options.token;
  agent_options.give_up_after = options.give_up_after;
  agent_options.log = [&](const std::string& line) { log(absl::StrCat("[", agent_options.agent_id, "] ", line)); };
  Agent agent(agent_options, stub.get(), executor);
  log(absl::StrCat("gop-agent ", agent_options.agent_id, ": ", cpu_set.size(), " core(s) [",
                   absl::StrJoin(cpu_set, ","), "], target ", driver->Kind(), ", coordinator ",
                   options.coordinator));

  std::signal(SIGTERM, OnSignal);
  std::signal(SIGINT, OnSignal);
  std::atomic<bool> done{false};
  std::thread watcher([&] {
    while (!done.load()) {
      absl::SleepFor(absl::Milliseconds(100));
      if (g_stop.load()) {
        agent.Stop();
        return;
      }
    }
  });
  absl::Status s = agent.Run();
  done = true;
  watcher.join();
  driver->Stop().IgnoreError();
  if (absl::Status down = driver->Shutdown(); !down.ok()) log(absl::StrCat("shutting the target down: ", down.message()));
  if (!s.ok()) {
    std::cerr << "gop-agent: " << s.message() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace gop
