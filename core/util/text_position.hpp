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

// "column 27 (byte 26 of the line)" for byte `offset` of `line`, which holds no
// line break; columns count UTF-8 characters.
std::string describe_position_in_line(std::string_view line, std::size_t offset);

// A place in a UTF-8 file as a reader that streams it meets it, byte by byte: what
// it cuts out of the file (a JSON array's element) is named by where it starts.
struct FilePlace {
  std::size_t line = 1;    // from 1
  std::size_t column = 1;  // from 1, in characters
  std::size_t byte = 0;    // from 0, in the file

  // Past byte `c`: a line break starts a line; a byte that starts a character moves
  // a column, the rest of a character's bytes do not.
  void advance(char c);
  // Past a byte that is no character (of a leading byte order mark).
  void advance_without_column() { ++byte; }
};

// "line 4, column 3 (byte 97 of the file)" for byte `offset` of `excerpt`, a text
// cut from a file at `start`.
std::string describe_position_in_file(std::string_view excerpt, std::size_t offset, const FilePlace& start);

// What a text is, for naming a place in it, and so how a message names one:
//  - a whole document: "line 3, column 27 (byte 61)";
//  - one line of a file, whose line number the message gives elsewhere (an NDJSON
//    record, "line 3" beside it): "column 27 (byte 26 of the line)";
//  - an excerpt of a file (a JSON array's element, "line 2 (element 2)" beside it,
//    the line it starts on): the place in the file, "line 4, column 3 (byte 97 of
//    the file)", as an element may span lines and need not start a line.
// A text converted to UTF-8 from the file's own encoding (UTF-16) keeps the file's
// lines and characters but not its bytes: its places name no byte.
class PositionIn {
 public:
  static PositionIn document() { return PositionIn(Kind::document, {}); }
  static PositionIn line() { return PositionIn(Kind::line, {}); }
  static PositionIn excerpt(const FilePlace& start) { return PositionIn(Kind::excerpt, start); }
  // The same place naming, for a text converted from the file's encoding.
  PositionIn converted() const {
    PositionIn copy = *this;
    copy.bytes_are_the_files_ = false;
    return copy;
  }

  // The place of byte `offset` of `text`.
  std::string describe(std::string_view text, std::size_t offset) const;

 private:
  enum class Kind { document, line, excerpt };
  PositionIn(Kind kind, const FilePlace& start) : kind_(kind), start_(start) {}

  Kind kind_;
  FilePlace start_;  // of an excerpt
  bool bytes_are_the_files_ = true;
};

}  // namespace leadhub
