// Loads a mapping file into a MappingSpec, checking every key and compiling every
// source path and transform, so a broken mapping fails at load with file:line:col
// and never halfway through a partner's 100,000-row file.
#include <re2/re2.h>
#include <algorithm>
#include <utility>

#include <filesystem>
#include <fstream>
#include <pugixml.hpp>

#include "canonical_paths.hpp"
#include "json/decode.hpp"
#include "json/lead_fields.hpp"
#include "loader_support.hpp"
#include "reader_factory.hpp"
#include "spec.hpp"

namespace leadhub::mapping {

const char* to_string(Operation op) {
  switch (op) {
    case Operation::create:
      return "create";
    case Operation::change:
      return "change";
    case Operation::read:
      return "read";
    case Operation::find:
      return "find";
  }
  return "create";
}

namespace {

class Loader {
 public:
  explicit Loader(std::string file) : file_(std::move(file)), ctx_{file_} {}

  Result<std::shared_ptr<const MappingSpec>> load() {
    YAML::Node root;
    // A folder opens as a stream on Linux and its first read throws an exception
    // yaml-cpp does not wrap (the process aborted).
    if (std::error_code ec; std::filesystem::is_directory(file_, ec)) {
      return fail_at(file_, "is a directory, not a mapping file");
    }
    try {
      root = YAML::LoadFile(file_);
    } catch (const YAML::BadFile&) {
      return fail_at(file_, "cannot read the mapping file");
    } catch (const YAML::Exception& e) {
      return fail_at(file_ + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1),
                     "not valid YAML: " + e.msg + yaml_hint(e.mark.line));
    } catch (const std::exception& e) {  // an I/O error while reading
      return fail_at(file_, std::string("cannot read the mapping file: ") + e.what());
    }
    try {
      if (auto st = check_unique_keys(root, ctx_); !st) return st.error();
      return load_root(root);
    } catch (const YAML::Exception& e) {  // a value of the wrong shape deep inside
      return fail_at(file_ + ":" + std::to_string(e.mark.line + 1) + ":" + std::to_string(e.mark.column + 1), e.msg);
    }
  }

 private:
  // yaml-cpp's words ("end of map not found") name no cause; most often it is the
  // indentation of the line or the one above, and a TAB, which YAML does not allow there.
  std::string yaml_hint(int line) const {
    std::ifstream in(file_, std::ios::binary);
    std::string text;
    for (int n = 0; n <= line && std::getline(in, text); ++n) {
      const auto indent = text.substr(0, text.find_first_not_of(" \t"));
      if (n + 1 >= line && indent.find('\t') != std::string::npos) {
        return " (line " + std::to_string(n + 1) + " is indented with a TAB; YAML indents with spaces only)";
      }
    }
    return " (check the indentation of this line and the one above it)";
  }

  static Error fail_at(const std::string& where, const std::string& reason) {
    return LoadContext::fail_at(where, reason);
  }
  std::string at(const YAML::Node& n) const { return ctx_.at(n); }
  Status check_keys(const YAML::Node& map, std::initializer_list<const char*> known) {
    return ctx_.check_keys(map, known);
  }
  PathCompiler path_compiler() {
    return [this](const std::string& text, const YAML::Node& where) { return compile_path(text, where); };
  }
  Result<Condition> load_when(const YAML::Node& node) { return load_condition(node, ctx_, path_compiler()); }

