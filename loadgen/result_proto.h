#ifndef GOP_LOADGEN_RESULT_PROTO_H_
#define GOP_LOADGEN_RESULT_PROTO_H_

#include "loadgen/load_result.h"

namespace gop::v1 {
class CellResult;
class OperationStats;
}  // namespace gop::v1

namespace gop::loadgen {

// Fills the load figures of a cell result: overall, operations,
// latency_uncorrected, iterations, dropped_iterations, timeline,
// measured_seconds. Other fields (ids, target CPU, ...) are left alone.
void ToProto(const LoadResult& result, v1::CellResult* out);
void ToProto(const OperationStats& stats, v1::OperationStats* out);

}  // namespace gop::loadgen

#endif  // GOP_LOADGEN_RESULT_PROTO_H_
