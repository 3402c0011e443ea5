// The fast path mirrors the steps of libphonenumber's PhoneNumberUtil::ParseHelper
// that a clean number goes through (phonenumberutil.cc), with the metadata those
// steps read; anything that would take another branch returns nullopt. Checked
// against libphonenumber on generated inputs in tests/mapping/unit/phone_test.cpp.
//
// For a clean number, ParseHelper's regular expressions reduce to this: the text
// is its digits (no extension, alpha characters or RFC 3966 parts are possible);
// with '+' the country code is the first 1-3 digits that form a known code; without
// it the region's country code applies, unless the digits start with the region's
// IDD or its country code (those branches are left to libphonenumber). Then the
// national prefix is stripped when the rest still has a possible length, and the
// result must have a possible length for the code's main region.
#include "phone_fast.hpp"

#include <phonenumbers/phonemetadata.pb.h>
#include <phonenumbers/phonenumberutil.h>
#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <list>
#include <memory>
#include <unordered_map>
#include <vector>

// The metadata compiled into libphonenumber (its metadata.cc): exported by the
// library, but the header declaring it is not installed.
namespace i18n::phonenumbers {
int metadata_size();
const void* metadata_get();
}  // namespace i18n::phonenumbers

namespace leadhub::mapping {
namespace {

using i18n::phonenumbers::PhoneMetadata;
using i18n::phonenumbers::PhoneNumberUtil;
using Validation = PhoneNumberUtil::ValidationResult;

constexpr std::size_t kMaxInput = 64;  // libphonenumber's own limit is 250; clean numbers are short
constexpr std::size_t kMinNsn = 2, kMaxNsn = 17;
constexpr int kMaxCallingCode = 999;

// A number type's description (fixed line, mobile, toll free, ...): its possible
// lengths (none: any) and its national number pattern.
struct NumberDesc {
  std::vector<int> lengths;
  std::unique_ptr<RE2> pattern;
};

// The parts of a region's metadata that ParseHelper, IsPossibleNumber and
// IsValidNumber read.
struct Region {
  int country_code = 0;
  std::string country_code_text;
  std::string national_prefix;   // national_prefix_for_parsing, used only when plain digits
  std::unique_ptr<RE2> general;  // general_desc national_number_pattern; null when empty
  std::unique_ptr<RE2> idd;      // international_prefix; null when empty or not RE2 syntax
  std::vector<int> lengths, local_lengths;
  bool simple = false;  // national-prefix rules the fast path can follow
  // IsValidNumber: the region's number types and leading digits (which pick one of
  // the regions sharing a country code); `types_ok` false when a pattern is not RE2
  // syntax (libphonenumber decides then).
  std::vector<NumberDesc> types;
  std::unique_ptr<RE2> leading_digits;
  bool types_ok = true;
};

bool all_digits(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::unique_ptr<RE2> compile(const std::string& pattern, bool& ok) {
  if (pattern.empty()) return nullptr;
  auto re = std::make_unique<RE2>(pattern, RE2::Quiet);
  if (re->ok()) return re;
  ok = false;
  return nullptr;
}

// The descriptions GetNumberTypeHelper tries after the general one; absent ones
// carry the possible length -1 and match nothing.
void add_types(const PhoneMetadata& m, Region& r) {
  using Desc = i18n::phonenumbers::PhoneNumberDesc;
  for (const Desc* d : {&m.premium_rate(), &m.toll_free(), &m.shared_cost(), &m.voip(), &m.personal_number(),
                        &m.pager(), &m.uan(), &m.voicemail(), &m.fixed_line(), &m.mobile()}) {
    if (d->national_number_pattern().empty()) continue;
    if (d->possible_length_size() > 0 && d->possible_length(0) == -1) continue;
    NumberDesc desc;
    desc.lengths.assign(d->possible_length().begin(), d->possible_length().end());
    desc.pattern = compile(d->national_number_pattern(), r.types_ok);
    if (desc.pattern) r.types.push_back(std::move(desc));
  }
  if (m.has_leading_digits()) r.leading_digits = compile(m.leading_digits(), r.types_ok);
}

std::unique_ptr<Region> make_region(const PhoneMetadata& m) {
  auto r = std::make_unique<Region>();
  r->country_code = m.country_code();
  r->country_code_text = std::to_string(m.country_code());
  const auto& desc = m.general_desc();
  r->lengths.assign(desc.possible_length().begin(), desc.possible_length().end());
  r->local_lengths.assign(desc.possible_length_local_only().begin(), desc.possible_length_local_only().end());
  bool ok = !r->lengths.empty();
  r->general = compile(desc.national_number_pattern(), ok);
  bool idd_ok = true;
  r->idd = compile(m.international_prefix(), idd_ok);
  // A regular-expression national prefix (with carrier codes or a transform rule)
  // takes branches the fast path does not follow.
  const std::string& prefix = m.national_prefix_for_parsing();
  ok = ok && m.national_prefix_transform_rule().empty() && all_digits(prefix);
  r->national_prefix = prefix;
  r->simple = ok;
  add_types(m, *r);
  return r;
}

class Table {
 public:
  Table() {
    i18n::phonenumbers::PhoneMetadataCollection collection;
    if (!collection.ParseFromArray(i18n::phonenumbers::metadata_get(), i18n::phonenumbers::metadata_size())) {
      return;  // no table: every number goes to libphonenumber
    }
    std::unordered_map<int, const Region*> non_geographic;
    for (const PhoneMetadata& m : collection.metadata()) {
      owned_.push_back(make_region(m));
      if (m.id() == "001")
        non_geographic[m.country_code()] = owned_.back().get();
      else
        by_region_[m.id()] = owned_.back().get();
    }
    const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
    for (int code = 1; code <= kMaxCallingCode; ++code) {
      std::string main;
      util.GetRegionCodeForCountryCode(code, &main);
      if (main == "ZZ") continue;
      valid_code_[code] = true;
      const auto it = non_geographic.find(code);
      const Region* r = main == "001" ? (it == non_geographic.end() ? nullptr : it->second) : region(main);
      by_code_[code] = r != nullptr && r->country_code == code ? r : nullptr;
      std::list<std::string> ids;
      util.GetRegionCodesForCountryCallingCode(code, &ids);
      for (const auto& id : ids) {
        const Region* shared = id == "001" ? (it == non_geographic.end() ? nullptr : it->second) : region(id);
        sharing_[code].push_back(shared);  // null: not in the table, libphonenumber decides
      }
    }
  }

  const Region* region(std::string_view id) const {
    const auto it = by_region_.find(std::string(id));
    return it == by_region_.end() ? nullptr : it->second;
  }
  // The metadata Parse and IsPossibleNumber use for a number with this code.
  const Region* main_region(int code) const { return by_code_[code]; }
  // The regions of a country code in libphonenumber's order (the main one first).
  const std::vector<const Region*>& sharing(int code) const { return sharing_[code]; }
  bool valid_code(int code) const { return valid_code_[code]; }

 private:
  std::vector<std::unique_ptr<Region>> owned_;
  std::unordered_map<std::string, const Region*> by_region_;  // geographic regions by id
  std::array<const Region*, kMaxCallingCode + 1> by_code_{};
  std::array<std::vector<const Region*>, kMaxCallingCode + 1> sharing_{};
  std::array<bool, kMaxCallingCode + 1> valid_code_{};
};

const Table& table() {
  static const Table kTable;
  return kTable;
}

// PhoneNumberUtil::TestNumberLength for the general description.
Validation test_length(std::string_view number, const Region& r) {
  if (r.lengths.front() == -1) return PhoneNumberUtil::INVALID_LENGTH;
  const int length = static_cast<int>(number.size());
  if (std::find(r.local_lengths.begin(), r.local_lengths.end(), length) != r.local_lengths.end()) {
    return PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY;
  }
  if (r.lengths.front() == length) return PhoneNumberUtil::IS_POSSIBLE;
  if (r.lengths.front() > length) return PhoneNumberUtil::TOO_SHORT;
  if (r.lengths.back() < length) return PhoneNumberUtil::TOO_LONG;
  return std::find(r.lengths.begin() + 1, r.lengths.end(), length) != r.lengths.end() ? PhoneNumberUtil::IS_POSSIBLE
                                                                                      : PhoneNumberUtil::INVALID_LENGTH;
}

bool matches_general(const Region& r, std::string_view number) {
  return r.general != nullptr && RE2::FullMatch(number, *r.general);
}

// MaybeStripNationalPrefixAndCarrierCode for a plain-digit prefix, followed by
// ParseHelper's rule that the rest must have a possible length.
std::string_view strip_national_prefix(std::string_view number, const Region& r) {
  if (r.national_prefix.empty() || !number.starts_with(r.national_prefix)) return number;
  const std::string_view rest = number.substr(r.national_prefix.size());
  if (matches_general(r, number) && !matches_general(r, rest)) return number;
  const Validation v = test_length(rest, r);
  const bool keep = v == PhoneNumberUtil::TOO_SHORT || v == PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY ||
                    v == PhoneNumberUtil::INVALID_LENGTH;
  return keep ? number : rest;
}

// IsValidNumber by libphonenumber itself, on the number ParseHelper would have
// built (its national number is an integer: leading zeros, Italy's, beside it).
bool library_says_valid(int code, std::string_view number) {
  using i18n::phonenumbers::PhoneNumber;
  PhoneNumber parsed;
  parsed.set_country_code(code);
  std::uint64_t national = 0;
  for (const char c : number) national = national * 10 + static_cast<std::uint64_t>(c - '0');
  parsed.set_national_number(national);
  if (number.size() > 1 && number[0] == '0') {
    parsed.set_italian_leading_zero(true);
    int zeros = 1;
    while (zeros < static_cast<int>(number.size()) - 1 && number[zeros] == '0') ++zeros;
    if (zeros != 1) parsed.set_number_of_leading_zeros(zeros);
  }
  return PhoneNumberUtil::GetInstance()->IsValidNumber(parsed);
}

// IsNumberMatchingDesc: a possible length (when the description lists any) and
// the whole number matching its pattern.
bool matches_desc(const NumberDesc& d, std::string_view nsn) {
  const int length = static_cast<int>(nsn.size());
  if (!d.lengths.empty() && std::find(d.lengths.begin(), d.lengths.end(), length) == d.lengths.end()) return false;
  return RE2::FullMatch(nsn, *d.pattern);
}

// GetNumberTypeHelper(...) != UNKNOWN: the general pattern, then any number type.
bool has_number_type(const Region& r, std::string_view nsn) {
  if (!matches_general(r, nsn)) return false;
  const int length = static_cast<int>(nsn.size());
  if (!r.lengths.empty() && std::find(r.lengths.begin(), r.lengths.end(), length) == r.lengths.end()) return false;
  return std::any_of(r.types.begin(), r.types.end(), [&](const NumberDesc& d) { return matches_desc(d, nsn); });
}

// IsValidNumber (phonenumberutil.cc) with RE2 instead of libphonenumber's ICU
// regular expressions, which cost more than the rest of a mapped record: the region
// is the first of the code's regions whose leading digits start the number or,
// without leading digits, that has a type for it (GetRegionCodeForNumberFromRegionList);
// the number is valid when that region has a type for it.
bool is_valid(int code, std::string_view nsn) {
  const auto& regions = table().sharing(code);
  for (const Region* r : regions) {
    if (r == nullptr || !r->types_ok) return library_says_valid(code, nsn);
  }
  for (const Region* r : regions) {
    if (r->leading_digits) {
      if (r->leading_digits->Match(nsn, 0, nsn.size(), RE2::ANCHOR_START, nullptr, 0)) {
        return has_number_type(*r, nsn);
      }
    } else if (has_number_type(*r, nsn)) {
      return true;
    }
  }
  return false;
}

// ParseHelper from the national number on, then IsPossibleNumber, IsValidNumber
// and E.164. `invalid`: set when the number is read but is none (0000000).
std::optional<std::string> finish(const Region& parsing, int code, std::string_view number, const Region& main,
                                  bool* invalid) {
  if (number.size() < kMinNsn) return std::nullopt;
  number = strip_national_prefix(number, parsing);
  if (number.size() < kMinNsn || number.size() > kMaxNsn) return std::nullopt;
  const Validation v = test_length(number, main);
  if (v != PhoneNumberUtil::IS_POSSIBLE && v != PhoneNumberUtil::IS_POSSIBLE_LOCAL_ONLY) return std::nullopt;
  if (!is_valid(code, number)) {
    if (invalid != nullptr) *invalid = true;  // decided: libphonenumber is not asked again
    return std::nullopt;
  }
  std::string out = "+";
  out += std::to_string(code);
  out += number;
  return out;
}

// The digits of a clean number: digits, separators, and at most one '+' before
// the first digit. Anything else (letters, extensions, other scripts) is not clean.
struct CleanNumber {
  std::array<char, 24> buffer{};
  std::size_t size = 0;
  bool plus = false;
  std::string_view digits() const { return {buffer.data(), size}; }
};

bool read_clean(std::string_view text, CleanNumber& out) {
  if (text.size() > kMaxInput) return false;
  for (const char c : text) {
    if (c >= '0' && c <= '9') {
      if (out.size == out.buffer.size()) return false;
      out.buffer[out.size++] = c;
    } else if (c == '+') {
      if (out.plus || out.size > 0) return false;
      out.plus = true;
    } else if (c != ' ' && c != '-' && c != '.' && c != '/' && c != '(' && c != ')') {
      return false;
    }
  }
  return out.size >= 3;  // IsViablePhoneNumber wants three digits (two only without separators)
}

std::optional<std::string> international(std::string_view digits, bool* invalid) {
  if (digits[0] == '0') return std::nullopt;  // no country code starts with 0
  for (std::size_t n = 1; n <= 3; ++n) {
    int code = 0;
    for (std::size_t i = 0; i < n; ++i) code = code * 10 + (digits[i] - '0');
    if (!table().valid_code(code)) continue;
    const Region* main = table().main_region(code);
    if (main == nullptr || !main->simple) return std::nullopt;
    return finish(*main, code, digits.substr(n), *main, invalid);
  }
  return std::nullopt;
}

std::optional<std::string> national(std::string_view digits, std::string_view region_id, bool* invalid) {
  const Region* region = table().region(region_id);
  if (region == nullptr || !region->simple || region->idd == nullptr) return std::nullopt;
  if (region->idd->Match(digits, 0, digits.size(), RE2::ANCHOR_START, nullptr, 0)) return std::nullopt;
  if (digits.starts_with(region->country_code_text)) return std::nullopt;
  const Region* main = table().main_region(region->country_code);
  if (main == nullptr || main->lengths.empty()) return std::nullopt;
  return finish(*region, region->country_code, digits, *main, invalid);
}

}  // namespace

std::optional<std::string> full_e164(const std::string& text, const std::string& region) {
  using i18n::phonenumbers::PhoneNumber;
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  PhoneNumber number;
  if (util.Parse(text, region, &number) != PhoneNumberUtil::NO_PARSING_ERROR || !util.IsPossibleNumber(number) ||
      !util.IsValidNumber(number)) {
    return std::nullopt;
  }
  std::string out;
  util.Format(number, PhoneNumberUtil::E164, &out);
  return out;
}

std::string calling_code_of(const std::string& region) {
  const int code = PhoneNumberUtil::GetInstance()->GetCountryCodeForRegion(region);
  return code == 0 ? std::string() : std::to_string(code);
}

std::optional<std::string> fast_e164(std::string_view text, std::string_view region, bool* invalid) {
  if (region.size() != 2) return std::nullopt;  // "001" and the like take other branches in Parse
  CleanNumber clean;
  if (!read_clean(text, clean)) return std::nullopt;
  return clean.plus ? international(clean.digits(), invalid) : national(clean.digits(), region, invalid);
}

}  // namespace leadhub::mapping
