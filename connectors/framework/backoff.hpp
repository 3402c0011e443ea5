// Exponential backoff with a cap: initial, 2x, 4x, ... up to max; reset by a success.
// The event routes' retries (connectors/events/lane) and the amqp connector's
// links (connectors/amqp/link_recovery) use it.
#pragma once

#include <algorithm>
#include <chrono>

namespace leadhub::connectors {

class Backoff {
 public:
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max) : initial_(initial), max_(max) {}
  // The delay before the next attempt; each call doubles the one after.
  std::chrono::milliseconds next() {
    const auto delay = next_.count() == 0 ? initial_ : next_;
    next_ = std::min(max_, delay * 2);
    return delay;
  }
  void reset() { next_ = std::chrono::milliseconds(0); }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  std::chrono::milliseconds next_{0};
};

}  // namespace leadhub::connectors
