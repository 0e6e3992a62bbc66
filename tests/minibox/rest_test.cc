// FHIR REST interactions over real HTTP against real PostgreSQL.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/minibox/minibox_fixture.h"

namespace gop::minibox {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

class MiniboxRestTest : public MiniboxTest {};

TEST_F(MiniboxRestTest, CreateReturns201WithLocationEtagAndMeta) {
  testing::HttpResponse r =
      Post("/fhir/Patient", R"({"resourceType":"Patient","name":[{"family":"Doe"}]})");
  ASSERT_EQ(r.status, 201) << r.body;
  nlohmann::json body = Json(r);
  std::string id = body["id"];
  std::string vid = body["meta"]["versionId"];
  EXPECT_FALSE(id.empty());
  EXPECT_TRUE(body["meta"]["lastUpdated"].is_string());
  EXPECT_EQ(body["name"][0]["family"], "Doe");
  EXPECT_EQ(r.Header("etag"), "W/\"" + vid + "\"");
  EXPECT_THAT(r.Header("location"), HasSubstr("/fhir/Patient/" + id + "/_history/" + vid));
  EXPECT_THAT(r.Header("last-modified"), HasSubstr("GMT"));
  EXPECT_THAT(r.Header("content-type"), StartsWith("application/fhir+json"));

  // Aidbox's storage model: id/txid columns, resource without id and resourceType.
  EXPECT_EQ(Sql("SELECT resource_type || ' ' || status || ' ' || txid FROM patient WHERE id = '" +
                id + "'"),
            std::vector<std::string>{"Patient created " + vid});
  EXPECT_EQ(Sql("SELECT (resource ? 'id')::text || (resource ? 'resourceType')::text FROM "
                "patient WHERE id = '" + id + "'"),
            std::vector<std::string>{"falsefalse"});
}

TEST_F(MiniboxRestTest, ReadVreadAndRootBasePath) {
  std::string id = CreateOk("Patient", {{"resourceType", "Patient"}, {"active", true}});
  testing::HttpResponse r = Get("/fhir/Patient/" + id);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(Json(r)["active"], true);
  std::string vid = Json(r)["meta"]["versionId"];
  EXPECT_EQ(Get("/Patient/" + id).status, 200);  // also served at /
  EXPECT_EQ(Get("/fhir/Patient/" + id + "/_history/" + vid).status, 200);
  EXPECT_EQ(Get("/fhir/Patient/" + id + "/_history/999999").status, 404);
  testing::HttpResponse missing = Get("/fhir/Patient/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_TRUE(IsOutcome(missing));
}

TEST_F(MiniboxRestTest, UpdateKeepsHistoryAndHonoursIfMatch) {
  std::string id = CreateOk("Patient", {{"resourceType", "Patient"}, {"active", true}});
  std::string v1 = Json(Get("/fhir/Patient/" + id))["meta"]["versionId"];
  testing::HttpResponse up =
      Put("/fhir/Patient/" + id, R"({"resourceType":"Patient","active":false})", "W/\"" + v1 + "\"");
  ASSERT_EQ(up.status, 200) << up.body;
  std::string v2 = Json(up)["meta"]["versionId"];
  EXPECT_NE(v1, v2);
  EXPECT_EQ(up.Header("etag"), "W/\"" + v2 + "\"");
  // Stale version: 412, nothing written.
  testing::HttpResponse stale =
      Put("/fhir/Patient/" + id, R"({"resourceType":"Patient","active":true})", "W/\"" + v1 + "\"");
  EXPECT_EQ(stale.status, 412);
  EXPECT_TRUE(IsOutcome(stale));
  EXPECT_EQ(Json(Get("/fhir/Patient/" + id))["active"], false);
  // The old version is in history and still readable.
  EXPECT_EQ(Json(Get("/fhir/Patient/" + id + "/_history/" + v1))["active"], true);
  EXPECT_EQ(Sql("SELECT count(*) FROM patient_history WHERE id = '" + id + "'"),
            std::vector<std::string>{"1"});
}

TEST_F(MiniboxRestTest, CreateOnUpdate) {
  testing::HttpResponse r = Put("/fhir/Patient/pat-1", R"({"resourceType":"Patient","id":"pat-1"})");
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Json(r)["id"], "pat-1");
  EXPECT_EQ(Get("/fhir/Patient/pat-1").status, 200);
}

TEST_F(MiniboxRestTest, DeleteThenGoneThen204) {
  std::string id = CreateOk("Patient", {{"resourceType", "Patient"}});
  testing::HttpResponse d = Delete("/fhir/Patient/" + id);
  EXPECT_EQ(d.status, 200);
  EXPECT_EQ(Json(d)["id"], id);
  testing::HttpResponse gone = Get("/fhir/Patient/" + id);
  EXPECT_EQ(gone.status, 410);
  EXPECT_TRUE(IsOutcome(gone));
  EXPECT_EQ(Delete("/fhir/Patient/" + id).status, 204);
  EXPECT_EQ(Delete("/fhir/Patient/never-was").status, 204);
  EXPECT_EQ(Sql("SELECT status FROM patient_history WHERE id = '" + id + "' ORDER BY txid"),
            (std::vector<std::string>{"created", "deleted"}));
}

TEST_F(MiniboxRestTest, PostWithIdConflictsWhenTaken) {
  EXPECT_EQ(Post("/fhir/Patient", R"({"resourceType":"Patient","id":"p-x"})").status, 201);
  testing::HttpResponse again = Post("/fhir/Patient", R"({"resourceType":"Patient","id":"p-x"})");
  EXPECT_EQ(again.status, 409);
  EXPECT_TRUE(IsOutcome(again));
}

TEST_F(MiniboxRestTest, AnyR4TypeGetsATableOnDemand) {
  std::string id = CreateOk("ImmunizationRecommendation",
                            {{"resourceType", "ImmunizationRecommendation"}});
  EXPECT_EQ(Get("/fhir/ImmunizationRecommendation/" + id).status, 200);
  EXPECT_EQ(Sql("SELECT count(*) FROM immunizationrecommendation"), std::vector<std::string>{"1"});
  // "Group" is an SQL keyword: quoting must work.
  CreateOk("Group", {{"resourceType", "Group"}, {"type", "person"}, {"actual", true}});
}

TEST_F(MiniboxRestTest, UnknownTypeIs404WithOutcome) {
  testing::HttpResponse r = Get("/fhir/Spaceship");
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(IsOutcome(r));
  r = Post("/fhir/Spaceship", R"({"resourceType":"Spaceship"})");
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(IsOutcome(r));
}

TEST_F(MiniboxRestTest, MetadataHealthAndMetrics) {
  testing::HttpResponse md = Get("/fhir/metadata");
  ASSERT_EQ(md.status, 200);
  EXPECT_EQ(Json(md)["resourceType"], "CapabilityStatement");
  EXPECT_EQ(Json(md)["fhirVersion"], "4.0.1");
  EXPECT_EQ(Get("/metadata").status, 200);
  EXPECT_EQ(Get("/health").status, 200);
  CreateOk("Patient", {{"resourceType", "Patient"}});
  testing::HttpResponse m = Get("/metrics");
  ASSERT_EQ(m.status, 200);
  for (const char* name : {"aidbox_http_request_duration_seconds_bucket", "hikari_active_count",
                           "hikari_idle_count", "hikari_pending_count", "hikari_max_size",
                           "hikari_acquire_wait_seconds_bucket", "minibox_worker_busy",
                           "minibox_worker_queued"}) {
    EXPECT_THAT(m.body, HasSubstr(name));
  }
  EXPECT_THAT(m.body, HasSubstr(R"(method="POST",route="/:type",status="201")"));
  EXPECT_EQ(Metric(R"(hikari_max_size{instance_name="minibox"})"), 4);
}

class MiniboxAuthTest : public MiniboxTest {
  void Configure(Config& c) override { c.root_client_secret = "s3cret"; }
};

TEST_F(MiniboxAuthTest, BasicAuthRequiredExceptHealth) {
  testing::HttpResponse r = Get("/fhir/Patient");
  EXPECT_EQ(r.status, 401);
  EXPECT_TRUE(IsOutcome(r));
  EXPECT_THAT(r.Header("www-authenticate"), HasSubstr("Basic"));
  testing::HttpRequest wrong{"GET", "/fhir/Patient", {{"Authorization", "Basic cm9vdDp4"}}, ""};
  EXPECT_EQ(Send(wrong).status, 401);
  // base64("root:s3cret")
  testing::HttpRequest ok{"GET", "/fhir/Patient", {{"Authorization", "Basic cm9vdDpzM2NyZXQ="}}, ""};
  EXPECT_EQ(Send(ok).status, 200);
  EXPECT_EQ(Get("/health").status, 200);
}

}  // namespace
}  // namespace gop::minibox
