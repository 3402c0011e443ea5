// Outbound JSON: leads and errors as the party's JSON documents.
#include "json_tree.hpp"
#include "outbound_render.hpp"
#include "outbound_values.hpp"

namespace leadhub::mapping {
namespace {

std::string dotted(std::string path) {  // "a/b" -> "a.b": both spellings are accepted
  for (auto& c : path) {
    if (c == '/') c = '.';
  }
  return path;
}

Status write_fields(JsonTree& node, const std::vector<OutboundRule>& rules, const ValueSource& source);

// `each`: an array with one object per group item.
Status write_each(JsonTree& node, const OutboundRule& rule, const ValueSource& source) {
  const auto items = group_items(rule, source);
  if (items.empty()) return ok_status();
  JsonTree& array = node.at(dotted(rule.target));
  array.is_array = true;
  for (const auto& item : items) {
    JsonTree entry;
    if (auto st = write_fields(entry, rule.fields, source.item(&item)); !st) return st;
    array.items.push_back(std::move(entry));
  }
  return ok_status();
}

Status write_fields(JsonTree& node, const std::vector<OutboundRule>& rules, const ValueSource& source) {
  for (const auto& rule : rules) {
    if (!rule.each.empty()) {
      if (auto st = write_each(node, rule, source); !st) return st;
      continue;
    }
    auto value = rule_value(rule, source);
    if (!value) return value.error();
    if (*value) node.set(dotted(rule.target), std::move(**value), rule.type);
  }
  return ok_status();
}

}  // namespace

Result<std::string> render_json_leads(const OutboundSpec& spec, const ParsedLeads& leads, const FindPage& page) {
  JsonTree root;
  if (auto st = write_fields(root, spec.header, leads.header(page)); !st) return st.error();
  if (auto st = write_fields(root, spec.footer, leads.header(page)); !st) return st.error();
  std::deque<JsonTree> records;
  for (std::size_t i = 0; i < leads.size(); ++i) {
    JsonTree item;
    if (auto st = write_fields(item, spec.fields, ValueSource{&leads[i], &page, nullptr, i + 1}); !st) {
      return st.error();
    }
    records.push_back(std::move(item));
  }
  std::string out;
  JsonWriter w(out);
  if (spec.record.empty() && records.size() == 1 && spec.header.empty() && spec.footer.empty()) {
    records[0].write(w);  // a single lead is the document itself
    return out;
  }
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
  return out;
}

Result<std::string> render_json_error(const std::vector<OutboundRule>& rules, const ValueSource& source) {
  JsonTree root;
  if (auto st = write_fields(root, rules, source); !st) return st.error();
  std::string out;
  JsonWriter w(out);
  root.write(w);
  return out;
}

}  // namespace leadhub::mapping
