// Record ids: 64 bits, time-ordered, unique, and carrying a partition number so a
// later scale-out can route Read/Change straight to the instance owning it.
//
//   | 42 bits: ms since 2024-01-01 UTC | 12 bits: sequence | 10 bits: partition |
//
// Written as 13 Crockford base32 characters (e.g. "0F3KXW2R1C000"); the text sorts
// like the number, and the store keys records by the 8 big-endian bytes, so id order
// is creation order. 42 bits of milliseconds last until the year 2163.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/clock.hpp"

namespace leadhub {

class RecordId {
 public:
  static constexpr int kPartitionBits = 10;
  static constexpr int kSequenceBits = 12;
  static constexpr std::uint32_t kMaxPartition = (1U << kPartitionBits) - 1;
  static constexpr TimeMs kEpochMs = 1'704'067'200'000;  // 2024-01-01T00:00:00Z

  constexpr RecordId() = default;
  constexpr explicit RecordId(std::uint64_t raw) : raw_(raw) {}

  static std::optional<RecordId> parse(std::string_view text);
  std::string to_string() const;

  std::uint64_t raw() const { return raw_; }
  std::uint32_t partition() const { return static_cast<std::uint32_t>(raw_ & kMaxPartition); }
  TimeMs time_ms() const { return static_cast<TimeMs>(raw_ >> (kPartitionBits + kSequenceBits)) + kEpochMs; }
  bool empty() const { return raw_ == 0; }

  // Big-endian bytes: the LMDB key, so byte order equals numeric order.
  void to_key(unsigned char out[8]) const;
  static RecordId from_key(const void* bytes);

  friend bool operator==(RecordId a, RecordId b) { return a.raw_ == b.raw_; }
  friend auto operator<=>(RecordId a, RecordId b) { return a.raw_ <=> b.raw_; }

 private:
  std::uint64_t raw_ = 0;
};

// Hands out strictly increasing ids for one partition, from any thread. If more
// than 4096 ids are asked for within one millisecond, or the clock steps back, it
// borrows from the next milliseconds rather than repeat or reorder.
class IdGenerator {
 public:
  IdGenerator(const Clock& clock, std::uint32_t partition);
  RecordId next();
  // Never hand out an id at or below this one (seeded from the store at open).
  void observe(RecordId existing);

 private:
  const Clock& clock_;
  std::uint32_t partition_;
  std::atomic<std::uint64_t> last_{0};
};

}  // namespace leadhub
