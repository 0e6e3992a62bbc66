// transaction and batch Bundles at POST /.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/minibox/minibox_fixture.h"

namespace gop::minibox {
namespace {

using ::testing::StartsWith;

class MiniboxBundleTest : public MiniboxTest {};

TEST_F(MiniboxBundleTest, TransactionResolvesUrnUuidReferences) {
  nlohmann::json bundle = {
      {"resourceType", "Bundle"},
      {"type", "transaction"},
      {"entry",
       {{{"fullUrl", "urn:uuid:11111111-1111-4111-8111-111111111111"},
         {"resource", {{"resourceType", "Patient"}, {"active", true}}},
         {"request", {{"method", "POST"}, {"url", "Patient"}}}},
        {{"resource",
          {{"resourceType", "Encounter"},
           {"status", "finished"},
           {"subject", {{"reference", "urn:uuid:11111111-1111-4111-8111-111111111111"}}}}},
         {"request", {{"method", "POST"}, {"url", "Encounter"}}}},
        {{"resource", {{"resourceType", "Patient"}, {"id", "fixed"}}},
         {"request", {{"method", "PUT"}, {"url", "Patient/fixed"}}}}}}};
  testing::HttpResponse r = Post("/fhir", bundle.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  nlohmann::json resp = Json(r);
  EXPECT_EQ(resp["type"], "transaction-response");
  ASSERT_EQ(resp["entry"].size(), 3u);
  EXPECT_THAT(resp["entry"][0]["response"]["status"].get<std::string>(), StartsWith("201"));
  std::string patient_id = resp["entry"][0]["resource"]["id"];
  EXPECT_EQ(resp["entry"][1]["resource"]["subject"]["reference"], "Patient/" + patient_id);
  EXPECT_THAT(resp["entry"][2]["response"]["status"].get<std::string>(), StartsWith("201"));
  std::string enc_id = resp["entry"][1]["resource"]["id"];
  EXPECT_EQ(Json(Get("/fhir/Encounter/" + enc_id))["subject"]["reference"],
            "Patient/" + patient_id);
}

TEST_F(MiniboxBundleTest, TransactionIsAllOrNothing) {
  CreateOk("Patient", {{"resourceType", "Patient"}, {"id", "exists"}});
  nlohmann::json bundle = {
      {"resourceType", "Bundle"},
      {"type", "transaction"},
      {"entry",
       {{{"resource", {{"resourceType", "Observation"}, {"status", "final"}}},
         {"request", {{"method", "POST"}, {"url", "Observation"}}}},
        {{"resource", {{"resourceType", "Patient"}, {"active", false}}},
         {"request", {{"method", "PUT"}, {"url", "Patient/exists"}, {"ifMatch", "W/\"999999\""}}}}}}};
  testing::HttpResponse r = Post("/", bundle.dump());
  EXPECT_EQ(r.status, 412) << r.body;
  EXPECT_TRUE(IsOutcome(r));
  EXPECT_EQ(Sql("SELECT count(*) FROM observation"), std::vector<std::string>{"0"});
  EXPECT_EQ(Sql("SELECT count(*) FROM patient_history"), std::vector<std::string>{"0"});

  // An invalid entry rejects the whole transaction before anything runs.
  bundle["entry"][1] = {{"resource", {{"resourceType", "Patient"}}},
                        {"request", {{"method", "POST"}, {"url", "Nonsense"}}}};
  r = Post("/", bundle.dump());
  EXPECT_EQ(r.status, 404) << r.body;
  EXPECT_EQ(Sql("SELECT count(*) FROM observation"), std::vector<std::string>{"0"});
}

TEST_F(MiniboxBundleTest, BatchEntriesSucceedOrFailAlone) {
  nlohmann::json bundle = {
      {"resourceType", "Bundle"},
      {"type", "batch"},
      {"entry",
       {{{"resource", {{"resourceType", "Patient"}}},
         {"request", {{"method", "POST"}, {"url", "Patient"}}}},
        {{"request", {{"method", "GET"}, {"url", "Patient/does-not-exist"}}}},
        {{"resource", {{"resourceType", "Observation"}}},
         {"request", {{"method", "POST"}, {"url", "Patient"}}}},
        {{"request", {{"method", "GET"}, {"url", "Patient?_count=10"}}}}}}};
  testing::HttpResponse r = Post("/", bundle.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  nlohmann::json resp = Json(r);
  EXPECT_EQ(resp["type"], "batch-response");
  ASSERT_EQ(resp["entry"].size(), 4u);
  EXPECT_THAT(resp["entry"][0]["response"]["status"].get<std::string>(), StartsWith("201"));
  EXPECT_THAT(resp["entry"][1]["response"]["status"].get<std::string>(), StartsWith("404"));
  EXPECT_EQ(resp["entry"][1]["response"]["outcome"]["resourceType"], "OperationOutcome");
  EXPECT_THAT(resp["entry"][2]["response"]["status"].get<std::string>(), StartsWith("400"));
  EXPECT_EQ(resp["entry"][3]["resource"]["resourceType"], "Bundle");
  EXPECT_EQ(resp["entry"][3]["resource"]["total"], 1);
}

TEST_F(MiniboxBundleTest, RejectsNonBundles) {
  EXPECT_EQ(Post("/", R"({"resourceType":"Patient"})").status, 400);
  EXPECT_EQ(Post("/", R"({"resourceType":"Bundle","type":"document"})").status, 400);
  EXPECT_EQ(Post("/", R"({"resourceType":"Bundle","type":"batch","entry":{}})").status, 400);
  testing::HttpResponse r = Post("/", R"({"resourceType":"Bundle","type":"batch","entry":[7]})");
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(Json(r)["entry"][0]["response"]["status"].get<std::string>(), StartsWith("400"));
}

}  // namespace
}  // namespace gop::minibox
