#include "store/write_queue.hpp"

#include <sys/statvfs.h>

#include <cerrno>

#include <algorithm>

#include "store/keys.hpp"

namespace leadhub::store {

bool WriteTxn::get(MDB_dbi dbi, std::string_view key, std::string_view& value) const {
  MDB_val k = to_val(key);
  MDB_val v{};
  const int rc = mdb_get(txn_, dbi, &k, &v);
  if (rc == MDB_NOTFOUND) return false;
  if (rc != 0) throw LmdbFailure{rc, "get: " + lmdb_message(rc)};
  value = to_view(v);
  return true;
}

void WriteTxn::put(MDB_dbi dbi, std::string_view key, std::string_view value, unsigned flags) {
  MDB_val k = to_val(key);
  MDB_val v = to_val(value);
  const int rc = mdb_put(txn_, dbi, &k, &v, flags);
  if (rc != 0 && rc != MDB_KEYEXIST) throw LmdbFailure{rc, "put: " + lmdb_message(rc)};
}

bool WriteTxn::put_new(MDB_dbi dbi, std::string_view key, std::string_view value) {
  MDB_val k = to_val(key);
  MDB_val v = to_val(value);
  const int rc = mdb_put(txn_, dbi, &k, &v, MDB_NOOVERWRITE);
  if (rc == MDB_KEYEXIST) return false;
  if (rc != 0) throw LmdbFailure{rc, "put: " + lmdb_message(rc)};
  return true;
}

bool WriteTxn::put_new_last(MDB_dbi dbi, std::string_view key, std::string_view value) {
  MDB_val k = to_val(key);
  MDB_val v = to_val(value);
  const int rc = mdb_put(txn_, dbi, &k, &v, MDB_APPEND);
  if (rc == MDB_KEYEXIST) return put_new(dbi, key, value);  // not the last key: may still be new
  if (rc != 0) throw LmdbFailure{rc, "put: " + lmdb_message(rc)};
  return true;
}

void WriteTxn::put_last(MDB_dbi dbi, std::string_view key, std::string_view value) {
  MDB_val k = to_val(key);
  MDB_val v = to_val(value);
  const int rc = mdb_put(txn_, dbi, &k, &v, MDB_APPEND);
  if (rc == MDB_KEYEXIST) return put(dbi, key, value);
  if (rc != 0) throw LmdbFailure{rc, "put: " + lmdb_message(rc)};
}

void WriteTxn::trim_resident() const {
  if (env_ != nullptr && resident_map_budget_ != 0) env_->trim_resident(resident_map_budget_);
}

void WriteTxn::del(MDB_dbi dbi, std::string_view key, const std::string_view* value) {
  MDB_val k = to_val(key);
  MDB_val v{};
  if (value != nullptr) v = to_val(*value);
  const int rc = mdb_del(txn_, dbi, &k, value != nullptr ? &v : nullptr);
  if (rc != 0 && rc != MDB_NOTFOUND) throw LmdbFailure{rc, "del: " + lmdb_message(rc)};
}

bool WriteTxn::nested(const std::function<bool(WriteTxn&)>& fn) {
  MDB_txn* child = nullptr;
  int rc = mdb_txn_begin(mdb_txn_env(txn_), txn_, 0, &child);
  if (rc != 0) throw LmdbFailure{rc, "begin nested: " + lmdb_message(rc)};
  WriteTxn inner(child, dbi_);
  bool keep = false;
  try {
    keep = fn(inner);
  } catch (...) {
    mdb_txn_abort(child);
    throw;
  }
  if (!keep) {
    mdb_txn_abort(child);
    return false;
  }
  rc = mdb_txn_commit(child);
  if (rc != 0) throw LmdbFailure{rc, "commit nested: " + lmdb_message(rc)};
  return true;
}

namespace {

// Eight of the key's bytes from `from` on, big-endian, zero-padded past its end.
std::uint64_t key_bytes(std::string_view key, std::size_t from) {
  std::uint64_t v = 0;
  for (std::size_t i = from; i < from + 8; ++i)
    v = (v << 8) | (i < key.size() ? static_cast<unsigned char>(key[i]) : 0U);
  return v;
}

}  // namespace

void IndexBatch::add(MDB_dbi dbi, std::string_view key, RecordId id) {
  entries_.push_back({dbi, {key_bytes(key, 0), key_bytes(key, 8)}, key, id});
  if (dbi == visible_) visible_keys_.try_emplace(key, id);  // the first one wins, as in a dupsort get
}

std::optional<RecordId> IndexBatch::find(MDB_dbi dbi, std::string_view key) const {
  if (dbi != visible_) return std::nullopt;
  const auto it = visible_keys_.find(key);
  if (it == visible_keys_.end()) return std::nullopt;
  return it->second;
}

void IndexBatch::flush(WriteTxn& txn) {
  // LMDB's default order: bytes as unsigned, shorter first on a tie; ids big-endian.
  std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
    if (a.dbi != b.dbi) return a.dbi < b.dbi;
    // Same order as comparing the bytes (compared as numbers: std::array's
    // operators would call memcmp).
    if (a.prefix[0] != b.prefix[0]) return a.prefix[0] < b.prefix[0];
    if (a.prefix[1] != b.prefix[1]) return a.prefix[1] < b.prefix[1];
    // Keys of at most 16 bytes are all in the prefix (zero-padded: the shorter
    // first). Most keys of the few-valued indexes (status, source, ...) are that
    // short, and their many equal keys made memcmp the sort's main cost.
    if (a.key.size() <= 16 && b.key.size() <= 16) {
      if (a.key.size() != b.key.size()) return a.key.size() < b.key.size();
    } else if (const int c = a.key.compare(b.key); c != 0) {
      return c < 0;
    }
    return a.id < b.id;
  });
  for (auto first = entries_.begin(); first != entries_.end();) {
    const auto last = std::find_if(first, entries_.end(), [&](const Entry& e) { return e.dbi != first->dbi; });
    put_sorted(txn, &*first, &*first + (last - first));
    first = last;
  }
  entries_.clear();
  visible_keys_.clear();
}

