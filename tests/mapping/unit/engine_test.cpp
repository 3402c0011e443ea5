// mapping/engine.cpp: records to commands. Required fields, defaults, conditions,
// groups, the operation taken from the record, change patches, find queries, and
// errors that name the record, the source field and the canonical field.
#include <boost/test/unit_test.hpp>

#include "mapping_support.hpp"
#include "util/time_format.hpp"

using namespace leadhub;
using namespace leadhub::mapping;
using namespace leadhub::mapping::test;

namespace {

std::string some_id(std::uint64_t n = 1) { return RecordId((std::uint64_t{123456789} << 22) | n).to_string(); }

}  // namespace

BOOST_AUTO_TEST_SUITE(engine)

BOOST_AUTO_TEST_CASE(required_missing_names_record_source_and_field) {
  const auto spec = load_ok(R"(format: csv
csv: {delimiter: ";"}
fields:
  prospect.family_name: {from: Nachname, required: true}
  prospect.email: {from: E-Mail, transforms: [email]}
  subject: {from: Betreff, default: "Anfrage", required: true}
)");
  const auto m = map_text(spec, "Nachname;E-Mail;Betreff\n;a@b.de;\n   ;c@d.de;Hallo\nMuster;e@f.de;\n");
  BOOST_TEST_REQUIRE(m.records.size() == 3u);
  const auto& r = m.records[0];
  BOOST_TEST(r.location == "line 2");
  BOOST_TEST_REQUIRE(r.errors.size() == 1u, describe(r));
  BOOST_TEST(r.errors[0].record == "line 2");
  BOOST_TEST(r.errors[0].source == "Nachname");
  BOOST_TEST(r.errors[0].field == "prospect.family_name");
  BOOST_TEST(r.errors[0].reason == "required, but missing or empty");
  BOOST_TEST(r.errors[0].to_string() ==
             "line 2: source 'Nachname' -> prospect.family_name: required, but missing or empty");
  BOOST_TEST(!r.ok());
  // white space only: the value is passed on as it is, then trimmed by normalize
  BOOST_TEST_REQUIRE(m.records[2].ok(), describe(m.records[2]));
  BOOST_TEST(m.records[2].lead->subject == "Anfrage");  // default satisfies required
  BOOST_TEST(m.records[2].lead->prospect.family_name == "Muster");

  // a column the file does not have at all
  const auto absent = map_text(spec, "E-Mail\nx@y.de\n");
  BOOST_TEST_REQUIRE(absent.records.size() == 1u);
  BOOST_TEST(has_error(absent.records[0], "prospect.family_name", "Nachname",
                       "required, but the file's header has no column 'Nachname'"));
}

// A transform that fails leaves its field empty; the model then refused the empty
// amount as well ("not a decimal number such as 1250.00"), two errors for one
// field, the second blaming a value nobody sent.
BOOST_AUTO_TEST_CASE(a_failed_transform_is_the_only_error_for_its_field) {
  const auto spec = load_ok(R"(format: csv
csv: {delimiter: ";"}
fields:
  prospect.family_name: Name
  expected_value.amount: {from: Betrag, transforms: [{decimal: ","}]}
  expected_value.currency: {value: EUR}
)");
  const auto m = map_text(spec, "Name;Betrag\nA;12 EUR\n");
  BOOST_TEST_REQUIRE(m.records.size() == 1u);
  const auto& r = m.records[0];
  BOOST_TEST_REQUIRE(r.errors.size() == 1u, describe(r));
  BOOST_TEST(r.errors[0].field == "expected_value.amount");
  BOOST_TEST(r.errors[0].source == "Betrag");
  BOOST_TEST(r.errors[0].code == MappingErrorCode::bad_format);
  BOOST_TEST(r.errors[0].reason.find("decimal: '12 EUR' is not a decimal number") == 0u, r.errors[0].reason);
  BOOST_TEST(!r.lead.has_value());
}

