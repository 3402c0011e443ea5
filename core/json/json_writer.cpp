#include "json/json_writer.hpp"

#include <charconv>
#include <cstdint>
#include <cstring>

namespace leadhub {

namespace {

// True when any of the 8 bytes is a control character (< 0x20), '"' or '\\'
// (the "has less than" and "has zero byte" bit tricks: exact for the word as a whole).
inline bool needs_escape(std::uint64_t word) {
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  const std::uint64_t control = (word - kOnes * 0x20) & ~word & kHigh;
  const std::uint64_t q = word ^ (kOnes * '"');
  const std::uint64_t quote = (q - kOnes) & ~q & kHigh;
  const std::uint64_t b = word ^ (kOnes * '\\');
  const std::uint64_t backslash = (b - kOnes) & ~b & kHigh;
  return (control | quote | backslash) != 0;
}

void append_escaped(std::string& out, unsigned char c) {
  static constexpr char kHex[] = "0123456789abcdef";
  switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    case '\b':
      out += "\\b";
      break;
    case '\f':
      out += "\\f";
      break;
    default:
      out += "\\u00";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
  }
}

}  // namespace

// Every stored record goes through here: clean stretches are found 8 bytes at a
// time and copied in one append.
void append_json_string(std::string& out, std::string_view text) {
  out += '"';
  const char* data = text.data();
  const std::size_t n = text.size();
  std::size_t run = 0;  // start of the stretch not yet copied
  std::size_t i = 0;
  while (i < n) {
    if (i + 8 <= n) {
      std::uint64_t word = 0;
      std::memcpy(&word, data + i, 8);
      if (!needs_escape(word)) {
        i += 8;
        continue;
      }
    }
    const auto c = static_cast<unsigned char>(data[i]);
    if (c < 0x20 || c == '"' || c == '\\') {
      out.append(data + run, i - run);
      append_escaped(out, c);
      run = i + 1;
    }
    ++i;
  }
  out.append(data + run, n - run);
  out += '"';
}

bool JsonWriter::take_separator() {
  if (after_key_) {
    after_key_ = false;
    return false;
  }
  const bool separate = !first_ && depth_ != 0;
  first_ = false;
  return separate;
}

void JsonWriter::before_value() {
  if (take_separator()) out_ += ',';
}

JsonWriter& JsonWriter::begin_object() {
  before_value();
  out_ += '{';
  first_ = true;
  ++depth_;
  return *this;
}

JsonWriter& JsonWriter::end_object() {
  out_ += '}';
  first_ = false;
  --depth_;
  return *this;
}

JsonWriter& JsonWriter::begin_array() {
  before_value();
  out_ += '[';
  first_ = true;
  ++depth_;
  return *this;
}

JsonWriter& JsonWriter::end_array() {
  out_ += ']';
  first_ = false;
  --depth_;
  return *this;
}

JsonWriter& JsonWriter::key(std::string_view name) {
  before_value();
  append_json_string(out_, name);
  out_ += ':';
  after_key_ = true;
  return *this;
}

// Separator, quotes and colon in one append: a record has some 40 member names.
// Written in place, in one resize: a copy through a small stack buffer is what GCC
// turns into `rep movsq`, whose start-up cost outweighed the copy of a short name.
JsonWriter& JsonWriter::key_identifier(std::string_view name) {
  const bool comma = take_separator();
  const std::size_t at = out_.size();
  out_.resize(at + name.size() + (comma ? 4 : 3));
  char* p = out_.data() + at;
  if (comma) *p++ = ',';
  *p++ = '"';
  std::memcpy(p, name.data(), name.size());
  p += name.size();
  p[0] = '"';
  p[1] = ':';
  after_key_ = true;
  return *this;
}

JsonWriter& JsonWriter::value(std::string_view text) {
  before_value();
  append_json_string(out_, text);
  return *this;
}

JsonWriter& JsonWriter::value(std::int64_t number) {
  before_value();
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof buf, number);
  out_.append(buf, res.ptr);
  return *this;
}

JsonWriter& JsonWriter::value(std::uint64_t number) {
  before_value();
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof buf, number);
  out_.append(buf, res.ptr);
  return *this;
}

JsonWriter& JsonWriter::value(bool flag) {
  before_value();
  out_ += flag ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::null() {
  before_value();
  out_ += "null";
  return *this;
}

JsonWriter& JsonWriter::raw(std::string_view json) {
  before_value();
  out_ += json;
  return *this;
}

}  // namespace leadhub
