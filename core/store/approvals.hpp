// Approval decisions as kept in the "approvals" database (lead id -> JSON array,
// the latest decision per step wins), and the check that refuses accept or
// convert while a required step is not approved (processing/approval.hpp).
#pragma once

#include <string>
#include <vector>

#include "processing/approval.hpp"
#include "store/lead_store.hpp"
#include "store/write_queue.hpp"

namespace leadhub::store {

struct StoredDecision {
  std::string step;
  bool approved = false;
  std::string by;
  TimeMs at = 0;
  std::string comment;
};

std::vector<StoredDecision> read_decisions(MDB_txn* txn, const Dbis& dbi, RecordId id);
void write_decisions(WriteTxn& txn, RecordId id, const std::vector<StoredDecision>& decisions);
std::string to_json(const StoredDecision& decision);

ApprovalState approval_state(const processing::ApprovalConfig& config, const Lead& lead,
                             const std::vector<StoredDecision>& decisions);

// ok unless `after` moves to a status that needs approvals not all given.
Status check_approved(const processing::ApprovalConfig& config, const WriteTxn& txn, const Lead& before,
                      const Lead& after);

}  // namespace leadhub::store
