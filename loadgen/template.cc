#include "loadgen/template.h"

#include <chrono>
#include <ctime>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "loadgen/sv.h"
#include "absl/strings/str_format.h"

namespace gop::loadgen {

int SlotTable::Intern(std::string_view name) {
  int found = Find(name);
  if (found >= 0) return found;
  names_.emplace_back(name);
  return static_cast<int>(names_.size()) - 1;
}

int SlotTable::Find(std::string_view name) const {
  for (size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) return static_cast<int>(i);
  }
  return -1;
}

absl::StatusOr<Template> Template::Compile(std::string_view text, Escape escape,
                                           SlotTable* captures, SlotTable* uuids) {
  Template t;
  t.escape_ = escape;
  std::string literal;
  auto flush = [&] {
    if (!literal.empty()) {
      t.segments_.push_back(Segment{Kind::kLiteral, std::move(literal), -1});
      literal.clear();
    }
  };
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      literal.append(text.substr(pos));
      break;
    }
    literal.append(text.substr(pos, open - pos));
    size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return absl::InvalidArgumentError(
          absl::StrCat("unterminated placeholder at offset ", open));
    }
    absl::string_view trimmed = absl::StripAsciiWhitespace(Sv(text.substr(open + 2, close - open - 2)));
    std::string_view name(trimmed.data(), trimmed.size());
    if (name.empty()) {
      return absl::InvalidArgumentError(absl::StrCat("empty placeholder at offset ", open));
    }
    flush();
    Segment s;
    if (name == "vu") {
      s.kind = Kind::kVu;
    } else if (name == "iteration") {
      s.kind = Kind::kIteration;
    } else if (name == "unique") {
      s.kind = Kind::kUnique;
    } else if (name == "random") {
      s.kind = Kind::kRandom;
    } else if (name == "now") {
      s.kind = Kind::kNow;
    } else if (name.substr(0, 5) == "uuid:") {
      if (name.size() == 5) return absl::InvalidArgumentError("{{uuid:}} needs a name");
      s.kind = Kind::kUuid;
      s.slot = uuids->Intern(name.substr(5));
    } else {
      for (char c : name) {
        if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' &&
            c != '-') {
          return absl::InvalidArgumentError(absl::StrCat("bad placeholder name \"", Sv(name), "\""));
        }
      }
      s.kind = Kind::kCapture;
      s.slot = captures->Intern(name);
    }
    t.segments_.push_back(std::move(s));
    pos = close + 2;
  }
  flush();
  return t;
}

std::string_view Template::StaticText() const {
  return segments_.empty() ? std::string_view() : std::string_view(segments_[0].literal);
}

std::vector<int> Template::CaptureSlots() const {
  std::vector<int> out;
  for (const Segment& s : segments_) {
    if (s.kind == Kind::kCapture) out.push_back(s.slot);
  }
  return out;
}

namespace {

void AppendEscaped(std::string_view v, Template::Escape escape, std::string* out) {
  if (escape == Template::Escape::kNone) {
    out->append(v);
    return;
  }
  for (char c : v) {
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppendFormat(out, "\\u%04x", static_cast<int>(c));
        } else {
          out->push_back(c);
        }
    }
  }
}

std::string NewUuid(std::mt19937_64& rng) {
  uint64_t hi = rng(), lo = rng();
  hi = (hi & ~0xF000ULL) | 0x4000ULL;             // version 4
  lo = (lo & ~(0xC0ULL << 56)) | (0x80ULL << 56);  // RFC 4122 variant
  return absl::StrFormat("%08x-%04x-%04x-%04x-%012x", hi >> 32, (hi >> 16) & 0xFFFF,
                         hi & 0xFFFF, lo >> 48, lo & 0xFFFFFFFFFFFFULL);
}

void AppendNow(std::string* out) {
  auto now = std::chrono::system_clock::now();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  absl::StrAppendFormat(out, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                        static_cast<int>(ms % 1000));
}

}  // namespace

void Template::Render(IterationValues& v, std::string* out) const {
  for (const Segment& s : segments_) {
    switch (s.kind) {
      case Kind::kLiteral:
        out->append(s.literal);
        break;
      case Kind::kCapture:
        if (s.slot < static_cast<int>(v.captures.size())) {
          AppendEscaped(v.captures[s.slot], escape_, out);
        }
        break;
      case Kind::kUuid:
        if (s.slot < static_cast<int>(v.uuids.size())) {
          std::string& u = v.uuids[s.slot];
          if (u.empty()) u = NewUuid(*v.rng);
          out->append(u);
        }
        break;
      case Kind::kVu:
        absl::StrAppend(out, v.vu);
        break;
      case Kind::kIteration:
        absl::StrAppend(out, v.iteration);
        break;
      case Kind::kUnique:
        absl::StrAppend(out, v.vu, "-", v.iteration);
        break;
      case Kind::kRandom:
        absl::StrAppendFormat(out, "%016x", (*v.rng)());
        break;
      case Kind::kNow:
        AppendNow(out);
        break;
    }
  }
}

}  // namespace gop::loadgen
