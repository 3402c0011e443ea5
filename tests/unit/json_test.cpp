// json/json_writer and json/record_json: encoding, decoding, errors with paths,
// JSON Merge Patch semantics, and the business partner codec.
#define BOOST_TEST_MODULE unit_json
#include <boost/test/unit_test.hpp>

#include <string>

#include "json/json_writer.hpp"
#include "json/record_json.hpp"
#include "model/validation.hpp"
#include "test_support.hpp"

using namespace leadhub;
using leadhub::test::fails_with;
using leadhub::test::has_error;
using leadhub::test::has_error_containing;
using leadhub::test::is_ok;
using leadhub::test::minimal_lead;
using leadhub::test::ts;

namespace {

// A lead with every member of the canonical model set.
Lead full_lead() {
  Lead l;
  l.id = RecordId(0x0123456789ABCDEFULL);
  l.version = 7;
  l.subject = "Heat pump for \"Haus am See\"";
  l.status = LeadStatus::accepted;
  l.qualification = Qualification::hot;
  l.priority = Priority::immediate;
  l.score = 0;  // zero is a value, not "absent"
  l.source = LeadSource::trade_show;
  l.campaign = "spring-2026";
  l.external_refs = {{"sap", "4711"}, {"lettershop-acme", "A-99"}};
  l.prospect.kind = ProspectKind::organization;
  l.prospect.partner_id = RecordId(0x00000ABCDEF12345ULL);
  l.prospect.company = "M\xC3\xBCller & S\xC3\xB6hne GmbH";
  l.prospect.given_name = "Erika";
  l.prospect.family_name = "Mustermann";
  l.prospect.email = "erika@mueller.de";
  l.prospect.phone = "+4930123456";
  l.prospect.language = "de-DE";
  l.prospect.address = {"Hauptstr. 1", "10115", "Berlin", "Berlin", "DE"};
  l.interests = {{"heat-pump", 2}, {"solar", 1'000'000}};
  l.expected_value = {"1250.00", "EUR"};
  l.owner = {"partner-north", "jdoe"};
  l.consent = {false, ts("2026-01-02T03:04:05.678Z"), "Ja,\nbitte kontaktieren"};
  l.notes = {{ts("2026-01-03T10:00:00Z"), "jdoe", "called \\ no answer\t\"busy\""},
             {ts("2026-01-04T11:30:00.001Z"), "", "second note \xF0\x9F\x98\x80"}};
  l.attachments = {{"offer.pdf", "application/pdf", 18'446'744'073'709'551'615ULL, std::string(64, 'a'),
                    "https://files.example/offer.pdf?x=1&y=2"},
                   {"empty.txt", "", 0, "", ""}};
  l.follow_up = "2026-12-01";
  l.reason = "why not\r\nsecond line";
  l.opportunity_ref = "OPP-1";
  l.duplicate_of = RecordId(0x00000ABCDEF12346ULL);
  l.attributes = {{"color", "blue"}, {"x.y_z-1", "multi\nline"}, {"quote\"key", "v"}};
  l.created_at = ts("2026-01-01T00:00:00.001Z");
  l.created_by = "importer";
  l.changed_at = ts("2026-01-05T12:00:00.999Z");
  l.changed_by = "maria";
  l.status_changed_at = ts("2026-01-04T09:00:00Z");
  return l;
}

BusinessPartner full_partner() {
  BusinessPartner p;
  p.id = RecordId(0x0000123456789ABCULL);
  p.version = 3;
  p.kind = PartnerKind::account;
  p.company = "ACME \"Rockets\" Ltd";
  p.given_name = "Wile";
  p.family_name = "Coyote";
  p.email = "wile@acme.example";
  p.phone = "+15550100";
  p.address = {"1 Desert Rd", "85001", "Phoenix", "AZ", "US"};
  p.external_refs = {{"sap", "BP-1"}, {"crm", "77"}};
  p.created_at = ts("2026-01-01T00:00:00Z");
  p.created_by = "system";
  p.changed_at = ts("2026-02-01T00:00:00Z");
  p.changed_by = "maria";
  return p;
}

// Decodes (stored mode) and requires success.
Lead decode_stored(const std::string& json) {
  auto r = lead_from_json(json, DecodeMode::stored);
  BOOST_TEST_REQUIRE(is_ok(r), "decoding " << json);
  return std::move(r).value();
}

// The errors of a failed decode.
std::vector<FieldError> decode_errors(const std::string& json, DecodeMode mode = DecodeMode::input) {
  auto r = lead_from_json(json, mode);
  BOOST_TEST_REQUIRE(fails_with(r, ErrorCode::invalid), "decoding " << json);
  return r.error().fields;
}

std::vector<FieldError> patch_errors(Lead& lead, const std::string& patch) {
  const Lead before = lead;
  const Status st = merge_patch(lead, patch);
  BOOST_TEST_REQUIRE(fails_with(st, ErrorCode::invalid), "patch " << patch);
  BOOST_TEST((lead == before), "a refused patch must leave the lead unchanged");
  return st.error().fields;
}

}  // namespace

// ---- writer ------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(json_writer)

BOOST_AUTO_TEST_CASE(escaping) {
  auto enc = [](std::string_view s) {
    std::string out;
    append_json_string(out, s);
    return out;
  };
  BOOST_TEST(enc("plain") == "\"plain\"");
  BOOST_TEST(enc("") == "\"\"");
  BOOST_TEST(enc("a\"b") == "\"a\\\"b\"");
  BOOST_TEST(enc("back\\slash") == "\"back\\\\slash\"");
  BOOST_TEST(enc("\n\r\t\b\f") == "\"\\n\\r\\t\\b\\f\"");
  BOOST_TEST(enc(std::string("\0", 1)) == "\"\\u0000\"");
  BOOST_TEST(enc("\x01\x1f") == "\"\\u0001\\u001f\"");
  BOOST_TEST(enc("/") == "\"/\"");
  BOOST_TEST(enc("\x7f") == "\"\x7f\"");
  BOOST_TEST(enc("M\xC3\xBCller \xE2\x82\xAC \xF0\x9F\x98\x80") == "\"M\xC3\xBCller \xE2\x82\xAC \xF0\x9F\x98\x80\"");
  BOOST_TEST(enc("end\"") == "\"end\\\"\"");
  BOOST_TEST(enc("\"start") == "\"\\\"start\"");
}