  Result<std::shared_ptr<const MappingSpec>> load_root(const YAML::Node& root) {
    if (!root.IsMap()) return fail_at(at(root), "a mapping file is a YAML mapping");
    if (auto st = check_keys(root, {"name", "description", "format", "csv", "records", "operation", "fields", "groups",
                                    "limits", "outbound"});
        !st) {
      return st.error();
    }
    auto spec = std::make_shared<MappingSpec>();
    spec->file = file_;
    spec->name = root["name"] ? root["name"].as<std::string>() : std::filesystem::path(file_).stem().string();
    if (root["description"]) spec->description = root["description"].as<std::string>();
    if (!root["format"]) return fail_at(at(root), "format: required (csv, xml, json or form)");
    const auto format = root["format"].as<std::string>();
    if (format == "csv")
      spec->format = SourceFormat::csv;
    else if (format == "xml")
      spec->format = SourceFormat::xml;
    else if (format == "json")
      spec->format = SourceFormat::json;
    else if (format == "form")
      spec->format = SourceFormat::form;
    else
      return fail_at(at(root["format"]), "format: '" + format + "' is not csv, xml, json or form");
    format_ = spec->format;
    if (auto st = load_csv(root["csv"], spec->csv); !st) return st.error();
    if (root["records"]) spec->records = root["records"].as<std::string>();
    if (spec->format == SourceFormat::xml) {
      if (spec->records.empty()) return fail_at(at(root), "records: required for xml (an XPath such as /Leads/Lead)");
      if (auto st = check_xpath(spec->records, root["records"]); !st) return st.error();
    }
    if (spec->format == SourceFormat::json && !spec->records.empty() && spec->records[0] != '/') {
      return fail_at(at(root["records"]), "records: a JSON Pointer starts with /");
    }
    if (auto st = load_operation(root["operation"], *spec); !st) return st.error();
    if (auto st = load_limits(root["limits"], spec->limits); !st) return st.error();
    if (!root["fields"] || !root["fields"].IsMap())
      return fail_at(at(root), "fields: required, a mapping of target: source");
    for (const auto& item : root["fields"]) {
      auto rule = load_field(item.first, item.second, "");
      if (!rule) return rule.error();
      spec->fields.push_back(std::move(rule).value());
    }
    if (const auto groups = root["groups"]) {
      if (!groups.IsMap()) return fail_at(at(groups), "groups: expected a mapping of group: {each, fields}");
      for (const auto& item : groups) {
        auto group = load_group(item.first, item.second);
        if (!group) return group.error();
        spec->groups.push_back(std::move(group).value());
      }
    }
    if (const auto outbound = root["outbound"]) {
      auto out = load_outbound(outbound, *spec, ctx_);
      if (!out) return out.error();
      spec->outbound = std::move(out).value();
    }
    spec->csv.named_columns = named_columns_;
    return std::shared_ptr<const MappingSpec>(spec);
  }

  Status load_csv(const YAML::Node& node, CsvOptions& csv) {
    if (!node) return ok_status();
    if (format_ != SourceFormat::csv) return fail_at(at(node), "csv: only for format csv");
    if (auto st = check_keys(node, {"delimiter", "quote", "header", "encoding"}); !st) return st;
    auto one_char = [&](const char* key, char& out) -> Status {
      if (!node[key]) return ok_status();
      auto v = node[key].as<std::string>();
      if (v == "\\t" || v == "tab") v = "\t";
      if (v.size() != 1) return fail_at(at(node[key]), std::string(key) + ": expected one character");
      out = v[0];
      return ok_status();
    };
    if (auto st = one_char("delimiter", csv.delimiter); !st) return st;
    if (auto st = one_char("quote", csv.quote); !st) return st;
    if (node["header"]) {
      auto header = ctx_.boolean(node["header"], "header");
      if (!header) return header.error();
      csv.header = *header;
    }
    if (node["encoding"]) {
      const auto e = node["encoding"].as<std::string>();
      if (e == "utf-8" || e == "utf-8-bom" || e == "UTF-8")
        csv.encoding = CsvOptions::Encoding::utf8;
      else if (e == "iso-8859-1" || e == "latin1" || e == "ISO-8859-1")
        csv.encoding = CsvOptions::Encoding::latin1;
      else if (e == "windows-1252" || e == "cp1252")
        csv.encoding = CsvOptions::Encoding::windows1252;
      else if (e == "auto")
        csv.encoding = CsvOptions::Encoding::auto_detect;
      else if (e == "mac-roman" || e == "macintosh" || e == "macroman" || e == "x-mac-roman")
        csv.encoding = CsvOptions::Encoding::mac_roman;
      else
        return fail_at(at(node["encoding"]),
                       "encoding: '" + e + "' is not utf-8, iso-8859-1, windows-1252, mac-roman or auto");
    }
    return ok_status();
  }

