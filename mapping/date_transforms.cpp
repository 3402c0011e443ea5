#include "date_transforms.hpp"

#include <unicode/basictz.h>
#include <unicode/timezone.h>

#include <charconv>
#include <memory>

#include "util/time_format.hpp"

namespace leadhub::mapping {
namespace {

constexpr TimeMs kMsPerDay = 86'400'000;

Error fail(std::string reason) { return Error::make(ErrorCode::invalid, std::move(reason)); }

// ---- time zones --------------------------------------------------------------------

// A fixed UTC offset or a named IANA zone (ICU's tz data), DST-correct.
class Zone {
 public:
  static Result<Zone> named(const std::string& name) {
    std::unique_ptr<icu::TimeZone> tz(icu::TimeZone::createTimeZone(icu::UnicodeString::fromUTF8(name)));
    icu::UnicodeString id;
    tz->getID(id);
    auto* basic = dynamic_cast<icu::BasicTimeZone*>(tz.get());
    if (id == icu::UnicodeString(u"Etc/Unknown") || basic == nullptr) {
      return fail("timezone: '" + name + "' is not a known time zone (an IANA name such as Europe/Berlin)");
    }
    Zone zone;
    zone.tz_ = std::shared_ptr<const icu::BasicTimeZone>(static_cast<icu::BasicTimeZone*>(tz.release()));
    return zone;
  }
  static Zone fixed(int offset_minutes) {
    Zone zone;
    zone.offset_ms_ = TimeMs{offset_minutes} * 60'000;
    return zone;
  }

  // UTC for a local wall-clock time. A time that does not exist (the hour skipped
  // when clocks go forward) is read with the offset before the change, i.e. moved
  // forward by the gap; a time that exists twice (clocks go back) is the first one.
  Result<TimeMs> to_utc(TimeMs local) const {
    if (!tz_) return local - offset_ms_;
    int32_t raw = 0, dst = 0;
    UErrorCode status = U_ZERO_ERROR;
    tz_->getOffsetFromLocal(static_cast<UDate>(local), UCAL_TZ_LOCAL_FORMER, UCAL_TZ_LOCAL_FORMER, raw, dst, status);
    if (U_FAILURE(status)) return fail("cannot convert the local time to UTC");
    return local - raw - dst;
  }

  // Local wall-clock time for a UTC time.
  Result<TimeMs> to_local(TimeMs utc) const {
    if (!tz_) return utc + offset_ms_;
    int32_t raw = 0, dst = 0;
    UErrorCode status = U_ZERO_ERROR;
    tz_->getOffset(static_cast<UDate>(utc), false, raw, dst, status);
    if (U_FAILURE(status)) return fail("cannot convert the time to local time");
    return utc + raw + dst;
  }

