// The canonical document of one mapped record: the values its rules produced,
// written as the nested JSON document (lead or merge patch) that core decodes.
//
// Built for every record, so it lives in two vectors: the field tree as nodes
// linked by index (names are views of the spec's target strings), and the groups'
// items. Members come in the order they were first set, exactly as JsonTree
// (json_tree.hpp) orders them for the same calls.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "canonical_paths.hpp"

namespace leadhub::mapping {

struct CanonicalValue {
  std::string_view path;  // a rule's target: names owned by the mapping spec
  std::string value;
  ValueType type = ValueType::text;
  const json::LeadItemField* field = nullptr;  // a group member: how the lead takes it
};

// One item of a repeating group: its members, relative names ("product").
using GroupItem = std::vector<CanonicalValue>;

class CanonicalDocument {
 public:
  CanonicalDocument() {
    nodes_.reserve(32);  // a lead has about 30 fields and objects: one allocation
    nodes_.emplace_back();
  }

  // Sets the value at a dotted path ("prospect.address.city", "attributes.a.b":
  // an attribute's name may contain dots); setting a path again replaces its value.
  void set(std::string_view path, std::string value, ValueType type);
  // The value at `path`, or "" when none was set.
  std::string_view get(std::string_view path) const;
  // Whether the document sets `path`: a value there, or the group it is in
  // ("interests.quantity" when there are interests).
  bool sets(std::string_view path) const;

  // The items of `group`, created after the fields it follows; remove_group drops
  // it again (an empty group is left out, as are notes moved out of a patch).
  std::vector<GroupItem>& group(std::string_view name);
  void remove_group(std::string_view name);

  void write(std::string& out) const;

 private:
  struct Node {
    std::string_view name;
    std::string value;
    ValueType type = ValueType::text;
    bool scalar = false;
    int first_child = -1, last_child = -1, next = -1;
  };
  struct Group {
    std::string_view name;
    std::vector<GroupItem> items;
  };

  int child(int parent, std::string_view name) const;
  int add_child(int parent, std::string_view name);
  void write_object(std::string& out, int node) const;

  std::vector<Node> nodes_;  // [0] is the root
  std::vector<Group> groups_;
};

// Sets a member of a group item; a member set again replaces its value.
void set_member(GroupItem& item, std::string_view name, std::string value, ValueType type,
                const json::LeadItemField* field = nullptr);

// Sets the items of `group` on the lead (item i from items[i]), as decoding them
// from JSON would; leaves the values moved from.
void set_items(Lead& lead, std::string_view group, std::vector<GroupItem>& items, json::DecodeContext& ctx);

// A scalar as the canonical model types it: integers without leading zeros,
// true/false literals for booleans, strings otherwise.
void append_json_scalar(std::string& out, std::string_view value, ValueType type);

}  // namespace leadhub::mapping
