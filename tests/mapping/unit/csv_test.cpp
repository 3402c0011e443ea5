// mapping/csv_reader.cpp: the CSV dialect (delimiters, quotes, line breaks, BOM,
// encodings), per-record errors that leave the other records alone, and
// document errors that stop reading with the line.
#include <boost/test/unit_test.hpp>

#include <sstream>

#include "mapping/csv_reader.hpp"
#include "mapping/encoding.hpp"
#include "mapping_support.hpp"

using namespace leadhub;
using namespace leadhub::mapping;
using namespace leadhub::mapping::test;

namespace {

struct Read {
  std::vector<std::unique_ptr<Record>> records;
  std::optional<std::string> error;  // document error that stopped reading

  std::string get(std::size_t i, const std::string& column) const {
    BOOST_TEST_REQUIRE(i < records.size(), "no record " << i << ", only " << records.size());
    SourcePath p;
    p.text = column;
    if (column.find_first_not_of("0123456789") == std::string::npos) p.column = std::stoi(column) - 1;
    auto v = records[i]->value(p);
    return v ? *v : "<none>";
  }
  std::string location(std::size_t i) const {
    BOOST_TEST_REQUIRE(i < records.size());
    return records[i]->location();
  }
  const ErrorRecord* broken(std::size_t i) const {
    BOOST_TEST_REQUIRE(i < records.size());
    return dynamic_cast<const ErrorRecord*>(records[i].get());
  }
};

Read read_csv(const std::string& input, CsvOptions options = {}, Limits limits = {}) {
  std::istringstream in(input);
  CsvReader reader(options, limits, in);
  Read out;
  for (int guard = 0; guard < 1000000; ++guard) {
    auto next = reader.next();
    if (!next) {
      out.error = next.error().message;
      break;
    }
    if (!*next) break;
    out.records.push_back(std::move(*next));
  }
  return out;
}

CsvOptions semicolon() {
  CsvOptions o;
  o.delimiter = ';';
  return o;
}

CsvOptions with_encoding(CsvOptions::Encoding e) {
  CsvOptions o = semicolon();
  o.encoding = e;
  return o;
}

const char* const kMapping = R"(format: csv
csv: {delimiter: ";"}
fields:
  prospect.family_name: {from: Name, required: true}
  attributes.text: Text
)";

}  // namespace

BOOST_AUTO_TEST_SUITE(csv_reader)

BOOST_AUTO_TEST_CASE(semicolon_quotes_escapes_and_embedded_line_breaks) {
  const std::string input =
      "Name;Text;City\r\n"
      "Anna;\"a;b\";Berlin\r\n"
      "Ben;\"say \"\"hi\"\"\";Bonn\r\n"
      "Carl;\"line1\r\nline2\";Köln\r\n"
      "Dora;\"x\ny\";Dorf\r\n"
      "Emil;\"\";\"\"\"\"\r\n";
  const auto r = read_csv(input, semicolon());
  BOOST_TEST(!r.error.has_value());
  BOOST_TEST_REQUIRE(r.records.size() == 5u);
  BOOST_TEST(r.get(0, "Text") == "a;b");
  BOOST_TEST(r.get(0, "City") == "Berlin");
  BOOST_TEST(r.get(1, "Text") == "say \"hi\"");
  BOOST_TEST(r.get(2, "Text") == "line1\r\nline2");
  BOOST_TEST(r.get(2, "City") == "Köln");
  BOOST_TEST(r.get(3, "Text") == "x\ny");
  BOOST_TEST(r.get(3, "City") == "Dorf");
  BOOST_TEST(r.get(4, "Text") == "");
  BOOST_TEST(r.get(4, "City") == "\"");
  BOOST_TEST(r.location(0) == "line 2");
  BOOST_TEST(r.location(2) == "line 4");
  BOOST_TEST(r.location(3) == "line 6");  // Carl's record spans lines 4 and 5
  BOOST_TEST(r.location(4) == "line 8");
}

BOOST_AUTO_TEST_CASE(crlf_lf_and_cr_files_read_the_same) {
  const std::string lf = "Name;Text\nAnna;eins\nBen;zwei\n";
  const std::string crlf = "Name;Text\r\nAnna;eins\r\nBen;zwei\r\n";
  const std::string cr = "Name;Text\rAnna;eins\rBen;zwei\r";
  const std::string no_final = "Name;Text\r\nAnna;eins\r\nBen;zwei";
  for (const auto& input : {lf, crlf, cr, no_final}) {
    const auto r = read_csv(input, semicolon());
    BOOST_TEST_REQUIRE(r.records.size() == 2u);
    BOOST_TEST(r.get(0, "Text") == "eins");
    BOOST_TEST(r.get(1, "Text") == "zwei");  // no stray \r
    BOOST_TEST(r.get(1, "Name") == "Ben");
    BOOST_TEST(r.location(1) == "line 3");
  }
}

BOOST_AUTO_TEST_CASE(bom_is_skipped) {
  const auto r = read_csv("\xEF\xBB\xBFName;Text\nAnna;x\n", semicolon());
  BOOST_TEST_REQUIRE(r.records.size() == 1u);
  BOOST_TEST(r.get(0, "Name") == "Anna");
}

// UTF-16 text in the file's byte order, preceded by its mark.
std::string utf16_file(const std::u16string& text, bool little_endian) {
  std::string out = little_endian ? "\xFF\xFE" : "\xFE\xFF";
  for (const char16_t unit : text) {
    const auto low = static_cast<char>(unit & 0xFF), high = static_cast<char>(unit >> 8);
    out += little_endian ? low : high;
    out += little_endian ? high : low;
  }
  return out;
}

BOOST_AUTO_TEST_CASE(utf16_files_with_a_byte_order_mark_are_decoded) {
  for (const bool little_endian : {true, false}) {
    BOOST_TEST_CONTEXT((little_endian ? "UTF-16LE" : "UTF-16BE")) {
      // ISO-8859-1 expected by the mapping: the mark says otherwise, and wins.
      CsvOptions o = semicolon();
      o.encoding = CsvOptions::Encoding::latin1;
      const auto r = read_csv(utf16_file(u"Name;Ort\r\nM\u00fcller;K\u00f6ln \U0001F600\r\n", little_endian), o);
      BOOST_TEST_REQUIRE(r.records.size() == 1u);
      BOOST_TEST(r.get(0, "Name") == "M\u00fcller");
      BOOST_TEST(r.get(0, "Ort") == "K\u00f6ln \U0001F600");
    }
  }
}

// Excel's "Unicode text" is UTF-16 with TABs, whatever delimiter the mapping names:
// it was refused ("the file seems to use TAB"), though nobody can save it otherwise.
BOOST_AUTO_TEST_CASE(excel_unicode_text_is_read_with_tab_under_a_semicolon_mapping) {
  const auto spec = load_ok(kMapping);
  for (const bool little_endian : {true, false}) {
    BOOST_TEST_CONTEXT((little_endian ? "UTF-16LE" : "UTF-16BE")) {
      const auto m =
          map_text(spec, utf16_file(u"Name\tText\r\nM\u00fcller\t\"a; b\"\r\nGro\u00df\tc \u20ac\r\n", little_endian));
      BOOST_TEST_REQUIRE(m.status.ok(), describe(m));
      BOOST_TEST_REQUIRE(m.records.size() == 2u);
      BOOST_TEST_REQUIRE(m.records[0].ok(), describe(m));
      BOOST_TEST(m.records[0].lead->prospect.family_name == "M\u00fcller");
      BOOST_TEST(m.records[0].lead->attributes.at("text") == "a; b");
      BOOST_TEST(m.records[1].lead->attributes.at("text") == "c \u20ac");
      BOOST_TEST_REQUIRE(m.records[0].notices.size() == 1u, describe(m));
      BOOST_TEST(m.records[0].notices[0] ==
                 "the file is UTF-16 with TAB between the fields (Excel's \"Unicode text\"): read with TAB, not ';' "
                 "as csv.delimiter says");
    }
  }
  // UTF-16 in the mapping's own delimiter is read with it, TABs inside fields kept
  const auto own = read_csv(utf16_file(u"Name;Text\r\nA;x\ty\r\n", true), semicolon());
  BOOST_TEST(own.get(0, "Text") == "x\ty");
}

