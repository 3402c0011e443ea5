// mapping/phone_fast.cpp: the fast path must give exactly what libphonenumber
// gives, or step aside. Generated numbers (international and national, with and
// without trunk prefixes, IDDs, odd lengths, separators, junk) in regions with
// plain and with regular-expression national prefixes are run through both.
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "mapping/phone_fast.hpp"

using namespace leadhub::mapping;

namespace {

// Deterministic, so a failure names an input that can be replayed.
struct Rng {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  bool chance(int percent) { return below(100) < static_cast<std::size_t>(percent); }
};

const std::vector<std::string> kRegions = {"DE", "AT", "CH", "FR", "GB", "IT", "ES", "NL", "BE", "LU", "PL", "CZ",
                                           "DK", "SE", "NO", "FI", "IE", "PT", "GR", "HU", "RO", "RU", "TR", "US",
                                           "CA", "MX", "BR", "AR", "CN", "JP", "KR", "IN", "AU", "NZ", "ZA", "IL",
                                           "AE", "SG", "HK", "LI", "SM", "VA", "GG", "IM", "ZZ", "de", "XX"};

const std::vector<std::string> kCodes = {"1",   "7",   "20",  "27",  "30",  "31",  "32",  "33",  "34",  "36",
                                         "39",  "40",  "41",  "43",  "44",  "45",  "46",  "47",  "48",  "49",
                                         "52",  "54",  "55",  "61",  "64",  "81",  "86",  "90",  "91",  "351",
                                         "352", "353", "358", "372", "378", "379", "420", "423", "800", "808",
                                         "870", "881", "882", "883", "888", "979", "210", "259", "999", "0"};

std::string digits(Rng& rng, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += static_cast<char>('0' + rng.below(10));
  return out;
}

// Writes the digits the way people do: groups split by spaces, dashes, slashes,
// dots, sometimes the area code in parentheses.
std::string with_separators(Rng& rng, const std::string& number) {
  static const char* const kSeparators[] = {" ", "-", "/", ".", " / ", "  "};
  std::string out;
  const bool parens = rng.chance(15) && number.size() > 4;
  const std::size_t area = 2 + rng.below(3);
  for (std::size_t i = 0; i < number.size(); ++i) {
    if (parens && i == 0) out += '(';
    out += number[i];
    if (parens && i + 1 == area)
      out += ") ";
    else if (i + 1 < number.size() && rng.chance(18))
      out += kSeparators[rng.below(6)];
  }
  return out;
}

std::string international(Rng& rng) {
  std::string out = rng.chance(10) ? "+ " : "+";
  out += kCodes[rng.below(kCodes.size())];
  if (rng.chance(70)) out += ' ';
  if (rng.chance(8)) out += "(0)";
  const std::size_t n = 1 + rng.below(16);
  return out + with_separators(rng, (rng.chance(10) ? "0" : "") + digits(rng, n));
}

std::string national(Rng& rng, const std::string& region) {
  std::string number;
  switch (rng.below(8)) {
    case 0:
      number = "00" + digits(rng, 1 + rng.below(14));
      break;  // an IDD
    case 1:
      number = digits(rng, 1 + rng.below(16));
      break;  // no trunk prefix
    case 2:
      number = region == "DE" ? "49" + digits(rng, 10) : "1" + digits(rng, 10);
      break;  // cc, no '+'
    case 3:
      number = "8" + digits(rng, 10);
      break;
    case 4:
      number = "06" + digits(rng, 8);
      break;
    default:
      number = "0" + digits(rng, 2 + rng.below(12));
      break;
  }
  return with_separators(rng, number);
}

// Inputs the fast path must leave to libphonenumber (it may not claim them).
std::string unusual(Rng& rng) {
  static const char* const kForms[] = {"030 1234567 ext. 12",
                                       "030 1234567 x12",
                                       "030-1234567#",
                                       "tel:+49-30-1234567",
                                       "030 CALL NOW",
                                       "+49 30 1234567;1",
                                       "++49 301234567",
                                       "0+49 30 1234567",
                                       "+49 ３０ 1234567",
                                       "12",
                                       "+1",
                                       "0049 30 1234567",
                                       "(0)30 1234567",
                                       "+49 (0)30 1234567"};
  return kForms[rng.below(14)];
}

}  // namespace

BOOST_AUTO_TEST_SUITE(phone_fast_path)

