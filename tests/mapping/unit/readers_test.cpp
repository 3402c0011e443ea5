// mapping/xml_reader.cpp, json_reader.cpp, form_reader.cpp: addressing values,
// refusing hostile documents, limits and document errors.
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <sstream>

#include "mapping/reader_factory.hpp"
#include "mapping_support.hpp"

using namespace leadhub;
using namespace leadhub::mapping;
using namespace leadhub::mapping::test;

namespace {

const char* const kXmlMapping = R"~(format: xml
records: /Leads/Lead
fields:
  prospect.email: {from: Contact/Email, transforms: [email]}
  prospect.family_name: Name/Family
  prospect.given_name: Name/@given
  attributes.id: "@id"
  attributes.full: "concat(Name/@given, ' ', Name/Family)"
  attributes.element: "local-name(.)"
  attributes.second_tag: "Tags/Tag[2]"
  attributes.count: "count(Tags/Tag)"
  attributes.nested: Contact
)~";

const char* const kXmlDoc = R"(<?xml version="1.0" encoding="UTF-8"?>
<Leads>
  <Lead id="L1">
    <Name given="Anna">Muster</Name>
    <Contact><Email>Anna@Example.DE</Email><Phone>030 1</Phone></Contact>
    <Tags><Tag>a</Tag><Tag>b &amp; c</Tag></Tags>
  </Lead>
  <Lead id="L2">
    <Name given="Ben"><Family>Beispiel</Family></Name>
    <Contact><Email><![CDATA[ben@example.de]]></Email></Contact>
  </Lead>
</Leads>
)";

}  // namespace

BOOST_AUTO_TEST_SUITE(xml_reader)

BOOST_AUTO_TEST_CASE(records_plain_paths_attributes_and_xpath_functions) {
  const auto spec = load_ok(std::string(kXmlMapping));
  const auto m = map_text(spec, kXmlDoc);
  BOOST_TEST_REQUIRE(m.status.ok(), describe(m));
  BOOST_TEST_REQUIRE(m.records.size() == 2u);
  const auto& a = m.records[0];
  BOOST_TEST(a.location == "/Leads/Lead[1]");
  BOOST_TEST_REQUIRE(a.ok(), describe(a));
  BOOST_TEST(a.lead->prospect.email == "anna@example.de");
  BOOST_TEST(a.lead->prospect.given_name == "Anna");
  BOOST_TEST(a.lead->attributes.at("id") == "L1");
  BOOST_TEST(a.lead->attributes.at("element") == "Lead");
  BOOST_TEST(a.lead->attributes.at("second_tag") == "b & c");
  BOOST_TEST(a.lead->attributes.at("count") == "2");
  BOOST_TEST(a.lead->attributes.at("nested") == "Anna@Example.DE030 1");  // string value of an element
  BOOST_TEST(a.lead->prospect.family_name == "");                         // Name/Family does not exist in L1
  BOOST_TEST(a.lead->attributes.count("full") == 1u);

  const auto& b = m.records[1];
  BOOST_TEST(b.location == "/Leads/Lead[2]");
  BOOST_TEST_REQUIRE(b.ok(), describe(b));
  BOOST_TEST(b.lead->prospect.family_name == "Beispiel");
  BOOST_TEST(b.lead->prospect.email == "ben@example.de");  // CDATA
  BOOST_TEST(b.lead->attributes.at("full") == "Ben Beispiel");
  BOOST_TEST(b.lead->attributes.count("second_tag") == 0u);
}

BOOST_AUTO_TEST_CASE(group_item_errors_name_the_items_element) {
  const char* const doc = R"(<Leads>
  <Lead><Name>A</Name><Item><Qty>1</Qty></Item><Item><Qty>x</Qty></Item></Lead>
  <Lead><Name>B</Name><Item/><Item><Qty>2</Qty></Item><Item><Qty>y</Qty></Item></Lead>
</Leads>)";
  // A plain element path and an XPath select the items; either way an item's
  // error gives its place in the document.
  const std::string mapping =
      "format: xml\nrecords: /Leads/Lead\nfields:\n  prospect.family_name: Name\n"
      "groups:\n  interests:\n    each: EACH\n"
      "    fields: {product: {value: P}, quantity: {from: Qty, transforms: [integer]}}\n";
  // each: the items' path; third: where lead B's bad item is (the XPath leaves out the empty <Item/>)
  for (const auto& [each, third] : {std::pair{"Item", "Item[3]"}, std::pair{"'Item[Qty]'", "Item[Qty][2]"}}) {
    std::string text = mapping;
    text.replace(text.find("EACH"), 4, each);
    const auto m = map_text(load_ok(text), doc);
    BOOST_TEST_REQUIRE(m.records.size() == 2u, describe(m));
    BOOST_TEST(has_error(m.records[0], "interests.quantity", "Qty", "integer: not a whole number"), describe(m));
    const std::string first = std::string(each) == "Item" ? "Item[2]" : "Item[Qty][2]";
    BOOST_TEST(m.records[0].errors.at(0).record == "/Leads/Lead[1]/" + first, describe(m));
    BOOST_TEST_REQUIRE(!m.records[1].errors.empty(), describe(m));
    BOOST_TEST(m.records[1].errors.at(0).record == std::string("/Leads/Lead[2]/") + third, describe(m));
  }
}

BOOST_AUTO_TEST_CASE(single_record_location) {
  const auto spec = load_ok("format: xml\nrecords: /Root/Batch/Lead\nfields: {prospect.family_name: Name}\n");
  const auto m = map_text(spec, "<Root><Batch><Lead><Name>X</Name></Lead></Batch></Root>");
  BOOST_TEST_REQUIRE(m.records.size() == 1u);
  const std::string& where = m.records[0].location;
  BOOST_TEST((where == "/Root/Batch/Lead" || where == "/Root/Batch/Lead[1]"), where);
  BOOST_TEST(m.records[0].ok(), describe(m));
}

