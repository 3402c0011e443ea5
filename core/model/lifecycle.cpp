#include "model/lifecycle.hpp"

#include <string>

namespace leadhub {
namespace {

bool is_open_state(LeadStatus s) {
  return s == LeadStatus::open || s == LeadStatus::in_process || s == LeadStatus::qualified ||
         s == LeadStatus::accepted;
}

void promote_on_qualification(std::optional<Qualification> before, Lead& lead) {
  const bool newly_qualified = lead.qualification && lead.qualification != before;
  if (newly_qualified && (lead.status == LeadStatus::open || lead.status == LeadStatus::in_process)) {
    lead.status = LeadStatus::qualified;
  }
}

}  // namespace

bool is_transition_allowed(LeadStatus from, LeadStatus to) {
  using S = LeadStatus;
  if (from == to) return true;
  if (to == S::declined || to == S::closed) return is_open_state(from);
  switch (from) {
    case S::open:
      return to == S::in_process || to == S::qualified;
    case S::in_process:
      return to == S::open || to == S::qualified;
    case S::qualified:
      return to == S::in_process || to == S::accepted || to == S::converted;
    case S::accepted:
      return to == S::qualified || to == S::converted;
    case S::declined:
    case S::closed:
      return to == S::open;
    case S::converted:
      return false;
  }
  return false;
}

bool is_allowed_initial_status(LeadStatus status) { return status != LeadStatus::converted; }

Status apply_lifecycle(const Lead& before, Lead& after, TimeMs now) {
  if (before.status == LeadStatus::converted) {
    return Error::make(ErrorCode::locked, "lead " + before.id.to_string() + " is converted and can no longer change");
  }
  if (after.status == before.status) promote_on_qualification(before.qualification, after);
  if (after.status == before.status) return ok_status();
  if (!is_transition_allowed(before.status, after.status)) {
    return Error{ErrorCode::illegal_transition,
                 "status: cannot change from " + std::string(to_string(before.status)) + " to " +
                     std::string(to_string(after.status)),
                 {{"status", "cannot change from " + std::string(to_string(before.status)) + " to " +
                                 std::string(to_string(after.status))}}};
  }
  if (before.status == LeadStatus::declined || before.status == LeadStatus::closed) {
    if (after.reason == before.reason) after.reason.clear();  // a reopened lead sheds its old reason
  }
  after.status_changed_at = now;
  return ok_status();
}

Status apply_initial_lifecycle(Lead& lead, TimeMs now) {
  if (!is_allowed_initial_status(lead.status)) {
    return Error{ErrorCode::invalid,
                 "status: a lead cannot be created as converted",
                 {{"status", "a lead cannot be created as converted"}}};
  }
  promote_on_qualification(std::nullopt, lead);
  lead.status_changed_at = now;
  return ok_status();
}

}  // namespace leadhub
