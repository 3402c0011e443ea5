// mapping/transforms.cpp: every transform, its options and its failures. Phone
// numbers read in the record's own country are tested through the engine (the
// region comes from prospect.address.country of the same record).
#include <boost/test/unit_test.hpp>

#include "mapping/transforms.hpp"
#include "mapping_support.hpp"

using namespace leadhub;
using namespace leadhub::mapping;
using namespace leadhub::mapping::test;

BOOST_AUTO_TEST_SUITE(transforms)

BOOST_AUTO_TEST_CASE(trim_removes_surrounding_white_space_only) {
  BOOST_TEST(tf("trim", " \t Anna  Maria \r\n") == "Anna  Maria");
  BOOST_TEST(tf("trim", "   ") == "");
  BOOST_TEST(tf("trim", "x") == "x");
  BOOST_TEST(trim("\v\fa b\f") == "a b");
}

BOOST_AUTO_TEST_CASE(collapse_whitespace_joins_runs_and_trims) {
  BOOST_TEST(tf("collapse_whitespace", "  Haupt \t\n  Straße   5  ") == "Haupt Straße 5");
  BOOST_TEST(tf("collapse_whitespace", "a\r\nb") == "a b");
  BOOST_TEST(tf("collapse_whitespace", " \t ") == "");
  BOOST_TEST(tf("collapse_whitespace", "\va\f\f b\v") == "a b");
  BOOST_TEST(tf("collapse_whitespace", "a!b~c") == "a!b~c");  // bytes around the whitespace range stay
  BOOST_TEST(collapse_whitespace("one") == "one");
}

BOOST_AUTO_TEST_CASE(lower_upper_title_are_unicode_aware) {
  BOOST_TEST(tf("lower", "ÄRGER ÖL ÜBER") == "ärger öl über");
  BOOST_TEST(tf("lower", "MiXeD ascii") == "mixed ascii");
  BOOST_TEST(tf("upper", "straße") == "STRASSE");  // full case mapping: ß -> SS
  BOOST_TEST(tf("upper", "müller") == "MÜLLER");
  BOOST_TEST(tf("upper", "abc-1") == "ABC-1");
  BOOST_TEST(tf("title", "müller-lüdenscheidt") == "Müller-Lüdenscheidt");
  BOOST_TEST(tf("title", "HANS-JÜRGEN ÖZDEMIR") == "Hans-Jürgen Özdemir");
  BOOST_TEST(tf("title", "anna maria") == "Anna Maria");
  BOOST_TEST(to_lower_utf8("ÉCOLE") == "école");
  BOOST_TEST(tf("title", "STRASSE straße") == "Strasse Straße");  // ß stays, the rest lower-cased
  BOOST_TEST(tf("lower", "GROẞ") == "groß");                      // capital sharp s
  BOOST_TEST(tf("title", "élise ölmann") == "Élise Ölmann");
  BOOST_TEST(to_upper_utf8("ﬁx") == "FIX");  // ligature expands
}

BOOST_AUTO_TEST_CASE(given_and_family_name_split_full_names) {
  BOOST_TEST(tf("given_name", "Dr. Anna Maria Müller") == "Anna Maria");
  BOOST_TEST(tf("family_name", "Dr. Anna Maria Müller") == "Müller");
  BOOST_TEST(tf("given_name", "Prof. Dr. Hans Meier") == "Hans");
  BOOST_TEST(tf("family_name", "Prof. Dr. Hans Meier") == "Meier");
  BOOST_TEST(tf("given_name", "Herr Max Mustermann") == "Max");
  // "Family, Given"
  BOOST_TEST(tf("given_name", "Müller,  Anna ") == "Anna");
  BOOST_TEST(tf("family_name", "Müller,  Anna ") == "Müller");
  // particles stay with the family name
  BOOST_TEST(tf("given_name", "Ludwig van Beethoven") == "Ludwig");
  BOOST_TEST(tf("family_name", "Ludwig van Beethoven") == "van Beethoven");
  BOOST_TEST(tf("given_name", "Ursula von der Leyen") == "Ursula");
  BOOST_TEST(tf("family_name", "Ursula von der Leyen") == "von der Leyen");
  BOOST_TEST(tf("family_name", "Charles de Gaulle") == "de Gaulle");
  // a particle as the first word is a given name, not part of the family name
  BOOST_TEST(tf("given_name", "Van Morrison") == "Van");
  BOOST_TEST(tf("family_name", "Van Morrison") == "Morrison");
  // one word: the family name
  BOOST_TEST(tf("given_name", "Müller") == "");
  BOOST_TEST(tf("family_name", "Müller") == "Müller");
  BOOST_TEST(tf("family_name", "Frau Müller") == "Müller");
  BOOST_TEST(tf("given_name", "  Anna   Lena   Schmidt ") == "Anna Lena");
  const auto [g, f] = split_full_name("");
  BOOST_TEST(g == "");
  BOOST_TEST(f == "");
}

