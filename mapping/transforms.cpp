#include "transforms.hpp"

#include <re2/re2.h>
#include <unicode/locid.h>
#include <unicode/unistr.h>

#include <charconv>
#include <memory>
#include <unordered_map>

#include "countries.hpp"
#include "date_transforms.hpp"
#include "encoding.hpp"
#include "model/validation.hpp"
#include "phone_fast.hpp"
#include "util/time_format.hpp"

namespace leadhub::mapping {

std::string yaml_position(const std::string& file, const YAML::Node& node) {
  const auto mark = node.Mark();
  return file + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

namespace {

// ' ', '\t', '\n', '\v', '\f' and '\r' (the last five are 9..13).
bool is_space(char c) { return c == ' ' || static_cast<unsigned char>(c - '\t') < 5; }

// Non-ASCII blanks (a no-break space) become ' ' and invisible characters (a soft
// hyphen, a zero-width space, a stray byte order mark) go: copied from Excel, Word or
// a web page they hide in names and addresses, which then never match the same text
// typed. ASCII values, most of them, cost one check.
void plain_blanks_in_place(std::string& v) {
  if (is_ascii(v)) return;
  std::size_t out = 0;
  for (std::size_t i = 0; i < v.size();) {
    const auto unseen = static_cast<unsigned char>(v[i]) >= 0x80 ? unseen_character_at(v, i) : UnseenCharacter{};
    if (unseen.length == 0) {
      v[out++] = v[i++];
      continue;
    }
    if (unseen.kind == UnseenCharacter::space) v[out++] = ' ';
    i += unseen.length;
  }
  v.resize(out);
}

// The steps below change the value they are given: most values need no change
// and then cost one pass over their bytes, no copy and no allocation.
void trim_in_place(std::string& v) {
  plain_blanks_in_place(v);
  if (v.empty() || (!is_space(v.front()) && !is_space(v.back()))) return;
  std::size_t end = v.size();
  while (end > 0 && is_space(v[end - 1])) --end;
  std::size_t begin = 0;
  while (begin < end && is_space(v[begin])) ++begin;
  v.erase(end);
  v.erase(0, begin);
}

// Leading and trailing whitespace dropped, every inner run made one space. The
// write position never passes the read position, so one pass does it.
void collapse_in_place(std::string& v) {
  plain_blanks_in_place(v);
  // Raw pointer and length in locals: a store through char* may alias the
  // string's own members, which would make the compiler reload them every byte.
  char* const data = v.data();
  const std::size_t n = v.size();
  std::size_t out = 0;
  bool space = false;
  for (std::size_t i = 0; i < n; ++i) {
    const char c = data[i];
    if (is_space(c)) {
      space = true;
      continue;
    }
    if (space && out > 0) data[out++] = ' ';
    space = false;
    data[out++] = c;
  }
  v.resize(out);
}

}  // namespace

std::string trim(std::string_view s) {
  std::string out(s);
  trim_in_place(out);
  return out;
}

std::string collapse_whitespace(std::string_view s) {
  std::string out(s);
  collapse_in_place(out);
  return out;
}

namespace {

std::string to_utf8(const icu::UnicodeString& u) {
  std::string out;
  u.toUTF8String(out);
  return out;
}

}  // namespace

// ASCII is handled without ICU (the common case in bulk imports); anything else
// goes through ICU's full Unicode case mapping (ß, Greek, Turkish dotted i, ...).
std::string to_lower_utf8(std::string_view s) {
  if (is_ascii(s)) return lower_ascii(s);
  auto u = icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
  return to_utf8(u.toLower(icu::Locale::getRoot()));
}

std::string to_upper_utf8(std::string_view s) {
  if (is_ascii(s)) {
    std::string out(s);
    for (auto& c : out) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return out;
  }
  auto u = icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
  return to_utf8(u.toUpper(icu::Locale::getRoot()));
}

namespace {

// ASCII values are case-mapped in place; others go through ICU as above.
void lower_in_place(std::string& v) {
  if (!is_ascii(v)) {
    v = to_lower_utf8(v);
    return;
  }
  for (auto& c : v) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
}

void upper_in_place(std::string& v) {
  if (!is_ascii(v)) {
    v = to_upper_utf8(v);
    return;
  }
  for (auto& c : v) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
}

}  // namespace

std::string title_case(std::string_view s) {
  auto u = icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
  return to_utf8(u.toTitle(nullptr, icu::Locale::getRoot()));
}

std::string truncate_utf8(std::string_view s, std::size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;  // never split a character
  return std::string(s.substr(0, end));
}

std::pair<std::string, std::string> split_full_name(std::string_view full) {
  std::string name = collapse_whitespace(trim(full));
  if (const auto comma = name.find(','); comma != std::string::npos) {  // "Family, Given"
    return {trim(name.substr(comma + 1)), trim(name.substr(0, comma))};
  }
  static const char* const kTitles[] = {"dr.",  "dr",  "prof.", "prof", "herr", "frau", "mr.",        "mr",
                                        "mrs.", "mrs", "ms.",   "ms",   "mme",  "m.",   "dipl.-ing.", "ing."};
  std::vector<std::string> words;
  for (std::size_t pos = 0; pos < name.size();) {
    const auto next = name.find(' ', pos);
    words.push_back(name.substr(pos, next == std::string::npos ? std::string::npos : next - pos));
    pos = next == std::string::npos ? name.size() : next + 1;
  }
  while (words.size() > 1) {
    const std::string lower = lower_ascii(words.front());
    bool title = false;
    for (const char* t : kTitles) title = title || lower == t;
    if (!title) break;
    words.erase(words.begin());
  }
  if (words.empty()) return {};
  if (words.size() == 1) return {"", words[0]};
  // Family-name particles stay with the family name: "Ludwig van Beethoven".
  static const char* const kParticles[] = {"van", "von", "de", "der", "den", "du", "da",
                                           "di",  "la",  "le", "zu",  "ten", "ter"};
  std::size_t family_start = words.size() - 1;
  while (family_start > 1) {
    const std::string lower = lower_ascii(words[family_start - 1]);
    bool particle = false;
    for (const char* p : kParticles) particle = particle || lower == p;
    if (!particle) break;
    --family_start;
  }
  std::string given, family;
  for (std::size_t i = 0; i < words.size(); ++i) {
    std::string& target = i < family_start ? given : family;
    if (!target.empty()) target += ' ';
    target += words[i];
  }
  return {given, family};
}

namespace {

Error fail(std::string reason) { return Error::make(ErrorCode::invalid, std::move(reason)); }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// "030 1234567 / 8", "0171 1234567, 030 1234567": a whole number, then a list
// separator and more digits. Read as one they made a number nobody has. A slash
// after an area code ("030 / 1234567", "030/1234567") is no list: before it are
// fewer digits than any German subscriber number with its area code (7).
bool holds_two_numbers(std::string_view text) {
  std::size_t digits = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if ((c == '/' || c == ',' || c == ';') && digits >= 7) {
      return text.find_first_of("0123456789", i) != std::string_view::npos;
    }
  }
  return false;
}

// "4.91761234567E+11", "4,91761E+11": what Excel writes for a long number in a
// cell formatted General. The digits past its precision are gone.
bool is_scientific_notation(std::string_view text) {
  const auto e = text.find_first_of("eE");
  if (e == std::string_view::npos || e < 3 || !is_digit(text[0]) || (text[1] != '.' && text[1] != ',')) return false;
  std::string_view exponent = text.substr(e + 1);
  if (!exponent.empty() && exponent[0] == '+') exponent.remove_prefix(1);
  const auto digits_only = [](std::string_view s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
  };
  return digits_only(text.substr(2, e - 2)) && digits_only(exponent);
}

std::optional<std::string> e164_in(const std::string& text, const std::string& region) {
  bool invalid = false;
  if (auto fast = fast_e164(text, region, &invalid)) return fast;
  if (invalid) return std::nullopt;
  return full_e164(text, region);
}

// "4917612345678": +49 176 12345678 with its '+' lost (a number cell in Excel drops
// it). Digits only, not starting with 0 (a national number keeps its trunk 0 unless
// Excel drops that too: "1761234567"), starting with the region's country code, and
// a valid number once the '+' is back. libphonenumber takes it as a national number
// (valid in Germany too: 0491 is Leer's area code), which is what such a cell means
// far less often.
std::optional<std::string> with_lost_plus(const std::string& text, const std::string& region) {
  if (text.empty() || text[0] == '0' || text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  const std::string code = calling_code_of(region);
  if (code.empty() || !text.starts_with(code)) return std::nullopt;
  return e164_in("+" + text, region);
}

Result<std::string> to_e164(const std::string& value, const std::string& region) {
  std::string text = trim(value);
  if (text.empty()) return text;
  if (holds_two_numbers(text)) return fail("'" + text + "' holds more than one number; give one");
  if (is_scientific_notation(text)) {
    return fail("'" + text +
                "' is a number in scientific notation (Excel's format for a long number): its last digits are "
                "lost; format the column as text and export the file again");
  }
  if (auto international = with_lost_plus(text, region)) return std::move(*international);
  if (auto number = e164_in(text, region)) return std::move(*number);
  if (region == "ZZ") {  // bare `phone`, and the record names no country: "for region ZZ" told nobody anything
    return fail("'" + truncate_utf8(text, 40) +
                "' is no international number (+49 ...), and there is no country to read it in: the record has no "
                "prospect.address.country and the mapping's phone transform no default ({phone: DE})");
  }
  return fail("not a phone number (for region " + region + ")");
}

// Copied addresses carry what surrounded them: "mailto:", angle brackets with or
// without a display name ("Anna Müller <anna@example.de>", as Outlook copies it),
// and the full stop or comma of the sentence they ended ("anna@example.de.").
void normalize_email(std::string& value) {
  trim_in_place(value);
  if (value.size() > 2 && value.back() == '>') {
    if (const auto open = value.rfind('<'); open != std::string::npos) {
      value.pop_back();
      value.erase(0, open + 1);
      trim_in_place(value);
    }
  }
  if (value.size() > 7 && lower_ascii(std::string_view(value).substr(0, 7)) == "mailto:") value.erase(0, 7);
  while (!value.empty() && (value.back() == '.' || value.back() == ',' || value.back() == ';')) value.pop_back();
  lower_in_place(value);
}

// Countries whose postal codes are a fixed number of digits, some starting with 0,
// and how many leading zeros a code can have: a spreadsheet that read the column as
// numbers dropped them (01067 Dresden became 1067).
struct PostalCodeForm {
  const char* country;
  std::size_t digits;
  std::size_t leading_zeros;
};
constexpr PostalCodeForm kPostalCodeForms[] = {{"DE", 5, 1}, {"FR", 5, 1}, {"ES", 5, 1}, {"FI", 5, 2},
                                               {"IT", 5, 2}, {"US", 5, 2}, {"NO", 4, 1}};

// A postal code of digits only, in a country above: the zeros Excel dropped put back,
// a code of another length refused. Anything else (letters, "D-01067") is left as it is.
Result<std::string> postal_code_in(const std::string& value, const std::string& country) {
  std::string code = trim(value);
  if (code.empty() || code.find_first_not_of("0123456789") != std::string::npos) return code;
  for (const auto& form : kPostalCodeForms) {
    if (country != form.country) continue;
    if (code.size() < form.digits && code.size() + form.leading_zeros >= form.digits) {
      code.insert(0, form.digits - code.size(), '0');
    }
    if (code.size() != form.digits) {
      std::string reason = "'" + code + "' is not a postal code in ";
      reason.append(country).append(" (").append(std::to_string(form.digits)).append(" digits)");
      return fail(std::move(reason));
    }
  }
  return code;
}

Result<std::string> parse_boolean(const std::string& value) {
  const std::string v = to_lower_utf8(trim(value));
  static const char* const kTrue[] = {"1", "y", "yes", "j", "ja", "x", "true", "t", "on", "oui", "si", "wahr"};
  static const char* const kFalse[] = {"0", "n", "no", "nein", "false", "f", "off", "non", "", "-", "falsch"};
  for (const char* t : kTrue) {
    if (v == t) return std::string("true");
  }
  for (const char* f : kFalse) {
    if (v == f) return std::string("false");
  }
  return fail("not a yes/no value");
}

// A thousands separator at text[i]: the other of '.' and ',', a space, an
// apostrophe (Swiss), or a no-break space (U+00A0, U+202F: what French and Swiss
// spreadsheets write). Its length in bytes, 0 for none.
std::size_t group_separator_at(std::string_view text, std::size_t i, char decimal_separator) {
  const char c = text[i];
  if (c == ' ' || c == '\'' || ((c == '.' || c == ',') && c != decimal_separator)) return 1;
  if (text.substr(i, 2) == "\xC2\xA0") return 2;
  if (text.substr(i, 3) == "\xE2\x80\xAF") return 3;
  return 0;
}

// The whole UTF-8 character at text[i] for a message ("€", not its first byte).
std::string character_at(std::string_view text, std::size_t i) {
  const auto lead = static_cast<unsigned char>(text[i]);
  const std::size_t length = lead < 0xC0 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
  return std::string(text.substr(i, length));
}

std::string misgrouped_reason(std::string_view text, char separator) {
  std::string reason = "'" + std::string(text) + "' is not a decimal number with '";
  reason += separator;
  reason += "' as decimal separator (thousands separators stand between groups of three digits)";
  return reason;
}

// The digits before the decimal separator, appended to `out` without their thousands
// separators; `i` ends on the decimal separator or the end. A thousands separator
// counts only between groups of three digits (the first group 1-3), one kind per
// number: "12.5" under "," is 12.5 typed the English way, and dropping the point
// would make it 125.
Status read_integer_digits(std::string_view text, std::size_t& i, char separator, std::string& out) {
  const std::string shown = "'" + std::string(text) + "'";
  std::size_t group_digits = 0;  // digits since the last thousands separator (or the start)
  std::string_view group_separator;
  const auto misgrouped = [&] { return fail(misgrouped_reason(text, separator)); };
  for (; i < text.size() && text[i] != separator; ++i) {
    if (is_digit(text[i])) {
      out += text[i];
      ++group_digits;
      continue;
    }
    const std::size_t n = group_separator_at(text, i, separator);
    if (n == 0) {
      std::string reason = shown;
      reason.append(" is not a decimal number: '").append(character_at(text, i));
      reason.append("' is no digit or separator (a currency or unit? map it to its own field)");
      return fail(std::move(reason));
    }
    const std::string_view this_separator = text.substr(i, n);
    const bool first_group = group_separator.empty();
    if (group_digits == 0 || group_digits > 3 || (!first_group && group_digits != 3) ||
        (!first_group && this_separator != group_separator)) {
      return misgrouped();
    }
    group_separator = this_separator;
    group_digits = 0;
    i += n - 1;
  }
  if (!group_separator.empty() && group_digits != 3) return misgrouped();
  return ok_status();
}

// "1.234,56" with separator "," -> "1234.56": thousands separators dropped where they
// group thousands; anything else (letters, currency signs: "12 EUR", "€ 5") is refused
// with what was in the way.
Result<std::string> parse_decimal(const std::string& value, char separator) {
  std::string text = trim(value);
  if (text.empty()) return text;
  std::string out;
  std::size_t i = 0;
  if (text[0] == '-') out += text[i++];
  if (auto st = read_integer_digits(text, i, separator, out); !st) return st.error();
  const bool has_integer_digits = out.size() > (text[0] == '-' ? 1U : 0U);
  if (i < text.size()) {  // the decimal separator, then digits only
    const std::size_t decimals = text.find_first_not_of("0123456789", i + 1);
    if (decimals != std::string::npos && text[decimals] == separator) {
      return fail("'" + text + "' is not a decimal number: the decimal separator '" + std::string(1, separator) +
                  "' comes twice");
    }
    if (decimals != std::string::npos && group_separator_at(text, decimals, separator) == 1 && text[decimals] != ' ') {
      return fail(misgrouped_reason(text, separator));  // "1.000,00" under "."
    }
    if (decimals != std::string::npos) {
      return fail("'" + text + "' is not a decimal number: '" + text.substr(decimals) +
                  "' after the decimals (a currency or unit? map it to its own field)");
    }
    if (i + 1 == text.size()) return fail("'" + text + "' is not a decimal number");
    out.append(".").append(text, i + 1);
  }
  if (!has_integer_digits) return fail("'" + text + "' is not a decimal number");
  if (!is_decimal(out)) return fail("'" + text + "' is not a decimal number (at most 15 digits and 4 decimals)");
  return out;
}

using Maker = std::function<Result<Transform>(const YAML::Node& arg, const std::string& where)>;

// Wraps a step that changes the value in place, needs no context and cannot fail.
template <typename Fn>
Transform in_place(std::string name, Fn fn) {
  return Transform{std::move(name), [fn = std::move(fn)](std::string& v, const TransformContext&) {
                     fn(v);
                     return ok_status();
                   }};
}

// Wraps a step that needs no context.
Transform plain(std::string name, std::function<Result<std::string>(const std::string&)> fn) {
  return Transform{std::move(name),
                   [fn = std::move(fn)](std::string& v, const TransformContext&) { return assign(v, fn(v)); }};
}

Result<Transform> make_map(const YAML::Node& arg, const std::string& where) {
  // {map: {values: {"01": open, ...}, default: open, ignore_case: true}} or {map: {"01": open}}
  const YAML::Node values = arg["values"] ? arg["values"] : arg;
  if (!values.IsMap()) return fail(where + ": map: expected a mapping of source value to canonical value");
  const bool ignore_case = arg["ignore_case"] && arg["ignore_case"].as<bool>(false);
  auto table = std::make_shared<std::unordered_map<std::string, std::string>>();
  for (const auto& item : values) {
    if (item.first.as<std::string>() == "default" || item.first.as<std::string>() == "ignore_case") {
      if (values == arg) continue;
    }
    std::string key = item.first.as<std::string>();
    if (ignore_case) key = to_lower_utf8(key);
    (*table)[key] = item.second.IsNull() ? std::string() : item.second.as<std::string>();
  }
  std::optional<std::string> fallback;
  if (arg["default"]) fallback = arg["default"].IsNull() ? std::string() : arg["default"].as<std::string>();
  auto map = plain("map", [table, fallback, ignore_case](const std::string& v) -> Result<std::string> {
    const auto it = ignore_case ? table->find(to_lower_utf8(v)) : table->find(v);
    if (it != table->end()) return it->second;
    if (fallback) return *fallback;
    return fail("'" + truncate_utf8(v, 40) + "' is not in the value map");
  });
  map.failure = MappingErrorCode::unknown_code;
  return map;
}

Result<std::shared_ptr<RE2>> compile(const std::string& pattern, const std::string& where) {
  auto re = std::make_shared<RE2>(pattern, RE2::Quiet);
  if (!re->ok()) return fail(where + ": bad regular expression: " + re->error());
  return re;
}

Result<Transform> make_regex_extract(const YAML::Node& arg, const std::string& where) {
  auto re = compile(arg.as<std::string>(), where);
  if (!re) return re.error();
  auto pattern = *re;
  return plain("regex_extract", [pattern](const std::string& v) -> Result<std::string> {
    std::string group;
    if (pattern->NumberOfCapturingGroups() == 0) {
      re2::StringPiece match;
      if (pattern->Match(v, 0, v.size(), RE2::UNANCHORED, &match, 1)) return std::string(match);
    } else if (RE2::PartialMatch(v, *pattern, &group)) {
      return group;
    }
    return fail("does not match " + pattern->pattern());
  });
}

Result<Transform> make_regex_replace(const YAML::Node& arg, const std::string& where) {
  if (!arg.IsMap() || !arg["pattern"]) return fail(where + ": regex_replace: expected {pattern: ..., with: ...}");
  auto re = compile(arg["pattern"].as<std::string>(), where);
  if (!re) return re.error();
  auto pattern = *re;
  const std::string with = arg["with"] ? arg["with"].as<std::string>() : std::string();
  return in_place("regex_replace", [pattern, with](std::string& v) { RE2::GlobalReplace(&v, *pattern, with); });
}

// A maker for a transform that takes no options and cannot fail, such as `trim`.
Maker without_options(const char* name, void (*fn)(std::string&)) {
  return [name, fn](const YAML::Node&, const std::string&) -> Result<Transform> { return in_place(name, fn); };
}

const std::unordered_map<std::string, Maker>& makers() {
  static const std::unordered_map<std::string, Maker> kTable = {
      {"trim", without_options("trim", trim_in_place)},
      {"collapse_whitespace", without_options("collapse_whitespace", collapse_in_place)},
      {"lower", without_options("lower", lower_in_place)},
      {"upper", without_options("upper", upper_in_place)},
      {"title", without_options("title", [](std::string& v) { v = title_case(v); })},
      {"given_name", without_options("given_name", [](std::string& v) { v = split_full_name(v).first; })},
      {"family_name", without_options("family_name", [](std::string& v) { v = split_full_name(v).second; })},
      {"email", without_options("email", normalize_email)},
      {"boolean",
       [](const YAML::Node&, const std::string&) -> Result<Transform> {
         return plain("boolean", [](const std::string& v) { return parse_boolean(v); });
       }},
      {"integer",
       [](const YAML::Node&, const std::string&) -> Result<Transform> {
         return plain("integer", [](const std::string& v) -> Result<std::string> {
           std::string t = trim(v);
           if (t.empty()) return t;
           long long n = 0;
           const auto r = std::from_chars(t.data(), t.data() + t.size(), n);
           if (r.ec != std::errc{} || r.ptr != t.data() + t.size()) return fail("not a whole number");
           return std::to_string(n);
         });
       }},
      {"country",
       [](const YAML::Node&, const std::string&) -> Result<Transform> {
         auto country = plain("country", [](const std::string& v) -> Result<std::string> {
           if (trim(v).empty()) return std::string();
           if (auto code = to_iso_country(v)) return *code;
           return fail("'" + truncate_utf8(v, 40) + "' is not a known country name or code");
         });
         country.failure = MappingErrorCode::unknown_code;
         return country;
       }},
      {"phone",
       [](const YAML::Node& arg, const std::string& where) -> Result<Transform> {
         // {phone: DE} or {phone: {default_country: DE}}: numbers without a country code
         // are read in the record's own country (prospect.address.country) when it has
         // one, else in the default country.
         const std::string region = arg.IsMap() && arg["default_country"] ? arg["default_country"].as<std::string>()
                                    : arg.IsScalar()                      ? arg.as<std::string>()
                                                                          : std::string("ZZ");
         if (region != "ZZ" && !to_iso_country(region))
           return fail(where + ": phone: unknown default country " + region);
         const std::string fallback = region == "ZZ" ? region : *to_iso_country(region);
         return Transform{"phone",
                          [fallback](std::string& v, const TransformContext& ctx) {
                            std::string country = ctx.canonical ? ctx.canonical("prospect.address.country") : "";
                            return assign(v, to_e164(v, country.size() == 2 ? country : fallback));
                          },
                          true};
       }},
      {"postal_code",
       [](const YAML::Node& arg, const std::string& where) -> Result<Transform> {
         // {postal_code: DE}: in the record's prospect.address.country, else DE.
         const std::string given = arg.IsScalar() ? arg.as<std::string>() : std::string();
         const auto fallback = given.empty() ? std::optional<std::string>("ZZ") : to_iso_country(given);
         if (!fallback) return fail(where + ": postal_code: unknown default country " + given);
         return Transform{"postal_code",
                          [fallback = *fallback](std::string& v, const TransformContext& ctx) {
                            std::string country = ctx.canonical ? ctx.canonical("prospect.address.country") : "";
                            return assign(v, postal_code_in(v, country.size() == 2 ? country : fallback));
                          },
                          true};
       }},
      {"decimal",
       [](const YAML::Node& arg, const std::string& where) -> Result<Transform> {
         const std::string sep = arg.IsMap() && arg["separator"] ? arg["separator"].as<std::string>()
                                 : arg.IsScalar()                ? arg.as<std::string>()
                                                                 : std::string(".");
         if (sep != "." && sep != ",") return fail(where + ": decimal: separator must be \".\" or \",\"");
         return plain("decimal", [c = sep[0]](const std::string& v) { return parse_decimal(v, c); });
       }},
      {"max_length",
       [](const YAML::Node& arg, const std::string& where) -> Result<Transform> {
         std::size_t n = 0;
         if (!arg.IsScalar() || !YAML::convert<std::size_t>::decode(arg, n) || n == 0) {
           return fail(where + ": max_length: expected a positive number");
         }
         return in_place("max_length", [n](std::string& v) {
           if (v.size() > n) v = truncate_utf8(v, n);
         });
       }},
      {"prefix",
       [](const YAML::Node& arg, const std::string&) -> Result<Transform> {
         const std::string p = arg.as<std::string>("");
         return in_place("prefix", [p](std::string& v) {
           if (!v.empty()) v.insert(0, p);
         });
       }},
      {"map", make_map},
      {"regex_extract", make_regex_extract},
      {"regex_replace", make_regex_replace},
      {"date", [](const YAML::Node& a, const std::string& w) { return make_date(a, w, true); }},
      {"datetime", [](const YAML::Node& a, const std::string& w) { return make_date(a, w, false); }},
      {"format_date", [](const YAML::Node& a, const std::string& w) { return make_format_date(a, w, true); }},
      {"format_datetime", [](const YAML::Node& a, const std::string& w) { return make_format_date(a, w, false); }},
  };
  return kTable;
}

}  // namespace

Result<Transform> make_transform(const YAML::Node& node, const std::string& file) {
  const std::string where = yaml_position(file, node);
  std::string name;
  YAML::Node arg;
  if (node.IsScalar()) {
    name = node.as<std::string>();
  } else if (node.IsMap() && node.size() == 1) {
    name = node.begin()->first.as<std::string>();
    arg = node.begin()->second;
  } else {
    return fail(where + ": a transform is a name (trim) or a one-key mapping ({phone: DE})");
  }
  const auto it = makers().find(name);
  if (it == makers().end()) {
    std::string known;
    for (const auto& [k, v] : makers()) known += (known.empty() ? "" : ", ") + k;
    return fail(where + ": unknown transform '" + name + "' (known: " + known + ")");
  }
  try {
    return it->second(arg, where);
  } catch (const YAML::Exception& e) {
    return fail(where + ": " + name + ": " + e.msg);
  }
}

Status assign(std::string& value, Result<std::string>&& result) {
  if (!result) return result.error();
  value = std::move(result).value();
  return ok_status();
}

Status apply_chain_in_place(const std::vector<Transform>& chain, std::string& value, const TransformContext& ctx,
                            MappingErrorCode* failure) {
  for (const auto& step : chain) {
    if (auto st = step.apply(value, ctx); !st) {
      if (failure != nullptr) *failure = step.failure;
      return Error::make(ErrorCode::invalid, step.name + ": " + st.error().message);
    }
  }
  return ok_status();
}

Result<std::string> apply_chain(const std::vector<Transform>& chain, std::string value, const TransformContext& ctx,
                                MappingErrorCode* failure) {
  if (auto st = apply_chain_in_place(chain, value, ctx, failure); !st) return st.error();
  return value;
}

}  // namespace leadhub::mapping
