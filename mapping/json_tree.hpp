// A JSON document assembled from dotted paths ("prospect.address.city"), used to
// build canonical documents from mapped values and party documents on the way out.
#pragma once

#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "canonical_paths.hpp"
#include "json/json_writer.hpp"

namespace leadhub::mapping {

// A JSON document assembled from dotted canonical paths.
struct JsonTree {
  ValueType type = ValueType::text;
  std::string scalar;
  bool is_scalar = false;
  // deque, not vector: clang with libstdc++ refuses a vector of pairs of the
  // still-incomplete JsonTree; deque accepts it and keeps references stable.
  std::deque<std::pair<std::string, JsonTree>> members;
  std::deque<JsonTree> items;
  bool is_array = false;

  JsonTree& member(const std::string& name) {
    for (auto& [k, v] : members) {
      if (k == name) return v;
    }
    members.emplace_back(name, JsonTree{});
    return members.back().second;
  }

  void set(std::string_view path, std::string value, ValueType t) {
    JsonTree* node = this;
    for (;;) {
      const auto dot = path.find('.');
      if (dot == std::string_view::npos) break;
      const auto head = path.substr(0, dot);
      node = &node->member(std::string(head));
      path = path.substr(dot + 1);
      if (head == "attributes") break;  // attribute names may themselves contain dots
    }
    JsonTree& leaf = node->member(std::string(path));
    leaf.is_scalar = true;
    leaf.scalar = std::move(value);
    leaf.type = t;
  }

  // The scalar at a dotted path, or "" when there is none.
  std::string get(std::string_view path) const {
    const JsonTree* node = this;
    while (!path.empty()) {
      const auto dot = path.find('.');
      const auto head = path.substr(0, dot);
      const JsonTree* next = nullptr;
      for (const auto& [k, v] : node->members) {
        if (k == head) next = &v;
      }
      if (next == nullptr) return {};
      node = next;
      path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
    }
    return node->is_scalar ? node->scalar : std::string();
  }

  void write(JsonWriter& w) const {
    if (is_scalar) {
      const bool digits =
          !scalar.empty() && scalar.size() <= 18 && scalar.find_first_not_of("0123456789") == std::string::npos;
      if (type == ValueType::integer && digits) {  // "080" is 80: JSON numbers have no leading zeros
        const auto first = scalar.find_first_not_of('0');
        w.raw(first == std::string::npos ? std::string_view("0") : std::string_view(scalar).substr(first));
        return;
      }
      const bool literal = type == ValueType::boolean && (scalar == "true" || scalar == "false");
      if (literal)
        w.raw(scalar);  // a JSON number or boolean as the canonical model types it
      else
        w.value(scalar);
      return;
    }
    if (is_array) {
      w.begin_array();
      for (const auto& item : items) item.write(w);
      w.end_array();
      return;
    }
    w.begin_object();
    for (const auto& [k, v] : members) {
      w.key(k);
      v.write(w);
    }
    w.end_object();
  }
};

}  // namespace leadhub::mapping
