// A posted form's fields from its body: application/x-www-form-urlencoded,
// multipart/form-data (RFC 7578) or a flat JSON object. Errors say which part or
// member is wrong. Fields come back as UTF-8 when the post declares its charset
// (a `charset` parameter, or the `_charset_` field browsers fill in) as UTF-8,
// ISO-8859-1, Windows-1252 or ISO-8859-15; undeclared bytes are left as sent, for
// the caller to refuse when they are not UTF-8.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.hpp"

namespace leadhub::connectors::http {

using FormFields = std::vector<std::pair<std::string, std::string>>;

// `content_type` is the whole header value (the multipart boundary is in it).
// Unsupported types and charsets are an Error with code `invalid` and field
// "Content-Type" (or "_charset_" when that field named it).
Result<FormFields> parse_form_body(std::string_view content_type, std::string_view body);

Result<FormFields> parse_multipart(std::string_view boundary, std::string_view body);

}  // namespace leadhub::connectors::http
