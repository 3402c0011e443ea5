#include "store/lead_store.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "json/record_json.hpp"
#include "store/audit_json.hpp"
#include "store/keys.hpp"
#include "store/lmdb_env.hpp"
#include "store/outbox.hpp"
#include "store/processor.hpp"
#include "store/report_history.hpp"
#include "store/staging.hpp"
#include "store/write_queue.hpp"

namespace leadhub {

using store::ReadTxn;

namespace {

// The highest id stored in a database: ids handed out later must sort after it.
std::optional<RecordId> last_id(const ReadTxn& txn, MDB_dbi dbi) {
  MDB_cursor* cursor = nullptr;
  if (mdb_cursor_open(txn.get(), dbi, &cursor) != 0) return std::nullopt;
  MDB_val k{}, v{};
  std::optional<RecordId> out;
  if (mdb_cursor_get(cursor, &k, &v, MDB_LAST) == 0 && k.mv_size == 8) out = RecordId::from_key(k.mv_data);
  mdb_cursor_close(cursor);
  return out;
}

std::uint64_t entries(const ReadTxn& txn, MDB_dbi dbi) { return store::entry_count(txn.get(), dbi); }

// The record stored under `id`: a view into the map, valid while `txn` is open. `what`
// names the record in the not-found error ("lead", "business partner").
Result<std::string_view> record_at(const ReadTxn& txn, MDB_dbi dbi, RecordId id, std::string_view what) {
  const std::string key = store::id_key(id);
  MDB_val k = store::to_val(key);
  MDB_val v{};
  const int rc = mdb_get(txn.get(), dbi, &k, &v);
  if (rc == MDB_NOTFOUND)
    return Error::make(ErrorCode::not_found, "no " + std::string(what) + " with id " + id.to_string());
  if (rc != 0) return Error::make(ErrorCode::unavailable, "read failed: " + store::lmdb_message(rc));
  return store::to_view(v);
}

// Events waiting per delivery target (keys: target \0 sequence).
std::vector<std::pair<std::string, std::uint64_t>> delivery_depths(const ReadTxn& txn) {
  std::vector<std::pair<std::string, std::uint64_t>> out;
  MDB_cursor* cursor = nullptr;
  if (mdb_cursor_open(txn.get(), txn.dbi().deliveries, &cursor) != 0) return out;
  MDB_val k{}, v{};
  for (int rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
    const std::string_view key = store::to_view(k);
    const std::string_view target = key.substr(0, key.find('\0'));
    if (out.empty() || out.back().first != target) out.emplace_back(std::string(target), 0);
    ++out.back().second;
  }
  mdb_cursor_close(cursor);
  return out;
}

}  // namespace

Result<std::unique_ptr<LeadStore>> LeadStore::open(const StoreOptions& options) {
  auto env = store::LmdbEnv::open(
      store::EnvOptions{options.path, options.map_size, options.read_only, options.resident_target});
  if (!env) return env.error();
  std::unique_ptr<LeadStore> s(new LeadStore());
  s->options_ = options;
  s->env_ = std::move(env).value();
  s->lead_ids_ = std::make_unique<IdGenerator>(*options.clock, options.partition);
  s->partner_ids_ = std::make_unique<IdGenerator>(*options.clock, options.partition);
  s->outbox_ = std::make_unique<store::Outbox>(options.events);
  {
    auto txn = s->env_->begin_read();
    if (!txn) return txn.error();
    if (auto id = last_id(*txn, txn->dbi().leads)) s->lead_ids_->observe(*id);
    if (auto id = last_id(*txn, txn->dbi().partners)) s->partner_ids_->observe(*id);
    s->outbox_->continue_after(store::last_event_seq(txn->get(), txn->dbi()));
    if (options.processing) {
      s->processor_ = std::make_unique<store::Processor>(options.processing);
      if (auto st = s->processor_->load_model(txn->get(), txn->dbi()); !st) return st.error();
    }
  }
  // A read-only store is read as it is: finds read staged entries too, and the
  // report reads what history there is. Every write is refused (write_transaction).
  if (options.read_only) {
    s->writer_ = std::make_unique<store::WriteQueue>(*s->env_, s->options_.max_batch, 0);
    return s;
  }
  // Entries an interrupted import left staged (or staged by an older version keyed
  // otherwise): into the indexes before anything reads or writes them.
  if (auto st = s->merge_staged(1); !st) return st.error();
  if (auto st = s->settle_report_history(); !st) return st.error();
  s->writer_ = std::make_unique<store::WriteQueue>(*s->env_, s->options_.max_batch, s->options_.resident_map_budget);
  if (auto* processor = s->processor_.get()) {
    s->writer_->set_batch_hooks([processor](store::WriteTxn& txn) { processor->batch_begin(txn); },
                                [processor](store::WriteTxn& txn) { processor->before_commit(txn); });
  }
  if (s->options_.staged_merge_idle_ms > 0) {
    s->writer_->set_idle_hook(std::chrono::milliseconds(s->options_.staged_merge_idle_ms),
                              [store = s.get()] { (void)store->merge_staged(1); });
  }
  s->writer_->set_after_commit([store = s.get()](const Status& outcome) {
    if (store->commit_listener_) store->commit_listener_(outcome);
    if (store->processor_) store->processor_->after_commit(static_cast<bool>(outcome));
    store->merge_staged_if_large();
    if (store->outbox_->take_written() && store->event_listener_) store->event_listener_();
  });
  if (auto st = s->settle_index_fingerprint(); !st) return st.error();
  return s;
}

LeadStore::~LeadStore() { close(); }

Status LeadStore::settle_report_history() {
  auto state = store::report_history_state(*env_);
  if (!state) return state.error();
  if (state->complete) return ok_status();
  const bool tell = state->leads > 0 && options_.notice;
  if (tell) {
    options_.notice("the store has no report history yet (written by an earlier version): reading the audit trail of " +
                    std::to_string(state->leads) +
                    " leads once for when each was first qualified and what aging did to it");
  }
  const auto started = std::chrono::steady_clock::now();
  auto counts = store::backfill_report_history(*env_, options_.resident_map_budget);
  if (!counts) return counts.error();
  if (tell) {
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
    char seconds[32];
    std::snprintf(seconds, sizeof seconds, "%.1f", took.count());
    options_.notice("report history filled in " + std::string(seconds) + " s: " + std::to_string(counts->qualified) +
                    " leads qualified, " + std::to_string(counts->escalated) + " escalated and " +
                    std::to_string(counts->closed) + " closed by aging");
  }
  return ok_status();
}

// Called after every commit: one read transaction decides for both stages.
Status LeadStore::merge_staged(std::uint64_t at_least, bool tiered) {
  if (env_->read_only()) return ok_status();
  const auto stages = store::staged_indexes(env_->dbi());
  std::vector<store::StagedIndex> due;
  {
    auto txn = env_->begin_read();
    if (!txn) return txn.error();
    for (const auto& staged : stages) {
      const std::uint64_t stage_entries = entries(*txn, staged.stage);
      if (stage_entries == 0 || stage_entries < at_least) continue;
      if (tiered && stage_entries < entries(*txn, staged.index)) continue;
      due.push_back(staged);
    }
  }
  const store::MergeLimits limits{options_.staged_merge_chunk, options_.resident_map_budget};
  for (const auto& staged : due) {
    if (auto st = store::merge_stage(*env_, limits, staged); !st) return st;
  }
  return ok_status();
}

// A failed merge leaves the stage as it was: the next commit or close tries again.
void LeadStore::merge_staged_if_large() {
  (void)merge_staged(std::max<std::uint64_t>(options_.staged_merge_at, 1), true);
}

// Leaves no staged index entries behind (finds would scan them), unless the merge
// fails: then they stay valid and a later commit or close merges them.
void LeadStore::close() {
  if (!writer_ || closed_) return;
  closed_ = true;
  writer_->stop();
  (void)merge_staged(1);
}

Result<std::string> LeadStore::read_lead_json(RecordId id) const {
  auto txn = env_->begin_read();
  if (!txn) return txn.error();
  auto record = record_at(*txn, txn->dbi().leads, id, "lead");
  if (!record) return record.error();
  return std::string(*record);
}

Result<Lead> LeadStore::read_lead(RecordId id) const {
  auto txn = env_->begin_read();
  if (!txn) return txn.error();
  auto record = record_at(*txn, txn->dbi().leads, id, "lead");
  if (!record) return record.error();
  return lead_from_json(*record, DecodeMode::stored);  // decodes straight from the map
}

Result<BusinessPartner> LeadStore::read_partner(RecordId id) const {
  auto txn = env_->begin_read();
  if (!txn) return txn.error();
  auto record = record_at(*txn, txn->dbi().partners, id, "business partner");
  if (!record) return record.error();
  return partner_from_json(*record, DecodeMode::stored);
}

Result<std::vector<AuditEntry>> LeadStore::read_audit(RecordId id) const {
  auto txn = env_->begin_read();
  if (!txn) return txn.error();
  {
    const std::string key = store::id_key(id);
    MDB_val k = store::to_val(key);
    MDB_val v{};
    if (mdb_get(txn->get(), txn->dbi().leads, &k, &v) == MDB_NOTFOUND) {
      return Error::make(ErrorCode::not_found, "no lead with id " + id.to_string());
    }
  }
  const std::string prefix = store::audit_prefix(id);
  MDB_cursor* cursor = nullptr;
  mdb_cursor_open(txn->get(), txn->dbi().audit, &cursor);
  MDB_val k = store::to_val(prefix);
  MDB_val v{};
  std::vector<AuditEntry> out;
  int rc = mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE);
  while (rc == 0 && store::to_view(k).substr(0, 8) == prefix) {
    auto entry = audit_from_json(store::to_view(v));
    if (entry) out.push_back(std::move(entry).value());
    rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT);
  }
  mdb_cursor_close(cursor);
  return out;
}

