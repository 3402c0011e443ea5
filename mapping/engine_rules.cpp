#include "engine_rules.hpp"

#include "encoding.hpp"
#include "model/validation.hpp"
#include "transforms.hpp"

namespace leadhub::mapping {
namespace {

std::string_view without_blanks(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t") + 1 - first);
}

// Valid UTF-8 text (tab, CR and LF allowed); printable ASCII, most values, is
// checked eight bytes at a time.
bool is_text(std::string_view s) { return is_valid_utf8_text(s, true); }

// Why a value is not text: a control character (a NUL byte is valid UTF-8, and a
// reason that blamed the encoding would send people looking in the wrong place), or
// bytes that are not UTF-8.
MappingError not_text(const Record& record, const SourcePath& source, std::string_view target_path,
                      std::string_view value) {
  if (const std::size_t at = first_control_character(value, true); at != std::string_view::npos) {
    return {record.location(), source.text, std::string(target_path),
            "contains a control character " + control_character_name(static_cast<unsigned char>(value[at])) +
                " at byte " + std::to_string(at + 1),
            MappingErrorCode::control_character};
  }
  return {record.location(), source.text, std::string(target_path),
          "not valid UTF-8 (is the file in another encoding? the mapping can declare it)",
          MappingErrorCode::invalid_utf8};
}

// UTF-8 read as Windows-1252 and saved again ("MÃ¼ller"): stored, it would never
// match "Müller" again, and repairing it silently could repair what was meant.
MappingError mojibake(const Record& record, const SourcePath& source, std::string_view target_path,
                      std::string_view value, std::string_view repaired) {
  return {record.location(), source.text, std::string(target_path),
          "'" + truncate_utf8(value, 60) + "' looks like UTF-8 text that was read as Windows-1252 or ISO-8859-1 and " +
              "saved again (Mojibake; it would read '" + truncate_utf8(repaired, 60) + "'): repair the file's encoding",
          MappingErrorCode::invalid_encoding};
}

std::string one_source_text(const FieldRule& rule) {
  std::string out;
  for (const auto& s : rule.from) out += (out.empty() ? "" : "+") + s.text;
  return out;
}

// The rule's sources joined; false (and an error) when one is unusable. With
// `if_part_empty: no_value`, one empty source leaves `value` empty.
bool read_sources(const FieldRule& rule, const Record& record, std::string_view target_path,
                  std::vector<MappingError>& errors, std::size_t max_field_bytes, const TransformContext& ctx,
                  std::optional<std::string>& value) {
  bool first = true;
  for (const auto& source : rule.from) {
    std::optional<std::string> part;
    if (source.canonical.empty())
      part = source_value(record, source);
    else if (ctx.canonical)
      part = ctx.canonical(source.canonical);
    if (!part || part->empty()) {
      if (rule.if_part_empty == FieldRule::IfPartEmpty::no_value) {
        value.reset();
        return true;
      }
      if (rule.if_part_empty == FieldRule::IfPartEmpty::skip) continue;
      part.emplace();
    }
    if (!is_text(*part)) {
      errors.push_back(not_text(record, source, target_path, *part));
      return false;
    }
    if (source.canonical.empty()) {
      if (const auto repaired = mojibake_repaired(*part)) {
        errors.push_back(mojibake(record, source, target_path, *part, *repaired));
        return false;
      }
    }
    if (part->size() > max_field_bytes) {
      errors.push_back({record.location(), source.text, std::string(target_path),
                        "longer than " + std::to_string(max_field_bytes) + " bytes", MappingErrorCode::too_long});
      return false;
    }
    if (first) {
      value = std::move(*part);  // the common single source: no copy
    } else {
      *value += rule.join;
      *value += *part;
    }
    first = false;
  }
  // keep: all parts empty is no value, not a string of separators
  if (rule.if_part_empty == FieldRule::IfPartEmpty::keep && value &&
      value->size() == rule.join.size() * (rule.from.size() - 1))
    value.reset();
  return true;
}

// How a list of rules went for one record.
struct Outcome {
  bool applied = false;  // some rule's `when` held (or it had none): `required` counts
  bool failed = false;   // a rule reported an error: the list stops there
};

// One rule of a list: its value, nullopt when it gives none.
std::optional<std::string> evaluate_one(const FieldRule& rule, const Record& record, std::string_view target_path,
                                        std::vector<MappingError>& errors, std::size_t max_field_bytes,
                                        const TransformContext& ctx, Outcome& outcome) {
  if (rule.when && !holds(*rule.when, [&](const SourcePath& p) { return source_value(record, p); }))
    return std::nullopt;
  outcome.applied = true;
  bool& failed = outcome.failed;
  std::optional<std::string> value = rule.constant;
  if (!rule.constant) {
    if (!read_sources(rule, record, target_path, errors, max_field_bytes, ctx, value)) {
      failed = true;
      return std::nullopt;
    }
    if (value) {
      MappingErrorCode code = MappingErrorCode::bad_format;
      if (auto st = apply_chain_in_place(rule.transforms, *value, ctx, &code); !st) {
        errors.push_back(
            {record.location(), one_source_text(rule), std::string(target_path), st.error().message, code});
        failed = true;
        return std::nullopt;
      }
    }
  }
  if ((!value || value->empty()) && rule.fallback) value = *rule.fallback;
  if (!value || value->empty()) return std::nullopt;
  return value;
}

// "required, but missing or empty", or what the record knows of why: a header
// without the column fails every row, and its name may be a typo away.
std::string required_reason(const FieldRule& rule, const Record& record) {
  const auto why = [&](const FieldRule& r) -> std::string {
    for (const auto& source : r.from) {
      if (!source.canonical.empty()) continue;  // the lead's field: its own rule reports
      if (auto reason = record.why_absent(source); !reason.empty()) return reason;
    }
    return {};
  };
  std::string reason = why(rule);
  for (std::size_t i = 0; reason.empty() && i < rule.otherwise.size(); ++i) reason = why(rule.otherwise[i]);
  if (!reason.empty()) return "required, but " + reason;
  for (const auto& source : rule.from) {  // a NULL or N/A the record has instead of a value
    if (!source.canonical.empty()) continue;
    if (const auto raw = record.value(source); raw && stands_for_no_value(*raw)) {
      return "required, but the value is '" + std::string(without_blanks(*raw)) + "', which stands for none";
    }
  }
  return "required, but missing or empty";
}

}  // namespace

bool stands_for_no_value(std::string_view value) {
  if (value.empty() || value.size() > 12) return false;  // the common case: one comparison
  const std::string_view word = without_blanks(value);
  for (const std::string_view none : {"NULL", "null", "(null)", "N/A", "n/a", "#N/A", "NaN", "-"}) {
    if (word == none) return true;
  }
  return false;
}

std::optional<std::string> source_value(const Record& record, const SourcePath& source) {
  auto value = record.value(source);
  if (value && stands_for_no_value(*value)) value->clear();
  return value;
}

std::string source_text(const FieldRule& rule) {
  std::string out = one_source_text(rule);
  for (const auto& alternative : rule.otherwise) {
    const std::string text = one_source_text(alternative);  // a constant has none
    if (!text.empty()) out += (out.empty() ? "" : " | ") + text;
  }
  return out;
}

std::optional<std::string> evaluate(const FieldRule& rule, const Record& record, std::string_view target_path,
                                    std::vector<MappingError>& errors, std::size_t max_field_bytes,
                                    const TransformContext& ctx) {
  Outcome outcome;
  auto value = evaluate_one(rule, record, target_path, errors, max_field_bytes, ctx, outcome);
  // A source that is there but wrong is reported, never skipped for the next one.
  for (std::size_t i = 0; !value && !outcome.failed && i < rule.otherwise.size(); ++i) {
    value = evaluate_one(rule.otherwise[i], record, target_path, errors, max_field_bytes, ctx, outcome);
  }
  if (!value && !outcome.failed && outcome.applied && rule.required) {
    errors.push_back({record.location(), source_text(rule), std::string(target_path), required_reason(rule, record),
                      MappingErrorCode::required_missing});
  }
  return value;
}

bool reads_canonical(const FieldRule& rule) {
  const auto reads = [](const FieldRule& r) {
    return std::any_of(r.transforms.begin(), r.transforms.end(),
                       [](const Transform& t) { return t.reads_canonical; }) ||
           std::any_of(r.from.begin(), r.from.end(), [](const SourcePath& p) { return !p.canonical.empty(); });
  };
  return reads(rule) || std::any_of(rule.otherwise.begin(), rule.otherwise.end(), reads);
}

}  // namespace leadhub::mapping
