// Internal: small helpers for reading the processing config with yaml-cpp.
// Every error names "file:line:col" of the node at fault. Not a public header:
// yaml-cpp stays out of the library's interface.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace leadhub::processing::yaml {

// The parse context: the file name used in messages.
struct Source {
  std::string file;
};

Error error_at(const Source& src, const YAML::Node& node, const std::string& message);

// Each reader returns the value or an Error pointing at the node.
Result<std::string> scalar(const Source& src, const YAML::Node& node, const std::string& what);
Result<double> number(const Source& src, const YAML::Node& node, const std::string& what);
Result<bool> boolean(const Source& src, const YAML::Node& node, const std::string& what);
// A scalar or a sequence of scalars.
Result<std::vector<std::string>> string_list(const Source& src, const YAML::Node& node, const std::string& what);

// Refuses keys other than `allowed`, so a typo in the config is not silently ignored.
Status only_keys(const Source& src, const YAML::Node& map, std::initializer_list<const char*> allowed);

// A key given twice in one mapping: yaml-cpp keeps both and a lookup finds only
// one, so the other would be ignored without a word.
struct RepeatedKey {
  YAML::Node at;  // the key's second time
  std::string key;
  std::string parent;      // the key whose value the mapping is ("" at the top)
  std::size_t first_line;  // 1-based line of its first time
};
// The first key given twice in one mapping anywhere under `node` (shared with the
// mapping loader, mapping/loader_support.cpp).
std::optional<RepeatedKey> repeated_key(const YAML::Node& node, const std::string& parent = "");

// Refuses a key given twice in one mapping anywhere under `node`, naming both lines.
Status unique_keys(const Source& src, const YAML::Node& node);

}  // namespace leadhub::processing::yaml