BOOST_AUTO_TEST_CASE(examples) {
  BOOST_TEST(*fast_e164("030 1234567", "DE") == "+49301234567");
  BOOST_TEST(*fast_e164("+49 (30) 123 45-67", "FR") == "+49301234567");
  BOOST_TEST(*fast_e164("01 42 60 30 00", "FR") == "+33142603000");
  BOOST_TEST(*fast_e164("+39 06 1234 5678", "DE") == "+390612345678");  // Italian leading zero stays
  BOOST_TEST(!fast_e164("030 1234567", "ZZ"));                          // no region: libphonenumber decides
  BOOST_TEST(!fast_e164("030 1234567 ext. 12", "DE"));
  BOOST_TEST(*fast_e164("8 495 123-45-67", "RU") == "+74951234567");  // trunk prefix 8
  BOOST_TEST(!fast_e164("011 1234 5678", "AR"));                      // a regular-expression national prefix
  BOOST_TEST(!fast_e164("0049 30 1234567", "DE"));                    // an IDD: libphonenumber's branch
}

BOOST_AUTO_TEST_CASE(agrees_with_libphonenumber_on_generated_numbers) {
  Rng rng{20261122};
  std::size_t taken = 0, clean_accepted = 0, clean_taken = 0;
  for (int i = 0; i < 24000; ++i) {
    const std::string& region = kRegions[rng.below(kRegions.size())];
    const int form = static_cast<int>(rng.below(10));
    const std::string text = form < 4 ? international(rng) : form < 9 ? national(rng, region) : unusual(rng);
    bool invalid = false;
    const auto fast = fast_e164(text, region, &invalid);
    const auto full = full_e164(text, region);
    // The fast path's own IsValidNumber (RE2) refuses exactly what libphonenumber's does.
    if (invalid)
      BOOST_TEST_REQUIRE(!full.has_value(), "'" << text << "' in " << region << ": fast refuses, full " << *full);
    if (fast) {
      ++taken;
      BOOST_TEST_REQUIRE(full.has_value(), "'" << text << "' in " << region << ": fast " << *fast << ", full fails");
      BOOST_TEST_REQUIRE(*fast == *full, "'" << text << "' in " << region);
    }
    if (form < 9 && full) {
      ++clean_accepted;
      if (fast) ++clean_taken;
    }
  }
  BOOST_TEST_MESSAGE("fast path took " << taken << " of 24000, " << clean_taken << " of " << clean_accepted
                                       << " clean numbers libphonenumber accepts");
  // Clean numbers that libphonenumber accepts mostly do not need it (the rest
  // start with an IDD or the country code, or are in regions such as AR).
  BOOST_TEST(clean_taken * 10 >= clean_accepted * 6);
}

BOOST_AUTO_TEST_CASE(common_regions_take_the_fast_path) {
  // National numbers as written in these countries (trunk prefix, then a digit
  // that starts an area code) and the same numbers in international form.
  const std::pair<const char*, const char*> kRegionCodes[] = {{"DE", "49"}, {"AT", "43"}, {"CH", "41"}, {"FR", "33"},
                                                              {"GB", "44"}, {"IT", "39"}, {"ES", "34"}, {"NL", "31"},
                                                              {"BE", "32"}, {"PL", "48"}, {"US", "1"}};
  for (const auto& [region, code] : kRegionCodes) {
    const std::string r = region;
    const std::string trunk = r == "US" || r == "ES" || r == "IT" || r == "PL" ? "" : "0";
    Rng rng{static_cast<std::uint64_t>(region[0]) * 256 + static_cast<std::uint64_t>(region[1])};
    int accepted = 0, taken = 0;
    for (int i = 0; i < 300; ++i) {
      const std::string number = std::to_string(2 + rng.below(7)) + digits(rng, 8 + rng.below(2));
      if (trunk.empty() && number.starts_with(code)) continue;  // read as the country code: libphonenumber's branch
      const std::string text =
          i % 2 ? with_separators(rng, trunk + number) : "+" + std::string(code) + " " + with_separators(rng, number);
      const auto full = full_e164(text, r);
      bool invalid = false;
      const auto fast = fast_e164(text, r, &invalid);
      if (fast) BOOST_TEST_REQUIRE((full && *full == *fast), "'" << text << "' in " << region);
      if (invalid) BOOST_TEST_REQUIRE(!full.has_value(), "'" << text << "' in " << region << ": fast refuses");
      accepted += full ? 1 : 0;
      taken += fast ? 1 : 0;
    }
    BOOST_TEST(taken == accepted, region << ": " << taken << " of " << accepted);
  }
}

BOOST_AUTO_TEST_SUITE_END()
