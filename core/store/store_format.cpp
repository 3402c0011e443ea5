#include "store/store_format.hpp"

#include "store/keys.hpp"

namespace leadhub::store {

Result<std::uint64_t> check_store_format(MDB_txn* txn, MDB_dbi meta, bool writable, const std::string& path) {
  MDB_val key = to_val(kStoreFormatKey);
  MDB_val value{};
  const int rc = mdb_get(txn, meta, &key, &value);
  if (rc == MDB_NOTFOUND) {
    if (!writable) return std::uint64_t{1};
    const std::string stored = be64(kStoreFormat);
    MDB_val data = to_val(stored);
    if (const int put = mdb_put(txn, meta, &key, &data, 0); put != 0) {
      return Error::make(ErrorCode::unavailable, "cannot record the store's format: " + lmdb_message(put));
    }
    return kStoreFormat;
  }
  if (rc != 0) return Error::make(ErrorCode::unavailable, "cannot read the store's format: " + lmdb_message(rc));
  if (value.mv_size != sizeof(std::uint64_t)) {
    return Error::make(ErrorCode::unavailable, "the store at " + path + " has an unreadable format entry (" +
                                                   std::to_string(value.mv_size) + " bytes, not 8)");
  }
  const std::uint64_t format = read_be64(to_view(value));
  if (format > kStoreFormat) {
    return Error::make(ErrorCode::unavailable,
                       "the store at " + path + " is in format " + std::to_string(format) +
                           ", written by a newer leadhub; this one reads up to format " + std::to_string(kStoreFormat) +
                           " and has left it untouched: run the newer leadhub on it, or restore a backup made by "
                           "this one");
  }
  return format;
}

}  // namespace leadhub::store
