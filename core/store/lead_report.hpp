// ReportLeads: what sales and marketing staff look at. Lead counts by status, owner
// channel, source and campaign; each channel's, campaign's and source's pipeline (how
// many leads are in each status) with its conversion rate; how long leads took from
// creation to their first qualification (median and 90th percentile, overall and per
// source); leads created per day; how many leads aging has due, has escalated and
// has closed. Computed from the secondary indexes and the report's history
// (store/report_history.hpp), never from the lead records (store/lead_report.cpp
// says what it costs).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/enums.hpp"
#include "util/clock.hpp"
#include "util/result.hpp"

namespace leadhub {

// Filters, combined with AND. Created times come from the lead ids (ids are
// time-ordered): created_since is inclusive, created_until exclusive.
struct ReportQuery {
  std::string campaign;
  std::optional<LeadSource> source;
  std::string owner_channel;
  std::optional<TimeMs> created_since;
  std::optional<TimeMs> created_until;
  unsigned days = 30;  // created_per_day covers the last `days` UTC days, today included
  // A campaign or channel no lead has is refused (invalid, naming the filter):
  // a typo must not read as "0 leads". Off for a channel the caller did not
  // choose (a partner key's own channel, which may have no leads yet).
  bool refuse_unknown_channel = true;
};

inline constexpr unsigned kMaxReportDays = 366;

// The filter names the CLI (as --NAME) and the HTTP API (as query parameters) share.
inline constexpr const char* kReportFilterNames = "campaign, source, channel, since, until, days";

// Sets the filter `name` (one of kReportFilterNames) from text: since and until
// take an RFC 3339 time or a date (YYYY-MM-DD, midnight UTC). Returns the reason
// when the name is unknown or the value does not fit.
std::optional<std::string> set_report_filter(ReportQuery& query, std::string_view name, std::string_view value);
// Invalid (naming "days" or "until") unless the query can be answered.
Status check_report_query(const ReportQuery& query);

inline constexpr std::size_t kStatusCount = 7;  // LeadStatus values, in enum order
using StatusCounts = std::array<std::uint64_t, kStatusCount>;

// One campaign's or source's leads by status.
struct Pipeline {
  std::string name;
  StatusCounts by_status{};
  std::uint64_t total() const;
  // converted / all; nullopt when there are no leads.
  std::optional<double> conversion_rate() const;
};

// How long leads took from their creation to the first time they were qualified
// (or accepted or converted). Percentiles by nearest rank: the shortest duration
// that at least half (90 %) of the leads took no longer than; none without leads.
struct TimeToQualify {
  std::uint64_t count = 0;  // leads qualified at some point
  std::optional<TimeMs> median_ms;
  std::optional<TimeMs> p90_ms;
};

// From the durations of the leads, in any order.
TimeToQualify time_to_qualify(std::vector<TimeMs> durations);

struct DayCount {
  std::string date;  // YYYY-MM-DD (UTC)
  std::uint64_t count = 0;
};

struct LeadReport {
  TimeMs generated_at = 0;
  std::uint64_t total = 0;
  StatusCounts by_status{};
  std::vector<Pipeline> channels;  // owner channels by name; leads without one are not listed
  std::uint64_t without_channel = 0;
  std::vector<Pipeline> sources;    // every source, in enum order
  std::vector<Pipeline> campaigns;  // by name; leads without one are not listed
  std::uint64_t without_campaign = 0;
  TimeToQualify time_to_qualify;
  std::vector<std::pair<std::string, TimeToQualify>> time_to_qualify_by_source;  // every source, in enum order
  std::vector<DayCount> created_per_day;                                         // oldest first
  // Aging (store/due_index.hpp): leads whose next escalation, close or reminder is
  // due now (the next `aging run` acts on them) or within the next 7 days; and the
  // leads aging has escalated (at least once) and closed as aged (even if reopened
  // since).
  std::uint64_t aging_due_now = 0;
  std::uint64_t aging_due_within_7_days = 0;
  std::uint64_t aging_escalated = 0;
  std::uint64_t aging_closed = 0;
};

// {"generated_at","total","by_status":{...},"by_channel":{...},"without_channel",
//  "by_source":{...},"by_campaign":{...},"without_campaign",
//  "channels":[{"channel","total",<status>...,"conversion_rate"}],
//  "sources":[{"source",...}],"campaigns":[{"campaign",...}],
//  "time_to_qualify":{"count","median_seconds","p90_seconds",
//                     "sources":[{"source","count","median_seconds","p90_seconds"}]},
//  "created_per_day":[{"date","count"}],
//  "aging":{"due_now","due_within_7_days","escalated","closed"}}
std::string to_json(const LeadReport& report);

}  // namespace leadhub
