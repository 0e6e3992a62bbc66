// gop-agent: runs cells for a gop-coordinator against the target named in
// its local target.yaml.
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "common/flag_names.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "agent/agent_app.h"

ABSL_FLAG(std::string, coordinator, "127.0.0.1:7400", "coordinator address HOST:PORT");
ABSL_FLAG(std::string, token, "", "shared token (default: $GOP_TOKEN)");
ABSL_FLAG(bool, tls, false, "dial the coordinator with TLS");
ABSL_FLAG(std::string, tls_ca, "", "PEM CA that signed the coordinator's certificate");
ABSL_FLAG(std::string, tls_cert, "", "client certificate (mutual TLS)");
ABSL_FLAG(std::string, tls_key, "", "client key (mutual TLS)");
ABSL_FLAG(std::string, target, "", "target.yaml (default: minibox started as a local process)");
ABSL_FLAG(std::string, id, "", "agent id (default: HOSTNAME-PID)");
ABSL_FLAG(std::string, cpus, "", "CPUs this agent owns, e.g. 0,1 (default: all it may use)");
ABSL_FLAG(std::string, data_dir, "", "directory with scenarios/ and seeds/ (default: found next to the binary)");
ABSL_FLAG(std::string, work_dir, "", "where target logs go");
ABSL_FLAG(int, load_threads, 0, "load generator threads (0 = cores)");
ABSL_FLAG(std::string, metrics_listen, "", "serve /metrics here, e.g. 0.0.0.0:9465 (default: off)");
ABSL_FLAG(int, give_up_after_s, 300, "exit when the coordinator stays unreachable this long");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("gop-agent --coordinator HOST:PORT [--target target.yaml] [--token T]");
  gop::ShowAllFlagsInHelp();
  std::vector<std::string> storage;
  std::vector<char*> args = gop::NormalizeFlagNames(argc, argv, &storage);
  absl::ParseCommandLine(argc, args.data());
  gop::AgentAppOptions o;
  o.coordinator = absl::GetFlag(FLAGS_coordinator);
  o.token = absl::GetFlag(FLAGS_token);
  if (o.token.empty() && std::getenv("GOP_TOKEN") != nullptr) o.token = std::getenv("GOP_TOKEN");
  o.tls = absl::GetFlag(FLAGS_tls);
  o.tls_ca = absl::GetFlag(FLAGS_tls_ca);
  o.tls_cert = absl::GetFlag(FLAGS_tls_cert);
  o.tls_key = absl::GetFlag(FLAGS_tls_key);
  o.target_file = absl::GetFlag(FLAGS_target);
  o.agent_id = absl::GetFlag(FLAGS_id);
  for (absl::string_view part : absl::StrSplit(absl::GetFlag(FLAGS_cpus), ',', absl::SkipEmpty())) {
    int cpu = 0;
    if (!absl::SimpleAtoi(part, &cpu) || cpu < 0) {
      fprintf(stderr, "gop-agent: --cpus: '%s' is not a CPU number\n", std::string(part).c_str());
      return 2;
    }
    o.cpu_set.push_back(cpu);
  }
  o.data_dir = absl::GetFlag(FLAGS_data_dir);
  o.work_dir = absl::GetFlag(FLAGS_work_dir);
  o.load_threads = absl::GetFlag(FLAGS_load_threads);
  o.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  o.give_up_after = absl::Seconds(absl::GetFlag(FLAGS_give_up_after_s));
  o.executable = argv[0];
  return gop::RunAgent(o);
}
