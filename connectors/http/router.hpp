// Routes: method + path pattern ("/api/v1/leads/{id}") -> handler, with the scope
// the caller needs and how the body is taken. A path that exists with another
// method answers 405 with Allow; HEAD is answered wherever GET is.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth.hpp"
#include "message.hpp"
#include "request_metrics.hpp"

namespace leadhub::connectors::http {

struct Call {
  Request request;
  std::vector<std::string> params;  // the {placeholders}, in order
  const Principal* principal = nullptr;
  Reply reply;
};

using RouteHandler = std::function<void(Call&&)>;

struct Route {
  bhttp::verb method = bhttp::verb::get;
  std::string pattern;
  Scope scope = Scope::none;                      // none: no API key needed (health, forms, the OpenAPI document)
  RouteClass metrics_class = RouteClass::system;  // its requests' series in /metrics; from the scope by default
  BodyPlan::Kind body = BodyPlan::Kind::memory;
  std::uint64_t body_limit = std::uint64_t{64} * 1024;  // raised for the routes that take a body
  RouteHandler handler;
  std::vector<std::string> cors_origins;  // besides the connector's own list (web forms)
  // Refuses a request from its header alone (a Content-Type the route cannot read),
  // answered before the body arrives, which may be a gigabyte; nullopt: go on.
  std::function<std::optional<Response>(const Request&)> check_header;
  // A browser's answer when the server refuses the body before the route sees it
  // (BodyPlan::body_refusal): a web form's redirect to its error page.
  std::function<Response(const std::string& code, const std::string& field)> browser_body_refusal;
  std::vector<std::string> segments;  // filled by Router::add
};

class Router {
 public:
  // The new route, to adjust its body kind, limit or CORS origins right away.
  Route& add(bhttp::verb method, std::string pattern, Scope scope, RouteHandler handler);

  struct Match {
    const Route* route = nullptr;
    std::vector<std::string> params;
    std::string allow;  // methods of the path when the method did not match
  };
  Match match(bhttp::verb method, std::string_view path) const;
  // "GET, HEAD, PATCH, OPTIONS": the methods `path` answers; empty for no route.
  std::string allowed(std::string_view path) const;
  const std::vector<Route>& routes() const { return routes_; }

 private:
  std::string allowed(const std::vector<std::string>& parts) const;

  std::vector<Route> routes_;
};

}  // namespace leadhub::connectors::http
