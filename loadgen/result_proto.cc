#include "loadgen/result_proto.h"

#include "gop/v1/session.pb.h"

namespace gop::loadgen {

void ToProto(const OperationStats& s, v1::OperationStats* out) {
  out->set_name(s.name);
  s.latency.ToProto(out->mutable_latency());
  out->set_requests(s.requests);
  out->set_errors(s.errors);
  for (const auto& [code, n] : s.status_counts) (*out->mutable_status_counts())[code] = n;
  for (const auto& [kind, n] : s.error_kinds) (*out->mutable_error_kinds())[kind] = n;
  out->set_bytes_sent(s.bytes_sent);
  out->set_bytes_received(s.bytes_received);
}

void ToProto(const LoadResult& r, v1::CellResult* out) {
  out->set_measured_seconds(r.measured_seconds);
  ToProto(r.overall, out->mutable_overall());
  out->clear_operations();
  for (const OperationStats& o : r.operations) ToProto(o, out->add_operations());
  r.latency_uncorrected.ToProto(out->mutable_latency_uncorrected());
  out->set_iterations(r.iterations);
  out->set_dropped_iterations(r.dropped_iterations);
  out->clear_timeline();
  for (const TimePoint& p : r.timeline) {
    v1::TimePoint* t = out->add_timeline();
    t->set_second(p.second);
    t->set_requests(p.requests);
    t->set_errors(p.errors);
    t->set_p50_us(p.p50_us);
    t->set_p99_us(p.p99_us);
  }
}

}  // namespace gop::loadgen
