#ifndef GOP_MINIBOX_SCHEMA_H_
#define GOP_MINIBOX_SCHEMA_H_

#include <string>
#include "absl/strings/string_view.h"

#include "absl/base/thread_annotations.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/synchronization/mutex.h"
#include "minibox/pg_connection.h"

namespace gop::minibox {

// Aidbox's storage model: per resource type T a table `t` (id text primary key, txid
// bigint from the shared sequence transaction_id_seq, ts, cts, resource_type, status,
// resource jsonb without id/resourceType/meta.versionId/meta.lastUpdated) and `t_history`
// keyed by (id, txid) holding replaced and deleted versions. Tables are created on first
// use; DDL runs under an advisory lock so concurrent creators (threads or processes) do
// not collide. Thread-safe.
class Schema {
 public:
  // Creates the shared sequence and the tables of the common types.
  absl::Status Initialize(PgConnection& conn);
  // Creates T's tables and indexes if this process has not seen them yet. Must run
  // outside a transaction block (it commits its own).
  absl::Status EnsureType(PgConnection& conn, absl::string_view type);

  // The DDL for one type (tests print it; EXPLAIN tests rely on its index names).
  static std::string TypeDdl(absl::string_view type);

 private:
  absl::Mutex mu_;
  absl::flat_hash_set<std::string> ready_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gop::minibox

#endif  // GOP_MINIBOX_SCHEMA_H_