// The reader takes 64 KiB at a time; after the 2-byte mark the first chunk holds 32,767
// units, so a surrogate pair starting at unit 32,766 is split between two chunks.
BOOST_AUTO_TEST_CASE(utf16_across_the_read_buffer) {
  std::u16string text = u"Name\n" + std::u16string(32760, u'a') + u"\n";
  BOOST_TEST_REQUIRE(text.size() == 32766u);
  std::vector<std::string> expected{std::string(32760, 'a')};
  for (int i = 0; i < 9000; ++i) {
    text += u"\U0001F600a\u00e4" + std::u16string(i % 3, u'x') + u"\n";
    expected.push_back("\U0001F600a\u00e4" + std::string(i % 3, 'x'));
  }
  for (const bool little_endian : {true, false}) {
    const auto r = read_csv(utf16_file(text, little_endian), semicolon());
    BOOST_TEST_REQUIRE(r.records.size() == expected.size());
    for (std::size_t i = 0; i < expected.size(); ++i) BOOST_TEST_REQUIRE(r.get(i, "Name") == expected[i]);
  }
}

BOOST_AUTO_TEST_CASE(broken_utf16_becomes_replacement_characters) {
  std::string out;
  // A lone low surrogate, a high surrogate followed by a letter, an odd last byte.
  const std::string units = std::string("\x00\xDC", 2) + std::string("\x3D\xD8\x41\x00", 4) + "z";
  BOOST_TEST(append_utf16_as_utf8(out, units, Utf16::little_endian, true) == 0u);
  BOOST_TEST(out == "\uFFFD\uFFFDA\uFFFD");
  // Not at the end: a high surrogate and half a unit wait for the next bytes.
  out.clear();
  BOOST_TEST(append_utf16_as_utf8(out, std::string("\x41\x00\x3D\xD8", 4), Utf16::little_endian, false) == 2u);
  BOOST_TEST(out == "A");
  out.clear();
  BOOST_TEST(append_utf16_as_utf8(out, std::string("\x41\x00\x42", 3), Utf16::little_endian, false) == 1u);
  BOOST_TEST(out == "A");
}

BOOST_AUTO_TEST_CASE(excel_separator_line) {
  // Skipped when it names the mapping's delimiter; line numbers stay the file's.
  for (const char* first : {"sep=;\r\n", "SEP=;\n"}) {
    const auto r = read_csv(std::string(first) + "Name;Ort\nA;B\n", semicolon());
    BOOST_TEST_REQUIRE(!r.error);
    BOOST_TEST_REQUIRE(r.records.size() == 1u);
    BOOST_TEST(r.get(0, "Ort") == "B");
    BOOST_TEST(r.location(0) == "line 3");
  }
  // Another separator: the file is not what the mapping reads.
  const auto other = read_csv("sep=,\nName,Ort\nA,B\n", semicolon());
  BOOST_TEST_REQUIRE(other.error.has_value());
  BOOST_TEST(other.error->find("line 1: the file says sep=, but this mapping reads fields separated by ';'") == 0u);
  // Only a first line is Excel's: later it is data.
  const auto later = read_csv("Name;Ort\nsep=;\n", semicolon());
  BOOST_TEST_REQUIRE(later.records.size() == 1u);
  BOOST_TEST(later.get(0, "Name") == "sep=");
}

BOOST_AUTO_TEST_CASE(iso_8859_1_is_converted) {
  const auto r = read_csv(
      "Name;Stra\xDF"
      "e\nM\xFCller;K\xF6nigsallee 5\n\xC4"
      "rger;\x80 \x93gut\x94\n",
      with_encoding(CsvOptions::Encoding::latin1));
  BOOST_TEST_REQUIRE(r.records.size() == 2u);
  BOOST_TEST(r.get(0, "Name") == "Müller");
  BOOST_TEST(r.get(0, "Straße") == "Königsallee 5");  // the header is converted too
  BOOST_TEST(r.get(1, "Name") == "Ärger");
  // 0x80-0x9F of a file labelled ISO-8859-1 are Windows-1252 (as browsers read it);
  // 0x81, which that code page leaves undefined, refuses the record (below).
  BOOST_TEST(r.get(1, "Straße") == "€ “gut”");
}

// Excel for Mac's plain "CSV" is Mac OS Roman: read as Windows-1252 "Jürgen" became
// "JŸrgen" without a word. A partner whose files come from a Mac says mac-roman.
BOOST_AUTO_TEST_CASE(mac_roman_is_converted) {
  const auto r = read_csv("Name;Ort\nJ\x9Frgen Gro\xA7;D\x9Fsseldorf \x8A\x9A \x80\x85\x86 \xDB 5\n",
                          with_encoding(CsvOptions::Encoding::mac_roman));
  BOOST_TEST_REQUIRE(r.records.size() == 1u);
  BOOST_TEST(r.get(0, "Name") == "Jürgen Groß");
  BOOST_TEST(r.get(0, "Ort") == "Düsseldorf äö ÄÖÜ € 5");
  for (const char* name : {"mac-roman", "macintosh"}) {
    const auto spec = load_ok(std::string("format: csv\ncsv: {delimiter: \";\", encoding: ") + name +
                              "}\nfields:\n  prospect.family_name: Name\n");
    BOOST_TEST((spec->csv.encoding == CsvOptions::Encoding::mac_roman));
  }
}

BOOST_AUTO_TEST_CASE(utf8_fields_under_a_single_byte_mapping_stay_utf8) {
  // Re-saved by a UTF-8 tool without a mark, or rows pasted from one: each field that
  // is valid UTF-8 is taken as it is, the others are converted.
  for (const auto encoding : {CsvOptions::Encoding::latin1, CsvOptions::Encoding::windows1252}) {
    const auto r =
        read_csv("Name;Ort\nM\xC3\xBCller;K\xC3\xB6ln \xE2\x82\xAC\nM\xFCller;K\xF6ln\n", with_encoding(encoding));
    BOOST_TEST_REQUIRE(r.records.size() == 2u);
    BOOST_TEST(r.get(0, "Name") == "Müller");
    BOOST_TEST(r.get(0, "Ort") == "Köln €");
    BOOST_TEST(r.get(1, "Name") == "Müller");
    BOOST_TEST(r.get(1, "Ort") == "Köln");
  }
}

BOOST_AUTO_TEST_CASE(a_utf8_byte_order_mark_wins_over_the_mapping_encoding) {
  // The partner switched to UTF-8 (Excel's "CSV UTF-8") and the mapping still says
  // ISO-8859-1: read as ISO-8859-1, "Müller" would become "MÃ¼ller".
  const auto r =
      read_csv("\xEF\xBB\xBFName;Ort\r\nM\xC3\xBCller;K\xC3\xB6ln\r\n", with_encoding(CsvOptions::Encoding::latin1));
  BOOST_TEST_REQUIRE(r.records.size() == 1u);
  BOOST_TEST(r.get(0, "Name") == "Müller");
  BOOST_TEST(r.get(0, "Ort") == "Köln");
}

BOOST_AUTO_TEST_CASE(windows_1252_is_converted) {
  const auto r = read_csv("Name;Text\nM\xFCller;\x80 100 \x84Zitat\x93 \x96 \x9F\n",
                          with_encoding(CsvOptions::Encoding::windows1252));
  BOOST_TEST_REQUIRE(r.records.size() == 1u);
  BOOST_TEST(r.get(0, "Name") == "Müller");
  BOOST_TEST(r.get(0, "Text") == "€ 100 „Zitat“ – Ÿ");
  // helper for XML and forms: U+FFFD for an unassigned byte (CSV refuses the record, below)
  BOOST_TEST(single_byte_to_utf8("\x81", SingleByte::windows1252) == "\xEF\xBF\xBD");
}

