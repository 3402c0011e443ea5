// unit_files: the files connector's decisions without a folder
// (connectors/files/drop_rules): which names are taken and by which mapping, when
// a file counts as complete, the time-stamped name for one already filed, and file
// names as text.
#define BOOST_TEST_MODULE unit_files
#include <boost/test/unit_test.hpp>

#include "connectors/files/drop_rules.hpp"

using namespace leadhub::connectors::files;

BOOST_AUTO_TEST_SUITE(patterns)

BOOST_AUTO_TEST_CASE(shell_patterns_match_whole_names_ignoring_case) {
  BOOST_TEST(name_matches("*.csv", "responses.csv"));
  BOOST_TEST(name_matches("*.csv", "RESPONSES.CSV"));
  BOOST_TEST(!name_matches("*.csv", "responses.csv.part"));
  BOOST_TEST(!name_matches("*.csv", "responses.csvx"));
  BOOST_TEST(name_matches("ruecklauf-??.xml", "ruecklauf-07.xml"));
  BOOST_TEST(!name_matches("ruecklauf-??.xml", "ruecklauf-7.xml"));
  BOOST_TEST(name_matches("[ab]*.ndjson", "b-2026.ndjson"));
  BOOST_TEST(name_matches("export.json", "Export.JSON"));
  BOOST_TEST(name_matches("*", "anything at all"));
}

BOOST_AUTO_TEST_CASE(the_first_matching_pattern_names_the_mapping_else_the_default) {
  const FileRules rules({"*.part"}, {{"*.csv", "lettershop-csv"}, {"*.xml", "lettershop-xml"}, {"special*", ""}},
                        "fallback");
  BOOST_TEST(rules.mapping_for("a.csv") == "lettershop-csv");
  BOOST_TEST(rules.mapping_for("A.XML") == "lettershop-xml");
  BOOST_TEST(rules.mapping_for("leads.ndjson") == "fallback");
  BOOST_TEST(rules.mapping_for("special.csv") == "lettershop-csv");  // the first that matches
  BOOST_TEST(rules.mapping_for("special.json").empty());             // canonical leads
  const FileRules canonical({}, {}, "");
  BOOST_TEST(canonical.mapping_for("leads.ndjson").empty());
}

