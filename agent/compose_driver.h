#ifndef GOP_AGENT_COMPOSE_DRIVER_H_
#define GOP_AGENT_COMPOSE_DRIVER_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "agent/command_runner.h"
#include "agent/health_probe.h"
#include "agent/target_driver.h"

namespace gop {

// The agent's `compose` target: Aidbox (or anything configured by Aidbox's
// BOX_* variables) run by Docker Compose on the agent's host.
struct ComposeDriverConfig {
  // Folder holding docker-compose.yaml; the override file is written here and
  // every compose command runs here. Required.
  std::string compose_dir;
  // `-p NAME` for every compose command; "" = compose's default (the folder).
  std::string project_name;
  std::string service = "aidbox";
  // The compose CLI: {"docker", "compose"} (v2) or {"docker-compose"} (v1).
  // v1 honours deploy.resources.limits.cpus only with `--compatibility`
  // (Start() warns without it).
  std::vector<std::string> compose_command = {"docker", "compose"};
  // Pass `--wait` to `up` (v2 only: v1 has no such flag, and Create() refuses
  // it for `docker-compose`). The driver waits for the health URL either way.
  bool up_wait = true;
  // Added to the environment of every compose command (e.g. licence keys the
  // compose file interpolates).
  std::vector<std::pair<std::string, std::string>> env;

  std::string health_url = "http://127.0.0.1:8080/health";
  // Handed to the load generator: FHIR base and credentials of the client in
  // compose/init-bundle.json.
  std::string base_url = "http://127.0.0.1:8080/fhir";
  std::string auth = "basic:gop-load:gop-load-secret";

  // Used when Start() is given a zero health timeout.
  absl::Duration health_timeout = absl::Minutes(3);
  // Bound on each compose command (`up` may pull images on a first run).
  absl::Duration command_timeout = absl::Minutes(10);
  HealthProbeOptions health_probe;
  // Lines of `compose logs` attached to a failed cell.
  int log_tail_lines = 100;
  // `compose down` at Shutdown(); by default the stack keeps running after
  // the run, as the seed left it, for Grafana and Prometheus.
  bool stop_at_end = false;
};

// Reads the compose section of an agent's target.yaml into a config:
//   dir: /srv/gop/compose          # required
//   project: gop                   # optional
//   service: aidbox
//   command: docker compose        # or "docker-compose --compatibility" (v1)
//   up_wait: true                  # default false for docker-compose (v1)
//   env: {AIDBOX_LICENSE: ...}
//   health_url: http://127.0.0.1:8080/health
//   base_url: http://127.0.0.1:8080/fhir
//   auth: basic:gop-load:gop-load-secret
//   health_timeout: 3m             # absl duration syntax, or seconds as a number
//   command_timeout: 10m
//   log_tail_lines: 100
//   stop_at_end: false
// Unknown keys and bad values are all reported in one InvalidArgument.
absl::StatusOr<ComposeDriverConfig> ParseComposeDriverConfig(const YAML::Node& node);

// The docker-compose.override.yml text for one cell.
std::string ComposeOverrideYaml(const std::string& service, const TargetConfig& config);

// True when `command` is Compose v1 (`docker-compose`).
bool IsComposeV1(const std::vector<std::string>& command);

// Per cell: rewrites docker-compose.override.yml, then
// `<compose> [-p P] up -d --wait --force-recreate <service>` (a restart alone
// would not apply new environment or limits), then waits for the health URL
// itself. Any failure returns an error carrying the tail of
// `<compose> logs --no-color --tail N <service>`, and the next Start() is
// independent of it. Not thread-safe: the agent calls it from one thread.
class ComposeDriver : public TargetDriver {
 public:
  // `runner` must outlive the driver. Fails when compose_dir does not exist
  // or the config is unusable.
  static absl::StatusOr<std::unique_ptr<ComposeDriver>> Create(ComposeDriverConfig config,
                                                               CommandRunner* runner);

  std::string Kind() const override { return "compose"; }
  absl::StatusOr<TargetInfo> Start(const TargetConfig& config,
                                   absl::Duration health_timeout) override;
  // Unimplemented: the container's CPU time would come from `docker stats` or
  // its cgroup, neither of which gop reads yet (and no engine exists to test
  // it against). Results then carry no target CPU figure.
  absl::StatusOr<double> CpuSecondsUsed() override;
  std::string LogTail(int max_lines) override;
  // Does nothing: the stack stays up between cells (the next Start()
  // recreates the service with the next cell's settings).
  absl::Status Stop() override;

  // At agent shutdown: `<compose> down` when stop_at_end, else nothing.
  absl::Status Shutdown() override;

  const ComposeDriverConfig& config() const { return config_; }

 private:
  ComposeDriver(ComposeDriverConfig config, CommandRunner* runner)
      : config_(std::move(config)), runner_(runner) {}

  // `<compose> [-p P] args...` in compose_dir.
  CommandSpec ComposeSpec(const std::vector<std::string>& args) const;
  std::string ComposeCommandLine(const std::vector<std::string>& args) const;
  absl::Status WriteOverride(const TargetConfig& config) const;
  // `message`, then the service's log tail.
  absl::Status CellFailure(absl::StatusCode code, const std::string& message);

  const ComposeDriverConfig config_;
  CommandRunner* const runner_;
};

}  // namespace gop

#endif  // GOP_AGENT_COMPOSE_DRIVER_H_