BOOST_AUTO_TEST_CASE(mapping_error_to_string_forms) {
  BOOST_TEST((MappingError{"line 3", "", "prospect", "needs at least one"}.to_string()) ==
             "line 3: prospect: needs at least one");
  BOOST_TEST((MappingError{"line 3", "", "", "broken"}.to_string()) == "line 3: broken");
  BOOST_TEST((MappingError{"/a[2]", "Mail", "", "x"}.to_string()) == "/a[2]: source 'Mail': x");
}

BOOST_AUTO_TEST_CASE(transform_errors_name_the_source_and_step) {
  const auto spec = load_ok(R"(format: csv
fields:
  prospect.family_name: Name
  prospect.address.country: {from: Land, transforms: [trim, country], default: DE}
  score: {from: Punkte, transforms: [integer]}
  prospect.address.street: {from: [Strasse, Nr], join: " "}
)");
  const auto m = map_text(spec, "Name,Land,Punkte,Strasse,Nr\nA,Atlantis,x,Hauptstr.,5\nB,,7,Ring,\nC,,,Hauptstr.,5\n");
  BOOST_TEST_REQUIRE(m.records.size() == 3u);
  BOOST_TEST(has_error(m.records[0], "prospect.address.country", "Land", "country: 'Atlantis' is not a known country"));
  BOOST_TEST(has_error(m.records[0], "score", "Punkte", "integer: not a whole number"));
  BOOST_TEST(m.records[0].errors.size() == 2u, describe(m.records[0]));
  const auto& b = m.records[1];
  BOOST_TEST_REQUIRE(b.ok(), describe(b));
  BOOST_TEST(b.lead->prospect.address.country == "DE");  // default when empty, not transformed
  BOOST_TEST((b.lead->score == std::optional<std::uint8_t>(7)));
  BOOST_TEST(b.lead->prospect.address.street == "Ring");  // no dangling join
  BOOST_TEST_REQUIRE(m.records[2].ok(), describe(m.records[2]));
  BOOST_TEST(m.records[2].lead->prospect.address.street == "Hauptstr. 5");
}

BOOST_AUTO_TEST_CASE(phone_region_from_the_records_country) {
  // the phone rule comes first in the file, but reads the country mapped after it
  const auto spec = load_ok(R"(format: csv
csv: {delimiter: ";"}
fields:
  prospect.phone: {from: Telefon, transforms: [{phone: DE}]}
  prospect.family_name: Name
  prospect.address.country: {from: Land, transforms: [country]}
)");
  const auto m = map_text(spec,
                          "Name;Land;Telefon\n"
                          "Dupont;Frankreich;01 42 60 30 00\n"
                          "Huber;Österreich;01 5344444\n"
                          "Meier;;030 1234567\n"
                          "Smith;United Kingdom;020 7946 0018\n"
                          "Bad;DE;not a number\n");
  BOOST_TEST_REQUIRE(m.records.size() == 5u);
  for (std::size_t i = 0; i < 4; ++i) BOOST_TEST_REQUIRE(m.records[i].ok(), describe(m.records[i]));
  BOOST_TEST(m.records[0].lead->prospect.phone == "+33142603000");
  BOOST_TEST(m.records[1].lead->prospect.phone == "+4315344444");
  BOOST_TEST(m.records[2].lead->prospect.phone == "+49301234567");
  BOOST_TEST(m.records[3].lead->prospect.phone == "+442079460018");
  BOOST_TEST(has_error(m.records[4], "prospect.phone", "Telefon", "phone: not a phone number"));
}

