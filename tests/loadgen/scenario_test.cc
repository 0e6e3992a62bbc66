#include "loadgen/scenario.h"

#include <filesystem>
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "loadgen/data_dir.h"
#include "loadgen/request_builder.h"
#include "nlohmann/json.hpp"

namespace gop::loadgen {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const fs::path kSource = GOP_SOURCE_DIR;

absl::StatusOr<std::string> NoSeeds(std::string_view) { return absl::NotFoundError("no seeds"); }

// A copy of the shipped data files plus the Procedure files from testdata:
// what a user does to add a resource type, without recompiling.
fs::path DataDirWithProcedure() {
  fs::path dir = fs::path(::testing::TempDir()) / "gop-data-procedure";
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::copy(kSource / "seeds", dir / "seeds", fs::copy_options::recursive);
  fs::copy(kSource / "scenarios", dir / "scenarios", fs::copy_options::recursive);
  fs::path extra = fs::path(GOP_TESTDATA_DIR) / "procedure";
  fs::copy_file(extra / "seeds/procedure.json", dir / "seeds/procedure.json");
  fs::copy_file(extra / "scenarios/procedure.yaml", dir / "scenarios/procedure.yaml");
  return dir;
}

TEST(ScenarioTest, ShippedScenariosLoad) {
  for (const char* name : {"crud", "search", "transaction", "get"}) {
    absl::StatusOr<Scenario> sc = LoadScenario(name, kSource);
    EXPECT_TRUE(sc.ok()) << name << ": " << sc.status();
  }
}

TEST(ScenarioTest, CrudIsTheSeedWorkload) {
  absl::StatusOr<Scenario> sc = LoadScenario("crud", kSource);
  ASSERT_TRUE(sc.ok()) << sc.status();
  ASSERT_EQ(sc->steps.size(), 36u);
  EXPECT_EQ(sc->operations.size(), 36u);
  EXPECT_EQ(sc->steps.front().name, "POST Patient");
  EXPECT_EQ(sc->steps[4].name, "POST Encounter");
  EXPECT_EQ(sc->steps[9].name, "GET Patient");
  EXPECT_EQ(sc->steps[18].name, "PUT Patient");
  EXPECT_EQ(sc->steps[27].name, "DELETE ExplanationOfBenefit");
  EXPECT_EQ(sc->steps.back().name, "DELETE Patient");
  EXPECT_EQ(sc->steps.front().expect_status, std::vector<int>{201});
  EXPECT_EQ(sc->steps.back().expect_status, (std::vector<int>{200, 204}));
  ASSERT_EQ(sc->steps.front().captures.size(), 1u);
  EXPECT_EQ(sc->steps.front().captures[0].name, "patient.id");
  // Encounter references the four resources created before it.
  std::vector<int> reads = sc->steps[4].body.CaptureSlots();
  std::vector<std::string> names;
  for (int s : reads) names.push_back(sc->capture_slots.name(s));
  EXPECT_THAT(names, ::testing::UnorderedElementsAre("patient.id", "practitioner.id",
                                                     "location.id", "organization.id"));
}

TEST(ScenarioTest, UpdatesCarryTheIdAndTheFlippedField) {
  absl::StatusOr<Scenario> sc = LoadScenario("crud", kSource);
  ASSERT_TRUE(sc.ok()) << sc.status();
  auto url = ParseTargetUrl("http://127.0.0.1:1/fhir");
  ASSERT_TRUE(url.ok());
  auto rb = RequestBuilder::Create(*sc, *url, "basic:root:secret");
  ASSERT_TRUE(rb.ok()) << rb.status();
  std::mt19937_64 rng(1);
  IterationValues v;
  v.captures.resize(sc->capture_slots.size());
  v.uuids.resize(sc->uuid_slots.size());
  v.rng = &rng;
  v.captures[sc->capture_slots.Find("patient.id")] = "p-42";
  std::string req, scratch;
  rb->Render(18, v, &req, &scratch);  // PUT Patient
  EXPECT_THAT(req, HasSubstr("PUT /fhir/Patient/p-42 HTTP/1.1\r\n"));
  EXPECT_THAT(req, HasSubstr("Authorization: Basic cm9vdDpzZWNyZXQ=\r\n"));
  EXPECT_THAT(req, HasSubstr("Content-Type: application/fhir+json\r\n"));
  nlohmann::json body = nlohmann::json::parse(scratch);
  EXPECT_EQ(body["id"], "p-42");
  EXPECT_EQ(body["gender"], "male");
  EXPECT_EQ(body["resourceType"], "Patient");
  EXPECT_THAT(req, HasSubstr(absl::StrCat("Content-Length: ", scratch.size(), "\r\n\r\n")));
}

TEST(ScenarioTest, AProcedureTemplateAndScenarioNeedNoRecompiling) {
  fs::path dir = DataDirWithProcedure();
  absl::StatusOr<Scenario> sc = LoadScenario("procedure", dir);
  ASSERT_TRUE(sc.ok()) << sc.status();
  ASSERT_EQ(sc->steps.size(), 6u);
  EXPECT_EQ(sc->steps[1].name, "POST Procedure");
  EXPECT_EQ(sc->steps[2].name, "GET Procedure");
  EXPECT_EQ(sc->steps[2].contains, "Colonoscopy");
  auto url = ParseTargetUrl("http://127.0.0.1:1");
  auto rb = RequestBuilder::Create(*sc, *url, "");
  ASSERT_TRUE(rb.ok());
  std::mt19937_64 rng(1);
  IterationValues v;
  v.captures.resize(sc->capture_slots.size());
  v.uuids.resize(sc->uuid_slots.size());
  v.rng = &rng;
  v.captures[sc->capture_slots.Find("patient.id")] = "pat-9";
  std::string req, body;
  rb->Render(1, v, &req, &body);
  nlohmann::json j = nlohmann::json::parse(body);
  EXPECT_EQ(j["resourceType"], "Procedure");
  EXPECT_EQ(j["subject"]["reference"], "Patient/pat-9");
}

TEST(ScenarioTest, ReportsEveryProblemWithItsLine) {
  const char* yaml = R"(steps:
  - method: FETCH
    path: /Patient/{{patient.id}}
  - path: /x
    expect: 999
    colour: red
)";
  absl::StatusOr<Scenario> sc = ParseScenario(yaml, "bad", NoSeeds);
  ASSERT_FALSE(sc.ok());
  std::string msg(sc.status().message());
  EXPECT_THAT(msg, HasSubstr("unknown method FETCH"));
  EXPECT_THAT(msg, HasSubstr("{{patient.id}} before any earlier step captures it"));
  EXPECT_THAT(msg, HasSubstr("expect must be HTTP status codes"));
  EXPECT_THAT(msg, HasSubstr("unknown step key \"colour\""));
  EXPECT_THAT(msg, HasSubstr("2:"));
}

