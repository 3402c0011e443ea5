#include "json/syntax_error.hpp"

#include <cctype>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/validation.hpp"
#include "util/text_position.hpp"
#include "util/utf8.hpp"

namespace leadhub::json {
namespace {

std::string shown(unsigned char c) {
  if (c >= 0x20 && c < 0x7F) return std::string("'") + static_cast<char>(c) + "'";
  static constexpr char kHex[] = "0123456789ABCDEF";
  return std::string("byte 0x") + kHex[c >> 4] + kHex[c & 15];
}

// A validating walk of RFC 8259 that stops at the first error. Only run once
// simdjson has refused a document, to say where: it is simple, not fast.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : s_(text) {}

  std::optional<SyntaxError> run() {
    skip_space();
    if (at_end()) return fail("the document is empty");
    if (!value()) return error_;
    skip_space();
    if (!at_end()) {
      // Another document on the next line: NDJSON (one JSON document per line) where
      // one document is read.
      const std::string_view before = s_.substr(0, i_);
      const bool next_line = before.find('\n', before.find_last_not_of(" \t\r\n")) != std::string_view::npos;
      if (next_line && (peek() == '{' || peek() == '['))
        return fail(
            "a second JSON document starts here: the file holds one document per line (NDJSON), where one "
            "document is read; make the records one JSON array (jq -s . FILE)");
      return fail("more content after the end of the document, starting with " + here());
    }
    return std::nullopt;
  }

 private:
  bool at_end() const { return i_ >= s_.size(); }
  // A letter of Windows-1252 / ISO-8859-1 (0xA0..0xFF) standing alone, not opening a
  // UTF-8 sequence: the file was most likely saved in one of those. JSON is UTF-8
  // only (RFC 8259), so say how to convert it rather than leave a bare byte.
  std::string single_byte_hint(unsigned char c) const {
    const bool continued = i_ + 1 < s_.size() && (static_cast<unsigned char>(s_[i_ + 1]) & 0xC0) == 0x80;
    if (c < 0xA0 || continued) return "";
    return "; JSON must be UTF-8 and this looks like Windows-1252 or ISO-8859-1: convert the file, e.g. "
           "iconv -f windows-1252 -t utf-8";
  }
  unsigned char peek() const { return static_cast<unsigned char>(s_[i_]); }
  std::string here() const {
    if (peek() >= 0x80 &&
        utf8_sequence_length(reinterpret_cast<const unsigned char*>(s_.data()) + i_, s_.size() - i_) == 0)
      return "an invalid UTF-8 byte";
    // What people write because JavaScript or Python takes it: said so, not as a bare character.
    const std::string_view rest = s_.substr(i_);
    if (rest.starts_with("//") || rest.starts_with("/*")) return "a comment (JSON has no comments; remove it)";
    if (peek() == '\'') return "a single quote (JSON strings and member names need double quotes)";
    return shown(peek());
  }
  // NaN, Infinity and -Infinity (what JavaScript and Python's json module write for
  // such floats) at the current place, or empty.
  std::string_view non_finite_number() const {
    for (const std::string_view word : {"NaN", "Infinity", "-Infinity"}) {
      if (s_.substr(i_, word.size()) == word) return word;
    }
    return {};
  }
  std::optional<SyntaxError> fail(std::string reason) {
    error_ = SyntaxError{i_, std::move(reason)};
    return error_;
  }
  bool stop(std::string reason) {
    fail(std::move(reason));
    return false;
  }
  bool end_inside(const char* what) { return stop(std::string("the document ends inside ") + what); }

  void skip_space() {
    while (!at_end() && (peek() == ' ' || peek() == '\t' || peek() == '\n' || peek() == '\r')) ++i_;
  }

  // Values nest through an explicit stack: a hostile document may be deep.
  bool value() {
    std::vector<char> open;  // '{' or '['
    for (;;) {
      skip_space();
      if (at_end())
        return open.empty() ? end_inside("a value") : end_inside(open.back() == '{' ? "an object" : "an array");
      const unsigned char c = peek();
      if (c == '{' || c == '[') {
        ++i_;
        open.push_back(static_cast<char>(c));
        skip_space();
        if (!at_end() && peek() == static_cast<unsigned char>(c == '{' ? '}' : ']')) {
          ++i_;
          open.pop_back();
        } else if (c == '{') {
          if (!member_name()) return false;
          continue;
        } else {
          continue;
        }
      } else if (c == '"') {
        if (!string()) return false;
      } else if (const auto word = non_finite_number(); !word.empty()) {
        return stop(std::string(word) +
                    " is no JSON number (JSON has no NaN or Infinity): write null, or the value as a string");
      } else if (c == '-' || (c >= '0' && c <= '9')) {
        if (!number()) return false;
      } else if (c == 't' || c == 'f' || c == 'n') {
        if (!literal()) return false;
      } else {
        return stop("expected a value, found " + here());
      }
      // After a value: close what is complete, or go on after a comma.
      for (;;) {
        if (open.empty()) return true;
        skip_space();
        const bool object = open.back() == '{';
        if (at_end()) return end_inside(object ? "an object" : "an array");
        if (peek() == static_cast<unsigned char>(object ? '}' : ']')) {
          ++i_;
          open.pop_back();
          continue;
        }
        if (peek() != ',') return stop(std::string("expected ',' or '") + (object ? '}' : ']') + "', found " + here());
        const std::size_t comma = i_++;
        skip_space();
        if (!at_end() && peek() == static_cast<unsigned char>(object ? '}' : ']')) {
          i_ = comma;
          return stop(std::string("a comma before '") + (object ? '}' : ']') + "' (trailing comma)");
        }
        if (object && !member_name()) return false;
        break;
      }
    }
  }

