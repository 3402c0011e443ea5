// mapping/outbound.cpp: leads, find pages and errors rendered in the party's
// format (XML, JSON, CSV) from the `outbound:` section of a mapping file.
#include <simdjson.h>
#include <boost/test/unit_test.hpp>

#include <pugixml.hpp>
#include <sstream>

#include "mapping/csv_reader.hpp"
#include "mapping/outbound.hpp"
#include "mapping_support.hpp"

using namespace leadhub;
using namespace leadhub::mapping;
using namespace leadhub::mapping::test;

namespace {

Lead lead(std::uint64_t n, const std::string& family, const std::string& email) {
  Lead l;
  l.id = RecordId((std::uint64_t{987654321} << 22) | n);
  l.version = 1;
  l.subject = "Anfrage " + family;
  l.source = LeadSource::lettershop;
  l.campaign = "herbst-26";
  l.prospect.family_name = family;
  l.prospect.email = email;
  return l;
}

OutboundSpec outbound_of(const std::string& yaml) {
  const auto spec = load_ok(yaml);
  BOOST_TEST_REQUIRE(spec->outbound.has_value());
  return *spec->outbound;
}

std::string rendered(const Result<std::string>& r) {
  BOOST_TEST_REQUIRE(r.ok(), "render failed: " << (r.ok() ? "" : r.error().message));
  return *r;
}

// Text at a JSON Pointer (strings unquoted, other values as JSON), or "<none>".
std::string json_at(const std::string& json, const std::string& pointer) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(json).get(root) != simdjson::SUCCESS) return "<invalid JSON>";
  simdjson::dom::element v;
  if (root.at_pointer(pointer).get(v) != simdjson::SUCCESS) return "<none>";
  if (v.is_string()) return std::string(v.get_string().value_unsafe());
  return simdjson::minify(v);
}

const char* const kXmlOutbound = R"(format: xml
records: /Leads/Lead
fields: {prospect.family_name: Name}
outbound:
  root: LeadResponse
  namespace: "urn:example:lead"
  record: Lead
  header:
    Count: $count
    "@more": $more
    Paging/Next: $next
  fields:
    "@id": id
    ObjectID: id
    Contact/EMail: prospect.email
    Contact/Name: prospect.family_name
    Contact/@kind: {value: person}
    Status: status
    "@actionCode": {value: "01"}
    Campaign: {from: campaign, transforms: [upper]}
  groups:
    interests:
      element: Item
      fields: {ProductID: product, Quantity: quantity, "@pos": {value: x}}
  error:
    root: LeadError
    fields:
      Log/Item/SeverityCode: {value: "3"}
      Log/Item/TypeID: code
      Log/Item/Note: message
)";

}  // namespace

BOOST_AUTO_TEST_SUITE(outbound)

