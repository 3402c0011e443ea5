#include "json_array_stream.hpp"

namespace leadhub::connectors {
namespace {

bool is_json_whitespace(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string shown(int c) {
  if (c < 0) return "the end of the input";
  if (c >= 0x20 && c < 0x7F) return std::string("'") + static_cast<char>(c) + "'";
  return "byte " + std::to_string(c);
}

}  // namespace

int JsonArrayStream::get() {
  at_ = place_;
  const int c = in_.get();
  if (c == std::char_traits<char>::eof()) return -1;
  place_.advance(static_cast<char>(c));
  return c;
}

int JsonArrayStream::skip_whitespace() {
  int c = get();
  while (is_json_whitespace(c)) c = get();
  return c;
}

Error JsonArrayStream::broken_at(const FilePlace& place, const std::string& reason) const {
  std::string where = "line " + std::to_string(place.line) + ", column " + std::to_string(place.column);
  if (names_bytes_) where += " (byte " + std::to_string(place.byte) + " of the file)";
  return Error::make(ErrorCode::invalid, where + ": " + reason);
}

Result<bool> JsonArrayStream::next(std::string& element, FilePlace& start) {
  if (done_) return false;
  int c = skip_whitespace();
  if (c < 0) return broken("the array is not closed (no ']' at the end)");
  if (!first_) {
    if (c == ',') {
      c = skip_whitespace();
    } else if (c != ']') {
      return broken("expected ',' or ']' after the array's element, found " + shown(c));
    }
  }
  if (c == ']') {  // also after a trailing comma, which hand-edited files have
    done_ = true;
    if (auto st = expect_end(); !st) return st.error();
    return false;
  }
  if (c < 0) return broken("the array is not closed (no ']' at the end)");  // after a comma
  start = at_;
  if (auto st = read_element(c, start, element); !st) return st.error();
  first_ = false;
  return true;
}

// Copies one element: an object or array to its matching bracket (brackets inside
// strings do not count), any other value to the ',' or ']' after it.
Status JsonArrayStream::read_element(int first, const FilePlace& start, std::string& element) {
  element.assign(1, static_cast<char>(first));
  const bool nested = first == '{' || first == '[';
  bool in_string = first == '"';
  int depth = nested ? 1 : 0;
  for (;;) {
    if (element.size() > max_element_bytes_) {
      return broken_at(start,
                       "the element starting here is larger than " + std::to_string(max_element_bytes_) + " bytes");
    }
    if (!nested && !in_string) {
      const int next = in_.peek();
      // The separator after a value that is no object or array is next()'s.
      if (next == ',' || next == ']' || is_json_whitespace(next)) return ok_status();
    }
    const int c = get();
    if (c < 0) {
      if (!nested && !in_string) return ok_status();  // next() reports the missing ']'
      return broken_at(start, "the element starting here is not closed (the file ends inside it)");
    }
    element += static_cast<char>(c);
    if (in_string) {
      if (c == '\\') {
        const int escaped = get();
        if (escaped >= 0) element += static_cast<char>(escaped);
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      ++depth;
    } else if ((c == '}' || c == ']') && --depth == 0) {
      return ok_status();
    }
  }
}

Status JsonArrayStream::expect_end() {
  const int c = skip_whitespace();
  if (c >= 0) return broken("text after the array's closing ']': " + shown(c));
  return ok_status();
}

}  // namespace leadhub::connectors
