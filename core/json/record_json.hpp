// JSON encoding of the canonical lead and business partner (schemas/lead.schema.json,
// schemas/business-partner.schema.json). Empty optional fields are left out.
//
// Decoding follows JSON Merge Patch (RFC 7386): a member present sets the field,
// null clears it, objects merge member by member and arrays replace. So one decoder
// reads a stored record, a create request and a partial change.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "json/decode_mode.hpp"
#include "json/json_writer.hpp"
#include "model/lead.hpp"
#include "util/result.hpp"
#include "util/text_position.hpp"

namespace leadhub {

void write_json(JsonWriter& out, const Lead& lead);
void write_json(JsonWriter& out, const BusinessPartner& partner);
// External references as in a lead's "external_refs" (also for explanations that
// name the references a create carried).
void write_json(JsonWriter& out, const std::vector<ExternalRef>& refs);
std::string to_json(const Lead& lead);
std::string to_json(const BusinessPartner& partner);

Result<Lead> lead_from_json(std::string_view json, DecodeMode mode);
// lead_from_json into a default-constructed lead where it will stay (a bulk import's
// batch): a lead is about 1 KB to move. `in` says how a syntax error's place is
// named: PositionIn::line() for an NDJSON record, whose line number the caller
// gives; PositionIn::excerpt for an element of a JSON array, in its file.
Status decode_lead(std::string_view json, DecodeMode mode, Lead& into, PositionIn in = PositionIn::document());
Result<BusinessPartner> partner_from_json(std::string_view json, DecodeMode mode);

// Applies a merge patch to a lead in place. Read-only members are accepted only
// when they repeat the current value (so a fetched record can be sent back edited).
Status merge_patch(Lead& lead, std::string_view patch_json);

// Each present top-level member of a lead as {name, encoded JSON}, in schema order:
// the unit of the audit trail's old/new values.
struct MemberJson {
  std::string_view name;
  std::string json;
};
std::vector<MemberJson> lead_members_json(const Lead& lead);

}  // namespace leadhub
