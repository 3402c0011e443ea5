#include "query.hpp"

#include <charconv>

#include "json/decode.hpp"
#include "message.hpp"
#include "model/enums.hpp"
#include "model/validation.hpp"
#include "util/time_format.hpp"
#include "util/time_or_date.hpp"

namespace leadhub::connectors::http {

Result<QueryParams> parse_query(std::string_view query) {
  QueryParams out;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto name = percent_decode(pair.substr(0, eq), true);
    auto value = percent_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1), true);
    if (!name || !value) {
      return Error::invalid({{std::string(pair.substr(0, eq)), "broken %-escape in the query string"}});
    }
    // The filters compare bytes with stored UTF-8: a Latin-1 "%FC" would match
    // nothing and say nothing.
    if (!is_valid_utf8_text(*name, false) || !is_valid_utf8_text(*value, false)) {
      return Error::invalid({{is_valid_utf8_text(*name, false) ? *name : std::string(pair.substr(0, eq)),
                              "not UTF-8 text once %-decoded (encode the query as UTF-8, e.g. %C3%BC for ü)"}});
    }
    out.emplace_back(std::move(*name), std::move(*value));
  }
  return out;
}

namespace {

template <typename E>
void parse_enum_param(const std::string& name, const std::string& value, std::optional<E>& out,
                      std::vector<FieldError>& errors) {
  if (auto reason = json::enum_or_reason(value, out)) errors.push_back({name, std::move(*reason)});
}

void parse_limit(const std::string& value, std::size_t& out, std::vector<FieldError>& errors) {
  std::size_t n = 0;
  const auto res = std::from_chars(value.data(), value.data() + value.size(), n);
  if (res.ec != std::errc{} || res.ptr != value.data() + value.size() || n == 0 || n > kMaxFindLimit) {
    errors.push_back({"limit", "expected a number from 1 to " + std::to_string(kMaxFindLimit)});
  } else {
    out = n;
  }
}

// A '+' in a query string is a space once decoded (curl sends what it is given),
// so an offset typed as +01:00 arrives as " 01:00": say so, or the time looks fine.
std::string changed_since_reason(const std::string& value) {
  std::string reason = kTimeOrDateExpected;
  if (value.find(' ') != std::string::npos) {
    reason += " (it holds a space: a '+' in a URL means a space, so send an offset as %2B01:00, or use Z)";
  }
  return reason;
}

}  // namespace

Result<LeadQuery> lead_query_from(std::string_view query) {
  auto params = parse_query(query);
  if (!params) return params.error();
  LeadQuery q;
  auto errors = read_params_once(
      *params, [&q](const std::string& name, const std::string& value, std::vector<FieldError>& errors) {
        if (name == "status") {
          parse_enum_param(name, value, q.status, errors);
        } else if (name == "source") {
          parse_enum_param(name, value, q.source, errors);
        } else if (name == "owner") {
          q.owner_channel = value;
        } else if (name == "campaign") {
          q.campaign = value;
        } else if (name == "email") {
          q.email = value;
        } else if (name == "phone") {
          q.phone = value;
        } else if (name == "ref") {
          const auto colon = value.find(':');
          if (colon == std::string::npos || colon == 0 || colon + 1 == value.size())
            errors.push_back({name, "expected SYSTEM:ID"});
          else
            q.external_ref = ExternalRef{value.substr(0, colon), value.substr(colon + 1)};
        } else if (name == "changed_since") {
          if (auto ms = parse_time_or_date(value))
            q.changed_since = *ms;
          else
            errors.push_back({name, changed_since_reason(value)});
        } else if (name == "limit") {
          parse_limit(value, q.limit, errors);
        } else if (name == "after") {
          if (auto id = RecordId::parse(value))
            q.after = *id;
          else
            errors.push_back({name, "not a lead id (use the `next` of the previous page)"});
        } else {
          errors.push_back({name,
                            "unknown parameter (known: status, owner, source, campaign, email, phone, ref, "
                            "changed_since, limit, after)"});
        }
      });
  if (!errors.empty()) return Error::invalid(std::move(errors));
  return q;
}

std::string next_page_target(const std::string& path, std::string_view query, RecordId next) {
  std::string out = path + "?";
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty() || pair.rfind("after=", 0) == 0 || pair == "after") continue;
    out.append(pair).push_back('&');
  }
  return out + "after=" + next.to_string();
}

}  // namespace leadhub::connectors::http