BOOST_AUTO_TEST_CASE(iso_8859_1_documents_read_0x80_to_0x9f_as_windows_1252) {
  // What a Windows tool writes under an ISO-8859-1 declaration: the euro sign and
  // curly quotes are Windows-1252 bytes, which a literal reading turns into C1 controls.
  const auto spec =
      load_ok("format: xml\nrecords: /Leads/Lead\nfields: {prospect.family_name: Name, attributes.note: Note}\n");
  // The second document has the same declaration but is UTF-8 throughout: read as UTF-8.
  const std::pair<const char*, const char*> documents[] = {
      {"<Name>M\xFCller</Name><Note>\x93Preis\x94 5 \x80</Note>", "“Preis” 5 €"},
      {"<Name>M\xC3\xBCller</Name><Note>5 \xE2\x82\xAC</Note>", "5 €"}};
  for (const auto& [body, note] : documents) {
    const auto m = map_text(
        spec, std::string("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n<Leads><Lead>") + body + "</Lead></Leads>");
    BOOST_TEST_REQUIRE(m.records.size() == 1u, describe(m));
    BOOST_TEST_REQUIRE(m.records[0].ok(), describe(m));
    BOOST_TEST(m.records[0].lead->prospect.family_name == "Müller");
    BOOST_TEST(m.records[0].lead->attributes.at("note") == note);
  }
}

BOOST_AUTO_TEST_CASE(bytes_undefined_in_windows_1252_refuse_the_document_with_their_place) {
  // A DOS CP850 export declared ISO-8859-1: 0x81 is its ü, and no character in the
  // declared code page; decoding it would have stored "Mller".
  const auto spec = load_ok("format: xml\nrecords: /Leads/Lead\nfields: {prospect.family_name: Name}\n");
  for (const char* declared : {"ISO-8859-1", "windows-1252"}) {
    const auto m = map_text(spec, std::string("<?xml version=\"1.0\" encoding=\"") + declared +
                                      "\"?>\n<Leads><Lead><Name>M\x81ller</Name></Lead></Leads>");
    BOOST_TEST(!m.status.ok(), describe(m));
    BOOST_TEST(contains(m.status_message(), "line 2, column 21: byte 0x81 is no character in the declared encoding"),
               m.status_message());
    BOOST_TEST(contains(m.status_message(), "CP850"), m.status_message());
    // The file is single-byte: its column counts bytes (0xB0 is one character, '°').
    const auto degree = map_text(spec, std::string("<?xml version=\"1.0\" encoding=\"") + declared +
                                           "\"?>\n<Leads><Lead><Name>\xB0M\x81ller</Name></Lead></Leads>");
    BOOST_TEST(contains(degree.status_message(), "line 2, column 22: byte 0x81"), degree.status_message());
  }
}

BOOST_AUTO_TEST_CASE(relative_xpaths_self_and_parent) {
  // ".", ".." and "../@x" are XPath, not child names
  const auto spec = load_ok(
      "format: xml\nrecords: /Batch/Lead\nfields:\n  prospect.family_name: \".\"\n  attributes.batch: \"../@id\"\n"
      "  attributes.parent: \"local-name(..)\"\n");
  const auto m = map_text(spec, "<Batch id=\"B7\"><Lead>Selbst</Lead></Batch>");
  BOOST_TEST_REQUIRE(m.records.size() == 1u, describe(m));
  BOOST_TEST_REQUIRE(m.records[0].ok(), describe(m));
  BOOST_TEST(m.records[0].lead->prospect.family_name == "Selbst");
  BOOST_TEST(m.records[0].lead->attributes.at("batch") == "B7");
  BOOST_TEST(m.records[0].lead->attributes.at("parent") == "Batch");
}

BOOST_AUTO_TEST_CASE(namespaced_documents_by_local_name) {
  const auto spec = load_ok(
      "format: xml\nrecords: \"/*[local-name()='Leads']/*[local-name()='Lead']\"\nfields:\n"
      "  prospect.family_name: \"*[local-name()='Name']\"\n");
  const auto m = map_text(spec, R"(<n:Leads xmlns:n="urn:x"><n:Lead><n:Name>Ns</n:Name></n:Lead></n:Leads>)");
  BOOST_TEST_REQUIRE(m.records.size() == 1u, describe(m));
  BOOST_TEST_REQUIRE(m.records[0].ok(), describe(m));
  BOOST_TEST(m.records[0].lead->prospect.family_name == "Ns");
}

// Elements are matched by local name whichever prefix the sender chose: a record
// element written <n0:Lead> among unprefixed ones, or every element prefixed.
const char* const kNameMapping = R"(format: xml
records: /Leads/Lead
fields:
  prospect.family_name: Name
  prospect.given_name: Name/@given
  prospect.email: {from: Contact/Email, transforms: [email]}
)";

BOOST_AUTO_TEST_CASE(prefixed_elements_match_by_local_name) {
  const auto spec = load_ok(kNameMapping);
  const auto mixed =
      map_text(spec, R"(<n0:Leads xmlns:n0="urn:x"><Lead id="1"><Name>A</Name></Lead>)"
                     R"(<n0:Lead id="2"><n0:Name>B</n0:Name></n0:Lead><Lead id="3"><Name>C</Name></Lead></n0:Leads>)");
  BOOST_TEST_REQUIRE(mixed.records.size() == 3u, describe(mixed));
  BOOST_TEST_REQUIRE(mixed.records[1].ok(), describe(mixed));
  BOOST_TEST(mixed.records[1].lead->prospect.family_name == "B");
  const auto all = map_text(spec, R"(<ls:Leads xmlns:ls="urn:y"><ls:Lead id="1"><ls:Name given="G">Ns</ls:Name>)"
                                  R"(<ls:Contact><ls:Email>a@b.de</ls:Email></ls:Contact></ls:Lead></ls:Leads>)");
  BOOST_TEST_REQUIRE(all.records.size() == 1u, describe(all));
  BOOST_TEST_REQUIRE(all.records[0].ok(), describe(all));
  BOOST_TEST(all.records[0].lead->prospect.email == "a@b.de");
  BOOST_TEST(all.records[0].lead->prospect.given_name == "G");
}

