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

namespace {

void collect_sources(const Condition& c, std::vector<const SourcePath*>& out) {
  if (c.test == Condition::Test::all || c.test == Condition::Test::any || c.test == Condition::Test::none) {
    for (const auto& part : c.parts) collect_sources(part, out);
    return;
  }
  out.push_back(&c.source);
}

}  // namespace

std::vector<const SourcePath*> condition_sources(const Condition& c) {
  std::vector<const SourcePath*> out;
  collect_sources(c, out);
  return out;
}

}  // namespace leadhub::mapping
