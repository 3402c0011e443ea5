// The checks and conversions an XML document goes through before pugixml parses it
// (xml_text.hpp).
#include "xml_text.hpp"

#include <cctype>
#include <cstdio>
#include <optional>
#include <string_view>
#include <utility>

#include "encoding.hpp"
#include "model/validation.hpp"
#include "util/text_position.hpp"

namespace leadhub::mapping {
namespace {

bool is_utf16_or_32(std::string_view text) {
  return text.size() >= 2 && (text[0] == '\0' || text[1] == '\0' || static_cast<unsigned char>(text[0]) >= 0xFE);
}

std::string code_point_name(unsigned long cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "U+%04lX", cp);
  return buf;
}

// Why a code point above the control characters is no XML 1.0 Char ("U+D800 is a
// surrogate, half of a UTF-16 pair"), or nullopt.
std::optional<std::string> no_xml_character(unsigned long cp) {
  if (cp >= 0xD800 && cp <= 0xDFFF) return code_point_name(cp) + " is a surrogate, half of a UTF-16 pair";
  if (cp == 0xFFFE || cp == 0xFFFF) return code_point_name(cp) + " is a noncharacter";
  if (cp > 0x10FFFF) return "Unicode ends at U+10FFFF";
  return std::nullopt;
}

// The five entities XML predefines; any other named reference needs a DTD, which
// the hub does not read.
bool is_predefined_entity(std::string_view name) {
  return name == "lt" || name == "gt" || name == "amp" || name == "apos" || name == "quot";
}

// What an HTML entity that senders write into XML stands for ("&uuml;" from a
// template or a copy from a web page), for the message that refuses it.
std::optional<std::string_view> html_entity_text(std::string_view name) {
  static constexpr std::pair<std::string_view, std::string_view> kEntities[] = {
      {"auml", "\u00e4"},           {"ouml", "\u00f6"},   {"uuml", "\u00fc"},   {"Auml", "\u00c4"},
      {"Ouml", "\u00d6"},           {"Uuml", "\u00dc"},   {"szlig", "\u00df"},  {"eacute", "\u00e9"},
      {"egrave", "\u00e8"},         {"agrave", "\u00e0"}, {"ccedil", "\u00e7"}, {"euro", "\u20ac"},
      {"nbsp", "a no-break space"}, {"copy", "\u00a9"},   {"reg", "\u00ae"},    {"ndash", "\u2013"},
      {"mdash", "\u2014"},          {"bdquo", "\u201e"},  {"ldquo", "\u201c"},  {"rsquo", "\u2019"}};
  for (const auto& [entity, text] : kEntities) {
    if (entity == name) return text;
  }
  return std::nullopt;
}

// A character reference (&#252; &#xFC;) at text[i]: refused when it names a control
// character or no character XML allows (pugixml writes those as bytes that are no
// UTF-8, and the mapping would then refuse the value without saying where it came
// from). Anything that is no complete reference is left to pugixml.
Status check_character_reference(std::string_view text, std::size_t i) {
  if (i + 2 >= text.size()) return ok_status();
  const bool hex = text[i + 2] == 'x';
  std::size_t j = i + (hex ? 3 : 2);
  unsigned long cp = 0;
  bool digits = false;
  for (; j < text.size() && j < i + 16 && std::isxdigit(static_cast<unsigned char>(text[j])); ++j) {
    const char d = text[j];
    if (!hex && !std::isdigit(static_cast<unsigned char>(d))) break;
    cp =
        cp * (hex ? 16 : 10) + static_cast<unsigned long>(std::isdigit(static_cast<unsigned char>(d))
                                                              ? d - '0'
                                                              : std::tolower(static_cast<unsigned char>(d)) - 'a' + 10);
    digits = true;
  }
  if (!digits || j >= text.size() || text[j] != ';') return ok_status();
  const std::string reference = "the character reference " + std::string(text.substr(i, j + 1 - i));
  const auto refuse = [&](const std::string& why) {
    return Error::make(ErrorCode::invalid, describe_line_column(text, i) + ": not well-formed XML: " + why);
  };
  if (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') {
    return refuse(reference + " names the control character " + code_point_name(cp) +
                  " (XML allows no control characters but tab, CR and LF)");
  }
  if (const auto why = no_xml_character(cp)) return refuse(reference + " names no character XML allows (" + *why + ")");
  return ok_status();
}

// A DOCTYPE at text[i]: refused before pugixml parses it. An internal subset can
// declare entities that expand to gigabytes ("billion laughs") and an external one
// can read files or URLs (XXE); the hub reads no DTD, so the document is refused
// whole, saying which it was.
Status refuse_doctype(std::string_view text, std::size_t i) {
  const std::size_t open = text.find('[', i), close = text.find('>', i);
  const std::size_t end = open < close ? text.find("]>", open) : close;
  const std::string_view doctype = text.substr(i, end == std::string_view::npos ? end : end - i);
  const bool entities = doctype.find("<!ENTITY") != std::string_view::npos;
  const bool external =
      doctype.find("SYSTEM") != std::string_view::npos || doctype.find("PUBLIC") != std::string_view::npos;
  std::string what = "a DOCTYPE";
  if (external)
    what += entities ? " declaring an external entity (which could read files or URLs)"
                     : " naming an external DTD (which would be fetched)";
  else if (entities)
    what += " declaring entities (which could expand to gigabytes)";
  return Error::make(ErrorCode::invalid, describe_line_column(text, i) + ": " + what +
                                             " is not accepted: the hub reads no DTDs and expands no entities; "
                                             "send the document without its DOCTYPE");
}

bool is_name_start(unsigned char c) { return std::isalpha(c) != 0 || c == '_' || c == ':' || c >= 0x80; }
bool is_name_char(unsigned char c) { return is_name_start(c) || std::isdigit(c) != 0 || c == '-' || c == '.'; }

// Where the construct opened at text[i] ends (the index of its last byte), for
// markup whose text holds no references: a CDATA section, a comment, a processing
// instruction. npos when it is never closed (pugixml reports that).
std::size_t end_of_markup(std::string_view text, std::size_t i, std::string_view closer) {
  const auto end = text.find(closer, i);
  return end == std::string_view::npos ? end : end + closer.size() - 1;
}

// pugixml accepts what XML forbids: a control character (XML 1.0 allows none but
// tab, CR and LF, written or referenced; pugixml ends the text at &#0; and breaks
// the tags at a raw NUL), and a named reference XML does not define, which it keeps
// as written ("M&uuml;ller" would be stored so). A UTF-8 document is checked first,
// and one with such a thing is not well-formed, naming it and where it is. A
// DOCTYPE is refused here before it is parsed. CDATA sections, comments and
// processing instructions hold no references; UTF-32 documents are left to pugixml
// (UTF-16 ones are UTF-8 by now).
Status check_what_pugixml_accepts(std::string_view text) {
  if (is_utf16_or_32(text)) return ok_status();
  // Line and column (in characters) without JSON's "(byte N)": a document declared
  // ISO-8859-1 or Windows-1252 is checked after its conversion to UTF-8 (and its
  // declaration rewritten), so a byte offset would be the hub's copy's, not the file's.
  const auto refuse_at = [&](std::size_t at, const std::string& why) {
    return Error::make(ErrorCode::invalid, describe_line_column(text, at) + ": not well-formed XML: " + why);
  };
  const auto refuse = [&](std::size_t at, const std::string& what) {
    return refuse_at(at, what + " (XML allows no control characters but tab, CR and LF)");
  };
  const auto raw_control_in = [&](std::size_t from, std::size_t to) -> std::optional<Error> {
    for (std::size_t j = from; j < to; ++j) {
      const auto b = static_cast<unsigned char>(text[j]);
      if (b < 0x20 && b != '\t' && b != '\n' && b != '\r')
        return refuse(j, "the control character " + code_point_name(b) + " as a raw byte");
    }
    return std::nullopt;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    // Most bytes are none of the cases: one comparison decides (a record file is
    // tens of megabytes).
    if (c > '<' || (c >= 0x20 && c != '<' && c != '&')) continue;
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
      return refuse(i, "the control character " + code_point_name(c) + " as a raw byte");
    }
    const char next = i + 1 < text.size() ? text[i + 1] : '\0';
    if (c == '<' && (next == '!' || next == '?')) {
      if (text.compare(i, 9, "<!DOCTYPE") == 0) return refuse_doctype(text, i);
      std::string_view closer;
      if (next == '?')
        closer = "?>";
      else if (text.compare(i, 9, "<![CDATA[") == 0)
        closer = "]]>";
      else if (text.compare(i, 4, "<!--") == 0)
        closer = "-->";
      else
        continue;
      const std::size_t end = end_of_markup(text, i, closer);
      if (end == std::string_view::npos) return ok_status();  // pugixml reports it
      if (auto control = raw_control_in(i, end)) return *control;
      i = end;
    } else if (c == '&' && next == '#') {
      if (auto st = check_character_reference(text, i); !st) return st;
    } else if (c == '&') {
      std::size_t j = i + 1;
      if (j >= text.size() || !is_name_start(static_cast<unsigned char>(text[j]))) continue;
      while (j < text.size() && j < i + 64 && is_name_char(static_cast<unsigned char>(text[j]))) ++j;
      if (j >= text.size() || text[j] != ';') continue;  // a lone '&' ("AT&T"): pugixml keeps it as written
      const std::string_view name = text.substr(i + 1, j - i - 1);
      if (is_predefined_entity(name)) continue;
      std::string why = "the entity reference &" + std::string(name) +
                        "; is not defined (XML knows only &lt; &gt; &amp; &apos; &quot; without a DTD; write the "
                        "character itself or a character reference such as &#252;)";
      if (const auto html = html_entity_text(name)) {
        why += "; in HTML it is ";
        why += html->starts_with("a ") ? std::string(*html) : "'" + std::string(*html) + "'";
      }
      return refuse_at(i, why);
    }
  }
  return ok_status();
}