TEST(ScenarioTest, SeedsAreReferencedByPlainNamesOnly) {
  absl::StatusOr<Scenario> sc = ParseScenario(
      "steps:\n  - method: POST\n    path: /P\n    body: {seed: ../etc/passwd}\n", "s", NoSeeds);
  ASSERT_FALSE(sc.ok());
  EXPECT_THAT(std::string(sc.status().message()), HasSubstr("not a plain name"));
  EXPECT_FALSE(ParseScenario("steps:\n  - method: POST\n    path: /P\n    body: {seed: nope}\n",
                             "s", NoSeeds)
                   .ok());
}

TEST(ScenarioTest, LoadRejectsPathsAndUnknownNames) {
  EXPECT_EQ(LoadScenario("../crud", kSource).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(LoadScenario("/etc/passwd", kSource).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(LoadScenario("no-such-scenario", kSource).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(ScenarioTest, SetBuildsTypedValuesAndCapturesTakeSegments) {
  auto seeds = [](std::string_view) -> absl::StatusOr<std::string> {
    return std::string(R"({"resourceType":"Patient","active":true,"name":[{"family":"A"}]})");
  };
  absl::StatusOr<Scenario> sc = ParseScenario(R"(steps:
  - method: POST
    path: /Patient
    body: {seed: p, set: {active: false, name.0.family: "007", birthDate: "2000-01-01"}}
    capture:
      a: {path: entry.0.response.location, segment: id}
      b: {header: Location, segment: 1}
)", "s", seeds);
  ASSERT_TRUE(sc.ok()) << sc.status();
  nlohmann::json body = nlohmann::json::parse(sc->steps[0].body.StaticText());
  EXPECT_EQ(body["active"], false);
  EXPECT_EQ(body["name"][0]["family"], "007");
  EXPECT_EQ(body["birthDate"], "2000-01-01");
  ASSERT_EQ(sc->steps[0].captures.size(), 2u);
  EXPECT_EQ(sc->steps[0].captures[0].segment, Capture::kIdSegment);
  EXPECT_TRUE(sc->steps[0].captures[1].from_header);
  EXPECT_TRUE(sc->steps[0].needs_body);
  EXPECT_TRUE(sc->steps[0].needs_location);
}

TEST(DataDirTest, FindsScenariosUpwardsFromTheExecutable) {
  fs::path exe = kSource / "build-x" / "loadgen" / "gop-load";
  absl::StatusOr<fs::path> dir = FindDataDir("", exe);
  ASSERT_TRUE(dir.ok()) << dir.status();
  EXPECT_TRUE(fs::exists(*dir / "scenarios" / "crud.yaml"));
  EXPECT_FALSE(FindDataDir("/nonexistent-dir", exe).ok());
}

}  // namespace
}  // namespace gop::loadgen
