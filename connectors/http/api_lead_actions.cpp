// /api/v1/leads/{id}/merge, /assign, /convert and /approvals: the lead actions of
// the sales staff. Both change several things at once, so partner-bound keys (which
// see only their own leads) may not use them.
#include <simdjson.h>

#include "api.hpp"
#include "json/json_writer.hpp"
#include "json/record_json.hpp"
#include "problem.hpp"

namespace leadhub::connectors::http {
namespace {

Response lead_answer(const Lead& lead) {
  auto r = json_response(bhttp::status::ok, to_json(lead));
  r.set(bhttp::field::etag, etag_of(lead.version));
  return r;
}

// Runs a store action off the I/O threads (the store's actions block until their
// commit) and answers with the lead it returns.
template <typename Command, typename Action>
void answer_with_lead(ApiContext& ctx, Call& call, Command command, Action action) {
  ctx.blocking.post(
      [&ctx, command = std::move(command), action, reply = std::move(call.reply), path = call.request.path]() mutable {
        Result<Lead> r = action(ctx.hub.store(), std::move(command));
        reply(r ? lead_answer(*r) : problem(r.error(), path));
      });
}

constexpr const char* kPartnerRefusal =
    "a partner's key may not merge, assign or convert leads, nor read or decide their approvals";

// The checks every action shares: a staff key, a JSON object body and a lead id.
std::optional<Response> refuse(const Call& call, simdjson::dom::parser& parser, simdjson::dom::object& body,
                               RecordId& id) {
  const auto& req = call.request;
  if (!call.principal->partner.empty()) {
    return problem(bhttp::status::forbidden, "forbidden", kPartnerRefusal, req.path);
  }
  if (auto refusal = refuse_json_body(req, "application/json")) return std::move(*refusal);
  if (parser.parse(req.body.data(), req.body.size()).get(body) != simdjson::SUCCESS) {
    return problem(bhttp::status::bad_request, "malformed", "the body is not a JSON object", req.path,
                   {{"(document)", "not a JSON object"}});
  }
  auto parsed = RecordId::parse(call.params.front());
  if (!parsed) return problem(Error::make(ErrorCode::not_found, "no lead with id " + call.params.front()), req.path);
  id = *parsed;
  return std::nullopt;
}

Result<std::vector<RecordId>> others_of(simdjson::dom::object& body) {
  simdjson::dom::array list;
  if (body["others"].get(list) != simdjson::SUCCESS)
    return Error::invalid({{"others", "required: a list of lead ids"}});
  std::vector<RecordId> out;
  std::size_t i = 0;
  for (auto item : list) {
    std::string_view text;
    const std::string field = "others[" + std::to_string(i++) + "]";
    if (item.get_string().get(text) != simdjson::SUCCESS) return Error::invalid({{field, "expected a lead id"}});
    auto id = RecordId::parse(text);
    if (!id) return Error::invalid({{field, "not a lead id: " + std::string(text)}});
    out.push_back(*id);
  }
  return out;
}

void merge_leads(ApiContext& ctx, Call&& call) {
  simdjson::dom::parser parser;
  simdjson::dom::object body;
  RecordId survivor;
  if (auto refused = refuse(call, parser, body, survivor)) return call.reply(std::move(*refused));
  auto others = others_of(body);
  if (!others) return call.reply(problem(others.error(), call.request.path));
  MergeLeadsCommand command{survivor, std::move(others).value(), actor_of(call, ctx)};
  answer_with_lead(ctx, call, std::move(command),
                   [](LeadStore& store, MergeLeadsCommand c) { return store.merge_leads(std::move(c)); });
}

void assign_lead(ApiContext& ctx, Call&& call) {
  simdjson::dom::parser parser;
  simdjson::dom::object body;
  AssignLeadCommand command;
  if (auto refused = refuse(call, parser, body, command.id)) return call.reply(std::move(*refused));
  std::string_view text;
  if (body["channel"].get_string().get(text) != simdjson::SUCCESS || text.empty()) {
    return call.reply(problem(Error::invalid({{"channel", "required: the channel (team, partner, call centre)"}}),
                              call.request.path));
  }
  command.channel = text;
  if (body["assignee"].get_string().get(text) == simdjson::SUCCESS) command.assignee = text;
  std::uint64_t version = 0;
  if (body["version"].get_uint64().get(version) == simdjson::SUCCESS) command.expected_version = version;
  command.actor = actor_of(call, ctx);
  answer_with_lead(ctx, call, std::move(command),
                   [](LeadStore& store, AssignLeadCommand c) { return store.assign_lead(std::move(c)); });
}

void convert_lead(ApiContext& ctx, Call&& call) {
  simdjson::dom::parser parser;
  simdjson::dom::object body;
  ConvertLeadCommand command;
  if (auto refused = refuse(call, parser, body, command.id)) return call.reply(std::move(*refused));
  std::string_view text;
  if (body["opportunity_ref"].get_string().get(text) == simdjson::SUCCESS) command.opportunity_ref = text;
  std::uint64_t version = 0;
  if (body["version"].get_uint64().get(version) == simdjson::SUCCESS) command.expected_version = version;
  command.actor = actor_of(call, ctx);
  answer_with_lead(ctx, call, std::move(command),
                   [](LeadStore& store, ConvertLeadCommand c) { return store.convert_lead(std::move(c)); });
}

void read_approvals(ApiContext& ctx, Call&& call) {
  if (!call.principal->partner.empty()) {
    return call.reply(problem(bhttp::status::forbidden, "forbidden", kPartnerRefusal, call.request.path));
  }
  auto id = RecordId::parse(call.params.front());
  if (!id) {
    return call.reply(
        problem(Error::make(ErrorCode::not_found, "no lead with id " + call.params.front()), call.request.path));
  }
  auto state = ctx.hub.store().read_approvals(*id);
  if (!state) return call.reply(problem(state.error(), call.request.path));
  call.reply(json_response(bhttp::status::ok, to_json(*state)));
}

void decide_approval(ApiContext& ctx, Call&& call) {
  simdjson::dom::parser parser;
  simdjson::dom::object body;
  ApprovalDecision decision;
  if (auto refused = refuse(call, parser, body, decision.id)) return call.reply(std::move(*refused));
  std::string_view step, verdict, comment;
  if (body["step"].get_string().get(step) != simdjson::SUCCESS || step.empty()) {
    return call.reply(problem(Error::invalid({{"step", "required: the approval step decided"}}), call.request.path));
  }
  if (body["decision"].get_string().get(verdict) != simdjson::SUCCESS) {
    return call.reply(problem(Error::invalid({{"decision", "required: approve or reject"}}), call.request.path));
  }
  if (verdict != "approve" && verdict != "reject") {  // a slip such as "aprove" is not a missing decision
    return call.reply(
        problem(Error::invalid({{"decision", "'" + std::string(verdict) + "' is not one of approve, reject"}}),
                call.request.path));
  }
  if (body["comment"].get_string().get(comment) == simdjson::SUCCESS) decision.comment = comment;
  decision.step = step;
  decision.approve = verdict == "approve";
  decision.actor = actor_of(call, ctx);
  decision.roles = call.principal->roles;
  ctx.blocking.post(
      [&ctx, decision = std::move(decision), reply = std::move(call.reply), path = call.request.path]() mutable {
        auto r = ctx.hub.store().decide_approval(std::move(decision));
        reply(r ? json_response(bhttp::status::ok, to_json(*r)) : problem(r.error(), path));
      });
}

}  // namespace

void add_lead_action_routes(Router& router, ApiContext& ctx) {
  router
      .add(bhttp::verb::post, "/api/v1/leads/{id}/merge", Scope::leads_write,
           [&ctx](Call&& c) { merge_leads(ctx, std::move(c)); })
      .body_limit = ctx.max_body_bytes;
  router
      .add(bhttp::verb::post, "/api/v1/leads/{id}/assign", Scope::leads_write,
           [&ctx](Call&& c) { assign_lead(ctx, std::move(c)); })
      .body_limit = ctx.max_body_bytes;
  router
      .add(bhttp::verb::post, "/api/v1/leads/{id}/convert", Scope::leads_write,
           [&ctx](Call&& c) { convert_lead(ctx, std::move(c)); })
      .body_limit = ctx.max_body_bytes;
  router.add(bhttp::verb::get, "/api/v1/leads/{id}/approvals", Scope::leads_read,
             [&ctx](Call&& c) { read_approvals(ctx, std::move(c)); });
  router
      .add(bhttp::verb::post, "/api/v1/leads/{id}/approvals", Scope::leads_write,
           [&ctx](Call&& c) { decide_approval(ctx, std::move(c)); })
      .body_limit = ctx.max_body_bytes;
}

}  // namespace leadhub::connectors::http