BOOST_AUTO_TEST_CASE(when_conditions) {
  const auto spec = load_ok(R"(format: csv
csv: {delimiter: ";"}
fields:
  prospect.family_name: Name
  attributes.eq: {value: "y", when: {field: Land, equals: DE}}
  attributes.ne: {value: "y", when: {field: Land, not_equals: DE}}
  attributes.in: {value: "y", when: {field: Land, in: [AT, CH]}}
  attributes.present: {value: "y", when: {field: Note, present: true}}
  attributes.absent: {value: "y", when: {field: Note, absent: true}}
  attributes.not_present: {value: "y", when: {field: Note, present: false}}
  attributes.not_absent: {value: "y", when: {field: Note, absent: false}}
  attributes.matches: {value: "y", when: {field: Plz, matches: "^[0-9]{5}$"}}
  attributes.note: {from: Note, when: {field: Land, equals: DE}}
)");
  const auto m = map_text(spec, "Name;Land;Note;Plz\nA; DE ;hallo;12345\nB;AT;  ;1234\nC;CH;x;\nD\n");
  BOOST_TEST_REQUIRE(m.records.size() == 4u);
  for (const auto& r : m.records) BOOST_TEST_REQUIRE(r.ok(), describe(r));
  auto has = [&](std::size_t i, const std::string& key) { return m.records[i].lead->attributes.count(key) == 1; };
  BOOST_TEST(has(0, "eq"));  // compared after trimming
  BOOST_TEST(!has(0, "ne"));
  BOOST_TEST(!has(0, "in"));
  BOOST_TEST(has(0, "present"));
  BOOST_TEST(!has(0, "absent"));
  BOOST_TEST(has(0, "matches"));
  BOOST_TEST(has(0, "note"));
  BOOST_TEST(!has(1, "eq"));
  BOOST_TEST(has(1, "ne"));
  BOOST_TEST(has(1, "in"));
  BOOST_TEST(!has(1, "present"));  // white space only is not present
  BOOST_TEST(has(1, "absent"));
  BOOST_TEST(!has(1, "matches"));
  BOOST_TEST(!has(1, "note"));
  BOOST_TEST(has(2, "in"));
  BOOST_TEST(has(2, "present"));
  BOOST_TEST(!has(2, "matches"));
  // a record without the columns at all
  BOOST_TEST(!has(3, "eq"));
  BOOST_TEST(has(3, "ne"));
  BOOST_TEST(!has(3, "in"));
  BOOST_TEST(!has(3, "present"));
  BOOST_TEST(has(3, "absent"));
  BOOST_TEST(!has(3, "matches"));
  // `present: false` is `absent: true` and `absent: false` is `present: true` (they
  // were read as the key alone, the opposite of what they say)
  for (std::size_t i = 0; i < 4; ++i) {
    BOOST_TEST(has(i, "not_present") == has(i, "absent"), "record " << i);
    BOOST_TEST(has(i, "not_absent") == has(i, "present"), "record " << i);
  }
}

// A required group member that is missing was reported twice: by the mapping
// (external_refs.id) and again by the model for its item (external_refs[0].id).
BOOST_AUTO_TEST_CASE(a_missing_required_group_member_is_reported_once) {
  const auto spec = load_ok(R"(format: csv
csv: {delimiter: ";"}
fields:
  prospect.family_name: Name
groups:
  external_refs:
    fields:
      system: {value: cc}
      id: {from: CallId, required: true}
)");
  const auto m = map_text(spec, "Name\nMeier\n");
  BOOST_TEST_REQUIRE(m.records.size() == 1u);
  BOOST_TEST_REQUIRE(m.records[0].errors.size() == 1u, describe(m.records[0]));
  BOOST_TEST(m.records[0].errors[0].field == "external_refs.id");
}

BOOST_AUTO_TEST_CASE(required_field_skipped_by_its_condition_is_not_an_error) {
  const auto spec = load_ok(R"(format: csv
fields:
  prospect.family_name: Name
  prospect.company: {from: Firma, required: true, when: {field: Typ, equals: B2B}}
)");
  const auto m = map_text(spec, "Name,Typ,Firma\nA,B2C,\nB,B2B,\n");
  BOOST_TEST_REQUIRE(m.records.size() == 2u);
  BOOST_TEST(m.records[0].ok(), describe(m.records[0]));
  BOOST_TEST(has_error(m.records[1], "prospect.company", "Firma", "required"));
}

