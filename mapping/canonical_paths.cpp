#include "canonical_paths.hpp"

#include <array>

#include "json/lead_fields.hpp"

namespace leadhub::mapping {
namespace {

constexpr std::array<std::string_view, 13> kCommandTargets = {
    "target.id",           "target.version", "target.ref_system", "target.ref_id", "query.status",
    "query.owner",         "query.source",   "query.campaign",    "query.email",   "query.phone",
    "query.changed_since", "query.limit",    "query.after"};

}  // namespace

ValueType of_form(json::FieldForm form) {
  switch (form) {
    case json::FieldForm::whole_number:
      return ValueType::integer;
    case json::FieldForm::boolean:
      return ValueType::boolean;
    case json::FieldForm::text:
      break;
  }
  return ValueType::text;
}

bool is_lead_target(std::string_view path) { return json::find_lead_field(path) != nullptr; }

bool is_command_target(std::string_view path) {
  for (auto t : kCommandTargets) {
    if (t == path) return true;
  }
  return false;
}

bool is_group(std::string_view target) { return json::is_lead_group(target); }

bool is_group_member(std::string_view group, std::string_view member) {
  return json::find_lead_item_field(group, member) != nullptr;
}

ValueType value_type(std::string_view path) {
  if (path == "target.version" || path == "query.limit") return ValueType::integer;
  const auto* field = json::find_lead_field(path);
  return field != nullptr ? of_form(field->form) : ValueType::text;
}

ValueType item_value_type(std::string_view group, std::string_view member) {
  const auto* field = json::find_lead_item_field(group, member);
  return field != nullptr ? of_form(field->form) : ValueType::text;
}

}  // namespace leadhub::mapping
