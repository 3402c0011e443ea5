// Template definitions for decode.hpp.
#pragma once

#include <string>

namespace leadhub::json {

std::string enum_choices(std::span<const std::string_view> names);

template <typename E>
std::string not_one_of(std::string_view text) {
  // Appended, not a chain of operator+: GCC 12 warns (-Wrestrict) on the inlined chain.
  std::string reason = "'";
  reason.append(text.substr(0, 40)).append("' is not one of ").append(enum_choices(enum_names<E>()));
  return reason;
}

template <typename E>
std::optional<std::string> enum_or_reason(std::string_view text, std::optional<E>& out) {
  auto parsed = parse_enum<E>(text);
  if (!parsed) return not_one_of<E>(text);
  out = *parsed;
  return std::nullopt;
}

template <typename E>
bool enum_from_text(std::string_view text, const Path& path, DecodeContext& ctx, E& out) {
  if (auto parsed = parse_enum<E>(text)) {
    out = *parsed;
    return true;
  }
  ctx.fail(path, not_one_of<E>(text));
  return false;
}

template <typename E>
void read_enum(Element el, const Path& path, DecodeContext& ctx, E& out, E reset_value) {
  if (el.is_null()) {
    out = reset_value;
    return;
  }
  std::string_view text;
  if (el.get_string().get(text) != simdjson::SUCCESS) {
    ctx.fail(path, "expected a string");
    return;
  }
  enum_from_text(text, path, ctx, out);
}

template <typename E>
void read_enum(Element el, const Path& path, DecodeContext& ctx, std::optional<E>& out) {
  if (el.is_null()) {
    out.reset();
    return;
  }
  E value{};
  const auto before = ctx.errors.size();
  read_enum(el, path, ctx, value, value);
  if (ctx.errors.size() == before) out = value;
}

template <typename T>
void read_array(Element el, const Path& path, DecodeContext& ctx, std::vector<T>& out,
                const std::function<void(Element, const Path&, T&)>& item) {
  if (el.is_null()) {
    out.clear();
    return;
  }
  simdjson::dom::array array;
  if (el.get_array().get(array) != simdjson::SUCCESS) {
    ctx.fail(path, "expected an array");
    return;
  }
  std::vector<T> items;
  std::size_t index = 0;
  for (Element child : array) {
    if (index >= 10'000) {  // far above any model limit; stop decoding hostile input early
      ctx.fail(path, "too many entries");
      break;
    }
    items.emplace_back();
    item(child, Path{&path, {}, index}, items.back());
    ++index;
  }
  out = std::move(items);
}

}  // namespace leadhub::json
