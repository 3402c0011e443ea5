// Canonical field paths ("prospect.address.country", "attributes.house_year")
// resolved once at config load, then read from a lead without string parsing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/lead.hpp"

namespace leadhub::processing {

class FieldPath {
 public:
  // nullopt for a path the canonical model does not have (a config error).
  static std::optional<FieldPath> parse(std::string_view path);

  // The values at this path: none when absent or empty, several for arrays
  // (interests.product). Enums by their wire name, numbers as decimal text.
  std::vector<std::string> values(const Lead& lead) const;

  const std::string& text() const { return text_; }

  // The paths parse() accepts (attributes.* stands for any attribute key).
  static std::vector<std::string_view> known_paths();

 private:
  std::string text_;
  int index_ = -1;         // into the accessor table in field_path.cpp
  std::string attribute_;  // for attributes.KEY
};

}  // namespace leadhub::processing