BOOST_AUTO_TEST_CASE(groups_with_each_in_xml) {
  const auto spec = load_ok(R"(format: xml
records: /Leads/Lead
fields:
  prospect.family_name: Name
groups:
  interests:
    each: Interests/Item
    fields:
      product: "@code"
      quantity: {from: Qty, transforms: [integer]}
  external_refs:
    fields:
      system: {value: partner}
      id: "@id"
  notes:
    when: {field: Comment, present: true}
    fields:
      text: Comment
)");
  const auto m = map_text(spec, R"(<Leads>
<Lead id="P-1"><Name>A</Name>
  <Interests><Item code="WP-200"><Qty>2</Qty></Item><Item code="SOL-9"/><Item/></Interests>
  <Comment>Bitte anrufen</Comment></Lead>
<Lead id="P-2"><Name>B</Name><Interests><Item code="X"><Qty>zwei</Qty></Item></Interests></Lead>
<Lead><Name>C</Name></Lead>
</Leads>)");
  BOOST_TEST_REQUIRE(m.status.ok(), describe(m));
  BOOST_TEST_REQUIRE(m.records.size() == 3u);
  const auto& a = m.records[0];
  BOOST_TEST_REQUIRE(a.ok(), describe(a));
  BOOST_TEST_REQUIRE(a.lead->interests.size() == 2u);  // the empty <Item/> adds nothing
  BOOST_TEST(a.lead->interests[0].product == "WP-200");
  BOOST_TEST(a.lead->interests[0].quantity == 2u);
  BOOST_TEST(a.lead->interests[1].product == "SOL-9");
  BOOST_TEST(a.lead->interests[1].quantity == 1u);  // the model's default
  BOOST_TEST_REQUIRE(a.lead->external_refs.size() == 1u);
  BOOST_TEST(a.lead->external_refs[0].system == "partner");
  BOOST_TEST(a.lead->external_refs[0].id == "P-1");
  BOOST_TEST_REQUIRE(a.lead->notes.size() == 1u);
  BOOST_TEST(a.lead->notes[0].text == "Bitte anrufen");

  BOOST_TEST(has_error(m.records[1], "interests.quantity", "Qty", "integer: not a whole number"));
  BOOST_TEST(m.records[1].location == "/Leads/Lead[2]");

  const auto& c = m.records[2];
  // external_refs without each: one item from the record; its constant system is there,
  // the id is not, and validation traces that back to the id's source
  BOOST_TEST(has_error(c, "external_refs[0].id", "@id", "required"));
  BOOST_TEST(!contains(c.document, "\"interests\""), c.document);
  BOOST_TEST(!contains(c.document, "\"notes\""), c.document);
}

BOOST_AUTO_TEST_CASE(groups_with_each_in_json) {
  const auto spec = load_ok(R"(format: json
records: /leads
fields:
  prospect.family_name: /name
groups:
  interests:
    each: /products
    fields:
      product: /sku
      quantity: /qty
  attachments:
    each: /files
    fields:
      name: /name
      size: /bytes
      media_type: /type
)");
  const auto m = map_text(spec, R"({"leads": [{"name": "A", "products": [{"sku": "P1", "qty": 3}, {"sku": "P2"}],
     "files": [{"name": "offer.pdf", "bytes": 1024, "type": "application/pdf"}]}]})");
  BOOST_TEST_REQUIRE(m.records.size() == 1u);
  BOOST_TEST_REQUIRE(m.records[0].ok(), describe(m));
  const Lead& l = *m.records[0].lead;
  BOOST_TEST_REQUIRE(l.interests.size() == 2u);
  BOOST_TEST(l.interests[0].quantity == 3u);
  BOOST_TEST(l.interests[1].product == "P2");
  BOOST_TEST_REQUIRE(l.attachments.size() == 1u);
  BOOST_TEST(l.attachments[0].size == 1024u);
  BOOST_TEST(l.attachments[0].media_type == "application/pdf");
}

