#ifndef GOP_LOADGEN_PROGRESS_LINE_H_
#define GOP_LOADGEN_PROGRESS_LINE_H_

#include <string>

#include "loadgen/load_runner.h"

namespace gop::loadgen {

// One terminal status line for a progress sample, e.g.
// "measuring  0:12/0:30 [=======>        ] 13211 req/s  p99 4.1 ms  errors 0"
// (no newline; the caller rewrites it in place with '\r').
std::string FormatProgressLine(const ProgressSample& sample, int bar_width = 20);

}  // namespace gop::loadgen

#endif  // GOP_LOADGEN_PROGRESS_LINE_H_
