#include "processing/yaml_support.hpp"

#include <algorithm>
#include <charconv>

#include "json/decode.hpp"

namespace leadhub::processing::yaml {

Error error_at(const Source& src, const YAML::Node& node, const std::string& message) {
  const YAML::Mark mark = node.Mark();
  std::string where = src.file;
  if (!mark.is_null()) where += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
  return Error::make(ErrorCode::invalid, where + ": " + message);
}

Result<std::string> scalar(const Source& src, const YAML::Node& node, const std::string& what) {
  if (!node.IsScalar()) return error_at(src, node, what + " must be a single value");
  return node.Scalar();
}

Result<double> number(const Source& src, const YAML::Node& node, const std::string& what) {
  auto text = scalar(src, node, what);
  if (!text) return text.error();
  double value = 0;
  const std::string& s = *text;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return error_at(src, node, what + " must be a number");
  return value;
}

Result<bool> boolean(const Source& src, const YAML::Node& node, const std::string& what) {
  auto text = scalar(src, node, what);
  if (!text) return text.error();
  if (*text == "true" || *text == "yes") return true;
  if (*text == "false" || *text == "no") return false;
  return error_at(src, node, what + " must be true or false");
}

Result<std::vector<std::string>> string_list(const Source& src, const YAML::Node& node, const std::string& what) {
  std::vector<std::string> out;
  if (node.IsScalar()) {
    out.push_back(node.Scalar());
    return out;
  }
  if (!node.IsSequence()) return error_at(src, node, what + " must be a value or a list of values");
  for (const YAML::Node& item : node) {
    auto text = scalar(src, item, what + " item");
    if (!text) return text.error();
    out.push_back(std::move(*text));
  }
  return out;
}

Status only_keys(const Source& src, const YAML::Node& map, std::initializer_list<const char*> allowed) {
  if (!map.IsMap()) return error_at(src, map, "expected a mapping");
  for (const auto& item : map) {
    const std::string key = item.first.Scalar();
    bool known = false;
    for (const char* a : allowed) known = known || key == a;
    if (known) continue;
    return error_at(src, item.first, json::unknown_key(key, allowed));
  }
  return ok_status();
}

std::optional<RepeatedKey> repeated_key(const YAML::Node& node, const std::string& parent) {
  if (node.IsSequence()) {
    for (const auto& item : node) {
      if (auto repeated = repeated_key(item, parent)) return repeated;
    }
  }
  if (!node.IsMap()) return std::nullopt;
  std::vector<std::pair<std::string, YAML::Mark>> seen;
  for (const auto& item : node) {
    const std::string key = item.first.IsScalar() ? item.first.Scalar() : "";
    const auto first = std::find_if(seen.begin(), seen.end(), [&](const auto& s) { return s.first == key; });
    if (!key.empty() && first != seen.end()) {
      return RepeatedKey{item.first, key, parent, static_cast<std::size_t>(first->second.line) + 1};
    }
    seen.emplace_back(key, item.first.Mark());
    if (auto repeated = repeated_key(item.second, key)) return repeated;
  }
  return std::nullopt;
}

Status unique_keys(const Source& src, const YAML::Node& node) {
  const auto repeated = repeated_key(node);
  if (!repeated) return ok_status();
  return error_at(src, repeated->at,
                  "'" + repeated->key + "' is given twice in this block (also at line " +
                      std::to_string(repeated->first_line) + "); only one would be used: which one is meant?");
}

}  // namespace leadhub::processing::yaml