// An element among the records that the XPath does not select is named once, on
// the first record, instead of being skipped without a word.
BOOST_AUTO_TEST_CASE(unselected_elements_among_the_records_are_noticed) {
  const auto spec = load_ok(kNameMapping);
  const auto m = map_text(spec,
                          "<Leads><Header/><Lead id='1'><Name>A</Name></Lead><lead id='2'><Name>B</Name></lead>"
                          "<Lead id='3'><Name>C</Name></Lead><lead/></Leads>");
  BOOST_TEST_REQUIRE(m.records.size() == 2u, describe(m));
  BOOST_TEST_REQUIRE(m.records[0].notices.size() == 1u, describe(m));
  BOOST_TEST(m.records[0].notices[0] ==
             "records: 2 elements <lead> among the records, not selected by /Leads/Lead; not read");
  BOOST_TEST(m.records[1].notices.empty());
  const auto clean = map_text(spec, "<Leads><Header/><Lead id='1'><Name>A</Name></Lead></Leads>");
  BOOST_TEST(clean.records.at(0).notices.empty(), "a header before the records is none of them");
}

// XML allows no control characters but tab, CR and LF: a reference to one (&#0;
// truncated the text) or a raw one is named with its place.
BOOST_AUTO_TEST_CASE(control_characters_are_named_with_their_place) {
  const auto spec = load_ok(kNameMapping);
  const auto nul = map_text(spec, "<Leads>\n<Lead><Name>Null &#0; char</Name></Lead></Leads>");
  BOOST_TEST(!nul.status.ok());
  BOOST_TEST(contains(nul.status_message(),
                      "line 2, column 18: not well-formed XML: the character reference &#0; "
                      "names the control character U+0000"),
             nul.status_message());
  // Columns count characters: "ü" is two bytes of UTF-8, one column.
  const auto umlaut = map_text(spec, "<Leads>\n<Lead><Name>M\xC3\xBCller &#0;</Name></Lead></Leads>");
  BOOST_TEST(contains(umlaut.status_message(), "line 2, column 20: not well-formed XML: the character reference &#0;"),
             umlaut.status_message());
  const auto one = map_text(spec, "<Leads><Lead><Name>x &#x1; y</Name></Lead></Leads>");
  BOOST_TEST(contains(one.status_message(), "&#x1; names the control character U+0001"), one.status_message());
  const auto raw = map_text(spec, std::string("<Leads><Lead><Name>a\0b</Name></Lead></Leads>", 44));
  BOOST_TEST(contains(raw.status_message(),
                      "line 1, column 21: not well-formed XML: the control character U+0000 as a raw byte"),
             raw.status_message());
  // allowed: tab, CR, LF, other references, and the text of CDATA sections and comments
  const auto fine = map_text(spec, "<Leads><!-- &#0; --><Lead><Name>a&#xFC;<![CDATA[&#1;]]></Name></Lead></Leads>");
  BOOST_TEST_REQUIRE(fine.status.ok(), describe(fine));
  BOOST_TEST(fine.records.at(0).lead->prospect.family_name == "aü&#1;");
}

BOOST_AUTO_TEST_CASE(doctype_is_refused_billion_laughs_and_xxe) {
  const auto spec = load_ok(std::string(kXmlMapping));
  const std::string laughs = R"(<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Leads><Lead id="x"><Name>&lol9;</Name></Lead></Leads>
)";
  const auto m = map_text(spec, laughs);
  BOOST_TEST(!m.status.ok());
  BOOST_TEST(m.status_message() ==
                 "line 2, column 1: a DOCTYPE declaring entities (which could expand to gigabytes) is not accepted: "
                 "the hub reads no DTDs and expands no entities; send the document without its DOCTYPE",
             m.status_message());
  BOOST_TEST(m.records.empty());

  const std::string xxe = R"(<?xml version="1.0"?>
<!DOCTYPE Leads [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<Leads><Lead id="x"><Contact><Email>&xxe;</Email></Contact></Lead></Leads>
)";
  const auto x = map_text(spec, xxe);
  BOOST_TEST(!x.status.ok());
  BOOST_TEST(contains(x.status_message(),
                      "line 2, column 1: a DOCTYPE declaring an external entity (which could read files or URLs) is "
                      "not accepted"),
             x.status_message());
  BOOST_TEST(x.records.empty());
  const auto dtd = map_text(spec, "<!DOCTYPE Leads SYSTEM \"http://example.com/leads.dtd\">\n<Leads/>");
  BOOST_TEST(contains(dtd.status_message(), "line 1, column 1: a DOCTYPE naming an external DTD"),
             dtd.status_message());
}

// pugixml keeps a reference to an entity XML does not define as it is written:
// "M&uuml;ller" (HTML's entity, from a template) was stored so.
BOOST_AUTO_TEST_CASE(an_entity_xml_does_not_define_is_refused_with_its_place) {
  const auto spec = load_ok(std::string(kXmlMapping));
  const auto m = map_text(spec, "<Leads>\n<Lead><Name><Family>M&uuml;ller</Family></Name></Lead></Leads>");
  BOOST_TEST(m.status_message() ==
                 "line 2, column 22: not well-formed XML: the entity reference &uuml; is not defined (XML knows "
                 "only &lt; &gt; &amp; &apos; &quot; without a DTD; write the character itself or a character "
                 "reference such as &#252;); in HTML it is '\u00fc'",
             m.status_message());
  BOOST_TEST(m.records.empty());
  // in UTF-16 (Notepad's "Unicode") as in UTF-8: the file is converted before the checks
  std::string utf16 = "\xFF\xFE";
  for (const char ch : std::string("<Leads><Lead><Name><Family>M&uuml;ller</Family></Name></Lead></Leads>")) {
    utf16 += ch;
    utf16 += '\0';
  }
  BOOST_TEST(contains(map_text(spec, utf16).status_message(),
                      "line 1, column 29: not well-formed XML: the entity reference &uuml; is not defined"),
             map_text(spec, utf16).status_message());
  BOOST_TEST(contains(map_text(spec, "<Leads><Lead id='&foo;'/></Leads>").status_message(),
                      "line 1, column 18: not well-formed XML: the entity reference &foo; is not defined"));
  // the five XML defines, a lone '&' (pugixml keeps it), and '&' where no reference
  // can be (a comment, CDATA, a processing instruction)
  const auto fine = map_text(spec,
                             "<?pi a&b;?><Leads><!-- &c; --><Lead><Name><Family>&lt;A&amp;B&gt; &apos;&quot; AT&T "
                             "<![CDATA[&d;]]></Family></Name></Lead></Leads>");
  BOOST_TEST_REQUIRE(fine.status.ok(), describe(fine));
  BOOST_TEST(fine.records.at(0).lead->prospect.family_name == "<A&B> '\" AT&T &d;");
}