BOOST_AUTO_TEST_CASE(email_drops_mailto_and_angle_brackets_and_lower_cases) {
  BOOST_TEST(tf("email", " Anna.Muster@Example.DE ") == "anna.muster@example.de");
  BOOST_TEST(tf("email", "mailto:Anna@Example.de") == "anna@example.de");
  BOOST_TEST(tf("email", "MAILTO:anna@example.de") == "anna@example.de");
  BOOST_TEST(tf("email", "<Anna@Example.de>") == "anna@example.de");
  BOOST_TEST(tf("email", "mailto:<ANNA@EXAMPLE.DE>") == "anna@example.de");
  BOOST_TEST(tf("email", "JÜRGEN@MÜLLER.DE") == "jürgen@müller.de");
  // what a copied address brings along: a display name, a sentence's full stop
  BOOST_TEST(tf("email", "Anna Müller <Anna@Example.de>") == "anna@example.de");
  BOOST_TEST(tf("email", "\"Müller, Anna\" < anna@example.de >") == "anna@example.de");
  BOOST_TEST(tf("email", "<mailto:anna@example.de>") == "anna@example.de");
  BOOST_TEST(tf("email", "anna@example.de.") == "anna@example.de");
  BOOST_TEST(tf("email", " anna@example.de, ") == "anna@example.de");
}

BOOST_AUTO_TEST_CASE(phone_to_e164_with_default_country) {
  BOOST_TEST(tf("{phone: DE}", "030 1234567") == "+49301234567");
  BOOST_TEST(tf("{phone: DE}", "(030) 123 45-67") == "+49301234567");
  BOOST_TEST(tf("{phone: DE}", "+49 30 1234567") == "+49301234567");
  BOOST_TEST(tf("{phone: DE}", "0049 30 1234567") == "+49301234567");
  BOOST_TEST(tf("{phone: DE}", "+33 1 42 60 30 00") == "+33142603000");  // own country code wins
  BOOST_TEST(tf("{phone: {default_country: Deutschland}}", "0171 1234567") == "+491711234567");
  BOOST_TEST(tf("{phone: FR}", "01 42 60 30 00") == "+33142603000");
  BOOST_TEST(tf("{phone: DE}", "  ") == "");
}

BOOST_AUTO_TEST_CASE(phone_region_comes_from_the_context) {
  TransformContext at{
      [](std::string_view path) { return path == "prospect.address.country" ? std::string("AT") : std::string(); }};
  BOOST_TEST(tf("{phone: DE}", "01 5344444", at) == "+4315344444");
  TransformContext none{[](std::string_view) { return std::string(); }};
  BOOST_TEST(tf("{phone: DE}", "030 1234567", none) == "+49301234567");
  BOOST_TEST(transform("{phone: DE}").reads_canonical);
}

BOOST_AUTO_TEST_CASE(phone_invalid_numbers_fail) {
  const auto r = tf("{phone: DE}", "call me maybe");
  BOOST_TEST(contains(r, "ERROR: phone: not a phone number"), r);
  BOOST_TEST(contains(r, "DE"), r);
  BOOST_TEST(contains(tf("{phone: DE}", "1"), "ERROR: phone: not a phone number"), tf("{phone: DE}", "1"));
  BOOST_TEST(contains(tf("{phone: DE}", "+49 123456789012345678"), "ERROR: phone: not a phone number"));
  BOOST_TEST(contains(tf("phone", "030 1234567"), "ERROR"), "no country at all: cannot read a national number");
  BOOST_TEST(contains(tf("phone", "030 1234567"), "the mapping's phone transform no default ({phone: DE})"),
             tf("phone", "030 1234567"));
  BOOST_TEST(tf("phone", "+49 30 1234567") == "+49301234567");
  auto bad = make_transform(YAML::Load("{phone: Narnia}"), "x.yaml");
  BOOST_TEST_REQUIRE(!bad.ok());
  BOOST_TEST(contains(bad.error().message, "x.yaml:1:1: phone: unknown default country Narnia"), bad.error().message);
}

// A possible length is not enough: IsValidNumber refuses numbers nobody can have,
// and a list of two numbers is not read as one.
BOOST_AUTO_TEST_CASE(phone_numbers_that_are_none_fail) {
  for (const char* none : {"0000000", "+49 123", "1234567", "0800 000"}) {
    BOOST_TEST(contains(tf("{phone: DE}", none), "ERROR: phone: not a phone number"),
               none << ": " << tf("{phone: DE}", none));
  }
  BOOST_TEST(contains(tf("{phone: DE}", "030 1234567 / 8"), "holds more than one number"),
             tf("{phone: DE}", "030 1234567 / 8"));
  BOOST_TEST(contains(tf("{phone: DE}", "0171 1234567, 030 1234567"), "holds more than one number"));
  BOOST_TEST(tf("{phone: DE}", "030 / 1234567") == "+49301234567");  // a slash after the area code
  BOOST_TEST(tf("{phone: DE}", "030/123 45-67") == "+49301234567");
  BOOST_TEST(tf("{phone: DE}", "0171 1234567") == "+491711234567");
  BOOST_TEST(tf("{phone: DE}", "+1 650 253 0000") == "+16502530000");
  BOOST_TEST(tf("{phone: DE}", "+39 06 1234 5678") == "+390612345678");  // Italy's leading zero
}

