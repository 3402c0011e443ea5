// Staged index entries: how bulk imports keep the e-mail and phone indexes cheap.
//
// A random-key index costs about one page write per new entry and commit once it has
// more leaves than a commit has entries: at a million leads the e-mail and phone
// indexes caused most of an import's disk writes. Bulk jobs therefore stage those
// entries: stage key = bucket + lead id, value = the index key. The bucket is the
// index key's first byte (a phone's first two digits after '+'), so a commit appends
// to the end of a few dozen buckets (a few dozen pages) instead of touching a page
// per entry, a find scans only its key's bucket, and a merge reads the stage in
// bucket order: each of its transactions covers a narrow range of the index.
//
// Where an entry may be: in the stage, in the index, or in both while a merge runs
// (and after a merge was interrupted). Finds read both and skip a repeated id;
// ChangeLead deletes from both; a merge puts what is already indexed again, a no-op.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/ids.hpp"
#include "store/lmdb_env.hpp"
#include "util/result.hpp"

namespace leadhub::store {

struct StagedIndex {
  MDB_dbi index;
  MDB_dbi stage;
  std::size_t bucket_bytes;  // taken from the index key after a leading '+'
};

// The e-mail and phone indexes with their stages. Inline: the bulk write path asks
// for every index entry it puts.
inline std::array<StagedIndex, 2> staged_indexes(const Dbis& dbi) {
  return {StagedIndex{dbi.by_email, dbi.staged_email, 1}, StagedIndex{dbi.by_phone, dbi.staged_phone, 2}};
}
// The stage of an index whose bulk entries are staged; nullopt for the others.
inline std::optional<StagedIndex> staged_index(const Dbis& dbi, MDB_dbi index) {
  for (const auto& s : staged_indexes(dbi)) {
    if (s.index == index) return s;
  }
  return std::nullopt;
}

// bucket (bucket_bytes, zero-padded) + the id's 8 key bytes.
std::string stage_bucket(const StagedIndex& s, std::string_view index_key);
std::string stage_key(const StagedIndex& s, std::string_view index_key, RecordId id);

// The ids staged under index_key, in id order (a scan of its bucket).
std::vector<RecordId> staged_ids(MDB_txn* txn, const StagedIndex& s, std::string_view index_key);

struct MergeLimits {
  std::size_t chunk = 100'000;      // entries per merge transaction (bounds its memory)
  std::size_t resident_budget = 0;  // see StoreOptions::resident_map_budget
};

// Moves every staged entry of s into its index: one pass over the stage in key
// order, in transactions of at most limits.chunk entries, each sorting its entries
// and putting them into the index; the last one empties the stage. A failure
// leaves the entries staged (some maybe indexed too); the next merge finishes.
// Only where nothing else writes: on the writer thread, or before or after it runs.
Status merge_stage(LmdbEnv& env, const MergeLimits& limits, const StagedIndex& s);

}  // namespace leadhub::store