BOOST_AUTO_TEST_CASE(structure_and_commas) {
  std::string out;
  JsonWriter w(out);
  w.begin_object()
      .key("a")
      .value(1)
      .key("b")
      .begin_array()
      .value("x")
      .value(true)
      .null()
      .value(std::uint64_t{18446744073709551615ULL})
      .end_array()
      .key("c")
      .begin_object()
      .end_object()
      .key("d")
      .raw("{\"r\":[1,2]}")
      .key("e")
      .value(std::int64_t{-5})
      .key("k\"ey")
      .value(false)
      .end_object();
  BOOST_TEST(out ==
             "{\"a\":1,\"b\":[\"x\",true,null,18446744073709551615],\"c\":{},\"d\":{\"r\":[1,2]},\"e\":-5,"
             "\"k\\\"ey\":false}");
}

BOOST_AUTO_TEST_CASE(nested_arrays) {
  std::string out;
  JsonWriter w(out);
  w.begin_array()
      .begin_array()
      .end_array()
      .begin_array()
      .value(1)
      .value(2)
      .end_array()
      .begin_object()
      .key("x")
      .null()
      .end_object()
      .end_array();
  BOOST_TEST(out == "[[],[1,2],{\"x\":null}]");
}

// The writer keeps no stack: a closed container counts as an item of the one around
// it, and values outside any container (one per line) are never separated.
BOOST_AUTO_TEST_CASE(separators_without_a_stack) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().key_identifier("a").begin_object().key_identifier("b").begin_array().end_array().end_object();
  w.key_identifier("c").begin_array().begin_object().end_object().begin_object().end_object().end_array();
  w.key_identifier("d").value(1).end_object();
  out += '\n';
  w.begin_array().value(2).end_array();
  out += '\n';
  w.value("x");
  BOOST_TEST(out == "{\"a\":{\"b\":[]},\"c\":[{},{}],\"d\":1}\n[2]\n\"x\"");
}

BOOST_AUTO_TEST_CASE(long_identifier_keys) {
  const std::string name(100, 'k');
  std::string out;
  JsonWriter w(out);
  w.begin_object().key_identifier("short").value(1).key_identifier(name).value(2).end_object();
  BOOST_TEST(out == "{\"short\":1,\"" + name + "\":2}");
}

BOOST_AUTO_TEST_SUITE_END()

// ---- lead codec ------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(lead_codec)

BOOST_AUTO_TEST_CASE(round_trip_with_every_field_set) {
  const Lead original = full_lead();
  const std::string json = to_json(original);
  const Lead back = decode_stored(json);
  BOOST_TEST(to_json(back) == json);
  BOOST_TEST((back == original));
  // each member individually, for a precise message when one is lost
  BOOST_TEST(back.id == original.id);
  BOOST_TEST(back.version == original.version);
  BOOST_TEST(back.subject == original.subject);
  BOOST_TEST(back.status == original.status);
  BOOST_TEST((back.qualification == original.qualification));
  BOOST_TEST(back.priority == original.priority);
  BOOST_TEST((back.score == original.score));
  BOOST_TEST(back.source == original.source);
  BOOST_TEST(back.campaign == original.campaign);
  BOOST_TEST((back.external_refs == original.external_refs));
  BOOST_TEST((back.prospect == original.prospect));
  BOOST_TEST((back.interests == original.interests));
  BOOST_TEST((back.expected_value == original.expected_value));
  BOOST_TEST((back.owner == original.owner));
  BOOST_TEST((back.consent == original.consent));
  BOOST_TEST((back.notes == original.notes));
  BOOST_TEST((back.attachments == original.attachments));
  BOOST_TEST(back.follow_up == original.follow_up);
  BOOST_TEST(back.reason == original.reason);
  BOOST_TEST(back.opportunity_ref == original.opportunity_ref);
  BOOST_TEST(back.duplicate_of == original.duplicate_of);
  BOOST_TEST((back.attributes == original.attributes));
  BOOST_TEST(back.created_at == original.created_at);
  BOOST_TEST(back.created_by == original.created_by);
  BOOST_TEST(back.changed_at == original.changed_at);
  BOOST_TEST(back.changed_by == original.changed_by);
  BOOST_TEST(back.status_changed_at == original.status_changed_at);
}

