// Query strings: "status=open&limit=10" into name/value pairs, and the lead
// search parameters of GET /api/v1/leads, with errors that name the parameter.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "store/lead_store.hpp"
#include "util/result.hpp"

namespace leadhub::connectors::http {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

Result<QueryParams> parse_query(std::string_view query);

// Calls read(name, value, errors) for each parameter in order. A name given twice
// is refused instead (which of its values was meant?). Returns the reasons.
template <class Read>
std::vector<FieldError> read_params_once(const QueryParams& params, Read&& read) {
  std::vector<FieldError> errors;
  std::vector<std::string_view> seen;
  for (const auto& [name, value] : params) {
    if (std::find(seen.begin(), seen.end(), name) != seen.end()) {
      errors.push_back({name, "given more than once"});
      continue;
    }
    seen.emplace_back(name);
    read(name, value, errors);
  }
  return errors;
}
// status, owner, source, campaign, email, phone, ref (SYSTEM:ID), changed_since,
// limit (1-1000, default 100), after (the `next` of the previous page).
Result<LeadQuery> lead_query_from(std::string_view query);
// The same search with after=NEXT, for the Link header.
std::string next_page_target(const std::string& path, std::string_view query, RecordId next);

}  // namespace leadhub::connectors::http
