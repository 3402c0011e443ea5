// The per-format renderers behind render_leads / render_error (outbound.cpp).
#pragma once

#include <string>
#include <vector>

#include "outbound.hpp"
#include "outbound_values.hpp"

namespace leadhub::mapping {

Result<std::string> render_xml_leads(const OutboundSpec& spec, const ParsedLeads& leads, const FindPage& page);
Result<std::string> render_xml_error(const OutboundSpec& spec, const std::vector<OutboundRule>& rules,
                                     const ValueSource& source);
Result<std::string> render_json_leads(const OutboundSpec& spec, const ParsedLeads& leads, const FindPage& page);
Result<std::string> render_json_error(const std::vector<OutboundRule>& rules, const ValueSource& source);

}  // namespace leadhub::mapping
