// Where outbound values come from: a canonical lead (as parsed JSON), the find page
// ($count, $next, $more), the record's position ($index) or an error (code, message,
// fields); and how one outbound rule turns them into a party value.
#pragma once

#include <simdjson.h>

#include <optional>
#include <string>
#include <vector>

#include "outbound.hpp"

namespace leadhub::mapping {

struct ValueSource {
  const simdjson::dom::element* lead = nullptr;
  const FindPage* page = nullptr;
  const Error* error = nullptr;
  std::size_t index = 0;  // 1-based position of the lead in the document; 0: none

  std::optional<std::string> get(const std::string& from) const;
  // A source for one item of a group (`each`): its members, and the same index.
  ValueSource item(const simdjson::dom::element* element) const { return {element, nullptr, nullptr, index}; }
};

// The rule's value: nullopt when its `when` fails or it has nothing to write.
Result<std::optional<std::string>> rule_value(const OutboundRule& rule, const ValueSource& source);

// The items of the group an `each` rule names (empty when the lead has none).
std::vector<simdjson::dom::element> group_items(const OutboundRule& rule, const ValueSource& source);

// Parsed canonical leads, kept alive for the renderers.
class ParsedLeads {
 public:
  Status parse(const std::vector<Lead>& leads);
  std::size_t size() const { return elements_.size(); }
  const simdjson::dom::element& operator[](std::size_t i) const { return elements_[i]; }
  // Header and footer rules read canonical paths of the first lead (none: page only).
  ValueSource header(const FindPage& page) const;

 private:
  simdjson::dom::parser parser_;  // owns the one document: the leads as a JSON array
  std::vector<simdjson::dom::element> elements_;
};

}  // namespace leadhub::mapping