// A document read as UTF-8 (declared so, or declaring nothing) holding other bytes
// is refused whole with the first one's place; each value was refused as "not valid
// UTF-8" with advice about the mapping, which cannot fix a declaration.
BOOST_AUTO_TEST_CASE(a_document_that_is_not_the_utf8_it_declares_is_refused) {
  const auto spec = load_ok(std::string(kXmlMapping));
  const auto declared = map_text(spec,
                                 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Leads><Lead>\n"
                                 "<Name><Family>Gr\xC3\xBC\xC3\x9F M\xFCller</Family></Name></Lead></Leads>");
  BOOST_TEST(declared.status_message() ==
                 "line 3, column 21: byte 0xFC is not UTF-8, which the declaration encoding=\"UTF-8\" says the "
                 "document is: the file looks like ISO-8859-1 or Windows-1252 ('\u00fc'); declare "
                 "encoding=\"ISO-8859-1\" or save the file as UTF-8",
             declared.status_message());
  BOOST_TEST(declared.records.empty());
  const auto undeclared = map_text(spec, "<Leads><Lead><Name><Family>M\xFCller</Family></Name></Lead></Leads>");
  BOOST_TEST(contains(undeclared.status_message(),
                      "line 1, column 29: byte 0xFC is not UTF-8, which a document without an encoding in its XML "
                      "declaration must be"),
             undeclared.status_message());
  const auto other = map_text(spec,
                              "<?xml version='1.0' encoding='ISO-8859-2'?><Leads><Lead><Name><Family>Kr\xB1kowski"
                              "</Family></Name></Lead></Leads>");
  BOOST_TEST(contains(other.status_message(),
                      "byte 0xB1 is not UTF-8, and the declared encoding ISO-8859-2 is none the hub reads (UTF-8, "
                      "UTF-16, ISO-8859-1, Windows-1252, ISO-8859-15): save the file as UTF-8"),
             other.status_message());
}

// An element the mapping reads that the record has as an attribute (or in another
// case) is named, not left out without a word.
BOOST_AUTO_TEST_CASE(an_element_sent_as_an_attribute_is_named) {
  const auto spec = load_ok(R"~(format: xml
records: /Leads/Lead
fields:
  prospect.family_name: {from: Name/Family, required: true}
  prospect.phone: {from: Phone, transforms: [{phone: DE}]}
  prospect.email: {from: "@email", transforms: [email]}
)~");
  const auto m = map_text(spec,
                          "<Leads><Lead Phone='030 1234567'><Name Family='Meier'/><email>a@example.de</email></Lead>"
                          "<Lead><Name><family>Schulz</family></Name></Lead></Leads>");
  BOOST_TEST_REQUIRE(m.records.size() == 2u, describe(m));
  BOOST_TEST(has_error(m.records[0], "prospect.family_name", "Name/Family",
                       "required, but <Name> has no element <Family> but an attribute Family (the mapping reads the "
                       "element; @Family reads the attribute)"));
  BOOST_TEST(has_error(m.records[1], "prospect.family_name", "Name/Family",
                       "<Name> has no element <Family> but <family> (element names are case-sensitive)"));
  // the first record's optional fields, in the document's warnings
  const auto& notices = m.records[0].notices;
  const auto noticed = [&](const std::string& notice) {
    return std::find(notices.begin(), notices.end(), notice) != notices.end();
  };
  BOOST_TEST(noticed("prospect.phone: <Lead> has no element <Phone> but an attribute Phone (the mapping reads the "
                     "element; @Phone reads the attribute); not read from records like it"),
             describe(m));
  BOOST_TEST(noticed("prospect.email: <Lead> has no attribute email but an element <email> (the mapping reads the "
                     "attribute: @email); not read from records like it"),
             describe(m));
}

BOOST_AUTO_TEST_CASE(not_well_formed_is_an_error_with_line_and_column) {
  const auto spec = load_ok(std::string(kXmlMapping));
  const auto m = map_text(spec, "<Leads>\n  <Lead id=\"1\">\n    <Name>x</Nmae>\n  </Lead>\n</Leads>\n");
  BOOST_TEST(!m.status.ok());
  BOOST_TEST(m.status_message() == "line 3, column 14: not well-formed XML: Start-end tags mismatch");
  BOOST_TEST(m.records.empty());
  const auto empty = map_text(spec, "");
  BOOST_TEST(!empty.status.ok());
  const auto garbage = map_text(spec, "\n\nnot xml at all <");
  BOOST_TEST(!garbage.status.ok());
  BOOST_TEST(contains(garbage.status_message(), "not well-formed XML"), garbage.status_message());
  const auto unclosed = map_text(spec, "<Leads>\n<Lead>\n");
  BOOST_TEST(!unclosed.status.ok());
}