  Status load_limits(const YAML::Node& node, Limits& limits) {
    if (!node) return ok_status();
    if (auto st = check_keys(node, {"max_document_bytes", "max_records", "max_field_bytes", "max_depth"}); !st)
      return st;
    for (auto [key, value] :
         {std::pair{"max_document_bytes", &limits.max_document_bytes}, std::pair{"max_records", &limits.max_records},
          std::pair{"max_field_bytes", &limits.max_field_bytes}, std::pair{"max_depth", &limits.max_depth}}) {
      if (!node[key]) continue;
      auto n = ctx_.count(node[key], std::string("limits: ") + key);
      if (!n) return n.error();
      *value = *n;
    }
    return ok_status();
  }

  Status load_operation(const YAML::Node& node, MappingSpec& spec) {
    if (!node) return ok_status();
    auto parse_op = [&](const std::string& text, const YAML::Node& where, Operation& out) -> Status {
      if (text == "create")
        out = Operation::create;
      else if (text == "change")
        out = Operation::change;
      else if (text == "read")
        out = Operation::read;
      else if (text == "find")
        out = Operation::find;
      else
        return fail_at(at(where), "operation: '" + text + "' is not create, change, read or find");
      return ok_status();
    };
    if (node.IsScalar()) return parse_op(node.as<std::string>(), node, spec.fixed_operation);
    // {from: SOURCE, map: {SOURCE_VALUE: create, ...}, default: create}
    if (!node.IsMap() || !node["from"]) return fail_at(at(node), "operation: a name or {from: ..., map: {...}}");
    if (node["map"]) {
      for (const auto& item : node["map"]) {
        Operation op{};
        if (auto st = parse_op(item.second.as<std::string>(), item.second, op); !st) return st;
      }
    }
    if (node["default"]) {
      Operation op{};
      if (auto st = parse_op(node["default"].as<std::string>(), node["default"], op); !st) return st;
    }
    auto rule = load_field(YAML::Node("operation"), node, "");
    if (!rule) return rule.error();
    spec.operation_from = std::move(rule).value();
    return ok_status();
  }

  // Element names are matched without their prefix (the reader drops the ones the
  // sender chose), so a prefixed step would never match: refuse it with what to write.
  Status check_no_element_prefix(const std::string& text, const YAML::Node& where) {
    const std::string step = prefixed_element_step(text);
    if (step.empty()) return ok_status();
    return fail_at(at(where), "'" + text + "': write element names without their namespace prefix ('" + step +
                                  "'): the hub matches elements by local name, whatever prefix or default "
                                  "namespace the sender used; write '" +
                                  without_element_prefixes(text) + "'");
  }

  Status check_xpath(const std::string& text, const YAML::Node& where) {
    if (auto st = check_no_element_prefix(text, where); !st) return st;
    try {
      pugi::xpath_query query(text.c_str());
      (void)query;
    } catch (const pugi::xpath_exception& e) {
      return fail_at(at(where), std::string("not a valid XPath: ") + e.what());
    }
    return ok_status();
  }

  // The number of a CSV column name among the names this mapping reads (the
  // reader resolves them once per header; see CsvOptions::named_columns).
  int column_slot(const std::string& name) {
    const auto it = std::find(named_columns_.begin(), named_columns_.end(), name);
    if (it != named_columns_.end()) return static_cast<int>(it - named_columns_.begin());
    named_columns_.push_back(name);
    return static_cast<int>(named_columns_.size()) - 1;
  }

  Result<SourcePath> compile_path(const std::string& text, const YAML::Node& where) {
    SourcePath path;
    path.text = text;
    if (text.empty()) return fail_at(at(where), "empty source");
    switch (format_) {
      case SourceFormat::csv:
        if (text.find_first_not_of("0123456789") == std::string::npos) {
          path.column = std::stoi(text) - 1;
          if (path.column < 0) return fail_at(at(where), "CSV column numbers start at 1");
        } else {
          path.slot = column_slot(text);
        }
        break;
      case SourceFormat::xml:
        if (auto st = check_no_element_prefix(text, where); !st) return st.error();
        try {
          path.xpath = std::make_shared<pugi::xpath_query>(text.c_str());
          path.steps = plain_xml_steps(text);
        } catch (const pugi::xpath_exception& e) {
          return fail_at(at(where), "'" + text + "' is not a valid XPath: " + e.what());
        }
        break;
      case SourceFormat::json:
        if (text[0] != '/') return fail_at(at(where), "'" + text + "' is not a JSON Pointer (starts with /)");
        break;
      case SourceFormat::form:
        break;
    }
    return path;
  }

