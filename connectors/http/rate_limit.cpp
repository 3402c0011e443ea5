#include "rate_limit.hpp"

#include <algorithm>
#include <cmath>

namespace leadhub::connectors::http {

bool RateLimiter::admit(const std::string& client, std::uint32_t& retry_after_seconds) {
  if (per_minute_ == 0) return true;
  const auto now = std::chrono::steady_clock::now();
  const double capacity = per_minute_;
  const double per_second = per_minute_ / 60.0;
  std::lock_guard lock(mutex_);
  if (buckets_.size() > 100'000) forget_idle(now);
  auto [it, fresh] = buckets_.try_emplace(client, Bucket{capacity, now});
  auto& b = it->second;
  if (!fresh) {
    const double elapsed = std::chrono::duration<double>(now - b.at).count();
    b.tokens = std::min(capacity, b.tokens + elapsed * per_second);
    b.at = now;
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return true;
  }
  retry_after_seconds = static_cast<std::uint32_t>(std::ceil((1.0 - b.tokens) / per_second));
  return false;
}

// A bucket that has refilled completely is the same as no bucket.
void RateLimiter::forget_idle(std::chrono::steady_clock::time_point now) {
  const auto full_after = std::chrono::duration<double>(60.0);
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    if (now - it->second.at > full_after)
      it = buckets_.erase(it);
    else
      ++it;
  }
}

}  // namespace leadhub::connectors::http