BOOST_AUTO_TEST_CASE(every_member_is_written) {
  const std::string json = to_json(full_lead());
  for (const char* name :
       {"id",         "version",    "subject",       "status",     "qualification", "priority",         "score",
        "source",     "campaign",   "external_refs", "prospect",   "interests",     "expected_value",   "owner",
        "consent",    "notes",      "attachments",   "follow_up",  "reason",        "opportunity_ref",  "duplicate_of",
        "attributes", "created_at", "created_by",    "changed_at", "changed_by",    "status_changed_at"}) {
    BOOST_TEST_CONTEXT(name) { BOOST_TEST(json.find("\"" + std::string(name) + "\":") != std::string::npos); }
  }
  BOOST_TEST(json.find("\"version\":7") != std::string::npos);
  BOOST_TEST(json.find("\"score\":0") != std::string::npos);
  BOOST_TEST(json.find("\"created_at\":\"2026-01-01T00:00:00.001Z\"") != std::string::npos);
  BOOST_TEST(json.find("\"marketing\":false") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(empty_members_are_left_out) {
  Lead l;
  l.prospect.family_name = "X";
  BOOST_TEST(to_json(l) ==
             "{\"status\":\"open\",\"priority\":\"normal\",\"source\":\"api\",\"prospect\":{\"family_name\":\"X\"}}");
  BOOST_TEST((decode_stored(to_json(l)) == l));
  BOOST_TEST((decode_stored("{}") == Lead{}));
}

BOOST_AUTO_TEST_CASE(round_trip_of_hostile_text) {
  Lead l = minimal_lead();
  std::string nasty = "q\"uote b\\ack s/lash \n\r\t\b\f";
  for (char c = 1; c < 0x20; ++c) nasty += c;
  nasty += std::string("\0nul", 4);
  nasty += "\x7f \xC3\xA4 \xE2\x82\xAC \xF0\x9F\x98\x80 \\u0041";
  l.subject = nasty;
  l.reason = nasty;
  l.attributes[nasty.substr(0, 20)] = nasty;
  l.notes = {{0, nasty, nasty}};
  const std::string json = to_json(l);
  for (unsigned char c : json) BOOST_TEST_REQUIRE(c >= 0x20, "raw control character in " << json);
  const Lead back = decode_stored(json);
  BOOST_TEST(back.subject == nasty);
  BOOST_TEST(back.reason == nasty);
  BOOST_TEST(back.notes.at(0).text == nasty);
  BOOST_TEST((back == l));
}

BOOST_AUTO_TEST_CASE(unicode_escapes_in_input_are_decoded) {
  const Lead l = decode_stored(R"({"subject":"M\u00fcller \u20ac \ud83d\ude00 \"q\" \\ \/"})");
  BOOST_TEST(l.subject == "M\xC3\xBCller \xE2\x82\xAC \xF0\x9F\x98\x80 \"q\" \\ /");
}

BOOST_AUTO_TEST_CASE(lead_members_json_in_schema_order) {
  const auto members = lead_members_json(full_lead());
  BOOST_TEST_REQUIRE(members.size() == 27u);
  BOOST_TEST(members.front().name == "id");
  BOOST_TEST(members[2].name == "subject");
  BOOST_TEST(members[2].json == "\"Heat pump for \\\"Haus am See\\\"\"");
  BOOST_TEST(members.back().name == "status_changed_at");
  Lead small;
  small.campaign = "c";
  const auto few = lead_members_json(small);
  BOOST_TEST_REQUIRE(few.size() == 4u);  // status, priority, source always; campaign
  BOOST_TEST(few[0].name == "status");
  BOOST_TEST(few[1].name == "priority");
  BOOST_TEST(few[2].name == "source");
  BOOST_TEST(few[3].name == "campaign");
  BOOST_TEST(few[3].json == "\"c\"");
}

BOOST_AUTO_TEST_CASE(a_leading_byte_order_mark_is_ignored) {
  auto lead = lead_from_json("\xEF\xBB\xBF{\"prospect\":{\"family_name\":\"Bom\"}}", DecodeMode::input);
  BOOST_TEST_REQUIRE(lead.ok());
  BOOST_TEST(lead->prospect.family_name == "Bom");
  BOOST_TEST(!lead_from_json("\xEF\xBB{}", DecodeMode::input).ok());  // half a mark is bad JSON
  BOOST_TEST(!lead_from_json("{}\xEF\xBB\xBF", DecodeMode::input).ok());
}

BOOST_AUTO_TEST_CASE(unknown_fields_rejected_with_their_path) {
  BOOST_TEST(has_error(decode_errors(R"({"subjekt":"x"})"), "subjekt", "unknown field (did you mean 'subject'?)"));
  // Names that share a length and first letter with a member, or differ in case only.
  for (const char* name : {"statu", "statuses", "sTatus", "Status", "ID", "i", "created_by_", "changed_ay"}) {
    BOOST_TEST(has_error_containing(decode_errors(std::string("{\"") + name + "\":\"x\"}"), name, "unknown field"));
  }
  BOOST_TEST(has_error(decode_errors(R"({"":1})"), "\"\"", "unknown field"));
  BOOST_TEST(has_error(decode_errors(R"({"prospect":{"mail":"x"}})"), "prospect.mail",
                       "unknown field (did you mean 'email'?)"));
  BOOST_TEST(has_error(decode_errors(R"({"prospect":{"address":{"planet":"Mars"}}})"), "prospect.address.planet",
                       "unknown field"));
  BOOST_TEST(has_error(decode_errors(R"({"notes":[{"text":"a"},{"text":"b","mood":"x"}]})"), "notes[1].mood",
                       "unknown field"));
  BOOST_TEST(has_error(decode_errors(R"({"external_refs":[{"system":"s","id":"1","extra":1}]})"),
                       "external_refs[0].extra", "unknown field"));
  BOOST_TEST(
      has_error(decode_errors(R"({"interests":[{"product":"p","qty":1}]})"), "interests[0].qty", "unknown field"));
  BOOST_TEST(
      has_error(decode_errors(R"({"attachments":[{"name":"n","hash":"x"}]})"), "attachments[0].hash", "unknown field"));
  BOOST_TEST(has_error(decode_errors(R"({"expected_value":{"amount":"1","cur":"EUR"}})"), "expected_value.cur",
                       "unknown field"));
  BOOST_TEST(has_error(decode_errors(R"({"owner":{"team":"x"}})"), "owner.team", "unknown field"));
  BOOST_TEST(has_error(decode_errors(R"({"consent":{"given":true}})"), "consent.given", "unknown field"));
  // stored mode is just as strict about unknown members
  BOOST_TEST(has_error(decode_errors(R"({"bogus":1})", DecodeMode::stored), "bogus", "unknown field"));
}

// A slip in case, separators or a letter or two names the member meant; a name
// like no member says no more than "unknown field".
BOOST_AUTO_TEST_CASE(unknown_fields_name_the_member_probably_meant) {
  const auto means = [](const std::string& json, const std::string& field, const std::string& member) {
    return has_error(decode_errors(json), field, "unknown field (did you mean '" + member + "'?)");
  };
  BOOST_TEST(means(R"({"Status":"open"})", "Status", "status"));
  BOOST_TEST(means(R"({"externalRefs":[]})", "externalRefs", "external_refs"));
  BOOST_TEST(means(R"({"follow-up":"2026-01-01"})", "follow-up", "follow_up"));
  BOOST_TEST(means(R"({"prospect":{"familyName":"x"}})", "prospect.familyName", "family_name"));
  BOOST_TEST(means(R"({"prospect":{"emial":"a@b.de"}})", "prospect.emial", "email"));
  BOOST_TEST(means(R"({"prospect":{"address":{"PostalCode":"1"}}})", "prospect.address.PostalCode", "postal_code"));
  BOOST_TEST(means(R"({"prospect":{"adress":{}}})", "prospect.adress", "address"));  // one letter missing
  BOOST_TEST(means(R"({"notes":[{"txet":"a"}]})", "notes[0].txet", "text"));         // two letters swapped
  BOOST_TEST(means(R"({"consent":{"marketting":true}})", "consent.marketting", "marketing"));
  BOOST_TEST(has_error(decode_errors(R"({"colour":"red"})"), "colour", "unknown field"));
  BOOST_TEST(has_error(decode_errors(R"({"prospect":{"fax":"1"}})"), "prospect.fax", "unknown field"));
  auto partner = partner_from_json(R"({"kind":"contact","family_name":"x","Company":"y"})", DecodeMode::input);
  BOOST_TEST_REQUIRE(!partner.ok());
  BOOST_TEST(has_error(partner.error().fields, "Company", "unknown field (did you mean 'company'?)"));
}

BOOST_AUTO_TEST_CASE(all_errors_reported_together) {
  const auto errors = decode_errors(R"({"a":1,"subject":2,"prospect":{"b":3}})");
  BOOST_TEST(errors.size() == 3u);
  BOOST_TEST(has_error(errors, "a", "unknown field"));
  BOOST_TEST(has_error(errors, "subject", "expected a string"));
  BOOST_TEST(has_error(errors, "prospect.b", "unknown field"));
}

BOOST_AUTO_TEST_CASE(type_errors_with_path) {
  BOOST_TEST(has_error(decode_errors(R"({"subject":5})"), "subject", "expected a string"));
  BOOST_TEST(has_error(decode_errors(R"({"campaign":["x"]})"), "campaign", "expected a string"));
  BOOST_TEST(has_error(decode_errors(R"({"prospect":"x"})"), "prospect", "expected an object"));
  BOOST_TEST(has_error(decode_errors(R"({"prospect":{"address":[]}})"), "prospect.address", "expected an object"));
  BOOST_TEST(has_error(decode_errors(R"({"prospect":{"email":false}})"), "prospect.email", "expected a string"));
  BOOST_TEST(has_error(decode_errors(R"({"notes":{}})"), "notes", "expected an array"));
  BOOST_TEST(has_error(decode_errors(R"({"notes":[1]})"), "notes[0]", "expected an object"));
  BOOST_TEST(has_error(decode_errors(R"({"interests":[{"product":"p","quantity":"2"}]})"), "interests[0].quantity",
                       "expected a whole number >= 0"));
  BOOST_TEST(has_error(decode_errors(R"({"interests":[{"product":"p","quantity":-1}]})"), "interests[0].quantity",
                       "expected a whole number >= 0"));
  BOOST_TEST(has_error(decode_errors(R"({"interests":[{"product":"p","quantity":1.5}]})"), "interests[0].quantity",
                       "expected a whole number >= 0"));
  BOOST_TEST(has_error(decode_errors(R"({"interests":[{"product":"p","quantity":1000001}]})"), "interests[0].quantity",
                       "must be at most 1000000"));
  BOOST_TEST(has_error(decode_errors(R"({"score":101})"), "score", "must be at most 100"));
  BOOST_TEST(has_error(decode_errors(R"({"score":"high"})"), "score", "expected a whole number >= 0"));
  BOOST_TEST(
      has_error(decode_errors(R"({"consent":{"marketing":"yes"}})"), "consent.marketing", "expected true or false"));
  BOOST_TEST(has_error(decode_errors(R"({"consent":{"at":"yesterday"}})"), "consent.at",
                       "not an RFC 3339 timestamp with offset, e.g. 2026-11-22T10:00:00Z"));
  BOOST_TEST(has_error(decode_errors(R"({"consent":{"at":"2026-11-22T10:00:00"}})"), "consent.at",
                       "not an RFC 3339 timestamp with offset, e.g. 2026-11-22T10:00:00Z"));
  BOOST_TEST(has_error(decode_errors(R"({"consent":{"at":1700000000}})"), "consent.at",
                       "expected an RFC 3339 timestamp string"));
  BOOST_TEST(has_error(decode_errors(R"({"notes":[{"text":"t","at":"2026-02-30T10:00:00Z"}]})"), "notes[0].at",
                       "not an RFC 3339 timestamp with offset, e.g. 2026-11-22T10:00:00Z"));
  BOOST_TEST(has_error(decode_errors(R"({"duplicate_of":"nope"})"), "duplicate_of",
                       "not a leadhub id (13 characters of Crockford base32)"));
  BOOST_TEST(
      has_error(decode_errors(R"({"prospect":{"partner_id":12}})"), "prospect.partner_id", "expected an id string"));
  BOOST_TEST(has_error(decode_errors(R"({"expected_value":{"amount":true}})"), "expected_value.amount",
                       "expected a decimal as a string or number"));
  BOOST_TEST(has_error(decode_errors(R"({"attributes":{"k":1}})"), "attributes.k", "expected a string"));
  BOOST_TEST(has_error(decode_errors(R"({"attributes":[]})"), "attributes", "expected an object"));
  BOOST_TEST(has_error(decode_errors(R"({"attachments":[{"name":"n","size":-1}]})"), "attachments[0].size",
                       "expected a whole number >= 0"));
}

BOOST_AUTO_TEST_CASE(document_errors) {
  BOOST_TEST(has_error(decode_errors("[]"), "(document)", "expected an object"));
  BOOST_TEST(has_error(decode_errors("\"x\""), "(document)", "expected an object"));
  BOOST_TEST(has_error_containing(decode_errors("{\"subject\":"), "(document)", "not valid JSON"));
  BOOST_TEST(has_error_containing(decode_errors(""), "(document)", "not valid JSON"));
  BOOST_TEST(has_error_containing(decode_errors("{\"a\":1} x"), "(document)", "not valid JSON"));
  const std::string huge = "{\"subject\":\"" + std::string(1 << 20, 'x') + "\"}";
  BOOST_TEST(has_error(decode_errors(huge), "(document)", "larger than 1048576 bytes"));
}

// simdjson says only what kind of error; the reason names where it is.
// A record that is one line of a file (NDJSON): its caller names the line, the
// reason the column in it.
BOOST_AUTO_TEST_CASE(a_syntax_error_in_one_line_names_its_column) {
  Lead lead;
  const Status st = decode_lead("{\"subject\":\"M\xC3\xBCller\",}", DecodeMode::input, lead, PositionIn::line());
  BOOST_TEST_REQUIRE(!st.ok());
  BOOST_TEST(st.error().message ==
             "(document): not valid JSON: column 20 (byte 20 of the line): a comma before '}' (trailing comma)");
}

// An element of a JSON array file: its caller names the line it starts on, the
// reason the place in the file (the element started at line 2, column 2, byte 48).
BOOST_AUTO_TEST_CASE(a_syntax_error_in_an_excerpt_names_its_place_in_the_file) {
  FilePlace start;
  start.line = 2;
  start.column = 2;
  start.byte = 48;
  Lead lead;
  const Status st = decode_lead("{\"subject\": \"y\", oops}", DecodeMode::input, lead, PositionIn::excerpt(start));
  BOOST_TEST_REQUIRE(!st.ok());
  BOOST_TEST(st.error().message ==
             "(document): not valid JSON: line 2, column 19 (byte 65 of the file): expected a member name in double "
             "quotes, found 'o'");
}

BOOST_AUTO_TEST_CASE(syntax_errors_name_line_and_column) {
  const auto reason = [](const std::string& text) {
    const auto errors = decode_errors(text);
    return errors.empty() ? std::string("(no error)") : errors.front().reason;
  };
  BOOST_TEST(reason("{\n \"prospect\": {\"email\": \"x@y.de\",}\n}") ==
             "not valid JSON: line 2, column 32 (byte 33): a comma before '}' (trailing comma)");
  BOOST_TEST(reason("[1,2,]") == "not valid JSON: line 1, column 5 (byte 4): a comma before ']' (trailing comma)");
  BOOST_TEST(reason("{\"subject\":") ==
             "not valid JSON: line 1, column 12 (byte 11): the document ends inside an object");
  BOOST_TEST(reason("") == "not valid JSON: line 1, column 1 (byte 0): the document is empty");
  BOOST_TEST(
      reason("{\"a\":1} x") ==
      "not valid JSON: line 1, column 9 (byte 8): more content after the end of the document, starting with 'x'");
  BOOST_TEST(reason("{a:1}") ==
             "not valid JSON: line 1, column 2 (byte 1): expected a member name in double quotes, found 'a'");
  BOOST_TEST(reason("{\"a\" 1}") ==
             "not valid JSON: line 1, column 6 (byte 5): expected ':' after the member name, found '1'");
  BOOST_TEST(reason("{\"a\":1 \"b\":2}") ==
             "not valid JSON: line 1, column 8 (byte 7): expected ',' or '}', found '\"'");
  BOOST_TEST(reason("{\"a\":True}") == "not valid JSON: line 1, column 6 (byte 5): expected a value, found 'T'");
  BOOST_TEST(
      reason("{\"a\":tru}") ==
      "not valid JSON: line 1, column 6 (byte 5): expected a value (true, false and null are lower case; strings "
      "need double quotes)");
  BOOST_TEST(reason("{\"a\":'x'}") ==
             "not valid JSON: line 1, column 6 (byte 5): expected a value, found a single quote (JSON strings and "
             "member names need double quotes)");
  BOOST_TEST(reason("{\"a\":01}") == "not valid JSON: line 1, column 6 (byte 5): not a valid number");
  BOOST_TEST(reason("{\"a\":\"x\\q\"}") == "not valid JSON: line 1, column 8 (byte 7): unknown escape \\q");
  BOOST_TEST(reason("{\"a\":\"x\ty\"}") ==
             "not valid JSON: line 1, column 8 (byte 7): a control character (byte 0x09) in a string must be escaped");
  // Columns count characters: "ü" is two bytes, one column.
  BOOST_TEST(reason("{\"subject\":\"M\xC3\xBCller \xFC\"}") ==
             "not valid JSON: line 1, column 20 (byte 20): not valid UTF-8 (byte 0xFC); JSON must be UTF-8 and this "
             "looks like Windows-1252 or ISO-8859-1: convert the file, e.g. iconv -f windows-1252 -t utf-8");
  BOOST_TEST(reason("{\"subject\":\"\xED\xA0\x80\"}") ==
             "not valid JSON: line 1, column 13 (byte 12): not valid UTF-8 (byte 0xED)");  // a surrogate
  // Syntax that is fine but beyond simdjson's limits keeps simdjson's reason.
  const std::string deep = std::string(2000, '[') + std::string(2000, ']');
  BOOST_TEST(reason("{\"a\":" + deep + "}").find("not valid JSON: ") == 0u);
  // A byte order mark is no column, but counts as bytes.
  BOOST_TEST(reason("\xEF\xBB\xBF{,}") ==
             "not valid JSON: line 1, column 2 (byte 4): expected a member name in double quotes, found ','");
}

// What JavaScript, Python and JSON5 write that JSON has not: said so at its place,
// not as a bare character (or, for a lone surrogate, without any place).
BOOST_AUTO_TEST_CASE(syntax_errors_say_what_other_languages_wrote) {
  const auto reason = [](const std::string& text) {
    const auto errors = decode_errors(text);
    return errors.empty() ? std::string("(no error)") : errors.front().reason;
  };
  BOOST_TEST(reason("{\n  // the lead\n  \"subject\": \"x\"\n}") ==
             "not valid JSON: line 2, column 3 (byte 4): expected a member name in double quotes, found a comment "
             "(JSON has no comments; remove it)");
  BOOST_TEST(reason("{\"subject\": \"x\" /* note */}") ==
             "not valid JSON: line 1, column 17 (byte 16): expected ',' or '}', found a comment (JSON has no "
             "comments; remove it)");
  BOOST_TEST(reason("{'subject': 'x'}") ==
             "not valid JSON: line 1, column 2 (byte 1): expected a member name in double quotes, found a single "
             "quote (JSON strings and member names need double quotes)");
  BOOST_TEST(reason("{\"score\": NaN}") ==
             "not valid JSON: line 1, column 11 (byte 10): NaN is no JSON number (JSON has no NaN or Infinity): "
             "write null, or the value as a string");
  BOOST_TEST(reason("{\"score\": -Infinity}") ==
             "not valid JSON: line 1, column 11 (byte 10): -Infinity is no JSON number (JSON has no NaN or "
             "Infinity): write null, or the value as a string");
  BOOST_TEST(reason("{\"subject\": \"a\\ud83d b\"}") ==
             "not valid JSON: line 1, column 15 (byte 14): \\uD83D is half of a UTF-16 surrogate pair without its "
             "other half: it names no character");
  BOOST_TEST(reason("{\"subject\": \"\\udc00\"}") ==
             "not valid JSON: line 1, column 14 (byte 13): \\uDC00 is half of a UTF-16 surrogate pair without its "
             "other half: it names no character");
  BOOST_TEST(reason("{\"subject\": \"\\ud83d\\ude00\", \"x\": }").find("surrogate") == std::string::npos);
  BOOST_TEST(reason("{\"subject\": \"a\"}\r\n{\"subject\": \"b\"}\r\n") ==
             "not valid JSON: line 2, column 1 (byte 18): a second JSON document starts here: the file holds one "
             "document per line (NDJSON), where one document is read; make the records one JSON array "
             "(jq -s . FILE)");
}

// canonical-model.md: all field errors at once. A member that cannot be read does
// not hide what the model's rules find in the rest.
BOOST_AUTO_TEST_CASE(decode_errors_come_with_the_rule_errors_of_the_rest) {
  auto errors = decode_errors(R"({"prospect":{"email":"x@y","address":{"country":"XX"}},"foo":1})");
  BOOST_TEST(has_error_containing(errors, "foo", "unknown field"));
  BOOST_TEST(has_error(errors, "prospect.email", "not an e-mail address"));
  BOOST_TEST(has_error(errors, "prospect.address.country", "not an ISO 3166-1 alpha-2 country code"));
  BOOST_TEST(errors.size() == 3u);
  errors = decode_errors(R"({"score":"10","prospect":{"email":"x@y"}})");
  BOOST_TEST(has_error(errors, "score", "expected a whole number >= 0"));
  BOOST_TEST(has_error(errors, "prospect.email", "not an e-mail address"));
  BOOST_TEST(errors.size() == 2u);
  // A rule on a member that could not be read (or around it) would only repeat it.
  errors = decode_errors(R"({"prospect":{"email":5}})");
  BOOST_TEST(errors.size() == 1u);
  BOOST_TEST(has_error(errors, "prospect.email", "expected a string"));
  // The same for a business partner. Not for a merge patch: the rules on it need
  // the stored lead it applies to (a mapping checks patches on an empty lead).
  Lead lead = test::minimal_lead();
  auto st = merge_patch(lead, R"({"score":"x","expected_value":{"amount":"1,5","currency":"EUR"}})");
  BOOST_TEST_REQUIRE(!st.ok());
  BOOST_TEST(st.error().fields.size() == 1u);
  auto partner =
      partner_from_json(R"({"kind":"contact","family_name":"x","email":"nope","fax":"1"})", DecodeMode::input);
  BOOST_TEST_REQUIRE(!partner.ok());
  BOOST_TEST(has_error_containing(partner.error().fields, "fax", "unknown field"));
  BOOST_TEST(has_error(partner.error().fields, "email", "not an e-mail address"));
}

// simdjson keeps both members of a repeated name and the last would win.
BOOST_AUTO_TEST_CASE(a_repeated_member_name_is_refused) {
  BOOST_TEST(has_error(decode_errors(R"({"subject":"a","subject":"b"})"), "subject", "appears twice"));
  auto errors = decode_errors(R"({"prospect":{"email":"a@b.de","email":"c@d.de","email":"e@f.de"}})");
  BOOST_TEST(errors.size() == 1u);
  BOOST_TEST(has_error(errors, "prospect.email", "appears twice"));
  BOOST_TEST(has_error(decode_errors(R"({"notes":[{"text":"a","text":"b"}]})"), "notes[0].text", "appears twice"));
  // Past the few names compared directly, a set takes over.
  std::string many = "{";
  for (int i = 0; i < 40; ++i) many += "\"k" + std::to_string(i) + "\":\"v\",";
  many += "\"k35\":\"w\"}";
  BOOST_TEST(has_error(decode_errors("{\"attributes\":" + many + "}"), "attributes.k35", "appears twice"));
}

// A stored record is the hub's own (never with a name twice): its decode skips the
// check, and a repeated name is read as simdjson gives it, the last value winning.
BOOST_AUTO_TEST_CASE(a_stored_decode_does_not_check_for_repeated_names) {
  const std::string json =
      R"({"subject":"a","subject":"b","prospect":{"kind":"person","family_name":"x","family_name":"y"},)"
      R"("attributes":{"k":"1","k":"2"}})";
  const Lead lead = decode_stored(json);
  BOOST_TEST(lead.subject == "b");
  BOOST_TEST(lead.prospect.family_name == "y");
  BOOST_TEST(lead.attributes.at("k") == "2");
  auto partner = partner_from_json(R"({"kind":"contact","family_name":"x","family_name":"y"})", DecodeMode::stored);
  BOOST_TEST_REQUIRE(is_ok(partner));
  BOOST_TEST(partner->family_name == "y");
  // The same documents as input are refused.
  const auto errors = decode_errors(json, DecodeMode::input);
  BOOST_TEST(has_error(errors, "subject", "appears twice"));
  BOOST_TEST(has_error(errors, "prospect.family_name", "appears twice"));
  BOOST_TEST(has_error(errors, "attributes.k", "appears twice"));
  partner = partner_from_json(R"({"kind":"contact","family_name":"x","family_name":"y"})", DecodeMode::input);
  BOOST_TEST_REQUIRE(!partner.ok());
  BOOST_TEST(has_error(partner.error().fields, "family_name", "appears twice"));
}

BOOST_AUTO_TEST_CASE(enum_errors_list_the_choices) {
  BOOST_TEST(has_error(decode_errors(R"({"status":"won"})"), "status",
                       "'won' is not one of open, in_process, qualified, accepted, converted, declined, closed"));
  BOOST_TEST(
      has_error(decode_errors(R"({"qualification":"HOT"})"), "qualification", "'HOT' is not one of cold, warm, hot"));
  BOOST_TEST(has_error(decode_errors(R"({"priority":"urgent"})"), "priority",
                       "'urgent' is not one of low, normal, high, immediate"));
  BOOST_TEST(has_error(decode_errors(R"({"source":"email"})"), "source",
                       "'email' is not one of web_form, lettershop, call_center, partner, trade_show, import, api"));
  BOOST_TEST(has_error(decode_errors(R"({"prospect":{"kind":"robot"}})"), "prospect.kind",
                       "'robot' is not one of person, organization"));
  BOOST_TEST(has_error(decode_errors(R"({"status":3})"), "status", "expected a string"));
}

BOOST_AUTO_TEST_CASE(enums_round_trip_every_value) {
  for (auto name : enum_names<LeadStatus>()) {
    const Lead l = decode_stored("{\"status\":\"" + std::string(name) + "\"}");
    BOOST_TEST(to_string(l.status) == name);
  }
  for (auto name : enum_names<LeadSource>()) {
    const Lead l = decode_stored("{\"source\":\"" + std::string(name) + "\"}");
    BOOST_TEST(to_string(l.source) == name);
  }
  for (auto name : enum_names<Priority>()) {
    const Lead l = decode_stored("{\"priority\":\"" + std::string(name) + "\"}");
    BOOST_TEST(to_string(l.priority) == name);
  }
  for (auto name : enum_names<Qualification>()) {
    const Lead l = decode_stored("{\"qualification\":\"" + std::string(name) + "\"}");
    BOOST_TEST_REQUIRE(l.qualification.has_value());
    BOOST_TEST(to_string(*l.qualification) == name);
  }
}

BOOST_AUTO_TEST_CASE(amount_as_number_or_string) {
  BOOST_TEST(decode_stored(R"({"expected_value":{"amount":"1250.00"}})").expected_value.amount == "1250.00");
  BOOST_TEST(decode_stored(R"({"expected_value":{"amount":1250}})").expected_value.amount == "1250");
  BOOST_TEST(decode_stored(R"({"expected_value":{"amount":-3}})").expected_value.amount == "-3");
  BOOST_TEST(decode_stored(R"({"expected_value":{"amount":12.5}})").expected_value.amount == "12.5");
}

BOOST_AUTO_TEST_CASE(timestamps_with_offsets_are_read_as_utc) {
  const Lead l = decode_stored(
      R"({"consent":{"at":"2026-11-22T12:00:00+02:00"},"notes":[{"at":"2026-11-22T05:00:00-05:00","text":"t"}]})");
  BOOST_TEST_REQUIRE(l.consent.at.has_value());
  BOOST_TEST(*l.consent.at == ts("2026-11-22T10:00:00Z"));
  BOOST_TEST(l.notes.at(0).at == ts("2026-11-22T10:00:00Z"));
  BOOST_TEST(to_json(l).find("\"at\":\"2026-11-22T10:00:00.000Z\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(input_mode_refuses_system_members) {
  for (const char* json : {R"({"id":"0000000000001"})", R"({"version":2})", R"({"created_at":"2026-01-01T00:00:00Z"})",
                           R"({"created_by":"me"})", R"({"changed_at":"2026-01-01T00:00:00Z"})",
                           R"({"changed_by":"me"})", R"({"status_changed_at":"2026-01-01T00:00:00Z"})"}) {
    BOOST_TEST_CONTEXT(json) {
      const auto errors = decode_errors(json, DecodeMode::input);
      BOOST_TEST_REQUIRE(errors.size() == 2u);
      BOOST_TEST(errors[0].reason == "read-only: set by the hub");
      // and, all at once, what the rules find in the rest
      BOOST_TEST(errors[1].field == "prospect");
    }
  }
  // the same documents are fine as stored records
  BOOST_TEST(decode_stored(R"({"id":"0000000000001","version":2})").version == 2u);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- merge patch ------------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(merge_patch_rules)

BOOST_AUTO_TEST_CASE(present_member_sets_absent_member_keeps) {
  Lead l = full_lead();
  const Lead before = l;
  BOOST_TEST(is_ok(merge_patch(l, R"({"subject":"New","priority":"low"})")));
  BOOST_TEST(l.subject == "New");
  BOOST_TEST(l.priority == Priority::low);
  Lead expected = before;
  expected.subject = "New";
  expected.priority = Priority::low;
  BOOST_TEST((l == expected));
  Lead same = before;
  BOOST_TEST(is_ok(merge_patch(same, "{}")));
  BOOST_TEST((same == before));
}

BOOST_AUTO_TEST_CASE(null_clears) {
  Lead l = full_lead();
  BOOST_TEST(is_ok(merge_patch(
      l,
      R"({"campaign":null,"qualification":null,"score":null,"notes":null,"owner":null,"duplicate_of":null,"follow_up":null,"attributes":null,"consent":null})")));
  BOOST_TEST(l.campaign.empty());
  BOOST_TEST(!l.qualification.has_value());
  BOOST_TEST(!l.score.has_value());
  BOOST_TEST(l.notes.empty());
  BOOST_TEST(l.owner.empty());
  BOOST_TEST(l.duplicate_of.empty());
  BOOST_TEST(l.follow_up.empty());
  BOOST_TEST(l.attributes.empty());
  BOOST_TEST(l.consent.empty());
  // enums with a default go back to it
  BOOST_TEST(is_ok(merge_patch(l, R"({"priority":null,"source":null,"status":null})")));
  BOOST_TEST(l.priority == Priority::normal);
  BOOST_TEST(l.source == LeadSource::api);
  BOOST_TEST(l.status == LeadStatus::open);
  // the cleared members are gone from the encoding
  const std::string json = to_json(l);
  BOOST_TEST(json.find("\"campaign\"") == std::string::npos);
  BOOST_TEST(json.find("\"notes\"") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(nested_objects_merge) {
  Lead l = full_lead();
  BOOST_TEST(
      is_ok(merge_patch(l, R"({"prospect":{"email":"new@mueller.de","address":{"city":"Potsdam","region":null}}})")));
  BOOST_TEST(l.prospect.email == "new@mueller.de");
  BOOST_TEST(l.prospect.family_name == "Mustermann");  // untouched sibling
  BOOST_TEST(l.prospect.company == full_lead().prospect.company);
  BOOST_TEST(l.prospect.address.city == "Potsdam");
  BOOST_TEST(l.prospect.address.street == "Hauptstr. 1");  // untouched nested sibling
  BOOST_TEST(l.prospect.address.region.empty());           // null clears inside
  BOOST_TEST(l.prospect.address.country == "DE");

  BOOST_TEST(is_ok(merge_patch(
      l, R"({"owner":{"assignee":"anna"},"expected_value":{"amount":"99"},"consent":{"marketing":true}})")));
  BOOST_TEST(l.owner.channel == "partner-north");
  BOOST_TEST(l.owner.assignee == "anna");
  BOOST_TEST(l.expected_value.amount == "99");
  BOOST_TEST(l.expected_value.currency == "EUR");
  BOOST_TEST((l.consent.marketing == std::optional<bool>(true)));
  BOOST_TEST(l.consent.text == full_lead().consent.text);

  BOOST_TEST(is_ok(merge_patch(l, R"({"prospect":{"address":null}})")));
  BOOST_TEST(l.prospect.address.empty());
  BOOST_TEST(l.prospect.email == "new@mueller.de");
  BOOST_TEST(is_ok(merge_patch(l, R"({"prospect":null})")));
  BOOST_TEST((l.prospect == Prospect{}));
}

BOOST_AUTO_TEST_CASE(attributes_merge_key_by_key) {
  Lead l = full_lead();
  BOOST_TEST(is_ok(merge_patch(l, R"({"attributes":{"color":"red","color2":"green","x.y_z-1":null}})")));
  const std::map<std::string, std::string> expected = {{"color", "red"}, {"color2", "green"}, {"quote\"key", "v"}};
  BOOST_TEST((l.attributes == expected));
}

BOOST_AUTO_TEST_CASE(arrays_replace) {
  Lead l = full_lead();
  BOOST_TEST(is_ok(merge_patch(l, R"({"notes":[{"at":"2026-02-01T00:00:00Z","text":"only one"}]})")));
  BOOST_TEST_REQUIRE(l.notes.size() == 1u);
  BOOST_TEST(l.notes[0].text == "only one");
  BOOST_TEST(l.notes[0].author.empty());  // not merged with the old first note
  BOOST_TEST(is_ok(merge_patch(l, R"({"external_refs":[{"system":"crm","id":"5"}]})")));
  BOOST_TEST_REQUIRE(l.external_refs.size() == 1u);
  BOOST_TEST((l.external_refs[0] == ExternalRef{"crm", "5"}));
  BOOST_TEST(is_ok(merge_patch(l, R"({"interests":[]})")));
  BOOST_TEST(l.interests.empty());
  BOOST_TEST(is_ok(merge_patch(l, R"({"attachments":[{"name":"a"}]})")));
  BOOST_TEST_REQUIRE(l.attachments.size() == 1u);
  BOOST_TEST(l.attachments[0].size == 0u);
}

BOOST_AUTO_TEST_CASE(new_interest_defaults_to_quantity_one) {
  Lead l = minimal_lead();
  BOOST_TEST(is_ok(merge_patch(l, R"({"interests":[{"product":"p"}]})")));
  BOOST_TEST_REQUIRE(l.interests.size() == 1u);
  BOOST_TEST(l.interests[0].quantity == 1u);
}

BOOST_AUTO_TEST_CASE(read_only_members_refused_unless_equal) {
  Lead l = full_lead();
  const std::string id = l.id.to_string();
  // equal values are accepted (a fetched record may be sent back edited)
  BOOST_TEST(is_ok(merge_patch(l, "{\"id\":\"" + id + "\",\"version\":7,\"subject\":\"Edited\"}")));
  BOOST_TEST(l.subject == "Edited");
  BOOST_TEST(is_ok(merge_patch(l, R"({"created_at":"2026-01-01T02:00:00.001+02:00","created_by":"importer"})")));
  BOOST_TEST(is_ok(merge_patch(
      l,
      R"({"changed_at":"2026-01-05T12:00:00.999Z","changed_by":"maria","status_changed_at":"2026-01-04T09:00:00Z"})")));

  BOOST_TEST(has_error(patch_errors(l, R"({"id":"0000000000001"})"), "id", "read-only: set by the hub"));
  BOOST_TEST(has_error(patch_errors(l, R"({"id":null})"), "id", "read-only: set by the hub"));
  BOOST_TEST(has_error(patch_errors(l, R"({"version":8,"subject":"x"})"), "version", "read-only: set by the hub"));
  BOOST_TEST(has_error(patch_errors(l, R"({"created_at":"2026-01-01T00:00:00Z"})"), "created_at",
                       "read-only: set by the hub"));
  BOOST_TEST(has_error(patch_errors(l, R"({"created_by":"mallory"})"), "created_by", "read-only: set by the hub"));
  BOOST_TEST(has_error(patch_errors(l, R"({"changed_at":null})"), "changed_at", "read-only: set by the hub"));
  BOOST_TEST(has_error(patch_errors(l, R"({"changed_by":"x"})"), "changed_by", "read-only: set by the hub"));
  BOOST_TEST(has_error(patch_errors(l, R"({"status_changed_at":"2030-01-01T00:00:00Z"})"), "status_changed_at",
                       "read-only: set by the hub"));
  BOOST_TEST(l.subject == "Edited");  // the refused patches changed nothing
}

BOOST_AUTO_TEST_CASE(sending_back_the_whole_record_is_a_no_op) {
  Lead l = full_lead();
  const Lead before = l;
  BOOST_TEST(is_ok(merge_patch(l, to_json(before))));
  BOOST_TEST((l == before));
}

BOOST_AUTO_TEST_CASE(a_refused_patch_changes_nothing) {
  Lead l = full_lead();
  const auto errors = patch_errors(l, R"({"subject":"changed","prospect":{"email":"x@y.de","bogus":1}})");
  BOOST_TEST(has_error(errors, "prospect.bogus", "unknown field"));
  BOOST_TEST(has_error_containing(patch_errors(l, R"({"subject":)"), "(document)", "not valid JSON"));
  BOOST_TEST(has_error(patch_errors(l, "[1]"), "(document)", "expected an object"));
}

BOOST_AUTO_TEST_SUITE_END()

// ---- business partner ---------------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(partner_codec)

BOOST_AUTO_TEST_CASE(round_trip) {
  const BusinessPartner original = full_partner();
  const std::string json = to_json(original);
  auto back = partner_from_json(json, DecodeMode::stored);
  BOOST_TEST_REQUIRE(is_ok(back));
  BOOST_TEST(to_json(*back) == json);
  BOOST_TEST((*back == original));

  BusinessPartner contact;
  contact.family_name = "Doe";
  auto c = partner_from_json(to_json(contact), DecodeMode::stored);
  BOOST_TEST_REQUIRE(is_ok(c));
  BOOST_TEST((*c == contact));
  BOOST_TEST(to_json(contact) == "{\"kind\":\"contact\",\"family_name\":\"Doe\"}");
}

BOOST_AUTO_TEST_CASE(input_mode) {
  auto ok = partner_from_json(R"({"kind":"account","company":"ACME","id":null})", DecodeMode::input);
  BOOST_TEST_REQUIRE(is_ok(ok));
  BOOST_TEST(ok->kind == PartnerKind::account);
  BOOST_TEST(ok->company == "ACME");
  for (const char* json :
       {R"({"id":"0000000000001"})", R"({"version":1})", R"({"created_at":"2026-01-01T00:00:00Z"})",
        R"({"created_by":"x"})", R"({"changed_at":"2026-01-01T00:00:00Z"})", R"({"changed_by":"x"})"}) {
    BOOST_TEST_CONTEXT(json) {
      auto r = partner_from_json(json, DecodeMode::input);
      BOOST_TEST_REQUIRE(fails_with(r, ErrorCode::invalid));
      BOOST_TEST_REQUIRE(r.error().fields.size() == 2u);
      BOOST_TEST(r.error().fields.at(0).reason == "read-only: set by the hub");
      BOOST_TEST(has_error(r.error().fields, "family_name", "a contact needs a family_name, email or company"));
    }
  }
}

BOOST_AUTO_TEST_CASE(errors_with_paths) {
  auto r = partner_from_json(
      R"({"kind":"person","company":1,"address":{"zip":"1"},"external_refs":[{"system":"s","key":"1"}],"web":"x"})",
      DecodeMode::input);
  BOOST_TEST_REQUIRE(fails_with(r, ErrorCode::invalid));
  const auto& e = r.error().fields;
  BOOST_TEST(has_error(e, "kind", "'person' is not one of account, contact"));
  BOOST_TEST(has_error(e, "company", "expected a string"));
  BOOST_TEST(has_error(e, "address.zip", "unknown field"));
  BOOST_TEST(has_error(e, "external_refs[0].key", "unknown field"));
  BOOST_TEST(has_error(e, "web", "unknown field"));
  // the rules on what could be read
  BOOST_TEST(has_error(e, "external_refs[0].id", "required"));
  BOOST_TEST(has_error(e, "family_name", "a contact needs a family_name, email or company"));
  BOOST_TEST(e.size() == 7u);
  BOOST_TEST(has_error(r.error().fields, "kind", "'person' is not one of account, contact"));
  auto doc = partner_from_json("[]", DecodeMode::stored);
  BOOST_TEST_REQUIRE(fails_with(doc, ErrorCode::invalid));
  BOOST_TEST(has_error(doc.error().fields, "(document)", "expected an object"));
}

BOOST_AUTO_TEST_SUITE_END()
