#include "util/text_position.hpp"

#include "model/validation.hpp"

namespace leadhub {
namespace {

bool starts_a_character(unsigned char c) { return (c & 0xC0) != 0x80; }

// An excerpt's own position moved to where the excerpt starts in its file: its
// first line goes on from the start's column, later lines start their own.
TextPosition in_file(const TextPosition& in_excerpt, const FilePlace& start) {
  TextPosition at;
  at.line = start.line + in_excerpt.line - 1;
  at.column = in_excerpt.line == 1 ? start.column + in_excerpt.column - 1 : in_excerpt.column;
  return at;
}

std::string line_and_column(const TextPosition& at) {
  return "line " + std::to_string(at.line) + ", column " + std::to_string(at.column);
}

}  // namespace

TextPosition position_in(std::string_view text, std::size_t offset, Columns columns) {
  const bool utf8 = columns == Columns::utf8_characters;
  TextPosition at;
  const std::size_t bom = utf8 ? text.size() - without_byte_order_mark(text).size() : 0;  // no character
  for (std::size_t i = bom; i < offset && i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++at.line;
      at.column = 1;
    } else if (!utf8 || starts_a_character(c)) {
      ++at.column;
    }
  }
  return at;
}

std::string describe_line_column(std::string_view text, std::size_t offset, Columns columns) {
  return line_and_column(position_in(text, offset, columns));
}

std::string describe_position(std::string_view text, std::size_t offset, Columns columns) {
  return describe_line_column(text, offset, columns) + " (byte " + std::to_string(offset) + ")";
}

std::string describe_position_in_line(std::string_view line, std::size_t offset) {
  return "column " + std::to_string(position_in(line, offset).column) + " (byte " + std::to_string(offset) +
         " of the line)";
}

void FilePlace::advance(char c) {
  ++byte;
  if (c == '\n') {
    ++line;
    column = 1;
  } else if (starts_a_character(static_cast<unsigned char>(c))) {
    ++column;
  }
}

std::string describe_position_in_file(std::string_view excerpt, std::size_t offset, const FilePlace& start) {
  return line_and_column(in_file(position_in(excerpt, offset), start)) + " (byte " +
         std::to_string(start.byte + offset) + " of the file)";
}

std::string PositionIn::describe(std::string_view text, std::size_t offset) const {
  switch (kind_) {
    case Kind::line:
      if (!bytes_are_the_files_) return "column " + std::to_string(position_in(text, offset).column);
      return describe_position_in_line(text, offset);
    case Kind::excerpt:
      if (!bytes_are_the_files_) return line_and_column(in_file(position_in(text, offset), start_));
      return describe_position_in_file(text, offset, start_);
    case Kind::document:
      break;
  }
  if (!bytes_are_the_files_) return describe_line_column(text, offset);
  return describe_position(text, offset);
}

}  // namespace leadhub