// pugixml's reason at its line and column in the user's file, columns counting
// characters: malformed documents as partners send them.
BOOST_AUTO_TEST_CASE(parse_errors_name_line_column_and_reason) {
  const auto spec = load_ok(std::string(kXmlMapping));
  const auto message = [&](const std::string& doc) { return map_text(spec, doc).status_message(); };
  BOOST_TEST(message("<Leads>\n<Lead>\n  <Name>x</Name>\n") ==
             "line 3, column 17: not well-formed XML: the document ends before all its elements are closed");
  BOOST_TEST(message("<Leads>\n  <Lead id=\"1>\n  </Lead>\n</Leads>\n") ==
             "line 2, column 13: not well-formed XML: Error parsing element attribute");
  BOOST_TEST(message("<Leads>\n  <Lead id=1>\n  </Lead>\n</Leads>\n") ==
             "line 2, column 12: not well-formed XML: Error parsing element attribute");
  BOOST_TEST(message("<Leads>\n  <Lead>a < b</Lead>\n</Leads>\n") ==
             "line 2, column 12: not well-formed XML: Could not determine tag type");
  BOOST_TEST(message("<Leads>\n  <Lead>a &#xD800; b</Lead>\n</Leads>\n") ==
             "line 2, column 11: not well-formed XML: the character reference &#xD800; names no character XML "
             "allows (U+D800 is a surrogate, half of a UTF-16 pair)");
  BOOST_TEST(message("<Leads><Lead a='&#x110000;'/></Leads>") ==
             "line 1, column 17: not well-formed XML: the character reference &#x110000; names no character XML "
             "allows (Unicode ends at U+10FFFF)");
  BOOST_TEST(message("<Leads><Lead>&#65535;</Lead></Leads>") ==
             "line 1, column 14: not well-formed XML: the character reference &#65535; names no character XML "
             "allows (U+FFFF is a noncharacter)");
}

// A UTF-8 byte order mark is no column, CRLF line ends are line ends, "ä" is one
// column; a UTF-16 document is parsed by pugixml in its own UTF-8 copy, and its
// place is named in characters all the same.
BOOST_AUTO_TEST_CASE(parse_errors_are_placed_in_the_file_whatever_its_encoding) {
  const auto spec = load_ok(std::string(kXmlMapping));
  const std::string doc = "<Leads>\r\n  <Lead>\r\n    <N\xC3\xA4me>\xC3\xBC</Nme>\r\n  </Lead>\r\n</Leads>\r\n";
  const std::string expected = "line 3, column 14: not well-formed XML: Start-end tags mismatch";
  BOOST_TEST(map_text(spec, doc).status_message() == expected);
  BOOST_TEST(map_text(spec, "\xEF\xBB\xBF" + doc).status_message() == expected);
  std::string utf16 = "\xFF\xFE";  // little-endian, from ASCII and U+00E4, U+00FC
  for (const char c : std::string("<Leads>\r\n  <Lead>\r\n    <N\xE4me>\xFC</Nme>\r\n  </Lead>\r\n</Leads>\r\n")) {
    utf16 += c;
    utf16 += '\0';
  }
  BOOST_TEST(map_text(spec, utf16).status_message() == expected);
}

// A document declared ISO-8859-1 or Windows-1252 is converted to UTF-8 before it
// is parsed: its place is named in the file's lines and characters, also on the
// declaration's own line (whose encoding name the conversion rewrites).
BOOST_AUTO_TEST_CASE(parse_errors_in_a_single_byte_document_name_the_files_place) {
  const auto spec = load_ok(std::string(kXmlMapping));
  for (const std::string declared : {"ISO-8859-1", "windows-1252", "latin1"}) {
    const std::string decl = "<?xml version=\"1.0\" encoding=\"" + declared + "\"?>";
    const auto next_line = map_text(spec, decl + "\n<Leads><Lead><Name>M\xFCller</Nmae></Lead></Leads>");
    BOOST_TEST(next_line.status_message() == "line 2, column 28: not well-formed XML: Start-end tags mismatch",
               declared);
    const auto same_line = map_text(spec, decl + "<Leads><Lead><Name>M\xFCller</Nmae></Lead></Leads>");
    BOOST_TEST(same_line.status_message() == "line 1, column " + std::to_string(decl.size() + 28) +
                                                 ": not well-formed XML: Start-end tags mismatch",
               declared);
    // Valid UTF-8 under the declaration (a file re-saved by a UTF-8 tool): the same.
    const auto resaved = map_text(spec, decl + "<Leads><Lead><Name>M\xC3\xBCller</Nmae></Lead></Leads>");
    BOOST_TEST(resaved.status_message() == "line 1, column " + std::to_string(decl.size() + 28) +
                                               ": not well-formed XML: Start-end tags mismatch",
               declared);
  }
  // The declaration's other pseudo-attributes and its line breaks stay.
  const auto standalone = map_text(
      spec, "<?xml version=\"1.0\"\n encoding=\"ISO-8859-1\" standalone=\"yes\"?>\n<Leads><Lead><Name>\xFC</Nmae>");
  BOOST_TEST(standalone.status_message() == "line 3, column 23: not well-formed XML: Start-end tags mismatch");
}

BOOST_AUTO_TEST_CASE(depth_limit) {
  const auto spec = load_ok("format: xml\nrecords: /a\nlimits: {max_depth: 5}\nfields: {prospect.family_name: b}\n");
  std::string deep, shallow;
  for (int i = 0; i < 10; ++i) deep += "<a>";
  for (int i = 0; i < 10; ++i) deep += "</a>";
  const auto m = map_text(spec, deep);
  BOOST_TEST(!m.status.ok());
  BOOST_TEST(contains(m.status_message(), "nested deeper than 5"), m.status_message());
  const auto ok = map_text(spec, "<a><b>x</b></a>");
  BOOST_TEST(ok.status.ok(), describe(ok));
  BOOST_TEST(ok.records.size() == 1u);

  // the default limit (64) stops a very deep document too
  const auto def = load_ok("format: xml\nrecords: /a\nfields: {prospect.family_name: b}\n");
  std::string very_deep;
  for (int i = 0; i < 100000; ++i) very_deep += "<a>";
  for (int i = 0; i < 100000; ++i) very_deep += "</a>";
  const auto v = map_text(def, very_deep);
  BOOST_TEST(!v.status.ok());
  BOOST_TEST(contains(v.status_message(), "nested deeper than 64"), v.status_message());
}

