#ifndef GOP_TESTS_CTL_TEST_CERTIFICATES_H_
#define GOP_TESTS_CTL_TEST_CERTIFICATES_H_

#include <string>

#include "absl/status/statusor.h"

namespace gop::testing {

// PEM files made by the openssl command line in a fresh temp dir: a CA, a
// server certificate it signed (SAN IP:127.0.0.1, DNS:localhost), a client
// certificate it signed, and an unrelated "wrong" CA. EC P-256 keys, 1 day.
struct TestCertificates {
  std::string dir;
  std::string ca_cert;
  std::string server_cert, server_key;
  std::string client_cert, client_key;
  std::string wrong_ca_cert;

  static absl::StatusOr<TestCertificates> Create();
};

}  // namespace gop::testing

#endif  // GOP_TESTS_CTL_TEST_CERTIFICATES_H_
