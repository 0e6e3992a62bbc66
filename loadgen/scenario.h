#ifndef GOP_LOADGEN_SCENARIO_H_
#define GOP_LOADGEN_SCENARIO_H_

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "loadgen/template.h"

namespace gop::loadgen {

// Takes a value out of a response into a capture slot.
struct Capture {
  std::string name;  // e.g. "patient.id"
  int slot = -1;
  bool from_header = false;
  std::string header;              // from_header: header name (lower case)
  std::vector<std::string> path;   // body: JSON path ("entry", "0", "id")
  // -1: the whole value; >= 0: only this '/'-separated part; kIdSegment:
  // the resource id of a reference or Location ("Patient/7/_history/1",
  // "http://h/fhir/Patient/7" -> "7").
  int segment = -1;
  static constexpr int kIdSegment = -2;
};

// One HTTP request of an iteration.
struct Step {
  std::string name;    // operation name, e.g. "POST Patient"
  int operation = 0;   // index into Scenario::operations
  std::string method;  // upper case
  std::string path;    // raw path template, appended to the base URL
  Template path_template;
  bool has_body = false;
  Template body;       // JSON-string escaping
  // Extra request headers (name, value template); Content-Type defaults to
  // application/fhir+json when there is a body.
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<Template> header_templates;  // parallel to `headers`
  std::vector<int> expect_status;  // empty = any 2xx
  std::string contains;            // body must contain it ("" = no check)
  std::vector<Capture> captures;
  // True when the response body must be kept (captures, contains).
  bool needs_body = false;
  bool needs_location = false;
};

// A step list loaded from scenarios/<name>.yaml with its seed templates.
// Immutable after loading; shared read-only by every worker thread.
struct Scenario {
  std::string name;
  std::string description;
  std::vector<Step> steps;
  std::vector<std::string> operations;  // distinct step names, first use order
  SlotTable capture_slots;
  SlotTable uuid_slots;
};

// Returns a seed's JSON text by plain name ("patient" -> seeds/patient.json).
using SeedSource = std::function<absl::StatusOr<std::string>(std::string_view name)>;

// Parses a scenario's YAML text. `name` is used when the file has none.
// Reports every problem (with line:column) in one status.
absl::StatusOr<Scenario> ParseScenario(std::string_view yaml_text, std::string_view name,
                                       const SeedSource& seeds);

// Resolves `data_dir`/scenarios/<name>.yaml and its seeds under
// `data_dir`/seeds/. `name` must be a plain name (letters, digits, '-', '_').
absl::StatusOr<Scenario> LoadScenario(std::string_view name,
                                      const std::filesystem::path& data_dir);

// True for names like "crud" or "my-scenario_2".
bool IsPlainName(std::string_view name);

}  // namespace gop::loadgen

#endif  // GOP_LOADGEN_SCENARIO_H_
