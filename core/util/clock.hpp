// Time as milliseconds since the Unix epoch (UTC), behind an interface so tests
// can move time by hand (aging, changed-since queries, id ordering).
#pragma once

#include <atomic>
#include <cstdint>

namespace leadhub {

using TimeMs = std::int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual TimeMs now_ms() const = 0;
};

class SystemClock final : public Clock {
 public:
  TimeMs now_ms() const override;
  static const SystemClock& instance();
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(TimeMs start) : now_(start) {}
  TimeMs now_ms() const override { return now_.load(); }
  void advance_ms(TimeMs delta) { now_ += delta; }
  void set_ms(TimeMs t) { now_ = t; }

 private:
  std::atomic<TimeMs> now_;
};

}  // namespace leadhub
