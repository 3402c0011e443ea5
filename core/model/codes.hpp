// ISO code lists the model validates against.
#pragma once

#include <string_view>

namespace leadhub {

bool is_iso_country(std::string_view alpha2);   // ISO 3166-1 alpha-2, upper case
bool is_iso_currency(std::string_view alpha3);  // ISO 4217 active codes, upper case

}  // namespace leadhub