BOOST_AUTO_TEST_CASE(operation_from_the_record_with_map) {
  const std::string id = some_id();
  const auto spec = load_ok(R"(format: xml
records: /Batch/Lead
operation: {from: "@action", map: {N: create, U: change, R: read, F: find}}
fields:
  target.id: "@id"
  prospect.family_name: Name
  query.email: Email
)");
  const auto m = map_text(spec,
                          "<Batch>"
                          "<Lead action=\"N\"><Name>Neu</Name></Lead>"
                          "<Lead action=\"U\" id=\"" +
                              id +
                              "\"><Name>Geaendert</Name></Lead>"
                              "<Lead action=\"R\" id=\"" +
                              id +
                              "\"/>"
                              "<Lead action=\"F\"><Email>a@b.de</Email></Lead>"
                              "<Lead action=\"X\"><Name>?</Name></Lead>"
                              "<Lead><Name>Ohne</Name></Lead>"
                              "<Lead action=\"U\"><Name>NoId</Name></Lead>"
                              "</Batch>");
  BOOST_TEST_REQUIRE(m.records.size() == 7u, describe(m));
  BOOST_TEST(m.records[0].operation == Operation::create);
  BOOST_TEST(m.records[0].ok(), describe(m.records[0]));
  BOOST_TEST(m.records[1].operation == Operation::change);
  BOOST_TEST(m.records[1].ok(), describe(m.records[1]));
  BOOST_TEST(m.records[1].target_id.to_string() == id);
  BOOST_TEST(m.records[2].operation == Operation::read);
  BOOST_TEST(m.records[2].ok(), describe(m.records[2]));
  BOOST_TEST(m.records[2].target_id.to_string() == id);
  BOOST_TEST(m.records[3].operation == Operation::find);
  BOOST_TEST(m.records[3].ok(), describe(m.records[3]));
  BOOST_TEST(m.records[3].query.email == "a@b.de");
  BOOST_TEST(has_error(m.records[4], "operation", "@action", "map: 'X' is not in the value map"));
  BOOST_TEST(m.records[5].operation == Operation::create);  // no value: the fixed default
  BOOST_TEST(m.records[5].ok(), describe(m.records[5]));
  BOOST_TEST(has_error(m.records[6], "target.id", "", "a change needs the lead's id or external reference"));
}

BOOST_AUTO_TEST_CASE(operation_value_must_be_an_operation) {
  const auto spec = load_ok(R"(format: csv
operation: {from: Op}
fields:
  prospect.family_name: Name
)");
  const auto m = map_text(spec, "Op,Name\ndelete,A\ncreate,B\n");
  BOOST_TEST_REQUIRE(m.records.size() == 2u);
  BOOST_TEST(has_error(m.records[0], "operation", "Op", "'delete' is not an operation"));
  BOOST_TEST(m.records[1].ok(), describe(m.records[1]));
}

