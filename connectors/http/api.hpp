// The REST API (/api/v1) and the operational endpoints, as routes on a Router.
// Handlers answer from the I/O thread for reads and from the store's completion
// for writes; blocking work (partner creates, imports) runs on `blocking`.
#pragma once

#include <optional>
#include <string>

#include "../framework/hub.hpp"
#include "router.hpp"
#include "work_queue.hpp"

namespace leadhub::connectors::http {

struct ApiContext {
  Hub& hub;
  std::string connector;  // instance name, recorded in the audit trail
  WorkQueue& blocking;
  std::uint64_t max_body_bytes = 1 << 20;
  std::uint64_t max_upload_bytes = std::uint64_t{1} << 30;
};

void add_lead_routes(Router& router, ApiContext& ctx);
// /api/v1/leads/{id}/merge and /assign
void add_lead_action_routes(Router& router, ApiContext& ctx);
void add_partner_routes(Router& router, ApiContext& ctx);
void add_import_routes(Router& router, ApiContext& ctx);
// /api/v1/reports/leads
void add_report_routes(Router& router, ApiContext& ctx);
// /healthz, /readyz, /metrics, /api/v1/openapi.json
void add_system_routes(Router& router, ApiContext& ctx);

// Helpers shared by the route files.
Actor actor_of(const Call& call, const ApiContext& ctx);
bool has_json_body(const Request& request);  // Content-Type application/json or +json
// 415 unless the body is JSON in UTF-8 (application/json or a +json type such as
// application/merge-patch+json; any charset but utf-8 is refused, and so is a
// UTF-16 body). `expected`
// names the types in the answer.
std::optional<Response> refuse_json_body(const Request& request, const char* expected);
Response unsupported_media_type(const Request& request, const char* expected);
std::string etag_of(std::uint64_t version);

}  // namespace leadhub::connectors::http
