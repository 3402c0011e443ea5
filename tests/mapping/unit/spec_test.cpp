// mapping/spec_loader.cpp: a broken mapping is refused at load with file:line:col
// and the reason; a good one loads into the expected MappingSpec.
#include <boost/test/unit_test.hpp>

#include <filesystem>

#include "mapping_support.hpp"

using namespace leadhub;
using namespace leadhub::mapping;
using namespace leadhub::mapping::test;

namespace {

// The message must start with "FILE:line:col: " and contain `reason`.
boost::test_tools::predicate_result refused_at(const std::string& yaml, const std::string& position,
                                               const std::string& reason) {
  const std::string message = load_error(yaml);
  const std::string prefix = "FILE:" + position + ": ";
  if (message.rfind(prefix, 0) == 0 && contains(message, reason)) return true;
  boost::test_tools::predicate_result res(false);
  res.message() << "expected '" << prefix << "...' containing '" << reason << "', got '" << message << "'";
  return res;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(spec_loader)

BOOST_AUTO_TEST_CASE(loads_a_complete_csv_mapping) {
  const auto spec = load_ok(R"(name: lettershop
description: Responses
format: csv
csv: {delimiter: ";", quote: "'", header: false, encoding: windows-1252}
operation: create
limits: {max_records: 10, max_field_bytes: 100, max_document_bytes: 5000, max_depth: 3}
fields:
  source: {value: lettershop}
  prospect.email: {from: 3, transforms: [trim, email], required: true}
  prospect.family_name: 2
  subject: {from: [1, 2], join: " - ", default: "Anfrage"}
groups:
  external_refs:
    fields:
      system: {value: lettershop}
      id: 1
)");
  BOOST_TEST(spec->name == "lettershop");
  BOOST_TEST(spec->description == "Responses");
  BOOST_TEST(spec->format == SourceFormat::csv);
  BOOST_TEST(spec->csv.delimiter == ';');
  BOOST_TEST(spec->csv.quote == '\'');
  BOOST_TEST(!spec->csv.header);
  BOOST_TEST((spec->csv.encoding == CsvOptions::Encoding::windows1252));
  BOOST_TEST(spec->limits.max_records == 10u);
  BOOST_TEST(spec->limits.max_field_bytes == 100u);
  BOOST_TEST(spec->limits.max_document_bytes == 5000u);
  BOOST_TEST(spec->limits.max_depth == 3u);
  BOOST_TEST_REQUIRE(spec->fields.size() == 4u);
  BOOST_TEST(spec->fields[0].target == "source");
  BOOST_TEST(spec->fields[0].constant.value_or("") == "lettershop");
  BOOST_TEST(spec->fields[1].target == "prospect.email");
  BOOST_TEST_REQUIRE(spec->fields[1].from.size() == 1u);
  BOOST_TEST(spec->fields[1].from[0].column == 2);  // 1-based in the file, 0-based here
  BOOST_TEST(spec->fields[1].required);
  BOOST_TEST(spec->fields[1].transforms.size() == 2u);
  BOOST_TEST(contains(spec->fields[1].where, ":9:3"), spec->fields[1].where);
  BOOST_TEST(spec->fields[3].join == " - ");
  BOOST_TEST(spec->fields[3].fallback.value_or("") == "Anfrage");
  BOOST_TEST(spec->fields[3].from.size() == 2u);
  BOOST_TEST_REQUIRE(spec->groups.size() == 1u);
  BOOST_TEST(spec->groups[0].target == "external_refs");
  BOOST_TEST(!spec->groups[0].each);
  BOOST_TEST(!spec->outbound);
}

BOOST_AUTO_TEST_CASE(name_defaults_to_the_file_name_and_tab_delimiter) {
  MappingFile file("format: csv\ncsv: {delimiter: tab, encoding: auto}\nfields: {prospect.email: Mail}\n",
                   "partner-x.yaml");
  auto spec = file.load();
  BOOST_TEST_REQUIRE(spec.ok(), (spec.ok() ? "" : spec.error().message));
  BOOST_TEST((*spec)->name == "partner-x");
  BOOST_TEST((*spec)->csv.delimiter == '\t');
  BOOST_TEST(((*spec)->csv.encoding == CsvOptions::Encoding::auto_detect));
  BOOST_TEST((*spec)->file == file.path());
}

BOOST_AUTO_TEST_CASE(unknown_top_level_key) {
  BOOST_TEST(refused_at("name: t\nformat: csv\nfeilds:\n  prospect.email: E-Mail\n", "3:1", "unknown key 'feilds'"));
  BOOST_TEST(
      contains(load_error("format: csv\nfields: {prospect.email: a}\nlimit: {max_records: 1}\n"), "expected one of"));
}

BOOST_AUTO_TEST_CASE(unknown_canonical_target) {
  BOOST_TEST(refused_at("format: csv\nfields:\n  source: {value: x}\n  prospect.emial: E-Mail\n", "4:3",
                        "'prospect.emial' is not a canonical field"));
  BOOST_TEST(refused_at("format: csv\nfields:\n  id: X\n", "3:3", "'id' is not a canonical field"));
  BOOST_TEST(refused_at("format: csv\nfields:\n  attributes.: X\n", "3:3", "not a canonical field"));
}

BOOST_AUTO_TEST_CASE(bad_or_missing_format) {
  BOOST_TEST(refused_at("format: excel\nfields: {prospect.email: a}\n", "1:9",
                        "format: 'excel' is not csv, xml, json or form"));
  BOOST_TEST(refused_at("name: x\nfields: {prospect.email: a}\n", "1:1", "format: required"));
}

BOOST_AUTO_TEST_CASE(xml_needs_records) {
  BOOST_TEST(refused_at("format: xml\nfields:\n  prospect.email: Email\n", "1:1", "records: required for xml"));
}

BOOST_AUTO_TEST_CASE(bad_xpath_in_records_and_fields) {
  BOOST_TEST(refused_at("format: xml\nrecords: \"/Leads/Lead[\"\nfields:\n  prospect.email: Email\n", "2:10",
                        "not a valid XPath"));
  BOOST_TEST(refused_at("format: xml\nrecords: /Leads/Lead\nfields:\n  prospect.email: \"concat(a,\"\n", "4:19",
                        "'concat(a,' is not a valid XPath"));
  BOOST_TEST(refused_at("format: xml\nrecords: /Leads/Lead\nfields:\n  prospect.email: {from: \"Contact/[@\"}\n",
                        "4:26", "is not a valid XPath"));
}

BOOST_AUTO_TEST_CASE(bad_transform_name) {
  BOOST_TEST(refused_at("format: csv\nfields:\n  prospect.email:\n    from: E-Mail\n    transforms: [trim, emial]\n",
                        "5:24", "unknown transform 'emial'"));
  BOOST_TEST(refused_at(
      "format: csv\nfields:\n  prospect.email:\n    from: E-Mail\n    transforms:\n      - trim\n      - lowercase\n",
      "7:9", "unknown transform 'lowercase'"));
  BOOST_TEST(refused_at("format: csv\nfields:\n  prospect.email: {from: E-Mail, transforms: trim}\n", "3:46",
                        "transforms: expected a list"));
}

BOOST_AUTO_TEST_CASE(bad_regex_refused_at_load) {
  BOOST_TEST(refused_at(
      "format: csv\nfields:\n  prospect.email:\n    from: E-Mail\n    transforms:\n      - regex_extract: \"(abc\"\n",
      "6:9", "bad regular expression"));
  BOOST_TEST(
      refused_at("format: csv\nfields:\n  prospect.email:\n    from: E-Mail\n    transforms:\n      - {regex_replace: "
                 "{pattern: \"[a-\", with: x}}\n",
                 "6:9", "bad regular expression"));
  BOOST_TEST(
      refused_at("format: csv\nfields:\n  prospect.email:\n    from: E-Mail\n    when: {field: X, matches: \"(\"}\n",
                 "5:31", "bad regular expression"));
}

BOOST_AUTO_TEST_CASE(bad_transform_options_are_positioned) {
  BOOST_TEST(
      refused_at("format: csv\nfields:\n  prospect.phone:\n    from: Tel\n    transforms:\n      - phone: Atlantis\n",
                 "6:9", "unknown default country"));
  BOOST_TEST(refused_at("format: csv\nfields:\n  subject:\n    from: S\n    transforms:\n      - max_length: 0\n",
                        "6:9", "max_length: expected a positive number"));
  BOOST_TEST(
      refused_at("format: csv\nfields:\n  follow_up:\n    from: D\n    transforms:\n      - datetime: {format: \"%d\", "
                 "utc_offset: \"1h\"}\n",
                 "6:9", "utc_offset"));
  // a value of the wrong YAML type inside an option
  const std::string m = load_error("format: csv\nfields:\n  subject:\n    from: S\n    required: maybe\n");
  BOOST_TEST(contains(m, "FILE:5:"), m);
}

BOOST_AUTO_TEST_CASE(csv_options_are_checked) {
  BOOST_TEST(refused_at("format: csv\ncsv: {delimiter: \";;\"}\nfields: {subject: a}\n", "2:18",
                        "delimiter: expected one character"));
  BOOST_TEST(
      refused_at("format: csv\ncsv: {encoding: ebcdic}\nfields: {subject: a}\n", "2:17", "encoding: 'ebcdic' is not"));
  BOOST_TEST(
      refused_at("format: csv\ncsv: {seperator: \";\"}\nfields: {subject: a}\n", "2:7", "unknown key 'seperator'"));
  BOOST_TEST(
      refused_at("format: json\ncsv: {delimiter: \";\"}\nfields: {subject: /a}\n", "2:6", "csv: only for format csv"));
  BOOST_TEST(refused_at("format: csv\nfields:\n  subject: \"0\"\n", "3:12", "CSV column numbers start at 1"));
}

BOOST_AUTO_TEST_CASE(json_paths_are_pointers) {
  BOOST_TEST(refused_at("format: json\nrecords: leads\nfields: {subject: /a}\n", "2:10",
                        "records: a JSON Pointer starts with /"));
  BOOST_TEST(refused_at("format: json\nfields:\n  subject: a/b\n", "3:12", "'a/b' is not a JSON Pointer"));
}

BOOST_AUTO_TEST_CASE(field_rule_shapes) {
  BOOST_TEST(
      refused_at("format: csv\nfields:\n  subject: {from: A, value: x}\n", "3:3", "give from: or value:, not both"));
  BOOST_TEST(refused_at("format: csv\nfields:\n  subject: {required: true}\n", "3:3", "needs from: or value:"));
  BOOST_TEST(
      refused_at("format: csv\nfields:\n  subject: {from: A, tranforms: [trim]}\n", "3:22", "unknown key 'tranforms'"));
  BOOST_TEST(refused_at("format: csv\nfields:\n  subject: [[a, b]]\n", "3:13", "cannot hold another list"));
  BOOST_TEST(refused_at("format: csv\nfields:\n  subject: []\n", "3:12", "at least one rule"));
  BOOST_TEST(
      refused_at("format: csv\nfields:\n  subject: [a, {from: b, colour: red}]\n", "3:26", "unknown key 'colour'"));
  BOOST_TEST(refused_at("format: csv\n", "1:1", "fields: required"));
  BOOST_TEST(
      refused_at("format: csv\nfields:\n  subject: {from: A, when: {field: B, is: x}}\n", "3:39", "unknown key 'is'"));
  BOOST_TEST(refused_at("format: csv\nfields:\n  subject: {from: A, when: {equals: x}}\n", "3:28", "when: expected"));
}

BOOST_AUTO_TEST_CASE(groups_are_checked) {
  BOOST_TEST(refused_at("format: xml\nrecords: /a/b\nfields: {subject: s}\ngroups:\n  contacts:\n    fields: {x: y}\n",
                        "5:3", "'contacts' is not a repeating group"));
  BOOST_TEST(
      refused_at("format: xml\nrecords: /a/b\nfields: {subject: s}\ngroups:\n  interests:\n    fields: {price: P}\n",
                 "6:14", "'price' is not a member of interests"));
  BOOST_TEST(refused_at(
      "format: csv\nfields: {subject: s}\ngroups:\n  interests:\n    each: Items\n    fields: {product: P}\n", "5:11",
      "each: only xml and json"));
  BOOST_TEST(refused_at("format: json\nfields: {subject: /s}\ngroups:\n  notes:\n    each: /notes\n", "5:5",
                        "fields: required in a group"));
  BOOST_TEST(
      refused_at("format: json\nfields: {subject: /s}\ngroups:\n  notes:\n    items: /notes\n    fields: {text: /t}\n",
                 "5:5", "unknown key 'items'"));
}

BOOST_AUTO_TEST_CASE(operation_is_checked) {
  BOOST_TEST(refused_at("format: csv\noperation: delete\nfields: {subject: s}\n", "2:12",
                        "operation: 'delete' is not create"));
  BOOST_TEST(refused_at(
      "format: xml\nrecords: /a/b\noperation: {from: \"@action\", map: {N: create, D: delete}}\nfields: {subject: s}\n",
      "3:50", "'delete' is not create, change, read or find"));
  BOOST_TEST(refused_at("format: csv\noperation: {map: {N: create}}\nfields: {subject: s}\n", "2:12",
                        "operation: a name or {from"));
  const auto spec = load_ok(
      "format: xml\nrecords: /a/b\noperation: {from: \"@action\", map: {N: create, U: change}}\nfields: {subject: "
      "s}\n");
  BOOST_TEST_REQUIRE(spec->operation_from.has_value());
  BOOST_TEST(spec->operation_from->from.size() == 1u);
  BOOST_TEST(spec->operation_from->transforms.size() == 1u);
}

BOOST_AUTO_TEST_CASE(operation_default_is_checked_at_load) {
  // the fallback operation is checked when the mapping loads, like the map's values,
  // not record by record halfway through a file
  const std::string bad_default =
      load_error("format: csv\noperation: {from: Op, map: {N: create}, default: delete}\nfields: {subject: s}\n");
  BOOST_TEST(contains(bad_default, "FILE:2:"), bad_default);
  BOOST_TEST(contains(bad_default, "delete"), bad_default);
}

BOOST_AUTO_TEST_CASE(yaml_syntax_errors_are_positioned) {
  const std::string m = load_error("format: csv\nfields:\n  subject: a\n  other: [x\n");
  BOOST_TEST(m.rfind("FILE:", 0) == 0, m);
  BOOST_TEST((contains(m, ":3:") || contains(m, ":4:") || contains(m, ":5:")), m);
  const std::string tab = load_error("format: csv\nfields: {subject: [a}\n");
  BOOST_TEST(contains(tab, "FILE:2:"), tab);
  // yaml-cpp's words alone ("end of map not found") named no cause
  const std::string indent = load_error("format: csv\nfields:\n  subject: a\n   source: b\n");
  BOOST_TEST(contains(indent, "not valid YAML: "), indent);
  BOOST_TEST(contains(indent, "check the indentation of this line and the one above it"), indent);
  const std::string tabbed = load_error("format: csv\nfields:\n  subject: a\n\tsource: b\n");
  BOOST_TEST(contains(tabbed, "line 4 is indented with a TAB; YAML indents with spaces only"), tabbed);
}

// yaml-cpp keeps the last of two equal keys without a word: a second rule for a
// target dropped the first (docs/mappings.md's example once had two prospect.email).
BOOST_AUTO_TEST_CASE(a_key_given_twice_is_refused_naming_both_lines) {
  BOOST_TEST(
      refused_at("format: csv\nfields:\n  prospect.email: E-Mail\n  source: {value: api}\n"
                 "  prospect.email: Mail\n",
                 "5:3",
                 "'prospect.email' is given twice in this block (also at line 3); YAML would keep only the last. "
                 "Several rules for one target are a list"));
  BOOST_TEST(refused_at("format: csv\nfields:\n  subject: {from: A, from: B}\n", "3:22", "'from' is given twice"));
  BOOST_TEST(
      refused_at("format: csv\nfields: {subject: s}\ngroups:\n  notes:\n    fields:\n      text: A\n"
                 "      text: B\n",
                 "7:7", "'text' is given twice"));
  BOOST_TEST(refused_at("format: csv\nformat: xml\nfields: {subject: s}\n", "2:1", "'format' is given twice"));
}

// yaml-cpp's "bad conversion" named neither the key nor the value.
BOOST_AUTO_TEST_CASE(a_value_of_the_wrong_kind_names_its_key) {
  BOOST_TEST(refused_at("format: csv\nfields:\n  subject: {from: A, required: yes please}\n", "3:32",
                        "subject: required: expected true or false, not 'yes please'"));
  BOOST_TEST(refused_at("format: csv\ncsv: {header: 2}\nfields: {subject: s}\n", "2:15",
                        "header: expected true or false, not '2'"));
  BOOST_TEST(refused_at("format: csv\nlimits: {max_records: lots}\nfields: {subject: s}\n", "2:23",
                        "limits: max_records: expected a whole number, not 'lots'"));
  BOOST_TEST(refused_at("format: csv\nfields:\n  subject: {from: A, when: {field: B, present: maybe}}\n", "3:48",
                        "when: present: expected true or false, not 'maybe'"));
  BOOST_TEST(refused_at("format: csv\nfields:\n  subject: {from: A, when: {field: B, equals: x, in: [y]}}\n", "3:28",
                        "when: one test per condition"));
}

// A date format's typo failed every record of a file instead of the mapping.
BOOST_AUTO_TEST_CASE(an_unknown_date_directive_is_refused_at_load) {
  BOOST_TEST(refused_at("format: csv\nfields:\n  follow_up: {from: A, transforms: [{date: \"%d.%m.%Q\"}]}\n", "3:37",
                        "date: '%Q' in \"%d.%m.%Q\" is no date directive"));
  BOOST_TEST(
      refused_at("format: csv\nfields:\n  follow_up: {from: A, transforms: [{date: [\"%d.%m.%Y\", \"%e.%m\"]}]}\n",
                 "3:37", "'%e'"));
  BOOST_TEST(
      MappingFile("format: csv\nfields:\n  follow_up: {from: A, transforms: [{date: \"%d.%m.%Y\"}]}\n").load().ok());
}

// The XML reader matches elements by local name; a mapping written with the
// document's prefixes (/p:Leads/p:Lead) matched nothing and read nothing.
BOOST_AUTO_TEST_CASE(prefixed_element_names_are_refused_with_what_to_write) {
  BOOST_TEST(refused_at("format: xml\nrecords: /p:Leads/p:Lead\nfields: {subject: S}\n", "2:10",
                        "'/p:Leads/p:Lead': write element names without their namespace prefix ('p:Leads'): the hub "
                        "matches elements by local name"));
  BOOST_TEST(
      contains(load_error("format: xml\nrecords: /p:Leads/p:Lead\nfields: {subject: S}\n"), "write '/Leads/Lead'"));
  BOOST_TEST(refused_at("format: xml\nrecords: /Leads/Lead\nfields:\n  prospect.email: p:Person/c:Mail\n", "4:19",
                        "write 'Person/Mail'"));
  BOOST_TEST(
      refused_at("format: xml\nrecords: /Leads/Lead\nfields:\n  subject: {from: S, when: {field: p:Kind, "
                 "equals: x}}\n",
                 "4:36", "'p:Kind'"));
  // attributes keep their prefixes, axes and string literals are no prefixes
  BOOST_TEST(MappingFile("format: xml\nrecords: \"/*[local-name()='n0:Root']/Lead\"\nfields:\n"
                         "  subject: \"@xsi:type\"\n  attributes.kind: \"string(self::Lead/@a:b)\"\n")
                 .load()
                 .ok());
}

BOOST_AUTO_TEST_CASE(missing_file_and_not_a_mapping) {
  auto missing = load_mapping("/nonexistent/leadhub/none.yaml");
  BOOST_TEST_REQUIRE(!missing.ok());
  BOOST_TEST(contains(missing.error().message, "/nonexistent/leadhub/none.yaml: cannot read the mapping file"),
             missing.error().message);
  BOOST_TEST(refused_at("- a\n- b\n", "1:1", "a mapping file is a YAML mapping"));
}

BOOST_AUTO_TEST_CASE(outbound_section_is_checked) {
  BOOST_TEST(
      refused_at("format: csv\nfields: {subject: s}\noutbound:\n  format: pdf\n", "4:11", "outbound format: 'pdf'"));
  BOOST_TEST(
      refused_at("format: csv\nfields: {subject: s}\noutbound:\n  colour: red\n", "4:3", "unknown key 'colour'"));
  BOOST_TEST(refused_at("format: csv\nfields: {subject: s}\noutbound:\n  groups:\n    tags: {fields: {a: b}}\n", "5:5",
                        "'tags' is not a repeating group"));
  BOOST_TEST(refused_at("format: csv\nfields: {subject: s}\noutbound:\n  fields:\n    X: {transforms: [trim]}\n", "5:5",
                        "X: needs from: or value:"));
  BOOST_TEST(
      refused_at("format: csv\nfields: {subject: s}\noutbound:\n  fields:\n    X: {from: id, transforms: [shout]}\n",
                 "5:32", "unknown transform 'shout'"));
  const auto spec = load_ok(
      "format: csv\ncsv: {delimiter: \";\", encoding: iso-8859-1}\nfields: {subject: s}\noutbound:\n  fields: {LeadID: "
      "id}\n");
  BOOST_TEST_REQUIRE(spec->outbound.has_value());
  BOOST_TEST((spec->outbound->format == SourceFormat::csv));
  BOOST_TEST(spec->outbound->csv_delimiter == ';');
  BOOST_TEST(spec->outbound->csv_latin1);
}

BOOST_AUTO_TEST_CASE(find_mapping_by_name) {
  leadhub::test::TempDir dir("leadhub-mapping");
  {
    std::ofstream out(dir.sub("acme.yaml"));
    out << "format: form\nfields: {prospect.email: email}\n";
  }
  auto found = find_mapping("acme", {"/nonexistent", dir.path()});
  BOOST_TEST_REQUIRE(found.ok(), (found.ok() ? "" : found.error().message));
  BOOST_TEST((*found)->name == "acme");
  auto by_path = find_mapping(dir.sub("acme.yaml"), {});
  BOOST_TEST(by_path.ok());
  auto none = find_mapping("nobody", {dir.path()});
  BOOST_TEST_REQUIRE(!none.ok());
  BOOST_TEST(none.error().code == ErrorCode::not_found);
  BOOST_TEST(contains(none.error().message, "no mapping named 'nobody'"));
  BOOST_TEST(contains(none.error().message, "(there are: acme)"), none.error().message);
  // a typo of a mapping's name is answered with the name
  auto typo = find_mapping("amce", {dir.path()});
  BOOST_TEST_REQUIRE(!typo.ok());
  BOOST_TEST(contains(typo.error().message, "no mapping named 'amce' in " + dir.path() + " (is 'acme' it?)"),
             typo.error().message);
}

BOOST_AUTO_TEST_CASE(shipped_mappings_load) {
  const std::filesystem::path folder = std::filesystem::path(LEADHUB_SOURCE_DIR) / "config" / "mappings";
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    if (entry.path().extension() != ".yaml") continue;
    auto spec = load_mapping(entry.path().string());
    BOOST_TEST(spec.ok(), entry.path().string() << ": " << (spec.ok() ? "" : spec.error().message));
    ++count;
  }
  BOOST_TEST(count >= 1);
}

BOOST_AUTO_TEST_SUITE_END()