BOOST_AUTO_TEST_CASE(change_is_a_merge_patch_and_notes_are_appended) {
  const std::string id = some_id(7);
  const auto spec = load_ok(R"(format: json
records: /changes
operation: change
fields:
  target.id: /id
  target.version: /version
  prospect.email: {from: /email, transforms: [email]}
  prospect.phone: {from: /phone, transforms: [{phone: DE}]}
  qualification: /q
  attributes.src: {value: partner}
groups:
  notes:
    each: /notes
    fields:
      text: /text
      author: /by
)");
  const auto m = map_text(spec, R"({"changes": [{"id": ")" + id + R"(", "version": 4, "email": "NEW@Example.de",
      "notes": [{"text": "called back", "by": "agent7"}, {"text": "second"}]},
    {"id": ")" + id + R"(", "q": "hot"}]})");
  BOOST_TEST_REQUIRE(m.status.ok(), describe(m));
  BOOST_TEST_REQUIRE(m.records.size() == 2u);
  const auto& r = m.records[0];
  BOOST_TEST_REQUIRE(r.ok(), describe(r));
  BOOST_TEST(r.operation == Operation::change);
  BOOST_TEST(r.target_id.to_string() == id);
  BOOST_TEST((r.expected_version == std::optional<std::uint64_t>(4)));
  BOOST_TEST(r.document == R"({"prospect":{"email":"new@example.de"},"attributes":{"src":"partner"}})");
  BOOST_TEST(!r.lead.has_value());
  BOOST_TEST_REQUIRE(r.append_notes.size() == 2u);
  BOOST_TEST(r.append_notes[0].text == "called back");
  BOOST_TEST(r.append_notes[0].author == "agent7");
  BOOST_TEST(r.append_notes[1].text == "second");
  const auto& q = m.records[1];
  BOOST_TEST_REQUIRE(q.ok(), describe(q));
  BOOST_TEST(q.document == R"({"qualification":"hot","attributes":{"src":"partner"}})");
  BOOST_TEST(q.append_notes.empty());
  BOOST_TEST(!q.expected_version.has_value());
}

BOOST_AUTO_TEST_CASE(change_checks_types_targets_and_versions) {
  const auto spec = load_ok(R"(format: csv
operation: change
fields:
  target.id: Id
  target.ref_system: {value: sap}
  target.ref_id: Ref
  target.version: Version
  priority: Prio
)");
  const auto m = map_text(spec, "Id,Ref,Version,Prio\nnot-an-id,,,high\n,4711,x,\n,4711,,urgent\n");
  BOOST_TEST_REQUIRE(m.records.size() == 3u);
  BOOST_TEST(has_error(m.records[0], "target.id", "Id", "not a leadhub id"));
  BOOST_TEST(has_error(m.records[1], "target.version", "Version", "not a version number"));
  BOOST_TEST_REQUIRE(m.records[1].target_ref.has_value());
  BOOST_TEST(m.records[1].target_ref->system == "sap");
  BOOST_TEST(m.records[1].target_ref->id == "4711");
  BOOST_TEST(has_error(m.records[2], "priority", "Prio", ""));  // not a priority: traced to the column
  BOOST_TEST(m.records[2].target_ref.has_value());
}

BOOST_AUTO_TEST_CASE(find_fills_the_query) {
  const std::string after = some_id(3);
  const auto spec = load_ok(R"(format: form
operation: find
fields:
  query.status: status
  query.owner: owner
  query.source: source
  query.campaign: campaign
  query.email: {from: email, transforms: [email]}
  query.phone: {from: phone, transforms: [{phone: DE}]}
  query.changed_since: since
  query.limit: limit
  query.after: after
)");
  const auto m = map_text(spec,
                          "status=qualified&owner=north&source=web_form&campaign=C1&email=A%40B.de&phone=030+1234567"
                          "&since=2026-01-02T03%3A04%3A05Z&limit=25&after=" +
                              after);
  BOOST_TEST_REQUIRE(m.records.size() == 1u);
  const auto& r = m.records[0];
  BOOST_TEST_REQUIRE(r.ok(), describe(r));
  BOOST_TEST(r.operation == Operation::find);
  BOOST_TEST((r.query.status == std::optional<LeadStatus>(LeadStatus::qualified)));
  BOOST_TEST(r.query.owner_channel == "north");
  BOOST_TEST((r.query.source == std::optional<LeadSource>(LeadSource::web_form)));
  BOOST_TEST(r.query.campaign == "C1");
  BOOST_TEST(r.query.email == "a@b.de");
  BOOST_TEST(r.query.phone == "+49301234567");
  BOOST_TEST_REQUIRE(r.query.changed_since.has_value());
  BOOST_TEST(format_timestamp(*r.query.changed_since) == "2026-01-02T03:04:05.000Z");
  BOOST_TEST(r.query.limit == 25u);
  BOOST_TEST(r.query.after.to_string() == after);

  const auto capped = map_text(spec, "limit=50000&email=x%40y.de");
  BOOST_TEST_REQUIRE(capped.records[0].ok(), describe(capped));
  BOOST_TEST(capped.records[0].query.limit == kMaxFindLimit);
  BOOST_TEST(capped.records[0].query.limit == 1000u);

  const auto bad = map_text(spec, "status=sleeping&source=fax&since=yesterday&limit=many");
  BOOST_TEST_REQUIRE(bad.records.size() == 1u);
  BOOST_TEST(has_error(bad.records[0], "query.status", "status", "'sleeping' is not one of open, in_process"));
  BOOST_TEST(has_error(bad.records[0], "query.source", "source", "'fax' is not one of web_form, lettershop"));
  BOOST_TEST(has_error(bad.records[0], "query.changed_since", "since", "not a timestamp"));
  BOOST_TEST(has_error(bad.records[0], "query.limit", "limit", "not a number"));

  // a cursor that is not an id must not silently restart the listing from the top
  const auto cursor = map_text(spec, "email=x%40y.de&after=not-an-id");
  BOOST_TEST_REQUIRE(cursor.records.size() == 1u);
  BOOST_TEST(has_error(cursor.records[0], "query.after", "after", ""));
}

