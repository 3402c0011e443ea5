// The LMDB environment: one data folder, named databases for records, indexes,
// audit trail and idempotency keys. Write transactions belong to the writer thread
// (write_queue.hpp); read transactions may run on any thread (MDB_NOTLS) and hold a
// shared lock so the writer can grow the map, which LMDB allows only while no
// transaction of this process is open.
#pragma once

#include <lmdb.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>

#include "util/result.hpp"

namespace leadhub::store {

// Thrown only inside core/store to abort a write transaction on an LMDB error; the
// writer turns it into an Error value (or grows the map and replays on MDB_MAP_FULL).
struct LmdbFailure {
  int rc;
  std::string what;
};

struct Dbis {
  MDB_dbi meta{};
  MDB_dbi leads{};        // lead id -> lead JSON
  MDB_dbi partners{};     // partner id -> partner JSON
  MDB_dbi audit{};        // lead id + version + n -> audit entry JSON
  MDB_dbi idempotency{};  // scope + caller key -> record id
  MDB_dbi by_email{};     // lower-case e-mail -> lead ids (dupsort)
  MDB_dbi by_phone{};     // E.164 -> lead ids
  MDB_dbi by_ref{};       // system \0 id -> lead ids
  MDB_dbi by_status{};
  MDB_dbi by_owner{};
  MDB_dbi by_source{};
  MDB_dbi by_campaign{};
  MDB_dbi by_changed{};  // changed_at (8 bytes) + lead id -> ""
  MDB_dbi partner_by_email{};
  MDB_dbi partner_by_ref{};
  // Bulk imports stage their e-mail and phone entries here (lead id -> key), cheap
  // appends instead of random inserts; finds read both, and the writer merges them
  // into by_email / by_phone in large sorted runs (lead_writes.cpp, "Staged").
  MDB_dbi staged_email{};
  MDB_dbi staged_phone{};
  MDB_dbi outbox{};      // event sequence (8 bytes) -> event JSON (store/outbox.hpp)
  MDB_dbi deliveries{};  // target \0 event sequence -> event JSON
  // Processing (store/processor.hpp), written only when it is configured:
  MDB_dbi by_block{};  // duplicate-check blocking key -> lead ids (dupsort)
  MDB_dbi match{};     // lead id -> its match key, encoded (what a check compares)
  MDB_dbi manual{};    // lead id -> fields a person set, which rules keep
  // Aging (store/due_index.hpp), written only when processing is configured:
  MDB_dbi by_due{};     // next due time (8 bytes) + lead id -> ""
  MDB_dbi due{};        // lead id -> its due time and what was already raised
  MDB_dbi approvals{};  // lead id -> approval decisions (JSON array, store/approvals.hpp)
  // The report's history (store/report_history.hpp), which the other indexes forget:
  MDB_dbi qualified{};     // lead id -> when it first became qualified + when it was created
  MDB_dbi by_aging_act{};  // "escalated" | "closed" -> ids of the leads aging did it to (dupsort)
};

struct EnvOptions {
  std::string path;
  std::size_t map_size = std::size_t{1} << 30;
  bool read_only = false;
  // The whole process's RSS that mapped file pages may fill up to before
  // trim_resident drops them (0: only trim_resident's budget counts).
  std::size_t resident_target = 0;
};

inline MDB_val to_val(std::string_view s) { return MDB_val{s.size(), const_cast<char*>(s.data())}; }
inline std::string_view to_view(const MDB_val& v) { return {static_cast<const char*>(v.mv_data), v.mv_size}; }
// Entries in a database (for dupsort: data items), 0 when it cannot be read.
inline std::uint64_t entry_count(MDB_txn* txn, MDB_dbi dbi) {
  MDB_stat st{};
  return mdb_stat(txn, dbi, &st) == 0 ? st.ms_entries : 0;
}

class LmdbEnv;
class ReadTxn;

// A cursor for the length of one read; count() is the number of ids under the
// current key of a dupsort index, which LMDB knows without reading them.
class Cursor {
 public:
  Cursor(const ReadTxn& txn, MDB_dbi dbi);
  ~Cursor() { mdb_cursor_close(cursor_); }
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;
  int get(MDB_val& k, MDB_val& v, MDB_cursor_op op) { return mdb_cursor_get(cursor_, &k, &v, op); }
  std::size_t count() {
    std::size_t n = 0;
    mdb_cursor_count(cursor_, &n);
    return n;
  }

 private:
  MDB_cursor* cursor_ = nullptr;
};

// A short read transaction; hold it only while reading, never across I/O.
class ReadTxn {
 public:
  ReadTxn(ReadTxn&&) noexcept;
  ReadTxn& operator=(ReadTxn&&) = delete;
  ~ReadTxn();
  MDB_txn* get() const { return txn_; }
  const Dbis& dbi() const;

 private:
  friend class LmdbEnv;
  ReadTxn(const LmdbEnv& env, MDB_txn* txn, std::shared_lock<std::shared_mutex> lock);
  const LmdbEnv* env_;
  MDB_txn* txn_;
  std::shared_lock<std::shared_mutex> lock_;
};

class LmdbEnv {
 public:
  static Result<std::unique_ptr<LmdbEnv>> open(const EnvOptions& options);
  ~LmdbEnv();
  LmdbEnv(const LmdbEnv&) = delete;
  LmdbEnv& operator=(const LmdbEnv&) = delete;

  MDB_env* raw() const { return env_; }
  const Dbis& dbi() const { return dbi_; }
  const std::string& path() const { return path_; }
  std::uint64_t format() const { return format_; }  // store/store_format.hpp
  bool read_only() const { return read_only_; }

  Result<ReadTxn> begin_read() const;

  // Writer side: begin a write txn, and double the map after MDB_MAP_FULL.
  MDB_txn* begin_write();
  Status grow_map();
  std::size_t map_size() const;
  // Drops the map's pages from this process's page tables when more than `budget`
  // bytes of file-backed pages are resident and the process's RSS is over
  // EnvOptions::resident_target; returns whether it did. See lmdb_env.cpp for why
  // this is safe.
  bool trim_resident(std::size_t budget) const;
  std::uint64_t trims() const { return trims_.load(std::memory_order_relaxed); }

 private:
  LmdbEnv() = default;
  Status open_dbis();
  std::optional<std::pair<void*, std::size_t>> data_mapping() const;

  MDB_env* env_ = nullptr;
  Dbis dbi_;
  std::string path_;
  bool read_only_ = false;
  std::uint64_t format_ = 0;
  std::size_t resident_target_ = 0;
  mutable std::shared_mutex resize_mutex_;
  mutable std::atomic<std::uint64_t> trims_{0};
};

std::string lmdb_message(int rc);

}  // namespace leadhub::store
