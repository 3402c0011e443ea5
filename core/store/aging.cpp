#include "store/aging.hpp"

#include <cmath>
#include <vector>

#include "util/time_format.hpp"

namespace leadhub::store::aging {
namespace {

bool is_final(LeadStatus status) {
  return status == LeadStatus::converted || status == LeadStatus::declined || status == LeadStatus::closed;
}

TimeMs after_days(TimeMs from, double days) { return from + static_cast<TimeMs>(std::llround(days * kDayMs)); }

struct Pending {
  DueKind kind;
  TimeMs at;
};

// Every action still to come for the lead, each with its moment.
std::vector<Pending> pending_actions(const processing::AgingConfig& config, const Lead& lead, const Raised& raised) {
  std::vector<Pending> out;
  if (is_final(lead.status)) return out;
  if (const auto* rule = config.rule_for(lead.status, lead.owner.channel)) {
    if (rule->escalate_after_days && raised.escalated_for_change != lead.changed_at) {
      out.push_back({kEscalate, after_days(lead.changed_at, *rule->escalate_after_days)});
    }
    if (rule->close_after_days) out.push_back({kClose, after_days(lead.changed_at, *rule->close_after_days)});
  }
  if (config.reminders && !lead.follow_up.empty() && lead.follow_up != raised.reminded_follow_up) {
    if (auto at = follow_up_time(lead.follow_up)) out.push_back({kRemind, *at});
  }
  return out;
}

}  // namespace

std::optional<Due> next_due(const processing::AgingConfig& config, const Lead& lead, const Raised& raised) {
  std::optional<Due> out;
  for (const auto& p : pending_actions(config, lead, raised)) {
    if (!out || p.at < out->at) {
      out = Due{p.at, p.kind};
    } else if (p.at == out->at) {
      out->kinds |= p.kind;
    }
  }
  return out;
}

unsigned due_by(const processing::AgingConfig& config, const Lead& lead, const Raised& raised, TimeMs now) {
  unsigned kinds = 0;
  for (const auto& p : pending_actions(config, lead, raised)) {
    if (p.at <= now) kinds |= p.kind;
  }
  return kinds;
}

std::optional<TimeMs> follow_up_time(std::string_view date) {
  if (!is_valid_date(date)) return std::nullopt;
  return parse_timestamp(std::string(date) + "T00:00:00Z");
}

std::int64_t whole_days(TimeMs since, TimeMs now) { return now > since ? (now - since) / kDayMs : 0; }

}  // namespace leadhub::store::aging
