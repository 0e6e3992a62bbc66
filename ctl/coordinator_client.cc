#include "ctl/coordinator_client.h"

#include <memory>
#include <optional>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth.h"
#include "ctl/render_status.h"

namespace gop::ctl {
namespace {

absl::StatusCode ToAbslCode(grpc::StatusCode code) { return static_cast<absl::StatusCode>(code); }

std::chrono::system_clock::time_point DeadlineFromNow(absl::Duration d) {
  return absl::ToChronoTime(absl::Now() + d);
}

}  // namespace

CoordinatorClient::CoordinatorClient(v1::Coordinator::StubInterface* stub, std::string target,
                                     std::string token, absl::Duration deadline)
    : stub_(stub), target_(std::move(target)), token_(std::move(token)), deadline_(deadline) {}

absl::Status CoordinatorClient::Explain(const grpc::Status& status) const {
  const std::string detail = status.error_message();
  switch (status.error_code()) {
    case grpc::StatusCode::OK:
      return absl::OkStatus();
    case grpc::StatusCode::UNAVAILABLE: {
      std::string message = absl::StrCat("cannot reach coordinator at ", target_, ": ", detail);
      const std::string lower = absl::AsciiStrToLower(detail);
      if (absl::StrContains(lower, "handshake") || absl::StrContains(lower, "ssl") ||
          absl::StrContains(lower, "certificate")) {
        absl::StrAppend(&message, " (TLS handshake failed: check --tls-ca and the server's certificate)");
      }
      return absl::UnavailableError(message);
    }
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return absl::UnavailableError(absl::StrCat("cannot reach coordinator at ", target_,
                                                 ": no answer within ",
                                                 absl::FormatDuration(deadline_), " (", detail, ")"));
    case grpc::StatusCode::UNAUTHENTICATED:
    case grpc::StatusCode::PERMISSION_DENIED:
      return absl::Status(
          ToAbslCode(status.error_code()),
          absl::StrCat("the coordinator at ", target_, " refused the token",
                       token_.empty() ? " (none given: use --token or GOP_TOKEN)" : "", ": ", detail));
    default:
      return absl::Status(ToAbslCode(status.error_code()),
                          absl::StrCat("coordinator at ", target_, ": ", detail));
  }
}

absl::StatusOr<v1::RunStatus> CoordinatorClient::GetStatus() {
  grpc::ClientContext context;
  context.set_deadline(DeadlineFromNow(deadline_));
  AddToken(&context, token_);
  v1::RunStatus status;
  const grpc::Status result = stub_->GetStatus(&context, v1::GetStatusRequest(), &status);
  if (!result.ok()) return Explain(result);
  return status;
}

absl::StatusOr<v1::CancelRunResponse> CoordinatorClient::CancelRun(const std::string& reason) {
  grpc::ClientContext context;
  context.set_deadline(DeadlineFromNow(deadline_));
  AddToken(&context, token_);
  v1::CancelRunRequest request;
  request.set_reason(reason);
  v1::CancelRunResponse response;
  const grpc::Status result = stub_->CancelRun(&context, request, &response);
  if (!result.ok()) return Explain(result);
  return response;
}

absl::StatusOr<v1::RunStatus> CoordinatorClient::Watch(
    int min_interval_ms, absl::FunctionRef<void(const v1::RunStatus&)> on_update) {
  grpc::ClientContext context;
  AddToken(&context, token_);
  {
    absl::MutexLock lock(&mu_);
    if (watch_cancelled_) return absl::CancelledError("watch interrupted");
    watch_context_ = &context;
  }

  // The stream has no overall deadline (a run lasts hours), but its first
  // update must come within deadline_: a watchdog cancels the call otherwise.
  absl::Mutex watchdog_mu;
  bool first_update_or_done = false;  // guarded by watchdog_mu
  bool watchdog_fired = false;        // guarded by watchdog_mu
  std::thread watchdog([&] {
    absl::MutexLock lock(&watchdog_mu);
    if (!watchdog_mu.AwaitWithTimeout(absl::Condition(&first_update_or_done), deadline_)) {
      watchdog_fired = true;
      context.TryCancel();
    }
  });
  auto settle_watchdog = [&] {
    {
      absl::MutexLock lock(&watchdog_mu);
      first_update_or_done = true;
    }
    if (watchdog.joinable()) watchdog.join();
  };

  v1::WatchStatusRequest request;
  request.set_min_interval_ms(min_interval_ms);
  std::unique_ptr<grpc::ClientReaderInterface<v1::RunStatus>> reader =
      stub_->WatchStatus(&context, request);
  v1::RunStatus update;
  std::optional<v1::RunStatus> last;
  while (reader->Read(&update)) {
    settle_watchdog();
    on_update(update);
    last = update;
    if (IsTerminal(update.state())) break;
  }
  if (last.has_value() && IsTerminal(last->state())) {
    // Done; do not wait for the server to close the stream.
    context.TryCancel();
  }
  const grpc::Status result = reader->Finish();
  settle_watchdog();
  bool cancelled;
  {
    absl::MutexLock lock(&mu_);
    watch_context_ = nullptr;
    cancelled = watch_cancelled_;
  }
  if (last.has_value() && IsTerminal(last->state())) return *last;
  if (cancelled) return absl::CancelledError("watch interrupted");
  if (watchdog_fired) {
    return absl::UnavailableError(absl::StrCat("cannot reach coordinator at ", target_,
                                               ": no status within ",
                                               absl::FormatDuration(deadline_)));
  }
  if (!result.ok()) return Explain(result);
  if (!last.has_value()) {
    return absl::UnavailableError(absl::StrCat("coordinator at ", target_,
                                               " closed the status stream without an update"));
  }
  return *last;
}

void CoordinatorClient::CancelWatch() {
  absl::MutexLock lock(&mu_);
  watch_cancelled_ = true;
  if (watch_context_ != nullptr) watch_context_->TryCancel();
}

}  // namespace gop::ctl
