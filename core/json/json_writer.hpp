// A small streaming JSON writer that appends to a string. Strings are escaped per
// RFC 8259 (quotes, backslash, all control characters); the caller passes valid
// UTF-8, which the model's validation guarantees.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace leadhub {

void append_json_string(std::string& out, std::string_view text);

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& begin_object();
  JsonWriter& end_object();
  JsonWriter& begin_array();
  JsonWriter& end_array();
  JsonWriter& key(std::string_view name);
  // A member name known to need no escaping (the schema's own identifiers).
  JsonWriter& key_identifier(std::string_view name);
  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
  JsonWriter& value(std::int64_t number);
  JsonWriter& value(std::uint64_t number);
  JsonWriter& value(int number) { return value(static_cast<std::int64_t>(number)); }
  JsonWriter& value(unsigned number) { return value(static_cast<std::uint64_t>(number)); }
  JsonWriter& value(bool flag);
  JsonWriter& null();
  JsonWriter& raw(std::string_view json);  // an already encoded JSON value

 private:
  // Whether a comma goes before the next value or key; counts it as written.
  bool take_separator();
  void before_value();

  std::string& out_;
  // Whether the next value is the first of its container. No stack is needed: a
  // container that ends is itself an item of the one around it. Values outside any
  // container (one writer may write several, a line each) are never separated.
  bool first_ = true;
  std::size_t depth_ = 0;
  bool after_key_ = false;
};

}  // namespace leadhub
