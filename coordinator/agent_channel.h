#ifndef GOP_COORDINATOR_AGENT_CHANNEL_H_
#define GOP_COORDINATOR_AGENT_CHANNEL_H_

#include <string>

#include "absl/status/status.h"
#include "gop/v1/session.pb.h"
#include "gop/v1/status.pb.h"

namespace gop {

// The coordinator's end of one agent's Session stream. Thread-safe and
// non-blocking: messages are queued and written in order by the transport.
// Calls after the stream ended are dropped.
class AgentChannel {
 public:
  virtual ~AgentChannel() = default;
  virtual void Send(const v1::CoordinatorMessage& message) = 0;
  // Ends the stream once queued messages are written.
  virtual void Finish(const absl::Status& status) = 0;
  virtual std::string Peer() const = 0;
};

// A gopctl WatchStatus stream. Thread-safe and non-blocking: a watcher keeps
// only the newest snapshot while a write is in flight.
class StatusWatcher {
 public:
  virtual ~StatusWatcher() = default;
  // `final` is the last snapshot of the run; the watcher ends its stream after it.
  virtual void Publish(const v1::RunStatus& status, bool final) = 0;
};

}  // namespace gop

#endif  // GOP_COORDINATOR_AGENT_CHANNEL_H_
