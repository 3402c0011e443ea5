// A `when:` condition: one test on a value, or all / any / not of others. Inbound
// rules test source values (CSV column, XPath, JSON Pointer, form field); outbound
// rules test canonical values. The same struct serves both: only how a path is
// read differs, so evaluation takes the reader as a parameter.
#pragma once

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "record.hpp"

namespace re2 {
class RE2;
}

namespace leadhub::mapping {

struct Condition {
  enum class Test { equals, not_equals, in, present, absent, matches, all, any, none };
  SourcePath source;  // for the single tests
  Test test = Test::present;
  std::vector<std::string> values;
  std::shared_ptr<re2::RE2> pattern;
  std::vector<Condition> parts;  // all / any / none
};

// The sources a condition reads, its nested parts' too, in the order written.
std::vector<const SourcePath*> condition_sources(const Condition& c);

// Values are compared after trimming (the partner's padding is no difference).
std::string_view trimmed(std::string_view s);
bool regex_finds(const re2::RE2& pattern, std::string_view value);

// `read(path)` gives the value at a path, or nullopt when there is none.
template <typename Read>
bool holds(const Condition& c, const Read& read) {
  using Test = Condition::Test;
  switch (c.test) {
    case Test::all:
      return std::all_of(c.parts.begin(), c.parts.end(), [&](const Condition& p) { return holds(p, read); });
    case Test::any:
      return std::any_of(c.parts.begin(), c.parts.end(), [&](const Condition& p) { return holds(p, read); });
    case Test::none:
      return std::none_of(c.parts.begin(), c.parts.end(), [&](const Condition& p) { return holds(p, read); });
    default:
      break;
  }
  const std::optional<std::string> value = read(c.source);
  const std::string_view v = value ? trimmed(*value) : std::string_view{};
  switch (c.test) {
    case Test::present:
      return !v.empty();
    case Test::absent:
      return v.empty();
    case Test::equals:
      return value && v == c.values[0];
    case Test::not_equals:
      return !value || v != c.values[0];
    case Test::in:
      return value && std::find(c.values.begin(), c.values.end(), v) != c.values.end();
    case Test::matches:
      return value && regex_finds(*c.pattern, *value);
    default:
      return false;
  }
}

}  // namespace leadhub::mapping
