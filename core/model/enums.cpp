#include "model/enums.hpp"

#include <array>

namespace leadhub {
namespace {

constexpr std::array<std::string_view, 7> kStatus = {"open",      "in_process", "qualified", "accepted",
                                                     "converted", "declined",   "closed"};
constexpr std::array<std::string_view, 3> kQualification = {"cold", "warm", "hot"};
constexpr std::array<std::string_view, 4> kPriority = {"low", "normal", "high", "immediate"};
constexpr std::array<std::string_view, 7> kSource = {"web_form",   "lettershop", "call_center", "partner",
                                                     "trade_show", "import",     "api"};
constexpr std::array<std::string_view, 2> kProspectKind = {"person", "organization"};
constexpr std::array<std::string_view, 2> kPartnerKind = {"account", "contact"};

template <typename T, std::size_t N>
std::optional<T> find_name(const std::array<std::string_view, N>& names, std::string_view text) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == text) return static_cast<T>(i);
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(LeadStatus v) { return kStatus.at(static_cast<std::size_t>(v)); }
std::string_view to_string(Qualification v) { return kQualification.at(static_cast<std::size_t>(v)); }
std::string_view to_string(Priority v) { return kPriority.at(static_cast<std::size_t>(v)); }
std::string_view to_string(LeadSource v) { return kSource.at(static_cast<std::size_t>(v)); }
std::string_view to_string(ProspectKind v) { return kProspectKind.at(static_cast<std::size_t>(v)); }
std::string_view to_string(PartnerKind v) { return kPartnerKind.at(static_cast<std::size_t>(v)); }

#define LEADHUB_ENUM_TABLE(Type, table)                         \
  template <>                                                   \
  std::optional<Type> parse_enum<Type>(std::string_view text) { \
    return find_name<Type>(table, text);                        \
  }                                                             \
  template <>                                                   \
  std::span<const std::string_view> enum_names<Type>() {        \
    return table;                                               \
  }

LEADHUB_ENUM_TABLE(LeadStatus, kStatus)
LEADHUB_ENUM_TABLE(Qualification, kQualification)
LEADHUB_ENUM_TABLE(Priority, kPriority)
LEADHUB_ENUM_TABLE(LeadSource, kSource)
LEADHUB_ENUM_TABLE(ProspectKind, kProspectKind)
LEADHUB_ENUM_TABLE(PartnerKind, kPartnerKind)

#undef LEADHUB_ENUM_TABLE

}  // namespace leadhub
