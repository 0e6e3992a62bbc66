// Search: _id, _count cap, _sort, reference parameters, and their index use.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "minibox/search_query.h"
#include "tests/minibox/minibox_fixture.h"

namespace gop::minibox {
namespace {

using ::testing::HasSubstr;
using ::testing::UnorderedElementsAre;

class MiniboxSearchTest : public MiniboxTest {
 protected:
  void Configure(Config& c) override { c.search_count_cap = 5; }

  std::vector<std::string> Ids(const testing::HttpResponse& r) {
    std::vector<std::string> ids;
    nlohmann::json b = Json(r);
    for (const auto& e : b["entry"]) ids.push_back(e["resource"]["id"]);
    return ids;
  }
  nlohmann::json Obs(const std::string& id, const std::string& patient, const std::string& enc) {
    return {{"resourceType", "Observation"}, {"id", id}, {"status", "final"},
            {"subject", {{"reference", "Patient/" + patient}}},
            {"encounter", {{"reference", "Encounter/" + enc}}}};
  }
};

TEST_F(MiniboxSearchTest, ReferenceParameters) {
  CreateOk("Observation", Obs("o1", "p1", "e1"));
  CreateOk("Observation", Obs("o2", "p1", "e2"));
  CreateOk("Observation", Obs("o3", "p2", "e2"));
  testing::HttpResponse r = Get("/fhir/Observation?subject=Patient/p1");
  ASSERT_EQ(r.status, 200) << r.body;
  nlohmann::json b = Json(r);
  EXPECT_EQ(b["resourceType"], "Bundle");
  EXPECT_EQ(b["type"], "searchset");
  EXPECT_EQ(b["total"], 2);
  EXPECT_THAT(Ids(r), UnorderedElementsAre("o1", "o2"));
  EXPECT_THAT(Ids(Get("/fhir/Observation?patient=p1")), UnorderedElementsAre("o1", "o2"));
  EXPECT_THAT(Ids(Get("/fhir/Observation?encounter=Encounter/e2")),
              UnorderedElementsAre("o2", "o3"));
  EXPECT_THAT(Ids(Get("/fhir/Observation?patient=p1&encounter=e2")), UnorderedElementsAre("o2"));
  EXPECT_THAT(Ids(Get("/fhir/Observation?subject=Patient/p1,Patient/p2")),
              UnorderedElementsAre("o1", "o2", "o3"));
  EXPECT_TRUE(Ids(Get("/fhir/Observation?subject=Patient/zzz")).empty());
}

TEST_F(MiniboxSearchTest, IdCountCapAndSort) {
  for (int i = 0; i < 7; ++i) CreateOk("Patient", {{"resourceType", "Patient"}, {"id", absl::StrCat("p", i)}});
  EXPECT_THAT(Ids(Get("/fhir/Patient?_id=p1,p3")), UnorderedElementsAre("p1", "p3"));
  testing::HttpResponse capped = Get("/fhir/Patient?_count=100");
  EXPECT_EQ(Ids(capped).size(), 5u);  // cap
  EXPECT_EQ(Json(capped)["total"], 7);
  EXPECT_EQ(Ids(Get("/fhir/Patient?_count=2")).size(), 2u);
  testing::HttpResponse zero = Get("/fhir/Patient?_count=0");
  EXPECT_TRUE(Ids(zero).empty());
  EXPECT_EQ(Json(zero)["total"], 7);
  std::vector<std::string> asc = Ids(Get("/fhir/Patient?_sort=_lastUpdated&_count=3"));
  EXPECT_EQ(asc, (std::vector<std::string>{"p0", "p1", "p2"}));
  std::vector<std::string> desc = Ids(Get("/fhir/Patient?_sort=-_lastUpdated&_count=2"));
  EXPECT_EQ(desc, (std::vector<std::string>{"p6", "p5"}));
  EXPECT_EQ(Get("/fhir/Patient?_sort=name").status, 400);
  EXPECT_EQ(Get("/fhir/Patient?_count=-1").status, 400);
}

TEST_F(MiniboxSearchTest, ValuesAreParametersNotSql) {
  CreateOk("Observation", Obs("o1", "p1", "e1"));
  testing::HttpResponse r = Get("/fhir/Observation?subject=Patient/x'%20OR%20'1'='1");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(Ids(r).empty());
  r = Get("/fhir/Observation?_id=o1\",\"o2%7D");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(Ids(r).empty());
}

TEST_F(MiniboxSearchTest, ReferenceSearchesUseTheirIndex) {
  // Enough rows that a sequential scan loses, then the exact SQL minibox runs.
  Sql("INSERT INTO observation (id, txid, resource_type, status, resource) "
      "SELECT 'g' || g, nextval('transaction_id_seq'), 'Observation', 'created', "
      "jsonb_build_object('status', 'final', 'subject', jsonb_build_object('reference', "
      "'Patient/p' || (g % 500)), 'encounter', jsonb_build_object('reference', 'Encounter/e' || g)) "
      "FROM generate_series(1, 5000) g");
  Sql("ANALYZE observation");
  struct Case {
    const char* param;
    const char* value;
    const char* index;
  } cases[] = {{"subject", "Patient/p7", "observation_subject_ref_idx"},
               {"patient", "p7", "observation_subject_ref_idx"},
               {"encounter", "Encounter/e7", "observation_encounter_ref_idx"}};
  for (const Case& c : cases) {
    absl::StatusOr<SearchQuery> q = ParseSearchQuery("Observation", {{c.param, c.value}}, {});
    ASSERT_TRUE(q.ok());
    SqlStatement st = BuildSearchSql("Observation", *q, false);
    std::vector<std::string> quoted;
    for (const std::string& p : st.params) quoted.push_back("'" + p + "'");
    std::vector<std::string> plan = Sql(absl::StrCat("PREPARE q AS ", st.sql, "; EXPLAIN EXECUTE q(",
                                                     absl::StrJoin(quoted, ","), ")"));
    EXPECT_THAT(absl::StrJoin(plan, "\n"), HasSubstr(c.index)) << c.param;
  }
  EXPECT_EQ(Json(Get("/fhir/Observation?subject=Patient/p7"))["total"], 10);
}

}  // namespace
}  // namespace gop::minibox
