#include "request_metrics.hpp"

namespace leadhub::connectors::http {

const char* route_class_name(RouteClass c) {
  switch (c) {
    case RouteClass::other:
      return "other";
    case RouteClass::system:
      return "system";
    case RouteClass::leads_read:
      return "leads_read";
    case RouteClass::leads_write:
      return "leads_write";
    case RouteClass::audit:
      return "audit";
    case RouteClass::partners_read:
      return "partners_read";
    case RouteClass::partners_write:
      return "partners_write";
    case RouteClass::imports:
      return "imports";
    case RouteClass::forms:
      return "forms";
  }
  return "other";
}

RouteClass route_class_of(Scope scope) {
  switch (scope) {
    case Scope::leads_read:
      return RouteClass::leads_read;
    case Scope::leads_write:
      return RouteClass::leads_write;
    case Scope::audit_read:
      return RouteClass::audit;
    case Scope::partners_read:
      return RouteClass::partners_read;
    case Scope::partners_write:
      return RouteClass::partners_write;
    case Scope::imports:
      return RouteClass::imports;
    case Scope::none:
    case Scope::all:
      return RouteClass::system;
  }
  return RouteClass::system;
}

void RequestMetrics::record(RouteClass route, unsigned status, std::chrono::nanoseconds took) {
  const auto r = static_cast<std::size_t>(route) < kRouteClasses ? static_cast<std::size_t>(route) : 0;
  const std::size_t s = status >= 100 && status < 600 ? status / 100 - 1 : kStatusClasses - 1;
  requests_[r][s].fetch_add(1, std::memory_order_relaxed);
  durations_[r].ns.observe(took.count() > 0 ? static_cast<std::uint64_t>(took.count()) : 0);
}

// Only the route classes that were asked for appear: a connector without forms
// shows no forms series.
void RequestMetrics::report(Metrics& out, const std::string& connector) const {
  static constexpr const char* kStatusNames[kStatusClasses] = {"1xx", "2xx", "3xx", "4xx", "5xx"};
  for (std::size_t r = 0; r < kRouteClasses; ++r) {
    const char* route = route_class_name(static_cast<RouteClass>(r));
    for (std::size_t s = 0; s < kStatusClasses; ++s) {
      const auto n = requests_[r][s].load(std::memory_order_relaxed);
      if (n == 0) continue;
      out.counter("leadhub_http_requests_total", "HTTP requests answered, by route class and status class", n,
                  {{"connector", connector}, {"route", route}, {"code", kStatusNames[s]}});
    }
  }
  for (std::size_t r = 0; r < kRouteClasses; ++r) {
    auto h = durations_[r].ns.snapshot();
    if (h.count == 0) continue;
    out.histogram("leadhub_http_request_duration_seconds",
                  "Time from a request's first byte to its answer being ready, by route class", h, 1e9,
                  {{"connector", connector}, {"route", route_class_name(static_cast<RouteClass>(r))}});
  }
}

}  // namespace leadhub::connectors::http