BOOST_AUTO_TEST_CASE(encoding_auto_keeps_utf8_and_converts_the_rest) {
  const auto r =
      read_csv("Name;Text\nMüller;\x80 5\nM\xFCller;Straße\n", with_encoding(CsvOptions::Encoding::auto_detect));
  BOOST_TEST_REQUIRE(r.records.size() == 2u);
  BOOST_TEST(r.get(0, "Name") == "Müller");
  BOOST_TEST(r.get(0, "Text") == "€ 5");
  BOOST_TEST(r.get(1, "Name") == "Müller");
  BOOST_TEST(r.get(1, "Text") == "Straße");
}

BOOST_AUTO_TEST_CASE(invalid_utf8_reported_with_line_and_column_name) {
  const auto r = read_csv("Name;Text\nok;fine\nM\xFCller;x\nok2;fine\n", semicolon());
  BOOST_TEST(!r.error.has_value());
  BOOST_TEST_REQUIRE(r.records.size() == 3u);
  BOOST_TEST(r.broken(0) == nullptr);
  const auto* bad = r.broken(1);
  BOOST_TEST_REQUIRE(bad != nullptr);
  BOOST_TEST(bad->location() == "line 3");
  BOOST_TEST(contains(bad->reason(), "Name: not valid UTF-8"), bad->reason());  // the location carries "line 3"
  BOOST_TEST(!contains(bad->reason(), "line 3"), bad->reason());
  BOOST_TEST(contains(bad->reason(), "csv.encoding"), bad->reason());
  BOOST_TEST(r.broken(2) == nullptr);
  BOOST_TEST(r.get(2, "Name") == "ok2");

  // through the engine: an error for that record, the others map
  const auto m = map_text(load_ok(kMapping), "Name;Text\nAnna;x\nM\xFCller;y\nBen;z\n");
  BOOST_TEST(m.status.ok(), describe(m));
  BOOST_TEST_REQUIRE(m.records.size() == 3u);
  BOOST_TEST(m.records[0].ok(), describe(m));
  BOOST_TEST(!m.records[1].ok());
  BOOST_TEST(m.records[1].location == "line 3");
  BOOST_TEST(has_error(m.records[1], "", "", "Name: not valid UTF-8"));
  BOOST_TEST_REQUIRE(!m.records[1].errors.empty());
  BOOST_TEST(!contains(m.records[1].errors[0].to_string(), "line 3: line 3:"),
             "location repeated: " << m.records[1].errors[0].to_string());
  BOOST_TEST(m.records[2].ok(), describe(m));
}

BOOST_AUTO_TEST_CASE(invalid_utf8_in_the_header_does_not_swallow_the_next_line) {
  // A Latin-1 header read as UTF-8 is an error; the line after it must not silently
  // become the header (its record would vanish without a trace).
  const auto m = map_text(load_ok(kMapping), "Name;T\xE9xt\nAnna;x\nBen;y\n");
  bool line2_reported = false;
  for (const auto& r : m.records) line2_reported = line2_reported || r.location == "line 2";
  BOOST_TEST((!m.status.ok() || line2_reported), "record on line 2 vanished: " << describe(m));
}

BOOST_AUTO_TEST_CASE(more_fields_than_header_is_an_error_for_that_record_only) {
  const auto r = read_csv("Name;Text\nAnna;x\nBen;y;extra\nCarl;z\n", semicolon());
  BOOST_TEST(!r.error.has_value());
  BOOST_TEST_REQUIRE(r.records.size() == 3u);
  const auto* bad = r.broken(1);
  BOOST_TEST_REQUIRE(bad != nullptr);
  BOOST_TEST(bad->location() == "line 3");
  BOOST_TEST(contains(bad->reason(), "3 fields but the header has 2"), bad->reason());

  const auto m = map_text(load_ok(kMapping), "Name;Text\nAnna;x\nBen;y;extra\nCarl;z\n");
  BOOST_TEST(m.status.ok());
  BOOST_TEST_REQUIRE(m.records.size() == 3u);
  BOOST_TEST(m.records[0].ok(), describe(m));
  BOOST_TEST(has_error(m.records[1], "", "", "3 fields but the header has 2"));
  BOOST_TEST(m.records[1].location == "line 3");
  BOOST_TEST(m.records[2].ok(), describe(m));
  BOOST_TEST_REQUIRE(m.records[2].lead.has_value());
  BOOST_TEST(m.records[2].lead->prospect.family_name == "Carl");
}

BOOST_AUTO_TEST_CASE(short_rows_are_padded) {
  const auto r = read_csv("A;B;C\n1\n", semicolon());
  BOOST_TEST_REQUIRE(r.records.size() == 1u);
  BOOST_TEST(r.get(0, "A") == "1");
  BOOST_TEST(r.get(0, "C") == "<none>");
  BOOST_TEST(r.get(0, "Missing") == "<none>");
}

// Blank lines, and rows of delimiters only (Excel writes them), are no records.
BOOST_AUTO_TEST_CASE(blank_lines_and_rows_of_delimiters_only_are_skipped) {
  for (const char* text : {"Name;Text\n\nAnna;x\n   \n\t\n\r\nBen;y\n\n",
                           "Name;Text;Ort\n;;\nAnna;x;y\n;;\r\n ; ;\n\"\";\"\";\nBen;y;z\n"}) {
    const auto r = read_csv(text, semicolon());
    BOOST_TEST(!r.error.has_value());
    BOOST_TEST_REQUIRE(r.records.size() == 2u);
    BOOST_TEST(r.get(0, "Name") == "Anna");
    BOOST_TEST(r.location(0) == "line 3");
    BOOST_TEST(r.get(1, "Name") == "Ben");
    BOOST_TEST(r.location(1) == "line 7");
  }
}

BOOST_AUTO_TEST_CASE(header_false_addresses_columns_by_number) {
  CsvOptions o = semicolon();
  o.header = false;
  const auto r = read_csv("Anna;Muster;anna@example.de\nBen;Beispiel\n", o);
  BOOST_TEST_REQUIRE(r.records.size() == 2u);
  BOOST_TEST(r.get(0, "2") == "Muster");
  BOOST_TEST(r.get(0, "3") == "anna@example.de");
  BOOST_TEST(r.location(0) == "line 1");
  BOOST_TEST(r.get(1, "3") == "<none>");
  BOOST_TEST(r.get(1, "Name") == "<none>");  // no header: names address nothing

  const auto spec = load_ok(
      "format: csv\ncsv: {delimiter: \";\", header: false}\nfields:\n  prospect.family_name: 2\n  prospect.email: "
      "{from: 3, transforms: [email]}\n");
  const auto m = map_text(spec, "Anna;Muster;Anna@Example.de\n");
  BOOST_TEST_REQUIRE(m.records.size() == 1u);
  BOOST_TEST_REQUIRE(m.records[0].ok(), describe(m));
  BOOST_TEST(m.records[0].lead->prospect.family_name == "Muster");
  BOOST_TEST(m.records[0].lead->prospect.email == "anna@example.de");
}

BOOST_AUTO_TEST_CASE(unclosed_quote_at_eof_is_a_document_error_with_line) {
  const auto r = read_csv("Name;Text\nAnna;x\nBen;\"never closed\nmore\nlines\n", semicolon());
  BOOST_TEST_REQUIRE(r.error.has_value());
  BOOST_TEST(contains(*r.error, "line 3"), *r.error);
  BOOST_TEST(contains(*r.error, "quoted field never closed"), *r.error);
  BOOST_TEST(r.records.size() == 1u);  // Anna was delivered before

  const auto m = map_text(load_ok(kMapping), "Name;Text\nAnna;x\nBen;\"never closed\n");
  BOOST_TEST(!m.status.ok());
  BOOST_TEST(contains(m.status_message(), "line 3: quoted field never closed"), m.status_message());
  BOOST_TEST(m.records.size() == 1u);
}

