#include "loadgen/virtual_user.h"

#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "boost/asio/write.hpp"
#include "boost/beast/http/error.hpp"
#include "loadgen/run_context.h"
#include "loadgen/sv.h"
#include "loadgen/worker.h"
#include "nlohmann/json.hpp"

namespace gop::loadgen {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {
// Pause after a failed connect so a refused port does not spin the loop.
constexpr int64_t kConnectBackoffNs = 100'000'000;
constexpr std::size_t kMaxBuffer = 1 << 20;

bool StatusExpected(const Step& step, int status) {
  if (step.expect_status.empty()) return status >= 200 && status < 300;
  for (int s : step.expect_status) {
    if (s == status) return true;
  }
  return false;
}

// "Patient/123/_history/1", segment 1 -> "123".
std::string Segment(std::string_view value, int segment) {
  if (segment == Capture::kIdSegment) {
    if (size_t h = value.find("/_history"); h != std::string_view::npos) value = value.substr(0, h);
    size_t slash = value.rfind('/');
    return std::string(slash == std::string_view::npos ? value : value.substr(slash + 1));
  }
  if (segment < 0) return std::string(value);
  std::vector<absl::string_view> parts = absl::StrSplit(Sv(value), '/', absl::SkipEmpty());
  if (segment < static_cast<int>(parts.size())) return std::string(parts[segment]);
  return "";
}

}  // namespace

VirtualUser::VirtualUser(Worker& worker, int64_t id, int local_index)
    : worker_(worker), local_index_(local_index), socket_(worker.io()) {
  const Scenario& sc = *worker_.ctx().scenario;
  values_.captures.resize(sc.capture_slots.size());
  values_.uuids.resize(sc.uuid_slots.size());
  values_.vu = id;
  values_.rng = &worker_.rng();
}

void VirtualUser::StartIteration(int64_t intended_ns) {
  intended_ns_ = intended_ns;
  iteration_failed_ = false;
  step_ = 0;
  for (std::string& c : values_.captures) c.clear();
  for (std::string& u : values_.uuids) u.clear();
  values_.iteration = iterations_started_++;
  StartStep();
}

void VirtualUser::StartStep() {
  const RequestBuilder& rb = *worker_.ctx().requests;
  out_ = rb.StaticRequest(step_);
  if (out_ == nullptr) {
    rb.Render(step_, values_, &request_, &scratch_);
    out_ = &request_;
  }
  retried_ = false;
  if (connected_) {
    Send();
  } else {
    Connect();
  }
}

void VirtualUser::Connect() {
  state_ = State::kConnecting;
  deadline_ns_ = NowNs() + worker_.ctx().connect_timeout_ns;
  socket_.async_connect(worker_.ctx().endpoint, [this, g = generation_](const error_code& ec) {
    if (g == generation_) OnConnect(ec);
  });
}

void VirtualUser::OnConnect(const error_code& ec) {
  if (ec) {
    Fail(ErrorKind::kConnect, NowNs());
    return;
  }
  connected_ = true;
  reused_ = false;
  error_code ignored;
  socket_.set_option(asio::ip::tcp::no_delay(true), ignored);
  Send();
}

void VirtualUser::Send() {
  state_ = State::kWriting;
  send_ns_ = NowNs();
  deadline_ns_ = send_ns_ + worker_.ctx().request_timeout_ns;
  const Step& step = worker_.ctx().scenario->steps[step_];
  body_.clear();
  location_.clear();
  parser_.emplace(step.needs_body ? &body_ : nullptr, step.needs_location ? &location_ : nullptr);
  begin_ = end_ = 0;
  bytes_received_ = 0;
  asio::async_write(socket_, asio::buffer(*out_),
                    [this, g = generation_](const error_code& ec, std::size_t n) {
                      if (g == generation_) OnWrite(ec, n);
                    });
}

void VirtualUser::OnWrite(const error_code& ec, std::size_t) {
  if (ec) {
    if (RetryOnFreshConnection()) return;
    Fail(ErrorKind::kProtocol, NowNs());
    return;
  }
  state_ = State::kReading;
  Read();
}

void VirtualUser::Read() {
  if (!buffer_) {
    buffer_size_ = static_cast<std::size_t>(worker_.ctx().read_buffer_bytes);
    buffer_ = std::make_unique<char[]>(buffer_size_);
  }
  if (end_ == buffer_size_) {
    // A header larger than the buffer: grow (bodies never pile up here,
    // the parser consumes them as they come).
    std::size_t grown = std::min(buffer_size_ * 2, kMaxBuffer);
    if (grown == buffer_size_) {
      Fail(ErrorKind::kProtocol, NowNs());
      return;
    }
    auto bigger = std::make_unique<char[]>(grown);
    std::memcpy(bigger.get(), buffer_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
    buffer_ = std::move(bigger);
    buffer_size_ = grown;
  }
  socket_.async_read_some(asio::buffer(buffer_.get() + end_, buffer_size_ - end_),
                          [this, g = generation_](const error_code& ec, std::size_t n) {
                            if (g == generation_) OnRead(ec, n);
                          });
}

void VirtualUser::OnRead(const error_code& ec, std::size_t n) {
  int64_t now = NowNs();
  if (ec) {
    if (ec == asio::error::eof && parser_->need_eof() && bytes_received_ > 0) {
      // A body delimited by the end of the connection.
      error_code pec;
      parser_->put_eof(pec);
      if (!pec && parser_->is_done()) {
        CloseSocket();
        OnResponse(now);
        return;
      }
    }
    if (bytes_received_ == 0 && RetryOnFreshConnection()) return;
    Fail(ErrorKind::kProtocol, now);
    return;
  }
  bytes_received_ += static_cast<int64_t>(n);
  end_ += n;
  if (!Parse()) return;
  if (parser_->is_done()) {
    OnResponse(now);
  } else {
    Read();
  }
}

bool VirtualUser::Parse() {
  while (begin_ < end_ && !parser_->is_done()) {
    error_code ec;
    std::size_t used = parser_->put(asio::buffer(buffer_.get() + begin_, end_ - begin_), ec);
    begin_ += used;
    if (ec == boost::beast::http::error::need_more) break;
    if (ec) {
      Fail(ErrorKind::kProtocol, NowNs());
      return false;
    }
    if (used == 0) break;
  }
  if (begin_ == end_) {
    begin_ = end_ = 0;
  } else if (begin_ > 0 && !parser_->is_done()) {
    std::memmove(buffer_.get(), buffer_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  return true;
}

void VirtualUser::OnResponse(int64_t now) {
  const Step& step = worker_.ctx().scenario->steps[step_];
  const int status = parser_->status();
  // Bytes after the response mean the server and we disagree on framing:
  // drop the connection rather than misread the next response.
  if (!parser_->keep_alive() || begin_ < end_) {
    CloseSocket();
  } else {
    reused_ = true;
  }
  int64_t uncorrected = now - send_ns_;
  int64_t corrected = (step_ == 0 && intended_ns_ > 0) ? now - intended_ns_ : uncorrected;

  std::optional<ErrorKind> error;
  bool status_ok = StatusExpected(step, status);
  worker_.RecordCheck(status_ok, now);
  if (!status_ok) error = ErrorKind::kStatus;
  if (!error && !step.contains.empty()) {
    bool has = body_.find(step.contains) != std::string::npos;
    worker_.RecordCheck(has, now);
    if (!has) error = ErrorKind::kCheck;
  }
  if (!error && !step.captures.empty()) {
    nlohmann::json doc;
    bool parsed = false;
    for (const Capture& c : step.captures) {
      std::string value;
      if (c.from_header) {
        value = Segment(location_, c.segment);
      } else {
        if (!parsed) {
          doc = nlohmann::json::parse(body_, nullptr, /*allow_exceptions=*/false);
          parsed = true;
        }
        const nlohmann::json* cur = doc.is_discarded() ? nullptr : &doc;
        for (const std::string& part : c.path) {
          if (cur == nullptr) break;
          if (cur->is_object()) {
            auto it = cur->find(part);
            cur = it == cur->end() ? nullptr : &*it;
          } else if (cur->is_array()) {
            char* endp = nullptr;
            unsigned long idx = std::strtoul(part.c_str(), &endp, 10);
            cur = (*endp == '\0' && idx < cur->size()) ? &(*cur)[idx] : nullptr;
          } else {
            cur = nullptr;
          }
        }
        if (cur != nullptr) {
          if (cur->is_string()) {
            value = Segment(cur->get_ref<const std::string&>(), c.segment);
          } else if (cur->is_number()) {
            value = cur->dump();
          }
        }
      }
      if (value.empty()) {
        error = ErrorKind::kCheck;
        worker_.RecordCheck(false, now);
        break;
      }
      values_.captures[c.slot] = std::move(value);
    }
  }
  state_ = State::kIdle;
  worker_.RecordResponse(step.operation, status, now, corrected, uncorrected,
                         static_cast<int64_t>(out_->size()), bytes_received_, error);
  if (error) {
    iteration_failed_ = true;
    EndIteration();
    return;
  }
  ++step_;
  if (step_ < static_cast<int>(worker_.ctx().scenario->steps.size())) {
    StartStep();
  } else {
    EndIteration();
  }
}

void VirtualUser::Fail(ErrorKind kind, int64_t now) {
  const Step& step = worker_.ctx().scenario->steps[step_];
  bool sent = state_ == State::kReading;
  CloseSocket();
  worker_.RecordFailure(step.operation, kind, now, sent ? static_cast<int64_t>(out_->size()) : 0,
                        bytes_received_);
  iteration_failed_ = true;
  if (kind == ErrorKind::kConnect) {
    state_ = State::kBackoff;
    deadline_ns_ = now + kConnectBackoffNs;
    return;
  }
  EndIteration();
}

bool VirtualUser::RetryOnFreshConnection() {
  if (!reused_ || retried_) return false;
  retried_ = true;
  CloseSocket();
  Connect();
  return true;
}

void VirtualUser::EndIteration() {
  state_ = State::kIdle;
  worker_.OnIterationEnd(this, NowNs());
}

void VirtualUser::CloseSocket() {
  ++generation_;
  error_code ignored;
  socket_.close(ignored);
  connected_ = false;
  reused_ = false;
}

void VirtualUser::CheckDeadline(int64_t now) {
  switch (state_) {
    case State::kIdle:
      return;
    case State::kBackoff:
      if (now >= deadline_ns_) EndIteration();
      return;
    case State::kConnecting:
      if (now >= deadline_ns_) Fail(ErrorKind::kConnect, now);
      return;
    case State::kWriting:
    case State::kReading:
      if (now >= deadline_ns_) Fail(ErrorKind::kTimeout, now);
      return;
  }
}

void VirtualUser::Abort() {
  CloseSocket();
  state_ = State::kIdle;
}

}  // namespace gop::loadgen
