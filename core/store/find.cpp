// FindLeads: equality filters on indexed fields combined with AND, changed-since,
// a maximum hit count and cursor paging by the last returned id. Results are always
// in id order (= creation order), so paging is stable while leads change.
//
// Plan: walk the most selective equality index (fewest ids for its key, counted by
// LMDB without scanning) from the cursor on, and check the other filters on each
// record. With only changed-since, collect ids from the changed-at index; with no
// filter at all, walk the records themselves.
#include <algorithm>
#include <optional>

#include "json/record_json.hpp"
#include "model/validation.hpp"
#include "store/keys.hpp"
#include "store/lead_store.hpp"
#include "store/lmdb_env.hpp"
#include "store/staging.hpp"

namespace leadhub {

using store::Cursor;
using store::IdKey;
using store::ReadTxn;

namespace {

constexpr std::size_t kChangedIndexCap = 200'000;  // past this, walking the records is cheaper

bool matches(const LeadQuery& q, const Lead& lead) {
  if (q.status && lead.status != *q.status) return false;
  if (!q.owner_channel.empty() && lead.owner.channel != q.owner_channel) return false;
  if (q.source && lead.source != *q.source) return false;
  if (!q.campaign.empty() && lead.campaign != q.campaign) return false;
  if (!q.email.empty() && store::email_key(lead.prospect.email) != store::email_key(q.email)) return false;
  if (!q.phone.empty() && store::phone_key(lead.prospect.phone) != store::phone_key(q.phone)) return false;
  if (q.external_ref &&
      std::find(lead.external_refs.begin(), lead.external_refs.end(), *q.external_ref) == lead.external_refs.end()) {
    return false;
  }
  if (q.changed_since && lead.changed_at < *q.changed_since) return false;
  return true;
}

struct Filter {
  MDB_dbi dbi;
  std::string key;
  std::vector<RecordId> staged;  // e-mail / phone: ids whose entry is still staged (store/staging.hpp)
};

// An e-mail or phone filter: the index key and the ids still staged under it.
Filter staged_filter(const ReadTxn& txn, MDB_dbi index, std::string key) {
  auto staged = store::staged_ids(txn.get(), *store::staged_index(txn.dbi(), index), key);
  return {index, std::move(key), std::move(staged)};
}

std::vector<Filter> equality_filters(const ReadTxn& txn, const LeadQuery& q) {
  const store::Dbis& d = txn.dbi();
  std::vector<Filter> out;
  if (!q.email.empty()) out.push_back(staged_filter(txn, d.by_email, store::email_key(q.email)));
  if (!q.phone.empty()) out.push_back(staged_filter(txn, d.by_phone, store::phone_key(q.phone)));
  if (q.external_ref) out.push_back({d.by_ref, store::ref_key(*q.external_ref), {}});
  if (q.status) out.push_back({d.by_status, std::string(to_string(*q.status)), {}});
  if (!q.owner_channel.empty()) out.push_back({d.by_owner, q.owner_channel, {}});
  if (q.source) out.push_back({d.by_source, std::string(to_string(*q.source)), {}});
  if (!q.campaign.empty()) out.push_back({d.by_campaign, q.campaign, {}});
  return out;
}

// Collects matching leads until limit + 1 are found (the extra one proves a next page).
class Collector {
 public:
  Collector(const ReadTxn& txn, const LeadQuery& q) : txn_(txn), q_(q) {}

  // Returns false once enough leads are collected.
  Result<bool> offer(RecordId id) {
    const std::string key = store::id_key(id);
    MDB_val k = store::to_val(key);
    MDB_val v{};
    if (mdb_get(txn_.get(), txn_.dbi().leads, &k, &v) != 0) return true;  // index ahead of record: skip
    auto lead = lead_from_json(store::to_view(v), DecodeMode::stored);
    if (!lead) return lead.error();
    if (matches(q_, *lead)) items_.push_back(std::move(lead).value());
    return items_.size() <= q_.limit;
  }

  FindResult finish() {
    FindResult r;
    if (items_.size() > q_.limit) {
      items_.pop_back();
      r.next = items_.back().id;
    }
    r.items = std::move(items_);
    return r;
  }

 private:
  const ReadTxn& txn_;
  const LeadQuery& q_;
  std::vector<Lead> items_;
};

// The ids of one key in an index, ascending from the cursor on, merged with the
// key's staged ids (an id is in only one of the two, but a duplicate is skipped).
class IdWalk {
 public:
  IdWalk(const ReadTxn& txn, const Filter& f, RecordId after) : cursor_(txn, f.dbi), key_(f.key), staged_(f.staged) {
    MDB_val k = store::to_val(key_);
    const IdKey from(after);
    MDB_val v = store::to_val(from.view());
    int rc = cursor_.get(k, v, after.empty() ? MDB_SET : MDB_GET_BOTH_RANGE);
    if (rc == 0 && after.empty()) rc = cursor_.get(k, v, MDB_FIRST_DUP);
    advance_index(rc, v);
    next_staged_ = std::upper_bound(staged_.begin(), staged_.end(), after) - staged_.begin();
    after_ = after;
  }

