#include "model/ids.hpp"

#include <array>

namespace leadhub {
namespace {

constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
constexpr int kTextLength = 13;  // ceil(64 / 5)

int decode_char(char c) {
  if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  if (c == 'O') c = '0';
  if (c == 'I' || c == 'L') c = '1';
  const auto pos = kAlphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

}  // namespace

std::optional<RecordId> RecordId::parse(std::string_view text) {
  if (text.size() != kTextLength) return std::nullopt;
  std::uint64_t raw = 0;
  for (int i = 0; i < kTextLength; ++i) {
    const int v = decode_char(text[static_cast<std::size_t>(i)]);
    if (v < 0) return std::nullopt;
    if (i == 0 && v > 0xF) return std::nullopt;  // first char holds only 4 bits
    raw = (raw << 5) | static_cast<std::uint64_t>(v);
  }
  if (raw == 0) return std::nullopt;
  return RecordId(raw);
}

std::string RecordId::to_string() const {
  std::string out(kTextLength, '0');
  std::uint64_t v = raw_;
  for (int i = kTextLength - 1; i >= 0; --i) {
    out[static_cast<std::size_t>(i)] = kAlphabet[v & 31U];
    v >>= 5;
  }
  return out;
}

void RecordId::to_key(unsigned char out[8]) const {
  for (int i = 0; i < 8; ++i) out[i] = static_cast<unsigned char>(raw_ >> (56 - 8 * i));
}

RecordId RecordId::from_key(const void* bytes) {
  const auto* b = static_cast<const unsigned char*>(bytes);
  std::uint64_t raw = 0;
  for (int i = 0; i < 8; ++i) raw = (raw << 8) | b[i];
  return RecordId(raw);
}

IdGenerator::IdGenerator(const Clock& clock, std::uint32_t partition)
    : clock_(clock), partition_(partition & RecordId::kMaxPartition) {}

RecordId IdGenerator::next() {
  constexpr int kShift = RecordId::kPartitionBits + RecordId::kSequenceBits;
  const auto ms = static_cast<std::uint64_t>(clock_.now_ms() - RecordId::kEpochMs);
  const std::uint64_t floor = (ms << kShift) | partition_;
  std::uint64_t last = last_.load(std::memory_order_relaxed);
  std::uint64_t candidate = 0;
  do {
    // One step of the sequence is 1 << kPartitionBits; its carry moves into the
    // millisecond bits, which keeps ids increasing under any load.
    candidate = floor > last ? floor : last + (1ULL << RecordId::kPartitionBits);
  } while (!last_.compare_exchange_weak(last, candidate, std::memory_order_relaxed));
  return RecordId(candidate);
}

void IdGenerator::observe(RecordId existing) {
  // Keep our partition bits: align the observed value to this partition.
  const std::uint64_t aligned = (existing.raw() & ~static_cast<std::uint64_t>(RecordId::kMaxPartition)) | partition_;
  std::uint64_t last = last_.load();
  while (aligned > last && !last_.compare_exchange_weak(last, aligned)) {}
}

}  // namespace leadhub
