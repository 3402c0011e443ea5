// Group commit: one writer thread owns every write transaction. Callers from any
// thread enqueue jobs; the writer applies whatever is waiting (up to max_batch) in
// ONE transaction, commits once, and only then completes each job. One commit (two
// fsyncs) for many records is what makes durable writes fast.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "store/lmdb_env.hpp"

namespace leadhub::store {

class WriteTxn {
 public:
  WriteTxn(MDB_txn* txn, const Dbis& dbi) : txn_(txn), dbi_(dbi) {}
  MDB_txn* get() const { return txn_; }
  const Dbis& dbi() const { return dbi_; }

  // Throw LmdbFailure on LMDB errors (caught by the writer loop).
  bool get(MDB_dbi dbi, std::string_view key, std::string_view& value) const;
  void put(MDB_dbi dbi, std::string_view key, std::string_view value, unsigned flags = 0);
  // Returns false when the key (or key/value pair for dupsort) already exists.
  bool put_new(MDB_dbi dbi, std::string_view key, std::string_view value);
  void del(MDB_dbi dbi, std::string_view key, const std::string_view* value = nullptr);

 private:
  MDB_txn* txn_;
  const Dbis& dbi_;
};

struct WriteJob {
  // Runs inside the batch transaction. It must leave the transaction unchanged when
  // it refuses the command (check first, then write), and may run more than once:
  // after MDB_MAP_FULL the whole batch is replayed on a grown map.
  std::function<void(WriteTxn&)> apply;
  // Runs after the commit with its outcome (ok, or why the batch did not commit).
  std::function<void(const Status& commit)> done;
};

struct WriterStats {
  std::uint64_t commits = 0;
  std::uint64_t jobs = 0;
  std::uint64_t map_grows = 0;
  std::uint64_t largest_batch = 0;
};

class WriteQueue {
 public:
  WriteQueue(LmdbEnv& env, std::size_t max_batch);
  ~WriteQueue();
  WriteQueue(const WriteQueue&) = delete;
  WriteQueue& operator=(const WriteQueue&) = delete;

  void submit(WriteJob job);
  void submit(std::vector<WriteJob> jobs);
  // Finishes every job already queued, then stops the thread. Later submits fail.
  void stop();
  WriterStats stats() const;

 private:
  void run();
  void commit_batch(std::vector<WriteJob>& batch);
  // rc_out receives the LMDB error code when the batch failed on one.
  Status apply_and_commit(std::vector<WriteJob>& batch, int& rc_out);

  LmdbEnv& env_;
  const std::size_t max_batch_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<WriteJob> queue_;
  bool stopping_ = false;
  WriterStats stats_;  // guarded by mutex_
  std::thread thread_;
};

}  // namespace leadhub::store
