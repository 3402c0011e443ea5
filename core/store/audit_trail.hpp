// Internal to core/store: adding entries to a lead's audit trail inside a write
// transaction. Keys are lead id + version + entry number, so every entry of a
// version needs its own number; a change numbers its own entries, and the entries
// added later for the same version (approvals, escalations, merges) take the next
// free one.
#pragma once

#include <cstdint>

#include "store/lead_store.hpp"
#include "store/write_queue.hpp"

namespace leadhub::store {

// The next free entry number among the audit entries of the lead's `version`.
std::uint16_t next_audit_number(const WriteTxn& txn, RecordId id, std::uint64_t version);
// An entry recording an action on the lead at `version` rather than a field's
// change (processing decisions, merges, approvals, aging): `field` names it,
// `detail_json` is its value.
AuditEntry action_entry(TimeMs at, const Actor& actor, std::string action, std::uint64_t version, std::string field,
                        std::string detail_json);
// Puts `entry` under the next free number of its version.
void append_audit(WriteTxn& txn, RecordId id, const AuditEntry& entry);

}  // namespace leadhub::store
