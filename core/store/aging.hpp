// Aging as a pure computation: from the aging config, a lead and what was already
// raised for it, when its next due moment is and what is due by a given time. The
// store keeps the answer in its due index (store/due_index.hpp) and acts on it
// (LeadStore::run_due, lead_aging.cpp).
//
// "No action" is the time since the lead's changed_at: any change is an action and
// restarts the clock. Escalation is raised once per quiet period (remembered as the
// changed_at it was raised for); a follow-up date is reminded of once.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "model/lead.hpp"
#include "processing/config.hpp"

namespace leadhub::store::aging {

inline constexpr TimeMs kDayMs = 86'400'000;

// What was already raised for a lead, so a run never raises it twice.
struct Raised {
  TimeMs escalated_for_change = 0;  // the changed_at the escalation was raised for; 0: none
  std::string reminded_follow_up;   // the follow_up date reminded of; empty: none
  bool empty() const { return escalated_for_change == 0 && reminded_follow_up.empty(); }
  friend bool operator==(const Raised&, const Raised&) = default;
};

// Bits of what is due.
enum DueKind : unsigned { kEscalate = 1, kClose = 2, kRemind = 4 };

struct Due {
  TimeMs at = 0;
  unsigned kinds = 0;  // DueKind bits due at `at`
};

// The earliest moment something is due for the lead; none when nothing ever will
// be (no rule for its status and channel, no follow-up to remind of).
std::optional<Due> next_due(const processing::AgingConfig& config, const Lead& lead, const Raised& raised);

// Everything due at or before `now` (DueKind bits; 0: nothing).
unsigned due_by(const processing::AgingConfig& config, const Lead& lead, const Raised& raised, TimeMs now);

// A follow-up date ("YYYY-MM-DD") as its first moment, 00:00 UTC.
std::optional<TimeMs> follow_up_time(std::string_view date);

// Whole days from `since` to `now`, for the events (never negative).
std::int64_t whole_days(TimeMs since, TimeMs now);

}  // namespace leadhub::store::aging
