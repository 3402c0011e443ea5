// The outbox (store/outbox.hpp): numbering events inside write transactions, and
// the dispatcher's reads and writes of the outbox and the delivery queues.
#include "store/outbox.hpp"

#include <future>

#include "store/events.hpp"
#include "store/keys.hpp"
#include "store/lead_store.hpp"

namespace leadhub {
namespace store {

void Outbox::append(WriteTxn& txn, std::string_view event_json) {
  if (!enabled_) return;
  txn.put_last(txn.dbi().outbox, be64(next_++), event_json);
  written_ = true;
}

bool Outbox::take_written() { return std::exchange(written_, false); }

std::string delivery_prefix(std::string_view target) {
  std::string out(target);
  out += '\0';
  return out;
}

std::string delivery_key(std::string_view target, std::uint64_t seq) { return delivery_prefix(target) + be64(seq); }

// The highest sequence number ever used: the outbox's last key, or the highest one
// already routed out of it.
std::uint64_t last_event_seq(MDB_txn* txn, const Dbis& dbi) {
  std::uint64_t last = 0;
  MDB_val k{}, v{};
  MDB_val meta_key = to_val(kRoutedSeqKey);
  if (mdb_get(txn, dbi.meta, &meta_key, &v) == 0 && v.mv_size == 8) last = read_be64(to_view(v));
  MDB_cursor* cursor = nullptr;
  if (mdb_cursor_open(txn, dbi.outbox, &cursor) != 0) return last;
  if (mdb_cursor_get(cursor, &k, &v, MDB_LAST) == 0 && k.mv_size == 8) {
    last = std::max(last, read_be64(to_view(k)));
  }
  mdb_cursor_close(cursor);
  return last;
}

}  // namespace store

namespace {

// Reads entries whose keys start with `prefix` and sort after `from`, up to limit.
std::vector<StoredEvent> read_queue(const store::ReadTxn& txn, MDB_dbi dbi, const std::string& prefix,
                                    const std::string& from, std::size_t limit) {
  std::vector<StoredEvent> out;
  MDB_cursor* cursor = nullptr;
  if (mdb_cursor_open(txn.get(), dbi, &cursor) != 0) return out;
  MDB_val k = store::to_val(from);
  MDB_val v{};
  int rc = mdb_cursor_get(cursor, &k, &v, from.empty() ? MDB_FIRST : MDB_SET_RANGE);
  if (rc == 0 && store::to_view(k) == from) rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT);
  for (; rc == 0 && out.size() < limit; rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
    const std::string_view key = store::to_view(k);
    if (key.size() != prefix.size() + 8 || key.substr(0, prefix.size()) != prefix) break;
    const std::uint64_t seq = store::read_be64(key.substr(prefix.size()));
    out.push_back(StoredEvent{seq, with_event_id(store::to_view(v), seq)});
  }
  mdb_cursor_close(cursor);
  return out;
}

Status check_target_name(std::string_view target) {
  if (target.empty() || target.find('\0') != std::string_view::npos) {
    return Error::make(ErrorCode::invalid, "event target names must be non-empty text without NUL");
  }
  return ok_status();
}

}  // namespace

Result<std::vector<StoredEvent>> LeadStore::read_outbox(std::size_t limit) const {
  auto txn = env_->begin_read();
  if (!txn) return txn.error();
  return read_queue(*txn, txn->dbi().outbox, std::string(), std::string(), limit);
}

Result<std::vector<StoredEvent>> LeadStore::read_deliveries(std::string_view target, std::uint64_t after_seq,
                                                            std::size_t limit) const {
  if (auto st = check_target_name(target); !st) return st.error();
  auto txn = env_->begin_read();
  if (!txn) return txn.error();
  const std::string prefix = store::delivery_prefix(target);
  return read_queue(*txn, txn->dbi().deliveries, prefix, store::delivery_key(target, after_seq), limit);
}

Status LeadStore::write_sync(std::function<Status(store::WriteTxn&)> apply) {
  auto result = std::make_shared<Status>(ok_status());
  std::promise<Status> promise;
  auto future = promise.get_future();
  writer_->submit(
      store::WriteJob{[result, apply = std::move(apply)](store::WriteTxn& txn) { *result = apply(txn); },
                      [result, &promise](const Status& commit) { promise.set_value(commit ? *result : commit); }});
  return future.get();
}

Status LeadStore::route_events(std::vector<RoutedEvent> routed) {
  for (const auto& r : routed) {
    for (const auto& t : r.targets) {
      if (auto st = check_target_name(t); !st) return st;
    }
  }
  return write_sync([routed = std::move(routed)](store::WriteTxn& txn) -> Status {
    const auto& d = txn.dbi();
    std::uint64_t highest = 0;
    for (const auto& r : routed) {
      const std::string key = store::be64(r.seq);
      std::string_view json;
      if (!txn.get(d.outbox, key, json)) continue;  // routed before (a retry after a failed answer)
      const std::string copy(json);                 // the put below may move the page it is on
      for (const auto& target : r.targets) txn.put(d.deliveries, store::delivery_key(target, r.seq), copy);
      txn.del(d.outbox, key);
      highest = std::max(highest, r.seq);
    }
    std::string_view stored;
    const bool has_meta = txn.get(d.meta, store::kRoutedSeqKey, stored) && stored.size() == 8;
    if (highest != 0 && (!has_meta || store::read_be64(stored) < highest)) {
      txn.put(d.meta, store::kRoutedSeqKey, store::be64(highest));
    }
    return ok_status();
  });
}

Status LeadStore::ack_deliveries(std::string target, std::vector<std::uint64_t> seqs) {
  if (auto st = check_target_name(target); !st) return st;
  return write_sync([target = std::move(target), seqs = std::move(seqs)](store::WriteTxn& txn) -> Status {
    for (const auto seq : seqs) txn.del(txn.dbi().deliveries, store::delivery_key(target, seq));
    return ok_status();
  });
}

Status LeadStore::publish_event(std::string_view type, const Actor& actor, const std::string& data_json) {
  const std::string json = event_json(EventFacts{type, clock().now_ms(), &actor, RecordId(), 0, data_json, {}});
  return write_sync([this, json](store::WriteTxn& txn) -> Status {
    outbox_->append(txn, json);
    return ok_status();
  });
}

void LeadStore::set_event_listener(std::function<void()> listener) { event_listener_ = std::move(listener); }

}  // namespace leadhub