// The encoding an XML declaration names, as written and in lower case, with where
// its name stands (between the quotes at q1 and q2) and where the declaration ends.
struct Declaration {
  std::string written;  // "ISO-8859-1"; empty without a declaration or an encoding in it
  std::string name;     // lower case
  std::size_t q1 = 0, q2 = 0, end = 0;
  bool after_byte_order_mark = false;  // a UTF-8 mark before it, which wins over the name
};

Declaration read_declaration(std::string_view text) {
  Declaration d;
  d.after_byte_order_mark = without_byte_order_mark(text).size() != text.size();
  const std::size_t start = d.after_byte_order_mark ? 3 : 0;
  if (text.compare(start, 5, "<?xml") != 0) return d;
  const auto end = text.find("?>");
  if (end == std::string_view::npos) return d;
  const std::string_view decl = text.substr(0, end);
  const auto pos = decl.find("encoding");
  if (pos == std::string_view::npos) return d;
  const auto q1 = decl.find_first_of("\"'", pos);
  const auto q2 = q1 == std::string_view::npos ? q1 : decl.find(decl[q1], q1 + 1);
  if (q2 == std::string_view::npos) return d;
  d.written = std::string(decl.substr(q1 + 1, q2 - q1 - 1));
  d.name = lower_ascii(d.written);
  d.q1 = q1;
  d.q2 = q2;
  d.end = end;
  return d;
}

