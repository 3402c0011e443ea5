// A request message's body as its sender wrote it before compressing: AMQP's
// content-encoding property (RFC 9110 coding names, as HTTP uses) of a string or
// data-section body. A lettershop's file sent as one message compresses tenfold.
#pragma once

#include <cstddef>
#include <string>

#include "util/result.hpp"

namespace leadhub::connectors {

// `gzip`, `x-gzip` and `deflate` bodies are replaced by their decoded bytes, which
// may not pass `max_decoded` (decoding stops there); no encoding or `identity`
// leaves the body as it is. Errors name the property or the body and the reason.
Status decode_content_encoding(const std::string& encoding, std::string& body, std::size_t max_decoded);

}  // namespace leadhub::connectors
