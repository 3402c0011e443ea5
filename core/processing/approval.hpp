// Approval before accept or convert: ordered steps, each with the condition that
// makes it necessary (e.g. an expected value above a limit needs a sales manager,
// above a higher one also a director). Pure: the store keeps the decisions and
// refuses the status change while a required step is not approved.
#pragma once

#include <string>
#include <vector>

#include "model/lead.hpp"
#include "processing/condition.hpp"

namespace leadhub::processing {

struct ApprovalStep {
  std::string name;  // e.g. sales_manager
  std::string role;  // who is expected to decide, for people and the audit trail
  Condition when;    // default: always
};

struct ApprovalConfig {
  std::vector<ApprovalStep> steps;  // decided in this order
  bool before_accept = true;        // accepted needs the approvals
  bool before_convert = true;       // converted needs them
};

// The steps this lead needs, in order.
std::vector<const ApprovalStep*> required_steps(const ApprovalConfig& config, const Lead& lead);

// Whether moving to `status` needs the approvals.
bool needs_approval(const ApprovalConfig& config, LeadStatus status);

}  // namespace leadhub::processing
