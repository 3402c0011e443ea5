#include "outbound_values.hpp"

#include "json/record_json.hpp"

namespace leadhub::mapping {
namespace {

using simdjson::dom::element;

std::string pointer_of(const std::string& canonical_path) {  // prospect.email -> /prospect/email
  std::string out = "/";
  for (char c : canonical_path) out += c == '.' ? '/' : c;
  return out;
}

std::optional<std::string> text_of(element el) {
  switch (el.type()) {
    case simdjson::dom::element_type::STRING:
      return std::string(el.get_string().value_unsafe());
    case simdjson::dom::element_type::NULL_VALUE:
      return std::nullopt;
    case simdjson::dom::element_type::BOOL:
      return std::string(el.get_bool().value_unsafe() ? "true" : "false");
    default:
      return simdjson::minify(el);
  }
}

std::string joined_fields(const Error& error) {
  std::string out;
  for (const auto& f : error.fields) out += (out.empty() ? "" : "; ") + f.field + ": " + f.reason;
  return out;
}

}  // namespace

std::optional<std::string> ValueSource::get(const std::string& from) const {
  if (from == "$index" && index > 0) return std::to_string(index);
  if (page != nullptr) {
    if (from == "$count") return std::to_string(page->count);
    if (from == "$next") return page->next.empty() ? std::nullopt : std::optional<std::string>(page->next);
    if (from == "$more") return std::string(page->next.empty() ? "false" : "true");
  }
  if (error != nullptr) {
    if (from == "code") return std::string(to_string(error->code));
    if (from == "message") return error->message;
    if (from == "fields") return joined_fields(*error);
  }
  if (lead == nullptr) return std::nullopt;
  element v;
  if (lead->at_pointer(pointer_of(from)).get(v) != simdjson::SUCCESS) return std::nullopt;
  return text_of(v);
}

namespace {

Result<std::optional<std::string>> one_rule_value(const OutboundRule& rule, const ValueSource& source) {
  if (rule.when && !holds(*rule.when, [&](const SourcePath& p) { return source.get(p.text); })) {
    return std::optional<std::string>();
  }
  std::optional<std::string> value = rule.constant;
  if (rule.from.size() == 1) value = source.get(rule.from[0]);  // an empty value is written as such
  for (std::size_t i = 0; rule.from.size() > 1 && i < rule.from.size(); ++i) {
    auto part = source.get(rule.from[i]);
    if (!part || part->empty()) continue;
    if (value)
      *value += rule.join + *part;
    else
      value = std::move(part);
  }
  if (value && !rule.transforms.empty()) {
    auto transformed = apply_chain(rule.transforms, std::move(*value));
    if (!transformed) return Error::make(ErrorCode::invalid, rule.target + ": " + transformed.error().message);
    value = std::move(transformed).value();
  }
  if ((!value || value->empty()) && rule.fallback) value = rule.fallback;
  return value;
}

}  // namespace

Result<std::optional<std::string>> rule_value(const OutboundRule& rule, const ValueSource& source) {
  auto value = one_rule_value(rule, source);
  for (std::size_t i = 0; value && (!*value || (*value)->empty()) && i < rule.otherwise.size(); ++i) {
    value = one_rule_value(rule.otherwise[i], source);
  }
  return value;
}

std::vector<element> group_items(const OutboundRule& rule, const ValueSource& source) {
  std::vector<element> out;
  simdjson::dom::array items;
  if (source.lead == nullptr || source.lead->at_pointer("/" + rule.each).get_array().get(items) != simdjson::SUCCESS) {
    return out;
  }
  for (element item : items) out.push_back(item);
  return out;
}

Status ParsedLeads::parse(const std::vector<Lead>& leads) {
  std::string text = "[";
  for (const auto& lead : leads) {
    if (text.size() > 1) text += ',';
    text += to_json(lead);
  }
  text += ']';
  simdjson::dom::array array;
  if (parser_.parse(text).get_array().get(array) != simdjson::SUCCESS) {
    return Error::make(ErrorCode::internal, "lead JSON");
  }
  for (element lead : array) elements_.push_back(lead);
  return ok_status();
}

ValueSource ParsedLeads::header(const FindPage& page) const {
  return {elements_.empty() ? nullptr : &elements_.front(), &page, nullptr, 0};
}

}  // namespace leadhub::mapping
