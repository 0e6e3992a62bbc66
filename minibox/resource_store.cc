#include "absl/strings/string_view.h"
#include "minibox/resource_store.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/synchronization/mutex.h"
#include "minibox/resource_types.h"
#include "minibox/sql_render.h"

namespace gop::minibox {
namespace {

constexpr char kColumns[] = "id, txid, ts, cts, resource_type, status, resource";

// Per-type SQL, built once (types are a fixed, validated set).
struct TypeSql {
  std::string create;
  std::string read;
  std::string read_gone;
  std::string vread;
  std::string update;
  std::string create_on_update;
  std::string del;
};

TypeSql BuildTypeSql(absl::string_view type) {
  const std::string t = TableName(type);
  const std::string h = HistoryTableName(type);
  TypeSql s;
  s.create = absl::StrCat("INSERT INTO ", t, " (", kColumns,
                          ") VALUES ($1, nextval('transaction_id_seq'), now(), now(), $2, "
                          "'created', $3::jsonb) RETURNING ",
                          RenderColumns(""));
  s.create_on_update = absl::StrCat(
      "INSERT INTO ", t, " (", kColumns,
      ") VALUES ($1, nextval('transaction_id_seq'), now(), now(), $2, 'created', $3::jsonb) "
      "ON CONFLICT (id) DO NOTHING RETURNING ",
      RenderColumns(""));
  s.read = absl::StrCat("SELECT ", RenderColumns(""), " FROM ", t, " WHERE id = $1");
  s.read_gone = absl::StrCat("SELECT 1 FROM ", h, " WHERE id = $1 AND status = 'deleted' LIMIT 1");
  s.vread = absl::StrCat("SELECT ", RenderColumns(""), " FROM ", t,
                         " WHERE id = $1 AND txid = $2::bigint UNION ALL SELECT ",
                         RenderColumns(""), " FROM ", h,
                         " WHERE id = $1 AND txid = $2::bigint LIMIT 1");
  // One round trip: lock the current row, copy it to history when the If-Match check
  // ($3, NULL = none) passes, replace it. old_txid tells "missing" from "mismatch".
  s.update = absl::StrCat(
      "WITH old AS (SELECT ", kColumns, " FROM ", t, " WHERE id = $1 FOR UPDATE), ",
      "ok AS (SELECT * FROM old WHERE $4::bigint IS NULL OR txid = $4::bigint), ",
      "hist AS (INSERT INTO ", h, " (", kColumns, ") SELECT ", kColumns, " FROM ok), ",
      "upd AS (UPDATE ", t, " t SET txid = nextval('transaction_id_seq'), ts = now(), ",
      "status = 'updated', resource_type = $2, resource = $3::jsonb FROM ok WHERE t.id = ok.id ",
      "RETURNING t.id, t.txid, t.ts, t.resource_type, t.status, t.resource) ",
      "SELECT (SELECT txid::text FROM old), ", RenderColumns("upd."),
      " FROM (SELECT 1) AS one LEFT JOIN upd ON true");
  // The last version and a 'deleted' marker go to history.
  s.del = absl::StrCat(
      "WITH del AS (DELETE FROM ", t, " WHERE id = $1 RETURNING ", kColumns, "), ",
      "hist AS (INSERT INTO ", h, " (", kColumns, ") SELECT ", kColumns, " FROM del ",
      "UNION ALL SELECT id, nextval('transaction_id_seq'), now(), cts, resource_type, "
      "'deleted', resource FROM del) ",
      "SELECT ", RenderColumns(""), " FROM del");
  return s;
}

const TypeSql& SqlFor(absl::string_view type) {
  static absl::Mutex mu;
  static auto* cache = new absl::flat_hash_map<std::string, std::unique_ptr<TypeSql>>();
  absl::MutexLock lock(&mu);
  auto it = cache->find(type);
  if (it == cache->end()) {
    it = cache->emplace(std::string(type), std::make_unique<TypeSql>(BuildTypeSql(type))).first;
  }
  return *it->second;
}

StoredResource FromRow(const PgResult& r, int row, int offset = 0) {
  StoredResource s;
  s.id = std::string(r.Get(row, offset + kColId));
  s.version_id = std::string(r.Get(row, offset + kColVersion));
  s.last_modified = std::string(r.Get(row, offset + kColLastModified));
  s.json = std::string(r.Get(row, offset + kColJson));
  return s;
}

}  // namespace

absl::StatusOr<ResourceStore::Result> ResourceStore::Create(PgConnection& conn,
                                                            absl::string_view type,
                                                            const std::string& id,
                                                            const std::string& storage_json) {
  const std::string type_s(type);
  absl::StatusOr<PgResult> r =
      conn.Exec(SqlFor(type).create, {id.c_str(), type_s.c_str(), storage_json.c_str()});
  if (!r.ok()) {
    if (absl::IsAlreadyExists(r.status())) return Result{Outcome::kConflict, {}};
    return r.status();
  }
  return Result{Outcome::kCreated, FromRow(*r, 0)};
}

absl::StatusOr<ResourceStore::Result> ResourceStore::Read(PgConnection& conn,
                                                          absl::string_view type,
                                                          const std::string& id) {
  const TypeSql& sql = SqlFor(type);
  absl::StatusOr<PgResult> r = conn.Exec(sql.read, {id.c_str()});
  if (!r.ok()) return r.status();
  if (r->rows() > 0) return Result{Outcome::kOk, FromRow(*r, 0)};
  absl::StatusOr<PgResult> gone = conn.Exec(sql.read_gone, {id.c_str()});
  if (!gone.ok()) return gone.status();
  return Result{gone->rows() > 0 ? Outcome::kGone : Outcome::kNotFound, {}};
}

absl::StatusOr<ResourceStore::Result> ResourceStore::VRead(PgConnection& conn,
                                                           absl::string_view type,
                                                           const std::string& id,
                                                           const std::string& version) {
  long long txid = 0;
  if (!absl::SimpleAtoi(version, &txid)) return Result{Outcome::kNotFound, {}};
  absl::StatusOr<PgResult> r = conn.Exec(SqlFor(type).vread, {id.c_str(), version.c_str()});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return Result{Outcome::kNotFound, {}};
  if (r->Get(0, kColStatus) == "deleted") return Result{Outcome::kGone, {}};
  return Result{Outcome::kOk, FromRow(*r, 0)};
}

absl::StatusOr<ResourceStore::Result> ResourceStore::Update(PgConnection& conn,
                                                            absl::string_view type,
                                                            const std::string& id,
                                                            const std::string& storage_json,
                                                            std::optional<std::string> if_match) {
  const TypeSql& sql = SqlFor(type);
  const std::string type_s(type);
  // Two rounds at most: a concurrent create between our UPDATE and INSERT is retried.
  for (int attempt = 0; attempt < 2; ++attempt) {
    absl::StatusOr<PgResult> r = conn.Exec(
        sql.update, {id.c_str(), type_s.c_str(), storage_json.c_str(),
                     if_match.has_value() ? if_match->c_str() : nullptr});
    if (!r.ok()) return r.status();
    if (!r->IsNull(0, 0)) {  // the resource existed
      if (r->IsNull(0, 1 + kColId)) return Result{Outcome::kVersionMismatch, {}};
      return Result{Outcome::kOk, FromRow(*r, 0, 1)};
    }
    if (if_match.has_value()) return Result{Outcome::kVersionMismatch, {}};
    absl::StatusOr<PgResult> c =
        conn.Exec(sql.create_on_update, {id.c_str(), type_s.c_str(), storage_json.c_str()});
    if (!c.ok()) return c.status();
    if (c->rows() > 0) return Result{Outcome::kCreated, FromRow(*c, 0)};
  }
  return absl::AbortedError("resource changed concurrently; retry");
}

absl::StatusOr<ResourceStore::Result> ResourceStore::Delete(PgConnection& conn,
                                                            absl::string_view type,
                                                            const std::string& id) {
  absl::StatusOr<PgResult> r = conn.Exec(SqlFor(type).del, {id.c_str()});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return Result{Outcome::kNotFound, {}};
  return Result{Outcome::kOk, FromRow(*r, 0)};
}

absl::StatusOr<ResourceStore::SearchResult> ResourceStore::Search(PgConnection& conn,
                                                                  absl::string_view type,
                                                                  const SearchQuery& query) {
  SearchResult out;
  auto run = [&conn](const SqlStatement& st) {
    std::vector<const char*> params;
    for (const std::string& p : st.params) params.push_back(p.c_str());
    return conn.Exec(st.sql, params);
  };
  if (query.count > 0) {
    absl::StatusOr<PgResult> r = run(BuildSearchSql(type, query, false));
    if (!r.ok()) return r.status();
    for (int i = 0; i < r->rows(); ++i) out.resources.push_back(FromRow(*r, i));
    if (r->rows() < query.count) {
      out.total = r->rows();
      return out;
    }
  }
  if (query.total || query.count == 0) {
    absl::StatusOr<PgResult> c = run(BuildSearchSql(type, query, true));
    if (!c.ok()) return c.status();
    long long n = 0;
    if (absl::SimpleAtoi(c->Get(0, 0), &n)) out.total = n;
  }
  return out;
}

}  // namespace gop::minibox
