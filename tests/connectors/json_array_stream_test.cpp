// unit_connectors: the reader that streams a JSON array of leads element by
// element (connectors/framework/json_array_stream): elements whose strings hold
// brackets, commas and escaped quotes; other values; lenient trailing comma;
// errors naming the line; the element size limit.
#define BOOST_TEST_MODULE unit_connectors
#include <boost/test/unit_test.hpp>

#include <sstream>

#include "connectors/framework/json_array_stream.hpp"

using leadhub::connectors::JsonArrayStream;

namespace {

struct Read {
  std::vector<std::string> elements;
  std::vector<std::size_t> lines;
  std::string error;  // empty when the array ended well
};

// `text` starts after the opening '[' (what the import has read), on line 1.
Read read_all(const std::string& text, std::size_t max_bytes = 1 << 20) {
  std::istringstream in(text);
  JsonArrayStream array(in, 1, max_bytes);
  Read out;
  std::string element;
  std::size_t line = 0;
  for (;;) {
    auto more = array.next(element, line);
    if (!more) {
      out.error = more.error().message;
      return out;
    }
    if (!*more) return out;
    out.elements.push_back(element);
    out.lines.push_back(line);
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

BOOST_AUTO_TEST_CASE(a_broken_array_names_the_line) {
  const auto missing_comma = read_all("{\"a\":1}\n{\"b\":2}]");
  BOOST_TEST(missing_comma.elements.size() == 1u);
  BOOST_TEST(missing_comma.error == "line 2: expected ',' or ']' after the array's element, found '{'");
  BOOST_TEST(read_all("{},\n{}").error == "line 2: the array is not closed (no ']' at the end)");
  BOOST_TEST(read_all("{},\n").error == "line 2: the array is not closed (no ']' at the end)");
  BOOST_TEST(read_all("{}]\n\n x").error == "line 3: text after the array's closing ']': 'x'");
  BOOST_TEST(read_all("\n{\"a\":\"open}]").error == "line 2: the element starting here is not closed");
}

BOOST_AUTO_TEST_CASE(an_element_larger_than_the_limit_stops_the_array) {
  const auto r = read_all("{\"a\":1},\n{\"b\":\"" + std::string(100, 'x') + "\"}]", 64);
  BOOST_TEST(r.elements.size() == 1u);
  BOOST_TEST(r.error == "line 2: an element is larger than 64 bytes");
}
