#include "store/write_queue.hpp"

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

void WriteTxn::del(MDB_dbi dbi, std::string_view key, const std::string_view* value) {
  MDB_val k = to_val(key);
  MDB_val v{};
  if (value != nullptr) v = to_val(*value);
  const int rc = mdb_del(txn_, dbi, &k, value != nullptr ? &v : nullptr);
  if (rc != 0 && rc != MDB_NOTFOUND) throw LmdbFailure{rc, "del: " + lmdb_message(rc)};
}

WriteQueue::WriteQueue(LmdbEnv& env, std::size_t max_batch)
    : env_(env), max_batch_(max_batch == 0 ? 1 : max_batch), thread_([this] { run(); }) {}

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
  return stats_;
}

void WriteQueue::run() {
  std::vector<WriteJob> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      const std::size_t n = std::min(max_batch_, queue_.size());
      batch.assign(std::make_move_iterator(queue_.begin()),
                   std::make_move_iterator(queue_.begin() + static_cast<std::ptrdiff_t>(n)));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    }
    commit_batch(batch);
    batch.clear();
  }
}

void WriteQueue::commit_batch(std::vector<WriteJob>& batch) {
  Status outcome = ok_status();
  for (int attempt = 0;; ++attempt) {
    int rc = 0;
    outcome = apply_and_commit(batch, rc);
    if (rc != MDB_MAP_FULL || attempt >= 8) break;
    if (auto grown = env_.grow_map(); !grown) {
      outcome = grown;
      break;
    }
    std::lock_guard lock(mutex_);
    ++stats_.map_grows;
  }
  {
    std::lock_guard lock(mutex_);
    ++stats_.commits;
    stats_.jobs += batch.size();
    stats_.largest_batch = std::max<std::uint64_t>(stats_.largest_batch, batch.size());
  }
  for (auto& job : batch) job.done(outcome);
}

Status WriteQueue::apply_and_commit(std::vector<WriteJob>& batch, int& rc_out) {
  MDB_txn* txn = nullptr;
  try {
    txn = env_.begin_write();
    WriteTxn wtxn(txn, env_.dbi());
    for (auto& job : batch) job.apply(wtxn);
    const int rc = mdb_txn_commit(txn);
    txn = nullptr;
    if (rc != 0) throw LmdbFailure{rc, "commit: " + lmdb_message(rc)};
    return ok_status();
  } catch (const LmdbFailure& failure) {
    if (txn != nullptr) mdb_txn_abort(txn);
    rc_out = failure.rc;
    return Error::make(ErrorCode::unavailable, "store write failed: " + failure.what);
  } catch (const std::exception& e) {  // e.g. bad_alloc inside a job
    if (txn != nullptr) mdb_txn_abort(txn);
    return Error::make(ErrorCode::internal, std::string("store write failed: ") + e.what());
  }
}

}  // namespace leadhub::store
