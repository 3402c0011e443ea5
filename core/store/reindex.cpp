// LeadStore::reindex_processing: the duplicate-check and aging indexes of leads
// stored before processing was configured, or under other normalization or aging
// rules. Chunks of leads in id order, each chunk one write job (so a running hub
// keeps writing in between), then the open-lead counters counted again and the
// fingerprint of the settings the indexes now follow.
#include <memory>
#include <optional>
#include <string>

#include "json/record_json.hpp"
#include "store/keys.hpp"
#include "store/lead_store.hpp"
#include "store/processor.hpp"

namespace leadhub {
namespace {

// Leads per write job: small enough that a chunk's dirty pages stay a few MB.
constexpr std::size_t kReindexChunk = 2000;

struct Chunk {
  RecordId last;  // the last lead done; the next chunk starts after it
  std::uint64_t leads = 0;
  bool finished = false;
};

// Up to kReindexChunk leads after `after` (all from the start when empty).
Status reindex_chunk(store::WriteTxn& txn, const store::Processor& processor, RecordId after, Chunk& out) {
  out = Chunk{after};
  MDB_cursor* cursor = nullptr;
  if (const int rc = mdb_cursor_open(txn.get(), txn.dbi().leads, &cursor); rc != 0) {
    return Error::make(ErrorCode::unavailable, "cannot read leads: " + store::lmdb_message(rc));
  }
  const std::string start = after.empty() ? std::string() : store::id_key(after);
  MDB_val k = store::to_val(start);
  MDB_val v{};
  int rc = after.empty() ? mdb_cursor_get(cursor, &k, &v, MDB_FIRST) : mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE);
  if (rc == 0 && !after.empty() && store::to_view(k) == start) rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT);
  for (; rc == 0 && out.leads < kReindexChunk; rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
    auto lead = lead_from_json(store::to_view(v), DecodeMode::stored);
    if (lead) processor.reindex_lead(txn, *lead);
    out.last = RecordId::from_key(k.mv_data);
    ++out.leads;
  }
  mdb_cursor_close(cursor);
  out.finished = rc != 0;
  return ok_status();
}

}  // namespace

Result<LeadStore::IndexState> LeadStore::read_index_state() const {
  auto txn = env_->begin_read();
  if (!txn) return txn.error();
  IndexState state;
  MDB_val k = store::to_val(store::kIndexFingerprintKey);
  MDB_val v{};
  if (mdb_get(txn->get(), txn->dbi().meta, &k, &v) == 0) state.fingerprint = std::string(store::to_view(v));
  MDB_cursor* cursor = nullptr;
  if (const int rc = mdb_cursor_open(txn->get(), txn->dbi().leads, &cursor); rc != 0) {
    return Error::make(ErrorCode::unavailable, "cannot read leads: " + store::lmdb_message(rc));
  }
  state.has_leads = mdb_cursor_get(cursor, &k, &v, MDB_FIRST) == 0;
  mdb_cursor_close(cursor);
  return state;
}

// At open. An empty store with processing starts current. A store opened without
// processing forgets its fingerprint: the leads it takes now get no match keys.
Status LeadStore::settle_index_fingerprint() {
  auto state = read_index_state();
  if (!state) return state.error();
  if (processor_ && !state->fingerprint && !state->has_leads) {
    return write_sync([fingerprint = store::index_fingerprint(processor_->config())](store::WriteTxn& txn) {
      txn.put(txn.dbi().meta, store::kIndexFingerprintKey, fingerprint);
      return ok_status();
    });
  }
  if (!processor_ && state->fingerprint) {
    return write_sync([](store::WriteTxn& txn) {
      txn.del(txn.dbi().meta, store::kIndexFingerprintKey);
      return ok_status();
    });
  }
  return ok_status();
}

bool LeadStore::processing_index_stale() const {
  if (!processor_) return false;
  auto state = read_index_state();
  if (!state) return false;
  if (state->fingerprint) return *state->fingerprint != store::index_fingerprint(processor_->config());
  return state->has_leads;  // stored before processing was on
}

Result<ReindexCounts> LeadStore::reindex_processing() {
  if (!processor_) return Error::make(ErrorCode::invalid, "no processing configured: there is nothing to index");
  ReindexCounts counts;
  Chunk chunk;
  do {
    const RecordId after = chunk.last;
    auto st = write_sync(
        [this, after, &chunk](store::WriteTxn& txn) { return reindex_chunk(txn, *processor_, after, chunk); });
    if (!st) return st.error();
    counts.leads += chunk.leads;
  } while (!chunk.finished);
  const std::string fingerprint = store::index_fingerprint(processor_->config());
  auto st = write_sync([this, &fingerprint](store::WriteTxn& txn) -> Status {
    if (auto recount = processor_->recount_loads(txn); !recount) return recount;
    txn.put(txn.dbi().meta, store::kIndexFingerprintKey, fingerprint);
    return ok_status();
  });
  if (!st) return st.error();
  return counts;
}

}  // namespace leadhub
