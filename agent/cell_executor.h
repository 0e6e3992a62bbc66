#ifndef GOP_AGENT_CELL_EXECUTOR_H_
#define GOP_AGENT_CELL_EXECUTOR_H_

#include <atomic>

#include "gop/v1/session.pb.h"

namespace gop {

// Where a running cell reports its progress (about once a second).
// Thread-safe; never blocks for long.
class ProgressSink {
 public:
  virtual ~ProgressSink() = default;
  virtual void Report(const v1::Progress& progress) = 0;
};

// Runs one assigned cell from start to finish: configure and start the
// target, load it, report. The agent calls it on a worker thread of its own.
class CellExecutor {
 public:
  virtual ~CellExecutor() = default;
  // Blocks until the cell ends. Never fails by status: a failed cell is a
  // CellResult with ok=false and the reason. `cancelled` turns true when the
  // coordinator cancels this attempt; the executor then stops soon after.
  virtual v1::CellResult Execute(const v1::Assign& assign, ProgressSink* progress,
                                 const std::atomic<bool>* cancelled) = 0;
};

}  // namespace gop

#endif  // GOP_AGENT_CELL_EXECUTOR_H_
