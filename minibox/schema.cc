#include "absl/strings/string_view.h"
#include "minibox/schema.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "minibox/resource_types.h"

namespace gop::minibox {
namespace {

// Arbitrary constant for pg_advisory_xact_lock: serialises DDL across processes.
constexpr char kDdlLock[] = "SELECT pg_advisory_xact_lock(727271)";

// Reference elements that get an index; searched by subject=, patient=, encounter=.
constexpr absl::string_view kIndexedReferences[] = {"subject", "patient", "encounter"};

}  // namespace

std::string Schema::TypeDdl(absl::string_view type) {
  const std::string base = TableBaseName(type);
  const std::string t = TableName(type);
  const std::string h = HistoryTableName(type);
  std::string ddl = absl::StrCat(
      "CREATE TABLE IF NOT EXISTS ", t,
      " (id text PRIMARY KEY, txid bigint NOT NULL, ts timestamptz NOT NULL DEFAULT now(),"
      " cts timestamptz NOT NULL DEFAULT now(), resource_type text NOT NULL,"
      " status text NOT NULL, resource jsonb NOT NULL);\n",
      "CREATE TABLE IF NOT EXISTS ", h,
      " (id text NOT NULL, txid bigint NOT NULL, ts timestamptz NOT NULL DEFAULT now(),"
      " cts timestamptz NOT NULL DEFAULT now(), resource_type text NOT NULL,"
      " status text NOT NULL, resource jsonb NOT NULL, PRIMARY KEY (id, txid));\n",
      "CREATE INDEX IF NOT EXISTS \"", base, "_ts_idx\" ON ", t, " (ts);\n");
  for (absl::string_view ref : kIndexedReferences) {
    // Partial: rows without the element cost nothing; `expr = $1` implies NOT NULL, so
    // the planner can use it for the search query.
    absl::StrAppend(&ddl, "CREATE INDEX IF NOT EXISTS \"", base, "_", ref, "_ref_idx\" ON ",
                    t, " ((resource #>> '{", ref, ",reference}')) WHERE (resource #>> '{",
                    ref, ",reference}') IS NOT NULL;\n");
  }
  return ddl;
}

absl::Status Schema::Initialize(PgConnection& conn) {
  if (absl::Status s = conn.ExecSimple(absl::StrCat(
          "BEGIN; ", kDdlLock, "; CREATE SEQUENCE IF NOT EXISTS transaction_id_seq; COMMIT"));
      !s.ok()) {
    conn.ExecSimple("ROLLBACK").IgnoreError();
    return s;
  }
  for (absl::string_view type : {"Patient", "Observation", "Encounter", "Condition",
                                "Practitioner", "Organization", "MedicationRequest"}) {
    if (absl::Status s = EnsureType(conn, type); !s.ok()) return s;
  }
  return absl::OkStatus();
}

absl::Status Schema::EnsureType(PgConnection& conn, absl::string_view type) {
  {
    absl::MutexLock lock(&mu_);
    if (ready_.contains(type)) return absl::OkStatus();
  }
  absl::Status s =
      conn.ExecSimple(absl::StrCat("BEGIN; ", kDdlLock, "; ", TypeDdl(type), "COMMIT"));
  if (!s.ok()) {
    conn.ExecSimple("ROLLBACK").IgnoreError();
    return s;
  }
  absl::MutexLock lock(&mu_);
  ready_.insert(std::string(type));
  return absl::OkStatus();
}

}  // namespace gop::minibox