  // A rule's source: the record's (compile_path), or `$` and a canonical text field
  // this record's other rules set, e.g. `$prospect.email` for a key built from the
  // e-mail as stored rather than as the partner typed it.
  Result<SourcePath> compile_rule_source(const std::string& text, const YAML::Node& where) {
    if (text.empty() || text[0] != '$') return compile_path(text, where);
    SourcePath path;
    path.text = text;
    path.canonical = text.substr(1);
    const json::LeadField* field = json::find_lead_field(path.canonical);
    if (!is_lead_target(path.canonical) || field == nullptr || field->get == nullptr) {
      return fail_at(at(where), "'" + text + "': after $ comes a canonical text field (e.g. $prospect.email)");
    }
    return path;
  }

  // A list of rules for one target: the first that gives a value wins. `required`
  // anywhere in the list means the target needs a value from one of them.
  Result<FieldRule> load_alternatives(const YAML::Node& key, const YAML::Node& list, const std::string& group) {
    if (list.size() == 0) return fail_at(at(list), "expected at least one rule in the list");
    std::vector<FieldRule> rules;
    for (const auto& item : list) {
      if (item.IsSequence()) return fail_at(at(item), "a list of rules cannot hold another list");
      auto rule = load_field(key, item, group);
      if (!rule) return rule.error();
      rules.push_back(std::move(rule).value());
    }
    FieldRule first = std::move(rules.front());
    for (std::size_t i = 1; i < rules.size(); ++i) {
      first.required = first.required || rules[i].required;
      rules[i].required = false;
      first.otherwise.push_back(std::move(rules[i]));
    }
    return first;
  }

  // `node` is a source (scalar shorthand), {from, value, default, required, transforms,
  // when, join}, or a list of these (alternatives).
  Result<FieldRule> load_field(const YAML::Node& key, const YAML::Node& node, const std::string& group) {
    FieldRule rule;
    rule.target = key.as<std::string>();
    rule.where = at(key);
    if (group.empty() && rule.target != "operation" && !is_lead_target(rule.target) &&
        !is_command_target(rule.target)) {
      return fail_at(rule.where, "'" + rule.target + "' is not a canonical field (see docs/mappings.md)");
    }
    if (!group.empty() && !is_group_member(group, rule.target)) {
      return fail_at(rule.where, "'" + rule.target + "' is not a member of " + group);
    }
    if (node.IsSequence()) return load_alternatives(key, node, group);
    if (node.IsScalar()) {
      auto source = compile_rule_source(node.as<std::string>(), node);
      if (!source) return source.error();
      rule.from.push_back(std::move(source).value());
      return rule;
    }
    if (!node.IsMap()) return fail_at(at(node), "expected a source, {from: ..., transforms: [...]} or a list of them");
    if (auto st = check_keys(
            node, {"from", "value", "default", "required", "transforms", "when", "join", "if_part_empty", "map"});
        !st) {
      return st.error();
    }
    if (node["from"]) {
      const auto from = node["from"];
      if (from.IsSequence()) {
        for (const auto& f : from) {
          auto source = compile_rule_source(f.as<std::string>(), f);
          if (!source) return source.error();
          rule.from.push_back(std::move(source).value());
        }
      } else {
        auto source = compile_rule_source(from.as<std::string>(), from);
        if (!source) return source.error();
        rule.from.push_back(std::move(source).value());
      }
    }
    if (node["value"]) rule.constant = node["value"].as<std::string>();
    if (rule.from.empty() && !rule.constant) return fail_at(rule.where, rule.target + ": needs from: or value:");
    if (!rule.from.empty() && rule.constant)
      return fail_at(rule.where, rule.target + ": give from: or value:, not both");
    if (node["default"]) rule.fallback = node["default"].as<std::string>();
    if (node["required"]) {
      auto required = ctx_.boolean(node["required"], rule.target + ": required");
      if (!required) return required.error();
      rule.required = *required;
    }
    if (node["join"]) rule.join = node["join"].as<std::string>();
    if (const auto mode = node["if_part_empty"]) {
      const auto text = mode.as<std::string>();
      if (text == "skip")
        rule.if_part_empty = FieldRule::IfPartEmpty::skip;
      else if (text == "keep")
        rule.if_part_empty = FieldRule::IfPartEmpty::keep;
      else if (text == "no_value")
        rule.if_part_empty = FieldRule::IfPartEmpty::no_value;
      else
        return fail_at(at(mode), "if_part_empty: '" + text + "' is not skip, keep or no_value");
    }
    if (const auto transforms = node["transforms"]) {
      if (!transforms.IsSequence()) return fail_at(at(transforms), "transforms: expected a list");
      for (const auto& t : transforms) {
        auto transform = make_transform(t, file_);
        if (!transform) return transform.error();
        rule.transforms.push_back(std::move(transform).value());
      }
    }
    if (node["map"]) {  // shorthand for a trailing {map: ...} transform (used by operation:)
      YAML::Node wrapper;
      wrapper["map"] = node["map"];
      auto transform = make_transform(wrapper, file_);
      if (!transform) return transform.error();
      rule.transforms.push_back(std::move(transform).value());
    }
    if (node["when"]) {
      auto condition = load_when(node["when"]);
      if (!condition) return condition.error();
      rule.when = std::move(condition).value();
    }
    return rule;
  }

