#include "processing/similarity.hpp"

#include <algorithm>
#include <array>
#include <vector>

#include "processing/normalize.hpp"

namespace leadhub::processing {

namespace {
// Names and company words are short; a fixed buffer keeps the hot path free of
// allocation. Longer input falls back to a vector.
constexpr std::size_t kStackLength = 64;
}  // namespace

double jaro(std::string_view a, std::string_view b) {
  if (a.empty() && b.empty()) return 1.0;
  if (a.empty() || b.empty()) return 0.0;
  if (a == b) return 1.0;
  const std::size_t window = std::max<std::size_t>(std::max(a.size(), b.size()) / 2, 1) - 1;
  std::array<bool, kStackLength> a_stack{}, b_stack{};
  std::vector<bool> a_heap, b_heap;
  const bool small = a.size() <= kStackLength && b.size() <= kStackLength;
  if (!small) {
    a_heap.assign(a.size(), false);
    b_heap.assign(b.size(), false);
  }
  auto a_matched = [&](std::size_t i) -> bool { return small ? a_stack[i] : a_heap[i]; };
  auto b_matched = [&](std::size_t i) -> bool { return small ? b_stack[i] : b_heap[i]; };
  auto set_a = [&](std::size_t i) { small ? (a_stack[i] = true) : (a_heap[i] = true); };
  auto set_b = [&](std::size_t i) { small ? (b_stack[i] = true) : (b_heap[i] = true); };

  std::size_t matches = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    std::size_t lo = i > window ? i - window : 0;
    std::size_t hi = std::min(i + window + 1, b.size());
    for (std::size_t j = lo; j < hi; ++j) {
      if (b_matched(j) || a[i] != b[j]) continue;
      set_a(i);
      set_b(j);
      ++matches;
      break;
    }
  }
  if (matches == 0) return 0.0;
  std::size_t transpositions = 0;
  for (std::size_t i = 0, j = 0; i < a.size(); ++i) {
    if (!a_matched(i)) continue;
    while (!b_matched(j)) ++j;
    if (a[i] != b[j]) ++transpositions;
    ++j;
  }
  const double m = static_cast<double>(matches);
  return (m / static_cast<double>(a.size()) + m / static_cast<double>(b.size()) +
          (m - static_cast<double>(transpositions) / 2.0) / m) /
         3.0;
}

double jaro_winkler(std::string_view a, std::string_view b) {
  const double j = jaro(a, b);
  std::size_t prefix = 0;
  while (prefix < 4 && prefix < a.size() && prefix < b.size() && a[prefix] == b[prefix]) ++prefix;
  return j + static_cast<double>(prefix) * 0.1 * (1.0 - j);
}

namespace {

double pair_similarity(std::string_view given_a, std::string_view family_a, std::string_view given_b,
                       std::string_view family_b) {
  const double family = jaro_winkler(family_a, family_b);
  if (given_a.empty() || given_b.empty()) return family * 0.95;
  return (jaro_winkler(given_a, given_b) + 2.0 * family) / 3.0;
}

}  // namespace

double name_similarity(std::string_view given_a, std::string_view family_a, std::string_view given_b,
                       std::string_view family_b) {
  if (family_a.empty() || family_b.empty()) return 0.0;
  const double straight = pair_similarity(given_a, family_a, given_b, family_b);
  if (given_a.empty() || given_b.empty()) return straight;
  // Given and family name swapped by a form or a call-centre agent.
  const double crossed = pair_similarity(family_a, given_a, given_b, family_b);
  return std::max(straight, crossed);
}

namespace {

double directed_monge_elkan(const std::vector<std::string_view>& from, const std::vector<std::string_view>& to) {
  double sum = 0.0;
  for (std::string_view word : from) {
    double best = 0.0;
    for (std::string_view other : to) best = std::max(best, jaro_winkler(word, other));
    sum += best;
  }
  return sum / static_cast<double>(from.size());
}

}  // namespace

double company_similarity(std::string_view key_a, std::string_view key_b) {
  if (key_a.empty() || key_b.empty()) return 0.0;
  if (key_a == key_b) return 1.0;
  const std::vector<std::string_view> a = split_words(key_a);
  const std::vector<std::string_view> b = split_words(key_b);
  if (a.empty() || b.empty()) return 0.0;
  // The lower direction decides: "mueller" must not equal "mueller bau gruppe".
  return std::min(directed_monge_elkan(a, b), directed_monge_elkan(b, a));
}

}  // namespace leadhub::processing
