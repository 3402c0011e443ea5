#include "front_door.hpp"

#include <boost/beast/core/string.hpp>

#include <algorithm>

#include "../framework/log.hpp"
#include "problem.hpp"

namespace leadhub::connectors::http {
namespace {

bool has_body(const RequestHeader& head) {
  if (!head[bhttp::field::transfer_encoding].empty()) return true;  // chunked
  const auto length = head[bhttp::field::content_length];
  return !length.empty() && length != "0";
}

bool listed(const std::vector<std::string>& origins, std::string_view origin) {
  return std::any_of(origins.begin(), origins.end(), [&](const std::string& o) { return o == "*" || o == origin; });
}

// What is wrong with the Authorization header, for the 401's reason.
std::string authorization_fault(std::string_view header) {
  if (header.empty()) return "missing API key";
  const std::string_view scheme = header.substr(0, header.find(' '));
  if (!boost::beast::iequals(boost::beast::string_view(scheme.data(), scheme.size()), "Bearer"))
    return "expected \"Bearer KEY\", got the scheme " + std::string(scheme);
  return "unknown API key";
}

Response unauthorized(const std::string& path, std::string_view authorization) {
  auto r = problem(bhttp::status::unauthorized, "unauthorized",
                   "this endpoint needs an API key: send \"Authorization: Bearer KEY\"", path,
                   {{"Authorization", authorization_fault(authorization)}});
  r.set(bhttp::field::www_authenticate, "Bearer realm=\"leadhub\"");
  return r;
}

}  // namespace

const Principal* FrontDoor::admit(const Route& route, const Request& request, std::optional<Response>& refusal) {
  const Principal* who = keys_.authenticate(request.header(bhttp::field::authorization));
  if (route.scope == Scope::none) return who;  // public: the principal only names the caller
  if (who == nullptr) {
    const std::string fault = authorization_fault(request.header(bhttp::field::authorization));
    log_refusal(request, "401 " + fault);
    refusal = unauthorized(request.path, request.header(bhttp::field::authorization));
    return nullptr;
  }
  if (!allows(who->scopes, route.scope)) {
    const std::string why = "the key of " + who->name + " lacks the scope " + scope_name(route.scope);
    log_refusal(request, "403 " + why);
    refusal = problem(bhttp::status::forbidden, "forbidden", why, request.path,
                      {{"Authorization", std::string("needs scope ") + scope_name(route.scope)}});
    return nullptr;
  }
  return who;
}

// An operator told "we get 401" finds the request here: when, from where, which
// route and why; never the key (the reason names only a scheme or a key's name).
void FrontDoor::log_refusal(const Request& request, const std::string& why) const {
  log::warn(options_.connector, "refused " + std::string(request.head.method_string()) + " " + request.path + " from " +
                                    (request.client.empty() ? "?" : request.client) + ": " + why);
}

BodyPlan FrontDoor::plan_body(const RequestHeader& head, std::string_view path, const std::string& client) {
  BodyPlan plan;
  plan.limit = std::uint64_t{64} * 1024;  // enough for any error case; real limits come from the route
  const auto match = router_.match(head.method(), path);
  if (match.route == nullptr) return plan;
  plan.route_class = static_cast<std::uint8_t>(match.route->metrics_class);
  plan.kind = match.route->body;
  plan.limit = match.route->body_limit;
  // A browser (its Accept has text/html) is sent on, not shown a problem as text.
  if (match.route->browser_body_refusal && wants_html(head)) {
    plan.body_refusal = match.route->browser_body_refusal;
  }
  if (!has_body(head)) return plan;
  // Refuse before a (possibly large) body arrives when the key is not good, or the
  // route cannot read what the header says the body is.
  Request probe;
  probe.head = head;
  probe.path = std::string(path);
  probe.client = client;
  std::optional<Response> refusal;
  if (match.route->scope != Scope::none && admit(*match.route, probe, refusal) == nullptr) {
    plan.refuse = std::move(refusal);
  } else if (match.route->check_header) {
    plan.refuse = match.route->check_header(probe);
  }
  return plan;
}

void FrontDoor::handle(Request request, Reply reply) {
  if (request.head.method() == bhttp::verb::options) return reply(preflight(request));
  const auto match = router_.match(request.head.method(), request.path);
  if (match.route == nullptr) {
    if (!match.allow.empty()) {
      auto r =
          problem(bhttp::status::method_not_allowed, "method_not_allowed",
                  std::string(request.head.method_string()) + " is not allowed here; use " + match.allow, request.path);
      r.set(bhttp::field::allow, match.allow);
      return reply(std::move(r));
    }
    return reply(problem(bhttp::status::not_found, "not_found", "no such resource: " + request.path, request.path));
  }
  const Route& route = *match.route;
  const bool cross_origin = !request.header(bhttp::field::origin).empty();
  if (cross_origin) {
    reply = [this, inner = std::move(reply), origin = std::string(request.header(bhttp::field::origin)),
             &route](Response r) {
      if (listed(options_.cors_origins, origin) || listed(route.cors_origins, origin)) {
        r.set(bhttp::field::access_control_allow_origin, origin);
        r.set(bhttp::field::access_control_expose_headers, "Location, ETag, Link, Retry-After");
      }
      r.set(bhttp::field::vary, "Origin");
      inner(std::move(r));
    };
  }
  std::optional<Response> refusal;
  const Principal* who = admit(route, request, refusal);
  if (refusal) return reply(std::move(*refusal));
  if (route.check_header) {
    if (auto refused = route.check_header(request)) return reply(std::move(*refused));
  }
  if (route.scope != Scope::none && api_limit_.enabled()) {
    std::uint32_t retry_after = 0;
    if (!api_limit_.admit(who->name == "anonymous" ? request.client : who->name, retry_after)) {
      auto r = problem(bhttp::status::too_many_requests, "rate_limited",
                       "too many requests; retry after " + std::to_string(retry_after) + " s", request.path);
      r.set(bhttp::field::retry_after, std::to_string(retry_after));
      return reply(std::move(r));
    }
  }
  Call call{std::move(request), match.params, who, std::move(reply)};
  route.handler(std::move(call));
}

void FrontDoor::answered(std::uint8_t route_class, unsigned status, std::chrono::nanoseconds took) {
  metrics_.record(static_cast<RouteClass>(route_class), status, took);
}

Response FrontDoor::preflight(const Request& request) const {
  const auto origin = request.header(bhttp::field::origin);
  const std::string allow = router_.allowed(request.path);
  if (allow.empty())
    return problem(bhttp::status::not_found, "not_found", "no such resource: " + request.path, request.path);
  Response r{bhttp::status::no_content, 11};
  r.set(bhttp::field::allow, allow);
  bool allowed = listed(options_.cors_origins, origin);
  for (const auto verb : {bhttp::verb::get, bhttp::verb::post, bhttp::verb::patch}) {
    const auto m = router_.match(verb, request.path);
    if (m.route != nullptr) allowed = allowed || listed(m.route->cors_origins, origin);
  }
  if (!origin.empty() && allowed) {
    r.set(bhttp::field::access_control_allow_origin, std::string(origin));
    r.set(bhttp::field::access_control_allow_methods, allow);
    r.set(bhttp::field::access_control_allow_headers,
          "Authorization, Content-Type, If-Match, If-None-Match, Idempotency-Key");
    r.set(bhttp::field::access_control_max_age, "600");
  }
  r.set(bhttp::field::vary, "Origin");
  return r;
}

}  // namespace leadhub::connectors::http