std::optional<SingleByte> single_byte_named(const std::string& name) {
  if (name == "windows-1252" || name == "cp1252") return SingleByte::windows1252;
  if (name == "iso-8859-15" || name == "latin-9" || name == "latin9") return SingleByte::latin9;
  if (name == "iso-8859-1" || name == "latin-1" || name == "latin1" || name == "iso_8859-1")
    return SingleByte::latin1;  // ours, not pugixml's: 0x80-0x9F as Windows-1252
  return std::nullopt;
}

// pugixml decodes UTF-8/16/32 itself; ISO-8859-1, windows-1252 and ISO-8859-15
// (what Windows tools write) are converted here, and the declaration rewritten.
Status convert_declared_encoding(std::string& text, const Declaration& declared) {
  const auto encoding = single_byte_named(declared.name);
  if (!encoding || declared.after_byte_order_mark) return ok_status();
  const std::size_t q1 = declared.q1, q2 = declared.q2, end = declared.end;
  // The declaration as written, with "UTF-8" for the name and blanks after it for
  // the rest of the name: the lines and columns of the converted text stay the
  // file's, for the places errors name.
  std::string utf8_decl = text.substr(0, end + 2);
  utf8_decl.replace(q1 + 1, q2 - q1, "UTF-8" + std::string(1, text[q1]) + std::string(declared.name.size() - 5, ' '));
  const std::string_view body = std::string_view(text).substr(end + 2);
  // Declared single-byte but valid UTF-8 throughout (a file re-saved by a UTF-8 tool,
  // its declaration kept): read as UTF-8, as the CSV reader reads such fields.
  if (is_valid_utf8_text(body, true)) {
    text = utf8_decl + std::string(body);
    return ok_status();
  }
  // A byte the declared code page leaves undefined: the file is in another one,
  // and decoding it would drop the letter ("M\x81ller" from a DOS export).
  if (const auto at = first_undefined_byte(body, *encoding); at != std::string_view::npos) {
    // Still the file's own bytes: one byte is one character.
    return Error::make(ErrorCode::invalid, describe_line_column(text, end + 2 + at, Columns::bytes) + ": " +
                                               undefined_byte_reason(static_cast<unsigned char>(body[at]), "",
                                                                     "the declared encoding " + declared.name,
                                                                     "save it as UTF-8 or declare its encoding"));
  }
  text = utf8_decl + single_byte_to_utf8(body, *encoding);
  return ok_status();
}

