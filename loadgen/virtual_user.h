#ifndef GOP_LOADGEN_VIRTUAL_USER_H_
#define GOP_LOADGEN_VIRTUAL_USER_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "boost/asio/ip/tcp.hpp"
#include "loadgen/load_result.h"
#include "loadgen/response_parser.h"
#include "loadgen/template.h"

namespace gop::loadgen {

class Worker;

// One virtual user: a state machine that runs a scenario's steps in order
// on its own keep-alive connection, reconnecting when the server closes it.
// Lives on one worker thread; every method runs on that thread's loop.
class VirtualUser {
 public:
  // `id` is unique in the run (for {{vu}}); `local_index` is its place in
  // the worker's list.
  VirtualUser(Worker& worker, int64_t id, int local_index);
  VirtualUser(const VirtualUser&) = delete;
  VirtualUser& operator=(const VirtualUser&) = delete;

  // Starts an iteration. `intended_ns` is its scheduled start in the open
  // model (the first request is timed from it), 0 in the closed model.
  void StartIteration(int64_t intended_ns);
  bool busy() const { return state_ != State::kIdle; }
  int local_index() const { return local_index_; }
  int64_t iterations_started() const { return iterations_started_; }

  // Called by the worker's sweep: fails a request or connect whose deadline
  // passed, resumes after a connect back-off.
  void CheckDeadline(int64_t now_ns);
  // Hard stop: drops the connection and the iteration without recording.
  void Abort();

 private:
  enum class State : uint8_t { kIdle, kConnecting, kWriting, kReading, kBackoff };

  void StartStep();
  void Connect();
  void OnConnect(const boost::system::error_code& ec);
  void Send();
  void OnWrite(const boost::system::error_code& ec, std::size_t bytes);
  void Read();
  void OnRead(const boost::system::error_code& ec, std::size_t bytes);
  // Feeds buffered bytes to the parser; returns false after a failure.
  bool Parse();
  void OnResponse(int64_t now_ns);
  // Ends the current request as failed and the iteration with it.
  void Fail(ErrorKind kind, int64_t now_ns);
  // A reused keep-alive connection died before any response byte: the
  // server closed it while idle. Retries once on a new connection.
  bool RetryOnFreshConnection();
  void EndIteration();
  void CloseSocket();

  Worker& worker_;
  const int local_index_;
  boost::asio::ip::tcp::socket socket_;
  State state_ = State::kIdle;
  bool connected_ = false;
  bool reused_ = false;  // the connection already carried a response
  bool retried_ = false;
  bool iteration_failed_ = false;
  uint32_t generation_ = 0;  // bumps on timeout/abort: stale handlers return
  int step_ = 0;
  int64_t iterations_started_ = 0;
  int64_t intended_ns_ = 0;
  int64_t send_ns_ = 0;
  int64_t deadline_ns_ = 0;
  int64_t bytes_received_ = 0;

  IterationValues values_;
  std::string request_;
  std::string scratch_;
  const std::string* out_ = nullptr;  // the request being sent

  std::unique_ptr<char[]> buffer_;
  std::size_t buffer_size_ = 0;
  std::size_t begin_ = 0;  // unparsed bytes are [begin_, end_)
  std::size_t end_ = 0;
  std::optional<ResponseParser> parser_;
  std::string body_;
  std::string location_;
};

}  // namespace gop::loadgen

#endif  // GOP_LOADGEN_VIRTUAL_USER_H_
