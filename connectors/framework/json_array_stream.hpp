// A JSON array of leads ("[{...},\n {...}]", what `jq -s`, many exports and APIs
// write) read one element at a time, so an array file is imported as it streams in,
// like newline-delimited JSON. Only the structure is followed here (nesting, strings
// and their escapes); each element's text is decoded, and its errors reported, by
// the lead decoder like any NDJSON line.
#pragma once

#include <cstddef>
#include <istream>
#include <string>

#include "util/result.hpp"

namespace leadhub::connectors {

class JsonArrayStream {
 public:
  // `in` is positioned just after the opening '['; `line` is the line it is on.
  JsonArrayStream(std::istream& in, std::size_t line, std::size_t max_element_bytes)
      : in_(in), line_(line), max_element_bytes_(max_element_bytes) {}

  // The next element's text and the line it starts on; false after the closing ']'.
  // A broken array (a missing comma, text after the end, no closing ']') is an error
  // naming the line; the elements before it were returned.
  Result<bool> next(std::string& element, std::size_t& line);

 private:
  int get();              // the next byte, counting lines; -1 at the end
  int skip_whitespace();  // the next byte that is not JSON whitespace, or -1
  Status read_element(int first, std::string& element);
  Status expect_end();  // only whitespace after the closing ']'
  Error broken(const std::string& reason) const;

  std::istream& in_;
  std::size_t line_;
  std::size_t max_element_bytes_;
  bool first_ = true;  // no element read yet: ']' may close an empty array
  bool done_ = false;
};

}  // namespace leadhub::connectors
