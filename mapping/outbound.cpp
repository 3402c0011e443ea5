#include "outbound.hpp"

#include <simdjson.h>

#include <pugixml.hpp>
#include <sstream>

#include "encoding.hpp"
#include "json/record_json.hpp"
#include "json_tree.hpp"

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

// Where outbound values come from: a canonical lead (as parsed JSON), the find
// page ($count, $next, $more) or an error (code, message, fields).
struct ValueSource {
  const element* lead = nullptr;
  const FindPage* page = nullptr;
  const Error* error = nullptr;

  std::optional<std::string> get(const std::string& from) const {
    if (page != nullptr) {
      if (from == "$count") return std::to_string(page->count);
      if (from == "$next") return page->next.empty() ? std::nullopt : std::optional<std::string>(page->next);
      if (from == "$more") return std::string(page->next.empty() ? "false" : "true");
    }
    if (error != nullptr) {
      if (from == "code") return std::string(to_string(error->code));
      if (from == "message") return error->message;
      if (from == "fields") {
        std::string out;
        for (const auto& f : error->fields) out += (out.empty() ? "" : "; ") + f.field + ": " + f.reason;
        return out;
      }
    }
    if (lead == nullptr) return std::nullopt;
    element v;
    if (lead->at_pointer(pointer_of(from)).get(v) != simdjson::SUCCESS) return std::nullopt;
    return text_of(v);
  }
};

Result<std::optional<std::string>> rule_value(const OutboundRule& rule, const ValueSource& source) {
  std::optional<std::string> value = rule.constant ? rule.constant : source.get(rule.from);
  if (!value) return std::optional<std::string>();
  auto transformed = apply_chain(rule.transforms, std::move(*value));
  if (!transformed) return Error::make(ErrorCode::invalid, rule.target + ": " + transformed.error().message);
  return std::optional<std::string>(std::move(transformed).value());
}

// ---- XML --------------------------------------------------------------------------

void set_xml(pugi::xml_node node, const std::string& path, const std::string& value) {
  std::size_t pos = 0;
  while (pos < path.size()) {
    const auto slash = path.find('/', pos);
    const std::string step = path.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
    if (step[0] == '@') {
      node.append_attribute(step.c_str() + 1).set_value(value.c_str());
      return;
    }
    if (slash == std::string::npos) {
      node.append_child(step.c_str()).text().set(value.c_str());
      return;
    }
    pugi::xml_node child = node.child(step.c_str());
    node = child ? child : node.append_child(step.c_str());
    pos = slash + 1;
  }
}

Status write_xml_fields(pugi::xml_node node, const std::vector<OutboundRule>& rules, const ValueSource& source) {
  for (const auto& rule : rules) {
    auto value = rule_value(rule, source);
    if (!value) return value.error();
    if (*value) set_xml(node, rule.target, **value);
  }
  return ok_status();
}

Status write_xml_groups(pugi::xml_node node, const OutboundSpec& spec, const element& lead) {
  for (const auto& group : spec.groups) {
    simdjson::dom::array items;
    if (lead.at_pointer("/" + group.source).get_array().get(items) != simdjson::SUCCESS) continue;
    for (element item : items) {
      pugi::xml_node child = node.append_child(group.element.c_str());
      if (auto st = write_xml_fields(child, group.fields, ValueSource{&item, nullptr, nullptr}); !st) return st;
    }
  }
  return ok_status();
}

pugi::xml_node make_root(pugi::xml_document& doc, const std::string& name, const std::string& ns) {
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  auto root = doc.append_child(name.c_str());
  if (!ns.empty()) {
    // "n0:Root": only the root is qualified (SAP style); "Root": a default namespace.
    const auto colon = name.find(':');
    const std::string attribute = colon == std::string::npos ? "xmlns" : "xmlns:" + name.substr(0, colon);
    root.append_attribute(attribute.c_str()) = ns.c_str();
  }
  return root;
}

std::string xml_text(const pugi::xml_document& doc) {
  std::ostringstream out;
  doc.save(out, "  ", pugi::format_default, pugi::encoding_utf8);
  return out.str();
}

// ---- JSON -------------------------------------------------------------------------

std::string dotted(std::string path) {
  for (auto& c : path) {
    if (c == '/') c = '.';
  }
  return path;
}

Status write_json_fields(JsonTree& node, const std::vector<OutboundRule>& rules, const ValueSource& source) {
  for (const auto& rule : rules) {
    auto value = rule_value(rule, source);
    if (!value) return value.error();
    if (*value) node.set(dotted(rule.target), std::move(**value), ValueType::text);
  }
  return ok_status();
}

// ---- CSV --------------------------------------------------------------------------

