// Shared pieces of the mapping-file loader (spec_loader.cpp, outbound_loader.cpp):
// positions and key checks for errors, and `when:` conditions.
#pragma once

#include <yaml-cpp/yaml.h>

#include <functional>
#include <initializer_list>
#include <string>

#include "condition.hpp"
#include "spec.hpp"

namespace leadhub::mapping {

struct LoadContext {
  std::string file;

  std::string at(const YAML::Node& n) const { return yaml_position(file, n); }
  static Error fail_at(const std::string& where, const std::string& reason) {
    return Error::make(ErrorCode::invalid, where + ": " + reason);
  }
  // Refuses keys not in `known`, naming the ones that are.
  Status check_keys(const YAML::Node& map, std::initializer_list<const char*> known) const;
  // A YAML boolean (true/false, yes/no, on/off), else an error naming `key` and the value:
  // yaml-cpp's own "bad conversion" names neither.
  Result<bool> boolean(const YAML::Node& node, const std::string& key) const;
  // A whole number from 0, else an error naming `key` and the value.
  Result<std::size_t> count(const YAML::Node& node, const std::string& key) const;
};

// Refuses a key given twice in one YAML mapping anywhere under `root`, naming both
// places: yaml-cpp keeps the last silently, so a second rule for a target would drop
// the first without a word.
Status check_unique_keys(const YAML::Node& root, const LoadContext& ctx);

// An element name written with a namespace prefix in an XPath (`p:Lead` in
// `/p:Leads/p:Lead`), or "" when there is none. The XML reader matches elements by
// local name whatever prefix the sender chose, so such a step never matches.
// Attributes (`@xsi:type`), axes (`self::Lead`) and string literals are not steps.
std::string prefixed_element_step(const std::string& xpath);

// `xpath` with the prefixes of its element steps removed: what to write instead.
std::string without_element_prefixes(const std::string& xpath);

// Turns a condition's `field:` into a path: a source path inbound, a canonical one outbound.
using PathCompiler = std::function<Result<SourcePath>(const std::string& text, const YAML::Node& where)>;

// {field: F, equals|not_equals|in|present|absent|matches: ...}, or {all|any|none: [conditions]}.
Result<Condition> load_condition(const YAML::Node& node, const LoadContext& ctx, const PathCompiler& compile);

// The `outbound:` section.
Result<OutboundSpec> load_outbound(const YAML::Node& node, const MappingSpec& spec, const LoadContext& ctx);

}  // namespace leadhub::mapping
