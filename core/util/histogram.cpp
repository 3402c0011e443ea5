#include "util/histogram.hpp"

namespace leadhub {

Histogram::Histogram(std::initializer_list<std::uint64_t> upper_bounds) {
  for (const auto bound : upper_bounds) {
    if (bound_count_ == kMaxBounds) break;
    bounds_[bound_count_++] = bound;
  }
}

// A linear scan: a dozen bounds, most values landing in the first few, beats a
// binary search's branches.
void Histogram::observe(std::uint64_t value) {
  std::size_t bucket = 0;
  while (bucket < bound_count_ && value > bounds_[bucket]) ++bucket;
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

HistogramSnapshot Histogram::snapshot() const {
  HistogramSnapshot s;
  s.upper_bounds.assign(bounds_.begin(), bounds_.begin() + static_cast<std::ptrdiff_t>(bound_count_));
  s.counts.reserve(bound_count_ + 1);
  for (std::size_t i = 0; i <= bound_count_; ++i) {
    s.counts.push_back(counts_[i].load(std::memory_order_relaxed));
    s.count += s.counts.back();
  }
  s.sum = sum_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace leadhub
