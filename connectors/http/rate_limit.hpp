// A token bucket per client (IP address or API key): `per_minute` requests a
// minute on average, bursts up to the same number. Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace leadhub::connectors::http {

class RateLimiter {
 public:
  explicit RateLimiter(std::uint32_t per_minute) : per_minute_(per_minute) {}
  bool enabled() const { return per_minute_ > 0; }
  // True when `client` may go on now; otherwise the seconds until it may retry.
  bool admit(const std::string& client, std::uint32_t& retry_after_seconds);

 private:
  struct Bucket {
    double tokens = 0;
    std::chrono::steady_clock::time_point at;
  };
  void forget_idle(std::chrono::steady_clock::time_point now);

  std::uint32_t per_minute_;
  std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace leadhub::connectors::http