namespace {

[[noreturn]] void throw_index_failure(MDB_cursor* cursor, int rc) {
  mdb_cursor_close(cursor);
  throw LmdbFailure{rc, "index put: " + lmdb_message(rc)};
}

// The ids of a key's further entries, appended to the key's ids in one call
// (MDB_MULTIPLE; the indexes are MDB_DUPFIXED): LMDB finds the key once instead of
// once per id, which made the few-valued indexes (status, owner, source, campaign)
// cost more than the rest of the write. Returns how many it stored before an id did
// not belong at the end (MDB_KEYEXIST); the caller puts those one by one.
std::size_t append_ids(MDB_cursor* cursor, MDB_val& key, const RecordId* ids, std::size_t n, std::string& buffer) {
  buffer.clear();
  for (std::size_t i = 0; i < n; ++i) {
    const IdKey id(ids[i]);
    buffer.append(id.view());
  }
  MDB_val data[2] = {{sizeof(std::uint64_t), buffer.data()}, {n, nullptr}};
  const int rc = mdb_cursor_put(cursor, &key, data, MDB_MULTIPLE | MDB_APPENDDUP | MDB_NODUPDATA);
  if (rc != 0 && rc != MDB_KEYEXIST) throw_index_failure(cursor, rc);
  return rc == 0 ? n : data[1].mv_size;
}

// The ids of one key, ascending: the first appended alone (MDB_APPEND for a key past
// the index's last, else MDB_APPENDDUP), the rest in one append_ids call, and
// whatever did not belong at the end the ordinary way.
void put_ids(MDB_cursor* cursor, std::string_view key, bool past_last, const std::vector<RecordId>& ids,
             std::string& buffer) {
  MDB_val k = to_val(key);
  std::size_t done = 0;
  {
    const IdKey id(ids[0]);
    MDB_val v = to_val(id.view());
    const int rc = mdb_cursor_put(cursor, &k, &v, MDB_NODUPDATA | (past_last ? MDB_APPEND : MDB_APPENDDUP));
    if (rc != 0 && rc != MDB_KEYEXIST) throw_index_failure(cursor, rc);  // e.g. MDB_MAP_FULL: grown, replayed
    done = rc == 0 ? 1 : 0;
  }
  if (done == 1 && ids.size() > 1) done += append_ids(cursor, k, &ids[1], ids.size() - 1, buffer);
  for (std::size_t i = done; i < ids.size(); ++i) {
    const IdKey id(ids[i]);
    MDB_val v = to_val(id.view());
    const int rc = mdb_cursor_put(cursor, &k, &v, MDB_NODUPDATA);
    if (rc != 0 && rc != MDB_KEYEXIST) throw_index_failure(cursor, rc);
  }
}

}  // namespace

