// util/text_position: where a byte of a text is, in the terms of the user's file
// (lines and columns from 1, columns in characters, bytes from 0): for a whole
// document, one line of a file, an excerpt cut from a file (a JSON array's
// element), and a text converted from the file's encoding.
#include <boost/test/unit_test.hpp>

#include <string>

#include "util/text_position.hpp"

using namespace leadhub;

namespace {

// The place after `text`, read byte by byte as a streaming reader does.
FilePlace after(std::string_view text) {
  FilePlace place;
  for (const char c : text) place.advance(c);
  return place;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(text_position)

BOOST_AUTO_TEST_CASE(a_file_place_counts_lines_characters_and_bytes) {
  const FilePlace place = after("ab\n\tM\xC3\xBC");
  BOOST_TEST(place.line == 2u);
  BOOST_TEST(place.column == 4u);  // tab, M, ü: three characters
  BOOST_TEST(place.byte == 7u);
  FilePlace marked;
  for (int i = 0; i < 3; ++i) marked.advance_without_column();  // a byte order mark
  marked.advance('[');
  BOOST_TEST(marked.column == 2u);
  BOOST_TEST(marked.byte == 4u);
}

// The element's first line goes on from its start's column; later lines count
// from their own start; the byte counts from the file's first.
BOOST_AUTO_TEST_CASE(an_excerpt_names_its_place_in_the_file) {
  FilePlace start;
  start.line = 2;
  start.column = 3;
  start.byte = 50;
  const std::string element = "{\"a\": \xC3\xBC x,\n  \"b\" 1}";
  BOOST_TEST(describe_position_in_file(element, 0, start) == "line 2, column 3 (byte 50 of the file)");
  BOOST_TEST(describe_position_in_file(element, element.find('x'), start) ==
             "line 2, column 11 (byte 59 of the file)");  // ü: one column, two bytes
  BOOST_TEST(describe_position_in_file(element, element.find('1'), start) == "line 3, column 7 (byte 68 of the file)");
  BOOST_TEST(PositionIn::excerpt(start).describe(element, element.find('1')) ==
             "line 3, column 7 (byte 68 of the file)");
}

BOOST_AUTO_TEST_CASE(each_kind_of_text_names_a_place_its_own_way) {
  const std::string text = "{\"a\":\n x}";
  BOOST_TEST(PositionIn::document().describe(text, 7) == "line 2, column 2 (byte 7)");
  BOOST_TEST(PositionIn::line().describe("{\"s\":\"\xC3\xBC\" x}", 10) == "column 10 (byte 10 of the line)");
}

// A line that starts with a byte order mark (an NDJSON file's first): the mark is
// no column but its bytes are the file's.
BOOST_AUTO_TEST_CASE(a_byte_order_mark_is_bytes_but_no_column) {
  const std::string line = "\xEF\xBB\xBF  {x}";
  BOOST_TEST(PositionIn::line().describe(line, line.find('x')) == "column 4 (byte 6 of the line)");
  BOOST_TEST(PositionIn::document().describe(line, line.find('x')) == "line 1, column 4 (byte 6)");
}

// Text converted to UTF-8 from UTF-16: lines and characters are the file's, the
// bytes are the hub's copy's, so no byte is named.
BOOST_AUTO_TEST_CASE(a_converted_text_names_no_byte) {
  const std::string text = "{\"s\":\"\xC3\xBC\xF0\x9F\x98\x80\",\n x}";
  const std::size_t x = text.find('x');
  BOOST_TEST(PositionIn::document().converted().describe(text, x) == "line 2, column 2");
  BOOST_TEST(PositionIn::line().converted().describe("{\"s\":\"\xC3\xBC\xF0\x9F\x98\x80\", x}", 14) == "column 11");
  FilePlace start;
  start.line = 4;
  start.column = 2;
  start.byte = 20;
  BOOST_TEST(PositionIn::excerpt(start).converted().describe(text, x) == "line 5, column 2");
  BOOST_TEST(PositionIn::excerpt(start).converted().describe(text, 6) == "line 4, column 8");
}

BOOST_AUTO_TEST_SUITE_END()
