#include "store/due_index.hpp"

#include <algorithm>

#include "store/keys.hpp"

namespace leadhub::store {
namespace {

// Due times before 1970 cannot come from real leads; clamped so the unsigned key
// order stays the time order.
std::uint64_t key_time(TimeMs at) { return static_cast<std::uint64_t>(std::max<TimeMs>(at, 1)); }

void store_record(WriteTxn& txn, RecordId id, const DueRecord& old, const DueRecord& next) {
  if (old.at != 0 && old.at != next.at) txn.del(txn.dbi().by_due, due_key(old.at, id));
  if (next.at != 0 && next.at != old.at) txn.put(txn.dbi().by_due, due_key(next.at, id), {});
  if (next.at == 0 && next.raised.empty()) {
    if (old.at != 0 || !old.raised.empty()) txn.del(txn.dbi().due, id_key(id));
    return;
  }
  if (next.at != old.at || !(next.raised == old.raised)) txn.put(txn.dbi().due, id_key(id), encode_due(next));
}

}  // namespace

std::string due_key(TimeMs at, RecordId id) { return be64(key_time(at)) + id_key(id); }

std::string encode_due(const DueRecord& r) {
  return be64(r.at == 0 ? 0 : key_time(r.at)) + be64(static_cast<std::uint64_t>(r.raised.escalated_for_change)) +
         r.raised.reminded_follow_up;
}

bool decode_due(std::string_view bytes, DueRecord& r) {
  if (bytes.size() < 16) return false;
  r.at = static_cast<TimeMs>(read_be64(bytes.substr(0, 8)));
  r.raised.escalated_for_change = static_cast<TimeMs>(read_be64(bytes.substr(8, 8)));
  r.raised.reminded_follow_up.assign(bytes.substr(16));
  return true;
}

DueRecord read_due(const WriteTxn& txn, RecordId id) {
  DueRecord out;
  std::string_view bytes;
  if (txn.get(txn.dbi().due, id_key(id), bytes) && !decode_due(bytes, out)) out = DueRecord{};
  return out;
}

void write_due(WriteTxn& txn, const processing::AgingConfig& config, const Lead& lead, const DueRecord& old,
               const aging::Raised& raised) {
  DueRecord next{0, raised};
  if (auto due = aging::next_due(config, lead, raised)) next.at = std::max<TimeMs>(due->at, 1);
  store_record(txn, lead.id, old, next);
}

void reindex_due(WriteTxn& txn, const processing::AgingConfig& config, const Lead& lead) {
  const DueRecord old = read_due(txn, lead.id);
  write_due(txn, config, lead, old, old.raised);
}

void drop_due(WriteTxn& txn, RecordId id, const DueRecord& old) { store_record(txn, id, old, DueRecord{}); }

void postpone_due(WriteTxn& txn, RecordId id, const DueRecord& old, TimeMs at) {
  store_record(txn, id, old, DueRecord{std::max<TimeMs>(at, 1), old.raised});
}

std::vector<RecordId> due_until(const WriteTxn& txn, TimeMs now, std::size_t limit) {
  std::vector<RecordId> out;
  MDB_cursor* cursor = nullptr;
  if (const int rc = mdb_cursor_open(txn.get(), txn.dbi().by_due, &cursor); rc != 0) {
    throw LmdbFailure{rc, "due index: " + lmdb_message(rc)};
  }
  MDB_val k{}, v{};
  for (int rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST); rc == 0 && out.size() < limit;
       rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
    const std::string_view key = to_view(k);
    if (key.size() != 16) continue;
    if (read_be64(key.substr(0, 8)) > key_time(now)) break;  // sorted by time: nothing later is due
    out.push_back(RecordId::from_key(key.data() + 8));
  }
  mdb_cursor_close(cursor);
  return out;
}

}  // namespace leadhub::store
