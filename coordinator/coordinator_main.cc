// gop-coordinator: expands grid.yaml into cells and hands them to agents.
#include <cstdlib>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "common/flag_names.h"
#include "coordinator/coordinator_app.h"

ABSL_FLAG(std::string, grid, "", "grid.yaml to run");
ABSL_FLAG(std::string, state_dir, "", "run directory (default ./runs/<run-id>); an existing one is resumed");
ABSL_FLAG(std::string, listen, "0.0.0.0:7400", "address for agents and gopctl");
ABSL_FLAG(std::string, metrics_listen, "0.0.0.0:7401", "address for /metrics (empty: off)");
ABSL_FLAG(std::string, token, "", "shared token agents and gopctl must present (default: $GOP_TOKEN)");
ABSL_FLAG(std::string, tls_cert, "", "server certificate (PEM) to serve TLS");
ABSL_FLAG(std::string, tls_key, "", "server key (PEM)");
ABSL_FLAG(std::string, tls_client_ca, "", "require client certificates signed by this CA");
ABSL_FLAG(int, local_agents, 0, "start N agents on this host, splitting its cores between them");
ABSL_FLAG(std::string, agent_target, "", "target.yaml for --local-agents (default: minibox)");
ABSL_FLAG(bool, dry_run, false, "print the cells and the estimated wall time, then exit");
ABSL_FLAG(int, agents, 1, "agents to assume for the --dry-run estimate");
ABSL_FLAG(bool, analyze, true, "write analysis/ when the run ends");

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("gop-coordinator --grid grid.yaml [--local-agents N] [--dry-run]");
  gop::ShowAllFlagsInHelp();
  std::vector<std::string> storage;
  std::vector<char*> args = gop::NormalizeFlagNames(argc, argv, &storage);
  absl::ParseCommandLine(argc, args.data());
  gop::CoordinatorAppOptions o;
  o.grid_path = absl::GetFlag(FLAGS_grid);
  o.state_dir = absl::GetFlag(FLAGS_state_dir);
  o.listen = absl::GetFlag(FLAGS_listen);
  o.metrics_listen = absl::GetFlag(FLAGS_metrics_listen);
  o.token = absl::GetFlag(FLAGS_token);
  if (o.token.empty() && std::getenv("GOP_TOKEN") != nullptr) o.token = std::getenv("GOP_TOKEN");
  o.tls_cert = absl::GetFlag(FLAGS_tls_cert);
  o.tls_key = absl::GetFlag(FLAGS_tls_key);
  o.tls_client_ca = absl::GetFlag(FLAGS_tls_client_ca);
  o.local_agents = absl::GetFlag(FLAGS_local_agents);
  o.agent_target = absl::GetFlag(FLAGS_agent_target);
  o.dry_run = absl::GetFlag(FLAGS_dry_run);
  o.dry_run_agents = absl::GetFlag(FLAGS_agents);
  o.analyze = absl::GetFlag(FLAGS_analyze);
  o.executable = argv[0];
  return gop::RunCoordinator(o);
}
