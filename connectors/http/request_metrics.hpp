// What GET /metrics reports of one http connector's requests: how many, by route
// class and status class (2xx, 4xx, ...), and how long they took. Recorded on the
// I/O threads for every answer, so it takes no lock: relaxed atomic counters and
// fixed histogram buckets (util/histogram.hpp).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "../framework/metrics.hpp"
#include "auth.hpp"

namespace leadhub::connectors::http {

// Routes grouped by what they do, so the series stay few (docs/http-api.md).
// `other`: no route matched (404, 405, OPTIONS) or the request was refused before
// it was routed (malformed, 408, 431).
enum class RouteClass : std::uint8_t {
  other,
  system,  // /healthz, /readyz, /metrics, the OpenAPI document and schemas
  leads_read,
  leads_write,
  audit,
  partners_read,
  partners_write,
  imports,
  forms,
};
inline constexpr std::size_t kRouteClasses = 9;
const char* route_class_name(RouteClass c);
// The class of a route needing `scope`; none gives system (forms set theirs).
RouteClass route_class_of(Scope scope);

class RequestMetrics {
 public:
  void record(RouteClass route, unsigned status, std::chrono::nanoseconds took);
  void report(Metrics& out, const std::string& connector) const;

 private:
  static constexpr std::size_t kStatusClasses = 5;  // 1xx .. 5xx
  struct Durations {
    Histogram ns{500'000,     1'000'000,   2'500'000,   5'000'000,     10'000'000,    25'000'000,    50'000'000,
                 100'000'000, 250'000'000, 500'000'000, 1'000'000'000, 2'500'000'000, 10'000'000'000};
  };
  std::array<std::array<std::atomic<std::uint64_t>, kStatusClasses>, kRouteClasses> requests_{};
  std::array<Durations, kRouteClasses> durations_;
};

}  // namespace leadhub::connectors::http
