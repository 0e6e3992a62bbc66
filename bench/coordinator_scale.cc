// Scale by simulation: one real gop-coordinator process, N simulated agents
// (real gRPC Session streams from this process, cells "run" at once with
// synthetic histograms) and a grid of M cells. Prints the coordinator's CPU
// time and peak memory, and checks that every cell ran exactly once.
//
//   build/bench/coordinator_scale [AGENTS=200] [CELLS=2000]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "absl/synchronization/mutex.h"
#include "absl/time/clock.h"
#include "agent/agent.h"
#include "common/histogram.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace {

class InstantExecutor : public gop::CellExecutor {
 public:
  gop::v1::CellResult Execute(const gop::v1::Assign& assign, gop::ProgressSink*,
                              const std::atomic<bool>*) override {
    {
      absl::MutexLock lock(&mu_);
      ++runs_[assign.cell().cell_id()];
    }
    std::mt19937_64 rng(std::hash<std::string>{}(assign.cell().cell_id()));
    std::lognormal_distribution<double> latency(std::log(2000.0), 1.0);
    gop::Histogram h;
    for (int i = 0; i < 20'000; ++i) h.Record(static_cast<int64_t>(latency(rng)));
    gop::v1::CellResult r;
    r.set_ok(true);
    r.set_measured_seconds(1);
    r.mutable_overall()->set_requests(h.TotalCount());
    h.ToProto(r.mutable_overall()->mutable_latency());
    return r;
  }
  std::map<std::string, int> Runs() {
    absl::MutexLock lock(&mu_);
    return runs_;
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, int> runs_ ABSL_GUARDED_BY(mu_);
};

}  // namespace

int main(int argc, char** argv) {
  const int agents = argc > 1 ? std::atoi(argv[1]) : 200;
  const int cells = argc > 2 ? std::atoi(argv[2]) : 2000;
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / ("gop-scale-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream grid(dir / "grid.yaml");
    grid << "duration: 1s\nprewarm: 0\ngraceful_stop: 0s\ncells:\n";
    for (int i = 0; i < cells; ++i) {
      grid << "  - {cpu: 1, web_threads: " << (i / 50 + 1) << ", db_pool: " << (i % 50 + 1) << "}\n";
    }
  }
  const std::filesystem::path self = std::filesystem::absolute(argv[0]).parent_path();
  const std::string coordinator = (self.parent_path() / "coordinator" / "gop-coordinator").string();

  int out_pipe[2];
  if (pipe(out_pipe) != 0) return 1;
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out_pipe[1], 1);
    close(out_pipe[0]);
    const std::string state = "--state-dir=" + (dir / "run").string();
    const std::string grid = "--grid=" + (dir / "grid.yaml").string();
    execl(coordinator.c_str(), coordinator.c_str(), grid.c_str(), state.c_str(), "--listen=127.0.0.1:0",
          "--metrics-listen=", "--analyze=false", static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out_pipe[1]);
  FILE* out = fdopen(out_pipe[0], "r");
  char line[256];
  int port = 0;
  while (port == 0 && fgets(line, sizeof(line), out) != nullptr) {
    std::sscanf(line, "GOP_COORDINATOR_PORT=%d", &port);
  }
  if (port == 0) {
    std::cerr << "coordinator did not start (" << coordinator << ")\n";
    return 1;
  }

  const absl::Time start = absl::Now();
  InstantExecutor executor;
  struct Sim {
    std::unique_ptr<gop::v1::Coordinator::Stub> stub;
    std::unique_ptr<gop::Agent> agent;
    std::thread thread;
  };
  std::vector<std::unique_ptr<Sim>> sims;
  for (int i = 0; i < agents; ++i) {
    auto s = std::make_unique<Sim>();
    grpc::ChannelArguments args;
    args.SetInt("grpc.use_local_subchannel_pool", 1);  // one connection per simulated agent
    s->stub = gop::v1::Coordinator::NewStub(grpc::CreateCustomChannel(
        "127.0.0.1:" + std::to_string(port), grpc::InsecureChannelCredentials(), args));
    gop::Agent::Options o;
    o.agent_id = "sim-" + std::to_string(i);
    o.hostname = "sim";
    o.cores = 4;
    o.give_up_after = absl::Seconds(30);
    s->agent = std::make_unique<gop::Agent>(o, s->stub.get(), &executor);
    Sim* raw = s.get();
    raw->thread = std::thread([raw] { raw->agent->Run().IgnoreError(); });
    sims.push_back(std::move(s));
  }
  int status = 0;
  struct rusage usage {};
  wait4(pid, &status, 0, &usage);
  const absl::Duration wall = absl::Now() - start;
  for (auto& s : sims) {
    s->agent->Stop();
    s->thread.join();
  }

  const auto runs = executor.Runs();
  int twice = 0;
  for (const auto& [id, n] : runs) twice += n > 1 ? 1 : 0;
  int files = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir / "run" / "result")) files += e.is_regular_file();
  const double cpu = usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
                     (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  std::printf("agents=%d cells=%d coordinator_exit=%d wall=%.2fs\n", agents, cells, WEXITSTATUS(status),
              absl::ToDoubleSeconds(wall));
  std::printf("coordinator cpu=%.2fs (%.2f ms per cell) peak_rss=%.1f MiB\n", cpu, 1000 * cpu / cells,
              usage.ru_maxrss / 1024.0);
  std::printf("cells run=%zu run_twice=%d result_files=%d\n", runs.size(), twice, files);
  std::filesystem::remove_all(dir);
  const bool ok = WEXITSTATUS(status) == 0 && static_cast<int>(runs.size()) == cells && twice == 0 && files == cells;
  std::printf("%s\n", ok ? "OK: every cell exactly once" : "FAILED");
  return ok ? 0 : 1;
}
