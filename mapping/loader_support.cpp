#include "loader_support.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <utility>
#include <vector>

#include "json/decode.hpp"
#include "processing/yaml_support.hpp"

namespace leadhub::mapping {
namespace {

Result<Condition> load_combination(const YAML::Node& node, const char* key, Condition::Test test,
                                   const LoadContext& ctx, const PathCompiler& compile) {
  const YAML::Node list = node[key];
  if (node.size() != 1) return LoadContext::fail_at(ctx.at(node), std::string(key) + ": give it alone, no other keys");
  if (!list.IsSequence() || list.size() == 0) {
    return LoadContext::fail_at(ctx.at(list), std::string(key) + ": expected a non-empty list of conditions");
  }
  Condition c;
  c.test = test;
  for (const auto& part : list) {
    auto loaded = load_condition(part, ctx, compile);
    if (!loaded) return loaded.error();
    c.parts.push_back(std::move(loaded).value());
  }
  return c;
}

Result<Condition> load_test(const YAML::Node& node, const LoadContext& ctx, const PathCompiler& compile) {
  if (auto st = ctx.check_keys(node, {"field", "equals", "not_equals", "in", "present", "absent", "matches"}); !st) {
    return st.error();
  }
  int tests = 0;
  for (const char* key : {"equals", "not_equals", "in", "present", "absent", "matches"}) tests += node[key] ? 1 : 0;
  if (tests > 1) {
    return LoadContext::fail_at(ctx.at(node),
                                "when: one test per condition (equals, not_equals, in, present, absent "
                                "or matches); combine several with all, any or none");
  }
  Condition c;
  auto source = compile(node["field"].as<std::string>(), node["field"]);
  if (!source) return source.error();
  c.source = std::move(source).value();
  if (node["equals"]) {
    c.test = Condition::Test::equals;
    c.values.push_back(node["equals"].as<std::string>());
  } else if (node["not_equals"]) {
    c.test = Condition::Test::not_equals;
    c.values.push_back(node["not_equals"].as<std::string>());
  } else if (node["in"]) {
    c.test = Condition::Test::in;
    for (const auto& v : node["in"]) c.values.push_back(v.as<std::string>());
  } else if (node["present"] || node["absent"]) {
    // `present: false` asks for an absent value (and `absent: false` for a present
    // one): read as the key alone, the condition held the opposite way.
    const char* key = node["present"] ? "present" : "absent";
    auto flag = ctx.boolean(node[key], std::string("when: ") + key);
    if (!flag) return flag.error();
    const bool wants_absent = (std::string(key) == "absent") == *flag;
    c.test = wants_absent ? Condition::Test::absent : Condition::Test::present;
  } else if (node["matches"]) {
    c.test = Condition::Test::matches;
    c.pattern = std::make_shared<re2::RE2>(node["matches"].as<std::string>(), re2::RE2::Quiet);
    if (!c.pattern->ok()) {
      return LoadContext::fail_at(ctx.at(node["matches"]), "bad regular expression: " + c.pattern->error());
    }
  } else {
    c.test = Condition::Test::present;
  }
  return c;
}

}  // namespace

Status LoadContext::check_keys(const YAML::Node& map, std::initializer_list<const char*> known) const {
  for (const auto& item : map) {
    const auto key = item.first.as<std::string>();
    bool ok = false;
    for (const char* k : known) ok = ok || key == k;
    if (!ok) {
      return fail_at(at(item.first), json::unknown_key(key, known));
    }
  }
  return ok_status();
}

Result<bool> LoadContext::boolean(const YAML::Node& node, const std::string& key) const {
  bool value = false;
  if (node.IsScalar() && YAML::convert<bool>::decode(node, value)) return value;
  const std::string shown = node.IsScalar() ? "'" + node.Scalar() + "'" : "a list or mapping";
  return fail_at(at(node), key + ": expected true or false, not " + shown);
}

Result<std::size_t> LoadContext::count(const YAML::Node& node, const std::string& key) const {
  std::size_t value = 0;
  const bool digits =
      node.IsScalar() && !node.Scalar().empty() && node.Scalar().find_first_not_of("0123456789") == std::string::npos;
  if (digits && YAML::convert<std::size_t>::decode(node, value)) return value;
  const std::string shown = node.IsScalar() ? "'" + node.Scalar() + "'" : "a list or mapping";
  return fail_at(at(node), key + ": expected a whole number, not " + shown);
}

Status check_unique_keys(const YAML::Node& root, const LoadContext& ctx) {
  const auto repeated = processing::yaml::repeated_key(root);
  if (!repeated) return ok_status();
  std::string reason = "'" + repeated->key + "' is given twice in this block (also at line " +
                       std::to_string(repeated->first_line) + "); YAML would keep only the last";
  // Under `fields:` a key is a target: say how to give one several rules.
  if (repeated->parent == "fields") {
    reason += ". Several rules for one target are a list: " + repeated->key + ": [{...}, {...}]";
  }
  return LoadContext::fail_at(ctx.at(repeated->at), reason);
}

namespace {

bool xml_name_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '.' ||
         static_cast<unsigned char>(c) >= 0x80;
}

// Where each element prefix of `xpath` starts and ends (the ':' included).
std::vector<std::pair<std::size_t, std::size_t>> element_prefixes(const std::string& xpath) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  char quote = 0;
  for (std::size_t i = 0; i < xpath.size(); ++i) {
    const char c = xpath[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      continue;
    }
    if (c != ':' || i == 0 || i + 1 >= xpath.size()) continue;
    if (xpath[i - 1] == ':' || xpath[i + 1] == ':') continue;  // an axis: self::Lead
    if (!xml_name_char(xpath[i - 1]) || !xml_name_char(xpath[i + 1])) continue;
    std::size_t start = i;
    while (start > 0 && xml_name_char(xpath[start - 1])) --start;
    if (start > 0 && xpath[start - 1] == '@') continue;  // @xsi:type
    if (start >= 11 && xpath.compare(start - 11, 11, "attribute::") == 0) continue;
    out.emplace_back(start, i + 1);
  }
  return out;
}

}  // namespace

std::string prefixed_element_step(const std::string& xpath) {
  const auto prefixes = element_prefixes(xpath);
  if (prefixes.empty()) return "";
  std::size_t end = prefixes.front().second;
  while (end < xpath.size() && xml_name_char(xpath[end])) ++end;
  return xpath.substr(prefixes.front().first, end - prefixes.front().first);
}

std::string without_element_prefixes(const std::string& xpath) {
  std::string out;
  std::size_t from = 0;
  for (const auto& [start, end] : element_prefixes(xpath)) {
    out.append(xpath, from, start - from);
    from = end;
  }
  out.append(xpath, from, std::string::npos);
  return out;
}

Result<Condition> load_condition(const YAML::Node& node, const LoadContext& ctx, const PathCompiler& compile) {
  if (node.IsMap() && node["all"]) return load_combination(node, "all", Condition::Test::all, ctx, compile);
  if (node.IsMap() && node["any"]) return load_combination(node, "any", Condition::Test::any, ctx, compile);
  if (node.IsMap() && node["none"]) return load_combination(node, "none", Condition::Test::none, ctx, compile);
  if (!node.IsMap() || !node["field"]) {
    return LoadContext::fail_at(ctx.at(node),
                                "when: expected {field: SOURCE, equals|in|present|...} or {all|any|none: [...]}");
  }
  return load_test(node, ctx, compile);
}

}  // namespace leadhub::mapping
