// Error answers as application/problem+json (RFC 9457): type, title, status,
// detail, instance, the hub's error code and a list of {field, reason}.
#pragma once

#include <string>
#include <vector>

#include "message.hpp"
#include "util/result.hpp"

namespace leadhub::connectors::http {

// The HTTP status an Error code means: invalid 422, not_found 404, version_conflict
// 412, illegal_transition 409, locked 423, forbidden 403, duplicate 409,
// unavailable 503, internal 500.
bhttp::status status_for(ErrorCode code);

// `code` is the hub's fixed error code ("invalid", "unsupported_media_type", ...).
Response problem(bhttp::status status, const std::string& code, const std::string& detail, const std::string& instance,
                 const std::vector<FieldError>& fields = {});
Response problem(const Error& error, const std::string& instance);

Response json_response(bhttp::status status, std::string body);

}  // namespace leadhub::connectors::http
