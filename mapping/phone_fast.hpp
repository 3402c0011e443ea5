// Phone numbers to E.164. libphonenumber's Parse runs a dozen ICU regular
// expressions over every input (about 25 us a number). Most numbers in bulk files
// are already clean ("+49 30 1234567", "030/123 45-67"): for inputs made only of
// digits, one leading '+' and the usual separators, the same result follows from
// the region metadata alone, which fast_e164 reads from libphonenumber itself.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace leadhub::mapping {

// libphonenumber: Parse(text, region), IsPossibleNumber, IsValidNumber (a number
// with a possible length may still be none: 0000000, +49 123), Format(E164);
// nullopt when the text is not a valid number for the region.
std::optional<std::string> full_e164(const std::string& text, const std::string& region);

// What full_e164 gives, for inputs simple enough to decide without running it;
// nullopt means "ask full_e164": other characters, regions whose national-prefix
// rules are regular expressions, and every input that would fail. `invalid` is set
// when the fast path read the number and IsValidNumber refused it: full_e164 would
// refuse it too, so it need not be asked.
std::optional<std::string> fast_e164(std::string_view text, std::string_view region, bool* invalid = nullptr);

// The country calling code of a region ("49" for DE), empty for an unknown region.
std::string calling_code_of(const std::string& region);

}  // namespace leadhub::mapping
