#include "engine.hpp"

#include <re2/re2.h>

#include <charconv>

#include "canonical_paths.hpp"
#include "csv_reader.hpp"
#include "json/json_writer.hpp"
#include "json/record_json.hpp"
#include "json_tree.hpp"
#include "model/lifecycle.hpp"
#include "model/validation.hpp"
#include "reader_factory.hpp"
#include "util/time_format.hpp"

namespace leadhub::mapping {

std::string MappingError::to_string() const {
  std::string out = record;
  if (!source.empty()) out += ": source '" + source + "'";
  if (!field.empty()) out += (source.empty() ? ": " : " -> ") + field;
  out += ": " + reason;
  return out;
}

namespace {

bool holds(const Condition& c, const Record& record) {
  const auto value = record.value(c.source);
  switch (c.test) {
    case Condition::Test::present:
      return value && !trim(*value).empty();
    case Condition::Test::absent:
      return !value || trim(*value).empty();
    case Condition::Test::equals:
      return value && trim(*value) == c.values[0];
    case Condition::Test::not_equals:
      return !value || trim(*value) != c.values[0];
    case Condition::Test::in:
      return value && std::find(c.values.begin(), c.values.end(), trim(*value)) != c.values.end();
    case Condition::Test::matches:
      return value && re2::RE2::PartialMatch(*value, *c.pattern);
  }
  return false;
}

std::string source_text(const FieldRule& rule) {
  std::string out;
  for (const auto& s : rule.from) out += (out.empty() ? "" : "+") + s.text;
  return out;
}

// The rule's value for this record: nullopt when it does not apply or is empty.
std::optional<std::string> evaluate(const FieldRule& rule, const Record& record, const std::string& target_path,
                                    std::vector<MappingError>& errors, std::size_t max_field_bytes,
                                    const TransformContext& ctx = {}) {
  if (rule.when && !holds(*rule.when, record)) return std::nullopt;
  std::string value;
  bool present = false;
  if (rule.constant) {
    value = *rule.constant;
    present = true;
  } else {
    for (const auto& source : rule.from) {
      auto part = record.value(source);
      if (!part || part->empty()) continue;
      if (!is_valid_utf8_text(*part, true)) {
        errors.push_back({record.location(), source.text, target_path,
                          "not valid UTF-8 (is the file in another encoding? the mapping can declare it)"});
        return std::nullopt;
      }
      if (part->size() > max_field_bytes) {
        errors.push_back(
            {record.location(), source.text, target_path, "longer than " + std::to_string(max_field_bytes) + " bytes"});
        return std::nullopt;
      }
      if (present) value += rule.join;
      value += *part;
      present = true;
    }
  }
  if (present && !rule.constant) {
    auto transformed = apply_chain(rule.transforms, std::move(value), ctx);
    if (!transformed) {
      errors.push_back({record.location(), source_text(rule), target_path, transformed.error().message});
      return std::nullopt;
    }
    value = std::move(transformed).value();
  }
  if (value.empty() && rule.fallback) value = *rule.fallback;
  if (value.empty()) {
    if (rule.required) {
      errors.push_back({record.location(), source_text(rule), target_path, "required, but missing or empty"});
    }
    return std::nullopt;
  }
  return value;
}

std::string strip_indexes(const std::string& path) {  // interests[2].quantity -> interests.quantity
  std::string out;
  bool skip = false;
  for (char c : path) {
    if (c == '[')
      skip = true;
    else if (c == ']')
      skip = false;
    else if (!skip)
      out += c;
  }
  return out;
}

}  // namespace

Mapper::Mapper(std::shared_ptr<const MappingSpec> spec) : spec_(std::move(spec)) {
  for (const auto& rule : spec_->fields) source_of_[rule.target] = source_text(rule);
  for (const auto& group : spec_->groups) {
    for (const auto& rule : group.fields) source_of_[group.target + "." + rule.target] = source_text(rule);
  }
}

std::string Mapper::source_for(const std::string& path) const {
  const auto it = source_of_.find(path);
  return it == source_of_.end() ? std::string() : it->second;
}

MappedRecord Mapper::map(const Record& record) const {
  MappedRecord out;
  out.location = record.location();
  const std::size_t max_field = spec_->limits.max_field_bytes;
  out.operation = spec_->fixed_operation;
  if (spec_->operation_from) {
    if (auto op = evaluate(*spec_->operation_from, record, "operation", out.errors, max_field)) {
      if (*op == "create")
        out.operation = Operation::create;
      else if (*op == "change")
        out.operation = Operation::change;
      else if (*op == "read")
        out.operation = Operation::read;
      else if (*op == "find")
        out.operation = Operation::find;
      else
        out.errors.push_back(
            {out.location, source_text(*spec_->operation_from), "operation", "'" + *op + "' is not an operation"});
    }
  }

  JsonTree doc;
  std::map<std::string, std::string> command;  // target.* and query.*
  const TransformContext ctx{[&doc](std::string_view path) { return doc.get(path); }};
  // Rules whose transforms read other canonical fields run after all the others.
  for (const bool second_pass : {false, true}) {
    for (const auto& rule : spec_->fields) {
      const bool reads = std::any_of(rule.transforms.begin(), rule.transforms.end(),
                                     [](const Transform& t) { return t.reads_canonical; });
      if (reads != second_pass) continue;
      auto value = evaluate(rule, record, rule.target, out.errors, max_field, ctx);
      if (!value) continue;
      if (is_command_target(rule.target))
        command[rule.target] = std::move(*value);
      else
        doc.set(rule.target, std::move(*value), value_type(rule.target));
    }
  }
  for (const auto& group : spec_->groups) {
    if (group.when && !holds(*group.when, record)) continue;
    std::vector<std::unique_ptr<Record>> parts;
    if (group.each) parts = record.each(*group.each);
    JsonTree& array = doc.member(group.target);
    array.is_array = true;
    auto add_item = [&](const Record& part) {
      JsonTree item;
      for (const auto& rule : group.fields) {
        auto value = evaluate(rule, part, group.target + "." + rule.target, out.errors, max_field);
        if (value) item.set(rule.target, std::move(*value), value_type(rule.target));
      }
      if (!item.members.empty()) array.items.push_back(std::move(item));
    };
    if (group.each) {
      for (const auto& part : parts) add_item(*part);
    } else {
      add_item(record);
    }
    if (array.items.empty())
      doc.members.erase(
          std::find_if(doc.members.begin(), doc.members.end(), [&](const auto& m) { return m.first == group.target; }));
  }
  JsonWriter w(out.document);
  doc.write(w);

  auto add_field_errors = [&](const Error& e) {
    if (e.fields.empty()) out.errors.push_back({out.location, "", "", e.message});
    for (const auto& f : e.fields) {
      const auto it = source_of_.find(strip_indexes(f.field));
      out.errors.push_back({out.location, it == source_of_.end() ? "" : it->second, f.field, f.reason});
    }
  };

  // Command fields: which lead (change/read) and the query (find).
  if (auto it = command.find("target.id"); it != command.end()) {
    if (auto id = RecordId::parse(it->second))
      out.target_id = *id;
    else
      out.errors.push_back({out.location, source_for("target.id"), "target.id", "not a leadhub id"});
  }
  if (command.count("target.ref_system") && command.count("target.ref_id")) {
    out.target_ref = ExternalRef{command["target.ref_system"], command["target.ref_id"]};
  }
  if (auto it = command.find("target.version"); it != command.end()) {
    try {
      out.expected_version = std::stoull(it->second);
    } catch (...) {
      out.errors.push_back({out.location, source_for("target.version"), "target.version", "not a version number"});
    }
  }
  auto& q = out.query;
  if (auto it = command.find("query.status"); it != command.end()) {
    if (auto s = parse_enum<LeadStatus>(it->second))
      q.status = *s;
    else
      out.errors.push_back(
          {out.location, source_for("query.status"), "query.status", "'" + it->second + "' is not a status"});
  }
  if (auto it = command.find("query.source"); it != command.end()) {
    if (auto s = parse_enum<LeadSource>(it->second))
      q.source = *s;
    else
      out.errors.push_back(
          {out.location, source_for("query.source"), "query.source", "'" + it->second + "' is not a source"});
  }
  q.owner_channel = command["query.owner"];
  q.campaign = command["query.campaign"];
  q.email = command["query.email"];
  q.phone = command["query.phone"];
  if (auto it = command.find("query.changed_since"); it != command.end()) {
    if (auto t = parse_timestamp(it->second))
      q.changed_since = *t;
    else
      out.errors.push_back({out.location, source_for("query.changed_since"), "query.changed_since", "not a timestamp"});
  }
  if (auto it = command.find("query.limit"); it != command.end()) {
    const auto& text = it->second;
    std::size_t limit = 0;
    const auto r = std::from_chars(text.data(), text.data() + text.size(), limit);
    if (r.ec != std::errc{} || r.ptr != text.data() + text.size() || limit == 0) {
      out.errors.push_back({out.location, source_for("query.limit"), "query.limit", "not a number of hits >= 1"});
    } else {
      q.limit = std::min<std::size_t>(limit, kMaxFindLimit);  // a larger maximum is served in pages
    }
  }
  if (auto it = command.find("query.after"); it != command.end()) {
    if (auto id = RecordId::parse(it->second))
      q.after = *id;
    else
      out.errors.push_back({out.location, source_for("query.after"), "query.after", "not a leadhub id"});
  }

  switch (out.operation) {
    case Operation::create: {
      auto lead = lead_from_json(out.document, DecodeMode::input);
      if (!lead) {
        add_field_errors(lead.error());
        break;
      }
      normalize(*lead);
      // The store's rules, so the dry run shows what would be stored (a qualification
      // makes an open lead qualified; nothing starts as converted). All errors together.
      const auto lifecycle = apply_initial_lifecycle(*lead, 0);
      if (!lifecycle) add_field_errors(lifecycle.error());
      if (auto errors = validate(*lead); !errors.empty()) {
        add_field_errors(Error::invalid(std::move(errors)));
        break;
      }
      if (!lifecycle) break;
      out.lead = std::move(lead).value();
      break;
    }
    case Operation::change: {
      Lead probe;  // type-check the patch now; lifecycle and versions are the store's job
      if (auto st = merge_patch(probe, out.document); !st) {
        add_field_errors(st.error());
      } else if (!probe.notes.empty()) {
        // Notes in a change are additions: move them out of the patch.
        out.append_notes = std::move(probe.notes);
        doc.members.erase(
            std::find_if(doc.members.begin(), doc.members.end(), [](const auto& m) { return m.first == "notes"; }));
        out.document.clear();
        JsonWriter patch(out.document);
        doc.write(patch);
      }
      [[fallthrough]];
    }
    case Operation::read:
      if (out.target_id.empty() && !out.target_ref && !command.count("target.id")) {
        out.errors.push_back(
            {out.location, "", "target.id",
             "a " + std::string(to_string(out.operation)) + " needs the lead's id or external reference"});
      }
      break;
    case Operation::find:
      break;
  }
  return out;
}

Result<std::unique_ptr<RecordReader>> open_reader(const MappingSpec& spec, std::istream& in) {
  switch (spec.format) {
    case SourceFormat::csv:
      return std::unique_ptr<RecordReader>(std::make_unique<CsvReader>(spec.csv, spec.limits, in));
    case SourceFormat::xml:
      return make_xml_reader(spec, in);
    case SourceFormat::json:
      return make_json_reader(spec, in);
    case SourceFormat::form:
      return make_form_reader(spec, in);
  }
  return Error::make(ErrorCode::internal, "unknown source format");
}

Status Mapper::map_stream(std::istream& in, const std::function<bool(MappedRecord&&)>& sink) const {
  auto reader = open_reader(*spec_, in);
  if (!reader) return reader.error();
  for (;;) {
    auto record = (*reader)->next();
    if (!record) return record.error();
    if (!*record) return ok_status();
    MappedRecord mapped;
    if (const auto* broken = dynamic_cast<const ErrorRecord*>(record->get())) {
      mapped.location = broken->location();
      mapped.errors.push_back({broken->location(), "", "", broken->reason()});
    } else {
      mapped = map(**record);
    }
    if (!sink(std::move(mapped))) return ok_status();
  }
}

}  // namespace leadhub::mapping
