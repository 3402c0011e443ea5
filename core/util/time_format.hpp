// RFC 3339 timestamps ("2026-11-22T19:40:13.123Z") and ISO dates ("2026-12-01").
// Always written in UTC with millisecond precision; read with any offset.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/clock.hpp"

namespace leadhub {

// The range format_timestamp can write: 0001-01-01T00:00:00.000Z to 9999-12-31T23:59:59.999Z.
inline constexpr TimeMs kMinTimestampMs = -62'135'596'800'000;
inline constexpr TimeMs kMaxTimestampMs = 253'402'300'799'999;

std::string format_timestamp(TimeMs ms);
std::optional<TimeMs> parse_timestamp(std::string_view text);

// Days since 1970-01-01 for a civil date, and back (Howard Hinnant's algorithm).
struct CivilDate {
  int year;
  unsigned month;
  unsigned day;
};
std::int64_t days_from_civil(int year, unsigned month, unsigned day);
CivilDate civil_from_days(std::int64_t days);
bool is_valid_date(std::string_view text);  // YYYY-MM-DD, a real calendar day

}  // namespace leadhub
