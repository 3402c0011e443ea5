// The lead lifecycle as a state machine:
//
//   open -> in_process -> qualified -> accepted -> converted
//     \________\_____________\___________\-------> declined | closed  (reason required)
//   declined | closed -> open   (reopen, as Odoo's "restore")
//   converted: final and locked, any change is refused.
//
// Setting a qualification level (cold/warm/hot) on an open or in-process lead makes
// it qualified, as SAP Sales Cloud does.
#pragma once

#include "model/lead.hpp"
#include "util/result.hpp"

namespace leadhub {

bool is_transition_allowed(LeadStatus from, LeadStatus to);

// Statuses a lead may be created in (converted is reached only by conversion).
bool is_allowed_initial_status(LeadStatus status);

// Applies the lifecycle rules to a changed lead: refuses changes to a converted
// lead (locked) and illegal transitions (naming from and to), promotes open leads
// that got a qualification, and stamps status_changed_at.
Status apply_lifecycle(const Lead& before, Lead& after, TimeMs now);

// The same for a lead being created.
Status apply_initial_lifecycle(Lead& lead, TimeMs now);

}  // namespace leadhub
