// Bad input: right status, an OperationOutcome, no crash, nothing written.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/minibox/minibox_fixture.h"

namespace gop::minibox {
namespace {

using ::testing::HasSubstr;

class MiniboxBadInputTest : public MiniboxTest {
 protected:
  void Configure(Config& c) override {
    c.max_body_bytes = 64 * 1024;
    c.max_header_bytes = 8 * 1024;
    c.request_read_timeout = absl::Milliseconds(500);
  }
  void ExpectRejected(const testing::HttpResponse& r, int status) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_TRUE(IsOutcome(r)) << r.body;
  }
  void ExpectNothingStored() {
    EXPECT_EQ(Sql("SELECT count(*) FROM patient"), std::vector<std::string>{"0"});
  }
  int StatusOfRaw(const std::string& raw) {
    absl::StatusOr<std::string> out = client_->SendRaw(raw, absl::Seconds(10));
    EXPECT_TRUE(out.ok()) << out.status();
    if (!out.ok() || out->size() < 12) return 0;
    return std::stoi(out->substr(9, 3));
  }
};

TEST_F(MiniboxBadInputTest, MalformedJson) {
  ExpectRejected(Post("/fhir/Patient", R"({"resourceType":"Patient",)"), 400);
  ExpectRejected(Put("/fhir/Patient/a", "not json"), 400);
  ExpectNothingStored();
}

TEST_F(MiniboxBadInputTest, NonObjectBodies) {
  for (const char* body : {"[]", "42", "\"Patient\"", "null", ""}) {
    ExpectRejected(Post("/fhir/Patient", body), 400);
  }
  ExpectNothingStored();
}

TEST_F(MiniboxBadInputTest, ResourceTypeContradictsUrl) {
  ExpectRejected(Post("/fhir/Patient", R"({"resourceType":"Observation"})"), 400);
  ExpectRejected(Post("/fhir/Patient", R"({"name":[]})"), 400);
  ExpectRejected(Put("/fhir/Patient/a", R"({"resourceType":"Observation","id":"a"})"), 400);
  ExpectNothingStored();
}

TEST_F(MiniboxBadInputTest, IdContradictsUrl) {
  ExpectRejected(Put("/fhir/Patient/a", R"({"resourceType":"Patient","id":"b"})"), 400);
  ExpectNothingStored();
}

TEST_F(MiniboxBadInputTest, InvalidIdSyntax) {
  ExpectRejected(Put("/fhir/Patient/bad$id", R"({"resourceType":"Patient"})"), 400);
  ExpectRejected(Post("/fhir/Patient", R"({"resourceType":"Patient","id":"white space"})"), 400);
  ExpectRejected(Get("/fhir/Patient/" + std::string(65, 'a')), 400);
  ExpectRejected(Post("/fhir/Patient", R"({"resourceType":"Patient","id":7})"), 400);
  ExpectNothingStored();
}

TEST_F(MiniboxBadInputTest, DeepNestingAndNulCharacter) {
  std::string deep = R"({"resourceType":"Patient","x":)" + std::string(5000, '[') +
                     std::string(5000, ']') + "}";
  ExpectRejected(Post("/fhir/Patient", deep), 400);
  // PostgreSQL's jsonb refuses \u0000: a 400, not a 500.
  ExpectRejected(Post("/fhir/Patient", R"({"resourceType":"Patient","x":"a\u0000b"})"), 400);
  ExpectNothingStored();
}

TEST_F(MiniboxBadInputTest, BodyTooLarge) {
  std::string big = R"({"resourceType":"Patient","x":")" + std::string(100 * 1024, 'a') + "\"}";
  ExpectRejected(Post("/fhir/Patient", big), 413);
  ExpectNothingStored();
  EXPECT_EQ(Get("/health").status, 200);
}

TEST_F(MiniboxBadInputTest, WrongContentType) {
  testing::HttpRequest r{"POST", "/fhir/Patient", {{"Content-Type", "application/xml"}},
                         "<Patient/>"};
  ExpectRejected(Send(r), 415);
  r.headers = {{"Content-Type", "text/plain"}};
  r.body = R"({"resourceType":"Patient"})";
  ExpectRejected(Send(r), 415);
  ExpectNothingStored();
}

TEST_F(MiniboxBadInputTest, UnsupportedMethods) {
  for (const char* m : {"PATCH", "OPTIONS", "TRACE"}) {
    testing::HttpRequest r{m, "/fhir/Patient/x", {}, ""};
    testing::HttpResponse res = Send(r);
    EXPECT_EQ(res.status, 405) << m;
    EXPECT_FALSE(res.Header("allow").empty());
  }
  testing::HttpRequest del_type{"DELETE", "/fhir/Patient", {}, ""};
  ExpectRejected(Send(del_type), 405);
  testing::HttpRequest get_root{"GET", "/fhir", {}, ""};
  ExpectRejected(Send(get_root), 405);
}

TEST_F(MiniboxBadInputTest, VeryLongUrlAndHeaders) {
  ExpectRejected(Get("/fhir/Patient?name=" + std::string(20000, 'x')), 414);
  testing::HttpRequest r{"GET", "/fhir/Patient", {{"X-Big", std::string(20000, 'y')}}, ""};
  ExpectRejected(Send(r), 431);
  EXPECT_EQ(Get("/health").status, 200);
}

TEST_F(MiniboxBadInputTest, GarbageRequestLine) {
  EXPECT_EQ(StatusOfRaw("HELLO WORLD\r\n\r\n"), 400);
  EXPECT_EQ(StatusOfRaw("GET /fhir/Patient HTTP/1.1\r\nContent-Length: abc\r\n\r\n"), 400);
}

TEST_F(MiniboxBadInputTest, SlowlorisPartialRequestTimesOut) {
  // Headers never finish: the server answers 408 after its read timeout and closes.
  absl::Time start = absl::Now();
  EXPECT_EQ(StatusOfRaw("POST /fhir/Patient HTTP/1.1\r\nHost: x\r\nContent-Le"), 408);
  // Body promised but never sent.
  EXPECT_EQ(StatusOfRaw("POST /fhir/Patient HTTP/1.1\r\nHost: x\r\nContent-Type: "
                        "application/json\r\nContent-Length: 100\r\n\r\n{\"resour"),
            408);
  EXPECT_LT(absl::Now() - start, absl::Seconds(9));  // the 10 s client timeout never hit
  ExpectNothingStored();
  EXPECT_EQ(Get("/health").status, 200);
}

}  // namespace
}  // namespace gop::minibox
