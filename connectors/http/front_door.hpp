// The Handler the server calls: finds the route, checks the API key and its
// scope, applies CORS and the per-client rate limit, then runs the route.
#pragma once

#include <string>
#include <vector>

#include "auth.hpp"
#include "rate_limit.hpp"
#include "request_metrics.hpp"
#include "router.hpp"

namespace leadhub::connectors::http {

struct FrontDoorOptions {
  std::vector<std::string> cors_origins;  // "*" allows any origin
  std::uint32_t api_rate_per_minute = 0;  // per API client; 0: unlimited
  std::string connector = "http";         // the instance's name, for the log
};

class FrontDoor final : public Handler {
 public:
  FrontDoor(Router& router, ApiKeys keys, FrontDoorOptions options)
      : router_(router),
        keys_(std::move(keys)),
        options_(std::move(options)),
        api_limit_(options_.api_rate_per_minute) {}

  BodyPlan plan_body(const RequestHeader& head, std::string_view path, const std::string& client) override;
  void handle(Request request, Reply reply) override;
  void answered(std::uint8_t route_class, unsigned status, std::chrono::nanoseconds took) override;
  const RequestMetrics& request_metrics() const { return metrics_; }

 private:
  // nullptr and the answer to give when the caller may not use `route`.
  const Principal* admit(const Route& route, const Request& request, std::optional<Response>& refusal);
  void log_refusal(const Request& request, const std::string& why) const;
  Response preflight(const Request& request) const;
  void add_cors(const Request& request, Response& response) const;

  Router& router_;
  ApiKeys keys_;
  FrontDoorOptions options_;
  RateLimiter api_limit_;
  RequestMetrics metrics_;
};

}  // namespace leadhub::connectors::http
