// schemas/openapi.json and the JSON Schemas it refers to, compiled in (CMake
// generates openapi_document.cpp from them) so the served documents are always
// the ones the binary was built with.
#pragma once

#include <string_view>

namespace leadhub::connectors::http {
std::string_view openapi_document();
// lead.schema.json, business-partner.schema.json, audit-entry.schema.json; empty otherwise.
std::string_view json_schema(std::string_view name);
}  // namespace leadhub::connectors::http