std::string csv_field(const std::string& value, char delimiter) {
  if (value.find_first_of(std::string{delimiter, '"', '\n', '\r'}) == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

Result<std::string> render_leads(const OutboundSpec& spec, const std::vector<Lead>& leads, const FindPage& page) {
  simdjson::dom::parser parser;
  std::vector<std::string> texts;
  texts.reserve(leads.size());
  for (const auto& lead : leads) texts.push_back(to_json(lead));
  const ValueSource header{nullptr, &page, nullptr};

  switch (spec.format) {
    case SourceFormat::xml: {
      pugi::xml_document doc;
      auto root = make_root(doc, spec.root.empty() ? "Leads" : spec.root, spec.xml_namespace);
      if (auto st = write_xml_fields(root, spec.header, header); !st) return st.error();
      for (const auto& text : texts) {
        element lead;
        if (parser.parse(text).get(lead) != simdjson::SUCCESS) return Error::make(ErrorCode::internal, "lead JSON");
        auto node = spec.record.empty() ? root : root.append_child(spec.record.c_str());
        if (auto st = write_xml_fields(node, spec.fields, ValueSource{&lead, &page, nullptr}); !st) return st.error();
        if (auto st = write_xml_groups(node, spec, lead); !st) return st.error();
      }
      if (auto st = write_xml_fields(root, spec.footer, header); !st) return st.error();
      return xml_text(doc);
    }
    case SourceFormat::json: {
      JsonTree root;
      if (auto st = write_json_fields(root, spec.header, header); !st) return st.error();
      if (auto st = write_json_fields(root, spec.footer, header); !st) return st.error();
      std::deque<JsonTree> records;
      for (const auto& text : texts) {
        element lead;
        if (parser.parse(text).get(lead) != simdjson::SUCCESS) return Error::make(ErrorCode::internal, "lead JSON");
        JsonTree item;
        if (auto st = write_json_fields(item, spec.fields, ValueSource{&lead, &page, nullptr}); !st) return st.error();
        for (const auto& group : spec.groups) {
          simdjson::dom::array items;
          if (lead.at_pointer("/" + group.source).get_array().get(items) != simdjson::SUCCESS) continue;
          JsonTree& array = item.member(group.element);
          array.is_array = true;
          for (element g : items) {
            JsonTree entry;
            if (auto st = write_json_fields(entry, group.fields, ValueSource{&g, nullptr, nullptr}); !st)
              return st.error();
            array.items.push_back(std::move(entry));
          }
        }
        records.push_back(std::move(item));
      }
      std::string out;
      JsonWriter w(out);
      if (spec.record.empty() && records.size() == 1 && spec.header.empty()) {
        records[0].write(w);  // a single lead is the document itself
      } else {
        JsonTree& list = root.member(spec.record.empty() ? "items" : spec.record);
        list.is_array = true;
        list.items = std::move(records);
        if (spec.root.empty()) {
          root.write(w);
        } else {
          JsonTree wrapped;  // {"<root>": {...}}
          wrapped.members.emplace_back(spec.root, std::move(root));
          wrapped.write(w);
        }
      }
      return out;
    }
    case SourceFormat::csv:
    case SourceFormat::form: {
      std::string out;
      for (std::size_t i = 0; i < spec.fields.size(); ++i) {
        out += (i ? std::string(1, spec.csv_delimiter) : "") + csv_field(spec.fields[i].target, spec.csv_delimiter);
      }
      out += "\r\n";
      for (const auto& text : texts) {
        element lead;
        if (parser.parse(text).get(lead) != simdjson::SUCCESS) return Error::make(ErrorCode::internal, "lead JSON");
        const ValueSource source{&lead, &page, nullptr};
        for (std::size_t i = 0; i < spec.fields.size(); ++i) {
          auto value = rule_value(spec.fields[i], source);
          if (!value) return value.error();
          out += (i ? std::string(1, spec.csv_delimiter) : "") + csv_field(value->value_or(""), spec.csv_delimiter);
        }
        out += "\r\n";
      }
      return spec.csv_latin1 ? utf8_to_latin1(out) : out;
    }
  }
  return Error::make(ErrorCode::internal, "unknown outbound format");
}

Result<std::string> render_error(const OutboundSpec& spec, const Error& error) {
  const ValueSource source{nullptr, nullptr, &error};
  std::vector<OutboundRule> fallback;
  if (spec.error_fields.empty()) {
    fallback = {
        {"error/code", "code", {}, {}}, {"error/message", "message", {}, {}}, {"error/fields", "fields", {}, {}}};
  }
  const auto& rules = spec.error_fields.empty() ? fallback : spec.error_fields;
  if (spec.format == SourceFormat::xml) {
    pugi::xml_document doc;
    auto root = make_root(doc, spec.error_root.empty() ? (spec.root.empty() ? "Error" : spec.root) : spec.error_root,
                          spec.xml_namespace);
    if (auto st = write_xml_fields(root, rules, source); !st) return st.error();
    return xml_text(doc);
  }
  if (spec.format == SourceFormat::json) {
    JsonTree root;
    if (auto st = write_json_fields(root, rules, source); !st) return st.error();
    std::string out;
    JsonWriter w(out);
    root.write(w);
    return out;
  }
  std::string out = "code" + std::string(1, spec.csv_delimiter) + "message\r\n";
  out += csv_field(to_string(error.code), spec.csv_delimiter) + spec.csv_delimiter +
         csv_field(error.message, spec.csv_delimiter) + "\r\n";
  return out;
}

}  // namespace leadhub::mapping
