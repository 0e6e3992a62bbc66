#ifndef GOP_LOADGEN_TEMPLATE_H_
#define GOP_LOADGEN_TEMPLATE_H_

#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace gop::loadgen {

// Names of per-iteration values ("patient.id" captures, "uuid:enc" UUIDs),
// each given a slot index once at scenario load so rendering never hashes.
class SlotTable {
 public:
  // The slot of `name`, creating it on first use.
  int Intern(std::string_view name);
  // -1 when unknown.
  int Find(std::string_view name) const;
  int size() const { return static_cast<int>(names_.size()); }
  const std::string& name(int slot) const { return names_[slot]; }

 private:
  std::vector<std::string> names_;
};

// Values one iteration renders templates with. Owned by a VU, reused across
// iterations (clear, never reallocate).
struct IterationValues {
  std::vector<std::string> captures;  // by capture slot; "" = not captured
  std::vector<std::string> uuids;     // by uuid slot; "" = not yet drawn
  int64_t vu = 0;                     // global VU number, 1-based
  int64_t iteration = 0;              // this VU's iteration, 0-based
  std::mt19937_64* rng = nullptr;     // the VU's worker's generator
};

// A text with {{placeholders}}, compiled once. Placeholders:
//   {{NAME}}        a value captured by an earlier step (e.g. patient.id)
//   {{uuid:NAME}}   a random UUID v4, the same within one iteration
//   {{vu}} {{iteration}}  numbers; {{unique}} "<vu>-<iteration>"
//   {{random}}      16 random hex digits, fresh on every use
//   {{now}}         the current UTC time, RFC 3339 with milliseconds
// Rendering never fails: an uncaptured value renders as "".
class Template {
 public:
  enum class Escape { kNone, kJsonString };
  enum class Kind { kLiteral, kCapture, kUuid, kVu, kIteration, kUnique, kRandom, kNow };
  struct Segment {
    Kind kind = Kind::kLiteral;
    std::string literal;  // kLiteral
    int slot = -1;        // kCapture, kUuid
  };

  Template() = default;
  // Fails on an unterminated or empty placeholder. New capture names and
  // uuid names are interned into `captures` / `uuids`.
  static absl::StatusOr<Template> Compile(std::string_view text, Escape escape,
                                          SlotTable* captures, SlotTable* uuids);

  bool IsStatic() const { return segments_.size() <= 1 && (segments_.empty() || segments_[0].kind == Kind::kLiteral); }
  // The text of a static template.
  std::string_view StaticText() const;
  // Appends the rendered text to `out`.
  void Render(IterationValues& values, std::string* out) const;
  // Capture slots this template reads (for "captured before use" checks).
  std::vector<int> CaptureSlots() const;
  const std::vector<Segment>& segments() const { return segments_; }

 private:
  std::vector<Segment> segments_;
  Escape escape_ = Escape::kNone;
};

}  // namespace gop::loadgen

#endif  // GOP_LOADGEN_TEMPLATE_H_
