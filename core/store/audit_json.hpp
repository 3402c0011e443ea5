// Encoding of audit entries as stored in the "audit" database and printed by the CLI.
#pragma once

#include <string>
#include <string_view>

#include "json/json_writer.hpp"
#include "store/lead_store.hpp"

namespace leadhub {

void write_json(JsonWriter& out, const AuditEntry& entry);
std::string to_json(const AuditEntry& entry);
// The "created" entry of version 1, byte for byte what to_json writes for it, without
// building an AuditEntry (one per created lead, on the caller's thread).
std::string created_audit_json(TimeMs at, const Actor& actor);
Result<AuditEntry> audit_from_json(std::string_view json);

}  // namespace leadhub
