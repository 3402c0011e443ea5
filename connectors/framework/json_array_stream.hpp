// A JSON array of leads ("[{...},\n {...}]", what `jq -s`, many exports and APIs
// write) read one element at a time, so an array file is imported as it streams in,
// like newline-delimited JSON. Only the structure is followed here (nesting, strings
// and their escapes); each element's text is decoded, and its errors reported, by
// the lead decoder like any NDJSON line, at the element's place in the file.
#pragma once

#include <cstddef>
#include <istream>
#include <string>

#include "util/result.hpp"
#include "util/text_position.hpp"

namespace leadhub::connectors {

class JsonArrayStream {
 public:
  // `in` is positioned just after the opening '[', which ends at `place` in the
  // file. `names_bytes`: false when `in` is converted from the file's encoding
  // (UTF-16), whose byte offsets are then not the file's and are not named.
  JsonArrayStream(std::istream& in, const FilePlace& place, std::size_t max_element_bytes, bool names_bytes = true)
      : in_(in), place_(place), at_(place), max_element_bytes_(max_element_bytes), names_bytes_(names_bytes) {}

  // The next element's text and where it starts in the file; false after the
  // closing ']'. A broken array (a missing comma, text after the end, no closing
  // ']') is an error naming the line and column; the elements before it were
  // returned.
  Result<bool> next(std::string& element, FilePlace& start);

 private:
  int get();              // the next byte, moving place_; -1 at the end
  int skip_whitespace();  // the next byte that is not JSON whitespace, or -1
  Status read_element(int first, const FilePlace& start, std::string& element);
  Status expect_end();  // only whitespace after the closing ']'
  // "line 2, column 5 (byte 60 of the file): <reason>".
  Error broken_at(const FilePlace& place, const std::string& reason) const;
  Error broken(const std::string& reason) const { return broken_at(at_, reason); }

  std::istream& in_;
  FilePlace place_;  // of the next byte
  FilePlace at_;     // of the byte get() returned last, or the end
  std::size_t max_element_bytes_;
  bool names_bytes_;
  bool first_ = true;  // no element read yet: ']' may close an empty array
  bool done_ = false;
};

}  // namespace leadhub::connectors