BOOST_AUTO_TEST_CASE(country_names_and_codes_to_alpha2) {
  BOOST_TEST(tf("country", "Germany") == "DE");
  BOOST_TEST(tf("country", "Deutschland") == "DE");
  BOOST_TEST(tf("country", "Allemagne") == "DE");
  BOOST_TEST(tf("country", "DEU") == "DE");
  BOOST_TEST(tf("country", "276") == "DE");
  BOOST_TEST(tf("country", "de") == "DE");
  BOOST_TEST(tf("country", " deutschland ") == "DE");
  BOOST_TEST(tf("country", "Österreich") == "AT");
  BOOST_TEST(tf("country", "Oesterreich") == "AT");
  BOOST_TEST(tf("country", "Osterreich") == "AT");
  BOOST_TEST(tf("country", "Autriche") == "AT");
  BOOST_TEST(tf("country", "AUT") == "AT");
  BOOST_TEST(tf("country", "Frankreich") == "FR");
  BOOST_TEST(tf("country", "États-Unis") == "US");
  BOOST_TEST(tf("country", "Etats-Unis") == "US");
  BOOST_TEST(tf("country", "U.S.A.") == "US");
  BOOST_TEST(tf("country", "Schweiz") == "CH");
  BOOST_TEST(tf("country", "Suisse") == "CH");
  BOOST_TEST(tf("country", "Großbritannien") == "GB");
  BOOST_TEST(tf("country", "Royaume-Uni") == "GB");
  BOOST_TEST(tf("country", "Tschechien") == "CZ");
  BOOST_TEST(tf("country", "") == "");
  const auto r = tf("country", "Atlantis");
  BOOST_TEST(r == "ERROR: country: 'Atlantis' is not a known country name or code");
  BOOST_TEST(contains(tf("country", "XX"), "ERROR"));
  BOOST_TEST(contains(tf("country", "999"), "ERROR"));
}

BOOST_AUTO_TEST_CASE(date_formats) {
  BOOST_TEST(tf(R"({date: "%d.%m.%Y"})", "24.12.2026") == "2026-12-24");
  BOOST_TEST(tf(R"({date: "%d.%m.%Y"})", " 1.2.2026 ") == "2026-02-01");
  BOOST_TEST(tf(R"({date: "%d.%m.%y"})", "01.02.26") == "2026-02-01");
  BOOST_TEST(tf(R"({date: "%d.%m.%y"})", "01.02.99") == "1999-02-01");
  BOOST_TEST(tf(R"({date: "%Y%m%d"})", "20261224") == "2026-12-24");
  BOOST_TEST(tf(R"({date: ["%d.%m.%Y", "%Y-%m-%d", "%m/%d/%Y"]})", "2026-12-24") == "2026-12-24");
  BOOST_TEST(tf(R"({date: ["%d.%m.%Y", "%Y-%m-%d", "%m/%d/%Y"]})", "12/24/2026") == "2026-12-24");
  BOOST_TEST(tf(R"({date: {format: "%d.%m.%Y"}})", "29.02.2028") == "2028-02-29");  // leap year
}

BOOST_AUTO_TEST_CASE(date_rejects_impossible_and_malformed_dates) {
  BOOST_TEST(tf(R"({date: "%d.%m.%Y"})", "31.02.2026") == "ERROR: date: not a date in format %d.%m.%Y");
  BOOST_TEST(contains(tf(R"({date: "%d.%m.%Y"})", "29.02.2026"), "ERROR"));  // not a leap year
  BOOST_TEST(contains(tf(R"({date: "%d.%m.%Y"})", "24.13.2026"), "ERROR"));
  BOOST_TEST(contains(tf(R"({date: "%d.%m.%Y"})", "00.12.2026"), "ERROR"));
  BOOST_TEST(contains(tf(R"({date: "%d.%m.%Y"})", "24.12.2026 extra"), "ERROR"));
  BOOST_TEST(contains(tf(R"({date: "%d.%m.%Y"})", "2026-12-24"), "ERROR"));
  BOOST_TEST(contains(tf(R"({date: "%d.%m.%Y"})", "heute"), "ERROR"));
  // %Y is four digits: a two-digit year was read as the year 26
  BOOST_TEST(tf(R"({date: "%d.%m.%Y"})", "07.12.26") ==
             "ERROR: date: not a date in format %d.%m.%Y (a two-digit year: %Y needs four digits; add "
             "\"%d.%m.%y\" to read it)");
  BOOST_TEST(contains(tf(R"({date: "%d.%m.%Y"})", "07.12.026"), "ERROR"));
  BOOST_TEST(contains(tf(R"({datetime: "%d.%m.%Y %H:%M"})", "07.12.26 10:00"), "add \"%d.%m.%y %H:%M\""));
  BOOST_TEST(tf(R"({date: ["%d.%m.%Y", "%d.%m.%y"]})", "07.12.26") == "2026-12-07");
  const auto both = tf(R"({date: ["%d.%m.%Y", "%Y-%m-%d"]})", "Dec 24");
  BOOST_TEST(both == "ERROR: date: not a date in format %d.%m.%Y or %Y-%m-%d");
  auto missing = make_transform(YAML::Load("{date: {utc_offset: \"+01:00\"}}"), "d.yaml");
  BOOST_TEST_REQUIRE(!missing.ok());
  BOOST_TEST(contains(missing.error().message, "d.yaml:1:1: date: give a format"), missing.error().message);
}

