// Operational endpoints: /healthz (the process answers), /readyz (store open and
// every connector started), /metrics (Prometheus text format) and the OpenAPI
// document of the API.
#include "../framework/hub_metrics.hpp"
#include "api.hpp"
#include "json/json_writer.hpp"
#include "openapi_document.hpp"
#include "problem.hpp"

namespace leadhub::connectors::http {
namespace {

void readyz(ApiContext& ctx, Call&& call) {
  std::string body;
  JsonWriter w(body);
  const bool ready = ctx.hub.ready();
  w.begin_object().key_identifier("status").value(ready ? "ready" : "not_ready");
  w.key_identifier("store").value(ctx.hub.store().check_open() ? "open" : "unavailable");
  // Still ready (reads answer, and a freed disk takes writes again), but say it: a
  // load balancer's probe or an operator sees why creates get 503.
  if (const auto [failure, failed] = ctx.hub.store().write_failure(); !failure.empty()) {
    w.key_identifier("store_writes").value("failing: " + failure);
  }
  w.key_identifier("connectors").begin_object();
  for (const auto& [name, health] : ctx.hub.health()) {
    w.key(name).begin_object().key_identifier("ready").value(health.ready);
    w.key_identifier("detail").value(health.detail).end_object();
  }
  w.end_object().end_object();
  call.reply(json_response(ready ? bhttp::status::ok : bhttp::status::service_unavailable, std::move(body)));
}

// Public like /readyz (no API key): a Prometheus scraper seldom holds one, and
// the text has counts, sizes and timings but no lead data (docs/http-api.md).
void metrics(ApiContext& ctx, Call&& call) {
  Metrics out;
  report_hub_metrics(ctx.hub, out);
  Response r{bhttp::status::ok, 11};
  r.set(bhttp::field::content_type, Metrics::kContentType);
  r.set(bhttp::field::cache_control, "no-store");
  r.body() = out.text();
  call.reply(std::move(r));
}

}  // namespace

void add_system_routes(Router& router, ApiContext& ctx) {
  router.add(bhttp::verb::get, "/healthz", Scope::none,
             [](Call&& c) { c.reply(json_response(bhttp::status::ok, R"({"status":"alive"})")); });
  router.add(bhttp::verb::get, "/readyz", Scope::none, [&ctx](Call&& c) { readyz(ctx, std::move(c)); });
  router.add(bhttp::verb::get, "/metrics", Scope::none, [&ctx](Call&& c) { metrics(ctx, std::move(c)); });
  router.add(bhttp::verb::get, "/api/v1/openapi.json", Scope::none, [](Call&& c) {
    auto r = json_response(bhttp::status::ok, std::string(openapi_document()));
    r.set(bhttp::field::content_type, "application/vnd.oai.openapi+json;version=3.1");
    c.reply(std::move(r));
  });
  router.add(bhttp::verb::get, "/api/v1/schemas/{name}", Scope::none, [](Call&& c) {
    const auto schema = json_schema(c.params.front());
    if (schema.empty()) {
      return c.reply(problem(bhttp::status::not_found, "not_found", "no schema " + c.params.front(), c.request.path));
    }
    auto r = json_response(bhttp::status::ok, std::string(schema));
    r.set(bhttp::field::content_type, "application/schema+json");
    c.reply(std::move(r));
  });
}

}  // namespace leadhub::connectors::http
