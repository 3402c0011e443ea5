// The due index of aging (store/aging.hpp): each lead has at most one next due
// moment, kept in "idx_due" (8-byte big-endian due time + 8-byte lead id -> "")
// so the scheduler reads only the entries up to now, and in "due" (lead id -> due
// time and what was already raised) so a change finds and moves the old entry.
// Written inside the write transaction of every create and change.
#pragma once

#include <cstddef>
#include <vector>

#include "store/aging.hpp"
#include "store/write_queue.hpp"

namespace leadhub::store {

struct DueRecord {
  TimeMs at = 0;  // the lead's entry in idx_due; 0: none
  aging::Raised raised;
};

std::string due_key(TimeMs at, RecordId id);
std::string encode_due(const DueRecord& record);
bool decode_due(std::string_view bytes, DueRecord& record);

DueRecord read_due(const WriteTxn& txn, RecordId id);
// Replaces `old` (as read) by the lead's next due moment given what was raised.
void write_due(WriteTxn& txn, const processing::AgingConfig& config, const Lead& lead, const DueRecord& old,
               const aging::Raised& raised);
// After a create or change: the next due moment of the lead as it is now.
void reindex_due(WriteTxn& txn, const processing::AgingConfig& config, const Lead& lead);
// Forgets a lead that is gone (its entry and record).
void drop_due(WriteTxn& txn, RecordId id, const DueRecord& old);
// Puts the lead's entry at `at` whatever its rules say (to retry a failed action).
void postpone_due(WriteTxn& txn, RecordId id, const DueRecord& old, TimeMs at);
// The leads due at or before `now`, earliest first, at most `limit`: a cursor from
// the start of idx_due that stops at the first later entry.
std::vector<RecordId> due_until(const WriteTxn& txn, TimeMs now, std::size_t limit);

}  // namespace leadhub::store
