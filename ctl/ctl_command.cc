#include "ctl/ctl_command.h"

#include "absl/status/statusor.h"
#include "common/grpc_channel.h"
#include "ctl/coordinator_client.h"
#include "ctl/render_status.h"
#include "gop/v1/coordinator.grpc.pb.h"

namespace gop::ctl {
namespace {

// ANSI: cursor home, clear screen.
constexpr std::string_view kClearScreen = "\x1b[H\x1b[2J";

int Fail(const CtlEnvironment& env, const absl::Status& status) {
  *env.err << "gopctl: " << status.message() << "\n";
  return kExitError;
}

int PrintStatus(const v1::RunStatus& status, const CtlOptions& options, const CtlEnvironment& env) {
  if (options.json) {
    absl::StatusOr<std::string> json = RenderStatusJson(status, /*pretty=*/true);
    if (!json.ok()) return Fail(env, json.status());
    *env.out << *json;
  } else {
    *env.out << RenderStatus(status, env.now());
  }
  env.out->flush();
  return kExitOk;
}

int RunWatch(CoordinatorClient& client, const CtlOptions& options, const CtlEnvironment& env) {
  if (env.interrupt != nullptr) env.interrupt->SetHandler([&client] { client.CancelWatch(); });
  absl::Status render_error;
  auto on_update = [&](const v1::RunStatus& status) {
    if (options.json) {
      absl::StatusOr<std::string> json = RenderStatusJson(status, /*pretty=*/false);
      if (!json.ok()) {
        render_error = json.status();
        return;
      }
      *env.out << *json;
    } else if (env.out_is_tty) {
      *env.out << kClearScreen << RenderStatus(status, env.now());
    } else {
      *env.out << RenderStatusLine(status, env.now());
    }
    env.out->flush();
  };
  absl::StatusOr<v1::RunStatus> last = client.Watch(options.watch_min_interval_ms, on_update);
  if (env.interrupt != nullptr) env.interrupt->ClearHandler();

  if (!last.ok()) {
    if (absl::IsCancelled(last.status())) {
      *env.err << "gopctl: interrupted\n";
      return kExitInterrupted;
    }
    return Fail(env, last.status());
  }
  if (!render_error.ok()) return Fail(env, render_error);
  if (!IsTerminal(last->state())) {
    return Fail(env, absl::UnavailableError(
                         "the coordinator closed the status stream before the run finished"));
  }
  if (!options.json) {
    // A line log lacks the failed cells' reasons; end it with the full view.
    if (!env.out_is_tty) *env.out << "\n" << RenderStatus(*last, env.now());
    *env.out << "run " << last->run_id() << " ended: " << RunStateName(last->state()) << "\n";
    env.out->flush();
  }
  return last->state() == v1::RUN_STATE_FINISHED ? kExitOk : kExitRunFailed;
}

}  // namespace

int RunCtl(const CtlOptions& options, const CtlEnvironment& env) {
  if (options.command == Command::kHelp) {
    *env.out << CtlUsage();
    return kExitOk;
  }
  absl::StatusOr<std::shared_ptr<grpc::Channel>> channel = MakeChannel(options.channel);
  if (!channel.ok()) {
    *env.err << "gopctl: " << channel.status().message() << "\n";
    return kExitUsage;
  }
  std::unique_ptr<v1::Coordinator::Stub> stub = v1::Coordinator::NewStub(*channel);
  CoordinatorClient client(stub.get(), options.channel.target, options.channel.token,
                           options.rpc_deadline);

  switch (options.command) {
    case Command::kStatus: {
      absl::StatusOr<v1::RunStatus> status = client.GetStatus();
      if (!status.ok()) return Fail(env, status.status());
      return PrintStatus(*status, options, env);
    }
    case Command::kWatch:
      return RunWatch(client, options, env);
    case Command::kCancel: {
      absl::StatusOr<v1::CancelRunResponse> response = client.CancelRun(options.cancel_reason);
      if (!response.ok()) return Fail(env, response.status());
      *env.out << (response->accepted() ? "cancel accepted" : "cancel refused")
               << (response->message().empty() ? "" : ": ") << response->message() << "\n";
      return response->accepted() ? kExitOk : kExitError;
    }
    case Command::kHelp:
      break;
  }
  return kExitOk;
}

}  // namespace gop::ctl
