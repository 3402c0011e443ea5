#include "loader_support.hpp"

#include <re2/re2.h>

#include "json/decode.hpp"

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
  } else if (node["absent"]) {
    c.test = Condition::Test::absent;
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
