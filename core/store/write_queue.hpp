// Group commit: one writer thread owns every write transaction. Callers from any
// thread enqueue jobs; the writer applies whatever is waiting (up to max_batch
// commands) in ONE transaction, commits once, and only then completes each job. One
// commit (two fsyncs) for many records is what makes durable writes fast.
#pragma once

#include <array>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "model/ids.hpp"
#include "util/histogram.hpp"

#include "store/lmdb_env.hpp"

namespace leadhub::store {

class WriteTxn {
 public:
  WriteTxn(MDB_txn* txn, const Dbis& dbi) : txn_(txn), dbi_(dbi) {}
  // With env and a budget: trim_resident() may drop the map's resident pages.
  WriteTxn(MDB_txn* txn, const LmdbEnv& env, std::size_t resident_map_budget)
      : txn_(txn), dbi_(env.dbi()), env_(&env), resident_map_budget_(resident_map_budget) {}
  MDB_txn* get() const { return txn_; }
  const Dbis& dbi() const { return dbi_; }
  // For long stretches of random page reads inside one transaction: their pages
  // (and the kernel's fault-around neighbours) would otherwise pile up in RSS until
  // the commit. Safe mid-transaction: LMDB changes copies, never the mapped pages.
  void trim_resident() const;

  // Throw LmdbFailure on LMDB errors (caught by the writer loop).
  bool get(MDB_dbi dbi, std::string_view key, std::string_view& value) const;
  void put(MDB_dbi dbi, std::string_view key, std::string_view value, unsigned flags = 0);
  // Returns false when the key (or key/value pair for dupsort) already exists.
  bool put_new(MDB_dbi dbi, std::string_view key, std::string_view value);
  // For keys that normally sort after every stored key (ids and times only grow):
  // MDB_APPEND skips the B-tree search and fills pages completely; a key that does
  // not sort last (another caller's earlier id committed later) takes the ordinary
  // path. Not for dupsort databases.
  bool put_new_last(MDB_dbi dbi, std::string_view key, std::string_view value);
  void put_last(MDB_dbi dbi, std::string_view key, std::string_view value);
  void del(MDB_dbi dbi, std::string_view key, const std::string_view* value = nullptr);
  // Runs fn in a nested transaction whose writes are kept only when fn returns
  // true: a command made of several steps that fails halfway leaves nothing.
  bool nested(const std::function<bool(WriteTxn&)>& fn);

 private:
  MDB_txn* txn_;
  const Dbis& dbi_;
  const LmdbEnv* env_ = nullptr;
  std::size_t resident_map_budget_ = 0;
};

// Secondary-index entries of many records, put together at the end of a bulk job
// instead of one mdb_put each as the records come: sorted by (database, key, id)
// and through one cursor per database, so each touched page is visited once and
// while it is in cache, and keys past the index's last one (or ids past their
// key's last one) are appended without a search (see put_sorted).
// Entries whose database is `visible` (external references) can be looked up
// before the flush, so a later record of the same job sees an earlier one.
class IndexBatch {
 public:
  explicit IndexBatch(std::optional<MDB_dbi> visible = std::nullopt) : visible_(visible) {}
  // The keys are viewed, not copied: they must outlive the flush.
  void add(MDB_dbi dbi, std::string_view key, RecordId id);
  std::optional<RecordId> find(MDB_dbi dbi, std::string_view key) const;
  void flush(WriteTxn& txn);  // throws LmdbFailure like WriteTxn

 private:
  struct Entry {
    MDB_dbi dbi;
    // The key's first 16 bytes as two big-endian numbers: most comparisons end here
    // (e-mail addresses often share their first 8 bytes, rarely 16).
    std::array<std::uint64_t, 2> prefix;
    std::string_view key;
    RecordId id;
  };
  static void put_sorted(const WriteTxn& txn, const Entry* first, const Entry* last);

