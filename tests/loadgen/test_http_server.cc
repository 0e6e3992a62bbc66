#include "tests/loadgen/test_http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace gop::testing {

namespace {

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool SendAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

constexpr char kBody[] = R"({"resourceType":"Patient","id":"test-1","active":true})";

}  // namespace

absl::StatusOr<std::unique_ptr<TestHttpServer>> TestHttpServer::Start() {
  std::unique_ptr<TestHttpServer> s(new TestHttpServer());
  s->listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (s->listen_fd_ < 0) return absl::InternalError("socket failed");
  int one = 1;
  ::setsockopt(s->listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(s->listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      ::listen(s->listen_fd_, 512) != 0) {
    return absl::InternalError(absl::StrCat("bind/listen failed: ", std::strerror(errno)));
  }
  socklen_t len = sizeof(addr);
  ::getsockname(s->listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  s->port_ = ntohs(addr.sin_port);
  s->acceptor_ = std::thread([p = s.get()] { p->AcceptLoop(); });
  return s;
}

TestHttpServer::~TestHttpServer() {
  stopping_.store(true);
  acceptor_.join();
  ::close(listen_fd_);
  absl::MutexLock lock(&mu_);
  for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
  auto none_live = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return live_ == 0; };
  mu_.Await(absl::Condition(&none_live));
}

std::string TestHttpServer::url() const { return absl::StrCat("http://127.0.0.1:", port_); }

void TestHttpServer::StallAtRequest(int64_t n, absl::Duration length) {
  stall_ns_.store(absl::ToInt64Nanoseconds(length));
  stall_at_.store(n);
}

void TestHttpServer::AcceptLoop() {
  while (!stopping_.load()) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, 20) <= 0) continue;
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;
    int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    connections_.fetch_add(1);
    absl::MutexLock lock(&mu_);
    fds_.push_back(fd);
    ++live_;
    std::thread([this, fd] {
      Serve(fd);
      absl::MutexLock lock(&mu_);
      fds_.erase(std::find(fds_.begin(), fds_.end(), fd));
      ::close(fd);
      --live_;
    }).detach();
  }
}

void TestHttpServer::SleepUntil(int64_t deadline_ns) {
  while (!stopping_.load() && NowNs() < deadline_ns) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

void TestHttpServer::Serve(int fd) {
  std::string buf;
  char chunk[16384];
  while (!stopping_.load()) {
    // Read one request: head, then Content-Length bytes of body.
    size_t head_end;
    while ((head_end = buf.find("\r\n\r\n")) == std::string::npos) {
      pollfd p{fd, POLLIN, 0};
      int r = ::poll(&p, 1, 20);
      if (stopping_.load()) return;
      if (r <= 0) continue;
      ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
      if (n <= 0) return;  // fds are closed by the destructor
      buf.append(chunk, static_cast<size_t>(n));
    }
    size_t body_len = 0;
    std::string head = absl::AsciiStrToLower(buf.substr(0, head_end));
    if (size_t cl = head.find("content-length:"); cl != std::string::npos) {
      size_t eol = head.find("\r\n", cl);
      (void)absl::SimpleAtoi(absl::StripAsciiWhitespace(head.substr(cl + 15, eol - cl - 15)),
                             &body_len);
    }
    while (buf.size() < head_end + 4 + body_len) {
      ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
      if (n <= 0) return;
      buf.append(chunk, static_cast<size_t>(n));
    }
    buf.erase(0, head_end + 4 + body_len);

    int64_t number = requests_.fetch_add(1) + 1;
    int64_t now = NowNs();
    if (number == stall_at_.load()) stall_until_ns_.store(now + stall_ns_.load());
    if (now < stall_until_ns_.load()) SleepUntil(stall_until_ns_.load());

    std::string body = kBody;
    switch (fault_.load()) {
      case Fault::kNone:
        if (!SendAll(fd, absl::StrCat("HTTP/1.1 200 OK\r\nContent-Type: application/fhir+json\r\n"
                                      "Content-Length: ", body.size(), "\r\n\r\n", body))) {
          return;
        }
        break;
      case Fault::kChunked: {
        std::string a = body.substr(0, 10), b = body.substr(10);
        std::string resp = absl::StrCat(
            "HTTP/1.1 200 OK\r\nContent-Type: application/fhir+json\r\nTransfer-Encoding: chunked\r\n\r\n",
            absl::Hex(a.size()), "\r\n", a, "\r\n", absl::Hex(b.size()), "\r\n", b, "\r\n0\r\n\r\n");
        if (!SendAll(fd, resp)) return;
        break;
      }
      case Fault::kConnectionClose:
        SendAll(fd, absl::StrCat("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: ",
                                 body.size(), "\r\n\r\n", body));
        ::shutdown(fd, SHUT_WR);
        return;
      case Fault::kClose:
        ::shutdown(fd, SHUT_RDWR);
        return;
      case Fault::kStatus500:
        if (!SendAll(fd, "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 5\r\n\r\noops!")) {
          return;
        }
        break;
      case Fault::kMalformed:
        SendAll(fd, "THIS IS NOT HTTP\r\n\r\n");
        ::shutdown(fd, SHUT_RDWR);
        return;
      case Fault::kHang:
        SleepUntil(INT64_MAX);
        return;
    }
  }
}

}  // namespace gop::testing