BOOST_AUTO_TEST_CASE(record_and_size_limits) {
  const auto spec =
      load_ok("format: xml\nrecords: /L/R\nlimits: {max_records: 2}\nfields: {prospect.family_name: \".\"}\n");
  const auto m = map_text(spec, "<L><R>a</R><R>b</R><R>c</R></L>");
  BOOST_TEST(!m.status.ok());
  BOOST_TEST(contains(m.status_message(), "3 records, more than the limit of 2"), m.status_message());
  const auto two = map_text(spec, "<L><R>a</R><R>b</R></L>");
  BOOST_TEST(two.status.ok(), describe(two));
  BOOST_TEST(two.records.size() == 2u);

  const auto small =
      load_ok("format: xml\nrecords: /L/R\nlimits: {max_document_bytes: 20}\nfields: {prospect.family_name: \".\"}\n");
  const auto big = map_text(small, "<L><R>aaaaaaaaaaaaaaaaaaaaaaaa</R></L>");
  BOOST_TEST(!big.status.ok());
  BOOST_TEST(contains(big.status_message(), "document larger than 20 bytes"), big.status_message());
}

BOOST_AUTO_TEST_CASE(no_matching_records_is_reported_with_the_xpath) {
  // a document the records XPath does not match is most likely the wrong mapping
  const auto spec = load_ok(std::string(kXmlMapping));
  const auto m = map_text(spec, "<Other/>");
  BOOST_TEST(m.records.empty());
  BOOST_TEST(!m.status.ok());
  BOOST_TEST(contains(m.status_message(), "/Leads/Lead"), m.status_message());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(json_reader)

const char* const kJsonMapping = R"(format: json
records: /leads
fields:
  prospect.family_name: /name/family
  prospect.email: {from: /email, transforms: [email]}
  score: /score
  consent.marketing: /newsletter
  attributes.amount: /amount
  attributes.flag: /flag
  attributes.object: /extra
  attributes.tilde: /a~1b
)";

BOOST_AUTO_TEST_CASE(pointer_to_an_array) {
  const auto spec = load_ok(kJsonMapping);
  const auto m = map_text(spec, R"({"leads": [
    {"name": {"family": "Muster"}, "email": "A@B.DE", "score": 42, "newsletter": true, "amount": 1250.5,
     "flag": false, "extra": {"k": [1, "x"]}, "a/b": "slash"},
    {"name": {"family": "Zwei"}, "score": null, "newsletter": false}
  ]})");
  BOOST_TEST_REQUIRE(m.status.ok(), describe(m));
  BOOST_TEST_REQUIRE(m.records.size() == 2u);
  BOOST_TEST(m.records[0].location == "/leads/0");
  BOOST_TEST(m.records[1].location == "/leads/1");
  BOOST_TEST_REQUIRE(m.records[0].ok(), describe(m));
  const Lead& a = *m.records[0].lead;
  BOOST_TEST(a.prospect.family_name == "Muster");
  BOOST_TEST(a.prospect.email == "a@b.de");
  BOOST_TEST_REQUIRE(a.score.has_value());
  BOOST_TEST(*a.score == 42);  // number as text, typed again as integer
  BOOST_TEST((a.consent.marketing == std::optional<bool>(true)));
  BOOST_TEST(a.attributes.at("amount") == "1250.5");
  BOOST_TEST(a.attributes.at("flag") == "false");
  BOOST_TEST(a.attributes.at("object") == R"({"k":[1,"x"]})");
  BOOST_TEST(a.attributes.at("tilde") == "slash");
  BOOST_TEST_REQUIRE(m.records[1].ok(), describe(m));
  BOOST_TEST(!m.records[1].lead->score.has_value());  // null is absent
  BOOST_TEST((m.records[1].lead->consent.marketing == std::optional<bool>(false)));
}

// A `*` step: the first array item with a value, or an object where an array was
// expected (a single TMF699 contact medium not wrapped in a list).
BOOST_AUTO_TEST_CASE(a_star_step_scans_every_item) {
  const auto spec = load_ok(
      "format: json\nfields:\n  prospect.email: {from: /contact/*/c/email, transforms: [email]}\n"
      "  prospect.family_name: /name\n");
  const auto five = map_text(spec, R"({"name":"A","contact":[{"c":{"phone":"1"}},{"c":{"email":""}},{"c":null},{},)"
                                   R"({"c":{"email":"fifth@example.de"}},{"c":{"email":"sixth@example.de"}}]})");
  BOOST_TEST_REQUIRE(five.records.size() == 1u, describe(five));
  BOOST_TEST_REQUIRE(five.records[0].ok(), describe(five));
  BOOST_TEST(five.records[0].lead->prospect.email == "fifth@example.de");
  const auto object = map_text(spec, R"({"name":"A","contact":{"c":{"email":"obj@example.de"}}})");
  BOOST_TEST_REQUIRE(object.records.at(0).ok(), describe(object));
  BOOST_TEST(object.records[0].lead->prospect.email == "obj@example.de");
  const auto none = map_text(spec, R"({"name":"A","contact":"x"})");
  BOOST_TEST_REQUIRE(none.records.at(0).ok(), describe(none));
  BOOST_TEST(none.records[0].lead->prospect.email.empty());
}

BOOST_AUTO_TEST_CASE(numbers_keep_their_value) {
  // simdjson's DOM keeps a number's value, not its text: 1250.00 comes out in its
  // shortest exact form 1250.0 (the same decimal), and a long id never in exponent form.
  const auto spec = load_ok(
      "format: json\nfields:\n  prospect.family_name: /n\n  attributes.amount: /amount\n  attributes.big: /big\n");
  const auto m = map_text(spec, R"({"n": "x", "amount": 1250.00, "big": 12345678901234567})");
  BOOST_TEST_REQUIRE(m.records.size() == 1u);
  BOOST_TEST_REQUIRE(m.records[0].ok(), describe(m));
  BOOST_TEST(m.records[0].lead->attributes.at("amount") == "1250.0");
  BOOST_TEST(m.records[0].lead->attributes.at("big") == "12345678901234567");
}

