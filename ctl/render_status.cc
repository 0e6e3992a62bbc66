#include "ctl/render_status.h"

#include <algorithm>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "google/protobuf/util/json_util.h"

namespace gop::ctl {
namespace {

// A text table: columns sized to their widest cell, separated by two spaces,
// numbers right-aligned, no trailing blanks.
class Table {
 public:
  struct Column {
    std::string title;
    bool right_aligned = false;
  };
  explicit Table(std::vector<Column> columns) : columns_(std::move(columns)) {}

  void AddRow(std::vector<std::string> row) { rows_.push_back(std::move(row)); }

  std::string Render(std::string_view indent) const {
    std::vector<size_t> width(columns_.size());
    for (size_t c = 0; c < columns_.size(); ++c) width[c] = columns_[c].title.size();
    for (const auto& row : rows_) {
      for (size_t c = 0; c < row.size() && c < width.size(); ++c) {
        width[c] = std::max(width[c], row[c].size());
      }
    }
    std::string out;
    auto append_row = [&](const std::vector<std::string>& cells) {
      std::string line(indent);
      for (size_t c = 0; c < columns_.size(); ++c) {
        const std::string& cell = c < cells.size() ? cells[c] : std::string();
        const std::string pad(width[c] - std::min(width[c], cell.size()), ' ');
        if (c > 0) line += "  ";
        absl::StrAppend(&line, columns_[c].right_aligned ? pad : "", cell,
                        columns_[c].right_aligned ? "" : pad);
      }
      absl::StrAppend(&out, absl::StripTrailingAsciiWhitespace(line), "\n");
    };
    std::vector<std::string> titles;
    for (const auto& column : columns_) titles.push_back(column.title);
    append_row(titles);
    for (const auto& row : rows_) append_row(row);
    return out;
  }

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

std::string PhaseName(v1::Phase phase) {
  switch (phase) {
    case v1::PHASE_STARTING_TARGET: return "starting target";
    case v1::PHASE_WAITING_HEALTH: return "waiting health";
    case v1::PHASE_PREWARM: return "prewarm";
    case v1::PHASE_WARMUP: return "warmup";
    case v1::PHASE_MEASURING: return "measuring";
    case v1::PHASE_STOPPING_TARGET: return "stopping target";
    case v1::PHASE_REPORTING: return "reporting";
    default: return "assigned";
  }
}

std::string PhaseCell(const v1::AgentStatus& agent) {
  if (agent.current_cell_id().empty()) return "idle";
  std::string text = PhaseName(agent.phase());
  if (agent.phase() == v1::PHASE_UNSPECIFIED) return text;
  absl::StrAppend(&text, " ", FormatDurationMs(agent.phase_elapsed_ms()));
  if (agent.phase_total_ms() > 0) {
    absl::StrAppend(&text, "/", FormatDurationMs(agent.phase_total_ms()));
  }
  return text;
}

bool HasLiveLoad(const v1::AgentStatus& agent) {
  if (agent.current_cell_id().empty()) return false;
  switch (agent.phase()) {
    case v1::PHASE_PREWARM:
    case v1::PHASE_WARMUP:
    case v1::PHASE_MEASURING: return true;
    default: return false;
  }
}

std::string Ms(int64_t us) { return absl::StrFormat("%.2f", static_cast<double>(us) / 1000.0); }

std::string EtaText(const v1::RunStatus& status) {
  if (status.eta_ms() < 0) return "unknown";
  return FormatDurationMs(status.eta_ms());
}

}  // namespace

bool IsTerminal(v1::RunState state) {
  return state == v1::RUN_STATE_FINISHED || state == v1::RUN_STATE_FAILED ||
         state == v1::RUN_STATE_CANCELLED;
}

std::string RunStateName(v1::RunState state) {
  switch (state) {
    case v1::RUN_STATE_RUNNING: return "RUNNING";
    case v1::RUN_STATE_FINISHED: return "FINISHED";
    case v1::RUN_STATE_FAILED: return "FAILED";
    case v1::RUN_STATE_CANCELLED: return "CANCELLED";
    default: return "UNKNOWN";
  }
}

std::string FormatDurationMs(int64_t ms) {
  if (ms < 0) ms = 0;
  if (ms < 1000) return absl::StrCat(ms, "ms");
  const int64_t s = ms / 1000;
  if (s < 60) return absl::StrCat(s, "s");
  if (s < 3600) return absl::StrFormat("%dm%02ds", s / 60, s % 60);
  return absl::StrFormat("%dh%02dm", s / 3600, (s % 3600) / 60);
}

std::string RenderStatus(const v1::RunStatus& status, absl::Time now) {
  std::string out = absl::StrCat("run ", status.run_id().empty() ? "(unnamed)" : status.run_id(),
                                 "  ", RunStateName(status.state()));
  if (status.started_unix_ms() > 0) {
    const int64_t age_ms = absl::ToInt64Milliseconds(now - absl::FromUnixMillis(status.started_unix_ms()));
    absl::StrAppend(&out, "  started ", FormatDurationMs(age_ms), " ago");
  }
  out += "\n";

  const int finished = status.cells_done() + status.cells_failed();
  const int percent = status.cells_total() > 0 ? finished * 100 / status.cells_total() : 0;
  absl::StrAppend(&out, "cells: ", status.cells_done(), " done, ", status.cells_running(),
                  " running, ", status.cells_queued(), " queued, ", status.cells_failed(),
                  " failed of ", status.cells_total(), " (", percent, "%)");
  if (!IsTerminal(status.state())) absl::StrAppend(&out, "  ETA ", EtaText(status));
  out += "\n";
  if (!status.state_dir().empty()) absl::StrAppend(&out, "state dir: ", status.state_dir(), "\n");

  out += "\n";
  if (status.agents().empty()) {
    out += "no agents connected\n";
  } else {
    absl::StrAppend(&out, "agents (", status.agents_size(), "):\n");
    Table agents({{"AGENT"}, {"HOST"}, {"CORES", true}, {"TARGET"}, {"CELL"}, {"PHASE"},
                  {"REQ/S", true}, {"P99 MS", true}, {"DONE", true}});
    for (const v1::AgentStatus& agent : status.agents()) {
      const bool live = HasLiveLoad(agent);
      agents.AddRow({agent.agent_id(), agent.hostname(), absl::StrFormat("%g", agent.cores()),
                     agent.target_kind(),
                     agent.current_cell_id().empty() ? "-" : agent.current_cell_id(),
                     PhaseCell(agent),
                     live ? absl::StrFormat("%.1f", agent.requests_per_second()) : "-",
                     live && agent.p99_us() > 0 ? Ms(agent.p99_us()) : "-",
                     absl::StrCat(agent.cells_done())});
    }
    out += agents.Render("  ");
  }

  std::vector<const v1::CellStatus*> failed;
  for (const v1::CellStatus& cell : status.cells()) {
    if (cell.state() == v1::CELL_STATE_FAILED) failed.push_back(&cell);
  }
  if (!failed.empty()) {
    absl::StrAppend(&out, "\nfailed cells (", failed.size(), "):\n");
    for (const v1::CellStatus* cell : failed) {
      absl::StrAppend(&out, "  ", cell->cell().cell_id(), " (", cell->attempts(),
                      cell->attempts() == 1 ? " attempt" : " attempts");
      if (!cell->agent_id().empty()) absl::StrAppend(&out, ", last on ", cell->agent_id());
      absl::StrAppend(&out, "): ",
                      cell->failure_reason().empty() ? "no reason given" : cell->failure_reason(),
                      "\n");
    }
  }

  if (!status.warnings().empty()) {
    absl::StrAppend(&out, "\nwarnings (", status.warnings_size(), "):\n");
    for (const std::string& warning : status.warnings()) absl::StrAppend(&out, "  ! ", warning, "\n");
  }
  return out;
}

std::string RenderStatusLine(const v1::RunStatus& status, absl::Time now) {
  std::string line = absl::StrCat(
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", now, absl::UTCTimeZone()), " run ", status.run_id(),
      " ", RunStateName(status.state()), ": ", status.cells_done(), "/", status.cells_total(),
      " done, ", status.cells_running(), " running, ", status.cells_queued(), " queued, ",
      status.cells_failed(), " failed; ", status.agents_size(),
      status.agents_size() == 1 ? " agent" : " agents");
  double rps = 0;
  for (const v1::AgentStatus& agent : status.agents()) {
    if (HasLiveLoad(agent)) rps += agent.requests_per_second();
  }
  if (rps > 0) absl::StrAppend(&line, ", ", absl::StrFormat("%.1f", rps), " req/s");
  if (!IsTerminal(status.state())) absl::StrAppend(&line, "; ETA ", EtaText(status));
  if (!status.warnings().empty()) absl::StrAppend(&line, "; ", status.warnings_size(), " warnings");
  return line + "\n";
}

absl::StatusOr<std::string> RenderStatusJson(const v1::RunStatus& status, bool pretty) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = pretty;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = true;
  std::string json;
  const auto result = google::protobuf::util::MessageToJsonString(status, &json, options);
  if (!result.ok()) {
    return absl::InternalError(absl::StrCat("cannot print status as JSON: ", result.ToString()));
  }
  if (json.empty() || json.back() != '\n') json += '\n';
  return json;
}

}  // namespace gop::ctl
