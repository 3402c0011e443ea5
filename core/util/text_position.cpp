#include "util/text_position.hpp"

#include "model/validation.hpp"

namespace leadhub {

TextPosition position_in(std::string_view text, std::size_t offset, Columns columns) {
  const bool utf8 = columns == Columns::utf8_characters;
  TextPosition at;
  const std::size_t bom = utf8 ? text.size() - without_byte_order_mark(text).size() : 0;  // no character
  for (std::size_t i = bom; i < offset && i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++at.line;
      at.column = 1;
    } else if (!utf8 || (c & 0xC0) != 0x80) {  // a character, not the rest of one
      ++at.column;
    }
  }
  return at;
}

std::string describe_line_column(std::string_view text, std::size_t offset, Columns columns) {
  const TextPosition at = position_in(text, offset, columns);
  return "line " + std::to_string(at.line) + ", column " + std::to_string(at.column);
}

std::string describe_position(std::string_view text, std::size_t offset, Columns columns) {
  return describe_line_column(text, offset, columns) + " (byte " + std::to_string(offset) + ")";
}

std::string describe_position_in_line(std::string_view line, std::size_t offset) {
  return "column " + std::to_string(position_in(line, offset).column) + " (byte " + std::to_string(offset) +
         " of the line)";
}

}  // namespace leadhub
