// Where a byte of a text is, for messages that point into a document the hub was
// sent (JSON, XML): "line 3, column 27 (byte 61)".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace leadhub {

// What a column counts: UTF-8 characters (a leading byte order mark is none), or
// bytes, for a text still in a single-byte encoding such as ISO-8859-1.
enum class Columns { utf8_characters, bytes };

struct TextPosition {
  std::size_t line = 1;    // from 1
  std::size_t column = 1;  // from 1
};

TextPosition position_in(std::string_view text, std::size_t offset, Columns columns = Columns::utf8_characters);

// "line 3, column 27" for byte `offset` of `text`.
std::string describe_line_column(std::string_view text, std::size_t offset, Columns columns = Columns::utf8_characters);
// "line 3, column 27 (byte 61)": the byte counts from 0, a BOM included.
std::string describe_position(std::string_view text, std::size_t offset, Columns columns = Columns::utf8_characters);

// What a text is, for naming a place in it: a document, or one line of a file whose
// line number its message gives elsewhere (an NDJSON record: "line 3" beside it).
enum class PositionIn { document, line };
// "column 27 (byte 26 of the line)" for byte `offset` of `line`, which holds no
// line break; columns count UTF-8 characters.
std::string describe_position_in_line(std::string_view line, std::size_t offset);

}  // namespace leadhub