  Result<GroupRule> load_group(const YAML::Node& key, const YAML::Node& node) {
    GroupRule group;
    group.target = key.as<std::string>();
    group.where = at(key);
    if (!is_group(group.target)) {
      return fail_at(group.where,
                     "'" + group.target + "' is not a repeating group (interests, external_refs, notes, attachments)");
    }
    if (!node.IsMap()) return fail_at(at(node), "a group is {each: SOURCE, fields: {...}}");
    if (auto st = check_keys(node, {"each", "fields", "when"}); !st) return st.error();
    if (node["each"]) {
      auto each = compile_path(node["each"].as<std::string>(), node["each"]);
      if (!each) return each.error();
      if (format_ == SourceFormat::csv || format_ == SourceFormat::form) {
        return fail_at(at(node["each"]), "each: only xml and json records have repeating parts");
      }
      group.each = std::move(each).value();
    }
    if (!node["fields"] || !node["fields"].IsMap()) return fail_at(at(node), "fields: required in a group");
    for (const auto& item : node["fields"]) {
      auto rule = load_field(item.first, item.second, group.target);
      if (!rule) return rule.error();
      group.fields.push_back(std::move(rule).value());
    }
    if (node["when"]) {
      auto condition = load_when(node["when"]);
      if (!condition) return condition.error();
      group.when = std::move(condition).value();
    }
    return group;
  }

  std::string file_;
  LoadContext ctx_;
  SourceFormat format_ = SourceFormat::json;
  std::vector<std::string> named_columns_;
};

}  // namespace

Result<std::shared_ptr<const MappingSpec>> load_mapping(const std::string& path) { return Loader(path).load(); }

namespace {

// " (is 'lettershop-csv' it?)" for a name a typo away from a mapping in the folders,
// else " (there are: a, b, c)": the caller sees what to type instead.
std::string mappings_hint(const std::string& name, const std::vector<std::string>& folders) {
  std::vector<std::string> names;
  for (const auto& folder : folders) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(folder, ec)) {
      if (entry.path().extension() == ".yaml") names.push_back(entry.path().stem().string());
    }
  }
  if (names.empty()) return {};
  std::sort(names.begin(), names.end());
  const std::vector<std::string_view> known(names.begin(), names.end());
  if (const auto closest = json::closest_name(name, known)) return " (is '" + std::string(*closest) + "' it?)";
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  return " (there are: " + list + ")";
}

}  // namespace

Result<std::shared_ptr<const MappingSpec>> find_mapping(const std::string& name,
                                                        const std::vector<std::string>& folders) {
  if (name.find('/') != std::string::npos || (name.size() > 5 && name.substr(name.size() - 5) == ".yaml")) {
    return load_mapping(name);  // a path was given
  }
  for (const auto& folder : folders) {
    const auto candidate = std::filesystem::path(folder) / (name + ".yaml");
    if (std::filesystem::exists(candidate)) return load_mapping(candidate.string());
  }
  std::string searched;
  for (const auto& f : folders) searched += (searched.empty() ? "" : ", ") + f;
  return Error::make(ErrorCode::not_found,
                     "no mapping named '" + name + "' in " + searched + mappings_hint(name, folders));
}

}  // namespace leadhub::mapping
