// GET /api/v1/reports/leads: the lead report (store/lead_report.hpp) with the
// filters of `leadhub report` as query parameters.
#include "api.hpp"
#include "problem.hpp"
#include "query.hpp"
#include "store/lead_report.hpp"

namespace leadhub::connectors::http {

namespace {

Result<ReportQuery> report_query_from(std::string_view text) {
  auto params = parse_query(text);
  if (!params) return params.error();
  ReportQuery q;
  auto errors = read_params_once(
      *params, [&q](const std::string& name, const std::string& value, std::vector<FieldError>& errors) {
        if (auto reason = set_report_filter(q, name, value)) errors.push_back({name, std::move(*reason)});
      });
  if (!errors.empty()) return Error::invalid(std::move(errors));
  if (auto st = check_report_query(q); !st) return st.error();
  return q;
}

void report_leads(ApiContext& ctx, Call&& call) {
  auto query = report_query_from(call.request.query);
  if (!query) {
    return call.reply(
        problem(bhttp::status::bad_request, "invalid", query.error().message, call.request.path, query.error().fields));
  }
  // A partner-bound key sees its own channel's leads only, as in finds.
  if (const auto& partner = call.principal->partner; !partner.empty()) {
    if (!query->owner_channel.empty() && query->owner_channel != partner) {
      return call.reply(problem(bhttp::status::forbidden, "forbidden",
                                "this key reports on channel " + partner + " only", call.request.path,
                                {{"channel", "must be " + partner + " or absent"}}));
    }
    query->owner_channel = partner;
    query->refuse_unknown_channel = false;  // its own channel, which may have no leads yet
  }
  // Reads every id of a few indexes: on a large store that takes a while, so it
  // runs off the I/O threads.
  ctx.blocking.post([&ctx, q = std::move(query).value(), reply = std::move(call.reply), path = call.request.path] {
    auto report = ctx.hub.store().report_leads(q);
    // A filter naming a campaign or channel no lead has is a bad parameter, as the
    // ones refused before the store was asked.
    if (!report && report.error().code == ErrorCode::invalid) {
      return reply(problem(bhttp::status::bad_request, "invalid", report.error().message, path, report.error().fields));
    }
    if (!report) return reply(problem(report.error(), path));
    reply(json_response(bhttp::status::ok, to_json(*report)));
  });
}

}  // namespace

void add_report_routes(Router& router, ApiContext& ctx) {
  router.add(bhttp::verb::get, "/api/v1/reports/leads", Scope::leads_read,
             [&ctx](Call&& c) { report_leads(ctx, std::move(c)); });
}

}  // namespace leadhub::connectors::http
