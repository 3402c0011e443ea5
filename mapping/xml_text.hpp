// An XML document's text made ready for pugixml, which takes much that XML
// forbids: a UTF-16 document, or one declared ISO-8859-1, Windows-1252 or
// ISO-8859-15, is converted to UTF-8 (keeping the file's lines and columns); then
// control characters, named references XML does not define (&uuml;), a DOCTYPE,
// and bytes that are not UTF-8 in a document read as UTF-8 are refused with their
// line and column.
#pragma once

#include <string>

#include "util/result.hpp"

namespace leadhub::mapping {

// The document as pugixml should parse it, or why it is not well-formed XML (or not
// in the encoding it declares). UTF-32 documents are left to pugixml.
Status prepare_xml_text(std::string& text);

}  // namespace leadhub::mapping
