// Construction of the per-format readers (engine.cpp picks one by the spec's format).
#pragma once

#include <istream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "record.hpp"
#include "spec.hpp"

namespace leadhub::mapping {

std::unique_ptr<RecordReader> make_xml_reader(const MappingSpec& spec, std::istream& in);
std::unique_ptr<RecordReader> make_json_reader(const MappingSpec& spec, std::istream& in);
std::unique_ptr<RecordReader> make_form_reader(const MappingSpec& spec, std::istream& in);

// A form submission as name/value pairs (urlencoded or multipart, already split).
std::unique_ptr<Record> make_form_record(std::vector<std::pair<std::string, std::string>> fields);
// "a=1&b=x+y%21" -> {{"a","1"},{"b","x y!"}}
std::vector<std::pair<std::string, std::string>> parse_urlencoded(std::string_view body);

// The steps of a plain XML path ("A/B/@c": element steps and an optional final
// attribute), or none when the path needs the XPath engine.
std::vector<std::string> plain_xml_steps(const std::string& path);

// Reads the whole stream, refusing more than `limit` bytes.
Result<std::string> read_limited(std::istream& in, std::size_t limit);

}  // namespace leadhub::mapping
