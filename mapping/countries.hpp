// Country names and codes to ISO 3166-1 alpha-2.
#pragma once
#include <optional>
#include <string>
#include <string_view>
namespace leadhub::mapping {
// Accepts an alpha-2 code ("de", "DE"), an alpha-3 code ("DEU"), a numeric code ("276"),
// or a country name in English, German or French, in any case, with or without
// diacritics and surrounding spaces ("Deutschland", "Germany", "Allemagne", "Österreich",
// "Oesterreich", "Osterreich", "United States", "USA", "U.S.A.", "UK", "Great Britain",
// "Schweiz", "Suisse", "Czechia", "Czech Republic", "Tschechien", ...). Returns the upper-case
// alpha-2 code, or nullopt when unknown.
std::optional<std::string> to_iso_country(std::string_view text);
}  // namespace leadhub::mapping