BOOST_AUTO_TEST_CASE(quote_at_the_very_end_and_stray_quotes) {
  const auto r = read_csv("Name;Text\nAnna;\"closed at eof\"", semicolon());
  BOOST_TEST(!r.error.has_value());
  BOOST_TEST_REQUIRE(r.records.size() == 1u);
  BOOST_TEST(r.get(0, "Text") == "closed at eof");
  const auto stray = read_csv("Name;Text\n12\" Monitor;a\"b\"c\n", semicolon());
  BOOST_TEST_REQUIRE(stray.records.size() == 1u);
  BOOST_TEST(stray.get(0, "Name") == "12\" Monitor");
  BOOST_TEST(stray.get(0, "Text") == "a\"b\"c");
}

BOOST_AUTO_TEST_CASE(blanks_around_a_quoted_field_are_not_part_of_it) {
  // "Name; \"Hans\" ;" as spreadsheet exports and hand-edited files write it: without
  // this the quotes would be kept as text and the delimiter inside would split the field.
  const auto r = read_csv(
      "Name;Ort;Text\n  \"M\u00fcller; Sohn\"  ;\t\"Berlin\"\t;  plain  \n"
      "\" a \" ;  ;\"x\" y\n",
      semicolon());
  BOOST_TEST_REQUIRE(!r.error.has_value());
  BOOST_TEST_REQUIRE(r.records.size() == 2u);
  BOOST_TEST(r.get(0, "Name") == "M\u00fcller; Sohn");
  BOOST_TEST(r.get(0, "Ort") == "Berlin");
  BOOST_TEST(r.get(0, "Text") == "  plain  ");  // unquoted: the field as written
  BOOST_TEST(r.get(1, "Name") == " a ");        // inside the quotes blanks are text
  BOOST_TEST(r.get(1, "Ort") == "  ");
  BOOST_TEST(r.get(1, "Text") == "x y");  // text after the closing quote is kept
}

BOOST_AUTO_TEST_CASE(other_quote_and_tab_delimiter) {
  CsvOptions o;
  o.delimiter = '\t';
  o.quote = '\'';
  const auto r = read_csv("Name\tText\nAnna\t'a\tb ''c'''\n", o);
  BOOST_TEST_REQUIRE(r.records.size() == 1u);
  BOOST_TEST(r.get(0, "Text") == "a\tb 'c'");
  BOOST_TEST(read_csv(" Name ;Text\nAnna;x\n", semicolon()).get(0, "Name") == "Anna");  // header names trimmed
}

BOOST_AUTO_TEST_CASE(quotes_and_line_ends_across_the_read_buffer) {
  // The reader works in 64 KiB chunks: put "" escapes, closing quotes and CRLF on
  // and around the chunk boundary.
  for (std::size_t shift = 0; shift < 8; ++shift) {
    const std::string header = "A;B\r\n";
    const std::size_t k = 65536 - header.size() - 1 - 4 + shift;  // the "" lands at 65532+shift
    std::string input = header + "\"" + std::string(k, 'a') + "\"\"b\";z\r\n" + "next;row\r\n";
    const auto r = read_csv(input, semicolon());
    BOOST_TEST_REQUIRE(!r.error.has_value(), "shift " << shift << ": " << *r.error);
    BOOST_TEST_REQUIRE(r.records.size() == 2u, "shift " << shift);
    BOOST_TEST(r.get(0, "A") == std::string(k, 'a') + "\"b", "shift " << shift);
    BOOST_TEST(r.get(0, "B") == "z", "shift " << shift);
    BOOST_TEST(r.get(1, "A") == "next", "shift " << shift);
    BOOST_TEST(r.get(1, "B") == "row", "shift " << shift);
    BOOST_TEST(r.location(1) == "line 3", "shift " << shift);
  }
  CsvOptions none_limit = semicolon();
  Limits big;
  big.max_field_bytes = 1 << 20;
  for (std::size_t shift = 0; shift < 4; ++shift) {
    const std::string header = "A;B\r\n";
    std::string input = header + std::string(65536 - header.size() - 4 + shift, 'x') + ";y\r\nn;m\r\n";
    const auto r = read_csv(input, none_limit, big);
    BOOST_TEST_REQUIRE(r.records.size() == 2u, "shift " << shift);
    BOOST_TEST(r.get(0, "B") == "y", "shift " << shift);
    BOOST_TEST(r.get(1, "A") == "n", "shift " << shift);
  }
}

BOOST_AUTO_TEST_CASE(limits_records_document_and_fields) {
  Limits two;
  two.max_records = 2;
  const auto r = read_csv("A\n1\n2\n3\n", {}, two);
  BOOST_TEST_REQUIRE(r.error.has_value());
  BOOST_TEST(contains(*r.error, "line 4: more than 2 records"), *r.error);
  BOOST_TEST(r.records.size() == 2u);

  Limits small;
  small.max_document_bytes = 10;
  const auto d = read_csv("A\n123456789\n123456789\n", {}, small);
  BOOST_TEST_REQUIRE(d.error.has_value());
  BOOST_TEST(contains(*d.error, "document larger than 10 bytes"), *d.error);

  Limits field;
  field.max_field_bytes = 4;
  const auto f = read_csv("A;B\n\"" + std::string(100, 'x') + "\n", semicolon(), field);
  BOOST_TEST_REQUIRE(f.error.has_value());
  BOOST_TEST(contains(*f.error, "line 2: quoted field never closed"), *f.error);

  // a field over max_field_bytes (but not 4x) is an error for the record in the engine
  const auto spec = load_ok(std::string(kMapping) + "limits: {max_field_bytes: 5}\n");
  const auto m = map_text(spec, "Name;Text\nAnna;123456\nBen;12345\n");
  BOOST_TEST_REQUIRE(m.records.size() == 2u);
  BOOST_TEST(has_error(m.records[0], "attributes.text", "Text", "longer than 5 bytes"));
  BOOST_TEST(m.records[1].ok(), describe(m));
}

BOOST_AUTO_TEST_CASE(a_field_too_long_to_keep_refuses_its_record_and_the_next_rows_are_read) {
  // Four times max_field_bytes and more is read past, not kept: a per-record too_long
  // naming the line and column, quoted (with delimiters, "" and line breaks inside)
  // or not, across the 64 KiB read buffer; the rows after it are read.
  Limits small;
  small.max_field_bytes = 1000;
  const std::string big(300000, 'A');
  std::string quoted_big = "\"";
  for (int i = 0; i < 20000; ++i) quoted_big += "x;\"\"y\r\n";
  quoted_big += "\"";
  for (const auto& field : {big, quoted_big}) {
    const auto r = read_csv("Name;Text\nAnna;x\nBen;" + field + "\nCarl;z\n", semicolon(), small);
    BOOST_TEST_REQUIRE(!r.error.has_value(), *r.error);
    BOOST_TEST_REQUIRE(r.records.size() == 3u);
    const auto* bad = r.broken(1);
    BOOST_TEST_REQUIRE(bad != nullptr);
    BOOST_TEST(bad->location() == "line 3");
    BOOST_TEST(bad->source() == "Text");
    BOOST_TEST(to_string(bad->code()) == std::string("too_long"));
    BOOST_TEST(contains(bad->reason(), "longer than 1000 bytes"), bad->reason());
    BOOST_TEST(r.broken(2) == nullptr);
    BOOST_TEST(r.get(2, "Name") == "Carl");
    BOOST_TEST(r.location(2) == "line " + std::to_string(field == big ? 4 : 20004));
  }
  // through the engine: the record's error carries code and column, the next maps
  const auto spec = load_ok(std::string(kMapping) + "limits: {max_field_bytes: 1000}\n");
  const auto m = map_text(spec, "Name;Text\nAnna;x\nBen;" + big + "\nCarl;z\n");
  BOOST_TEST(m.status.ok(), describe(m));
  BOOST_TEST_REQUIRE(m.records.size() == 3u);
  BOOST_TEST(has_error(m.records[1], "", "Text", "longer than 1000 bytes"));
  BOOST_TEST(m.records[1].errors[0].code == MappingErrorCode::too_long);
  BOOST_TEST(m.records[2].ok(), describe(m));
  // an unclosed quote is still a document error, naming the line the quote opens on
  const auto open = read_csv("Name;Text\nAnna;x\nBen;y\nCarl;\"" + big + "\nmore\n", semicolon(), small);
  BOOST_TEST_REQUIRE(open.error.has_value());
  BOOST_TEST(contains(*open.error, "line 4: quoted field never closed"), *open.error);
  BOOST_TEST(open.records.size() == 2u);
}

