#include "outbound.hpp"

#include "encoding.hpp"
#include "outbound_render.hpp"
#include "outbound_values.hpp"

namespace leadhub::mapping {
namespace {

std::string csv_field(const std::string& value, char delimiter) {
  if (value.find_first_of(std::string{delimiter, '"', '\n', '\r'}) == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

// One header row of the rules' targets, then one row per lead.
Result<std::string> render_csv_leads(const OutboundSpec& spec, const ParsedLeads& leads, const FindPage& page) {
  const std::string delimiter(1, spec.csv_delimiter);
  std::string out;
  for (std::size_t i = 0; i < spec.fields.size(); ++i) {
    out += (i ? delimiter : "") + csv_field(spec.fields[i].target, spec.csv_delimiter);
  }
  out += "\r\n";
  for (std::size_t row = 0; row < leads.size(); ++row) {
    const ValueSource source{&leads[row], &page, nullptr, row + 1};
    for (std::size_t i = 0; i < spec.fields.size(); ++i) {
      auto value = rule_value(spec.fields[i], source);
      if (!value) return value.error();
      out += (i ? delimiter : "") + csv_field(value->value_or(""), spec.csv_delimiter);
    }
    out += "\r\n";
  }
  return spec.csv_latin1 ? utf8_to_latin1(out) : out;
}

OutboundRule error_rule(std::string target, std::string from) {
  OutboundRule rule;
  rule.target = std::move(target);
  rule.from.push_back(std::move(from));
  return rule;
}

}  // namespace

Result<std::string> render_leads(const OutboundSpec& spec, const std::vector<Lead>& leads, const FindPage& page) {
  ParsedLeads parsed;
  if (auto st = parsed.parse(leads); !st) return st.error();
  switch (spec.format) {
    case SourceFormat::xml:
      return render_xml_leads(spec, parsed, page);
    case SourceFormat::json:
      return render_json_leads(spec, parsed, page);
    case SourceFormat::csv:
    case SourceFormat::form:
      return render_csv_leads(spec, parsed, page);
  }
  return Error::make(ErrorCode::internal, "unknown outbound format");
}

Result<std::string> render_error(const OutboundSpec& spec, const Error& error) {
  const ValueSource source{nullptr, nullptr, &error, 0};
  std::vector<OutboundRule> fallback;
  if (spec.error_fields.empty()) {
    fallback = {error_rule("error/code", "code"), error_rule("error/message", "message"),
                error_rule("error/fields", "fields")};
  }
  const auto& rules = spec.error_fields.empty() ? fallback : spec.error_fields;
  if (spec.format == SourceFormat::xml) return render_xml_error(spec, rules, source);
  if (spec.format == SourceFormat::json) return render_json_error(rules, source);
  std::string out = "code" + std::string(1, spec.csv_delimiter) + "message\r\n";
  out += csv_field(to_string(error.code), spec.csv_delimiter) + spec.csv_delimiter +
         csv_field(error.message, spec.csv_delimiter) + "\r\n";
  return out;
}

const char* media_type(SourceFormat format) {
  switch (format) {
    case SourceFormat::xml:
      return "application/xml";
    case SourceFormat::csv:
      return "text/csv";
    default:
      return "application/json";
  }
}

}  // namespace leadhub::mapping