BOOST_AUTO_TEST_CASE(datetime_to_utc_with_offset) {
  const std::string spec = R"({datetime: {format: "%d.%m.%Y %H:%M", utc_offset: "+01:00"}})";
  BOOST_TEST(tf(spec, "24.12.2026 10:30") == "2026-12-24T09:30:00.000Z");
  BOOST_TEST(tf(spec, "01.01.2026 00:30") == "2025-12-31T23:30:00.000Z");  // crosses midnight and year
  BOOST_TEST(tf(R"({datetime: {format: "%Y-%m-%d %H:%M:%S", utc_offset: "-05:00"}})", "2026-01-01 22:00:05") ==
             "2026-01-02T03:00:05.000Z");
  BOOST_TEST(tf(R"({datetime: {format: "%Y-%m-%dT%H:%M:%S", utc_offset: "+05:30"}})", "2026-06-01T12:00:00") ==
             "2026-06-01T06:30:00.000Z");
  BOOST_TEST(tf(R"({datetime: "%d.%m.%Y %H:%M"})", "24.12.2026 10:30") == "2026-12-24T10:30:00.000Z");  // UTC
  BOOST_TEST(tf(R"({datetime: {format: "%d.%m.%Y", utc_offset: Z}})", "24.12.2026") == "2026-12-24T00:00:00.000Z");
  BOOST_TEST(contains(tf(spec, "24.12.2026 24:00"), "ERROR: datetime: not a date"));
  BOOST_TEST(contains(tf(spec, "24.12.2026 10:60"), "ERROR"));
  BOOST_TEST(contains(tf(spec, "31.04.2026 10:00"), "ERROR"));
  auto bad = make_transform(YAML::Load(R"({datetime: {format: "%H", utc_offset: "+1"}})"), "o.yaml");
  BOOST_TEST_REQUIRE(!bad.ok());
  BOOST_TEST(contains(bad.error().message, "o.yaml:1:1: utc_offset must look like +01:00"), bad.error().message);
  BOOST_TEST(!make_transform(YAML::Load(R"({datetime: {format: "%H", utc_offset: "+15:00"}})"), "o.yaml").ok());
}

BOOST_AUTO_TEST_CASE(datetime_in_a_named_time_zone_follows_daylight_saving) {
  const std::string berlin = R"({datetime: {format: "%d.%m.%Y %H:%M", timezone: Europe/Berlin}})";
  BOOST_TEST(tf(berlin, "23.11.2026 09:15") == "2026-11-23T08:15:00.000Z");  // CET, +01:00
  BOOST_TEST(tf(berlin, "15.07.2026 09:15") == "2026-07-15T07:15:00.000Z");  // CEST, +02:00
  // 29.03.2026: clocks go from 02:00 to 03:00. 01:59 is still CET, 03:00 already CEST;
  // 02:30 does not exist and is read with the offset before the change (= 03:30 CEST).
  BOOST_TEST(tf(berlin, "29.03.2026 01:59") == "2026-03-29T00:59:00.000Z");
  BOOST_TEST(tf(berlin, "29.03.2026 03:00") == "2026-03-29T01:00:00.000Z");
  BOOST_TEST(tf(berlin, "29.03.2026 02:30") == "2026-03-29T01:30:00.000Z");
  // 25.10.2026: clocks go from 03:00 back to 02:00; 02:30 happens twice: the first one (CEST)
  BOOST_TEST(tf(berlin, "25.10.2026 02:30") == "2026-10-25T00:30:00.000Z");
  BOOST_TEST(tf(berlin, "25.10.2026 03:30") == "2026-10-25T02:30:00.000Z");
  BOOST_TEST(tf(R"({datetime: {format: "%Y-%m-%d %H:%M", timezone: America/New_York}})", "2026-07-04 12:00") ==
             "2026-07-04T16:00:00.000Z");
  auto unknown = make_transform(YAML::Load(R"({datetime: {format: "%H", timezone: Europe/Atlantis}})"), "o.yaml");
  BOOST_TEST_REQUIRE(!unknown.ok());
  BOOST_TEST(contains(unknown.error().message, "o.yaml:1:1: timezone: 'Europe/Atlantis' is not a known time zone"),
             unknown.error().message);
  BOOST_TEST(!make_transform(YAML::Load(R"({datetime: {format: "%H", timezone: UTC, utc_offset: Z}})"), "o.yaml").ok());
}

