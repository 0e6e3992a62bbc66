#ifndef GOP_TESTS_LOADGEN_TEST_HTTP_SERVER_H_
#define GOP_TESTS_LOADGEN_TEST_HTTP_SERVER_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>


#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"

namespace gop::testing {

// A small HTTP/1.1 server on 127.0.0.1 (ephemeral port) that misbehaves on
// request, for load-generator fault tests. One thread per connection
// (tests use few connections). Answers every request with a small JSON body
// unless a fault is set.
class TestHttpServer {
 public:
  enum class Fault {
    kNone,       // 200, Content-Length, keep-alive
    kChunked,    // 200, chunked body
    kClose,      // reads the request, closes without answering
    kStatus500,  // 500 with a body
    kMalformed,  // garbage instead of a status line
    kHang,       // reads the request, never answers
    kConnectionClose,  // 200 with "Connection: close", then closes
  };

  static absl::StatusOr<std::unique_ptr<TestHttpServer>> Start();
  ~TestHttpServer();  // closes everything, joins its threads

  int port() const { return port_; }
  std::string url() const;  // "http://127.0.0.1:PORT"

  void set_fault(Fault fault) { fault_.store(fault); }
  // When request number `n` (1-based) arrives, every request that arrives in
  // the next `length` is answered only when that window ends (a server-wide
  // pause, like a GC or a lock).
  void StallAtRequest(int64_t n, absl::Duration length);

  int64_t requests() const { return requests_.load(); }
  int64_t connections() const { return connections_.load(); }

 private:
  TestHttpServer() = default;
  void AcceptLoop();
  void Serve(int fd);
  // Sleeps until `deadline_ns` or shutdown.
  void SleepUntil(int64_t deadline_ns);

  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<Fault> fault_{Fault::kNone};
  std::atomic<int64_t> requests_{0};
  std::atomic<int64_t> connections_{0};
  std::atomic<int64_t> stall_at_{0};
  std::atomic<int64_t> stall_ns_{0};
  std::atomic<int64_t> stall_until_ns_{0};
  std::thread acceptor_;
  absl::Mutex mu_;
  int live_ ABSL_GUARDED_BY(mu_) = 0;  // connection threads (detached)
  std::vector<int> fds_ ABSL_GUARDED_BY(mu_);  // open connections
};

}  // namespace gop::testing

#endif  // GOP_TESTS_LOADGEN_TEST_HTTP_SERVER_H_
