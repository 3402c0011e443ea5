#include "dashboard.hpp"

namespace leadhub::connectors::http {

namespace {

// The page runs only its own inline script and talks only to this hub: no
// external script, style, image or frame, and no page may frame it.
constexpr const char* kPolicy =
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

Response dashboard_response() {
  Response r{bhttp::status::ok, 11};
  r.set(bhttp::field::content_type, "text/html; charset=utf-8");
  r.set(bhttp::field::cache_control, "no-store");
  r.set("Content-Security-Policy", kPolicy);
  r.set("X-Content-Type-Options", "nosniff");
  r.set("Referrer-Policy", "no-referrer");
  r.body() = std::string(dashboard_page());
  return r;
}

}  // namespace

void add_dashboard_route(Router& router) {
  router.add(bhttp::verb::get, "/dashboard", Scope::none, [](Call&& c) { c.reply(dashboard_response()); });
}

}  // namespace leadhub::connectors::http
