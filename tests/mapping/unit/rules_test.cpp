// Field rules beyond one source per target: lists of rules (first value wins),
// conditions combining tests (all / any / none), fixed error codes per reason, and
// change patches checked as the store checks them.
#include <boost/test/unit_test.hpp>

#include "mapping_support.hpp"
#include "model/validation.hpp"

using namespace leadhub;
using namespace leadhub::mapping;
using namespace leadhub::mapping::test;

namespace {

std::string some_id() { return RecordId((std::uint64_t{123456789} << 22) | 7).to_string(); }

// The codes of a record's errors, in order ("required_missing,bad_format").
std::string codes(const MappedRecord& r) {
  std::string out;
  for (const auto& e : r.errors) out += (out.empty() ? "" : ",") + std::string(to_string(e.code));
  return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(rules)

BOOST_AUTO_TEST_CASE(a_list_of_rules_takes_the_first_value) {
  const auto spec = load_ok(R"(format: csv
csv: {delimiter: ";"}
fields:
  prospect.family_name: Name
  prospect.email:
    - {from: E-Mail, transforms: [email]}
    - {from: Mail, transforms: [email]}
    - {value: "fallback@example.com", when: {field: Kein, present: true}}
)");
  const auto m =
      map_text(spec, "Name;E-Mail;Mail;Kein\nA;A@X.de;b@y.de;\nB;;B@Y.de;\nC; ;;x\nD;;;\nE;kaputt;b@y.de;\n");
  BOOST_TEST_REQUIRE(m.records.size() == 5u);
  BOOST_TEST_REQUIRE(m.records[0].ok(), describe(m.records[0]));
  BOOST_TEST(m.records[0].lead->prospect.email == "a@x.de");                // the first rule wins
  BOOST_TEST(m.records[1].lead->prospect.email == "b@y.de");                // first empty: the second
  BOOST_TEST(m.records[2].lead->prospect.email == "fallback@example.com");  // blank counts as empty
  BOOST_TEST_REQUIRE(m.records[3].ok(), describe(m.records[3]));
  BOOST_TEST(m.records[3].lead->prospect.email.empty());  // none applies: no value, no error
  // a value that is there but wrong is reported, not skipped for the next source
  BOOST_TEST(has_error(m.records[4], "prospect.email", "E-Mail | Mail", "not an e-mail address"));
  BOOST_TEST(m.records[4].errors.size() == 1u, describe(m.records[4]));
}

BOOST_AUTO_TEST_CASE(a_failing_transform_stops_the_list) {
  const auto spec = load_ok(R"(format: csv
fields:
  prospect.family_name: N
  follow_up: [{from: D1, transforms: [{date: "%d.%m.%Y"}]}, {from: D2, transforms: [{date: "%Y-%m-%d"}]}]
)");
  const auto m = map_text(spec, "N,D1,D2\nA,31.02.2026,2026-03-01\nB,,2026-03-01\n");
  BOOST_TEST(has_error(m.records[0], "follow_up", "D1", "date: not a date in format %d.%m.%Y"));
  BOOST_TEST(m.records[0].errors.size() == 1u, describe(m.records[0]));
  BOOST_TEST_REQUIRE(m.records[1].ok(), describe(m.records[1]));
  BOOST_TEST(m.records[1].lead->follow_up == "2026-03-01");
}

BOOST_AUTO_TEST_CASE(required_in_a_list_means_one_of_them) {
  const auto spec = load_ok(R"(format: csv
fields:
  prospect.email: {value: x@example.com}
  prospect.family_name: [{from: Nachname}, {from: Name, required: true}]
)");
  const auto m = map_text(spec, "Nachname,Name,X\nA,,\n,B,\n,,x\n");  // (a row of commas only is skipped)
  BOOST_TEST(m.records[0].ok());
  BOOST_TEST(m.records[1].ok());
  BOOST_TEST_REQUIRE(m.records[2].errors.size() == 1u, describe(m.records[2]));
  BOOST_TEST(m.records[2].errors[0].source == "Nachname | Name");
  BOOST_TEST(m.records[2].errors[0].code == MappingErrorCode::required_missing);
}

BOOST_AUTO_TEST_CASE(single_rules_still_load_as_before) {
  const auto spec = load_ok("format: csv\nfields:\n  subject: S\n  prospect.family_name: {from: N, required: true}\n");
  BOOST_TEST(spec->fields.size() == 2u);
  BOOST_TEST(spec->fields[1].otherwise.empty());
}

BOOST_AUTO_TEST_CASE(when_combines_tests_with_all_any_none) {
  const auto spec = load_ok(R"(format: csv
fields:
  prospect.family_name: N
  campaign:
    value: both
    when: {all: [{field: A, equals: x}, {field: B, present: true}]}
  subject:
    value: either
    when: {any: [{field: A, equals: x}, {field: B, in: [y, z]}]}
  reason:
    value: neither
    when: {none: [{field: A, present: true}, {any: [{field: B, matches: "^q"}]}]}
)");
  const auto m = map_text(spec, "N,A,B\nn,x,y\nn,w,z\nn,,r\nn,,q1\n");
  BOOST_TEST_REQUIRE(m.records.size() == 4u);
  BOOST_TEST(m.records[0].lead->campaign == "both");
  BOOST_TEST(m.records[0].lead->subject == "either");
  BOOST_TEST(m.records[0].lead->reason.empty());
  BOOST_TEST(m.records[1].lead->campaign.empty());
  BOOST_TEST(m.records[1].lead->subject == "either");
  BOOST_TEST(m.records[2].lead->subject.empty());
  BOOST_TEST(m.records[2].lead->reason == "neither");
  BOOST_TEST(m.records[3].lead->reason.empty());  // nested any: B starts with q
}

BOOST_AUTO_TEST_CASE(combined_conditions_are_checked_at_load) {
  BOOST_TEST(contains(load_error("format: csv\nfields:\n  subject: {from: A, when: {all: []}}\n"),
                      "FILE:3:34: all: expected a non-empty list"));
  BOOST_TEST(contains(load_error("format: csv\nfields:\n  subject: {from: A, when: {any: [{field: B}], field: C}}\n"),
                      "any: give it alone"));
  BOOST_TEST(contains(load_error("format: csv\nfields:\n  subject: {from: A, when: {all: [{equals: x}]}}\n"),
                      "when: expected"));
}

BOOST_AUTO_TEST_CASE(each_error_has_a_fixed_code) {
  const auto spec = load_ok(R"(format: csv
limits: {max_field_bytes: 20}
fields:
  prospect.family_name: {from: N, required: true}
  prospect.email: {from: E, transforms: [email]}
  status: {from: S, transforms: [{map: {"01": open, "05": converted}}]}
  prospect.address.country: {from: L, transforms: [country]}
  follow_up: {from: F, transforms: [{date: "%d.%m.%Y"}]}
  prospect.company: C
)");
  const auto m = map_text(spec,
                          "N,E,S,L,F,C\n"
                          ",a@b.de,01,DE,,\n"
                          "A,nope,09,Atlantis,32.01.2026,\n"
                          "A,,05,,,\n"
                          "A,,,,,012345678901234567890123\n");
  BOOST_TEST(codes(m.records[0]) == "required_missing");
  BOOST_TEST(codes(m.records[1]) == "unknown_code,unknown_code,bad_format,bad_format", describe(m.records[1]));
  BOOST_TEST(codes(m.records[2]) == "lifecycle", describe(m.records[2]));  // a create cannot start converted
  BOOST_TEST(codes(m.records[3]) == "too_long");
}

BOOST_AUTO_TEST_CASE(control_characters_are_refused_wherever_they_are) {
  // The ASCII fast path tests eight bytes at a time: a control character or DEL in
  // any position (word or tail) must still be refused, UTF-8 and tabs still accepted.
  const auto spec =
      load_ok("format: csv\nfields:\n  prospect.email: {value: x@example.com}\n  prospect.family_name: N\n");
  for (std::size_t pos = 0; pos < 19; ++pos) {
    for (const char bad : {'\x01', '\x1f', '\x7f', '\x00'}) {
      std::string name(19, 'a');
      name[pos] = bad;
      const auto m = map_text(spec, "N\n" + name + "\n");
      BOOST_TEST_REQUIRE(m.records.size() == 1u);
      BOOST_TEST(codes(m.records[0]) == "control_character", "position " << pos << " byte " << int(bad));
    }
  }
  const auto good = map_text(spec,
                             "N\nM\xc3\xbc"
                             "ller-L\xc3\xbc"
                             "denscheidt jr ~ }\n");
  BOOST_TEST_REQUIRE(good.records[0].ok(), describe(good.records[0]));
}

BOOST_AUTO_TEST_CASE(core_validation_reasons_get_their_codes) {
  // The wording is core's: this pins it, so a change there fails here first.
  Lead lead;
  lead.subject = std::string(300, 'x');
  lead.prospect.email = "no-address";
  lead.prospect.address.country = "XX";
  lead.status = LeadStatus::declined;
  lead.interests.push_back({"", 1});
  std::string kinds;
  for (const auto& e : validate(lead)) kinds += e.field + "=" + to_string(code_of_reason(e.reason)) + " ";
  BOOST_TEST(contains(kinds, "subject=too_long"), kinds);
  BOOST_TEST(contains(kinds, "prospect.email=bad_format"), kinds);
  BOOST_TEST(contains(kinds, "prospect.address.country=unknown_code"), kinds);
  BOOST_TEST(contains(kinds, "reason=required_missing"), kinds);
  BOOST_TEST(contains(kinds, "interests[0].product=required_missing"), kinds);
  BOOST_TEST(to_string(code_of_reason("'x' is not one of open, closed")) == std::string("unknown_code"));
  BOOST_TEST(to_string(code_of_reason("not valid UTF-8 text")) == std::string("invalid_utf8"));
  BOOST_TEST(to_string(code_of_reason("unknown field")) == std::string("invalid_value"));
}

BOOST_AUTO_TEST_CASE(a_change_is_validated_as_the_store_would_on_the_fields_it_sets) {
  const auto spec = load_ok(R"(format: json
records: /changes
operation: change
fields:
  target.id: /id
  prospect.email: /email
  prospect.address.country: /country
  status: /status
  subject: /subject
groups:
  interests:
    each: /items
    fields: {product: /p, quantity: {from: /q, transforms: [integer]}}
  notes:
    each: /notes
    fields: {text: /text}
)");
  const std::string id = some_id();
  const auto m = map_text(spec, R"({"changes": [
    {"id": ")" + id + R"(", "email": "not-an-address", "country": "ZZ"},
    {"id": ")" + id + R"(", "status": "declined"},
    {"id": ")" + id + R"(", "status": "sleeping"},
    {"id": ")" + id + R"(", "items": [{"p": "A", "q": "0"}], "notes": [{"text": ")" +
                                    std::string(10001, 'n') + R"("}]},
    {"id": ")" + id + R"(", "subject": ")" +
                                    std::string(300, 's') + R"("},
    {"id": ")" + id + R"(", "email": "  Anna@Example.de "}]})");
  BOOST_TEST_REQUIRE(m.records.size() == 6u);
  BOOST_TEST(has_error(m.records[0], "prospect.email", "/email", "not an e-mail address"));
  BOOST_TEST(has_error(m.records[0], "prospect.address.country", "/country", "ISO 3166"));
  BOOST_TEST(codes(m.records[0]) == "bad_format,unknown_code");
  // a declined lead needs a reason, but the stored lead may have one: the store decides
  BOOST_TEST(m.records[1].ok(), describe(m.records[1]));
  BOOST_TEST(codes(m.records[2]) == "unknown_code", describe(m.records[2]));
  BOOST_TEST(has_error(m.records[3], "interests[0].quantity", "/q", "between 1 and"));
  BOOST_TEST(has_error(m.records[3], "notes[0].text", "/text", "longer than"));
  BOOST_TEST(codes(m.records[3]) == "invalid_value,too_long", describe(m.records[3]));
  BOOST_TEST(codes(m.records[4]) == "too_long");
  BOOST_TEST(m.records[5].ok(), describe(m.records[5]));  // normalized as the store does: trimmed
}

BOOST_AUTO_TEST_SUITE_END()
