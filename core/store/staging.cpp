#include "store/staging.hpp"

#include <algorithm>
#include <deque>

#include "store/keys.hpp"
#include "store/write_queue.hpp"

namespace leadhub::store {

namespace {

constexpr std::size_t kIdBytes = 8;
constexpr std::size_t kTrimEvery = 4096;  // entries read between resident-page checks

RecordId id_of(const MDB_val& stage_key) {
  return RecordId::from_key(static_cast<const char*>(stage_key.mv_data) + stage_key.mv_size - kIdBytes);
}

// One merge transaction's share of the stage.
struct Chunk {
  std::uint64_t read = 0;
  bool at_end = false;
  std::string last_stage_key;  // where the next chunk starts (after it)
};

// Reads up to limit entries after `after` (from the first when empty) into batch,
// copying the keys: views into the map would be read again in sorted (random)
// order, each fault mapping neighbours into RSS after a trim.
Chunk read_chunk(const WriteTxn& txn, const StagedIndex& s, const std::string& after, std::size_t limit,
                 IndexBatch& batch, std::deque<std::string>& keys) {
  Chunk chunk;
  MDB_cursor* cursor = nullptr;
  if (const int rc = mdb_cursor_open(txn.get(), s.stage, &cursor); rc != 0) {
    throw LmdbFailure{rc, "cursor: " + lmdb_message(rc)};
  }
  MDB_val k = to_val(after);
  MDB_val v{};
  int rc = after.empty() ? mdb_cursor_get(cursor, &k, &v, MDB_FIRST) : mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE);
  if (rc == 0 && !after.empty() && to_view(k) == after) rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT);
  for (; rc == 0 && chunk.read < limit; rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
    if (++chunk.read % kTrimEvery == 0) txn.trim_resident();
    chunk.last_stage_key.assign(to_view(k));
    if (k.mv_size < kIdBytes) continue;  // not a staged entry: nothing to move
    batch.add(s.index, keys.emplace_back(to_view(v)), id_of(k));
  }
  chunk.at_end = rc == MDB_NOTFOUND;
  mdb_cursor_close(cursor);
  if (rc != 0 && rc != MDB_NOTFOUND) throw LmdbFailure{rc, "stage: " + lmdb_message(rc)};
  return chunk;
}

}  // namespace

std::string stage_bucket(const StagedIndex& s, std::string_view index_key) {
  if (!index_key.empty() && index_key.front() == '+') index_key.remove_prefix(1);
  std::string bucket(index_key.substr(0, s.bucket_bytes));
  bucket.resize(s.bucket_bytes, '\0');
  return bucket;
}

std::string stage_key(const StagedIndex& s, std::string_view index_key, RecordId id) {
  const IdKey key(id);
  return stage_bucket(s, index_key).append(key.view());
}

std::vector<RecordId> staged_ids(MDB_txn* txn, const StagedIndex& s, std::string_view index_key) {
  std::vector<RecordId> out;
  if (entry_count(txn, s.stage) == 0) return out;
  const std::string bucket = stage_bucket(s, index_key);
  MDB_cursor* cursor = nullptr;
  if (mdb_cursor_open(txn, s.stage, &cursor) != 0) return out;
  MDB_val k = to_val(bucket);
  MDB_val v{};
  for (int rc = mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE); rc == 0; rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
    const std::string_view key = to_view(k);
    if (key.size() != bucket.size() + kIdBytes || !key.starts_with(bucket)) break;
    if (to_view(v) == index_key) out.push_back(id_of(k));
  }
  mdb_cursor_close(cursor);
  return out;  // in id order: within a bucket the stage is keyed by id
}

Status merge_stage(LmdbEnv& env, const MergeLimits& limits, const StagedIndex& s) {
  std::string after;         // the last stage key merged by a committed chunk
  std::uint64_t merged = 0;  // entries read by committed chunks
  for (bool done = false; !done;) {
    Chunk chunk;
    auto st = write_transaction(
        env, limits.resident_budget,
        [&](WriteTxn& txn) {
          IndexBatch batch;
          std::deque<std::string> keys;  // stable addresses for the batch's views
          chunk = read_chunk(txn, s, after, std::max<std::size_t>(limits.chunk, 1), batch, keys);
          batch.flush(txn);
          // Every entry read is indexed now: one call frees the stage's pages. A count
          // that differs would mean the stage changed under the merge; then the entries
          // stay in both places until the next merge.
          if (chunk.at_end && entry_count(txn.get(), s.stage) == merged + chunk.read) {
            if (const int rc = mdb_drop(txn.get(), s.stage, 0); rc != 0) {
              throw LmdbFailure{rc, "empty stage: " + lmdb_message(rc)};
            }
          }
        },
        "merging staged index entries");
    if (!st) return st;
    merged += chunk.read;
    after = std::move(chunk.last_stage_key);
    done = chunk.at_end;
  }
  return ok_status();
}

}  // namespace leadhub::store
