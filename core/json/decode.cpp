#include "json/decode.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <unordered_set>

#include "json/syntax_error.hpp"
#include "model/limits.hpp"
#include "model/validation.hpp"
#include "util/time_format.hpp"

namespace leadhub::json {

std::string enum_choices(std::span<const std::string_view> names) {
  std::string out;
  for (const auto name : names) {
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

std::string Path::str() const {
  std::string prefix = parent != nullptr ? parent->str() : std::string();
  if (index != static_cast<std::size_t>(-1)) return prefix + "[" + std::to_string(index) + "]";
  if (prefix.empty()) return std::string(name);
  return prefix + "." + std::string(name);
}

namespace {

constexpr const char* kExpectedWholeNumber = "expected a whole number >= 0";
constexpr const char* kExpectedBool = "expected true or false";

bool at_most(std::uint64_t number, std::uint64_t max, const Path& path, DecodeContext& ctx) {
  if (number <= max) return true;
  ctx.fail(path, "must be at most " + std::to_string(max));
  return false;
}

}  // namespace

bool whole_number_from_text(std::string_view text, const Path& path, DecodeContext& ctx, std::uint64_t max,
                            std::uint64_t& out) {
  // As a mapping writes it to JSON: up to 18 digits are a number, anything else a string.
  std::uint64_t number = 0;
  const auto end = text.data() + text.size();
  const bool digits = !text.empty() && text.size() <= 18 && text.find_first_not_of("0123456789") == text.npos;
  if (!digits || std::from_chars(text.data(), end, number).ptr != end) {
    ctx.fail(path, kExpectedWholeNumber);
    return false;
  }
  if (!at_most(number, max, path, ctx)) return false;
  out = number;
  return true;
}

bool bool_from_text(std::string_view text, const Path& path, DecodeContext& ctx, bool& out) {
  if (text != "true" && text != "false") {
    ctx.fail(path, kExpectedBool);
    return false;
  }
  out = text == "true";
  return true;
}

bool timestamp_from_text(std::string_view text, const Path& path, DecodeContext& ctx, TimeMs& out) {
  if (auto ms = parse_timestamp(text)) {
    out = *ms;
    return true;
  }
  ctx.fail(path, "not an RFC 3339 timestamp with offset, e.g. 2026-11-22T10:00:00Z");
  return false;
}

bool id_from_text(std::string_view text, const Path& path, DecodeContext& ctx, RecordId& out) {
  if (auto id = RecordId::parse(text)) {
    out = *id;
    return true;
  }
  ctx.fail(path, "not a leadhub id (13 characters of Crockford base32)");
  return false;
}

void read_string(Element el, const Path& path, DecodeContext& ctx, std::string& out) {
  if (el.is_null()) {
    out.clear();
    return;
  }
  std::string_view text;
  if (el.get_string().get(text) != simdjson::SUCCESS) {
    ctx.fail(path, "expected a string");
    return;
  }
  out.assign(text);
}

void read_bool(Element el, const Path& path, DecodeContext& ctx, std::optional<bool>& out) {
  if (el.is_null()) {
    out.reset();
    return;
  }
  bool flag = false;
  if (el.get_bool().get(flag) != simdjson::SUCCESS) {
    ctx.fail(path, kExpectedBool);
    return;
  }
  out = flag;
}

void read_uint(Element el, const Path& path, DecodeContext& ctx, std::uint64_t max, std::uint64_t& out) {
  if (el.is_null()) {
    out = 0;
    return;
  }
  std::uint64_t number = 0;
  if (el.get_uint64().get(number) != simdjson::SUCCESS) {
    ctx.fail(path, kExpectedWholeNumber);
    return;
  }
  if (at_most(number, max, path, ctx)) out = number;
}

void read_timestamp(Element el, const Path& path, DecodeContext& ctx, std::optional<TimeMs>& out) {
  if (el.is_null()) {
    out.reset();
    return;
  }
  std::string_view text;
  if (el.get_string().get(text) != simdjson::SUCCESS) {
    ctx.fail(path, "expected an RFC 3339 timestamp string");
    return;
  }
  TimeMs ms = 0;
  if (timestamp_from_text(text, path, ctx, ms)) out = ms;
}

void read_timestamp(Element el, const Path& path, DecodeContext& ctx, TimeMs& out) {
  std::optional<TimeMs> value;
  if (!el.is_null()) value = out;
  read_timestamp(el, path, ctx, value);
  out = value.value_or(0);
}

void read_id(Element el, const Path& path, DecodeContext& ctx, RecordId& out) {
  if (el.is_null()) {
    out = RecordId();
    return;
  }
  std::string_view text;
  if (el.get_string().get(text) != simdjson::SUCCESS) {
    ctx.fail(path, "expected an id string");
    return;
  }
  id_from_text(text, path, ctx, out);
}

void read_decimal_text(Element el, const Path& path, DecodeContext& ctx, std::string& out) {
  if (el.is_null()) {
    out.clear();
    return;
  }
  switch (el.type()) {
    case simdjson::dom::element_type::STRING:
      read_string(el, path, ctx, out);
      return;
    case simdjson::dom::element_type::INT64:
      out = std::to_string(el.get_int64().value_unsafe());
      return;
    case simdjson::dom::element_type::UINT64:
      out = std::to_string(el.get_uint64().value_unsafe());
      return;
    case simdjson::dom::element_type::DOUBLE: {
      char buf[64];
      const auto res = std::to_chars(buf, buf + sizeof buf, el.get_double().value_unsafe(), std::chars_format::fixed);
      out.assign(buf, res.ptr);
      return;
    }
    default:
      ctx.fail(path, "expected a decimal as a string or number");
  }
}

void read_string_map(Element el, const Path& path, DecodeContext& ctx, std::map<std::string, std::string>& out) {
  for_each_member(
      el, path, ctx, [&] { out.clear(); },
      [&](std::string_view name, Element value) {
        const Path child = member_path(path, name);
        if (value.is_null()) {
          out.erase(std::string(name));
          return;
        }
        std::string text;
        read_string(value, child, ctx, text);
        out[std::string(name)] = std::move(text);
      });
}

void for_each_member(Element el, const Path& path, DecodeContext& ctx, const std::function<void()>& on_null,
                     const MemberFn& member) {
  if (el.is_null()) {
    on_null();
    return;
  }
  simdjson::dom::object object;
  if (el.get_object().get(object) != simdjson::SUCCESS) {
    const std::string where = path.str();
    ctx.fail(where.empty() ? "(document)" : where, "expected an object");
    return;
  }
  if (ctx.mode == DecodeMode::stored) {  // the hub's own record: no name repeats
    for (auto field : object) member(field.key, field.value);
    return;
  }
  // RFC 8259 leaves a repeated name to the reader; simdjson keeps both and the
  // last would win silently. A sender repeating a member has a bug worth hearing of.
  constexpr std::size_t kFew = 32;
  std::array<std::string_view, kFew> seen;    // no allocation for the usual object
  std::unordered_set<std::string_view> many;  // past kFew names: no quadratic compare
  std::size_t count = 0;
  for (auto field : object) {
    const std::string_view name = field.key;
    bool repeated = false;
    if (count < kFew) {
      repeated = std::find(seen.begin(), seen.begin() + count, name) != seen.begin() + count;
      seen[count++] = name;
      if (count == kFew) many.insert(seen.begin(), seen.end());
    } else {
      repeated = !many.insert(name).second;
    }
    if (repeated) {
      const Path at = member_path(path, name);
      const std::string where = at.str();
      const bool told = std::any_of(ctx.errors.begin(), ctx.errors.end(), [&](const FieldError& e) {
        return e.field == where && e.reason == "appears twice";
      });
      if (!told) ctx.fail(where, "appears twice");  // once, however often it repeats
      continue;
    }
    member(name, field.value);
  }
}

Result<Element> parse_document(std::string_view original, simdjson::dom::parser& parser, PositionIn in) {
  const std::string_view text = without_byte_order_mark(original);
  if (text.size() > limits::kMaxRecordBytes) {
    return Error::invalid({{"(document)", "larger than " + std::to_string(limits::kMaxRecordBytes) + " bytes"}});
  }
  Element doc;
  const auto err = parser.parse(text.data(), text.size()).get(doc);
  if (err != simdjson::SUCCESS) {
    return Error::invalid({{"(document)", not_valid_json(original, err, in)}});
  }
  return doc;
}

namespace {

// Edits (insert, delete, replace, swap of neighbours) between two short names.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.size()][b.size()];
}

std::optional<std::string_view> closest_among(std::string_view name, const std::string_view* known, std::size_t count) {
  constexpr std::size_t kLongest = 64;  // longer names are no slip of a known one
  const std::string unknown = fold_name(name);
  if (unknown.empty() || unknown.size() > kLongest) return std::nullopt;
  std::string_view best;
  std::size_t best_distance = unknown.size() <= 4 ? 1 : 2;  // short names: one edit at most
  for (std::size_t i = 0; i < count; ++i) {
    const std::size_t distance = edit_distance(unknown, fold_name(known[i]));
    if (distance <= best_distance && (best.empty() || distance < best_distance)) {
      best = known[i];
      best_distance = distance;
    }
  }
  if (best.empty()) return std::nullopt;
  return best;
}

std::string unknown_field_among(std::string_view name, const std::string_view* known, std::size_t count) {
  const auto best = closest_among(name, known, count);
  if (!best) return "unknown field";
  return "unknown field (did you mean '" + std::string(*best) + "'?)";
}

}  // namespace

std::string unknown_field(std::string_view name, std::initializer_list<std::string_view> known) {
  return unknown_field_among(name, known.begin(), known.size());
}

std::string unknown_field(std::string_view name, const std::vector<std::string_view>& known) {
  return unknown_field_among(name, known.data(), known.size());
}

std::string unknown_key(std::string_view key, std::initializer_list<const char*> known) {
  std::string message = "unknown key '";
  message += key;
  message += "' (expected one of: ";
  bool first = true;
  for (const char* k : known) {
    if (!first) message += ", ";
    message += k;
    first = false;
  }
  message += ")";
  return message;
}

std::optional<std::string_view> closest_name(std::string_view name, const std::vector<std::string_view>& known) {
  return closest_among(name, known.data(), known.size());
}

}  // namespace leadhub::json
