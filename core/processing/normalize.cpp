#include "processing/normalize.hpp"

#include <unicode/translit.h>
#include <unicode/unistr.h>

#include <array>
#include <memory>
#include <string_view>

namespace leadhub::processing {
namespace {

bool is_ascii(std::string_view text) {
  for (unsigned char c : text) {
    if (c >= 0x80) return false;
  }
  return true;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && static_cast<unsigned char>(text.front()) <= ' ') text.remove_prefix(1);
  while (!text.empty() && static_cast<unsigned char>(text.back()) <= ' ') text.remove_suffix(1);
  return text;
}

char ascii_lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// U+00C0..U+00FF to lower-case ASCII, the letters most partner data carries.
// Handled here because an ICU transliterator costs microseconds per call and the
// duplicate check runs this on every candidate ("" = not a letter: a space).
constexpr std::array<std::string_view, 64> kLatin1 = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e",  "e",  "e", "e", "i", "i", "i", "i", "d",  "n", "o",  "o", "o", "o",
    "o", "",  "o", "u", "u", "u", "u",  "y", "th", "ss", "a", "a", "a", "a", "a", "a", "ae", "c", "e",  "e", "e", "e",
    "i", "i", "i", "i", "d", "n", "o",  "o", "o",  "o",  "o", "",  "o", "u", "u", "u", "u",  "y", "th", "y"};

// Latin-1 only text to ASCII; false when another script needs ICU.
bool latin1_to_ascii(std::string_view text, std::string& out) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
      continue;
    }
    if ((c != 0xC3 && c != 0xC2) || i + 1 >= text.size()) return false;
    auto next = static_cast<unsigned char>(text[++i]);
    if (c == 0xC2 || next < 0x80 || next > 0xBF) {
      out.push_back(' ');  // U+0080..U+00BF: symbols and spaces
      continue;
    }
    std::string_view mapped = kLatin1[next - 0x80];
    out.append(mapped.empty() ? std::string_view(" ") : mapped);
  }
  return true;
}

// One transliterator per thread: creating it parses rule tables (milliseconds),
// and an ICU Transliterator is not safe to share between threads.
std::unique_ptr<icu::Transliterator> make_transliterator() {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::Transliterator> t(icu::Transliterator::createInstance(
      icu::UnicodeString::fromUTF8("Any-Latin; Latin-ASCII"), UTRANS_FORWARD, status));
  if (U_FAILURE(status)) return nullptr;
  return t;
}

icu::Transliterator* transliterator() {
  thread_local const std::unique_ptr<icu::Transliterator> kInstance = make_transliterator();
  // NOLINTNEXTLINE(clang-analyzer-cplusplus.NewDelete): clang 14 runs a thread_local's destructor at the return
  return kInstance.get();
}

std::string icu_to_ascii(std::string_view text) {
  // Names and addresses are bounded far below 2 GiB (model/limits.hpp).
  icu::UnicodeString unicode =
      icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<std::int32_t>(text.size())));
  if (icu::Transliterator* t = transliterator()) t->transliterate(unicode);
  std::string out;
  unicode.toUTF8String(out);
  return out;  // may still hold non-ASCII the rules do not cover: dropped as separators
}

// Letters and digits kept lower-case; everything else separates words.
std::string collapse(std::string_view ascii) {
  std::string out;
  out.reserve(ascii.size());
  bool space = false;
  for (char c : ascii) {
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum) {
      space = !out.empty();
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(ascii_lower(c));
  }
  return out;
}

// "ae", "oe", "ue" -> "a", "o", "u": the spelled-out umlaut meets the
// transliterated one (ü -> u) and the one typed without dots.
std::string fold_umlaut_spelling(std::string text) {
  std::size_t w = 0;
  for (std::size_t r = 0; r < text.size(); ++r) {
    char c = text[r];
    text[w++] = c;
    if ((c == 'a' || c == 'o' || c == 'u') && r + 1 < text.size() && text[r + 1] == 'e') ++r;
  }
  text.resize(w);
  return text;
}

}  // namespace

std::string normalize_email(std::string_view email, const NormalizeOptions& options) {
  email = trim(email);
  std::size_t at = email.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == email.size()) return {};
  std::string local;
  for (char c : email.substr(0, at)) local.push_back(ascii_lower(c));
  std::string domain;
  for (char c : email.substr(at + 1)) domain.push_back(ascii_lower(c));
  if (options.strip_plus_addressing) {
    if (std::size_t plus = local.find('+'); plus != std::string::npos && plus > 0) local.resize(plus);
  }
  if (options.googlemail_is_gmail && domain == "googlemail.com") domain = "gmail.com";
  return local + "@" + domain;
}

std::string normalize_phone(std::string_view phone) {
  std::string digits;
  for (char c : phone) {
    if (c >= '0' && c <= '9') digits.push_back(c);
  }
  // "0049..." is the international prefix written out; a stored lead has E.164.
  if (digits.size() > 2 && digits[0] == '0' && digits[1] == '0') digits.erase(0, 2);
  if (digits.size() < 6) return {};
  return digits;
}