BOOST_AUTO_TEST_CASE(upload_names_and_hidden_files_are_never_taken) {
  const FileRules rules({"*.part", "*.tmp", "*.filepart"}, {}, "");
  BOOST_TEST(rules.ignored("responses.csv.part"));
  BOOST_TEST(rules.ignored("responses.csv.PART"));
  BOOST_TEST(rules.ignored("upload.tmp"));
  BOOST_TEST(rules.ignored("responses.csv.filepart"));
  BOOST_TEST(rules.ignored(".responses.csv"));  // rsync and many SFTP clients upload to a hidden name
  BOOST_TEST(rules.ignored(".leadhub.lock"));
  BOOST_TEST(rules.ignored(""));
  BOOST_TEST(!rules.ignored("responses.csv"));
  BOOST_TEST(!rules.ignored("part.csv"));
  const FileRules none({}, {}, "");
  BOOST_TEST(!none.ignored("responses.csv.part"));  // `ignore: []` takes them
  BOOST_TEST(none.ignored(".hidden"));              // never hidden ones
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(stability)

BOOST_AUTO_TEST_CASE(a_file_is_complete_once_unchanged_for_the_wait) {
  StabilityCheck check(5000);
  const FileState s{100, 1'000};
  BOOST_TEST(!check.observe("a.csv", s, 0));     // first seen
  BOOST_TEST(!check.observe("a.csv", s, 4999));  // not long enough
  BOOST_TEST(check.observe("a.csv", s, 5000));   // unchanged for 5 s
  BOOST_TEST(check.observe("a.csv", s, 9000));   // and stays complete
}

BOOST_AUTO_TEST_CASE(a_growing_or_touched_file_starts_the_wait_again) {
  StabilityCheck check(5000);
  BOOST_TEST(!check.observe("a.csv", {100, 1'000}, 0));
  BOOST_TEST(!check.observe("a.csv", {200, 1'000}, 4000));  // grew
  BOOST_TEST(!check.observe("a.csv", {200, 1'000}, 8999));
  BOOST_TEST(!check.observe("a.csv", {200, 2'000}, 9000));  // same size, written again
  BOOST_TEST(!check.observe("a.csv", {200, 2'000}, 13999));
  BOOST_TEST(check.observe("a.csv", {200, 2'000}, 14000));
}

BOOST_AUTO_TEST_CASE(names_are_watched_apart_and_forgotten_when_gone) {
  StabilityCheck check(1000);
  BOOST_TEST(!check.observe("a.csv", {1, 1}, 0));
  BOOST_TEST(!check.observe("b.csv", {1, 1}, 500));
  BOOST_TEST(check.observe("a.csv", {1, 1}, 1000));
  BOOST_TEST(!check.observe("b.csv", {1, 1}, 1000));
  BOOST_TEST(check.watched() == 2u);
  check.forget_missing([](const std::string& name) { return name == "b.csv"; });
  BOOST_TEST(check.watched() == 1u);
  BOOST_TEST(!check.observe("a.csv", {1, 1}, 1500));  // back again: the wait starts again
  check.forget("b.csv");
  BOOST_TEST(check.watched() == 1u);
}

BOOST_AUTO_TEST_CASE(no_wait_takes_a_file_at_once) {
  StabilityCheck check(0);
  BOOST_TEST(check.observe("a.csv", {1, 1}, 0));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(names)

BOOST_AUTO_TEST_CASE(the_stamp_goes_before_the_extension) {
  BOOST_TEST(stamped_name("responses.csv", "20261122T100000Z", 1) == "responses.20261122T100000Z.csv");
  BOOST_TEST(stamped_name("responses.csv", "20261122T100000Z", 2) == "responses.20261122T100000Z-2.csv");
  BOOST_TEST(stamped_name("archive.tar.gz", "S", 1) == "archive.tar.S.gz");
  BOOST_TEST(stamped_name("README", "S", 1) == "README.S");
  BOOST_TEST(stamped_name(".profile", "S", 1) == ".profile.S");
}

BOOST_AUTO_TEST_CASE(long_names_are_shortened_before_the_extension) {
  BOOST_TEST(shortened_name("short.csv", 20) == "short.csv");
  BOOST_TEST(shortened_name(std::string(30, 'a') + ".csv", 20) == std::string(16, 'a') + ".csv");
  BOOST_TEST(shortened_name(std::string(30, 'a'), 20) == std::string(20, 'a'));
  // "ü" is two bytes: never cut in half
  BOOST_TEST(shortened_name("a\xC3\xBC\xC3\xBC\xC3\xBC.csv", 8) == "a\xC3\xBC.csv");
  // an "extension" longer than half the room is part of the name
  BOOST_TEST(shortened_name("a." + std::string(30, 'x'), 10) == "a." + std::string(8, 'x'));
}

BOOST_AUTO_TEST_CASE(names_print_as_utf8_text) {
  BOOST_TEST(printable_name("Rücklauf.csv") == "Rücklauf.csv");
  BOOST_TEST(printable_name("R\xFC"
                            "cklauf.csv") == "R?cklauf.csv");  // ISO-8859-1 from an old client
  BOOST_TEST(printable_name("a\nb\x7F.csv") == "a?b?.csv");
  BOOST_TEST(printable_name("\xC0\xAF.csv") == "??.csv");  // an overlong '/'
  BOOST_TEST(printable_name("\xED\xA0\x80") == "???");     // a surrogate
  BOOST_TEST(printable_name("\xF0\x9F\x93\x84.csv") == "\xF0\x9F\x93\x84.csv");
}

BOOST_AUTO_TEST_SUITE_END()
