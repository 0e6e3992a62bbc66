#ifndef GOP_COORDINATOR_COORDINATOR_APP_H_
#define GOP_COORDINATOR_COORDINATOR_APP_H_

#include <string>

namespace gop {

// Everything gop-coordinator's command line says.
struct CoordinatorAppOptions {
  std::string grid_path;            // grid.yaml; may be empty when resuming a state dir
  std::string state_dir;            // "" = ./runs/<run-id>
  std::string listen = "0.0.0.0:7400";
  std::string metrics_listen = "0.0.0.0:7401";  // "" = no /metrics
  std::string token;
  std::string tls_cert, tls_key, tls_client_ca;
  int local_agents = 0;
  std::string agent_target;         // target.yaml for the local agents
  bool dry_run = false;
  int dry_run_agents = 1;
  bool analyze = true;
  std::string executable;           // argv[0], to find gop-agent
};

// Exit codes: 0 every cell done; 1 some cells failed; 2 bad input (grid,
// flags, state dir); 3 the run could not start (ports, disk); 4 cancelled.
int RunCoordinator(const CoordinatorAppOptions& options);

}  // namespace gop

#endif  // GOP_COORDINATOR_COORDINATOR_APP_H_