BOOST_AUTO_TEST_CASE(validation_errors_map_back_to_the_source_field) {
  const auto spec = load_ok(R"(format: csv
csv: {delimiter: ";"}
fields:
  prospect.family_name: Nachname
  prospect.email: E-Mail
  prospect.kind: Art
  score: Punkte
  follow_up: Wiedervorlage
  subject: {from: [Titel, Zusatz], join: " "}
  expected_value.amount: Betrag
  expected_value.currency: {value: EUR}
groups:
  interests:
    fields:
      product: Produkt
      quantity: Menge
)");
  const auto m = map_text(spec,
                          "Nachname;E-Mail;Art;Punkte;Wiedervorlage;Titel;Zusatz;Betrag;Produkt;Menge\n"
                          "Muster;kein-mail;person;50;2026-02-30;A;B;12,5;WP;0\n"
                          ";;;;;;A;;;\n"
                          "X;;robot;abc;;;;;;\n"
                          "Y;;;150;;;;;;\n");
  BOOST_TEST_REQUIRE(m.records.size() == 4u);
  const auto& a = m.records[0];
  BOOST_TEST(has_error(a, "prospect.email", "E-Mail", "not an e-mail address"));
  BOOST_TEST(has_error(a, "follow_up", "Wiedervorlage", "not a date"));
  BOOST_TEST(has_error(a, "expected_value.amount", "Betrag", "not a decimal number"));
  BOOST_TEST(has_error(a, "interests[0].quantity", "Menge", "must be between 1 and"));
  for (const auto& e : a.errors) BOOST_TEST(e.record == "line 2");
  // nothing but a title in the row (a row of delimiters only is skipped): the lead needs some contact
  BOOST_TEST(has_error(m.records[1], "prospect", "", "needs at least one of email, phone, family_name or company"));
  // decoding errors (wrong enum, not a number) map back too
  BOOST_TEST(has_error(m.records[2], "prospect.kind", "Art", ""));
  BOOST_TEST(has_error(m.records[2], "score", "Punkte", ""));
  BOOST_TEST(has_error(m.records[3], "score", "Punkte", ""));
}

BOOST_AUTO_TEST_CASE(joined_sources_are_named_together) {
  const auto spec = load_ok(R"~(format: csv
fields:
  prospect.family_name: N
  subject: {from: [Titel, Zusatz], join: " ", transforms: [{regex_extract: "^(\\d+)"}]}
)~");
  const auto m = map_text(spec, "N,Titel,Zusatz\nA,abc,def\n");
  BOOST_TEST_REQUIRE(m.records.size() == 1u);
  BOOST_TEST(has_error(m.records[0], "subject", "Titel+Zusatz", "regex_extract: does not match"));
}

