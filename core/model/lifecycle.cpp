#include "model/lifecycle.hpp"

#include <string>
#include <string_view>
#include <vector>

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

// "open may go to in_process, qualified, declined or closed": so a refused move
// tells the person what they can do instead.
std::string allowed_from(LeadStatus from) {
  std::vector<std::string_view> to;
  for (int i = 0; i <= static_cast<int>(LeadStatus::closed); ++i) {  // closed is the last status
    const auto s = static_cast<LeadStatus>(i);
    if (s != from && is_transition_allowed(from, s)) to.push_back(to_string(s));
  }
  std::string out = std::string(to_string(from)) + " may go to ";
  for (std::size_t i = 0; i < to.size(); ++i) {
    if (i > 0) out += i + 1 == to.size() ? " or " : ", ";
    out += to[i];
  }
  return out;
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
    const std::string reason = "cannot change from " + std::string(to_string(before.status)) + " to " +
                               std::string(to_string(after.status)) + " (" + allowed_from(before.status) + ")";
    return Error{ErrorCode::illegal_transition, "status: " + reason, {{"status", reason}}};
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