BOOST_AUTO_TEST_CASE(bytes_windows_1252_does_not_define_refuse_the_record) {
  // "M\x81ller" is M\u00fcller from a DOS (CP850) export: decoding it as ISO-8859-1 or
  // Windows-1252 would drop or garble the letter, silently. Each undefined byte.
  for (const auto e :
       {CsvOptions::Encoding::latin1, CsvOptions::Encoding::windows1252, CsvOptions::Encoding::auto_detect}) {
    for (const char b : {'\x81', '\x8D', '\x8F', '\x90', '\x9D'}) {
      const auto r = read_csv(std::string("Name;Text\nM") + b + "ller;x\nGr\xF6\xDF" + "e;\x80 5\n", with_encoding(e));
      BOOST_TEST_REQUIRE(!r.error.has_value(), *r.error);
      BOOST_TEST_REQUIRE(r.records.size() == 2u);
      const auto* bad = r.broken(0);
      BOOST_TEST_REQUIRE(bad != nullptr, "byte " << int(static_cast<unsigned char>(b)));
      BOOST_TEST(bad->location() == "line 2");
      BOOST_TEST(to_string(bad->code()) == std::string("invalid_encoding"));
      BOOST_TEST(bad->source() == "Name");
      BOOST_TEST(
          contains(bad->reason(), std::string("byte 0x") + "0123456789ABCDEF"[(static_cast<unsigned char>(b) >> 4U)]),
          bad->reason());
      BOOST_TEST(contains(bad->reason(), "at position 2"), bad->reason());
      BOOST_TEST(contains(bad->reason(), "CP850"), bad->reason());
      BOOST_TEST(r.broken(1) == nullptr);
      BOOST_TEST(r.get(1, "Name") == "Gr\u00f6\u00dfe");  // defined bytes decode as before
      BOOST_TEST(r.get(1, "Text") == "\u20ac 5");
    }
  }
  BOOST_TEST(first_undefined_byte("ab\x81", SingleByte::latin9) == std::string_view::npos);
  const auto m = map_text(load_ok("format: csv\ncsv: {delimiter: \";\", encoding: iso-8859-1}\nfields:\n"
                                  "  prospect.family_name: Name\n"),
                          "Name;Text\nM\x81ller;x\n");
  BOOST_TEST_REQUIRE(m.records.size() == 1u);
  BOOST_TEST(has_error(m.records[0], "", "", "0x81"));
  BOOST_TEST(m.records[0].errors[0].code == MappingErrorCode::invalid_encoding);
}

BOOST_AUTO_TEST_CASE(trailing_empty_fields_past_the_header_are_tolerated) {
  const auto r = read_csv("Name;Text\nAnna;x;\nBen;y; ;\nCarl;z;extra\n", semicolon());
  BOOST_TEST(!r.error.has_value());
  BOOST_TEST_REQUIRE(r.records.size() == 3u);
  BOOST_TEST(r.broken(0) == nullptr);
  BOOST_TEST(r.get(0, "Text") == "x");
  BOOST_TEST(r.broken(1) == nullptr);
  BOOST_TEST(r.get(1, "Name") == "Ben");
  BOOST_TEST(r.get(1, "Text") == "y");
  BOOST_TEST(r.get(1, "3") == "<none>");
  const auto* bad = r.broken(2);  // a field with text past the header is still refused
  BOOST_TEST_REQUIRE(bad != nullptr);
  BOOST_TEST(contains(bad->reason(), "3 fields but the header has 2"), bad->reason());
}

BOOST_AUTO_TEST_CASE(a_one_column_header_in_another_delimiter_is_named) {
  for (const auto& [text, shown] : std::vector<std::pair<std::string, std::string>>{
           {"Name,Text,Ort\nAnna,x,y\n", "','"}, {"Name\tText\tOrt\nAnna\tx\ty\n", "TAB"}}) {
    const auto r = read_csv(text, semicolon());
    BOOST_TEST_REQUIRE(r.error.has_value());
    BOOST_TEST(contains(*r.error, "line 1 (header): the header has 1 column; the file seems to use " + shown +
                                      " as delimiter, the mapping expects ';'"),
               *r.error);
  }
  CsvOptions comma;
  comma.delimiter = ',';
  const auto c = read_csv("Name;Text\nAnna;x\n", comma);
  BOOST_TEST_REQUIRE(c.error.has_value());
  BOOST_TEST(contains(*c.error, "seems to use ';' as delimiter, the mapping expects ','"), *c.error);
  // one column the mapping reads is a one-column file, whatever its name holds
  const auto m =
      map_text(load_ok("format: csv\ncsv: {delimiter: \";\"}\nfields:\n  prospect.family_name: \"Name, Vorname\"\n"),
               "Name, Vorname\nMuster, Anna\n");
  BOOST_TEST(m.status.ok(), describe(m));
  BOOST_TEST_REQUIRE(m.records.size() == 1u);
  BOOST_TEST(m.records[0].ok(), describe(m));
}

// A workbook or an archive picked instead of the CSV export: its bytes were blamed
// on a code page (gzip), or read as no records at all (an .xlsx's first "line").
BOOST_AUTO_TEST_CASE(a_workbook_or_archive_is_named_not_read_as_text) {
  using namespace std::string_literals;
  for (const auto& [head, what] : std::vector<std::pair<std::string, std::string>>{
           {"PK\x03\x04\x14\x00\x06\x00"s, "a ZIP archive (an Excel .xlsx or LibreOffice .ods workbook?)"},
           {"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1\x00\x00"s, "an Excel 97-2003 workbook (.xls)"},
           {"\x1F\x8B\x08\x00\x00\x00"s, "a gzip archive"},
           {"%PDF-1.7\n"s, "a PDF document"}}) {
    BOOST_TEST_CONTEXT(what) {
      const auto r = read_csv(head + "Name;Text\nAnna;x\n", with_encoding(CsvOptions::Encoding::latin1));
      BOOST_TEST(r.records.empty());
      BOOST_TEST_REQUIRE(r.error.has_value());
      BOOST_TEST(*r.error == "the file is " + what + ", not CSV text: save or export it as CSV");
    }
  }
  // text that merely starts like one is read
  const auto text = read_csv("PK;Name\n1;Anna\n", semicolon());
  BOOST_TEST(!text.error.has_value());
  BOOST_TEST(text.get(0, "Name") == "Anna");
}

