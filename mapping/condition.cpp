#include "condition.hpp"

#include <re2/re2.h>

namespace leadhub::mapping {

std::string_view trimmed(std::string_view s) {
  const auto* ws = " \t\r\n\v\f";
  const auto b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  return s.substr(b, s.find_last_not_of(ws) - b + 1);
}

bool regex_finds(const re2::RE2& pattern, std::string_view value) {
  return re2::RE2::PartialMatch(re2::StringPiece(value.data(), value.size()), pattern);
}

}  // namespace leadhub::mapping
