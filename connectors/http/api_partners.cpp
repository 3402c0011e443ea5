// /api/v1/business-partners: create and read accounts and contacts.
#include "api.hpp"
#include "json/record_json.hpp"
#include "problem.hpp"

namespace leadhub::connectors::http {
namespace {

void create_partner(ApiContext& ctx, Call&& call) {
  const auto& req = call.request;
  if (auto refusal = refuse_json_body(req, "application/json")) return call.reply(std::move(*refusal));
  auto partner = partner_from_json(req.body, DecodeMode::input);
  if (!partner) {
    const auto& e = partner.error();
    const bool malformed = !e.fields.empty() && e.fields.front().field == "(document)";
    return call.reply(
        malformed ? problem(bhttp::status::bad_request, "malformed", e.fields.front().reason, req.path, e.fields)
                  : problem(e, req.path));
  }
  CreatePartnerCommand command{std::move(partner).value(), actor_of(call, ctx), ""};
  if (const auto key = req.header("Idempotency-Key"); !key.empty() && key.size() <= 200) {
    command.idempotency_key = "http:" + call.principal->name + ":" + std::string(key);
  }
  // The store offers partner creates only as a blocking call: keep it off the I/O threads.
  ctx.blocking.post([&ctx, command = std::move(command), reply = std::move(call.reply), path = req.path]() mutable {
    auto r = ctx.hub.store().create_partner(std::move(command));
    if (!r) return reply(problem(r.error(), path));
    auto response = json_response(r->created ? bhttp::status::created : bhttp::status::ok, to_json(r->record));
    response.set(bhttp::field::location, "/api/v1/business-partners/" + r->record.id.to_string());
    response.set(bhttp::field::etag, etag_of(r->record.version));
    reply(std::move(response));
  });
}

void get_partner(ApiContext& ctx, Call&& call) {
  const auto& text = call.params.front();
  auto id = RecordId::parse(text);
  if (!id) {
    return call.reply(
        problem(bhttp::status::not_found, "not_found", "no business partner with id " + text, call.request.path));
  }
  auto partner = ctx.hub.store().read_partner(*id);
  if (!partner) return call.reply(problem(partner.error(), call.request.path));
  auto response = json_response(bhttp::status::ok, to_json(*partner));
  response.set(bhttp::field::etag, etag_of(partner->version));
  call.reply(std::move(response));
}

}  // namespace

void add_partner_routes(Router& router, ApiContext& ctx) {
  router
      .add(bhttp::verb::post, "/api/v1/business-partners", Scope::partners_write,
           [&ctx](Call&& c) { create_partner(ctx, std::move(c)); })
      .body_limit = ctx.max_body_bytes;
  router.add(bhttp::verb::get, "/api/v1/business-partners/{id}", Scope::partners_read,
             [&ctx](Call&& c) { get_partner(ctx, std::move(c)); });
}

}  // namespace leadhub::connectors::http
