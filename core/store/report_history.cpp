#include "store/report_history.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "model/enums.hpp"
#include "store/audit_json.hpp"
#include "store/keys.hpp"

namespace leadhub::store {

bool counts_as_qualified(LeadStatus status) {
  return status == LeadStatus::qualified || status == LeadStatus::accepted || status == LeadStatus::converted;
}

std::string encode_qualified(const QualifiedTimes& times) {
  return be64(static_cast<std::uint64_t>(times.qualified_at)) + be64(static_cast<std::uint64_t>(times.created_at));
}

std::optional<QualifiedTimes> decode_qualified(std::string_view bytes) {
  if (bytes.size() != 16) return std::nullopt;
  return QualifiedTimes{static_cast<TimeMs>(read_be64(bytes.substr(0, 8))),
                        static_cast<TimeMs>(read_be64(bytes.substr(8, 8)))};
}

void note_created_qualified(WriteTxn& txn, RecordId id, TimeMs created_at) {
  txn.put_last(txn.dbi().qualified, id_key(id), encode_qualified({created_at, created_at}));
}

void note_status_change(WriteTxn& txn, const Lead& after, TimeMs at) {
  if (!counts_as_qualified(after.status)) return;
  txn.put_new(txn.dbi().qualified, id_key(after.id), encode_qualified({at, after.created_at}));
}

void note_aging_act(WriteTxn& txn, std::string_view act, RecordId id) {
  txn.put(txn.dbi().by_aging_act, act, id_key(id), MDB_NODUPDATA);
}

Result<ReportHistoryState> report_history_state(const LmdbEnv& env) {
  auto txn = env.begin_read();
  if (!txn) return txn.error();
  ReportHistoryState state;
  MDB_val k = to_val(kReportHistoryKey);
  MDB_val v{};
  state.complete = mdb_get(txn->get(), txn->dbi().meta, &k, &v) == 0;
  state.leads = entry_count(txn->get(), txn->dbi().leads);
  return state;
}

namespace {

// Audit entries are read in key order: lead id, version, entry number, so each
// lead's trail comes together, oldest first (store/keys.hpp).
constexpr std::size_t kTrimEveryLeads = 4096;  // a long scan's pages would pile up in RSS

std::optional<LeadStatus> status_of(std::string_view json) {
  if (json.size() < 2 || json.front() != '"' || json.back() != '"') return std::nullopt;
  return parse_enum<LeadStatus>(json.substr(1, json.size() - 2));
}

// The entries the history needs. Cheap text checks first: a lead's trail is mostly
// field changes that are not its status. A merged entry embeds another lead's trail,
// so a match is confirmed on the parsed entry's own action and field.
bool may_matter(std::string_view json) {
  constexpr std::string_view kNeedles[] = {R"("action":"created")", R"("field":"status")", R"("action":"escalated")",
                                           R"("action":"aged")"};
  return std::any_of(std::begin(kNeedles), std::end(kNeedles),
                     [json](std::string_view needle) { return json.find(needle) != std::string_view::npos; });
}

// What one lead's trail says, entry by entry.
struct Trail {
  explicit Trail(RecordId lead) : id(lead) {}
  RecordId id;
  std::optional<TimeMs> created_at;
  bool status_changed = false;
  bool created_qualified = false;         // known once status_changed: the first change's old status
  std::optional<TimeMs> first_qualified;  // the first change into a qualified status
  bool escalated = false;
  bool closed = false;

