// A stand-in target for the process driver's tests: a tiny HTTP server on
// 127.0.0.1:$BOX_WEB_PORT that answers 200 to every request, or a busy loop.
//   process_target_helper serve              serve until SIGTERM
//   process_target_helper serve-ignore-term  serve, ignoring SIGTERM
//   process_target_helper spin [THREADS]     burn CPU until killed
// It prints what it was started with, so tests can read it in the log.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

namespace {

int Serve() {
  const char* port_text = getenv("BOX_WEB_PORT");
  if (port_text == nullptr) {
    fprintf(stderr, "helper: BOX_WEB_PORT not set\n");
    return 2;
  }
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(atoi(port_text)));
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 16) != 0) {
    fprintf(stderr, "helper: cannot listen on %s: %s\n", port_text, strerror(errno));
    return 1;
  }
  printf("helper: listening on %s threads=%s pool=%s instance=%s\n", port_text,
         getenv("BOX_WEB_THREAD") ? getenv("BOX_WEB_THREAD") : "-",
         getenv("BOX_DB_POOL_MAXIMUM_POOL_SIZE") ? getenv("BOX_DB_POOL_MAXIMUM_POOL_SIZE") : "-",
         getenv("BOX_INSTANCE_NAME") ? getenv("BOX_INSTANCE_NAME") : "-");
  fflush(stdout);
  static const char kResponse[] =
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
  while (true) {
    int c = accept(fd, nullptr, nullptr);
    if (c < 0) continue;
    // Read the request head (bounded); the answer does not depend on it.
    std::string head;
    char buf[1024];
    while (head.find("\r\n\r\n") == std::string::npos && head.size() < 16384) {
      ssize_t n = read(c, buf, sizeof buf);
      if (n <= 0) break;
      head.append(buf, static_cast<size_t>(n));
    }
    ssize_t ignored = write(c, kResponse, sizeof kResponse - 1);
    (void)ignored;
    close(c);
  }
}

[[noreturn]] void Spin() {
  volatile unsigned long x = 0;
  while (true) x = x + 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "serve";
  if (mode == "serve") return Serve();
  if (mode == "serve-ignore-term") {
    signal(SIGTERM, SIG_IGN);
    return Serve();
  }
  if (mode == "spin") {
    int threads = argc > 2 ? atoi(argv[2]) : 1;
    printf("helper: spinning on %d thread(s)\n", threads);
    fflush(stdout);
    for (int i = 1; i < threads; ++i) std::thread(Spin).detach();
    Spin();
  }
  fprintf(stderr, "helper: unknown mode %s\n", mode.c_str());
  return 2;
}