void IndexBatch::put_sorted(const WriteTxn& txn, const Entry* first, const Entry* last) {
  // A random-key index touches about one page per entry, which the kernel maps with
  // up to 15 cached neighbours (fault-around): 256 entries may add 16 MB of RSS.
  constexpr std::size_t kTrimEvery = 256;
  MDB_cursor* cursor = nullptr;
  if (const int rc = mdb_cursor_open(txn.get(), first->dbi, &cursor); rc != 0) {
    throw LmdbFailure{rc, "cursor: " + lmdb_message(rc)};
  }
  // Keys after the index's last one are appended (MDB_APPEND): no search, and LMDB
  // fills the last page instead of splitting it in half. Under an existing key a new
  // lead's id is usually the largest, so it is appended to the key's ids
  // (MDB_APPENDDUP). Either refuses with MDB_KEYEXIST when the entry does not belong
  // at the end; then it is put the ordinary way.
  std::string last_key;
  MDB_val lk{}, lv{};
  const bool has_last = mdb_cursor_get(cursor, &lk, &lv, MDB_LAST) == 0;
  if (has_last) last_key.assign(to_view(lk));
  bool past_last = !has_last;  // the entries are sorted: once past, the rest are too
  std::vector<RecordId> run_ids;
  std::string buffer;
  std::size_t since_trim = 0;
  for (const Entry* e = first; e != last;) {
    const Entry* run_end = e + 1;  // entries under the same key
    while (run_end != last && run_end->prefix[0] == e->prefix[0] && run_end->prefix[1] == e->prefix[1] &&
           run_end->key == e->key) {
      ++run_end;
    }
    past_last = past_last || e->key > last_key;
    run_ids.clear();
    for (const Entry* r = e; r != run_end; ++r) run_ids.push_back(r->id);
    put_ids(cursor, e->key, past_last, run_ids, buffer);
    since_trim += run_ids.size();
    if (since_trim >= kTrimEvery) {
      txn.trim_resident();
      since_trim = 0;
    }
    e = run_end;
  }
  mdb_cursor_close(cursor);
}

WriteQueue::WriteQueue(LmdbEnv& env, std::size_t max_batch, std::size_t resident_map_budget)
    : env_(env),
      max_batch_(max_batch == 0 ? 1 : max_batch),
      resident_map_budget_(resident_map_budget),
      thread_([this] { run(); }) {}

WriteQueue::~WriteQueue() { stop(); }

void WriteQueue::submit(WriteJob job) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      queue_.push_back(std::move(job));
      wake_.notify_one();
      return;
    }
  }
  job.done(Error::make(ErrorCode::unavailable, "store is shutting down"));
}

void WriteQueue::submit(std::vector<WriteJob> jobs) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      for (auto& job : jobs) queue_.push_back(std::move(job));
      wake_.notify_one();
      return;
    }
  }
  for (auto& job : jobs) job.done(Error::make(ErrorCode::unavailable, "store is shutting down"));
}

void WriteQueue::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    wake_.notify_one();
  }
  if (thread_.joinable()) thread_.join();
}

WriterStats WriteQueue::stats() const {
  std::lock_guard lock(mutex_);
  WriterStats s = stats_;
  s.map_trims = env_.trims();
  s.commit_ns = commit_ns_.snapshot();
  s.batch_commands = batch_commands_.snapshot();
  return s;
}

void WriteQueue::run() {
  std::vector<WriteJob> batch;
  for (;;) {
    bool idle = false;
    {
      std::unique_lock lock(mutex_);
      const auto ready = [&] { return stopping_ || !queue_.empty(); };
      if (committed_since_idle_ && idle_) {
        idle = !wake_.wait_for(lock, idle_after_, ready);
      } else {
        wake_.wait(lock, ready);
      }
      if (!idle) {
        if (queue_.empty()) return;  // stopping and drained
        take_batch(batch);
      }
    }
    if (idle) {
      committed_since_idle_ = false;
      idle_();
      continue;
    }
    commit_batch(batch);
    batch.clear();
    committed_since_idle_ = true;
  }
}

void WriteQueue::take_batch(std::vector<WriteJob>& batch) {
  std::size_t weight = 0;
  std::size_t n = 0;
  while (n < queue_.size() && (n == 0 || weight + queue_[n].weight <= max_batch_)) weight += queue_[n++].weight;
  batch.assign(std::make_move_iterator(queue_.begin()),
               std::make_move_iterator(queue_.begin() + static_cast<std::ptrdiff_t>(n)));
  queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
}