BOOST_AUTO_TEST_CASE(format_date_and_datetime_write_the_party_format) {
  const std::string local = R"({format_datetime: {format: "%d.%m.%Y %H:%M", timezone: Europe/Berlin}})";
  BOOST_TEST(tf(local, "2026-11-23T08:15:00.000Z") == "23.11.2026 09:15");
  BOOST_TEST(tf(local, "2026-07-15T07:15:00Z") == "15.07.2026 09:15");
  BOOST_TEST(tf(local, "2026-10-25T00:30:00Z") == "25.10.2026 02:30");  // the first 02:30 ...
  BOOST_TEST(tf(local, "2026-10-25T01:30:00Z") == "25.10.2026 02:30");  // ... and the second
  BOOST_TEST(tf(local, "2026-12-31T23:30:00Z") == "01.01.2027 00:30");  // a new day and year
  BOOST_TEST(tf(R"({format_datetime: {format: "%Y%m%d-%H%M%S", utc_offset: "-05:00"}})", "2026-01-01T03:00:05Z") ==
             "20251231-220005");
  BOOST_TEST(tf(R"({format_date: "%d.%m.%Y"})", "2026-12-01") == "01.12.2026");
  BOOST_TEST(tf(R"({format_date: {format: "%d.%m.%y", timezone: Asia/Tokyo}})", "2026-12-01T20:00:00Z") == "02.12.26");
  BOOST_TEST(contains(tf(R"({format_date: "%d.%m.%Y"})", "01.12.2026"), "ERROR: format_date: not a date"));
  BOOST_TEST(contains(tf(local, "2026-12-01"), "ERROR: format_datetime: not an RFC 3339 timestamp"));
}

// A thousands separator counts only between groups of three digits: "12.5" in a
// German file is 12.5 typed the English way, and dropping the point made it 125.
BOOST_AUTO_TEST_CASE(decimal_refuses_a_thousands_separator_that_groups_no_thousands) {
  const char* german = R"({decimal: ","})";
  for (const char* typed : {"12.5", "1.23", "1234.56", "1.2.3", "1.234.5", "12.34,5", "1.234 567,8"}) {
    const std::string got = tf(german, typed);
    BOOST_TEST(contains(got, "ERROR: decimal: '" + std::string(typed) + "' is not a decimal number with ','"), got);
    BOOST_TEST(contains(got, "groups of three digits"), got);
  }
  BOOST_TEST(contains(tf(R"({decimal: "."})", "1234,5"), "groups of three digits"));
  BOOST_TEST(contains(tf(R"({decimal: "."})", "1.000,00"), "'1.000,00' is not a decimal number with '.' as decimal"));
  BOOST_TEST(contains(tf(R"({decimal: ","})", "1,2,3"), "the decimal separator ',' comes twice"));
  BOOST_TEST(tf(german, "1.234") == "1234");
  BOOST_TEST(tf(german, "12.345.678,9") == "12345678.9");
  BOOST_TEST(tf(german, "123") == "123");
  BOOST_TEST(tf(german, "0,5") == "0.5");
  // what French and Swiss spreadsheets put between the thousands: a no-break space
  BOOST_TEST(tf(german, "1\u00A0234,56") == "1234.56");
  BOOST_TEST(tf(german, "1\u202F234\u202F567,8") == "1234567.8");
}

BOOST_AUTO_TEST_CASE(decimal_names_a_currency_sign_it_cannot_read) {
  const std::string euro = tf(R"({decimal: ","})", "1.234,56 €");
  BOOST_TEST(
      contains(euro, "ERROR: decimal: '1.234,56 €' is not a decimal number: ' €' after the decimals (a currency"),
      euro);
  BOOST_TEST(contains(tf(R"({decimal: ","})", "€ 12"), "'€' is no digit or separator (a currency"));
  BOOST_TEST(contains(tf(R"({decimal: "."})", "$1,234.56"), "'$' is no digit"));
  BOOST_TEST(contains(tf(R"({decimal: ","})", "12,50 EUR"), "' EUR' after the decimals"));
}