Status LeadStore::for_each_lead_json(const std::function<bool(std::string_view)>& fn) const {
  // Short read transactions of a few thousand records each, so a long export never
  // pins an old snapshot (or blocks the writer from growing the map).
  constexpr int kChunk = 4096;
  std::string resume;
  bool first = true;
  for (;;) {
    auto txn = env_->begin_read();
    if (!txn) return txn.error();
    MDB_cursor* cursor = nullptr;
    mdb_cursor_open(txn->get(), txn->dbi().leads, &cursor);
    MDB_val k = store::to_val(resume);
    MDB_val v{};
    int rc = first ? mdb_cursor_get(cursor, &k, &v, MDB_FIRST) : mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE);
    if (!first && rc == 0 && store::to_view(k) == resume) rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT);
    int n = 0;
    for (; rc == 0 && n < kChunk; ++n) {
      if (!fn(store::to_view(v))) {
        mdb_cursor_close(cursor);
        return ok_status();
      }
      resume.assign(store::to_view(k));
      rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT);
    }
    mdb_cursor_close(cursor);
    if (rc != 0) return ok_status();
    first = false;
  }
}

void LeadStore::set_commit_listener(std::function<void(const Status&)> listener) {
  commit_listener_ = std::move(listener);
}

std::pair<std::string, std::uint64_t> LeadStore::write_failure() const {
  if (!writer_) return {"", 0};
  auto w = writer_->stats();
  return {std::move(w.last_failure), w.failed_commits};
}

