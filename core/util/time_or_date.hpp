// A moment a person types into a filter: an RFC 3339 time, or a date that means its
// midnight UTC. Shared by the report's since/until and the finds' changed-since, so
// the same text works in both.
#pragma once

#include <optional>
#include <string_view>

#include "util/clock.hpp"

namespace leadhub {

// "2026-11-01T08:00:00+01:00" or "2026-11-01" (= 2026-11-01T00:00:00Z); nullopt otherwise.
std::optional<TimeMs> parse_time_or_date(std::string_view text);

inline constexpr const char* kTimeOrDateExpected =
    "expected an RFC 3339 time such as 2026-11-01T00:00:00Z or a date such as 2026-11-01";

}  // namespace leadhub
