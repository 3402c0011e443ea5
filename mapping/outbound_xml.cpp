// Outbound XML (pugixml): leads and errors as the party's XML documents.
#include <pugixml.hpp>
#include <sstream>

#include "outbound_render.hpp"
#include "outbound_values.hpp"

namespace leadhub::mapping {
namespace {

// The element at `path` below `node` ("A/B"), created when missing.
pugi::xml_node element_at(pugi::xml_node node, std::string_view path) {
  std::size_t pos = 0;
  while (pos < path.size()) {
    const auto slash = path.find('/', pos);
    const std::string step(path.substr(pos, slash == std::string_view::npos ? std::string_view::npos : slash - pos));
    pugi::xml_node child = node.child(step.c_str());
    node = child ? child : node.append_child(step.c_str());
    if (slash == std::string_view::npos) break;
    pos = slash + 1;
  }
  return node;
}

// Writes `value` at a party path: "A/B" appends the last element under the
// (shared) parents, "A/@x" sets an attribute, "." the node's own text.
void set_xml(pugi::xml_node node, const std::string& path, const std::string& value) {
  if (path == ".") {
    node.text().set(value.c_str());
    return;
  }
  const auto slash = path.rfind('/');
  const std::string_view parents =
      slash == std::string::npos ? std::string_view{} : std::string_view(path).substr(0, slash);
  const std::string last = slash == std::string::npos ? path : path.substr(slash + 1);
  pugi::xml_node parent = parents.empty() ? node : element_at(node, parents);
  if (last[0] == '@')
    parent.append_attribute(last.c_str() + 1).set_value(value.c_str());
  else
    parent.append_child(last.c_str()).text().set(value.c_str());
}

Status write_fields(pugi::xml_node node, const std::vector<OutboundRule>& rules, const ValueSource& source);

// `each`: one element per group item at the rule's path ("Notes/Note": under one Notes).
Status write_each(pugi::xml_node node, const OutboundRule& rule, const ValueSource& source) {
  const auto items = group_items(rule, source);
  if (items.empty()) return ok_status();
  const auto slash = rule.target.rfind('/');
  pugi::xml_node parent = slash == std::string::npos ? node : element_at(node, rule.target.substr(0, slash));
  const std::string name = slash == std::string::npos ? rule.target : rule.target.substr(slash + 1);
  for (const auto& item : items) {
    pugi::xml_node child = parent.append_child(name.c_str());
    if (auto st = write_fields(child, rule.fields, source.item(&item)); !st) return st;
  }
  return ok_status();
}

Status write_fields(pugi::xml_node node, const std::vector<OutboundRule>& rules, const ValueSource& source) {
  for (const auto& rule : rules) {
    if (!rule.each.empty()) {
      if (auto st = write_each(node, rule, source); !st) return st;
      continue;
    }
    auto value = rule_value(rule, source);
    if (!value) return value.error();
    if (*value) set_xml(node, rule.target, **value);
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

}  // namespace

Result<std::string> render_xml_leads(const OutboundSpec& spec, const ParsedLeads& leads, const FindPage& page) {
  pugi::xml_document doc;
  auto root = make_root(doc, spec.root.empty() ? "Leads" : spec.root, spec.xml_namespace);
  if (auto st = write_fields(root, spec.header, leads.header(page)); !st) return st.error();
  for (std::size_t i = 0; i < leads.size(); ++i) {
    auto node = spec.record.empty() ? root : root.append_child(spec.record.c_str());
    if (auto st = write_fields(node, spec.fields, ValueSource{&leads[i], &page, nullptr, i + 1}); !st) {
      return st.error();
    }
  }
  if (auto st = write_fields(root, spec.footer, leads.header(page)); !st) return st.error();
  return xml_text(doc);
}

Result<std::string> render_xml_error(const OutboundSpec& spec, const std::vector<OutboundRule>& rules,
                                     const ValueSource& source) {
  pugi::xml_document doc;
  const std::string& root_name = !spec.error_root.empty() ? spec.error_root : spec.root.empty() ? "Error" : spec.root;
  auto root = make_root(doc, root_name, spec.xml_namespace);
  if (auto st = write_fields(root, rules, source); !st) return st.error();
  return xml_text(doc);
}

}  // namespace leadhub::mapping