BOOST_AUTO_TEST_CASE(create_lead_is_normalized_and_typed) {
  const auto spec = load_ok(R"(format: json
fields:
  source: {value: lettershop}
  subject: /s
  prospect.family_name: /n
  prospect.email: /e
  consent.marketing: {from: /c, transforms: [boolean]}
  score: {from: /score, transforms: [integer]}
  expected_value.amount: {from: /amount, transforms: [{decimal: ","}]}
  expected_value.currency: {value: eur}
  follow_up: {from: /f, transforms: [{date: "%d.%m.%Y"}]}
)");
  const auto m = map_text(spec, R"({"s": "  Anfrage  ", "n": "Muster", "e": " a@b.de ", "c": "ja", "score": " 80 ",
                                    "amount": "1.234,50", "f": "01.03.2026"})");
  BOOST_TEST_REQUIRE(m.records.size() == 1u);
  BOOST_TEST_REQUIRE(m.records[0].ok(), describe(m));
  const Lead& l = *m.records[0].lead;
  BOOST_TEST((l.source == LeadSource::lettershop));
  BOOST_TEST(l.subject == "Anfrage");
  BOOST_TEST(l.prospect.email == "a@b.de");
  BOOST_TEST((l.consent.marketing == std::optional<bool>(true)));
  BOOST_TEST((l.score == std::optional<std::uint8_t>(80)));
  BOOST_TEST(l.expected_value.amount == "1234.50");
  BOOST_TEST(l.expected_value.currency == "EUR");
  BOOST_TEST(l.follow_up == "2026-03-01");
  BOOST_TEST(contains(to_json(l), "\"score\":80"), to_json(l));
  BOOST_TEST(contains(to_json(l), "\"marketing\":true"), to_json(l));
}

BOOST_AUTO_TEST_CASE(attribute_names_may_contain_dots) {
  const auto spec = load_ok("format: csv\nfields:\n  prospect.family_name: N\n  attributes.utm.source: S\n");
  const auto m = map_text(spec, "N,S\nA,newsletter\n");
  BOOST_TEST_REQUIRE(m.records.size() == 1u);
  BOOST_TEST_REQUIRE(m.records[0].ok(), describe(m));
  BOOST_TEST(m.records[0].lead->attributes.at("utm.source") == "newsletter");
}

BOOST_AUTO_TEST_CASE(integer_fields_with_leading_zeros) {
  // CSV exports often zero-pad numbers ("02"); without an integer transform the value
  // must still become the number, or fail with an error naming the column
  const auto spec = load_ok(R"(format: csv
csv: {delimiter: ";"}
fields:
  prospect.family_name: Name
  score: Punkte
groups:
  interests:
    fields:
      product: Produkt
      quantity: Menge
)");
  const auto m = map_text(spec, "Name;Punkte;Produkt;Menge\nA;080;WP;02\n");
  BOOST_TEST_REQUIRE(m.records.size() == 1u);
  const auto& r = m.records[0];
  if (r.ok()) {
    BOOST_TEST((r.lead->score == std::optional<std::uint8_t>(80)));
    BOOST_TEST_REQUIRE(r.lead->interests.size() == 1u);
    BOOST_TEST(r.lead->interests[0].quantity == 2u);
  } else {
    for (const auto& e : r.errors) {
      BOOST_TEST(!e.source.empty(), "error not traced to a column: " << e.to_string());
    }
  }
}

BOOST_AUTO_TEST_CASE(sink_can_stop_the_stream) {
  const auto spec = load_ok("format: csv\nfields: {prospect.family_name: N}\n");
  Mapper mapper(spec);
  std::istringstream in("N\na\nb\nc\n");
  int seen = 0;
  const auto st = mapper.map_stream(in, [&](MappedRecord&&) { return ++seen < 2; });
  BOOST_TEST(st.ok());
  BOOST_TEST(seen == 2);
}

BOOST_AUTO_TEST_SUITE_END()
