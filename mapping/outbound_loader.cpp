// The `outbound:` section of a mapping file (see outbound.hpp for its shape).
#include "canonical_paths.hpp"
#include "loader_support.hpp"

namespace leadhub::mapping {
namespace {

// Outbound conditions test canonical values: the path is taken as written.
Result<SourcePath> canonical_path(const std::string& text, const YAML::Node&) {
  SourcePath path;
  path.text = text;
  return path;
}

Result<ValueType> load_type(const YAML::Node& node, const LoadContext& ctx) {
  const auto t = node.as<std::string>();
  if (t == "string") return ValueType::text;
  if (t == "number") return ValueType::number;
  if (t == "integer") return ValueType::integer;
  if (t == "boolean") return ValueType::boolean;
  return LoadContext::fail_at(ctx.at(node), "type: '" + t + "' is not string, number, integer or boolean");
}

Result<std::vector<OutboundRule>> load_rules(const YAML::Node& node, const LoadContext& ctx);

// {from, value, default, join, transforms, when, type} or {each: GROUP, fields: {...}}.
Status load_rule_options(const YAML::Node& key, const YAML::Node& v, OutboundRule& rule, const LoadContext& ctx) {
  if (auto st = ctx.check_keys(v, {"from", "value", "default", "join", "transforms", "when", "type", "each", "fields"});
      !st) {
    return st;
  }
  if (const auto from = v["from"]) {
    if (from.IsSequence()) {
      for (const auto& f : from) rule.from.push_back(f.as<std::string>());
    } else {
      rule.from.push_back(from.as<std::string>());
    }
  }
  if (v["value"]) rule.constant = v["value"].as<std::string>();
  if (v["default"]) rule.fallback = v["default"].as<std::string>();
  if (v["join"]) rule.join = v["join"].as<std::string>();
  if (v["each"]) {
    rule.each = v["each"].as<std::string>();
    if (!is_group(rule.each))
      return LoadContext::fail_at(ctx.at(v["each"]), "'" + rule.each + "' is not a repeating group");
    auto fields = load_rules(v["fields"], ctx);
    if (!fields) return fields.error();
    rule.fields = std::move(fields).value();
    return ok_status();
  }
  if (v["fields"]) return LoadContext::fail_at(ctx.at(v["fields"]), "fields: only with each:");
  if (rule.from.empty() && !rule.constant)
    return LoadContext::fail_at(ctx.at(key), rule.target + ": needs from: or value:");
  if (!rule.from.empty() && rule.constant) {
    return LoadContext::fail_at(ctx.at(key), rule.target + ": give from: or value:, not both");
  }
  for (const auto& t : v["transforms"]) {
    auto transform = make_transform(t, ctx.file);
    if (!transform) return transform.error();
    rule.transforms.push_back(std::move(transform).value());
  }
  if (v["when"]) {
    auto condition = load_condition(v["when"], ctx, canonical_path);
    if (!condition) return condition.error();
    rule.when = std::move(condition).value();
  }
  if (v["type"]) {
    auto type = load_type(v["type"], ctx);
    if (!type) return type.error();
    rule.type = *type;
  }
  return ok_status();
}

// A canonical path, a rule, or a list of them (the first with a value wins).
Result<OutboundRule> load_rule(const YAML::Node& key, const YAML::Node& v, const LoadContext& ctx) {
  OutboundRule rule;
  rule.target = key.as<std::string>();
  if (v.IsScalar()) {
    rule.from.push_back(v.as<std::string>());
  } else if (v.IsMap()) {
    if (auto st = load_rule_options(key, v, rule, ctx); !st) return st.error();
  } else if (v.IsSequence() && v.size() > 0) {
    for (const auto& alternative : v) {
      if (alternative.IsSequence())
        return LoadContext::fail_at(ctx.at(alternative), "a list of rules cannot hold another list");
      auto loaded = load_rule(key, alternative, ctx);
      if (!loaded) return loaded.error();
      if (!loaded->each.empty()) return LoadContext::fail_at(ctx.at(alternative), "each: cannot be an alternative");
      rule.otherwise.push_back(std::move(loaded).value());
    }
    OutboundRule first = std::move(rule.otherwise.front());
    first.otherwise.assign(std::make_move_iterator(rule.otherwise.begin() + 1),
                           std::make_move_iterator(rule.otherwise.end()));
    return first;
  } else {
    return LoadContext::fail_at(ctx.at(v),
                                "expected a canonical path, {from, value, transforms, ...} or a list of them");
  }
  return rule;
}

Result<std::vector<OutboundRule>> load_rules(const YAML::Node& node, const LoadContext& ctx) {
  std::vector<OutboundRule> rules;
  if (!node) return rules;
  if (!node.IsMap()) return LoadContext::fail_at(ctx.at(node), "expected a mapping of party path: canonical source");
  for (const auto& item : node) {
    auto rule = load_rule(item.first, item.second, ctx);
    if (!rule) return rule.error();
    rules.push_back(std::move(rule).value());
  }
  return rules;
}

// The older `groups:` section: each group becomes an `each` rule after the fields.
Status load_groups(const YAML::Node& groups, std::vector<OutboundRule>& fields, const LoadContext& ctx) {
  for (const auto& item : groups) {
    OutboundRule rule;
    rule.each = item.first.as<std::string>();
    if (!is_group(rule.each))
      return LoadContext::fail_at(ctx.at(item.first), "'" + rule.each + "' is not a repeating group");
    if (auto st = ctx.check_keys(item.second, {"element", "fields"}); !st) return st;
    rule.target = item.second["element"] ? item.second["element"].as<std::string>() : rule.each;
    auto rules = load_rules(item.second["fields"], ctx);
    if (!rules) return rules.error();
    rule.fields = std::move(rules).value();
    fields.push_back(std::move(rule));
  }
  return ok_status();
}

Result<SourceFormat> load_format(const YAML::Node& node, const MappingSpec& spec, const LoadContext& ctx) {
  if (!node) return spec.format == SourceFormat::form ? SourceFormat::json : spec.format;
  const auto f = node.as<std::string>();
  if (f == "xml") return SourceFormat::xml;
  if (f == "json") return SourceFormat::json;
  if (f == "csv") return SourceFormat::csv;
  return LoadContext::fail_at(ctx.at(node), "outbound format: '" + f + "' is not xml, json or csv");
}

}  // namespace

Result<OutboundSpec> load_outbound(const YAML::Node& node, const MappingSpec& spec, const LoadContext& ctx) {
  if (!node.IsMap()) return LoadContext::fail_at(ctx.at(node), "outbound: expected a mapping");
  if (auto st = ctx.check_keys(
          node, {"format", "root", "namespace", "record", "header", "footer", "fields", "groups", "error"});
      !st) {
    return st.error();
  }
  OutboundSpec out;
  auto format = load_format(node["format"], spec, ctx);
  if (!format) return format.error();
  out.format = *format;
  out.csv_delimiter = spec.csv.delimiter;
  out.csv_latin1 =
      spec.csv.encoding == CsvOptions::Encoding::latin1 || spec.csv.encoding == CsvOptions::Encoding::windows1252;
  if (node["root"]) out.root = node["root"].as<std::string>();
  if (node["namespace"]) out.xml_namespace = node["namespace"].as<std::string>();
  if (node["record"]) out.record = node["record"].as<std::string>();
  for (auto [key, rules] : {std::pair{"header", &out.header}, {"footer", &out.footer}, {"fields", &out.fields}}) {
    auto loaded = load_rules(node[key], ctx);
    if (!loaded) return loaded.error();
    *rules = std::move(loaded).value();
  }
  if (const auto groups = node["groups"]) {
    if (auto st = load_groups(groups, out.fields, ctx); !st) return st.error();
  }
  if (const auto error = node["error"]) {
    if (auto st = ctx.check_keys(error, {"root", "fields"}); !st) return st.error();
    if (error["root"]) out.error_root = error["root"].as<std::string>();
    auto rules = load_rules(error["fields"], ctx);
    if (!rules) return rules.error();
    out.error_fields = std::move(rules).value();
  }
  return out;
}

}  // namespace leadhub::mapping
