// The store's format: which databases it has and how their records and keys are
// laid out, as one number kept in the store itself. A leadhub refuses a store of a
// later format instead of misreading it (or writing records an older reader can
// no longer read), and `leadhub stats` / `--version` name the format.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "store/lmdb_env.hpp"
#include "util/result.hpp"

namespace leadhub::store {

// Raise it with a change an older leadhub would misread; stores written before
// the number existed are format 1.
inline constexpr std::uint64_t kStoreFormat = 1;
inline constexpr std::string_view kStoreFormatKey = "store.format";

// The format `txn`'s store is in: recorded in its meta database by the first
// writable open (so a new store is marked), read as 1 where it is missing. An
// `unavailable` error naming `path` when it is later than kStoreFormat.
Result<std::uint64_t> check_store_format(MDB_txn* txn, MDB_dbi meta, bool writable, const std::string& path);

}  // namespace leadhub::store
