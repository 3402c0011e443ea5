// The closed code lists of the canonical model, each with its wire name.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace leadhub {

enum class LeadStatus { open, in_process, qualified, accepted, converted, declined, closed };
enum class Qualification { cold, warm, hot };
enum class Priority { low, normal, high, immediate };
enum class LeadSource { web_form, lettershop, call_center, partner, trade_show, import, api };
enum class ProspectKind { person, organization };
enum class PartnerKind { account, contact };

std::string_view to_string(LeadStatus v);
std::string_view to_string(Qualification v);
std::string_view to_string(Priority v);
std::string_view to_string(LeadSource v);
std::string_view to_string(ProspectKind v);
std::string_view to_string(PartnerKind v);

// parse_enum<T>("hot") -> Qualification::hot; nullopt for unknown names.
template <typename T>
std::optional<T> parse_enum(std::string_view text);

// The wire names of T in declaration order, for error messages and schemas.
template <typename T>
std::span<const std::string_view> enum_names();

}  // namespace leadhub