BOOST_AUTO_TEST_CASE(decimal_with_comma_and_point) {
  BOOST_TEST(tf(R"({decimal: ","})", "1.234,50") == "1234.50");
  BOOST_TEST(tf(R"({decimal: ","})", "-12,5") == "-12.5");
  BOOST_TEST(tf(R"({decimal: ","})", " 1 234 567,8 ") == "1234567.8");
  BOOST_TEST(tf(R"({decimal: ","})", "42") == "42");
  BOOST_TEST(tf(R"({decimal: "."})", "1,234.50") == "1234.50");
  BOOST_TEST(tf(R"({decimal: {separator: ","}})", "1'234,5") == "1234.5");
  BOOST_TEST(tf("decimal", "1234.5") == "1234.5");  // "." by default
  BOOST_TEST(contains(tf(R"({decimal: ","})", "12,34,5"), "ERROR: decimal: '12,34,5' is not a decimal number"));
  BOOST_TEST(contains(tf(R"({decimal: ","})", "1,23456"), "ERROR: decimal: '1,23456' is not a decimal number"));
  BOOST_TEST(contains(tf(R"({decimal: ","})", "12 EUR"), "ERROR"));
  BOOST_TEST(contains(tf(R"({decimal: ","})", "-"), "ERROR"));
  BOOST_TEST(contains(tf(R"({decimal: ","})", "1-2"), "ERROR"));
  BOOST_TEST(contains(tf(R"({decimal: ","})", "1234567890123456"), "ERROR"));  // 16 digits
  BOOST_TEST(tf(R"({decimal: ","})", "") == "");
  auto bad = make_transform(YAML::Load(R"({decimal: ";"})"), "s.yaml");
  BOOST_TEST_REQUIRE(!bad.ok());
  BOOST_TEST(contains(bad.error().message, "s.yaml:1:1: decimal: separator must be"), bad.error().message);
}

BOOST_AUTO_TEST_CASE(boolean_values) {
  for (const char* t : {"ja", "Ja", "JA", "x", "X", "1", "yes", "true", "on", "oui", "j", "y"}) {
    BOOST_TEST(tf("boolean", t) == "true", t);
  }
  for (const char* f : {"nein", "Nein", "0", "no", "false", "off", "non", "n", "-"}) {
    BOOST_TEST(tf("boolean", f) == "false", f);
  }
  BOOST_TEST(tf("boolean", " ja ") == "true");
  BOOST_TEST(tf("boolean", "vielleicht") == "ERROR: boolean: not a yes/no value");
  BOOST_TEST(contains(tf("boolean", "2"), "ERROR"));
}

BOOST_AUTO_TEST_CASE(integer_values) {
  BOOST_TEST(tf("integer", " 42 ") == "42");
  BOOST_TEST(tf("integer", "-7") == "-7");
  BOOST_TEST(tf("integer", "007") == "7");
  BOOST_TEST(tf("integer", "") == "");
  BOOST_TEST(tf("integer", "4.2") == "ERROR: integer: not a whole number");
  BOOST_TEST(contains(tf("integer", "12 Stück"), "ERROR"));
  BOOST_TEST(contains(tf("integer", "zwölf"), "ERROR"));
  BOOST_TEST(contains(tf("integer", "99999999999999999999"), "ERROR"));  // out of range
}

BOOST_AUTO_TEST_CASE(map_values_default_and_case) {
  const std::string with_default = R"({map: {values: {"01": open, "02": in_process}, default: open}})";
  BOOST_TEST(tf(with_default, "01") == "open");
  BOOST_TEST(tf(with_default, "02") == "in_process");
  BOOST_TEST(tf(with_default, "99") == "open");
  const std::string ignore_case = R"({map: {values: {Hot: hot, "Warm": warm}, ignore_case: true}})";
  BOOST_TEST(tf(ignore_case, "HOT") == "hot");
  BOOST_TEST(tf(ignore_case, "wArM") == "warm");
  BOOST_TEST(tf(R"({map: {values: {Ärger: a}, ignore_case: true}})", "ÄRGER") == "a");
  const std::string strict = R"({map: {values: {Hot: hot}}})";
  BOOST_TEST(tf(strict, "Hot") == "hot");
  BOOST_TEST(tf(strict, "HOT") == "ERROR: map: 'HOT' is not in the value map");  // case matters by default
  // shorthand: the mapping itself is the value table
  BOOST_TEST(tf(R"({map: {"N": create, "U": change}})", "U") == "change");
  BOOST_TEST(tf(R"({map: {"N": create}})", "X") == "ERROR: map: 'X' is not in the value map");
  // an explicitly empty default maps to nothing
  BOOST_TEST(tf(R"({map: {values: {a: b}, default: ~}})", "zzz") == "");
  auto bad = make_transform(YAML::Load("{map: [a, b]}"), "m.yaml");
  BOOST_TEST_REQUIRE(!bad.ok());
  BOOST_TEST(contains(bad.error().message, "m.yaml:1:1: map: expected a mapping"), bad.error().message);
}

