// Encoding of audit entries as stored in the "audit" database and printed by the CLI.
#pragma once

#include <string>
#include <string_view>

#include "json/json_writer.hpp"
#include "store/lead_store.hpp"

namespace leadhub {

void write_json(JsonWriter& out, const AuditEntry& entry);
std::string to_json(const AuditEntry& entry);
Result<AuditEntry> audit_from_json(std::string_view json);

}  // namespace leadhub