BOOST_AUTO_TEST_CASE(control_characters_are_named_not_blamed_on_the_encoding) {
  // a NUL byte is valid UTF-8: the reason names it, under a UTF-8 mapping and under
  // an ISO-8859-1 one (where the UTF-8 of "\u00fc" beside an ESC stays \u00fc)
  for (const char* encoding : {"utf-8", "iso-8859-1"}) {
    const auto spec = load_ok(std::string("format: csv\ncsv: {delimiter: \";\", encoding: ") + encoding +
                              "}\nfields:\n  prospect.family_name: {from: Name, required: true}\n"
                              "  attributes.text: Text\n  attributes.ok: Ok\n");
    const auto m = map_text(spec, std::string("Name;Text;Ok\nAn\0na;x;\xC3\xBC\nBen;\x1B[1m\xC3\xBC;\xC3\xBC\n", 38));
    BOOST_TEST(m.status.ok(), describe(m));
    BOOST_TEST_REQUIRE(m.records.size() == 2u);
    BOOST_TEST(
        has_error(m.records[0], "prospect.family_name", "Name", "contains a control character U+0000 (NUL) at byte 3"));
    BOOST_TEST_REQUIRE(!m.records[0].errors.empty());
    BOOST_TEST(m.records[0].errors[0].code == MappingErrorCode::control_character);
    BOOST_TEST(m.records[0].location == "line 2");
    BOOST_TEST(has_error(m.records[1], "attributes.text", "Text", "control character U+001B (ESC) at byte 1"));
    BOOST_TEST_REQUIRE(!m.records[1].errors.empty());
    BOOST_TEST(m.records[1].errors[0].code == MappingErrorCode::control_character);
  }
  BOOST_TEST(control_character_name(0x7F) == "U+007F (DEL)");
  BOOST_TEST(first_control_character("a\tb\n", true) == std::string_view::npos);
  BOOST_TEST(first_control_character("a\tb\n", false) == 1u);
}

namespace {

// Three named columns, one of them required, and one column by number.
std::shared_ptr<const MappingSpec> named_columns_spec() {
  return load_ok(R"(name: cols
format: csv
csv: {delimiter: ";"}
fields:
  prospect.given_name: Vorname
  prospect.family_name: {from: Nachname, required: true}
  prospect.email: {from: E-Mail, transforms: [email]}
  attributes.code: 3
)");
}

// The lead a document of one row maps to.
Lead one_lead(const std::shared_ptr<const MappingSpec>& spec, const std::string& text) {
  const auto mapped = map_text(spec, text);
  BOOST_TEST_REQUIRE(mapped.records.size() == 1u);
  BOOST_TEST_REQUIRE(mapped.records[0].ok(), describe(mapped));
  return *mapped.records[0].lead;
}

}  // namespace

// A mapping's column names are resolved once per header row: each document finds
// them wherever its header puts them, a column a header lacks is missing (not
// another column), and a name given twice in a header reads the first.
BOOST_AUTO_TEST_CASE(named_columns_follow_each_documents_header) {
  const auto spec = named_columns_spec();
  const auto first = map_text(spec, "Vorname;Nachname;E-Mail\nAnna;Muster;A@X.DE\n");
  BOOST_TEST_REQUIRE(first.records.size() == 1u);
  BOOST_TEST_REQUIRE(first.records[0].ok(), describe(first));
  BOOST_TEST(first.records[0].lead->prospect.given_name == "Anna");
  BOOST_TEST(first.records[0].lead->prospect.email == "a@x.de");
  BOOST_TEST(first.records[0].lead->attributes.at("code") == "A@X.DE");

  const Lead swapped = one_lead(spec, " E-Mail ;Nachname;Vorname;Nachname\nb@y.de;Beispiel;Ben;Zweiter\n");
  BOOST_TEST(swapped.prospect.given_name == "Ben");
  BOOST_TEST(swapped.prospect.family_name == "Beispiel");
  BOOST_TEST(swapped.prospect.email == "b@y.de");

  const auto lacking = map_text(spec, "Vorname;E-Mail\nCarla;c@z.de\n");
  BOOST_TEST_REQUIRE(lacking.records.size() == 1u);
  BOOST_TEST(has_error(lacking.records[0], "prospect.family_name", "Nachname", "required"));
}

// Files name a column in their own spelling: another case, or other separators.
// An exact name wins over a spelling that only folds to it.
BOOST_AUTO_TEST_CASE(column_names_match_across_case_and_separators) {
  const auto spec = named_columns_spec();
  const Lead messy = one_lead(spec, "VORNAME;nachname;e_mail\nAnna;Muster;a@x.de\n");
  BOOST_TEST(messy.prospect.given_name == "Anna");
  BOOST_TEST(messy.prospect.family_name == "Muster");
  BOOST_TEST(messy.prospect.email == "a@x.de");
  BOOST_TEST(one_lead(spec, "EMail;Nachname;E-Mail\nold@x.de;Muster;new@x.de\n").prospect.email == "new@x.de");

  const auto other = map_text(spec, "Name;Mail\nMuster;m@x.de\n");  // not a spelling of Nachname
  BOOST_TEST_REQUIRE(other.records.size() == 1u);
  BOOST_TEST(has_error(other.records[0], "prospect.family_name", "Nachname", "required"));
}

// Plain text is scanned sixteen bytes at a time: a delimiter, quote or line end at
// any position of a long field must still end it.
BOOST_AUTO_TEST_CASE(special_characters_at_every_position_of_a_long_field) {
  for (std::size_t at = 0; at < 40; ++at) {
    std::string left(at, 'a'), right(40 - at, 'b');
    const auto r = read_csv("x;y\n" + left + ";" + right + "\nq" + left + "\r\n\"" + right + "\";z\n", semicolon());
    BOOST_TEST_REQUIRE(r.records.size() == 3u, "at " << at);
    BOOST_TEST(r.get(0, "x") == left);
    BOOST_TEST(r.get(0, "y") == right);
    BOOST_TEST(r.get(1, "x") == "q" + left);  // a short row
    BOOST_TEST(r.get(1, "y") == "<none>");
    BOOST_TEST(r.get(2, "x") == right);
    BOOST_TEST(r.get(2, "y") == "z");
  }
}

BOOST_AUTO_TEST_CASE(lettershop_fixture_maps) {
  const auto spec = load_mapping(std::string(LEADHUB_SOURCE_DIR) + "/config/mappings/lettershop-csv.yaml");
  BOOST_TEST_REQUIRE(spec.ok(), (spec.ok() ? "" : spec.error().message));
  std::ifstream in(std::string(LEADHUB_SOURCE_DIR) + "/tests/fixtures/lettershop/responses.csv", std::ios::binary);
  BOOST_TEST_REQUIRE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  const auto m = map_text(*spec, text.str());
  BOOST_TEST(m.status.ok(), describe(m));
  BOOST_TEST_REQUIRE(m.records.size() >= 3u);
  BOOST_TEST_REQUIRE(m.records[0].ok(), describe(m.records[0]));
  BOOST_TEST(m.records[0].lead->prospect.given_name == "Jürgen");
  BOOST_TEST(m.records[0].lead->prospect.family_name == "Müller");
  BOOST_TEST(m.records[0].lead->prospect.phone == "+49301234567");
  BOOST_TEST(m.records[0].lead->prospect.address.country == "DE");
  BOOST_TEST_REQUIRE(m.records[1].ok(), describe(m.records[1]));
  BOOST_TEST(m.records[1].lead->prospect.company == "Bäckerei Groß; Filiale Süd");
  BOOST_TEST(m.records[1].lead->attributes.at("answer") == "Interesse an Angebot, bitte \"dringend\" melden");
  BOOST_TEST(m.records[2].location == "line 5");  // record 2 spans lines 3-4
  BOOST_TEST_REQUIRE(m.records[2].ok(), describe(m.records[2]));
  BOOST_TEST(m.records[2].lead->prospect.phone == "+33142603000");  // read in France, the record's country
}