Status LeadStore::check_open() const {
  auto txn = env_->begin_read();
  if (!txn) return txn.error();
  return ok_status();
}

Result<StoreStats> LeadStore::stats() const {
  auto txn = env_->begin_read();
  if (!txn) return txn.error();
  const auto& d = txn->dbi();
  StoreStats s;
  s.leads = entries(*txn, d.leads);
  s.partners = entries(*txn, d.partners);
  s.audit_entries = entries(*txn, d.audit);
  s.idempotency_keys = entries(*txn, d.idempotency);
  s.staged_index_entries = entries(*txn, d.staged_email) + entries(*txn, d.staged_phone);
  s.outbox_events = entries(*txn, d.outbox);
  s.deliveries = delivery_depths(*txn);
  for (const auto name : enum_names<LeadStatus>()) {
    MDB_cursor* cursor = nullptr;
    mdb_cursor_open(txn->get(), d.by_status, &cursor);
    MDB_val k = store::to_val(name);
    MDB_val v{};
    std::size_t count = 0;
    if (mdb_cursor_get(cursor, &k, &v, MDB_SET) == 0) mdb_cursor_count(cursor, &count);
    mdb_cursor_close(cursor);
    s.leads_by_status.emplace_back(std::string(name), count);
  }
  MDB_envinfo info{};
  mdb_env_info(env_->raw(), &info);
  MDB_stat env_stat{};
  mdb_env_stat(env_->raw(), &env_stat);
  s.map_size = info.me_mapsize;
  s.used_bytes = static_cast<std::uint64_t>(info.me_last_pgno + 1) * env_stat.ms_psize;
  s.format = env_->format();
  auto w = writer_->stats();
  s.commits = w.commits;
  s.failed_commits = w.failed_commits;
  s.commands = w.commands;
  s.map_grows = w.map_grows;
  s.largest_batch = w.largest_batch;
  s.last_batch = w.last_batch;
  s.map_trims = w.map_trims;
  s.commit_ns = std::move(w.commit_ns);
  s.batch_commands = std::move(w.batch_commands);
  return s;
}

Result<std::pair<std::uint64_t, std::uint64_t>> LeadStore::rebuild_score_model() {
  if (!processor_) return Error::make(ErrorCode::invalid, "no processing configured: there is no score model");
  auto st = write_sync([this](store::WriteTxn& txn) { return processor_->rebuild_model(txn); });
  if (!st) return st.error();
  const auto model = processor_->model();
  return std::make_pair(model.won, model.lost);
}

Status LeadStore::backup(const std::string& folder) const {
  if (::mkdir(folder.c_str(), 0755) != 0 && errno != EEXIST) {
    return Error::make(ErrorCode::invalid, "cannot create backup folder " + folder + ": " + std::strerror(errno));
  }
  const std::string target = folder + "/data.mdb";
  struct stat st {};
  if (::stat(target.c_str(), &st) == 0) {
    return Error::make(ErrorCode::invalid, "backup folder " + folder + " already holds a data.mdb");
  }
  const int rc = mdb_env_copy2(env_->raw(), folder.c_str(), MDB_CP_COMPACT);
  if (rc != 0) return Error::make(ErrorCode::internal, "backup failed: " + store::lmdb_message(rc));
  return ok_status();
}

}  // namespace leadhub
