#include "canonical_document.hpp"

#include <algorithm>

#include "json/json_writer.hpp"

namespace leadhub::mapping {
namespace {

void write_item(std::string& out, const GroupItem& item) {
  out += '{';
  for (std::size_t i = 0; i < item.size(); ++i) {
    if (i > 0) out += ',';
    append_json_string(out, item[i].path);
    out += ':';
    append_json_scalar(out, item[i].value, item[i].type);
  }
  out += '}';
}

CanonicalValue* find(std::vector<CanonicalValue>& values, std::string_view path) {
  const auto it = std::find_if(values.begin(), values.end(), [&](const auto& v) { return v.path == path; });
  return it == values.end() ? nullptr : &*it;
}

bool is_digits(std::string_view s) {
  return !s.empty() && s.size() <= 18 && s.find_first_not_of("0123456789") == std::string_view::npos;
}

bool is_plain_integer(std::string_view value) { return is_digits(value); }

// -?DIGITS(.DIGITS)?: what a decimal transform or the model's amounts give.
bool is_plain_number(std::string_view value) {
  if (!value.empty() && value[0] == '-') value.remove_prefix(1);
  const auto dot = value.find('.');
  return is_digits(value.substr(0, dot)) && (dot == std::string_view::npos || is_digits(value.substr(dot + 1)));
}

// A plain number as JSON writes it: "007.50" -> 7.50, "-0012" -> -12.
void append_number(std::string& out, std::string_view value) {
  if (value[0] == '-') {
    out += '-';
    value.remove_prefix(1);
  }
  const auto dot = value.find('.');
  const auto integer = value.substr(0, dot);
  const auto first = integer.find_first_not_of('0');
  out += first == std::string_view::npos ? std::string_view("0") : integer.substr(first);
  if (dot != std::string_view::npos) out += value.substr(dot);
}

}  // namespace

void append_json_scalar(std::string& out, std::string_view value, ValueType type) {
  if (type == ValueType::integer && is_plain_integer(value)) {  // "080" is 80: JSON numbers have no leading zeros
    const auto first = value.find_first_not_of('0');
    out += first == std::string_view::npos ? std::string_view("0") : value.substr(first);
  } else if (type == ValueType::number && is_plain_number(value)) {
    append_number(out, value);
  } else if (type == ValueType::boolean && (value == "true" || value == "false")) {
    out += value;
  } else {
    append_json_string(out, value);
  }
}

void set_member(GroupItem& item, std::string_view name, std::string value, ValueType type,
                const json::LeadItemField* field) {
  if (CanonicalValue* v = find(item, name)) {
    v->value = std::move(value);
    v->type = type;
    v->field = field;
    return;
  }
  item.push_back({name, std::move(value), type, field});
}

int CanonicalDocument::child(int parent, std::string_view name) const {
  for (int c = nodes_[parent].first_child; c >= 0; c = nodes_[c].next) {
    if (nodes_[c].name == name) return c;
  }
  return -1;
}

int CanonicalDocument::add_child(int parent, std::string_view name) {
  const int c = static_cast<int>(nodes_.size());
  Node node;
  node.name = name;
  nodes_.push_back(std::move(node));
  Node& p = nodes_[parent];
  if (p.last_child < 0)
    p.first_child = c;
  else
    nodes_[p.last_child].next = c;
  p.last_child = c;
  return c;
}

// Splits as JsonTree::set does: at every dot, except that everything after
// "attributes." is one name.
void CanonicalDocument::set(std::string_view path, std::string value, ValueType type) {
  int node = 0;
  for (;;) {
    const auto dot = path.find('.');
    if (dot == std::string_view::npos) break;
    const auto head = path.substr(0, dot);
    const int c = child(node, head);
    node = c >= 0 ? c : add_child(node, head);
    path = path.substr(dot + 1);
    if (head == "attributes") break;  // attribute names may themselves contain dots
  }
  int leaf = child(node, path);
  if (leaf < 0) leaf = add_child(node, path);
  Node& n = nodes_[leaf];
  n.value = std::move(value);
  n.type = type;
  n.scalar = true;
}

std::string_view CanonicalDocument::get(std::string_view path) const {
  int node = 0;
  while (!path.empty() && node >= 0) {
    const auto dot = path.find('.');
    node = child(node, path.substr(0, dot));
    path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
  }
  return node >= 0 && nodes_[node].scalar ? std::string_view(nodes_[node].value) : std::string_view();
}

bool CanonicalDocument::sets(std::string_view path) const {
  const auto head = path.substr(0, path.find('.'));
  for (const auto& g : groups_) {
    if (g.name == head) return true;
  }
  int node = 0;
  while (!path.empty() && node >= 0) {
    const auto dot = path.find('.');
    node = child(node, path.substr(0, dot));
    path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
    if (node >= 0 && nodes_[node].name == "attributes") {  // the rest is one name
      node = child(node, path);
      break;
    }
  }
  return node > 0 && nodes_[node].scalar;
}

void CanonicalDocument::write_object(std::string& out, int node) const {
  out += '{';
  for (int c = nodes_[node].first_child; c >= 0; c = nodes_[c].next) {
    if (c != nodes_[node].first_child) out += ',';
    append_json_string(out, nodes_[c].name);
    out += ':';
    if (nodes_[c].scalar)
      append_json_scalar(out, nodes_[c].value, nodes_[c].type);
    else
      write_object(out, c);
  }
  out += '}';
}

std::vector<GroupItem>& CanonicalDocument::group(std::string_view name) {
  for (auto& g : groups_) {
    if (g.name == name) return g.items;
  }
  groups_.push_back({name, {}});
  return groups_.back().items;
}

void CanonicalDocument::remove_group(std::string_view name) {
  const auto it = std::find_if(groups_.begin(), groups_.end(), [&](const Group& g) { return g.name == name; });
  if (it != groups_.end()) groups_.erase(it);
}

void CanonicalDocument::write(std::string& out) const {
  write_object(out, 0);
  if (groups_.empty()) return;
  out.pop_back();  // the groups are members of the same root object, after the fields
  for (const auto& g : groups_) {
    if (out.back() != '{') out += ',';
    append_json_string(out, g.name);
    out += ":[";
    for (std::size_t i = 0; i < g.items.size(); ++i) {
      if (i > 0) out += ',';
      write_item(out, g.items[i]);
    }
    out += ']';
  }
  out += '}';
}

void set_items(Lead& lead, std::string_view group, std::vector<GroupItem>& items, json::DecodeContext& ctx) {
  const json::Path group_path{nullptr, group};
  for (std::size_t i = 0; i < items.size(); ++i) {
    const json::Path item{&group_path, {}, i};
    for (auto& v : items[i]) {
      const json::Path member{&item, v.path};
      if (v.field != nullptr)
        v.field->set(lead, i, std::move(v.value), member, ctx);
      else
        ctx.fail(member, "unknown field");
    }
  }
}

}  // namespace leadhub::mapping