  std::optional<RecordId> next() {
    while (indexed_ && *indexed_ <= after_) step_index();
    const bool staged_left = next_staged_ < staged_.size();
    if (!indexed_ && !staged_left) return std::nullopt;
    RecordId id;
    if (indexed_ && (!staged_left || *indexed_ <= staged_[next_staged_])) {
      id = *indexed_;
      step_index();
    } else {
      id = staged_[next_staged_];
    }
    while (next_staged_ < staged_.size() && staged_[next_staged_] <= id) ++next_staged_;
    after_ = id;
    return id;
  }

 private:
  void advance_index(int rc, const MDB_val& v) {
    indexed_.reset();
    if (rc == 0 && v.mv_size == 8) indexed_ = RecordId::from_key(v.mv_data);
  }
  void step_index() {
    MDB_val k{}, v{};
    const int rc = cursor_.get(k, v, MDB_NEXT_DUP);
    advance_index(rc, v);
  }

  Cursor cursor_;
  std::string key_;
  const std::vector<RecordId>& staged_;
  std::size_t next_staged_ = 0;
  std::optional<RecordId> indexed_;
  RecordId after_;
};

Result<FindResult> walk_index(const ReadTxn& txn, const LeadQuery& q, const std::vector<Filter>& filters) {
  // Pick the filter whose key has the fewest ids; an absent key means no hits at all.
  std::size_t best = 0;
  std::size_t best_count = SIZE_MAX;
  for (std::size_t i = 0; i < filters.size(); ++i) {
    Cursor c(txn, filters[i].dbi);
    MDB_val k = store::to_val(filters[i].key);
    MDB_val v{};
    const std::size_t n = (c.get(k, v, MDB_SET) == 0 ? c.count() : 0) + filters[i].staged.size();
    if (n == 0) return FindResult{};
    if (n < best_count) {
      best = i;
      best_count = n;
    }
  }
  Collector collector(txn, q);
  IdWalk walk(txn, filters[best], q.after);
  while (auto id = walk.next()) {
    auto more = collector.offer(*id);
    if (!more) return more.error();
    if (!*more) break;
  }
  return collector.finish();
}

Result<FindResult> walk_records(const ReadTxn& txn, const LeadQuery& q) {
  Collector collector(txn, q);
  Cursor c(txn, txn.dbi().leads);
  const IdKey after(q.after);
  MDB_val k = store::to_val(after.view());
  MDB_val v{};
  int rc = q.after.empty() ? c.get(k, v, MDB_FIRST) : c.get(k, v, MDB_SET_RANGE);
  for (; rc == 0; rc = c.get(k, v, MDB_NEXT)) {
    const RecordId id = RecordId::from_key(k.mv_data);
    if (id <= q.after) continue;
    auto more = collector.offer(id);
    if (!more) return more.error();
    if (!*more) break;
  }
  return collector.finish();
}

// Ids changed at or after `since` and above the cursor, or nullopt when there are
// too many to sort in memory.
std::optional<std::vector<RecordId>> changed_ids(const ReadTxn& txn, const LeadQuery& q) {
  std::vector<RecordId> ids;
  Cursor c(txn, txn.dbi().by_changed);
  const std::string start = store::changed_key(*q.changed_since, RecordId());
  MDB_val k = store::to_val(start);
  MDB_val v{};
  for (int rc = c.get(k, v, MDB_SET_RANGE); rc == 0; rc = c.get(k, v, MDB_NEXT)) {
    if (k.mv_size != 16) continue;
    const RecordId id = RecordId::from_key(static_cast<const char*>(k.mv_data) + 8);
    if (id <= q.after) continue;
    if (ids.size() >= kChangedIndexCap) return std::nullopt;
    ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

Status check_query(const LeadQuery& q) {
  if (q.limit == 0 || q.limit > kMaxFindLimit) {
    return Error::invalid({{"limit", "must be between 1 and " + std::to_string(kMaxFindLimit)}});
  }
  return ok_status();
}

}  // namespace

Result<FindResult> LeadStore::find_leads(const LeadQuery& query) const {
  if (auto st = check_query(query); !st) return st.error();
  auto txn = env_->begin_read();
  if (!txn) return txn.error();
  const auto filters = equality_filters(*txn, query);
  if (!filters.empty()) return walk_index(*txn, query, filters);
  if (query.changed_since) {
    if (auto ids = changed_ids(*txn, query)) {
      Collector collector(*txn, query);
      for (const RecordId id : *ids) {
        auto more = collector.offer(id);
        if (!more) return more.error();
        if (!*more) break;
      }
      return collector.finish();
    }
  }
  return walk_records(*txn, query);
}

}  // namespace leadhub