// A partner renamed or misspelt a column: every record says why (the header has no
// such column, and which one it probably is), and the document says it once, also
// for optional fields that would otherwise stay empty without any record failing.
BOOST_AUTO_TEST_CASE(columns_the_header_lacks_are_named) {
  const auto spec = load_ok(
      "format: csv\ncsv: {delimiter: \";\", header: true}\nfields:\n"
      "  prospect.family_name: {from: Nachname, required: true}\n"
      "  prospect.phone: {from: Telefon}\n"
      "  prospect.address.country: {from: Land, default: DE}\n"
      "  prospect.email: [{from: EMail}, {from: Mail}]\n"
      "  subject: {value: Mailing}\n");
  const auto m = map_text(spec, "Nachnme;Tel;E-Mail\nMeier;030 1;a@example.com\nKrause;030 2;b@example.com\n");
  BOOST_TEST_REQUIRE(m.records.size() == 2u);
  for (const auto& r : m.records) {
    BOOST_TEST_REQUIRE(r.errors.size() == 1u);
    BOOST_TEST(r.errors[0].reason == "required, but the file's header has no column 'Nachname' (is 'Nachnme' it?)");
  }
  // e-mail: the second alternative is absent, the first is there (E-Mail reads EMail)
  BOOST_TEST(
      (m.records[0].notices ==
       std::vector<std::string>{"prospect.family_name: the file's header has no column 'Nachname' (is "
                                "'Nachnme' it?); every record fails",
                                "prospect.phone: the file's header has no column 'Telefon'; empty in every record",
                                "prospect.address.country: the file's header has no column 'Land'; its default "
                                "'DE' in every record"}));
  BOOST_TEST(m.records[1].notices.empty());  // once per document
  // A header with every column: no notices, and the usual reason for an empty value.
  const auto full = map_text(spec, "Nachname;Telefon;Land;EMail\n;;DE;\n");
  BOOST_TEST_REQUIRE(full.records.size() == 1u);
  BOOST_TEST(full.records[0].notices.empty());
  BOOST_TEST(full.records[0].errors.at(0).reason == "required, but missing or empty");
}

// A condition on a column the header lacks is decided by the column's absence in
// every row (`equals` never holds): the document says so, for field rules, their
// alternatives, nested parts and groups, each column once per target.
BOOST_AUTO_TEST_CASE(conditions_on_columns_the_header_lacks_are_named) {
  const auto spec = load_ok(
      "format: csv\ncsv: {delimiter: \";\", header: true}\nfields:\n"
      "  prospect.family_name: {from: Name, required: true}\n"
      "  campaign: [{from: Aktion, when: {field: Aktio, equals: X}}, {value: none, when: {field: Art, present: "
      "true}}]\n"
      "  attributes.a: {from: Aktion, when: {all: [{field: Art, equals: A}, {any: [{field: Aktio, present: true},"
      " {field: Aktio, equals: B}]}]}}\n"
      "groups:\n"
      "  notes:\n"
      "    when: {field: Bemerkung, present: true}\n"
      "    fields: {text: {from: Aktion}}\n");
  const auto m = map_text(spec, "Name;Aktion;Art\nMeier;A1;A\n");
  BOOST_TEST_REQUIRE(m.records.size() == 1u);
  BOOST_TEST(
      (m.records[0].notices ==
       std::vector<std::string>{"campaign: its condition (when:) reads 'Aktio': the file's header has no column "
                                "'Aktio' (is 'Aktion' it?); the condition finds it empty in every record",
                                "attributes.a: its condition (when:) reads 'Aktio': the file's header has no column "
                                "'Aktio' (is 'Aktion' it?); the condition finds it empty in every record",
                                "notes: its condition (when:) reads 'Bemerkung': the file's header has no column "
                                "'Bemerkung'; the condition finds it empty in every record"}),
      describe(m.records[0]));
  // With the columns there: no notices.
  const auto full = map_text(spec, "Name;Aktion;Art;Aktio;Bemerkung\nMeier;A1;A;X;b\n");
  BOOST_TEST_REQUIRE(full.records.size() == 1u);
  BOOST_TEST(full.records[0].notices.empty());
}

// An export that repeats a mapped column: the first is read, and the document says so.
BOOST_AUTO_TEST_CASE(a_mapped_column_the_header_has_twice_is_named) {
  const auto spec = load_ok(
      "format: csv\ncsv: {delimiter: \";\", header: true}\nfields:\n"
      "  prospect.family_name: {from: Nachname, required: true}\n  prospect.email: {from: E-Mail}\n");
  const auto m = map_text(spec, "Nachname;E-Mail;Ort;EMAIL\nMeier;a@example.com;Berlin;b@example.com\nKrause;;;\n");
  BOOST_TEST_REQUIRE(m.records.size() == 2u);
  BOOST_TEST(m.records[0].lead->prospect.email == "a@example.com");
  BOOST_TEST((m.records[0].notices ==
              std::vector<std::string>{"the header has two columns for 'E-Mail': column 2 'E-Mail' and column 4 "
                                       "'EMAIL'; column 2 is read"}));
  BOOST_TEST(m.records[1].notices.empty());
}

// Excel's marks that a cell is text: `="01067"` (what exports write to keep a
// leading zero) and a leading apostrophe before a number or formula (written against
// CSV formula injection) are not part of the value; an apostrophe before a letter is.
BOOST_AUTO_TEST_CASE(spreadsheet_text_markers_are_not_part_of_the_value) {
  const auto r = read_csv(
      "PLZ;Telefon;Name\n"
      "=\"01067\";=\"0049 351 1234567\";'t Hooft\n"
      "\"=\"\"01067\"\"\";'+49 351 1234567;'s-Hertogenbosch\n"
      "'01067;'=SUM(A1);=A1+1\n"
      "=\"say \"\"hi\"\"\";'0815' war gut;'\n",
      semicolon());
  BOOST_TEST_REQUIRE(!r.error);
  BOOST_TEST_REQUIRE(r.records.size() == 4u);
  BOOST_TEST(r.get(0, "PLZ") == "01067");
  BOOST_TEST(r.get(0, "Telefon") == "0049 351 1234567");
  BOOST_TEST(r.get(0, "Name") == "'t Hooft");
  BOOST_TEST(r.get(1, "PLZ") == "01067");
  BOOST_TEST(r.get(1, "Telefon") == "+49 351 1234567");
  BOOST_TEST(r.get(1, "Name") == "'s-Hertogenbosch");
  BOOST_TEST(r.get(2, "PLZ") == "01067");
  BOOST_TEST(r.get(2, "Telefon") == "=SUM(A1)");
  BOOST_TEST(r.get(2, "Name") == "=A1+1");  // a formula, not a text mark: kept as written
  BOOST_TEST(r.get(3, "PLZ") == "say \"hi\"");
  BOOST_TEST(r.get(3, "Telefon") == "'0815' war gut");  // quoted text, not a mark
  BOOST_TEST(r.get(3, "Name") == "'");
}

// UTF-8 read as Windows-1252 and saved again ("MÃ¼ller"): the record is refused
// naming the column and what the text would read, never stored as it is.
BOOST_AUTO_TEST_CASE(mojibake_refuses_its_record) {
  const auto spec = load_ok(kMapping);
  const auto m = map_text(spec,
                          "Name;Text\n"
                          "M\u00C3\u00BCller;x\n"
                          "Meier;Gr\u00C3\u00BC\u00C3\u0178e \u00E2\u20AC\u017Eaus\u00E2\u20AC\u0153 Dresden\n"
                          "M\u00FCller;S\u00C3O PAULO \u00C3 la carte\n");
  BOOST_TEST_REQUIRE(m.records.size() == 3u, describe(m));
  BOOST_TEST(has_error(m.records[0], "prospect.family_name", "Name", "'MÃ¼ller' looks like UTF-8 text that was read"));
  BOOST_TEST(has_error(m.records[0], "prospect.family_name", "Name", "it would read 'Müller'"));
  BOOST_TEST(m.records[0].errors[0].code == MappingErrorCode::invalid_encoding);
  BOOST_TEST(has_error(m.records[1], "attributes.text", "Text", "it would read 'Grüße „aus“ Dresden'"));
  BOOST_TEST_REQUIRE(m.records[2].ok(), describe(m.records[2]));  // 'Ã' before a letter: Portuguese, not damage
  BOOST_TEST(m.records[2].lead->attributes.at("text") == "SÃO PAULO Ã la carte");
}

