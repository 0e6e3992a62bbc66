#ifndef GOP_AGENT_AGENT_APP_H_
#define GOP_AGENT_AGENT_APP_H_

#include <string>
#include <vector>

#include "absl/time/time.h"

namespace gop {

// Everything gop-agent's command line says.
struct AgentAppOptions {
  std::string coordinator = "127.0.0.1:7400";  // HOST:PORT
  std::string token;
  bool tls = false;
  std::string tls_ca, tls_cert, tls_key;
  std::string target_file;  // target.yaml; "" = minibox as a local process
  std::string agent_id;     // "" = <hostname>-<pid>
  std::vector<int> cpu_set; // empty = every CPU this process may use
  std::string data_dir;     // scenarios/ and seeds/; "" = found next to the binary
  std::string work_dir;     // logs and scratch; "" = a temp dir
  int load_threads = 0;
  std::string metrics_listen;  // "" = no /metrics; e.g. "0.0.0.0:9465"
  absl::Duration give_up_after = absl::Minutes(5);
  std::string executable;   // argv[0], to find minibox and the data dir
};

// Runs the agent until the coordinator ends the run. Returns the process exit
// code: 0 done, 1 failed (message printed to stderr), 2 bad configuration.
int RunAgent(const AgentAppOptions& options);

}  // namespace gop

#endif  // GOP_AGENT_AGENT_APP_H_