  // `"name" :` inside an object.
  bool member_name() {
    skip_space();
    if (at_end()) return end_inside("an object");
    if (peek() != '"') return stop("expected a member name in double quotes, found " + here());
    if (!string()) return false;
    skip_space();
    if (at_end()) return end_inside("an object");
    if (peek() != ':') return stop("expected ':' after the member name, found " + here());
    ++i_;
    return true;
  }

  bool string() {
    ++i_;  // the opening quote
    for (;;) {
      if (at_end()) return end_inside("a string");
      const unsigned char c = peek();
      if (c == '"') {
        ++i_;
        return true;
      }
      if (c < 0x20) return stop("a control character (" + shown(c) + ") in a string must be escaped");
      if (c == '\\') {
        if (!escape()) return false;
        continue;
      }
      const std::size_t n =
          utf8_sequence_length(reinterpret_cast<const unsigned char*>(s_.data()) + i_, s_.size() - i_);
      if (n == 0) return stop("not valid UTF-8 (" + shown(c) + ")" + single_byte_hint(c));
      i_ += n;
    }
  }

  bool escape() {
    ++i_;
    if (at_end()) return end_inside("a string");
    const unsigned char c = peek();
    if (c == 'u') {
      const std::size_t backslash = i_ - 1;
      const auto unit = hex4(i_ + 1);
      if (!unit) {
        --i_;
        return stop("\\u must be followed by 4 hex digits");
      }
      i_ += 5;
      // UTF-16 in \u escapes: a high surrogate must be followed by \u and a low one;
      // alone, either half names no character (simdjson refuses it without a place).
      if (*unit >= 0xDC00 && *unit <= 0xDFFF) return lone_surrogate(backslash, *unit);
      if (*unit >= 0xD800 && *unit <= 0xDBFF) {
        const auto low = s_.substr(i_, 2) == "\\u" ? hex4(i_ + 2) : std::nullopt;
        if (!low || *low < 0xDC00 || *low > 0xDFFF) return lone_surrogate(backslash, *unit);
        i_ += 6;
      }
      return true;
    }
    if (std::string_view("\"\\/bfnrt").find(static_cast<char>(c)) == std::string_view::npos) {
      --i_;
      return stop("unknown escape \\" + std::string(1, static_cast<char>(c)));
    }
    ++i_;
    return true;
  }

  // The four hex digits at `at` as a number, or nullopt.
  std::optional<unsigned> hex4(std::size_t at) const {
    if (at + 4 > s_.size()) return std::nullopt;
    unsigned value = 0;
    for (std::size_t k = at; k < at + 4; ++k) {
      const auto d = static_cast<unsigned char>(s_[k]);
      if (!std::isxdigit(d)) return std::nullopt;
      value = value * 16 + static_cast<unsigned>(std::isdigit(d) ? d - '0' : std::tolower(d) - 'a' + 10);
    }
    return value;
  }

  bool lone_surrogate(std::size_t at, unsigned unit) {
    i_ = at;
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string escape = "\\u";
    for (int shift = 12; shift >= 0; shift -= 4) escape += kHex[(unit >> static_cast<unsigned>(shift)) & 0xFU];
    return stop(escape + " is half of a UTF-16 surrogate pair without its other half: it names no character");
  }

  bool digits() {
    const std::size_t from = i_;
    while (!at_end() && peek() >= '0' && peek() <= '9') ++i_;
    return i_ > from;
  }

  bool number() {
    const std::size_t from = i_;
    const auto bad = [&] {
      i_ = from;
      return stop("not a valid number");
    };
    if (peek() == '-') ++i_;
    if (at_end()) return bad();
    if (peek() == '0') {
      ++i_;
    } else if (!digits()) {
      return bad();
    }
    if (!at_end() && peek() == '.') {
      ++i_;
      if (!digits()) return bad();
    }
    if (!at_end() && (peek() == 'e' || peek() == 'E')) {
      ++i_;
      if (!at_end() && (peek() == '+' || peek() == '-')) ++i_;
      if (!digits()) return bad();
    }
    if (!at_end() && ((peek() >= '0' && peek() <= '9') || std::isalpha(peek()))) return bad();
    return true;
  }

  bool literal() {
    for (const std::string_view word : {"true", "false", "null"}) {
      if (s_.substr(i_, word.size()) == word) {
        const std::size_t after = i_ + word.size();
        if (after < s_.size() && std::isalnum(static_cast<unsigned char>(s_[after]))) break;
        i_ = after;
        return true;
      }
    }
    return stop("expected a value (true, false and null are lower case; strings need double quotes)");
  }

  std::string_view s_;
  std::size_t i_ = 0;
  SyntaxError error_;
};

}  // namespace

std::optional<SyntaxError> find_syntax_error(std::string_view text) { return Scanner(text).run(); }

std::string not_valid_json(std::string_view text, simdjson::error_code err, PositionIn in) {
  const std::size_t bom = text.size() - without_byte_order_mark(text).size();
  const auto found = find_syntax_error(text.substr(bom));
  if (!found) return std::string("not valid JSON: ") + simdjson::error_message(err);
  const std::size_t at = bom + found->offset;
  return "not valid JSON: " + in.describe(text, at) + ": " + found->reason;
}

}  // namespace leadhub::json
