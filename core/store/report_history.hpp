// The report's history: what the lead report needs that the other indexes forget
// once a lead moves on. Its status index knows where a lead stands now, not when it
// was first qualified; the audit trail knows both, but reading it costs a record per
// change. So two small databases, written in the same write transaction as the
// change they record:
//
//   "qualified"      lead id -> first qualified time (8 bytes) + created time (8 bytes):
//                    written once, when the lead first reaches qualified, accepted or
//                    converted (at creation when it is created so); never moved after
//   "idx_aging_act"  "escalated" | "closed" -> ids of the leads aging escalated or
//                    closed as aged (dupsort, 8-byte ids, like the other id indexes)
//
// The report reads 16 bytes per qualified lead and 8 per lead aging acted on.
//
// A store written by an earlier version has neither: at open (before anything
// writes) backfill_report_history rebuilds both from the audit trail in one write
// transaction and marks the store, so a crash halfway leaves it unmarked and the
// next open starts again.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "model/lead.hpp"
#include "store/write_queue.hpp"

namespace leadhub::store {

inline constexpr std::string_view kAgingEscalated = "escalated";
inline constexpr std::string_view kAgingClosed = "closed";
// In "meta" once the history covers every lead (absent: written by an earlier version).
inline constexpr std::string_view kReportHistoryKey = "report.history";

// Qualified or a later stage of the pipeline (a lead reaches accepted and converted
// only through qualified, unless it was created accepted).
bool counts_as_qualified(LeadStatus status);

struct QualifiedTimes {
  TimeMs qualified_at = 0;
  TimeMs created_at = 0;
  // From creation to first qualification, never negative.
  TimeMs to_qualify() const { return qualified_at > created_at ? qualified_at - created_at : 0; }
};
std::string encode_qualified(const QualifiedTimes& times);
std::optional<QualifiedTimes> decode_qualified(std::string_view bytes);

// A new lead created qualified (or accepted): qualified at its creation. Ids only
// grow, so the entry is appended.
void note_created_qualified(WriteTxn& txn, RecordId id, TimeMs created_at);
// A lead whose status changed to `after.status` at `at`: the first time it counts
// as qualified is kept, later ones change nothing.
void note_status_change(WriteTxn& txn, const Lead& after, TimeMs at);
// Aging escalated (kAgingEscalated) or closed (kAgingClosed) the lead.
void note_aging_act(WriteTxn& txn, std::string_view act, RecordId id);

struct BackfillCounts {
  std::uint64_t leads = 0;      // leads whose audit trail was read
  std::uint64_t qualified = 0;  // of them, qualified at some point
  std::uint64_t escalated = 0;
  std::uint64_t closed = 0;
};

// Whether the store is marked (kReportHistoryKey) and how many leads it holds.
struct ReportHistoryState {
  bool complete = false;
  std::uint64_t leads = 0;
};
Result<ReportHistoryState> report_history_state(const LmdbEnv& env);
// Empties both databases, fills them from the audit trail and marks the store, in
// one write transaction: only while no writer runs (LeadStore::open).
Result<BackfillCounts> backfill_report_history(LmdbEnv& env, std::size_t resident_map_budget);

}  // namespace leadhub::store