BOOST_AUTO_TEST_CASE(xml_leads_with_header_groups_and_attributes) {
  const auto spec = outbound_of(kXmlOutbound);
  Lead a = lead(1, "Müller", "a@example.de");
  a.interests = {{"WP-200", 2}, {"SOL & Co", 1}};
  Lead b = lead(2, "Beispiel", "");
  FindPage page{2, b.id.to_string()};
  const std::string xml = rendered(render_leads(spec, {a, b}, page));

  pugi::xml_document doc;
  BOOST_TEST_REQUIRE(static_cast<bool>(doc.load_string(xml.c_str())), xml);
  const auto root = doc.document_element();
  BOOST_TEST(std::string(root.name()) == "LeadResponse");
  BOOST_TEST(std::string(root.attribute("xmlns").value()) == "urn:example:lead");
  BOOST_TEST(std::string(root.child("Count").text().get()) == "2");
  BOOST_TEST(std::string(root.attribute("more").value()) == "true");
  BOOST_TEST(std::string(root.child("Paging").child("Next").text().get()) == b.id.to_string());
  std::vector<pugi::xml_node> leads;
  for (auto n : root.children("Lead")) leads.push_back(n);
  BOOST_TEST_REQUIRE(leads.size() == 2u, xml);
  const auto first = leads[0];
  BOOST_TEST(std::string(first.attribute("id").value()) == a.id.to_string());
  BOOST_TEST(std::string(first.attribute("actionCode").value()) == "01");
  BOOST_TEST(std::string(first.child("ObjectID").text().get()) == a.id.to_string());
  BOOST_TEST(std::distance(first.children("Contact").begin(), first.children("Contact").end()) == 1);  // one Contact
  BOOST_TEST(std::string(first.child("Contact").child("EMail").text().get()) == "a@example.de");
  BOOST_TEST(std::string(first.child("Contact").child("Name").text().get()) == "Müller");
  BOOST_TEST(std::string(first.child("Contact").attribute("kind").value()) == "person");
  BOOST_TEST(std::string(first.child("Status").text().get()) == "open");
  BOOST_TEST(std::string(first.child("Campaign").text().get()) == "HERBST-26");
  std::vector<pugi::xml_node> items;
  for (auto n : first.children("Item")) items.push_back(n);
  BOOST_TEST_REQUIRE(items.size() == 2u, xml);
  BOOST_TEST(std::string(items[0].child("ProductID").text().get()) == "WP-200");
  BOOST_TEST(std::string(items[0].child("Quantity").text().get()) == "2");
  BOOST_TEST(std::string(items[0].attribute("pos").value()) == "x");
  BOOST_TEST(std::string(items[1].child("ProductID").text().get()) == "SOL & Co");
  BOOST_TEST(contains(xml, "SOL &amp; Co"), xml);  // escaped on the wire
  // an absent value leaves the element out
  BOOST_TEST(!leads[1].child("Contact").child("EMail"));
  BOOST_TEST(!leads[1].child("Item"));
  BOOST_TEST(contains(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"), xml);
}

BOOST_AUTO_TEST_CASE(xml_last_page_and_empty_result) {
  const auto spec = outbound_of(kXmlOutbound);
  const std::string xml = rendered(render_leads(spec, {}, FindPage{0, ""}));
  pugi::xml_document doc;
  BOOST_TEST_REQUIRE(static_cast<bool>(doc.load_string(xml.c_str())), xml);
  const auto root = doc.document_element();
  BOOST_TEST(std::string(root.child("Count").text().get()) == "0");
  BOOST_TEST(std::string(root.attribute("more").value()) == "false");
  BOOST_TEST(!root.child("Paging").child("Next"));  // $next absent on the last page
  BOOST_TEST(!root.child("Lead"));
}

BOOST_AUTO_TEST_CASE(xml_error) {
  const auto spec = outbound_of(kXmlOutbound);
  const Error e = Error::invalid({{"prospect.email", "not an e-mail address"}});
  const std::string xml = rendered(render_error(spec, e));
  pugi::xml_document doc;
  BOOST_TEST_REQUIRE(static_cast<bool>(doc.load_string(xml.c_str())), xml);
  const auto root = doc.document_element();
  BOOST_TEST(std::string(root.name()) == "LeadError");
  BOOST_TEST(std::string(root.attribute("xmlns").value()) == "urn:example:lead");
  const auto item = root.child("Log").child("Item");
  BOOST_TEST(std::string(item.child("SeverityCode").text().get()) == "3");
  BOOST_TEST(std::string(item.child("TypeID").text().get()) == "invalid");
  BOOST_TEST(std::string(item.child("Note").text().get()) == e.message);

  // without an error section: <Root><error><code/>...</error>
  const auto plain = outbound_of("format: xml\nrecords: /a\nfields: {subject: s}\noutbound: {root: Reply}\n");
  const std::string p = rendered(render_error(plain, Error::make(ErrorCode::not_found, "no lead 42")));
  pugi::xml_document d2;
  BOOST_TEST_REQUIRE(static_cast<bool>(d2.load_string(p.c_str())), p);
  BOOST_TEST(std::string(d2.document_element().name()) == "Reply");
  BOOST_TEST(std::string(d2.document_element().child("error").child("code").text().get()) == "not_found");
  BOOST_TEST(std::string(d2.document_element().child("error").child("message").text().get()) == "no lead 42");
}

BOOST_AUTO_TEST_CASE(json_leads_with_header_and_groups) {
  const auto spec = outbound_of(R"(format: json
fields: {subject: /s}
outbound:
  root: result
  record: leads
  header: {count: $count, paging.more: $more, paging/next: $next}
  fields:
    id: id
    contact.email: prospect.email
    contact/name: prospect.family_name
    kind: {value: lead}
  groups:
    interests: {element: products, fields: {sku: product, qty: quantity}}
)");
  Lead a = lead(1, "Müller", "a@example.de");
  a.interests = {{"P1", 3}};
  Lead b = lead(2, "Zwei", "");
  const std::string json = rendered(render_leads(spec, {a, b}, FindPage{5, b.id.to_string()}));
  BOOST_TEST(json_at(json, "/result/count") == "5", json);
  BOOST_TEST(json_at(json, "/result/paging/more") == "true", json);
  BOOST_TEST(json_at(json, "/result/paging/next") == b.id.to_string(), json);
  BOOST_TEST(json_at(json, "/result/leads/0/id") == a.id.to_string(), json);
  BOOST_TEST(json_at(json, "/result/leads/0/contact/email") == "a@example.de", json);
  BOOST_TEST(json_at(json, "/result/leads/0/contact/name") == "Müller", json);
  BOOST_TEST(json_at(json, "/result/leads/0/kind") == "lead", json);
  BOOST_TEST(json_at(json, "/result/leads/0/products/0/sku") == "P1", json);
  BOOST_TEST(json_at(json, "/result/leads/0/products/0/qty") == "3", json);
  BOOST_TEST(json_at(json, "/result/leads/1/contact/email") == "<none>", json);
  BOOST_TEST(json_at(json, "/result/leads/1/contact/name") == "Zwei", json);
  BOOST_TEST(json_at(json, "/result/leads/2") == "<none>", json);
}

BOOST_AUTO_TEST_CASE(json_single_lead_is_the_document) {
  const auto spec =
      outbound_of("format: json\nfields: {subject: /s}\noutbound:\n  fields: {id: id, email: prospect.email}\n");
  const Lead a = lead(1, "M", "m@example.de");
  const std::string json = rendered(render_leads(spec, {a}, FindPage{}));
  BOOST_TEST(json_at(json, "/id") == a.id.to_string(), json);
  BOOST_TEST(json_at(json, "/email") == "m@example.de", json);
  // several leads without a record name: under "items"
  const std::string many = rendered(render_leads(spec, {a, lead(2, "N", "n@example.de")}, FindPage{}));
  BOOST_TEST(json_at(many, "/items/1/email") == "n@example.de", many);
  // form mappings answer in JSON
  const auto form = outbound_of("format: form\nfields: {subject: s}\noutbound:\n  fields: {ok: {value: \"yes\"}}\n");
  BOOST_TEST((form.format == SourceFormat::json));
}

BOOST_AUTO_TEST_CASE(json_error) {
  const auto spec = outbound_of("format: json\nfields: {subject: /s}\noutbound:\n  fields: {id: id}\n");
  const Error e = Error::invalid({{"prospect.email", "not an e-mail address"}, {"score", "must be between 0 and 100"}});
  const std::string json = rendered(render_error(spec, e));
  BOOST_TEST(json_at(json, "/error/code") == "invalid", json);
  BOOST_TEST(json_at(json, "/error/message") == e.message, json);
  BOOST_TEST(
      json_at(json, "/error/fields") == "prospect.email: not an e-mail address; score: must be between 0 and 100",
      json);
  const auto custom = outbound_of(
      "format: json\nfields: {subject: /s}\noutbound:\n  error:\n    fields: {status: {value: failed}, detail.text: "
      "message}\n");
  const std::string c = rendered(render_error(custom, Error::make(ErrorCode::version_conflict, "stale")));
  BOOST_TEST(json_at(c, "/status") == "failed", c);
  BOOST_TEST(json_at(c, "/detail/text") == "stale", c);
}

BOOST_AUTO_TEST_CASE(csv_output_quoting) {
  const auto spec = outbound_of(R"(format: csv
fields: {prospect.family_name: Name}
outbound:
  fields:
    LeadID: id
    Name: prospect.family_name
    Firma: prospect.company
    "Notiz, intern": attributes.note
    Status: status
)");
  Lead a = lead(1, "Müller", "a@example.de");
  a.prospect.company = "Groß, Söhne";
  a.attributes["note"] = "say \"hi\"\nline 2";
  const Lead b = lead(2, "Plain", "");
  const std::string csv = rendered(render_leads(spec, {a, b}, FindPage{}));
  const std::string expected = "LeadID,Name,Firma,\"Notiz, intern\",Status\r\n" + a.id.to_string() +
                               ",Müller,\"Groß, Söhne\",\"say \"\"hi\"\"\nline 2\",open\r\n" + b.id.to_string() +
                               ",Plain,,,open\r\n";
  BOOST_TEST(csv == expected);
  const std::string err = rendered(render_error(spec, Error::make(ErrorCode::invalid, "bad, \"thing\"")));
  BOOST_TEST(err == "code,message\r\ninvalid,\"bad, \"\"thing\"\"\"\r\n");
}

BOOST_AUTO_TEST_CASE(csv_output_latin1_and_delimiter_follow_the_inbound_dialect) {
  const auto spec = outbound_of(R"(format: csv
csv: {delimiter: ";", encoding: iso-8859-1}
fields: {prospect.family_name: Name}
outbound:
  fields: {Name: prospect.family_name, Firma: prospect.company, Betreff: subject}
)");
  Lead a = lead(1, "Müller", "a@example.de");
  a.prospect.company = "Groß; Söhne";
  a.subject = "Preis 5 € – ok";
  const std::string csv = rendered(render_leads(spec, {a}, FindPage{}));
  BOOST_TEST(csv == "Name;Firma;Betreff\r\nM\xFCller;\"Gro\xDF; S\xF6hne\";Preis 5 ? ? ok\r\n");
  const std::string err = rendered(render_error(spec, Error::make(ErrorCode::invalid, "Straße fehlt")));
  BOOST_TEST(err.find("code;message\r\n") == 0u, err);

  // what we write, the inbound side of the same mapping reads back
  std::istringstream in(csv);
  CsvOptions options;
  options.delimiter = ';';
  options.encoding = CsvOptions::Encoding::latin1;
  CsvReader reader(options, Limits{}, in);
  auto rec = reader.next();
  BOOST_TEST_REQUIRE((rec.ok() && *rec));
  SourcePath p;
  p.text = "Firma";
  BOOST_TEST((*rec)->value(p).value_or("") == "Groß; Söhne");
  p.text = "Name";
  BOOST_TEST((*rec)->value(p).value_or("") == "Müller");
}

BOOST_AUTO_TEST_CASE(outbound_transform_failures_are_errors) {
  const auto spec = outbound_of(
      "format: json\nfields: {subject: /s}\noutbound:\n  fields:\n    n: {from: prospect.email, transforms: "
      "[integer]}\n");
  const auto r = render_leads(spec, {lead(1, "M", "m@example.de")}, FindPage{});
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST(contains(r.error().message, "n: integer: not a whole number"), r.error().message);
}

BOOST_AUTO_TEST_CASE(xml_each_in_place_with_nested_paths_own_text_and_index) {
  const auto spec = outbound_of(R"(format: xml
records: /a/b
fields: {subject: s}
outbound:
  root: Report
  record: Entry
  header:
    "@campaign": {from: campaign, default: NONE}   # of the first lead
  fields:
    "@nr": $index
    Name: prospect.family_name
    Product: {each: interests, fields: {"@code": product, "@qty": quantity}}
    After: {value: "x"}
    Notes/Note: {each: notes, fields: {"@by": author, ".": text}}
    Kind: {from: prospect.kind, default: person}
)");
  Lead a = lead(1, "Müller", "a@example.de");
  a.interests = {{"WP-200", 2}, {"SP-10", 1}};
  a.notes = {{0, "agent", "first"}, {0, "", "second"}};
  const std::string xml = rendered(render_leads(spec, {a, lead(2, "B", "")}, FindPage{2, ""}));
  pugi::xml_document doc;
  BOOST_TEST_REQUIRE(static_cast<bool>(doc.load_string(xml.c_str())), xml);
  const auto root = doc.document_element();
  BOOST_TEST(std::string(root.attribute("campaign").value()) == "herbst-26");
  const auto first = root.child("Entry");
  BOOST_TEST(std::string(first.attribute("nr").value()) == "1");
  BOOST_TEST(std::string(first.next_sibling("Entry").attribute("nr").value()) == "2");
  // in the order of the rules: Name, Product, Product, After, Notes, Kind
  std::string order;
  for (auto c : first.children()) order += std::string(c.name()) + " ";
  BOOST_TEST(order == "Name Product Product After Notes Kind ", xml);
  BOOST_TEST(std::string(first.child("Product").attribute("qty").value()) == "2");
  BOOST_TEST(std::string(first.child("Notes").first_child().text().get()) == "first");
  BOOST_TEST(std::string(first.child("Notes").first_child().attribute("by").value()) == "agent");
  BOOST_TEST(
      std::distance(first.child("Notes").children("Note").begin(), first.child("Notes").children("Note").end()) == 2);
  BOOST_TEST(std::string(first.child("Kind").text().get()) == "person");  // the default
}

BOOST_AUTO_TEST_CASE(json_numbered_items_types_alternatives_and_conditions) {
  const auto spec = outbound_of(R"(format: json
fields: {subject: /s}
outbound:
  fields:
    contact.0.type: {value: email, when: {field: prospect.email, present: true}}
    contact.0.value: prospect.email
    contact.1.type: {value: phone, when: {field: prospect.phone, present: true}}
    contact.1.value: prospect.phone
    contact.2.type: {value: company, when: {all: [{field: prospect.kind, equals: organization}, {field: prospect.company, present: true}]}}
    contact.2.value: prospect.company
    amount: {from: expected_value.amount, type: number}
    optin: {from: consent.marketing, type: boolean}
    name:
      - {from: prospect.company, when: {field: prospect.kind, equals: organization}}
      - {from: [prospect.given_name, prospect.family_name], join: " "}
    items: {each: interests, fields: {id: product, n: {from: quantity, type: integer}}}
)");
  Lead a = lead(1, "Müller", "");
  a.prospect.given_name = "Anna";
  a.prospect.phone = "+4930123456";
  a.expected_value = {"012500.50", "EUR"};
  a.consent.marketing = true;
  a.interests = {{"WP-200", 3}};
  const std::string person = rendered(render_leads(spec, {a}, FindPage{1, ""}));
  BOOST_TEST(json_at(person, "/contact") == R"([{"type":"phone","value":"+4930123456"}])", person);  // no gap
  BOOST_TEST(contains(person, R"("amount":12500.50)"), person);  // a number, leading zero dropped
  BOOST_TEST(json_at(person, "/optin") == "true", person);
  BOOST_TEST(json_at(person, "/name") == "Anna Müller");
  BOOST_TEST(json_at(person, "/items/0/n") == "3");
  BOOST_TEST(contains(person, R"("n":3)"), person);

  a.prospect.kind = ProspectKind::organization;
  a.prospect.company = "Müller GmbH";
  a.prospect.email = "info@mueller.example";
  const std::string company = rendered(render_leads(spec, {a}, FindPage{1, ""}));
  BOOST_TEST(json_at(company, "/contact/0/type") == "email", company);
  BOOST_TEST(json_at(company, "/contact/2/type") == "company", company);
  BOOST_TEST(json_at(company, "/name") == "Müller GmbH");
}

BOOST_AUTO_TEST_CASE(outbound_rules_are_checked) {
  const auto refused_at = [](const std::string& yaml, const std::string& position, const std::string& part) {
    const std::string message = load_error(yaml);
    return contains(message, "FILE:" + position + ": ") && contains(message, part);
  };
  BOOST_TEST(refused_at("format: json\nfields: {subject: /s}\noutbound:\n  fields:\n    a: {from: x, type: money}\n",
                        "5:24", "type: 'money'"));
  BOOST_TEST(refused_at("format: json\nfields: {subject: /s}\noutbound:\n  fields:\n    a: {each: tags, fields: {}}\n",
                        "5:15", "'tags' is not a repeating group"));
  BOOST_TEST(refused_at("format: json\nfields: {subject: /s}\noutbound:\n  fields:\n    a: [[x]]\n", "5:9",
                        "cannot hold another list"));
  BOOST_TEST(refused_at(
      "format: json\nfields: {subject: /s}\noutbound:\n  fields:\n    a: {from: x, when: {field: y, is: z}}\n", "5:35",
      "unknown key 'is'"));
}

BOOST_AUTO_TEST_SUITE_END()