BOOST_AUTO_TEST_CASE(regex_extract_and_replace) {
  BOOST_TEST(tf(R"~({regex_extract: "(\\d{5})"})~", "PLZ 10115 Berlin") == "10115");
  BOOST_TEST(tf(R"~({regex_extract: "[0-9]+"})~", "Kunde 4711, Auftrag 8") == "4711");  // whole match
  BOOST_TEST(tf(R"~({regex_extract: "([^,]*)$"})~", "0, 1") == " 1");
  BOOST_TEST(tf(R"~({regex_extract: "(\\d{5})"})~", "no postcode") == "ERROR: regex_extract: does not match (\\d{5})");
  BOOST_TEST(tf(R"~({regex_replace: {pattern: "(\\w+)@(\\w+)", with: "\\2 at \\1"}})~", "anna@example") ==
             "example at anna");
  BOOST_TEST(tf(R"~({regex_replace: {pattern: "[ /-]", with: ""}})~", "030 / 123-45") == "03012345");
  BOOST_TEST(tf(R"~({regex_replace: {pattern: "x"}})~", "axbxc") == "abc");  // with: defaults to empty
  BOOST_TEST(tf(R"~({regex_replace: {pattern: "^.+$", with: organization}})~", "ACME") == "organization");
  BOOST_TEST(tf(R"~({regex_replace: {pattern: "ü", with: "ue"}})~", "Müller-Lüdenscheidt") == "Mueller-Luedenscheidt");
}

BOOST_AUTO_TEST_CASE(prefix_only_non_empty_values) {
  BOOST_TEST(tf(R"({prefix: "Mailing response "})", "HERBST-26") == "Mailing response HERBST-26");
  BOOST_TEST(tf(R"({prefix: "X-"})", "") == "");
}

BOOST_AUTO_TEST_CASE(max_length_cuts_on_character_boundary) {
  BOOST_TEST(tf("{max_length: 5}", "abcdefgh") == "abcde");
  BOOST_TEST(tf("{max_length: 5}", "abc") == "abc");
  BOOST_TEST(tf("{max_length: 2}", "Müller") == "M");  // would split ü (2 bytes)
  BOOST_TEST(tf("{max_length: 3}", "Müller") == "Mü");
  BOOST_TEST(tf("{max_length: 3}", "€uro") == "€");  // € is 3 bytes
  BOOST_TEST(tf("{max_length: 2}", "€uro") == "");
  BOOST_TEST(tf("{max_length: 4}", "a😀b") == "a");  // 4-byte character
  BOOST_TEST(truncate_utf8("Straße", 5) == "Stra");
  BOOST_TEST(truncate_utf8("Straße", 6) == "Straß");
  for (const char* bad : {"{max_length: 0}", "{max_length: -3}", "{max_length: many}", "{max_length: [1]}"}) {
    auto t = make_transform(YAML::Load(bad), "l.yaml");
    BOOST_TEST(!t.ok(), bad);
    if (!t.ok())
      BOOST_TEST(contains(t.error().message, "l.yaml:1:1: max_length: expected a positive number"), t.error().message);
  }
}

