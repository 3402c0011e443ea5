#include "engine.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <charconv>

#include "canonical_document.hpp"
#include "canonical_paths.hpp"
#include "csv_reader.hpp"
#include "engine_rules.hpp"
#include "json/record_json.hpp"
#include "model/lifecycle.hpp"
#include "model/validation.hpp"
#include "reader_factory.hpp"
#include "util/time_format.hpp"

namespace leadhub::mapping {

namespace {

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
  // Rules whose transforms read other canonical fields run after all the others.
  for (const bool second_pass : {false, true}) {
    for (const auto& rule : spec_->fields) {
      if (reads_canonical(rule) == second_pass) {
        fields_.push_back(
            {&rule, is_command_target(rule.target), value_type(rule.target), json::find_lead_field(rule.target)});
      }
    }
  }
  for (const auto& group : spec_->groups) {
    CompiledGroup compiled{&group, {}, {}, {}};
    for (const auto& rule : group.fields) {
      compiled.paths.push_back(group.target + "." + rule.target);
      compiled.types.push_back(item_value_type(group.target, rule.target));
      compiled.fields.push_back(json::find_lead_item_field(group.target, rule.target));
    }
    groups_.push_back(std::move(compiled));
  }
}

std::string Mapper::source_for(const std::string& path) const {
  const auto it = source_of_.find(path);
  return it == source_of_.end() ? std::string() : it->second;
}

void Mapper::read_operation(const Record& record, MappedRecord& out) const {
  out.operation = spec_->fixed_operation;
  if (!spec_->operation_from) return;
  auto op = evaluate(*spec_->operation_from, record, "operation", out.errors, spec_->limits.max_field_bytes);
  if (!op) return;
  if (*op == "create")
    out.operation = Operation::create;
  else if (*op == "change")
    out.operation = Operation::change;
  else if (*op == "read")
    out.operation = Operation::read;
  else if (*op == "find")
    out.operation = Operation::find;
  else
    out.errors.push_back({out.location, source_text(*spec_->operation_from), "operation",
                          "'" + *op + "' is not an operation", MappingErrorCode::unknown_code});
}

MappedRecord Mapper::map(const Record& record) const {
  MappedRecord out;
  out.location = record.location();
  read_operation(record, out);
  Commands command;  // target.* and query.*
  if (out.operation == Operation::create) {
    map_create(record, command, out);
    read_commands(command, out);
    return out;
  }

  const std::size_t max_field = spec_->limits.max_field_bytes;
  CanonicalDocument doc;
  const TransformContext ctx{[&doc](std::string_view path) { return std::string(doc.get(path)); }};
  for (const auto& f : fields_) {
    auto value = evaluate(*f.rule, record, f.rule->target, out.errors, max_field, ctx);
    if (!value) continue;
    if (f.command)
      command.set(f.rule->target, std::move(*value));
    else
      doc.set(f.rule->target, std::move(*value), f.type);
  }
  for (const auto& g : groups_) {
    auto items = map_group(g, record, out.errors, ctx);
    if (!items.empty()) doc.group(g.group->target) = std::move(items);
  }
  doc.write(out.document);

  read_commands(command, out);
  switch (out.operation) {
    case Operation::create:  // map_create
      break;
    case Operation::change:
      check_patch(doc, out);
      [[fallthrough]];
    case Operation::read:
      if (out.target_id.empty() && !out.target_ref && !command.get("target.id")) {
        out.errors.push_back(
            {out.location, "", "target.id",
             "a " + std::string(to_string(out.operation)) + " needs the lead's id or external reference",
             MappingErrorCode::required_missing});
      }
      break;
    case Operation::find:
      break;
  }
  return out;
}

// A create: each value is set on the lead as decoding it from JSON would set it (the
// same checks and errors, core's json/lead_fields.hpp), with no document written
// and parsed in between; rules that read canonical fields read the lead.
void Mapper::map_create(const Record& record, Commands& command, MappedRecord& out) const {
  const std::size_t max_field = spec_->limits.max_field_bytes;
  Lead& lead = out.lead.emplace();
  json::DecodeContext decoding;
  const TransformContext ctx{[&lead](std::string_view path) {
    const json::LeadField* field = json::find_lead_field(path);
    return field != nullptr && field->get != nullptr ? field->get(lead, path) : std::string();
  }};
  for (const auto& f : fields_) {
    auto value = evaluate(*f.rule, record, f.rule->target, out.errors, max_field, ctx);
    if (!value) continue;
    if (f.command)
      command.set(f.rule->target, std::move(*value));
    else if (f.field != nullptr)
      f.field->set(lead, f.rule->target, std::move(*value), decoding);
    else
      decoding.fail(f.rule->target, "unknown field");
  }
  for (const auto& g : groups_) {  // after the fields: a member may read them ($prospect.email)
    auto items = map_group(g, record, out.errors, ctx);
    set_items(lead, g.group->target, items, decoding);
  }
  finish_create(decoding, out);
}

std::vector<GroupItem> Mapper::map_group(const CompiledGroup& compiled, const Record& record,
                                         std::vector<MappingError>& errors, const TransformContext& ctx) const {
  const GroupRule& group = *compiled.group;
  std::vector<GroupItem> items;
  if (group.when && !holds(*group.when, [&](const SourcePath& p) { return source_value(record, p); })) return items;
  const std::size_t max_field = spec_->limits.max_field_bytes;
  auto add_item = [&](const Record& part) {
    GroupItem item;
    for (std::size_t i = 0; i < group.fields.size(); ++i) {
      const FieldRule& rule = group.fields[i];
      auto value = evaluate(rule, part, compiled.paths[i], errors, max_field, ctx);
      if (value) set_member(item, rule.target, std::move(*value), compiled.types[i], compiled.fields[i]);
    }
    if (!item.empty()) items.push_back(std::move(item));
  };
  if (group.each) {
    for (const auto& part : record.each(*group.each)) add_item(*part);
  } else {
    add_item(record);
  }
  return items;
}

void Mapper::add_field_errors(const Error& e, MappedRecord& out, std::optional<MappingErrorCode> code) const {
  if (e.fields.empty()) out.errors.push_back({out.location, "", "", e.message, code.value_or(code_of(e, e.message))});
  for (const auto& f : e.fields) {
    const auto it = source_of_.find(strip_indexes(f.field));
    out.errors.push_back({out.location, it == source_of_.end() ? "" : it->second, f.field, f.reason,
                          code.value_or(code_of(e, f.reason))});
  }
}

void Mapper::add_patch_errors(const std::vector<FieldError>& errors, const CanonicalDocument& doc,
                              MappedRecord& out) const {
  std::vector<FieldError> kept;
  for (const auto& e : errors) {
    if (doc.sets(strip_indexes(e.field))) kept.push_back(e);
  }
  if (!kept.empty()) add_field_errors(Error::invalid(std::move(kept)), out);
}

namespace {

// A field whose transform failed is empty on the lead, so the model's rules refuse
// it again ("not a decimal number such as 1250.00" after "decimal: '12 EUR' is not
// a number"): the mapping's error says why, a second one for the same field only
// misleads.
std::vector<FieldError> without_fields_already_refused(std::vector<FieldError> errors,
                                                       const std::vector<MappingError>& refused) {
  // A group member the mapping found missing (external_refs.id: required) is not
  // reported again by the model for its item (external_refs[0].id: required).
  std::erase_if(errors, [&](const FieldError& e) {
    const bool required = e.reason.starts_with("required");
    return std::any_of(refused.begin(), refused.end(), [&](const MappingError& m) {
      return m.field == e.field || (required && m.field == strip_indexes(e.field));
    });
  });
  return errors;
}

}  // namespace

// `out.lead` holds the values: kept when they decode, normalize, pass the lifecycle
// and validate, else the errors say why.
void Mapper::finish_create(json::DecodeContext& decoding, MappedRecord& out) const {
  Lead& lead = *out.lead;
  if (!decoding.errors.empty()) {
    add_field_errors(Error::invalid(std::move(decoding.errors)), out);
    out.lead.reset();
    return;
  }
  normalize(lead);
  // The store's rules, so the dry run shows what would be stored (a qualification
  // makes an open lead qualified; nothing starts as converted). All errors together.
  const auto lifecycle = apply_initial_lifecycle(lead, 0);
  if (!lifecycle) add_field_errors(lifecycle.error(), out, MappingErrorCode::lifecycle);
  auto errors = without_fields_already_refused(validate(lead), out.errors);
  if (!errors.empty()) add_field_errors(Error::invalid(std::move(errors)), out);
  if (!out.ok()) out.lead.reset();  // a failed record carries no lead
}

// A change: the patch checked now as the store will check it, as far as that does
// not depend on the stored lead: types and enum values (decoding), then the field
// rules of validation for the fields the patch sets. The lifecycle, the version and
// rules that combine fields (a declined lead needs a reason) are the store's job.
void Mapper::check_patch(CanonicalDocument& doc, MappedRecord& out) const {
  Lead probe;
  if (auto st = merge_patch(probe, out.document); !st) {
    add_field_errors(st.error(), out);
    return;
  }
  normalize(probe);
  add_patch_errors(validate(probe), doc, out);
  if (!probe.notes.empty()) {
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
    mapped.errors.push_back({broken->location(), broken->source(), "", broken->reason(), broken->code()});
    return mapped;
  }
  return map(record);
}

std::vector<std::string> Mapper::document_notices(const Record& first) const {
  std::vector<std::string> notices = first.notices();
  // Every source of a rule (its alternatives too) absent: the rule can never read a value.
  const auto check = [&](const FieldRule& rule, const std::string& target) {
    std::string reason;
    const auto all_absent = [&](const FieldRule& r) {
      if (r.from.empty()) return false;  // a constant
      for (const auto& source : r.from) {
        if (!source.canonical.empty()) return false;  // the lead's field: its own rule is checked
        std::string why = first.why_absent(source);
        if (why.empty()) return false;
        if (reason.empty()) reason = std::move(why);
      }
      return true;
    };
    if (!all_absent(rule)) return;
    for (const auto& alternative : rule.otherwise) {
      if (!all_absent(alternative)) return;
    }
    const bool every = first.absent_in_every_record();
    std::string effect = every ? "; empty in every record" : "; not read from records like it";
    if (rule.required)
      effect = every ? "; every record fails" : "; records like it fail";
    else if (rule.fallback)
      effect = "; its default '" + *rule.fallback + (every ? "' in every record" : "' in records like it");
    notices.push_back(target + ": " + reason + effect);
  };
  // A condition on a source the document lacks is decided by its absence alone:
  // `equals` never holds, `absent` always does, whatever the rows say.
  const std::string effect = first.absent_in_every_record() ? "in every record" : "in records like it";
  const auto check_when = [&](const std::optional<Condition>& when, const std::string& target) {
    if (!when) return;
    for (const SourcePath* source : condition_sources(*when)) {
      if (!source->canonical.empty()) continue;
      const std::string why = first.why_absent(*source);
      if (why.empty()) continue;
      std::string notice = target;
      notice.append(": its condition (when:) reads '").append(source->text).append("': ").append(why);
      notice.append("; the condition finds it empty ").append(effect);
      if (std::find(notices.begin(), notices.end(), notice) == notices.end()) notices.push_back(std::move(notice));
    }
  };
  const auto check_rule = [&](const FieldRule& rule, const std::string& target) {
    check(rule, target);
    check_when(rule.when, target);
    for (const auto& alternative : rule.otherwise) check_when(alternative.when, target);
  };
  for (const auto& compiled : fields_) check_rule(*compiled.rule, compiled.rule->target);
  for (const auto& group : groups_) {
    check_when(group.group->when, group.group->target);
    if (group.group->each) continue;  // its fields are read from sub-records
    for (const auto& field : group.group->fields) check_rule(field, group.group->target + "." + field.target);
  }
  return notices;
}

Status Mapper::map_stream(std::istream& in, const Sink& sink) const {
  auto reader = open_reader(*spec_, in);
  if (!reader) return reader.error();
  for (bool first = true;; first = false) {
    auto record = (*reader)->next();
    if (!record) return record.error();
    if (!*record) return ok_status();
    auto mapped = map_record(**record);
    if (first) mapped.notices = document_notices(**record);
    for (auto& notice : (*reader)->take_notices()) mapped.notices.push_back(std::move(notice));
    if (!sink(std::move(mapped))) return ok_status();
  }
}

}  // namespace leadhub::mapping
