// Outbound: the `outbound:` section of a mapping file turns canonical leads, find
// results and errors into the party's format (XML via pugixml, JSON, CSV), so
// replies and events reach each party as it expects.
//
//   outbound:
//     format: xml                      # xml | json | csv (default: the inbound format)
//     root: LeadByIDResponse           # xml root element / json root object (optional for json)
//     namespace: http://example/lead   # xml namespace of the root (a "n0:Root" root declares xmlns:n0)
//     record: Lead                     # one element / array member per lead
//     header:                          # values on the root: $count, $next, $more, constants,
//       ReturnedQueryHitsNumberValue: $count   # or canonical paths of the first lead
//     footer:                          # the same, written after the records
//     fields:                          # party path: canonical path or a rule
//       ObjectID: id
//       Contact/EMail: prospect.email
//       "@actionCode": {value: "01"}
//       Name: {from: [prospect.given_name, prospect.family_name], join: " ", default: "-"}
//       Company: {from: prospect.company, when: {field: prospect.kind, equals: organization}}
//       amount: {from: expected_value.amount, type: number}     # json: a number, not a string
//       contacts.0.email: prospect.email                          # json: numbered items form an array
//       Item: {each: interests, fields: {ProductID: product}}     # one element per group item, here
//       party.name:                                               # a list: the first rule with a value
//         - {from: prospect.company, when: {field: prospect.kind, equals: organization}}
//         - {from: [prospect.given_name, prospect.family_name]}
//     groups:                          # as `each` rules, written after the fields
//       interests: {element: Item, fields: {ProductID: product, Quantity: quantity}}
//     error:                           # how an error is written
//       root: LeadByIDResponse
//       fields: {Log/Item/SeverityCode: {value: "3"}, Log/Item/TypeID: code, Log/Item/Note: message}
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "canonical_paths.hpp"
#include "condition.hpp"
#include "model/lead.hpp"
#include "record.hpp"
#include "transforms.hpp"

namespace leadhub::mapping {

struct OutboundRule {
  std::string target;  // party path: "A/B", "@attr", "A/@attr", "." (xml), "a.b" or "a/b" (json), column (csv)
  // Canonical paths ("prospect.email"), or $count/$next/$more/$index, or code/message/
  // fields for errors. Several: the non-empty ones joined with `join`.
  std::vector<std::string> from;
  std::string join = " ";
  std::optional<std::string> constant;
  std::optional<std::string> fallback;  // `default:` when the value is absent or empty
  std::vector<Transform> transforms;
  std::optional<Condition> when;        // tested on canonical values
  ValueType type = ValueType::text;     // json: number, integer and boolean are written unquoted
  std::string each;                     // a group (interests, notes, ...): one element per item
  std::vector<OutboundRule> fields;     // with `each`: the item's fields, relative to the item
  std::vector<OutboundRule> otherwise;  // a list of rules: tried in order until one gives a value
};

struct OutboundSpec {
  SourceFormat format = SourceFormat::json;
  std::string root;
  std::string xml_namespace;
  std::string record;
  std::vector<OutboundRule> header;
  std::vector<OutboundRule> footer;  // like header, written after the records
  std::vector<OutboundRule> fields;  // a `groups:` section is loaded as `each` rules at the end
  std::string error_root;
  std::vector<OutboundRule> error_fields;
  char csv_delimiter = ',';
  bool csv_latin1 = false;
};

struct FindPage {
  std::size_t count = 0;
  std::string next;  // last returned id when more hits exist, else empty
};

// The media type of a document in `format`: the content type replies and events carry.
const char* media_type(SourceFormat format);

// Leads (one for create/read/change replies, many for find results) in the party's format.
Result<std::string> render_leads(const OutboundSpec& spec, const std::vector<Lead>& leads, const FindPage& page);
// An error in the party's format: code, message and "field: reason; ..." as `fields`.
Result<std::string> render_error(const OutboundSpec& spec, const Error& error);

}  // namespace leadhub::mapping
