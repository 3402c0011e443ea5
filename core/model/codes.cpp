#include "model/codes.hpp"

#include <array>
#include <cstdint>

namespace leadhub {
namespace {

// All officially assigned ISO 3166-1 alpha-2 codes (249), space separated.
constexpr std::string_view kCountries =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY "
    "BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK "
    "FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR "
    "IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK "
    "ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM "
    "PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF "
    "TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

// Active ISO 4217 currency codes plus the precious metals and XXX/XTS left out.
constexpr std::string_view kCurrencies =
    "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD CAD CDF "
    "CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD HKD "
    "HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD "
    "MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN "
    "PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP "
    "TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG ZWL";

// A code of `width` upper-case letters as a number below 26^width; -1 for anything else.
constexpr int code_number(std::string_view code, std::size_t width) {
  if (code.size() != width) return -1;
  int n = 0;
  for (const char c : code) {
    if (c < 'A' || c > 'Z') return -1;
    n = n * 26 + (c - 'A');
  }
  return n;
}

// The list as a bit per possible code: validation checks a country on every lead,
// and scanning the list took more than checking the rest of the address.
template <std::size_t Width, std::size_t Codes>
struct CodeSet {
  std::array<std::uint64_t, (Codes + 63) / 64> bits{};
  constexpr explicit CodeSet(std::string_view list) {
    for (std::size_t pos = 0; pos + Width <= list.size(); pos += Width + 1) {
      const auto n = static_cast<std::size_t>(code_number(list.substr(pos, Width), Width));
      bits[n / 64] |= std::uint64_t{1} << (n % 64);
    }
  }
  constexpr bool contains(std::string_view code) const {
    const int n = code_number(code, Width);
    return n >= 0 && ((bits[static_cast<std::size_t>(n) / 64] >> (static_cast<std::size_t>(n) % 64)) & 1U) != 0;
  }
};

constexpr std::size_t kLetters = 26;
constexpr CodeSet<2, kLetters * kLetters> kCountrySet(kCountries);
constexpr CodeSet<3, kLetters * kLetters * kLetters> kCurrencySet(kCurrencies);

}  // namespace

bool is_iso_country(std::string_view alpha2) { return kCountrySet.contains(alpha2); }
bool is_iso_currency(std::string_view alpha3) { return kCurrencySet.contains(alpha3); }

}  // namespace leadhub