std::string fold_text(std::string_view text) {
  text = trim(text);
  if (is_ascii(text)) return fold_umlaut_spelling(collapse(text));
  std::string ascii;
  ascii.reserve(text.size() + 4);
  if (!latin1_to_ascii(text, ascii)) ascii = icu_to_ascii(text);
  return fold_umlaut_spelling(collapse(ascii));
}

std::vector<std::string_view> split_words(std::string_view folded) {
  std::vector<std::string_view> words;
  while (!folded.empty()) {
    std::size_t space = folded.find(' ');
    if (space != 0) words.push_back(folded.substr(0, space));
    if (space == std::string_view::npos) break;
    folded.remove_prefix(space + 1);
  }
  return words;
}

namespace {

// Legal forms as folded words (after fold_umlaut_spelling: "haftungsbeschrankt").
bool is_legal_form(std::string_view word) {
  static constexpr std::string_view kForms[] = {
      "gmbh", "mbh",   "ag",  "kg",  "kgaa", "ohg",         "gbr",     "ug",   "haftungsbeschrankt",
      "ek",   "ev",    "eg",  "co",  "cie",  "ltd",         "limited", "inc",  "incorporated",
      "llc",  "llp",   "lp",  "plc", "corp", "corporation", "sa",      "sarl", "sas",
      "sasu", "bv",    "nv",  "spa", "srl",  "sl",          "slu",     "ab",   "as",
      "asa",  "oy",    "oyj", "se",  "pty",  "kft",         "sro",     "doo",  "lda",
      "zoo",  "spzoo", "und", "and", "et"};
  for (std::string_view form : kForms) {
    if (word == form) return true;
  }
  return false;
}

// "g m b h" -> "gmbh", "s a r l" -> "sarl": dotted abbreviations fold to words.
std::vector<std::string> join_single_letters(std::string_view folded) {
  std::vector<std::string> words;
  bool last_single = false;
  for (std::string_view w : split_words(folded)) {
    bool single = w.size() == 1;
    if (single && last_single) {
      words.back().append(w);
    } else {
      words.emplace_back(w);
    }
    last_single = single;
  }
  return words;
}

}  // namespace

std::string company_key(std::string_view company) {
  std::string folded = fold_text(company);
  std::vector<std::string> words = join_single_letters(folded);
  // Legal forms trail the name ("Schmidt & Co. KG"); stripping only from the
  // end keeps a name like "AS Logistik" or "SA Foods" intact.
  std::size_t keep = words.size();
  while (keep > 1 && is_legal_form(words[keep - 1])) --keep;
  std::string out;
  for (std::size_t i = 0; i < keep; ++i) {
    if (!out.empty()) out.push_back(' ');
    out += words[i];
  }
  return out;
}

std::string normalize_postal(std::string_view postal) {
  std::string out;
  for (char c : trim(postal)) {
    if (c == ' ' || c == '-') continue;
    out.push_back((c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c);
  }
  return out;
}

std::string normalize_country(std::string_view country) {
  std::string folded = fold_text(country);
  static constexpr std::pair<std::string_view, std::string_view> kNames[] = {
      {"deutschland", "DE"},    {"germany", "DE"}, {"osterreich", "AT"}, {"austria", "AT"},       {"schweiz", "CH"},
      {"switzerland", "CH"},    {"suisse", "CH"},  {"frankreich", "FR"}, {"france", "FR"},        {"niederlande", "NL"},
      {"netherlands", "NL"},    {"italien", "IT"}, {"italy", "IT"},      {"spanien", "ES"},       {"spain", "ES"},
      {"united kingdom", "GB"}, {"uk", "GB"},      {"usa", "US"},        {"united states", "US"}, {"polen", "PL"},
      {"poland", "PL"},         {"belgien", "BE"}, {"belgium", "BE"},    {"danemark", "DK"},      {"denmark", "DK"}};
  for (auto [name, code] : kNames) {
    if (folded == name) return std::string(code);
  }
  std::string out;
  for (char c : folded) out.push_back((c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c);
  return out;
}

std::string soundex(std::string_view folded) {
  //                                     abcdefghijklmnopqrstuvwxyz
  static constexpr std::string_view kCodes = "01230120022455012623010202";
  std::string out;
  char last = 0;
  for (char c : folded) {
    if (c == ' ') break;
    if (c < 'a' || c > 'z') continue;
    char code = kCodes[static_cast<std::size_t>(c - 'a')];
    if (out.empty()) {
      out.push_back(static_cast<char>(c - 'a' + 'A'));
    } else if (code != '0' && code != last) {
      out.push_back(code);
    }
    // h and w do not separate equal codes; vowels do.
    if (c != 'h' && c != 'w') last = code;
    if (out.size() == 4) break;
  }
  if (!out.empty()) out.resize(4, '0');
  return out;
}

MatchKey make_match_key(const Lead& lead, const NormalizeOptions& options) {
  const Prospect& p = lead.prospect;
  MatchKey key;
  key.id = lead.id;
  key.email = normalize_email(p.email, options);
  key.phone = normalize_phone(p.phone);
  key.given = fold_text(p.given_name);
  key.family = fold_text(p.family_name);
  key.company = company_key(p.company);
  key.postal = normalize_postal(p.address.postal_code);
  key.city = fold_text(p.address.city);
  key.country = normalize_country(p.address.country);
  return key;
}

}  // namespace leadhub::processing
