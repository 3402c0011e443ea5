// Mapper::map_stream_parallel: the same records, errors, order and stopping rule
// as map_stream, for CSV (with broken rows and a broken document) and XML.
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

#include "mapping_support.hpp"

using namespace leadhub;
using namespace leadhub::mapping;
using namespace leadhub::mapping::test;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::shared_ptr<const MappingSpec> shipped(const std::string& name) {
  auto spec = load_mapping(std::string(LEADHUB_SOURCE_DIR) + "/config/mappings/" + name + ".yaml");
  BOOST_TEST_REQUIRE(spec.ok());
  return *spec;
}

Mapped map_parallel(const std::shared_ptr<const MappingSpec>& spec, const std::string& input, unsigned threads,
                    std::size_t stop_after = SIZE_MAX) {
  const Mapper mapper(spec);
  std::istringstream in(input);
  Mapped out;
  out.status = mapper.map_stream_parallel(
      in,
      [&](MappedRecord&& r) {
        out.records.push_back(std::move(r));
        return out.records.size() < stop_after;
      },
      threads);
  return out;
}

// The lettershop fixture's rows many times over (more than a few batches), with
// rows that fail (no family name; more fields than the header).
std::string lettershop_file(bool broken_end) {
  const std::string fixture = read_file(std::string(LEADHUB_SOURCE_DIR) + "/tests/fixtures/lettershop/responses.csv");
  const auto header_end = fixture.find('\n') + 1;
  std::string out = fixture.substr(0, header_end);
  for (int i = 0; i < 120; ++i) {
    out += fixture.substr(header_end);
    out += "Herr;Max;;;;;;;;max" + std::to_string(i) + "@example.com;X;\r\n";
    if (i % 7 == 0) out += "a;b;c;d;e;f;g;h;i;j;k;l;m;n\r\n";
  }
  if (broken_end) out += "Frau;\"never closed;\r\n";
  return out;
}

void same_results(const Mapped& sequential, const Mapped& parallel) {
  BOOST_TEST(parallel.status_message() == sequential.status_message());
  BOOST_TEST_REQUIRE(parallel.records.size() == sequential.records.size());
  for (std::size_t i = 0; i < sequential.records.size(); ++i) {
    BOOST_TEST_REQUIRE(describe(parallel.records[i]) == describe(sequential.records[i]));
    BOOST_TEST((parallel.records[i].lead.has_value() == sequential.records[i].lead.has_value()));
  }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(parallel_mapping)

BOOST_AUTO_TEST_CASE(csv_in_document_order_with_the_same_errors) {
  const auto spec = shipped("lettershop-csv");
  const std::string input = lettershop_file(false);
  const Mapped sequential = map_text(spec, input);
  BOOST_TEST(sequential.records.size() > 600u);
  for (unsigned threads : {1u, 2u, 3u}) same_results(sequential, map_parallel(spec, input, threads));
}

BOOST_AUTO_TEST_CASE(a_broken_document_delivers_the_records_before_it) {
  const auto spec = shipped("lettershop-csv");
  const std::string input = lettershop_file(true);
  const Mapped sequential = map_text(spec, input);
  BOOST_TEST(!sequential.status.ok());
  same_results(sequential, map_parallel(spec, input, 2));
}

BOOST_AUTO_TEST_CASE(xml_records_in_document_order) {
  const auto spec = shipped("lettershop-xml");
  const std::string input = read_file(std::string(LEADHUB_SOURCE_DIR) + "/tests/fixtures/lettershop-xml/ruecklauf.xml");
  same_results(map_text(spec, input), map_parallel(spec, input, 2));
}

BOOST_AUTO_TEST_CASE(the_sink_stops_the_stream) {
  const auto spec = shipped("lettershop-csv");
  const std::string input = lettershop_file(false);
  const Mapped all = map_text(spec, input);
  const Mapped stopped = map_parallel(spec, input, 2, 300);
  BOOST_TEST(stopped.status.ok());
  BOOST_TEST_REQUIRE(stopped.records.size() == 300u);
  for (std::size_t i = 0; i < 300; ++i) BOOST_TEST_REQUIRE(describe(stopped.records[i]) == describe(all.records[i]));
}

BOOST_AUTO_TEST_CASE(document_notices_come_with_the_first_record) {
  const auto spec = load_ok(
      "format: csv\ncsv: {delimiter: \";\"}\nfields:\n  prospect.family_name: Name\n"
      "  prospect.phone: {from: Telefon}\n");
  std::string file = "Name;Tel\n";
  for (int i = 0; i < 3000; ++i) file += "N" + std::to_string(i) + ";1\n";
  const auto m = map_parallel(spec, file, 2);
  BOOST_TEST_REQUIRE(m.records.size() == 3000u);
  BOOST_TEST(
      (m.records[0].notices ==
       std::vector<std::string>{"prospect.phone: the file's header has no column 'Telefon'; empty in every record"}));
  for (std::size_t i = 1; i < m.records.size(); ++i) BOOST_TEST_REQUIRE(m.records[i].notices.empty());
}

BOOST_AUTO_TEST_SUITE_END()
