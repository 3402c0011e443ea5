// Normalization and validation of the canonical records. Normalization fixes what
// is unambiguous (surrounding spaces, case of codes, punctuation in phone numbers);
// validation reports everything else as {field path, reason}, all at once.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

#include "model/lead.hpp"
#include "util/result.hpp"

namespace leadhub {

void normalize(Lead& lead);
void normalize(BusinessPartner& partner);

std::vector<FieldError> validate(const Lead& lead);
std::vector<FieldError> validate(const BusinessPartner& partner);
std::vector<FieldError> validate(const Actor& actor);  // who acts: non-empty, one line, <= 100 bytes

// Notes sent without a time or author get the time of the change and the acting user.
void stamp_new_notes(Lead& lead, const Actor& actor, TimeMs now);

// Building blocks, public for the mapping layer and tests.
bool is_email(std::string_view text);
bool is_e164(std::string_view text);
bool is_decimal(std::string_view text);  // up to 15 integer and 4 fraction digits
bool is_valid_utf8_text(std::string_view text, bool allow_newlines);
std::string lower_ascii(std::string_view text);
// A name as people misspell it least: lower case without ' ', '_', '-' or '.'
// ("Postal-Code", "postalCode" and "POSTAL_CODE" all become "postalcode"). For
// matching a field or column name given in another style.
std::string fold_name(std::string_view name);
// Characters that show as a blank or as nothing but are not ASCII, which copies from
// Excel, Word and web pages carry: no-break and other Unicode spaces (U+00A0,
// U+2000-U+200A, U+202F, U+3000, ...) and invisible format characters (a soft hyphen
// U+00AD, a zero-width space U+200B, a word joiner U+2060, a stray byte order mark
// U+FEFF). The kind and length in bytes of the one at text[i]; length 0 for any other.
struct UnseenCharacter {
  enum Kind { none, space, invisible } kind = none;
  std::size_t length = 0;
};
UnseenCharacter unseen_character_at(std::string_view text, std::size_t i);
// `text` without a leading UTF-8 byte order mark. Windows tools (Notepad,
// PowerShell's Out-File, Excel's "CSV UTF-8") start UTF-8 files with one.
inline std::string_view without_byte_order_mark(std::string_view text) {
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  if (text.substr(0, kBom.size()) == kBom) text.remove_prefix(kBom.size());
  return text;
}

}  // namespace leadhub
