// Typed reads from a simdjson DOM element that collect {path, reason} errors
// instead of stopping at the first. null clears the target (merge-patch rules).
#pragma once

#include <simdjson.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "json/decode_mode.hpp"
#include "model/enums.hpp"
#include "model/ids.hpp"
#include "util/clock.hpp"
#include "util/result.hpp"
#include "util/text_position.hpp"

namespace leadhub::json {

using Element = simdjson::dom::element;

// A field path that is turned into text ("prospect.address.city", "notes[2].text")
// only when an error is reported: decoding runs for every record of a bulk import.
struct Path {
  const Path* parent = nullptr;
  std::string_view name;
  std::size_t index = static_cast<std::size_t>(-1);  // set for an array item
  std::string str() const;
};

struct DecodeContext {
  std::vector<FieldError> errors;
  // Input is checked for repeated member names. A stored record is not: the hub
  // wrote it (never with a name twice) and reads it on the hot path; a repeated
  // name there would be read as simdjson gives it, the last value winning.
  DecodeMode mode = DecodeMode::input;
  void fail(const std::string& path, std::string reason) { errors.push_back({path, std::move(reason)}); }
  void fail(const Path& path, std::string reason) { errors.push_back({path.str(), std::move(reason)}); }
};

void read_string(Element el, const Path& path, DecodeContext& ctx, std::string& out);
void read_bool(Element el, const Path& path, DecodeContext& ctx, std::optional<bool>& out);
void read_uint(Element el, const Path& path, DecodeContext& ctx, std::uint64_t max, std::uint64_t& out);
void read_timestamp(Element el, const Path& path, DecodeContext& ctx, TimeMs& out);
void read_timestamp(Element el, const Path& path, DecodeContext& ctx, std::optional<TimeMs>& out);
void read_id(Element el, const Path& path, DecodeContext& ctx, RecordId& out);
void read_decimal_text(Element el, const Path& path, DecodeContext& ctx, std::string& out);
void read_string_map(Element el, const Path& path, DecodeContext& ctx, std::map<std::string, std::string>& out);

// The checks of the readers above on a value already in text form (a mapped field):
// the same rules and messages. Each returns false, with an error, when `text` fails.
bool whole_number_from_text(std::string_view text, const Path& path, DecodeContext& ctx, std::uint64_t max,
                            std::uint64_t& out);
bool bool_from_text(std::string_view text, const Path& path, DecodeContext& ctx, bool& out);
bool timestamp_from_text(std::string_view text, const Path& path, DecodeContext& ctx, TimeMs& out);
bool id_from_text(std::string_view text, const Path& path, DecodeContext& ctx, RecordId& out);
template <typename E>
bool enum_from_text(std::string_view text, const Path& path, DecodeContext& ctx, E& out);
// "'text' is not one of a, b, c": the reason every reader of an enum gives.
template <typename E>
std::string not_one_of(std::string_view text);
// Sets `out` from `text`, or leaves it and returns that reason (query parameters,
// command-line options, mapped queries).
template <typename E>
std::optional<std::string> enum_or_reason(std::string_view text, std::optional<E>& out);

template <typename E>
void read_enum(Element el, const Path& path, DecodeContext& ctx, E& out, E reset_value);
template <typename E>
void read_enum(Element el, const Path& path, DecodeContext& ctx, std::optional<E>& out);

// "unknown field", naming the known member the unknown one was probably meant to
// be: the same name in another case or with other separators (postalCode,
// Postal-Code) or with a typo of a letter or two (emial, adress).
std::string unknown_field(std::string_view name, std::initializer_list<std::string_view> known);
std::string unknown_field(std::string_view name, const std::vector<std::string_view>& known);
// "unknown key 'colour' (expected one of: a, b)": config and mapping files' loaders.
std::string unknown_key(std::string_view key, std::initializer_list<const char*> known);
// The known name `name` is probably meant to be (the rules above), or nullopt.
std::optional<std::string_view> closest_name(std::string_view name, const std::vector<std::string_view>& known);

// Calls member(name, value) for each member of an object; null resets via on_null.
// In input mode a repeated name is an error ("appears twice", once per name) and
// only its first value is read; in stored mode every member is passed on.
using MemberFn = std::function<void(std::string_view name, Element value)>;
void for_each_member(Element el, const Path& path, DecodeContext& ctx, const std::function<void()>& on_null,
                     const MemberFn& member);

// Replaces out with the decoded items of an array; null clears it.
template <typename T>
void read_array(Element el, const Path& path, DecodeContext& ctx, std::vector<T>& out,
                const std::function<void(Element, const Path&, T&)>& item);

inline Path member_path(const Path& parent, std::string_view name) { return Path{&parent, name}; }

// Whether a member's name is `literal`: the length first, then a compare of a
// constant length the compiler unrolls (a string_view == was an out-of-line call
// per candidate name, a tenth of decoding a lead).
template <std::size_t N>
constexpr bool named(std::string_view name, const char (&literal)[N]) {
  return name.size() == N - 1 && std::char_traits<char>::compare(name.data(), literal, N - 1) == 0;
}

// Parses text into a DOM with a per-thread parser; errors name the reason and, for
// a syntax error, its place (`in`: see not_valid_json). A leading byte order mark is
// ignored (RFC 8259 allows it; simdjson would call it bad JSON).
Result<Element> parse_document(std::string_view text, simdjson::dom::parser& parser,
                               PositionIn in = PositionIn::document());

}  // namespace leadhub::json

#include "json/decode_inl.hpp"
