// A JSON document assembled from party paths ("contact.address.city"), used by the
// outbound writers. A numbered step ("contacts.0.email") makes its parent an array:
// the numbered members are written as its items in number order, so an item whose
// rules wrote nothing leaves no gap.
#pragma once

#include <algorithm>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "canonical_document.hpp"
#include "canonical_paths.hpp"
#include "json/json_writer.hpp"

namespace leadhub::mapping {

struct JsonTree {
  ValueType type = ValueType::text;
  std::string scalar;
  bool is_scalar = false;
  // deque, not vector: clang with libstdc++ refuses a vector of pairs of the
  // still-incomplete JsonTree; deque accepts it and keeps references stable.
  std::deque<std::pair<std::string, JsonTree>> members;
  std::deque<JsonTree> items;  // an `each` array
  bool is_array = false;       // items, or members named by number

  JsonTree& member(std::string_view name) {
    for (auto& [k, v] : members) {
      if (k == name) return v;
    }
    members.emplace_back(std::string(name), JsonTree{});
    return members.back().second;
  }

  // The node at a dotted path, created when missing.
  JsonTree& at(std::string_view path) {
    JsonTree* node = this;
    while (!path.empty()) {
      const auto dot = path.find('.');
      const auto head = path.substr(0, dot);
      if (is_index(head)) node->is_array = true;
      node = &node->member(head);
      path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
    }
    return *node;
  }

  void set(std::string_view path, std::string value, ValueType t) {
    JsonTree& leaf = at(path);
    leaf.is_scalar = true;
    leaf.scalar = std::move(value);
    leaf.type = t;
  }

  void write(JsonWriter& w) const {
    if (is_scalar) {
      write_scalar(w);
    } else if (is_array) {
      write_array(w);
    } else {
      w.begin_object();
      for (const auto& [k, v] : members) {
        w.key(k);
        v.write(w);
      }
      w.end_object();
    }
  }

 private:
  static bool is_index(std::string_view s) {
    return !s.empty() && s.size() <= 6 && s.find_first_not_of("0123456789") == std::string_view::npos;
  }

  void write_scalar(JsonWriter& w) const {
    std::string literal;
    append_json_scalar(literal, scalar, type);
    w.raw(literal);
  }

  void write_array(JsonWriter& w) const {
    w.begin_array();
    for (const auto& item : items) item.write(w);
    std::vector<const std::pair<std::string, JsonTree>*> numbered;
    for (const auto& m : members) numbered.push_back(&m);
    std::stable_sort(numbered.begin(), numbered.end(),
                     [](const auto* a, const auto* b) { return std::stoul(a->first) < std::stoul(b->first); });
    for (const auto* m : numbered) m->second.write(w);
    w.end_array();
  }
};

}  // namespace leadhub::mapping