BOOST_AUTO_TEST_CASE(pointer_to_an_object_and_whole_document) {
  const auto spec = load_ok("format: json\nrecords: /data/lead\nfields:\n  prospect.family_name: /name\n");
  const auto m = map_text(spec, R"({"data": {"lead": {"name": "Einzel"}}})");
  BOOST_TEST_REQUIRE(m.records.size() == 1u, describe(m));
  BOOST_TEST(m.records[0].location == "/data/lead");
  BOOST_TEST_REQUIRE(m.records[0].ok(), describe(m));
  BOOST_TEST(m.records[0].lead->prospect.family_name == "Einzel");

  const auto whole = load_ok("format: json\nfields:\n  prospect.family_name: /name\n");
  const auto w = map_text(whole, R"({"name": "Dokument"})");
  BOOST_TEST_REQUIRE(w.records.size() == 1u);
  BOOST_TEST(w.records[0].location == "/");
  BOOST_TEST(w.records[0].lead->prospect.family_name == "Dokument");
  const auto arr = map_text(whole, R"([{"name": "A"}, {"name": "B"}])");
  BOOST_TEST_REQUIRE(arr.records.size() == 2u);
  BOOST_TEST(arr.records[1].location == "/1");
}

BOOST_AUTO_TEST_CASE(a_byte_order_mark_before_the_document_is_ignored) {
  const auto spec = load_ok("format: json\nfields:\n  prospect.family_name: /name\n");
  const auto m = map_text(spec, "\xEF\xBB\xBF{\"name\": \"Notepad\"}");
  BOOST_TEST_REQUIRE(m.records.size() == 1u, describe(m));
  BOOST_TEST_REQUIRE(m.records[0].ok(), describe(m));
  BOOST_TEST(m.records[0].lead->prospect.family_name == "Notepad");
}

BOOST_AUTO_TEST_CASE(utf16_documents_with_a_byte_order_mark_are_decoded) {
  // PowerShell's `>` and Notepad's "Unicode" write UTF-16 with a byte order mark.
  const auto spec = load_ok("format: json\nfields:\n  prospect.family_name: /name\n");
  const std::u16string text = u"[{\"name\": \"M\u00fcller\"},\r\n {\"name\": \"\U0001F600\"}]\r\n";
  for (const bool little : {true, false}) {
    std::string bytes = little ? "\xFF\xFE" : "\xFE\xFF";
    for (const char16_t unit : text) {
      const auto lo = static_cast<char>(unit & 0xFF), hi = static_cast<char>(unit >> 8);
      bytes += little ? std::string{lo, hi} : std::string{hi, lo};
    }
    const auto m = map_text(spec, bytes);
    BOOST_TEST_REQUIRE(m.status.ok(), describe(m));
    BOOST_TEST_REQUIRE(m.records.size() == 2u, describe(m));
    BOOST_TEST_REQUIRE(m.records[0].ok(), describe(m));
    BOOST_TEST(m.records[0].lead->prospect.family_name == "M\u00fcller");
    BOOST_TEST_REQUIRE(m.records[1].ok(), describe(m));
    BOOST_TEST(m.records[1].lead->prospect.family_name == "\U0001F600");
  }
}

BOOST_AUTO_TEST_CASE(invalid_json_and_wrong_shapes) {
  const auto spec = load_ok(kJsonMapping);
  const auto bad = map_text(spec, R"({"leads": [{"name": })");
  BOOST_TEST(!bad.status.ok());
  BOOST_TEST(contains(bad.status_message(), "not valid JSON"), bad.status_message());
  const auto utf = map_text(spec, "{\"leads\": [{\"name\": {\"family\": \"M\xFCller\"}}]}");
  BOOST_TEST(!utf.status.ok());
  BOOST_TEST(contains(utf.status_message(), "not valid JSON"), utf.status_message());
  const auto missing = map_text(spec, R"({"other": []})");
  BOOST_TEST(!missing.status.ok());
  BOOST_TEST(contains(missing.status_message(), "nothing at JSON Pointer /leads"), missing.status_message());
  const auto scalar = map_text(spec, R"({"leads": 5})");
  BOOST_TEST(!scalar.status.ok());
  BOOST_TEST(contains(scalar.status_message(), "neither an object nor an array"), scalar.status_message());
  const auto empty = map_text(spec, "");
  BOOST_TEST(!empty.status.ok());
  const auto none = map_text(spec, R"({"leads": []})");
  BOOST_TEST(none.status.ok());
  BOOST_TEST(none.records.empty());
}

BOOST_AUTO_TEST_CASE(record_limit) {
  const auto spec = load_ok("format: json\nlimits: {max_records: 2}\nfields: {prospect.family_name: /n}\n");
  const auto m = map_text(spec, R"([{"n":"a"},{"n":"b"},{"n":"c"}])");
  BOOST_TEST(!m.status.ok());
  BOOST_TEST(contains(m.status_message(), "3 records, more than the limit of 2"), m.status_message());
}

// {"name": "X", "name": "Y"}: a pointer reads the first, the sender may mean the
// last. The record is refused naming the member; the others are read.
BOOST_AUTO_TEST_CASE(a_member_named_twice_refuses_its_record) {
  const auto spec = load_ok(kJsonMapping);
  const auto m = map_text(spec, R"({"leads": [
    {"name": {"family": "Muster", "family": "Meister"}},
    {"name": {"family": "Zwei"}, "extra": [{"k": 1, "k": 2}]},
    {"name": {"family": "Drei"}, "email": "a@b.de"}
  ]})");
  BOOST_TEST_REQUIRE(m.status.ok(), describe(m));
  BOOST_TEST_REQUIRE(m.records.size() == 3u);
  BOOST_TEST(has_error(m.records[0], "", "/name/family", "appears twice"));
  BOOST_TEST(m.records[0].location == "/leads/0");
  BOOST_TEST(has_error(m.records[1], "", "/extra/0/k", "appears twice"));
  BOOST_TEST_REQUIRE(m.records[2].ok(), describe(m.records[2]));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(form_reader)

