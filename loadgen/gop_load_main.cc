// gop-load: the load generator as a standalone command (see loadgen/cli.h).
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "loadgen/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::filesystem::path self = "/proc/self/exe";
  std::error_code ec;
  std::filesystem::path exe = std::filesystem::read_symlink(self, ec);
  if (ec) exe = argv[0];
  return gop::loadgen::RunCli(args, exe, std::cout, std::cerr, isatty(STDERR_FILENO) != 0);
}
