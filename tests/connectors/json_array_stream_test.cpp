// unit_connectors: the reader that streams a JSON array of leads element by
// element (connectors/framework/json_array_stream): elements whose strings hold
// brackets, commas and escaped quotes; other values; lenient trailing comma;
// where each element starts in the file; errors naming line, column and byte in
// the file; the element size limit.
#define BOOST_TEST_MODULE unit_connectors
#include <boost/test/unit_test.hpp>

#include <sstream>

#include "connectors/framework/json_array_stream.hpp"

using leadhub::FilePlace;
using leadhub::connectors::JsonArrayStream;

namespace {

struct Read {
  std::vector<std::string> elements;
  std::vector<std::size_t> lines;
  std::vector<FilePlace> starts;
  std::string error;  // empty when the array ended well
};

// `text` starts after the opening '[' (what the import has read): "[" is line 1,
// column 1, byte 0 of the file.
Read read_all(const std::string& text, std::size_t max_bytes = 1 << 20, bool names_bytes = true) {
  std::istringstream in(text);
  FilePlace after_bracket;
  after_bracket.advance('[');
  JsonArrayStream array(in, after_bracket, max_bytes, names_bytes);
  Read out;
  std::string element;
  FilePlace start;
  for (;;) {
    auto more = array.next(element, start);
    if (!more) {
      out.error = more.error().message;
      return out;
    }
    if (!*more) return out;
    out.elements.push_back(element);
    out.lines.push_back(start.line);
    out.starts.push_back(start);
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(elements_are_split_where_the_structure_says) {
  const auto r = read_all(
      "\n  {\"a\":\"x]},\\\"[\",\"b\":[1,{\"c\":2}]},\n"
      "  {\"d\":\"\\\\\"}  ,\n  42,\"s,]\" , null\n]\n");
  BOOST_TEST_REQUIRE(r.error == "");
  BOOST_TEST_REQUIRE(r.elements.size() == 5u);
  BOOST_TEST(r.elements[0] == "{\"a\":\"x]},\\\"[\",\"b\":[1,{\"c\":2}]}");
  BOOST_TEST(r.elements[1] == "{\"d\":\"\\\\\"}");  // an escaped backslash ends before the quote
  BOOST_TEST(r.elements[2] == "42");
  BOOST_TEST(r.elements[3] == "\"s,]\"");
  BOOST_TEST(r.elements[4] == "null");
  BOOST_TEST((r.lines == std::vector<std::size_t>{2, 3, 4, 4, 4}));
}

BOOST_AUTO_TEST_CASE(empty_arrays_and_a_trailing_comma) {
  BOOST_TEST(read_all("]").elements.empty());
  BOOST_TEST(read_all(" \n ] \n").error == "");
  const auto trailing = read_all("{},{},\n]");
  BOOST_TEST(trailing.error == "");
  BOOST_TEST(trailing.elements.size() == 2u);
}

// An element's syntax error is named in the file from where the element starts:
// its line, its column in characters (ü is one) and its byte in the file.
BOOST_AUTO_TEST_CASE(each_element_knows_where_it_starts_in_the_file) {
  const auto r = read_all("{\"s\":\"\xC3\xBC\"}, {},\n\t 7 ]");
  BOOST_TEST_REQUIRE(r.error == "");
  BOOST_TEST_REQUIRE(r.starts.size() == 3u);
  BOOST_TEST(r.starts[0].line == 1u);
  BOOST_TEST(r.starts[0].column == 2u);
  BOOST_TEST(r.starts[0].byte == 1u);
  BOOST_TEST(r.starts[1].line == 1u);
  BOOST_TEST(r.starts[1].column == 13u);  // after "[", 9 characters, ", "
  BOOST_TEST(r.starts[1].byte == 13u);    // ü is two bytes
  BOOST_TEST(r.starts[2].line == 2u);
  BOOST_TEST(r.starts[2].column == 3u);  // a tab is one character
  BOOST_TEST(r.starts[2].byte == 19u);
}

BOOST_AUTO_TEST_CASE(a_broken_array_names_line_column_and_byte_in_the_file) {
  const auto missing_comma = read_all("{\"a\":1}\n{\"b\":2}]");
  BOOST_TEST(missing_comma.elements.size() == 1u);
  BOOST_TEST(missing_comma.error ==
             "line 2, column 1 (byte 9 of the file): expected ',' or ']' after the array's element, found '{'");
  BOOST_TEST(read_all("{},\n{}").error ==
             "line 2, column 3 (byte 7 of the file): the array is not closed (no ']' at the end)");
  BOOST_TEST(read_all("{},\n").error ==
             "line 2, column 1 (byte 5 of the file): the array is not closed (no ']' at the end)");
  BOOST_TEST(read_all("{}]\n\n x").error ==
             "line 3, column 2 (byte 7 of the file): text after the array's closing ']': 'x'");
  BOOST_TEST(
      read_all("\n {\"a\":\"open}]").error ==
      "line 2, column 2 (byte 3 of the file): the element starting here is not closed (the file ends inside it)");
  BOOST_TEST(read_all("1 2]").error ==
             "line 1, column 4 (byte 3 of the file): expected ',' or ']' after the array's element, found '2'");
}

// Read through a conversion (UTF-16): the bytes are not the file's, and not named.
BOOST_AUTO_TEST_CASE(converted_input_names_no_byte) {
  BOOST_TEST(read_all("{} {}]", 1 << 20, false).error ==
             "line 1, column 5: expected ',' or ']' after the array's element, found '{'");
}

BOOST_AUTO_TEST_CASE(an_element_larger_than_the_limit_stops_the_array) {
  const auto r = read_all("{\"a\":1},\n{\"b\":\"" + std::string(100, 'x') + "\"}]", 64);
  BOOST_TEST(r.elements.size() == 1u);
  BOOST_TEST(r.error == "line 2, column 1 (byte 10 of the file): the element starting here is larger than 64 bytes");
}
