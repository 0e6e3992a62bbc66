#include "loadgen/load_result.h"

namespace gop::loadgen {

std::string_view ErrorKindName(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kConnect: return "connect";
    case ErrorKind::kTimeout: return "timeout";
    case ErrorKind::kStatus: return "status";
    case ErrorKind::kCheck: return "check";
    case ErrorKind::kProtocol: return "protocol";
  }
  return "unknown";
}

absl::Status OperationStats::Merge(const OperationStats& other) {
  absl::Status st = latency.Merge(other.latency);
  if (!st.ok()) return st;
  requests += other.requests;
  errors += other.errors;
  for (const auto& [code, n] : other.status_counts) status_counts[code] += n;
  for (const auto& [kind, n] : other.error_kinds) error_kinds[kind] += n;
  bytes_sent += other.bytes_sent;
  bytes_received += other.bytes_received;
  return absl::OkStatus();
}

}  // namespace gop::loadgen