void WriteQueue::commit_batch(std::vector<WriteJob>& batch) {
  const auto started = std::chrono::steady_clock::now();
  const Status outcome = write_transaction(
      env_, resident_map_budget_,
      [&](WriteTxn& wtxn) {
        if (batch_begin_) batch_begin_(wtxn);
        for (auto& job : batch) job.apply(wtxn);
        if (before_commit_) before_commit_(wtxn);
      },
      "store write failed",
      [&] {
        std::lock_guard lock(mutex_);
        ++stats_.map_grows;
      });
  const auto took = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started);
  std::uint64_t commands = 0;
  for (const auto& job : batch) commands += job.weight;
  commit_ns_.observe(static_cast<std::uint64_t>(took.count()));
  batch_commands_.observe(commands);
  // Before the callers learn of the commit, so an import that finishes right after
  // its last commit is measured with the pages already dropped.
  trim_after_commit(commands);
  {
    std::lock_guard lock(mutex_);
    ++stats_.commits;
    stats_.jobs += batch.size();
    stats_.largest_batch = std::max(stats_.largest_batch, commands);
    stats_.last_batch = commands;
    if (outcome) {
      stats_.commands += commands;
      stats_.last_failure.clear();
    } else {
      ++stats_.failed_commits;
      stats_.last_failure = outcome.error().message;
    }
  }
  for (auto& job : batch) job.done(outcome);
  if (after_commit_) after_commit_(outcome);
}

// Checking the resident size reads /proc/self/statm (three system calls): a bulk
// commit checks every time, small online commits once per few dozen commands.
void WriteQueue::trim_after_commit(std::uint64_t weight) {
  constexpr std::uint64_t kCheckEvery = 64;
  if (resident_map_budget_ == 0) return;
  weight_since_trim_check_ += weight;
  if (weight_since_trim_check_ < kCheckEvery) return;
  weight_since_trim_check_ = 0;
  env_.trim_resident(resident_map_budget_);
}

namespace {

// A commit that cannot write says how much room the disk has: LMDB reports a write
// the file system cut short as a plain "Input/output error", which on a full disk
// would send an operator looking for a broken one.
std::string commit_failure(const LmdbEnv& env, int rc) {
  std::string text = "commit: " + lmdb_message(rc);
  if (rc != EIO && rc != ENOSPC && rc != EDQUOT) return text;
  struct statvfs fs {};
  if (::statvfs(env.path().c_str(), &fs) != 0) return text;
  const auto free_kb = static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize / 1024;
  return text + " (the file system of " + env.path() + " has " + std::to_string(free_kb) + " KB free)";
}

// One attempt: begin, run fn, commit; on any throw, abort and rethrow.
void commit_once(LmdbEnv& env, std::size_t resident_map_budget, const std::function<void(WriteTxn&)>& fn) {
  MDB_txn* txn = env.begin_write();
  try {
    WriteTxn wtxn(txn, env, resident_map_budget);
    fn(wtxn);
  } catch (...) {
    mdb_txn_abort(txn);
    throw;
  }
  const int rc = mdb_txn_commit(txn);  // frees the transaction, committed or not
  if (rc != 0) throw LmdbFailure{rc, commit_failure(env, rc)};
}

}  // namespace

Status write_transaction(LmdbEnv& env, std::size_t resident_map_budget, const std::function<void(WriteTxn&)>& fn,
                         const std::string& what, const std::function<void()>& on_grow) {
  if (env.read_only()) {
    return Error::make(ErrorCode::unavailable, what + ": the store at " + env.path() +
                                                   " is open read-only (its file system is read-only): it can be "
                                                   "read, backed up and exported, not changed");
  }
  for (int attempt = 0;; ++attempt) {
    try {
      commit_once(env, resident_map_budget, fn);
      return ok_status();
    } catch (const LmdbFailure& failure) {
      if (failure.rc != MDB_MAP_FULL || attempt >= 8) {
        return Error::make(ErrorCode::unavailable, what + ": " + failure.what);
      }
    } catch (const std::exception& e) {  // e.g. bad_alloc inside fn
      return Error::make(ErrorCode::internal, what + ": " + e.what());
    }
    if (auto grown = env.grow_map(); !grown) return grown;
    if (on_grow) on_grow();
  }
}

}  // namespace leadhub::store
