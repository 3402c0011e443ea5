// Outbound: the `outbound:` section of a mapping file turns canonical leads, find
// results and errors into the party's format (XML via pugixml, JSON, CSV), so
// replies and events reach each party as it expects.
//
//   outbound:
//     format: xml                      # xml | json | csv (default: the inbound format)
//     root: LeadByIDResponse           # xml root element / json root object (optional for json)
//     namespace: http://example/lead   # xml namespace of the root (a "n0:Root" root declares xmlns:n0)
//     record: Lead                     # one element / array member per lead
//     header:                          # values on the root: $count, $next, $more
//       ReturnedQueryHitsNumberValue: $count
//     footer:                          # the same, written after the records
//     fields:                          # party path: canonical path or {from, value, transforms}
//       ObjectID: id
//       Contact/EMail: prospect.email
//       "@actionCode": {value: "01"}
//     groups:
//       interests: {element: Item, fields: {ProductID: product, Quantity: quantity}}
//     error:                           # how an error is written
//       root: LeadByIDResponse
//       fields: {Log/Item/SeverityCode: {value: "3"}, Log/Item/TypeID: code, Log/Item/Note: message}
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/lead.hpp"
#include "record.hpp"
#include "transforms.hpp"

namespace leadhub::mapping {

struct OutboundRule {
  std::string target;  // party path: "A/B", "@attr", "A/@attr" (xml), "a.b" or "a/b" (json), column (csv)
  std::string from;    // canonical path ("prospect.email"), or $count/$next/$more, or code/message/fields
  std::optional<std::string> constant;
  std::vector<Transform> transforms;
};

struct OutboundGroup {
  std::string source;   // interests | external_refs | notes | attachments
  std::string element;  // element (xml) or array member (json) per item
  std::vector<OutboundRule> fields;
};

struct OutboundSpec {
  SourceFormat format = SourceFormat::json;
  std::string root;
  std::string xml_namespace;
  std::string record;
  std::vector<OutboundRule> header;
  std::vector<OutboundRule> footer;  // like header, written after the records
  std::vector<OutboundRule> fields;
  std::vector<OutboundGroup> groups;
  std::string error_root;
  std::vector<OutboundRule> error_fields;
  char csv_delimiter = ',';
  bool csv_latin1 = false;
};

struct FindPage {
  std::size_t count = 0;
  std::string next;  // last returned id when more hits exist, else empty
};

// Leads (one for create/read/change replies, many for find results) in the party's format.
Result<std::string> render_leads(const OutboundSpec& spec, const std::vector<Lead>& leads, const FindPage& page);
// An error in the party's format: code, message and "field: reason; ..." as `fields`.
Result<std::string> render_error(const OutboundSpec& spec, const Error& error);

}  // namespace leadhub::mapping
