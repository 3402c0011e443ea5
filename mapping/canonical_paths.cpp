#include "canonical_paths.hpp"

#include <array>

namespace leadhub::mapping {
namespace {

constexpr std::array<std::string_view, 32> kLeadTargets = {"subject",
                                                           "status",
                                                           "qualification",
                                                           "priority",
                                                           "score",
                                                           "source",
                                                           "campaign",
                                                           "prospect.kind",
                                                           "prospect.partner_id",
                                                           "prospect.company",
                                                           "prospect.given_name",
                                                           "prospect.family_name",
                                                           "prospect.email",
                                                           "prospect.phone",
                                                           "prospect.language",
                                                           "prospect.address.street",
                                                           "prospect.address.postal_code",
                                                           "prospect.address.city",
                                                           "prospect.address.region",
                                                           "prospect.address.country",
                                                           "expected_value.amount",
                                                           "expected_value.currency",
                                                           "owner.channel",
                                                           "owner.assignee",
                                                           "consent.marketing",
                                                           "consent.at",
                                                           "consent.text",
                                                           "follow_up",
                                                           "reason",
                                                           "opportunity_ref",
                                                           "duplicate_of",
                                                           "id"};

constexpr std::array<std::string_view, 13> kCommandTargets = {
    "target.id",           "target.version", "target.ref_system", "target.ref_id", "query.status",
    "query.owner",         "query.source",   "query.campaign",    "query.email",   "query.phone",
    "query.changed_since", "query.limit",    "query.after"};

struct Group {
  std::string_view name;
  std::array<std::string_view, 5> members;
};

constexpr std::array<Group, 4> kGroups = {{
    {"interests", {"product", "quantity", "", "", ""}},
    {"external_refs", {"system", "id", "", "", ""}},
    {"notes", {"at", "author", "text", "", ""}},
    {"attachments", {"name", "media_type", "size", "sha256", "uri"}},
}};

}  // namespace

bool is_lead_target(std::string_view path) {
  if (path.rfind("attributes.", 0) == 0) return path.size() > 11;
  for (auto t : kLeadTargets) {
    if (t == path && t != "id") return true;
  }
  return false;
}

bool is_command_target(std::string_view path) {
  for (auto t : kCommandTargets) {
    if (t == path) return true;
  }
  return false;
}

bool is_group(std::string_view target) {
  for (const auto& g : kGroups) {
    if (g.name == target) return true;
  }
  return false;
}

bool is_group_member(std::string_view group, std::string_view member) {
  for (const auto& g : kGroups) {
    if (g.name != group) continue;
    for (auto m : g.members) {
      if (!m.empty() && m == member) return true;
    }
  }
  return false;
}

ValueType value_type(std::string_view path) {
  if (path == "score" || path == "quantity" || path == "size" || path == "target.version" || path == "query.limit") {
    return ValueType::integer;
  }
  if (path == "consent.marketing") return ValueType::boolean;
  return ValueType::text;
}

}  // namespace leadhub::mapping