// A document read as UTF-8 (declared so, declaring nothing, which means UTF-8 in
// XML, or declaring an encoding the hub does not read) must be UTF-8: pugixml takes
// any bytes, and "M\xFCller" reached the mapping as a value that was not UTF-8,
// refused without saying that the declaration is wrong. Refused whole, with the
// place of the first such byte and what the declaration should say.
Status check_utf8(std::string_view text, const Declaration& declared) {
  if (is_utf16_or_32(text)) return ok_status();
  const std::size_t at = first_invalid_utf8(text);
  if (at == std::string_view::npos) return ok_status();
  const auto byte = static_cast<unsigned char>(text[at]);
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string message =
      describe_line_column(text, at) + ": byte 0x" + kHex[byte >> 4U] + kHex[byte & 0xFU] + " is not UTF-8, ";
  const std::string& name = declared.name;
  const bool utf8 = name.empty() || name == "utf-8" || name == "utf8" || name == "us-ascii" || name == "ascii";
  if (declared.after_byte_order_mark)
    message += "which its UTF-8 byte order mark says the document is";
  else if (name.empty())
    message += "which a document without an encoding in its XML declaration must be";
  else if (utf8)
    message += "which the declaration encoding=\"" + declared.written + "\" says the document is";
  else if (name.starts_with("utf-16") || name.starts_with("utf-32") || name.starts_with("ucs"))
    message += "and the declared encoding " + declared.written +
               " does not fit the file (no byte order mark, no zero bytes): save the file as UTF-8";
  else
    message += "and the declared encoding " + declared.written +
               " is none the hub reads (UTF-8, UTF-16, ISO-8859-1, Windows-1252, ISO-8859-15): save the file as UTF-8";
  if (!utf8 && declared.after_byte_order_mark) {
    message += ": remove the byte order mark (the declaration says " + declared.written + ") or save the file as UTF-8";
  } else if (utf8) {
    message += byte >= 0xA0 ? ": the file looks like ISO-8859-1 or Windows-1252 ('" +
                                  single_byte_to_utf8(text.substr(at, 1), SingleByte::windows1252) +
                                  "'); declare encoding=\"ISO-8859-1\" or save the file as UTF-8"
                            : ": save the file as UTF-8 or declare its encoding";
  }
  return Error::make(ErrorCode::invalid, message);
}

// A UTF-16 document (with its byte order mark, or starting "<" and a zero byte) to
// UTF-8, so that it is checked as any other: pugixml would decode it itself and
// take what the checks refuse. Its lines and characters stay the file's. A
// declaration saying UTF-16 is then read past: pugixml takes the text as UTF-8.
void decode_utf16(std::string& text) {
  if (text.size() < 4 || text.starts_with(std::string_view("\xFF\xFE\0\0", 4))) return;  // UTF-32 is pugixml's
  std::optional<Utf16> order;
  std::size_t mark = 0;
  if (text.starts_with("\xFF\xFE")) {
    order = Utf16::little_endian;
    mark = 2;
  } else if (text.starts_with("\xFE\xFF")) {
    order = Utf16::big_endian;
    mark = 2;
  } else if (text[0] == '<' && text[1] == '\0' && text[2] != '\0') {
    order = Utf16::little_endian;
  } else if (text[0] == '\0' && text[1] == '<' && text[2] == '\0' && text[3] != '\0') {
    order = Utf16::big_endian;
  }
  if (!order) return;
  std::string utf8;
  append_utf16_as_utf8(utf8, std::string_view(text).substr(mark), *order, true);
  text = std::move(utf8);
}

}  // namespace

Status prepare_xml_text(std::string& text) {
  decode_utf16(text);
  const Declaration declared = read_declaration(text);
  if (auto st = convert_declared_encoding(text, declared); !st) return st;
  if (auto st = check_what_pugixml_accepts(text); !st) return st;
  return check_utf8(text, declared);
}

}  // namespace leadhub::mapping