// A title row above the header (a sheet exported with its title, an old CRM's
// "Export vom ..."): skipped with a warning naming it, the header is read below it.
// A one-field header line of a one-column mapping is still the header.
BOOST_AUTO_TEST_CASE(title_lines_above_the_header_are_skipped) {
  const auto spec = load_ok(kMapping);
  const auto m = map_text(spec,
                          "Rücklauf Herbst 2026;;\n"
                          ";Export vom 07.12.2026\n"
                          "Name;Text\n"
                          "Meier;x\n");
  BOOST_TEST_REQUIRE(m.status.ok(), describe(m));
  BOOST_TEST_REQUIRE(m.records.size() == 1u, describe(m));
  BOOST_TEST_REQUIRE(m.records[0].ok(), describe(m));
  BOOST_TEST(m.records[0].location == "line 4");
  BOOST_TEST(m.records[0].lead->prospect.family_name == "Meier");
  BOOST_TEST_REQUIRE(m.records[0].notices.size() == 2u);
  BOOST_TEST(m.records[0].notices[0] ==
             "line 1 'Rücklauf Herbst 2026' has none of the mapped columns: skipped as a title above the header");
  BOOST_TEST(contains(m.records[0].notices[1], "line 2 'Export vom 07.12.2026'"), m.records[0].notices[1]);

  // a header naming none of the columns, with more than one field: the header, as before
  const auto wrong = map_text(spec, "Nom;Texte\nMeier;x\n");
  BOOST_TEST_REQUIRE(wrong.records.size() == 1u, describe(wrong));
  BOOST_TEST(has_error(wrong.records[0], "prospect.family_name", "Name", "the file's header has no column 'Name'"));
}

// Exports joined into one file (`cat a.csv b.csv`): the second header is no record.
// Read as one, it was refused for a column name that is no value, or stored as a
// lead named "Name".
BOOST_AUTO_TEST_CASE(a_header_repeated_among_the_rows_is_skipped_and_named) {
  const auto spec = load_ok(kMapping);
  const auto m = map_text(spec,
                          "Name;Text\r\n"
                          "Meier;x\r\n"
                          "Name;Text\r\n"
                          "Schulz;y\r\n"
                          "\xEF\xBB\xBF Name ; Text ;\r\n"
                          "Name;Text mit Inhalt\r\n");
  BOOST_TEST_REQUIRE(m.status.ok(), describe(m));
  BOOST_TEST_REQUIRE(m.records.size() == 3u, describe(m));
  BOOST_TEST(m.records[0].lead->prospect.family_name == "Meier");
  BOOST_TEST(m.records[1].location == "line 4");
  BOOST_TEST(m.records[1].lead->prospect.family_name == "Schulz");
  BOOST_TEST_REQUIRE(m.records[1].notices.size() == 1u, describe(m));
  BOOST_TEST(m.records[1].notices[0] == "line 3 repeats the header (files joined into one?): skipped");
  // a second export's byte order mark, blanks around the names and a delimiter at
  // the end are the header too
  BOOST_TEST_REQUIRE(m.records[2].notices.size() == 1u, describe(m));
  BOOST_TEST(m.records[2].notices[0] == "line 5 repeats the header (files joined into one?): skipped");
  // a row that has only some of the header's names is data
  BOOST_TEST(m.records[2].location == "line 6");
  BOOST_TEST(m.records[2].lead->attributes.at("text") == "Text mit Inhalt");
}

// The second export of a joined file may list the same columns in another order
// (another export profile). Read by the first header, its rows would swap their
// fields silently; they are read by their own header, and the warning says so.
BOOST_AUTO_TEST_CASE(a_header_repeated_in_another_order_switches_the_columns) {
  const auto spec = load_ok(kMapping);
  const auto m = map_text(spec,
                          "Name;Text;Ort\r\n"
                          "Meier;x;Berlin\r\n"
                          "Ort ; Text;Name\r\n"
                          "Hamburg;y;Schulz\r\n"
                          "Text;Name;Name\r\n");
  BOOST_TEST_REQUIRE(m.status.ok(), describe(m));
  BOOST_TEST_REQUIRE(m.records.size() == 3u, describe(m));
  BOOST_TEST(m.records[0].lead->prospect.family_name == "Meier");
  BOOST_TEST(m.records[1].location == "line 4");
  BOOST_TEST(m.records[1].lead->prospect.family_name == "Schulz");
  BOOST_TEST(m.records[1].lead->attributes.at("text") == "y");
  BOOST_TEST_REQUIRE(m.records[1].notices.size() == 1u, describe(m));
  BOOST_TEST(m.records[1].notices[0] ==
             "line 3 repeats the header with its columns in another order (files joined into one?): skipped, and "
             "the rows after it are read in its order");
  // the same names but not the same set (one twice, one missing) are data
  BOOST_TEST(m.records[2].location == "line 5");
  BOOST_TEST(m.records[2].lead->prospect.family_name == "Name");
}

// Old Mac files end lines with CR alone, inside quoted fields too: the lines of a
// record after a multi-line field are counted, so errors name the right line.
BOOST_AUTO_TEST_CASE(cr_line_ends_inside_quotes_count_their_lines) {
  const auto r = read_csv("Name;Text\rAnna;\"eins\rzwei\"\rBen;x;y\rCarl;z\r", semicolon());
  BOOST_TEST_REQUIRE(r.records.size() == 3u);
  BOOST_TEST(r.get(0, "Text") == "eins\rzwei");
  BOOST_TEST(r.location(1) == "line 4");
  BOOST_TEST_REQUIRE(r.broken(1) != nullptr);
  BOOST_TEST(r.location(2) == "line 5");
  // CRLF inside quotes is one line end, as before
  const auto crlf = read_csv("Name;Text\r\nAnna;\"eins\r\nzwei\"\r\nBen;x\r\n", semicolon());
  BOOST_TEST_REQUIRE(crlf.records.size() == 2u);
  BOOST_TEST(crlf.location(1) == "line 4");
}

// What databases and spreadsheets write for "no value" is no value: a phone "N/A"
// refused the whole record, a company "-" made an organization named "-".
BOOST_AUTO_TEST_CASE(words_for_no_value_are_empty) {
  const auto spec = load_ok(R"(format: csv
csv: {delimiter: ";"}
fields:
  prospect.family_name: {from: Name, required: true}
  prospect.company: Firma
  prospect.email: {from: Mail, transforms: [email]}
  prospect.phone: {from: Tel, transforms: [{phone: DE}]}
  attributes.text: {from: Text, when: {field: Text, present: true}}
)");
  const auto m = map_text(spec,
                          "Name;Firma;Mail;Tel;Text\n"
                          "Meier;-;NULL;N/A;(null)\n"
                          "Null;#N/A; null ;n/a;NaN\n"
                          "N/A;ACME;a@example.de;;x\n"
                          "Schulz;--;;;Nullpunkt\n");
  BOOST_TEST_REQUIRE(m.status.ok(), describe(m));
  BOOST_TEST_REQUIRE(m.records.size() == 4u, describe(m));
  BOOST_TEST_REQUIRE(m.records[0].ok(), describe(m));
  const Lead& meier = *m.records[0].lead;
  BOOST_TEST(meier.prospect.company.empty());
  BOOST_TEST(meier.prospect.email.empty());
  BOOST_TEST(meier.prospect.phone.empty());
  BOOST_TEST(meier.attributes.count("text") == 0u);
  BOOST_TEST_REQUIRE(m.records[1].ok(), describe(m));
  BOOST_TEST(m.records[1].lead->prospect.family_name == "Null");  // a name, not a placeholder
  BOOST_TEST(m.records[1].lead->prospect.company.empty());
  BOOST_TEST(has_error(m.records[2], "prospect.family_name", "Name",
                       "required, but the value is 'N/A', which stands for none"));
  BOOST_TEST_REQUIRE(m.records[3].ok(), describe(m));
  BOOST_TEST(m.records[3].lead->prospect.company == "--");  // only the words listed
  BOOST_TEST(m.records[3].lead->attributes.at("text") == "Nullpunkt");
}

BOOST_AUTO_TEST_SUITE_END()
