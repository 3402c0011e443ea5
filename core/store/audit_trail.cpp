#include "store/audit_trail.hpp"

#include "store/audit_json.hpp"
#include "store/keys.hpp"

namespace leadhub::store {

// The last key before (id, version, 0xFFFF) is the version's highest entry.
std::uint16_t next_audit_number(const WriteTxn& txn, RecordId id, std::uint64_t version) {
  const std::string beyond = store::audit_key(id, version, 0xFFFF);
  MDB_cursor* cursor = nullptr;
  if (const int rc = mdb_cursor_open(txn.get(), txn.dbi().audit, &cursor); rc != 0) {
    throw store::LmdbFailure{rc, "audit cursor: " + store::lmdb_message(rc)};
  }
  MDB_val k = store::to_val(beyond);
  MDB_val v{};
  int rc = mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE);
  rc = rc == 0 ? mdb_cursor_get(cursor, &k, &v, MDB_PREV) : mdb_cursor_get(cursor, &k, &v, MDB_LAST);
  std::uint16_t n = 0;
  const std::string_view key = store::to_view(k);
  if (rc == 0 && key.size() == beyond.size() && key.substr(0, 16) == std::string_view(beyond).substr(0, 16)) {
    const auto hi = static_cast<unsigned char>(key[16]);
    const auto lo = static_cast<unsigned char>(key[17]);
    n = static_cast<std::uint16_t>(((hi << 8) | lo) + 1);
  }
  mdb_cursor_close(cursor);
  return n;
}

AuditEntry action_entry(TimeMs at, const Actor& actor, std::string action, std::uint64_t version, std::string field,
                        std::string detail_json) {
  AuditEntry entry;
  entry.at = at;
  entry.user = actor.user;
  entry.connector = actor.connector;
  entry.action = std::move(action);
  entry.version = version;
  entry.field = std::move(field);
  entry.old_json = "null";
  entry.new_json = std::move(detail_json);
  return entry;
}

void append_audit(WriteTxn& txn, RecordId id, const AuditEntry& entry) {
  txn.put(txn.dbi().audit, audit_key(id, entry.version, next_audit_number(txn, id, entry.version)), to_json(entry));
}

}  // namespace leadhub::store