  std::optional<MDB_dbi> visible_;
  std::vector<Entry> entries_;
  std::unordered_map<std::string_view, RecordId> visible_keys_;
};

// Begins a write transaction, runs fn in it and commits. When the map fills up,
// nothing is committed: the map is grown (on_grow called) and fn runs again in a
// new transaction, up to 8 times, so fn must be repeatable. Any other failure
// commits nothing and comes back as an error whose message starts with `what`.
Status write_transaction(LmdbEnv& env, std::size_t resident_map_budget, const std::function<void(WriteTxn&)>& fn,
                         const std::string& what, const std::function<void()>& on_grow = {});

struct WriteJob {
  // Runs inside the batch transaction. It must leave the transaction unchanged when
  // it refuses the command (check first, then write), and may run more than once:
  // after MDB_MAP_FULL the whole batch is replayed on a grown map.
  std::function<void(WriteTxn&)> apply;
  // Runs after the commit with its outcome (ok, or why the batch did not commit).
  std::function<void(const Status& commit)> done;
  // Commands the job carries: a commit takes jobs until max_batch of them (at least
  // one job, however heavy: a bulk job of an import is one caller's batch).
  std::size_t weight = 1;
};

struct WriterStats {
  std::uint64_t commits = 0;  // batches tried, failed ones included
  std::uint64_t jobs = 0;
  std::uint64_t commands = 0;  // commands of the batches that committed
  std::uint64_t map_grows = 0;
  std::uint64_t largest_batch = 0;  // commands in one commit
  std::uint64_t last_batch = 0;     // commands in the latest commit
  std::uint64_t map_trims = 0;      // times the map's resident pages were dropped (LmdbEnv)
  std::uint64_t failed_commits = 0;
  std::string last_failure;  // of the latest commit when it failed (e.g. disk full); empty after a success

  HistogramSnapshot commit_ns;       // time of each batch transaction: its jobs, map growth and commit (fsyncs)
  HistogramSnapshot batch_commands;  // commands per commit
};

class WriteQueue {
 public:
  // resident_map_budget: after a commit, drop the map's pages from this process
  // when more than this many bytes of file pages are resident (0: never).
  WriteQueue(LmdbEnv& env, std::size_t max_batch, std::size_t resident_map_budget = 0);
  ~WriteQueue();
  WriteQueue(const WriteQueue&) = delete;
  WriteQueue& operator=(const WriteQueue&) = delete;

  void submit(WriteJob job);
  void submit(std::vector<WriteJob> jobs);
  // Runs on the writer thread after each commit with its outcome, once the callers
  // are completed (for housekeeping in transactions of its own). Set before the
  // first submit.
  void set_after_commit(std::function<void(const Status& outcome)> fn) { after_commit_ = std::move(fn); }
  // Runs on the writer thread once no job has come for `after` since the last
  // commit (and again only after further commits): work that must not interrupt a
  // stream of jobs, such as merging what a bulk import staged. Set before the first
  // submit.
  void set_idle_hook(std::chrono::milliseconds after, std::function<void()> fn) {
    idle_after_ = after;
    idle_ = std::move(fn);
  }
  // Runs inside each attempt at a batch transaction, before the first job and
  // after the last (state kept across jobs, written once per batch; an attempt
  // that fails is replayed from `begin`). Set before the first submit.
  void set_batch_hooks(std::function<void(WriteTxn&)> begin, std::function<void(WriteTxn&)> before_commit) {
    batch_begin_ = std::move(begin);
    before_commit_ = std::move(before_commit);
  }
  // Finishes every job already queued, then stops the thread. Later submits fail.
  void stop();
  WriterStats stats() const;

 private:
  void run();
  void take_batch(std::vector<WriteJob>& batch);  // with mutex_ held
  void commit_batch(std::vector<WriteJob>& batch);
  void trim_after_commit(std::uint64_t weight);
  // rc_out receives the LMDB error code when the batch failed on one.

  LmdbEnv& env_;
  const std::size_t max_batch_;
  const std::size_t resident_map_budget_;
  std::uint64_t weight_since_trim_check_ = 0;  // writer thread only
  std::function<void(const Status& outcome)> after_commit_;
  std::function<void(WriteTxn&)> batch_begin_;
  std::function<void(WriteTxn&)> before_commit_;
  std::chrono::milliseconds idle_after_{0};
  std::function<void()> idle_;
  bool committed_since_idle_ = false;  // writer thread only
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<WriteJob> queue_;
  bool stopping_ = false;
  WriterStats stats_;  // guarded by mutex_, but for the histograms (lock-free)
  Histogram commit_ns_{500'000,     1'000'000,   2'500'000,   5'000'000,     10'000'000,    25'000'000,    50'000'000,
                       100'000'000, 250'000'000, 500'000'000, 1'000'000'000, 2'500'000'000, 10'000'000'000};
  Histogram batch_commands_{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000, 20000};
  std::thread thread_;
};

}  // namespace leadhub::store
