#include "engine.hpp"

#include <re2/re2.h>

#include <charconv>

#include "canonical_document.hpp"
#include "canonical_paths.hpp"
#include "csv_reader.hpp"
#include "json/record_json.hpp"
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
std::optional<std::string> evaluate(const FieldRule& rule, const Record& record, std::string_view target_path,
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
        errors.push_back({record.location(), source.text, std::string(target_path),
                          "not valid UTF-8 (is the file in another encoding? the mapping can declare it)"});
        return std::nullopt;
      }
      if (part->size() > max_field_bytes) {
        errors.push_back({record.location(), source.text, std::string(target_path),
                          "longer than " + std::to_string(max_field_bytes) + " bytes"});
        return std::nullopt;
      }
      if (!present) {
        value = std::move(*part);  // the common single source: no copy
      } else {
        value += rule.join;
        value += *part;
      }
      present = true;
    }
  }
  if (present && !rule.constant) {
    auto transformed = apply_chain(rule.transforms, std::move(value), ctx);
    if (!transformed) {
      errors.push_back({record.location(), source_text(rule), std::string(target_path), transformed.error().message});
      return std::nullopt;
    }
    value = std::move(transformed).value();
  }
  if (value.empty() && rule.fallback) value = *rule.fallback;
  if (value.empty()) {
    if (rule.required) {
      errors.push_back(
          {record.location(), source_text(rule), std::string(target_path), "required, but missing or empty"});
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

void Commands::set(std::string_view name, std::string value) {
  for (auto& [k, v] : values_) {
    if (k == name) {
      v = std::move(value);
      return;
    }
  }
  values_.emplace_back(name, std::move(value));
}

const std::string* Commands::get(std::string_view name) const {
  for (const auto& [k, v] : values_) {
    if (k == name) return &v;
  }
  return nullptr;
}

std::string Commands::value_or_empty(std::string_view name) const {
  const std::string* v = get(name);
  return v ? *v : std::string();
}

Mapper::Mapper(std::shared_ptr<const MappingSpec> spec) : spec_(std::move(spec)) {
  for (const auto& rule : spec_->fields) source_of_[rule.target] = source_text(rule);
  for (const auto& group : spec_->groups) {
    for (const auto& rule : group.fields) source_of_[group.target + "." + rule.target] = source_text(rule);
  }
  // Rules whose transforms read other canonical fields run after all the others.
  for (const bool second_pass : {false, true}) {
    for (const auto& rule : spec_->fields) {
      const bool reads = std::any_of(rule.transforms.begin(), rule.transforms.end(),
                                     [](const Transform& t) { return t.reads_canonical; });
      if (reads == second_pass) fields_.push_back({&rule, is_command_target(rule.target), value_type(rule.target)});
    }
  }
  for (const auto& group : spec_->groups) {
    CompiledGroup compiled{&group, {}, {}};
    for (const auto& rule : group.fields) {
      compiled.paths.push_back(group.target + "." + rule.target);
      compiled.types.push_back(value_type(rule.target));
    }
    groups_.push_back(std::move(compiled));
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

  CanonicalDocument doc;
  Commands command;  // target.* and query.*
  const TransformContext ctx{[&doc](std::string_view path) { return std::string(doc.get(path)); }};
  for (const auto& f : fields_) {
    auto value = evaluate(*f.rule, record, f.rule->target, out.errors, max_field, ctx);
    if (!value) continue;
    if (f.command)
      command.set(f.rule->target, std::move(*value));
    else
      doc.set(f.rule->target, std::move(*value), f.type);
  }
  for (const auto& g : groups_) map_group(g, record, doc, out.errors);
  out.document.reserve(1024);  // a lead document is 400 to 900 bytes
  doc.write(out.document);

  read_commands(command, out);
  switch (out.operation) {
    case Operation::create:
      decode_create(out);
      break;
    case Operation::change:
      check_patch(doc, out);
      [[fallthrough]];
    case Operation::read:
      if (out.target_id.empty() && !out.target_ref && !command.get("target.id")) {
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

void Mapper::map_group(const CompiledGroup& compiled, const Record& record, CanonicalDocument& doc,
                       std::vector<MappingError>& errors) const {
  const GroupRule& group = *compiled.group;
  if (group.when && !holds(*group.when, record)) return;
  const std::size_t max_field = spec_->limits.max_field_bytes;
  std::vector<GroupItem>& items = doc.group(group.target);
  auto add_item = [&](const Record& part) {
    GroupItem item;
    for (std::size_t i = 0; i < group.fields.size(); ++i) {
      const FieldRule& rule = group.fields[i];
      auto value = evaluate(rule, part, compiled.paths[i], errors, max_field);
      if (value) set_member(item, rule.target, std::move(*value), compiled.types[i]);
    }
    if (!item.empty()) items.push_back(std::move(item));
  };
  if (group.each) {
    for (const auto& part : record.each(*group.each)) add_item(*part);
  } else {
    add_item(record);
  }
  if (items.empty()) doc.remove_group(group.target);
}

void Mapper::add_field_errors(const Error& e, MappedRecord& out) const {
  if (e.fields.empty()) out.errors.push_back({out.location, "", "", e.message});
  for (const auto& f : e.fields) {
    const auto it = source_of_.find(strip_indexes(f.field));
    out.errors.push_back({out.location, it == source_of_.end() ? "" : it->second, f.field, f.reason});
  }
}

// Command fields: which lead (change/read) and the query (find).
void Mapper::read_commands(const Commands& command, MappedRecord& out) const {
  if (const auto* text = command.get("target.id")) {
    if (auto id = RecordId::parse(*text))
      out.target_id = *id;
    else
      out.errors.push_back({out.location, source_for("target.id"), "target.id", "not a leadhub id"});
  }
  const auto* ref_system = command.get("target.ref_system");
  const auto* ref_id = command.get("target.ref_id");
  if (ref_system && ref_id) out.target_ref = ExternalRef{*ref_system, *ref_id};
  if (const auto* text = command.get("target.version")) {
    try {
      out.expected_version = std::stoull(*text);
    } catch (...) {
      out.errors.push_back({out.location, source_for("target.version"), "target.version", "not a version number"});
    }
  }
  read_query(command, out);
}

void Mapper::read_query(const Commands& command, MappedRecord& out) const {
  auto& q = out.query;
  if (const auto* text = command.get("query.status")) {
    if (auto s = parse_enum<LeadStatus>(*text))
      q.status = *s;
    else
      out.errors.push_back(
          {out.location, source_for("query.status"), "query.status", "'" + *text + "' is not a status"});
  }
  if (const auto* text = command.get("query.source")) {
    if (auto s = parse_enum<LeadSource>(*text))
      q.source = *s;
    else
      out.errors.push_back(
          {out.location, source_for("query.source"), "query.source", "'" + *text + "' is not a source"});
  }
  q.owner_channel = command.value_or_empty("query.owner");
  q.campaign = command.value_or_empty("query.campaign");
  q.email = command.value_or_empty("query.email");
  q.phone = command.value_or_empty("query.phone");
  if (const auto* text = command.get("query.changed_since")) {
    if (auto t = parse_timestamp(*text))
      q.changed_since = *t;
    else
      out.errors.push_back({out.location, source_for("query.changed_since"), "query.changed_since", "not a timestamp"});
  }
  if (const auto* text = command.get("query.limit")) {
    std::size_t limit = 0;
    const auto r = std::from_chars(text->data(), text->data() + text->size(), limit);
    if (r.ec != std::errc{} || r.ptr != text->data() + text->size() || limit == 0) {
      out.errors.push_back({out.location, source_for("query.limit"), "query.limit", "not a number of hits >= 1"});
    } else {
      q.limit = std::min<std::size_t>(limit, kMaxFindLimit);  // a larger maximum is served in pages
    }
  }
  if (const auto* text = command.get("query.after")) {
    if (auto id = RecordId::parse(*text))
      q.after = *id;
    else
      out.errors.push_back({out.location, source_for("query.after"), "query.after", "not a leadhub id"});
  }
}

// A create: the document decoded, normalized and validated as the store will.
void Mapper::decode_create(MappedRecord& out) const {
  auto lead = lead_from_json(out.document, DecodeMode::input);
  if (!lead) {
    add_field_errors(lead.error(), out);
    return;
  }
  normalize(*lead);
  // The store's rules, so the dry run shows what would be stored (a qualification
  // makes an open lead qualified; nothing starts as converted). All errors together.
  const auto lifecycle = apply_initial_lifecycle(*lead, 0);
  if (!lifecycle) add_field_errors(lifecycle.error(), out);
  if (auto errors = validate(*lead); !errors.empty()) {
    add_field_errors(Error::invalid(std::move(errors)), out);
    return;
  }
  if (!lifecycle) return;
  out.lead = std::move(lead).value();
}

// A change: the patch type-checked now (lifecycle and versions are the store's job).
void Mapper::check_patch(CanonicalDocument& doc, MappedRecord& out) const {
  Lead probe;
  if (auto st = merge_patch(probe, out.document); !st) {
    add_field_errors(st.error(), out);
  } else if (!probe.notes.empty()) {
    // Notes in a change are additions: move them out of the patch.
    out.append_notes = std::move(probe.notes);
    doc.remove_group("notes");
    out.document.clear();
    doc.write(out.document);
  }
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

MappedRecord Mapper::map_record(const Record& record) const {
  if (const auto* broken = dynamic_cast<const ErrorRecord*>(&record)) {
    MappedRecord mapped;
    mapped.location = broken->location();
    mapped.errors.push_back({broken->location(), "", "", broken->reason()});
    return mapped;
  }
  return map(record);
}

Status Mapper::map_stream(std::istream& in, const Sink& sink) const {
  auto reader = open_reader(*spec_, in);
  if (!reader) return reader.error();
  for (;;) {
    auto record = (*reader)->next();
    if (!record) return record.error();
    if (!*record) return ok_status();
    if (!sink(map_record(**record))) return ok_status();
  }
}

}  // namespace leadhub::mapping