 private:
  std::shared_ptr<const icu::BasicTimeZone> tz_;  // null: fixed offset
  TimeMs offset_ms_ = 0;
};

Result<int> parse_offset(const std::string& text) {
  if (text == "Z" || text == "UTC" || text.empty()) return 0;
  int h = 0, m = 0;
  if (text.size() == 6 && (text[0] == '+' || text[0] == '-') && text[3] == ':' &&
      std::from_chars(text.data() + 1, text.data() + 3, h).ec == std::errc{} &&
      std::from_chars(text.data() + 4, text.data() + 6, m).ec == std::errc{} && h <= 14 && m < 60) {
    return (h * 60 + m) * (text[0] == '-' ? -1 : 1);
  }
  return fail("utc_offset must look like +01:00");
}

// `utc_offset:` or `timezone:` of a transform's options (neither: UTC).
Result<Zone> load_zone(const YAML::Node& arg) {
  if (!arg.IsMap()) return Zone::fixed(0);
  if (arg["utc_offset"] && arg["timezone"]) return fail("give utc_offset or timezone, not both");
  if (arg["timezone"]) return Zone::named(arg["timezone"].as<std::string>());
  if (!arg["utc_offset"]) return Zone::fixed(0);
  auto offset = parse_offset(arg["utc_offset"].as<std::string>());
  if (!offset) return offset.error();
  return Zone::fixed(*offset);
}

// ---- calendar ----------------------------------------------------------------------

struct DateParts {
  int year = -1, month = -1, day = -1, hour = 0, minute = 0, second = 0;
};

DateParts civil_from_ms(TimeMs ms) {
  std::int64_t days = ms / kMsPerDay;
  std::int64_t rest = ms % kMsPerDay;
  if (rest < 0) {
    rest += kMsPerDay;
    --days;
  }
  const CivilDate c = civil_from_days(days);
  DateParts d;
  d.year = c.year;
  d.month = static_cast<int>(c.month);
  d.day = static_cast<int>(c.day);
  d.hour = static_cast<int>(rest / 3'600'000);
  d.minute = static_cast<int>(rest / 60'000 % 60);
  d.second = static_cast<int>(rest / 1000 % 60);
  return d;
}

TimeMs ms_from_civil(const DateParts& d) {
  return (days_from_civil(d.year, static_cast<unsigned>(d.month), static_cast<unsigned>(d.day)) * 86400 +
          TimeMs{d.hour} * 3600 + TimeMs{d.minute} * 60 + d.second) *
         1000;
}

// ---- reading -----------------------------------------------------------------------

bool read_number(std::string_view s, std::size_t& pos, int max_digits, int& out) {
  int digits = 0, v = 0;
  while (pos < s.size() && digits < max_digits && s[pos] >= '0' && s[pos] <= '9') {
    v = v * 10 + (s[pos++] - '0');
    ++digits;
  }
  out = v;
  return digits > 0;
}

// strptime-like: %Y %y %m %d %H %M %S %%; other characters must match literally.
bool parse_with_format(std::string_view text, std::string_view format, DateParts& d) {
  std::size_t pos = 0;
  for (std::size_t f = 0; f < format.size(); ++f) {
    if (format[f] != '%' || f + 1 == format.size()) {
      if (pos >= text.size() || text[pos] != format[f]) return false;
      ++pos;
      continue;
    }
    bool ok = true;
    switch (format[++f]) {
      case 'Y': {  // four digits: "07.12.26" read as the year 26 would be a silent misread
        const std::size_t start = pos;
        ok = read_number(text, pos, 4, d.year) && pos - start == 4;
        break;
      }
      case 'y':
        ok = read_number(text, pos, 2, d.year);
        d.year += d.year < 70 ? 2000 : 1900;
        break;
      case 'm':
        ok = read_number(text, pos, 2, d.month);
        break;
      case 'd':
        ok = read_number(text, pos, 2, d.day);
        break;
      case 'H':
        ok = read_number(text, pos, 2, d.hour);
        break;
      case 'M':
        ok = read_number(text, pos, 2, d.minute);
        break;
      case 'S':
        ok = read_number(text, pos, 2, d.second);
        break;
      case '%':
        ok = pos < text.size() && text[pos++] == '%';
        break;
      default:
        return false;
    }
    if (!ok) return false;
  }
  return pos == text.size();
}

struct DateSpec {
  std::vector<std::string> formats;
  Zone zone = Zone::fixed(0);  // the sender's zone for times without an offset
  bool date_only = false;
};

std::string iso_date(const DateParts& d) {
  char date[40];  // room for any int, so GCC sees no truncation
  std::snprintf(date, sizeof date, "%04d-%02d-%02d", d.year, d.month, d.day);
  return date;
}

// When the text would read with %y where a format says %Y, the reason says so: the
// file has two-digit years, which the mapping has to allow explicitly.
std::string two_digit_year_hint(std::string_view text, const std::vector<std::string>& formats) {
  for (const auto& format : formats) {
    const auto at = format.find("%Y");
    if (at == std::string::npos) continue;
    std::string short_year = format;
    short_year[at + 1] = 'y';
    DateParts d;
    if (parse_with_format(text, short_year, d)) {
      return " (a two-digit year: %Y needs four digits; add \"" + short_year + "\" to read it)";
    }
  }
  return {};
}

// "45267": a spreadsheet's serial day number (days since 1899-12-30 in Excel's
// default date system; 1904-01-01 in the Mac one), which a date column exported as
// a number shows. Not read: which system it counts in is not in the file.
std::string serial_number_hint(std::string_view text) {
  if (text.size() != 5 || text.find_first_not_of("0123456789") != std::string_view::npos) return {};
  return " ('" + std::string(text) +
         "' looks like a spreadsheet's serial day number: format the column as a date and export the file again)";
}

Result<std::string> parse_date(const std::string& value, const DateSpec& spec) {
  std::string text = trim(value);
  if (text.empty()) return text;
  for (const auto& format : spec.formats) {
    DateParts d;
    if (!parse_with_format(text, format, d) || d.year < 1 || d.month < 1 || d.day < 1) continue;
    std::string date = iso_date(d);
    if (!is_valid_date(date)) continue;
    if (spec.date_only) return date;
    if (d.hour > 23 || d.minute > 59 || d.second > 59) continue;
    auto utc = spec.zone.to_utc(ms_from_civil(d));
    if (!utc) return utc.error();
    return format_timestamp(*utc);
  }
  std::string formats;
  for (const auto& f : spec.formats) formats += (formats.empty() ? "" : " or ") + f;
  return fail("not a date in format " + formats + two_digit_year_hint(text, spec.formats) + serial_number_hint(text));
}

// ---- writing -----------------------------------------------------------------------

void append_padded(std::string& out, int value, int width) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%0*d", width, value);
  out += buf;
}

std::string write_with_format(const DateParts& d, std::string_view format) {
  std::string out;
  for (std::size_t f = 0; f < format.size(); ++f) {
    if (format[f] != '%' || f + 1 == format.size()) {
      out += format[f];
      continue;
    }
    switch (const char spec = format[++f]) {
      case 'Y':
        append_padded(out, d.year, 4);
        break;
      case 'y':
        append_padded(out, d.year % 100, 2);
        break;
      case 'm':
        append_padded(out, d.month, 2);
        break;
      case 'd':
        append_padded(out, d.day, 2);
        break;
      case 'H':
        append_padded(out, d.hour, 2);
        break;
      case 'M':
        append_padded(out, d.minute, 2);
        break;
      case 'S':
        append_padded(out, d.second, 2);
        break;
      default:
        out += spec;  // %% and unknown letters: the character itself
    }
  }
  return out;
}

struct FormatSpec {
  std::string format;
  Zone zone = Zone::fixed(0);
  bool date_only = false;
};

// A canonical date (YYYY-MM-DD) or timestamp (RFC 3339) in the party's format and zone.
Result<std::string> format_date(const std::string& value, const FormatSpec& spec) {
  std::string text = trim(value);
  if (text.empty()) return text;
  DateParts d;
  if (spec.date_only && text.size() == 10 && is_valid_date(text) && parse_with_format(text, "%Y-%m-%d", d)) {
    return write_with_format(d, spec.format);  // a date has no zone to convert
  }
  const auto utc = parse_timestamp(text);
  if (!utc) return fail(spec.date_only ? "not a date (YYYY-MM-DD) or timestamp" : "not an RFC 3339 timestamp");
  auto local = spec.zone.to_local(*utc);
  if (!local) return local.error();
  return write_with_format(civil_from_ms(*local), spec.format);
}

std::vector<std::string> load_formats(const YAML::Node& arg) {
  std::vector<std::string> out;
  const YAML::Node formats = arg.IsMap() ? arg["format"] : arg;
  if (formats && formats.IsSequence()) {
    for (const auto& f : formats) out.push_back(f.as<std::string>());
  } else if (formats && formats.IsScalar()) {
    out.push_back(formats.as<std::string>());
  }
  return out;
}

// The first directive of `format` that dates do not have ("%Q"), or "": a typo in a
// format must stop the mapping at load, not fail every record of a file.
std::string unknown_directive(std::string_view format) {
  for (std::size_t f = 0; f + 1 < format.size(); ++f) {
    if (format[f] != '%') continue;
    const char spec = format[++f];
    if (std::string_view("YymdHMS%").find(spec) == std::string_view::npos) return std::string("%") + spec;
  }
  return "";
}

Result<Transform> check_directives(Transform transform, const std::vector<std::string>& formats,
                                   const std::string& where) {
  for (const auto& format : formats) {
    if (auto bad = unknown_directive(format); !bad.empty()) {
      std::string reason = where;
      reason.append(": ").append(transform.name).append(": '").append(bad).append("' in \"").append(format);
      reason += "\" is no date directive (there are %Y %y %m %d %H %M %S, and %% for %)";
      return fail(reason);
    }
  }
  return transform;
}

}  // namespace

Result<Transform> make_date(const YAML::Node& arg, const std::string& where, bool date_only) {
  const char* name = date_only ? "date" : "datetime";
  DateSpec spec;
  spec.date_only = date_only;
  spec.formats = load_formats(arg);
  if (spec.formats.empty()) return fail(where + ": " + name + ": give a format such as \"%d.%m.%Y\"");
  auto zone = load_zone(arg);
  if (!zone) return fail(where + ": " + zone.error().message);
  spec.zone = *zone;
  return check_directives(
      Transform{name, [spec](std::string& v, const TransformContext&) { return assign(v, parse_date(v, spec)); }},
      spec.formats, where);
}

Result<Transform> make_format_date(const YAML::Node& arg, const std::string& where, bool date_only) {
  const char* name = date_only ? "format_date" : "format_datetime";
  const auto formats = load_formats(arg);
  if (formats.size() != 1) return fail(where + ": " + name + ": give one format such as \"%d.%m.%Y\"");
  auto zone = load_zone(arg);
  if (!zone) return fail(where + ": " + name + ": " + zone.error().message);
  FormatSpec spec{formats[0], *zone, date_only};
  return check_directives(
      Transform{name, [spec](std::string& v, const TransformContext&) { return assign(v, format_date(v, spec)); }},
      formats, where);
}

}  // namespace leadhub::mapping