  void read(const AuditEntry& e) {
    if (e.action == "created") created_at = e.at;
    if (e.action == "escalated") escalated = true;
    if (e.action == "aged") closed = true;
    if (e.action != "changed" || e.field != "status") return;
    if (!status_changed) {
      const auto old_status = status_of(e.old_json);
      created_qualified = old_status && counts_as_qualified(*old_status);
      status_changed = true;
    }
    const auto new_status = status_of(e.new_json);
    if (!first_qualified && new_status && counts_as_qualified(*new_status)) first_qualified = e.at;
  }
};

struct History {
  std::vector<std::pair<RecordId, QualifiedTimes>> qualified;  // ascending ids
  std::vector<RecordId> escalated;
  std::vector<RecordId> closed;
  std::uint64_t leads = 0;
};

// `qualified_now`: ids (sorted) of the leads now qualified, accepted or converted; a
// lead whose status never changed is qualified since its creation when it is one.
void finish(const Trail& t, const std::vector<RecordId>& qualified_now, History& h) {
  ++h.leads;
  const TimeMs created_at = t.created_at.value_or(t.id.time_ms());
  const bool created_qualified =
      t.status_changed ? t.created_qualified : std::binary_search(qualified_now.begin(), qualified_now.end(), t.id);
  if (created_qualified) {
    h.qualified.emplace_back(t.id, QualifiedTimes{created_at, created_at});
  } else if (t.first_qualified) {
    h.qualified.emplace_back(t.id, QualifiedTimes{*t.first_qualified, created_at});
  }
  if (t.escalated) h.escalated.push_back(t.id);
  if (t.closed) h.closed.push_back(t.id);
}

std::vector<RecordId> ids_now_qualified(const WriteTxn& txn) {
  std::vector<RecordId> out;
  MDB_cursor* cursor = nullptr;
  if (const int rc = mdb_cursor_open(txn.get(), txn.dbi().by_status, &cursor); rc != 0) {
    throw LmdbFailure{rc, "status index: " + lmdb_message(rc)};
  }
  for (const LeadStatus status : {LeadStatus::qualified, LeadStatus::accepted, LeadStatus::converted}) {
    MDB_val k = to_val(to_string(status));
    MDB_val v{};
    for (int rc = mdb_cursor_get(cursor, &k, &v, MDB_SET); rc == 0; rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT_DUP)) {
      if (v.mv_size == 8) out.push_back(RecordId::from_key(v.mv_data));
    }
  }
  mdb_cursor_close(cursor);
  std::sort(out.begin(), out.end());
  return out;
}

History read_history(const WriteTxn& txn) {
  History h;
  const std::vector<RecordId> qualified_now = ids_now_qualified(txn);
  MDB_cursor* cursor = nullptr;
  if (const int rc = mdb_cursor_open(txn.get(), txn.dbi().audit, &cursor); rc != 0) {
    throw LmdbFailure{rc, "audit: " + lmdb_message(rc)};
  }
  std::optional<Trail> trail;
  MDB_val k{}, v{};
  for (int rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
    if (k.mv_size < 8) continue;
    const RecordId id = RecordId::from_key(k.mv_data);
    if (!trail || trail->id != id) {
      if (trail) finish(*trail, qualified_now, h);
      trail.emplace(id);
      if (h.leads % kTrimEveryLeads == kTrimEveryLeads - 1) txn.trim_resident();
    }
    const std::string_view json = to_view(v);
    if (!may_matter(json)) continue;
    if (auto entry = audit_from_json(json)) trail->read(*entry);
  }
  mdb_cursor_close(cursor);
  if (trail) finish(*trail, qualified_now, h);
  return h;
}

void empty(const WriteTxn& txn, MDB_dbi dbi) {
  if (const int rc = mdb_drop(txn.get(), dbi, 0); rc != 0) throw LmdbFailure{rc, "empty: " + lmdb_message(rc)};
}

}  // namespace

Result<BackfillCounts> backfill_report_history(LmdbEnv& env, std::size_t resident_map_budget) {
  BackfillCounts counts;
  auto st = write_transaction(
      env, resident_map_budget,
      [&counts](WriteTxn& txn) {
        const History h = read_history(txn);  // read all first: writes may move the pages read
        empty(txn, txn.dbi().qualified);
        empty(txn, txn.dbi().by_aging_act);
        for (const auto& [id, times] : h.qualified)
          txn.put_last(txn.dbi().qualified, id_key(id), encode_qualified(times));
        for (const RecordId id : h.escalated) note_aging_act(txn, kAgingEscalated, id);
        for (const RecordId id : h.closed) note_aging_act(txn, kAgingClosed, id);
        txn.put(txn.dbi().meta, kReportHistoryKey, "1");
        counts = BackfillCounts{h.leads, h.qualified.size(), h.escalated.size(), h.closed.size()};
      },
      "backfilling the report history");
  if (!st) return st.error();
  return counts;
}

}  // namespace leadhub::store
