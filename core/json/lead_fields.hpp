// The lead's fields by canonical path ("prospect.address.city", "attributes.x",
// "interests.quantity"), each set from text exactly as the JSON decoder would
// decode the same value: the same checks and the same error messages.
//
// The mapping engine builds a lead through this table instead of writing a JSON
// document and parsing it again, which took a third of the time of a mapped record.
#pragma once

#include <string>
#include <string_view>

#include "json/decode.hpp"
#include "model/lead.hpp"

namespace leadhub::json {

// How a field's value is written in JSON: a string, a whole number or true/false.
enum class FieldForm { text, whole_number, boolean };

// A field of the lead itself; `path` names it in errors.
struct LeadField {
  std::string_view path;  // "attributes." stands for every attribute
  FieldForm form;
  void (*set)(Lead& lead, std::string_view path, std::string&& text, DecodeContext& ctx);
  // The text a text field holds (what a later rule of a mapping may read); nullptr
  // for the typed fields (enums, numbers, ids, times).
  std::string (*get)(const Lead& lead, std::string_view path);
};

// A member of an item of a repeating group (interests, external_refs, notes, attachments).
struct LeadItemField {
  std::string_view group, member;
  FieldForm form;
  // Sets the member of item `index`, adding items up to it.
  void (*set)(Lead& lead, std::size_t index, std::string&& text, const Path& path, DecodeContext& ctx);
};

// The field at `path`, nullptr when the lead has none there (or it is set only by the hub).
const LeadField* find_lead_field(std::string_view path);
const LeadItemField* find_lead_item_field(std::string_view group, std::string_view member);
bool is_lead_group(std::string_view group);

}  // namespace leadhub::json
