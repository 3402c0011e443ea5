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
// "Content-Type" (or "_charset_" when that field named it). A post that declares
// no charset and is not UTF-8 is read as `undeclared_charset` when it is given (a
// legacy page that posts in its own charset and cannot be changed); a post that is
// UTF-8 stays UTF-8, so a page moved to UTF-8 later keeps working.
Result<FormFields> parse_form_body(std::string_view content_type, std::string_view body,
                                   std::string_view undeclared_charset = {});

// A label of a charset forms may be posted in besides UTF-8 (ISO-8859-1,
// Windows-1252, ISO-8859-15 and their aliases): what undeclared_charset may be.
bool is_single_byte_form_charset(std::string_view label);

Result<FormFields> parse_multipart(std::string_view boundary, std::string_view body);

}  // namespace leadhub::connectors::http
