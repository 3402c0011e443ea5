// Match normalization: the keys two leads are compared on. Never written back to
// a lead; the stored values stay exactly as the connector delivered them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/lead.hpp"

namespace leadhub::processing {

struct NormalizeOptions {
  bool strip_plus_addressing = true;  // anna+news@x.de -> anna@x.de
  bool googlemail_is_gmail = true;    // the same mailbox under two domains
};

// Lower-cased, trimmed; plus-addressing and googlemail folded as configured.
// Empty when the text has no '@' (nothing to match on).
std::string normalize_email(std::string_view email, const NormalizeOptions& options);

// E.164 digits without '+': "+49 30 1234567", "0049301234567" and
// "+49(30)123-4567" all give "49301234567". Empty when fewer than 6 digits.
std::string normalize_phone(std::string_view phone);

// Case-folded ASCII for names, cities, companies: transliterated with ICU
// (Any-Latin; Latin-ASCII), punctuation and runs of spaces collapsed to one
// space, and the German spellings folded together so that "Müller",
// "Mueller" and "Muller" all give "muller" (ae/oe/ue -> a/o/u after
// transliteration). Lossy on purpose: only for matching.
std::string fold_text(std::string_view text);

// fold_text, then known legal forms (GmbH, AG, GmbH & Co. KG, Ltd, Inc, LLC,
// SA, SARL, BV, SpA, ...) removed wherever they stand as whole words.
std::string company_key(std::string_view company);

// Postal code without spaces and dashes, upper case ("10 115" -> "10115").
std::string normalize_postal(std::string_view postal);

// ISO 3166-1 alpha-2 upper case; a few common names mapped ("Deutschland" -> "DE").
std::string normalize_country(std::string_view country);

// American Soundex of the first word of folded text ("muller" -> "M460").
std::string soundex(std::string_view folded);

std::vector<std::string_view> split_words(std::string_view folded);

// Everything the duplicate rules look at, computed once per lead so a check
// against many candidates never normalizes twice.
struct MatchKey {
  RecordId id;
  std::string email;
  std::string phone;
  std::string given;    // folded
  std::string family;   // folded
  std::string company;  // company_key
  std::string postal;
  std::string city;  // folded
  std::string country;
};

MatchKey make_match_key(const Lead& lead, const NormalizeOptions& options);

}  // namespace leadhub::processing
