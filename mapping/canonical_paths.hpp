// The canonical targets a mapping may write, and how each is typed in JSON.
#pragma once

#include <string_view>

#include "json/lead_fields.hpp"

namespace leadhub::mapping {

// How a value is written in JSON: text as a string, the others unquoted when the
// value has their form (anything else stays a string, never silently changed).
enum class ValueType { text, integer, number, boolean };

ValueType of_form(json::FieldForm form);

// Lead paths (prospect.email, attributes.X, ...: core's json/lead_fields.hpp) and
// command paths (target.id, query.status, ...); false when unknown.
bool is_lead_target(std::string_view path);
bool is_command_target(std::string_view path);
bool is_group(std::string_view target);
bool is_group_member(std::string_view group, std::string_view member);
ValueType value_type(std::string_view path);  // a lead field or a command path
ValueType item_value_type(std::string_view group, std::string_view member);

}  // namespace leadhub::mapping
