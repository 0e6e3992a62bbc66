#ifndef GOP_LOADGEN_RESULT_EXPORT_H_
#define GOP_LOADGEN_RESULT_EXPORT_H_

#include <filesystem>
#include <string>

#include "absl/status/status.h"
#include "loadgen/load_result.h"
#include "nlohmann/json_fwd.hpp"

namespace gop::loadgen {

// gop's own JSON summary: every figure of the result, latencies in ms.
nlohmann::json ToSummaryJson(const LoadResult& result);

// k6's --summary-export shape (metrics.http_reqs{count,rate},
// metrics.http_req_duration{avg,min,med,max,p(90),p(95),p(99)} in ms,
// metrics.checks{passes,fails,value}, metrics.iterations{count,rate}, ...),
// so tools written for k6 summaries read gop's.
nlohmann::json ToK6SummaryJson(const LoadResult& result);

// One HdrHistogram percentile-distribution file per operation plus
// "overall.hgrm" (and "overall_uncorrected.hgrm") into `dir` (created).
// File names are the operation names with non-alphanumerics as '_'.
absl::Status WriteHgrmFiles(const LoadResult& result, const std::filesystem::path& dir);

// "POST Patient" -> "POST_Patient".
std::string FileNameFor(const std::string& operation);

// A human-readable table of the result for a terminal.
std::string FormatTextSummary(const LoadResult& result);

}  // namespace gop::loadgen

#endif  // GOP_LOADGEN_RESULT_EXPORT_H_
