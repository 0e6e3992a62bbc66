#include "agent/health_probe.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <string>
#include <thread>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/free_port.h"

namespace gop {
namespace {

using ::testing::HasSubstr;

// A loopback HTTP server answering every request with the status the test
// sets (0 = accept and never answer).
class StubHttpServer {
 public:
  StubHttpServer() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    listen(fd_, 16);
    socklen_t len = sizeof addr;
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~StubHttpServer() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }

  std::string Url(const std::string& path = "/health") const {
    return absl::StrCat("http://127.0.0.1:", port_, path);
  }
  void set_status(int status) { status_ = status; }
  // Answer 503 to the first `n` requests, then `status_`.
  void set_failures_first(int n) { failures_first_ = n; }
  int requests() const { return requests_; }

 private:
  void Serve() {
    std::vector<int> silent;  // connections we never answer, closed at the end
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 20) <= 0) continue;
      int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      std::string request;
      char buf[1024];
      while (request.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = read(c, buf, sizeof buf);
        if (n <= 0) break;
        request.append(buf, n);
      }
      int n = ++requests_;
      int status = n <= failures_first_ ? 503 : status_.load();
      if (status == 0) {
        silent.push_back(c);
        continue;
      }
      std::string response = absl::StrCat("HTTP/1.1 ", status, " X\r\nContent-Length: 2\r\n",
                                          "Connection: close\r\n\r\nok");
      ssize_t ignored = write(c, response.data(), response.size());
      (void)ignored;
      close(c);
    }
    for (int c : silent) close(c);
  }

  int fd_;
  int port_;
  std::atomic<bool> stop_{false};
  std::atomic<int> status_{200};
  std::atomic<int> failures_first_{0};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

int UnusedPort() { return ::gop::testing::UnusedLoopbackPort(); }

TEST(ParseHttpUrlTest, SplitsHostPortAndTarget) {
  absl::StatusOr<HttpUrl> u = ParseHttpUrl("http://127.0.0.1:8080/health?x=1");
  ASSERT_TRUE(u.ok()) << u.status();
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, "8080");
  EXPECT_EQ(u->target, "/health?x=1");

  u = ParseHttpUrl("http://localhost");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->port, "80");
  EXPECT_EQ(u->target, "/");

  u = ParseHttpUrl("http://[::1]:9/");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, "9");

  EXPECT_FALSE(ParseHttpUrl("https://x/").ok());
  EXPECT_FALSE(ParseHttpUrl("http://x:0/").ok());
  EXPECT_FALSE(ParseHttpUrl("http://x:port/").ok());
  EXPECT_FALSE(ParseHttpUrl("http:///health").ok());
}

TEST(HttpGetStatusTest, ReturnsTheStatusCode) {
  StubHttpServer server;
  server.set_status(418);
  absl::StatusOr<int> code = HttpGetStatus(server.Url(), absl::Seconds(10));
  ASSERT_TRUE(code.ok()) << code.status();
  EXPECT_EQ(*code, 418);
}

TEST(HttpGetStatusTest, RefusedConnectionNamesTheStep) {
  absl::StatusOr<int> code =
      HttpGetStatus(absl::StrCat("http://127.0.0.1:", UnusedPort(), "/health"), absl::Seconds(10));
  EXPECT_EQ(code.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(code.status().message()), HasSubstr("connect"));
}

TEST(HttpGetStatusTest, SilentServerTimesOut) {
  StubHttpServer server;
  server.set_status(0);
  absl::StatusOr<int> code = HttpGetStatus(server.Url(), absl::Milliseconds(200));
  EXPECT_EQ(code.status().code(), absl::StatusCode::kDeadlineExceeded) << code.status();
}

TEST(WaitForHealthyTest, SucceedsOnceTheServiceAnswers200) {
  StubHttpServer server;
  server.set_failures_first(3);
  HealthProbeOptions options;
  options.interval = absl::Milliseconds(10);
  absl::Status s = WaitForHealthy(server.Url(), absl::Seconds(30), options);
  EXPECT_TRUE(s.ok()) << s;
  EXPECT_EQ(server.requests(), 4);
}

// Time is faked: attempts happen at 0, 250, 500, 750 and 1000 ms of a 1 s wait.
TEST(WaitForHealthyTest, TimesOutWithTheLastErrorAndAttemptCount) {
  StubHttpServer server;
  server.set_status(503);
  absl::Time now = absl::UnixEpoch();
  HealthProbeOptions options;
  options.interval = absl::Milliseconds(250);
  options.now = [&now] { return now; };
  options.sleep = [&now](absl::Duration d) { now += d; };
  absl::Status s = WaitForHealthy(server.Url(), absl::Seconds(1), options);
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(s.message(), HasSubstr(server.Url()));
  EXPECT_THAT(s.message(), HasSubstr("(5 attempts); last: HTTP 503"));
  EXPECT_EQ(server.requests(), 5);
}

TEST(WaitForHealthyTest, NothingListeningReportsConnectError) {
  HealthProbeOptions options;
  options.interval = absl::Milliseconds(20);
  absl::Status s = WaitForHealthy(absl::StrCat("http://127.0.0.1:", UnusedPort(), "/health"),
                                  absl::Milliseconds(200), options);
  EXPECT_EQ(s.code(), absl::StatusCode::kDeadlineExceeded);
  EXPECT_THAT(s.message(), HasSubstr("last: connect: Connection refused"));
}

TEST(WaitForHealthyTest, RejectsABadUrl) {
  EXPECT_EQ(WaitForHealthy("ftp://x/", absl::Seconds(1)).code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace gop
