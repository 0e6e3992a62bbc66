#include "tests/ctl/test_certificates.h"

#include <cstdlib>
#include <fstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace gop::testing {
namespace {

absl::Status Run(const std::string& dir, const std::string& command) {
  const std::string line = absl::StrCat("cd '", dir, "' && ", command, " >>openssl.log 2>&1");
  if (std::system(line.c_str()) != 0) {
    return absl::InternalError(absl::StrCat("openssl failed (see ", dir, "/openssl.log): ", command));
  }
  return absl::OkStatus();
}

absl::Status MakeCa(const std::string& dir, const std::string& name) {
  return Run(dir, absl::StrCat("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
                               "-nodes -days 1 -subj /CN=", name, " -keyout ", name, ".key -out ",
                               name, ".pem"));
}

absl::Status MakeLeaf(const std::string& dir, const std::string& name, const std::string& ca,
                      const std::string& extensions) {
  {
    std::ofstream ext(absl::StrCat(dir, "/", name, ".ext"));
    ext << extensions;
  }
  absl::Status s = Run(dir, absl::StrCat("openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
                                         "-nodes -subj /CN=", name, " -keyout ", name, ".key -out ",
                                         name, ".csr"));
  if (!s.ok()) return s;
  return Run(dir, absl::StrCat("openssl x509 -req -days 1 -in ", name, ".csr -CA ", ca, ".pem -CAkey ",
                               ca, ".key -CAcreateserial -extfile ", name, ".ext -out ", name, ".pem"));
}

}  // namespace

absl::StatusOr<TestCertificates> TestCertificates::Create() {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = absl::StrCat(tmp != nullptr ? tmp : "/tmp", "/gop-certs-XXXXXX");
  if (mkdtemp(pattern.data()) == nullptr) return absl::InternalError("mkdtemp failed");
  TestCertificates certs;
  certs.dir = pattern;
  for (absl::Status s : {MakeCa(certs.dir, "ca"), MakeCa(certs.dir, "wrong-ca"),
                         MakeLeaf(certs.dir, "server", "ca",
                                  "subjectAltName=IP:127.0.0.1,DNS:localhost\n"
                                  "basicConstraints=CA:FALSE\n"
                                  "keyUsage=digitalSignature,keyEncipherment\n"
                                  "extendedKeyUsage=serverAuth\n"),
                         MakeLeaf(certs.dir, "client", "ca",
                                  "basicConstraints=CA:FALSE\n"
                                  "keyUsage=digitalSignature\n"
                                  "extendedKeyUsage=clientAuth\n")}) {
    if (!s.ok()) return s;
  }
  certs.ca_cert = certs.dir + "/ca.pem";
  certs.wrong_ca_cert = certs.dir + "/wrong-ca.pem";
  certs.server_cert = certs.dir + "/server.pem";
  certs.server_key = certs.dir + "/server.key";
  certs.client_cert = certs.dir + "/client.pem";
  certs.client_key = certs.dir + "/client.key";
  return certs;
}

}  // namespace gop::testing
