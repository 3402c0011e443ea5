// How often values fell into fixed buckets, with their sum: commit latencies and
// batch sizes for monitoring. observe() takes no lock (relaxed atomics), so hot
// paths on several threads can record; a snapshot taken meanwhile may hold an
// observation's bucket without its sum, which monitoring tolerates. Its count is
// the buckets' total, so the two always agree.
// Values are integers in the caller's unit (nanoseconds, commands).
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <initializer_list>
#include <vector>

namespace leadhub {

struct HistogramSnapshot {
  std::vector<std::uint64_t> upper_bounds;  // inclusive, ascending
  std::vector<std::uint64_t> counts;        // per bucket, not cumulative; one more than bounds: above the last
  std::uint64_t sum = 0;
  std::uint64_t count = 0;  // the buckets' total
};

class Histogram {
 public:
  static constexpr std::size_t kMaxBounds = 15;
  // Ascending bounds, at most kMaxBounds (more are ignored).
  explicit Histogram(std::initializer_list<std::uint64_t> upper_bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  void observe(std::uint64_t value);
  HistogramSnapshot snapshot() const;

 private:
  std::array<std::uint64_t, kMaxBounds> bounds_{};
  std::size_t bound_count_ = 0;
  std::array<std::atomic<std::uint64_t>, kMaxBounds + 1> counts_{};
  std::atomic<std::uint64_t> sum_{0};
};

}  // namespace leadhub