BOOST_AUTO_TEST_CASE(chains_apply_in_order_and_name_the_failing_step) {
  std::vector<Transform> chain{transform("trim"), transform("upper"), transform(R"({prefix: "C-"})")};
  auto ok = apply_chain(chain, "  herbst ");
  BOOST_TEST_REQUIRE(ok.ok());
  BOOST_TEST(*ok == "C-HERBST");
  std::vector<Transform> failing{transform("trim"), transform("integer"), transform(R"({prefix: "#"})")};
  auto bad = apply_chain(failing, " x ");
  BOOST_TEST_REQUIRE(!bad.ok());
  BOOST_TEST(bad.error().message == "integer: not a whole number");
}

BOOST_AUTO_TEST_CASE(unknown_transform_and_bad_shapes_are_refused_with_position) {
  auto unknown = make_transform(YAML::Load("trimm"), "t.yaml");
  BOOST_TEST_REQUIRE(!unknown.ok());
  BOOST_TEST(contains(unknown.error().message, "t.yaml:1:1: unknown transform 'trimm'"), unknown.error().message);
  BOOST_TEST(contains(unknown.error().message, "trim"));  // lists the known ones
  auto two_keys = make_transform(YAML::Load("{phone: DE, date: x}"), "t.yaml");
  BOOST_TEST_REQUIRE(!two_keys.ok());
  BOOST_TEST(contains(two_keys.error().message, "a transform is a name"), two_keys.error().message);
  auto bad_regex = make_transform(YAML::Load(R"~({regex_extract: "(unclosed"})~"), "t.yaml");
  BOOST_TEST_REQUIRE(!bad_regex.ok());
  BOOST_TEST(contains(bad_regex.error().message, "t.yaml:1:1: bad regular expression"), bad_regex.error().message);
  auto bad_replace = make_transform(YAML::Load(R"~({regex_replace: "x"})~"), "t.yaml");
  BOOST_TEST_REQUIRE(!bad_replace.ok());
  BOOST_TEST(contains(bad_replace.error().message, "regex_replace: expected {pattern"), bad_replace.error().message);
}

// Excel's damage to a phone column: a number cell drops the '+' of "+49 176 ..."
// (read as a national number it was valid in Germany too, as +49 4917612345678), or
// shows a long number in scientific notation, losing its last digits.
BOOST_AUTO_TEST_CASE(phone_numbers_damaged_by_excel) {
  BOOST_TEST(tf("{phone: DE}", "4917612345678") == "+4917612345678");
  BOOST_TEST(tf("{phone: FR}", "33142603000") == "+33142603000");
  BOOST_TEST(tf("{phone: DE}", "1761234567") == "+491761234567");   // the trunk 0 lost: a national number
  BOOST_TEST(tf("{phone: DE}", "491123456") == "+49491123456");     // 0491 (Leer) without its 0: +49 1123456 is none
  BOOST_TEST(tf("{phone: DE}", "04917612345") == "+494917612345");  // with its 0: national, as written
  for (const char* scientific : {"4.91761234567E+11", "4,91761E+11", "4.9176E11"}) {
    const auto r = tf("{phone: DE}", scientific);
    BOOST_TEST(contains(r, "ERROR: phone: '" + std::string(scientific) + "' is a number in scientific notation"), r);
    BOOST_TEST(contains(r, "format the column as text"), r);
  }
}

// No-break spaces, zero-width spaces, soft hyphens and stray byte order marks, as
// copies from Excel, Word and web pages carry them: blanks become ' ', the invisible
// ones go, so "Müller\u200B" and "Müller" are one name.
BOOST_AUTO_TEST_CASE(unseen_characters_are_blanks_or_nothing) {
  BOOST_TEST(tf("trim", "\u00A0Hans\u00A0") == "Hans");
  BOOST_TEST(tf("trim", "M\u00FCller\u200B") == "Müller");
  BOOST_TEST(tf("trim", "\uFEFFBom") == "Bom");
  BOOST_TEST(tf("trim", "Schmidt\u00AD") == "Schmidt");
  BOOST_TEST(tf("trim", "Mül\u00ADler-Lü\u2060denscheidt") == "Müller-Lüdenscheidt");
  BOOST_TEST(tf("collapse_whitespace", "Weg\u00A0\u00A01\u202F") == "Weg 1");
  BOOST_TEST(tf("collapse_whitespace", "\u3000Anna\u2003Maria") == "Anna Maria");
  BOOST_TEST(tf("email", "\u00A0hans@example.de\u00A0") == "hans@example.de");
  BOOST_TEST(tf("email", "hans\u200B@example.de") == "hans@example.de");
  BOOST_TEST(tf("{decimal: \",\"}", "1\u00A0234,50") == "1234.50");
  BOOST_TEST(tf("trim", "Zo\u00EB \u200D") == "Zoë \u200D");  // a zero-width joiner joins letters in some scripts: kept
}

// A postal code column Excel read as numbers: 01067 (Dresden) became 1067. In a
// country whose codes are a fixed number of digits the zeros are put back; a code of
// another length is refused; other forms are left alone.
BOOST_AUTO_TEST_CASE(postal_codes_get_their_leading_zeros_back) {
  BOOST_TEST(tf("{postal_code: DE}", "1067") == "01067");
  BOOST_TEST(tf("{postal_code: DE}", " 10115 ") == "10115");
  BOOST_TEST(tf("{postal_code: FR}", "1000") == "01000");
  BOOST_TEST(tf("{postal_code: US}", "501") == "00501");
  BOOST_TEST(tf("{postal_code: NO}", "150") == "0150");
  BOOST_TEST(tf("{postal_code: DE}", "D-01067") == "D-01067");
  BOOST_TEST(tf("{postal_code: DE}", "") == "");
  BOOST_TEST(tf("{postal_code: AT}", "1010") == "1010");  // a country without a rule here: as it is
  const auto r = tf("{postal_code: DE}", "123");
  BOOST_TEST(contains(r, "ERROR: postal_code: '123' is not a postal code in DE (5 digits)"), r);
  BOOST_TEST(contains(tf("{postal_code: DE}", "101150"), "is not a postal code in DE"));
  const TransformContext fr{[](std::string_view) { return std::string("FR"); }};
  BOOST_TEST(tf("{postal_code: DE}", "1000", fr) == "01000");  // the record's own country
  BOOST_TEST(transform("{postal_code: DE}").reads_canonical);
  BOOST_TEST(!make_transform(YAML::Load("{postal_code: Narnia}"), "x.yaml").ok());
}

// A date column exported as numbers: Excel's serial day 45267 is refused with what it
// probably is (its date system is not in the file, so it is not guessed).
BOOST_AUTO_TEST_CASE(a_spreadsheet_serial_date_is_named) {
  const auto r = tf("{date: \"%d.%m.%Y\"}", "45267");
  BOOST_TEST(contains(r, "ERROR: date: not a date in format %d.%m.%Y ('45267' looks like a spreadsheet's serial day"),
             r);
  BOOST_TEST(!contains(tf("{date: \"%d.%m.%Y\"}", "12/07/2026"), "serial"));
}

BOOST_AUTO_TEST_SUITE_END()
