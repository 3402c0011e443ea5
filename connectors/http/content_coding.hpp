// The Content-Encoding of a request body (RFC 9110 8.4): the codings the server
// undoes before a route sees the body, and the refusal (415) of any other, since
// a body read as if it had no coding would be misread, not refused.
#pragma once

#include <optional>

#include "../framework/inflate.hpp"
#include "message.hpp"

namespace leadhub::connectors::http {

// What the 415 answer's Accept-Encoding header lists.
inline constexpr const char* kAcceptedCodings = "gzip, deflate";

// nullopt: no coding (no header, or identity); gzip (also x-gzip) or deflate; an
// Error naming the coding the server does not decode, or a stack of several.
Result<std::optional<Compression>> content_coding(const RequestHeader& head);

}  // namespace leadhub::connectors::http
