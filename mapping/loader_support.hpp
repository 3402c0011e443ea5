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
};

// Turns a condition's `field:` into a path: a source path inbound, a canonical one outbound.
using PathCompiler = std::function<Result<SourcePath>(const std::string& text, const YAML::Node& where)>;

// {field: F, equals|not_equals|in|present|absent|matches: ...}, or {all|any|none: [conditions]}.
Result<Condition> load_condition(const YAML::Node& node, const LoadContext& ctx, const PathCompiler& compile);

// The `outbound:` section.
Result<OutboundSpec> load_outbound(const YAML::Node& node, const MappingSpec& spec, const LoadContext& ctx);

}  // namespace leadhub::mapping
