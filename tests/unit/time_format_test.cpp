// util/time_format: RFC 3339 timestamps and ISO dates.
#include <boost/test/unit_test.hpp>

#include <random>

#include "test_support.hpp"
#include "util/time_format.hpp"

using namespace leadhub;

namespace {

// parse_timestamp that must succeed; the check fails (and 0 comes back) otherwise.
TimeMs must_parse(const std::string& text) {
  auto ms = parse_timestamp(text);
  BOOST_TEST_CONTEXT("parse_timestamp(\"" << text << "\")") { BOOST_TEST(ms.has_value()); }
  return ms.value_or(0);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(time_format)

BOOST_AUTO_TEST_CASE(format_known_values) {
  BOOST_TEST(format_timestamp(0) == "1970-01-01T00:00:00.000Z");
  BOOST_TEST(format_timestamp(1795376413123) == "2026-11-22T19:40:13.123Z");
  BOOST_TEST(format_timestamp(1709208000000) == "2024-02-29T12:00:00.000Z");
  BOOST_TEST(format_timestamp(951782400000) == "2000-02-29T00:00:00.000Z");
  BOOST_TEST(format_timestamp(4102444799999) == "2099-12-31T23:59:59.999Z");
  BOOST_TEST(format_timestamp(-1) == "1969-12-31T23:59:59.999Z");
}

BOOST_AUTO_TEST_CASE(parse_known_values) {
  BOOST_TEST(must_parse("2026-11-22T19:40:13.123Z") == 1795376413123);
  BOOST_TEST(must_parse("1970-01-01T00:00:00Z") == 0);
  BOOST_TEST(must_parse("2026-11-22T10:00:00Z") == 1795341600000);
  BOOST_TEST(must_parse("2026-11-22T10:00Z") == 1795341600000);  // seconds optional
  BOOST_TEST(must_parse("2026-11-22t10:00:00z") == 1795341600000);
  BOOST_TEST(must_parse("2026-11-22 10:00:00Z") == 1795341600000);
}

BOOST_AUTO_TEST_CASE(fraction_digits) {
  const TimeMs base = 1795341600000;
  BOOST_TEST(must_parse("2026-11-22T10:00:00.5Z") == base + 500);
  BOOST_TEST(must_parse("2026-11-22T10:00:00.05Z") == base + 50);
  BOOST_TEST(must_parse("2026-11-22T10:00:00.123456789Z") == base + 123);  // truncated to ms
  BOOST_TEST(!parse_timestamp("2026-11-22T10:00:00.Z").has_value());
}

BOOST_AUTO_TEST_CASE(offsets) {
  const TimeMs utc = 1795341600000;  // 2026-11-22T10:00:00Z
  BOOST_TEST(must_parse("2026-11-22T12:00:00+02:00") == utc);
  BOOST_TEST(must_parse("2026-11-22T04:30:00-05:30") == utc);
  BOOST_TEST(must_parse("2026-11-22T10:00:00+00:00") == utc);
  BOOST_TEST(must_parse("2026-11-22T10:00:00-00:00") == utc);
  BOOST_TEST(must_parse("2026-11-23T01:00:00.250+15:00") == utc + 250);
  // crossing midnight and a month end backwards
  BOOST_TEST(must_parse("2026-12-01T01:00:00+02:00") == must_parse("2026-11-30T23:00:00Z"));
  // formatting always gives UTC
  BOOST_TEST(format_timestamp(must_parse("2026-11-22T12:00:00.007+02:00")) == "2026-11-22T10:00:00.007Z");
}

BOOST_AUTO_TEST_CASE(bad_offsets_refused) {
  for (const char* bad : {"2026-11-22T10:00:00+0200", "2026-11-22T10:00:00+02", "2026-11-22T10:00:00+2:00",
                          "2026-11-22T10:00:00+24:00", "2026-11-22T10:00:00+02:60", "2026-11-22T10:00:00+02:00x",
                          "2026-11-22T10:00:00Zx", "2026-11-22T10:00:00 UTC", "2026-11-22T10:00:00+"}) {
    BOOST_TEST_CONTEXT(bad) { BOOST_TEST(!parse_timestamp(bad).has_value()); }
  }
}

BOOST_AUTO_TEST_CASE(missing_offset_refused) {
  BOOST_TEST(!parse_timestamp("2026-11-22T10:00:00").has_value());
  BOOST_TEST(!parse_timestamp("2026-11-22T10:00:00.123").has_value());
  BOOST_TEST(!parse_timestamp("2026-11-22T10:00").has_value());
  BOOST_TEST(!parse_timestamp("2026-11-22").has_value());  // a date is not a timestamp
}

BOOST_AUTO_TEST_CASE(leap_days) {
  BOOST_TEST(must_parse("2024-02-29T00:00:00Z") == must_parse("2024-02-28T00:00:00Z") + 86'400'000);
  BOOST_TEST(must_parse("2024-03-01T00:00:00Z") == must_parse("2024-02-29T00:00:00Z") + 86'400'000);
  BOOST_TEST(must_parse("2000-02-29T00:00:00Z") == 951782400000);  // divisible by 400: leap
  BOOST_TEST(!parse_timestamp("2023-02-29T00:00:00Z").has_value());
  BOOST_TEST(!parse_timestamp("2100-02-29T00:00:00Z").has_value());  // divisible by 100: not leap
  BOOST_TEST(!parse_timestamp("1900-02-29T00:00:00Z").has_value());
  BOOST_TEST(format_timestamp(must_parse("2024-02-29T23:59:59.999Z")) == "2024-02-29T23:59:59.999Z");
  BOOST_TEST(format_timestamp(must_parse("2400-02-29T08:00:00+08:00")) == "2400-02-29T00:00:00.000Z");
}

BOOST_AUTO_TEST_CASE(invalid_dates_and_times_refused) {
  for (const char* bad :
       {"2026-02-30T10:00:00Z", "2026-04-31T10:00:00Z", "2026-13-01T10:00:00Z", "2026-00-10T10:00:00Z",
        "2026-01-00T10:00:00Z", "2026-01-32T10:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T10:60:00Z",
        "2026-01-01T10:00:61Z", "2026-1-01T10:00:00Z", "2026/01/01T10:00:00Z", "2026-01-01X10:00:00Z",
        "2026-01-01T10-00-00Z", "abcd-ef-ghT10:00:00Z", "", "2026-01-01T1a:00:00Z", "+026-01-01T10:00:00Z"}) {
    BOOST_TEST_CONTEXT("\"" << bad << "\"") { BOOST_TEST(!parse_timestamp(bad).has_value()); }
  }
}

BOOST_AUTO_TEST_CASE(leap_second_is_accepted_as_59) {
  BOOST_TEST(must_parse("2016-12-31T23:59:60Z") == must_parse("2016-12-31T23:59:59Z"));
}

BOOST_AUTO_TEST_CASE(round_trip_many_values) {
  std::mt19937_64 rng(42);
  std::uniform_int_distribution<TimeMs> dist(0, 6'000'000'000'000);  // 1970 .. ~2160
  for (int i = 0; i < 20'000; ++i) {
    const TimeMs ms = dist(rng);
    const std::string text = format_timestamp(ms);
    const auto back = parse_timestamp(text);
    BOOST_TEST_CONTEXT(ms << " -> " << text) {
      BOOST_TEST_REQUIRE(back.has_value());
      BOOST_TEST(*back == ms);
      BOOST_TEST(text.size() == 24u);
    }
  }
}

BOOST_AUTO_TEST_CASE(round_trip_every_day_of_leap_years) {
  // Each day from 2023-12-31 to 2025-01-02 and 2099..2101: format, parse, and the date part is a valid date.
  for (TimeMs start : {must_parse("2023-12-31T00:00:00Z"), must_parse("2099-12-30T00:00:00Z")}) {
    for (int d = 0; d < 370; ++d) {
      const TimeMs ms = start + static_cast<TimeMs>(d) * 86'400'000 + 12'345;
      const std::string text = format_timestamp(ms);
      BOOST_TEST_CONTEXT(text) {
        BOOST_TEST(is_valid_date(text.substr(0, 10)));
        const auto back = parse_timestamp(text);
        BOOST_TEST_REQUIRE(back.has_value());
        BOOST_TEST(*back == ms);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(days_from_civil_values) {
  BOOST_TEST(days_from_civil(1970, 1, 1) == 0);
  BOOST_TEST(days_from_civil(1970, 1, 2) == 1);
  BOOST_TEST(days_from_civil(1969, 12, 31) == -1);
  BOOST_TEST(days_from_civil(2000, 3, 1) - days_from_civil(2000, 2, 28) == 2);
  BOOST_TEST(days_from_civil(2100, 3, 1) - days_from_civil(2100, 2, 28) == 1);
  BOOST_TEST(days_from_civil(2024, 1, 1) * 86'400'000 == RecordId::kEpochMs);
}

BOOST_AUTO_TEST_CASE(is_valid_date_rules) {
  BOOST_TEST(is_valid_date("2026-12-01"));
  BOOST_TEST(is_valid_date("2024-02-29"));
  BOOST_TEST(is_valid_date("2000-02-29"));
  BOOST_TEST(is_valid_date("2026-12-31"));
  BOOST_TEST(!is_valid_date("2026-02-30"));
  BOOST_TEST(!is_valid_date("2026-02-29"));
  BOOST_TEST(!is_valid_date("2100-02-29"));
  BOOST_TEST(!is_valid_date("2026-06-31"));
  BOOST_TEST(!is_valid_date("2026-13-01"));
  BOOST_TEST(!is_valid_date("2026-00-01"));
  BOOST_TEST(!is_valid_date("2026-01-00"));
  BOOST_TEST(!is_valid_date("2026-1-1"));
  BOOST_TEST(!is_valid_date("2026-01-01T00:00:00Z"));
  BOOST_TEST(!is_valid_date("2026-01-01 "));
  BOOST_TEST(!is_valid_date("20260101"));
  BOOST_TEST(!is_valid_date(""));
  BOOST_TEST(!is_valid_date("2026-0a-01"));
}

BOOST_AUTO_TEST_SUITE_END()