BOOST_AUTO_TEST_CASE(urlencoded_decoding) {
  using Pairs = std::vector<std::pair<std::string, std::string>>;
  const Pairs a = parse_urlencoded("a=1&b=x+y%21&c=J%C3%BCrgen");
  BOOST_TEST_REQUIRE(a.size() == 3u);
  BOOST_TEST(a[0].first == "a");
  BOOST_TEST(a[0].second == "1");
  BOOST_TEST(a[1].second == "x y!");
  BOOST_TEST(a[2].second == "Jürgen");
  const Pairs lone = parse_urlencoded("p=100%&q=%zz&r=%4&s=%&t=50%25+off");
  BOOST_TEST_REQUIRE(lone.size() == 5u);
  BOOST_TEST(lone[0].second == "100%");
  BOOST_TEST(lone[1].second == "%zz");
  BOOST_TEST(lone[2].second == "%4");
  BOOST_TEST(lone[3].second == "%");
  BOOST_TEST(lone[4].second == "50% off");
  const Pairs odd = parse_urlencoded("&&flag&=v&k%20ey=v%3D1%26&e=");
  BOOST_TEST_REQUIRE(odd.size() == 4u);
  BOOST_TEST(odd[0].first == "flag");
  BOOST_TEST(odd[0].second == "");
  BOOST_TEST(odd[1].first == "");
  BOOST_TEST(odd[1].second == "v");
  BOOST_TEST(odd[2].first == "k ey");
  BOOST_TEST(odd[2].second == "v=1&");
  BOOST_TEST(odd[3].second == "");
  BOOST_TEST(parse_urlencoded("").empty());
  BOOST_TEST(parse_urlencoded("x=%0D%0A")[0].second == "\r\n");
}

BOOST_AUTO_TEST_CASE(repeated_fields_are_joined) {
  auto record = make_form_record(parse_urlencoded("interest=heat+pump&interest=&interest=solar&single=1"));
  SourcePath p;
  p.text = "interest";
  BOOST_TEST(record->value(p).value_or("<none>") == "heat pump, solar");
  p.text = "single";
  BOOST_TEST(record->value(p).value_or("<none>") == "1");
  p.text = "missing";
  BOOST_TEST(!record->value(p).has_value());
  BOOST_TEST(record->location() == "form");
  auto first_empty = make_form_record(parse_urlencoded("c=&c=on"));
  p.text = "c";
  BOOST_TEST(first_empty->value(p).value_or("<none>") == "on");
  // a value sent again (a page holding the same hidden field twice) is one value
  auto twice = make_form_record(parse_urlencoded("utm=herbst&utm=herbst&n=0&n=1&n=1"));
  p.text = "utm";
  BOOST_TEST(twice->value(p).value_or("<none>") == "herbst");
  p.text = "n";
  BOOST_TEST(twice->value(p).value_or("<none>") == "0, 1");
}

BOOST_AUTO_TEST_CASE(form_through_the_engine) {
  const auto spec = load_ok(R"(format: form
fields:
  prospect.family_name: {from: [last_name, first_name], join: ", ", transforms: [family_name]}
  prospect.given_name: {from: [last_name, first_name], join: ", ", transforms: [given_name]}
  prospect.email: {from: email, transforms: [email]}
  attributes.interests: interest
)");
  const auto m =
      map_text(spec, "first_name=J%C3%BCrgen&last_name=M%C3%BCller&email=J%40Example.de&interest=a&interest=b");
  BOOST_TEST_REQUIRE(m.status.ok(), describe(m));
  BOOST_TEST_REQUIRE(m.records.size() == 1u);
  BOOST_TEST_REQUIRE(m.records[0].ok(), describe(m));
  BOOST_TEST(m.records[0].location == "form");
  BOOST_TEST(m.records[0].lead->prospect.family_name == "Müller");
  BOOST_TEST(m.records[0].lead->prospect.given_name == "Jürgen");
  BOOST_TEST(m.records[0].lead->prospect.email == "j@example.de");
  BOOST_TEST(m.records[0].lead->attributes.at("interests") == "a, b");

  const auto latin1 = map_text(spec, "last_name=M%FCller");
  BOOST_TEST(!latin1.status.ok());
  BOOST_TEST(contains(latin1.status_message(), "form field last_name: not valid UTF-8"), latin1.status_message());

  const auto small = load_ok("format: form\nlimits: {max_document_bytes: 8}\nfields: {prospect.family_name: n}\n");
  const auto big = map_text(small, "n=0123456789");
  BOOST_TEST(!big.status.ok());
  BOOST_TEST(contains(big.status_message(), "document larger than 8 bytes"), big.status_message());
}

BOOST_AUTO_TEST_CASE(web_form_fixtures_map) {
  const auto spec = load_mapping(std::string(LEADHUB_SOURCE_DIR) + "/config/mappings/web-form.yaml");
  BOOST_TEST_REQUIRE(spec.ok(), (spec.ok() ? "" : spec.error().message));
  std::ifstream in(std::string(LEADHUB_SOURCE_DIR) + "/tests/fixtures/web-form/contact-full.txt", std::ios::binary);
  BOOST_TEST_REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  std::string body = text.str();
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
  const auto m = map_text(*spec, body);
  BOOST_TEST_REQUIRE(m.status.ok(), describe(m));
  BOOST_TEST_REQUIRE(m.records.size() == 1u);
  BOOST_TEST_REQUIRE(m.records[0].ok(), describe(m));
  const Lead& lead = *m.records[0].lead;
  BOOST_TEST(lead.prospect.given_name == "Jürgen");
  BOOST_TEST(lead.prospect.family_name == "Müller-Lüdenscheidt");
  BOOST_TEST(lead.prospect.email == "juergen.mueller@example.de");
  BOOST_TEST(lead.prospect.phone == "+49301234567");
}

BOOST_AUTO_TEST_SUITE_END()
