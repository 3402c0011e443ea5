// Where a JSON document that simdjson refused goes wrong. simdjson's DOM parser
// says what kind of error it met but not where; this separate, simple walk finds
// the first error's byte offset. It runs only on the failure path, so parsing
// valid documents costs nothing extra.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "util/text_position.hpp"

namespace leadhub::json {

struct SyntaxError {
  std::size_t offset = 0;  // of the first byte at fault
  std::string reason;
};

// The first violation of RFC 8259 (including invalid UTF-8 in strings), or nullopt
// when the syntax is fine (simdjson then refused for a limit, such as depth).
std::optional<SyntaxError> find_syntax_error(std::string_view text);

// The reason for a document simdjson refused with `err`: "not valid JSON: line 2,
// column 33 (byte 34): a comma before '}' (trailing comma)", or simdjson's own
// message where the syntax is fine (too deep, a number out of range). For a text
// that is one line of a file (PositionIn::line()): "not valid JSON: column 33 (byte
// 32 of the line): ..."; for an excerpt of one (PositionIn::excerpt): the place in
// the file, "not valid JSON: line 4, column 3 (byte 97 of the file): ...".
std::string not_valid_json(std::string_view text, simdjson::error_code err,  // text may start with a BOM
                           PositionIn in = PositionIn::document());

}  // namespace leadhub::json
