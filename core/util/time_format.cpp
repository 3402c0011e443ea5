#include "util/time_format.hpp"

#include <charconv>
#include <cstdio>

#include "util/time_or_date.hpp"

namespace leadhub {

std::int64_t days_from_civil(int year, unsigned month, unsigned day) {
  year -= month <= 2 ? 1 : 0;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

CivilDate civil_from_days(std::int64_t days) {
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const auto y = static_cast<int>(static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0));
  return {y, m, d};
}

namespace {

bool read_digits(std::string_view text, std::size_t pos, std::size_t count, int& out) {
  if (pos + count > text.size()) return false;
  for (std::size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  const auto* first = text.data() + pos;
  return std::from_chars(first, first + count, out).ec == std::errc{};
}

unsigned days_in_month(int year, unsigned month) {
  static constexpr unsigned kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

bool parse_date_part(std::string_view text, int& y, int& m, int& d) {
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return false;
  if (!read_digits(text, 0, 4, y) || !read_digits(text, 5, 2, m) || !read_digits(text, 8, 2, d)) return false;
  if (y < 1 || m < 1 || m > 12 || d < 1) return false;  // year 0 does not exist in most date libraries
  return static_cast<unsigned>(d) <= days_in_month(y, static_cast<unsigned>(m));
}

}  // namespace

bool is_valid_date(std::string_view text) {
  int y = 0, m = 0, d = 0;
  return text.size() == 10 && parse_date_part(text, y, m, d);
}

namespace {

void put_digits(char* out, unsigned value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

// Hot path (every stored record carries three timestamps): no snprintf, one allocation.
std::string format_timestamp(TimeMs ms) {
  std::int64_t days = ms / 86'400'000;
  std::int64_t rem = ms % 86'400'000;
  if (rem < 0) {
    rem += 86'400'000;
    days -= 1;
  }
  const CivilDate c = civil_from_days(days);
  std::string out(24, '\0');
  char* p = out.data();
  put_digits(p, static_cast<unsigned>(c.year), 4);
  p[4] = '-';
  put_digits(p + 5, c.month, 2);
  p[7] = '-';
  put_digits(p + 8, c.day, 2);
  p[10] = 'T';
  put_digits(p + 11, static_cast<unsigned>(rem / 3'600'000), 2);
  p[13] = ':';
  put_digits(p + 14, static_cast<unsigned>(rem / 60'000 % 60), 2);
  p[16] = ':';
  put_digits(p + 17, static_cast<unsigned>(rem / 1000 % 60), 2);
  p[19] = '.';
  put_digits(p + 20, static_cast<unsigned>(rem % 1000), 3);
  p[23] = 'Z';
  return out;
}

// Accepts YYYY-MM-DDTHH:MM[:SS[.fff...]](Z|+HH:MM|-HH:MM); 't' and ' ' as separator.
std::optional<TimeMs> parse_timestamp(std::string_view text) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (!parse_date_part(text, y, mo, d)) return std::nullopt;
  if (text.size() < 16 || (text[10] != 'T' && text[10] != 't' && text[10] != ' ')) return std::nullopt;
  if (!read_digits(text, 11, 2, h) || text[13] != ':' || !read_digits(text, 14, 2, mi)) return std::nullopt;
  std::size_t pos = 16;
  if (pos < text.size() && text[pos] == ':') {
    if (!read_digits(text, pos + 1, 2, s)) return std::nullopt;
    pos += 3;
  }
  int millis = 0;
  if (pos < text.size() && text[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
      if (digits < 3) millis = millis * 10 + (text[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (; digits < 3; ++digits) millis *= 10;
  }
  if (h > 23 || mi > 59 || s > 60) return std::nullopt;
  std::int64_t offset_min = 0;
  if (pos == text.size()) return std::nullopt;  // an offset is required: no local-time guessing
  if (text[pos] == 'Z' || text[pos] == 'z') {
    ++pos;
  } else if (text[pos] == '+' || text[pos] == '-') {
    int oh = 0, om = 0;
    if (!read_digits(text, pos + 1, 2, oh) || pos + 3 >= text.size() || text[pos + 3] != ':' ||
        !read_digits(text, pos + 4, 2, om) || oh > 23 || om > 59) {
      return std::nullopt;
    }
    offset_min = (std::int64_t{oh} * 60 + om) * (text[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != text.size()) return std::nullopt;
  const std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  const std::int64_t secs =
      days * 86400 + std::int64_t{h} * 3600 + std::int64_t{mi} * 60 + (s == 60 ? 59 : s) - offset_min * 60;
  const TimeMs ms = secs * 1000 + millis;
  // An offset can push a time across year 1 or 9999: refuse what could not be written back.
  if (ms < kMinTimestampMs || ms > kMaxTimestampMs) return std::nullopt;
  return ms;
}

std::optional<TimeMs> parse_time_or_date(std::string_view text) {
  if (is_valid_date(text)) return parse_timestamp(std::string(text) + "T00:00:00Z");
  return parse_timestamp(text);
}

}  // namespace leadhub
