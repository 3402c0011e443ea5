// Conditions written in YAML the way the processing config writes them
// (field + equals / in / prefix / regex / range / present / absent, combined
// with all / any / not), for other parts of the configuration such as event
// routes. Errors are ErrorCode::invalid with "FILE:LINE:COL: reason".
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "processing/condition.hpp"
#include "util/result.hpp"

namespace leadhub::processing {

Result<Condition> condition_from_yaml(const YAML::Node& node, const std::string& file);

}  // namespace leadhub::processing
