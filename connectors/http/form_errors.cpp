#include "form_errors.hpp"

#include <algorithm>
#include <string_view>
#include <vector>

namespace leadhub::connectors::http {
namespace {

// The form fields a rule reads: its `from:`, and those of the rules after it in a
// list of rules for one target.
void add_inputs(const mapping::FieldRule& rule, std::vector<std::string>& inputs) {
  for (const auto& from : rule.from) {
    if (std::find(inputs.begin(), inputs.end(), from.text) == inputs.end()) inputs.push_back(from.text);
  }
  for (const auto& next : rule.otherwise) add_inputs(next, inputs);
}

// The form fields a canonical field is filled from.
std::vector<std::string> inputs_of(const mapping::MappingSpec& spec, std::string_view target) {
  std::vector<std::string> inputs;
  for (const auto& rule : spec.fields) {
    if (rule.target == target) add_inputs(rule, inputs);
  }
  return inputs;
}

bool is_name_char(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.'; }

// Where `text` names `word` on its own ("email," yes; "emails" no); npos if nowhere.
std::size_t mention(std::string_view text, std::string_view word) {
  for (auto at = text.find(word); at != std::string_view::npos; at = text.find(word, at + 1)) {
    const bool starts = at == 0 || !is_name_char(text[at - 1]);
    const auto end = at + word.size();
    const bool ends = end == text.size() || !is_name_char(text[end]);
    if (starts && ends) return at;
  }
  return std::string_view::npos;
}

// "email, phone, last_name, name, company": the inputs of the fields under `parent`
// that `reason` names, in the order it names them.
std::string inputs_named_in(const mapping::MappingSpec& spec, const std::string& parent, std::string_view reason) {
  std::vector<std::pair<std::size_t, std::string>> named;  // (where the reason names it, input)
  for (const auto& rule : spec.fields) {
    if (rule.target.size() <= parent.size() + 1 || rule.target.compare(0, parent.size() + 1, parent + ".") != 0) {
      continue;
    }
    const auto at = mention(reason, std::string_view(rule.target).substr(parent.size() + 1));
    if (at == std::string_view::npos) continue;
    std::vector<std::string> inputs;
    add_inputs(rule, inputs);
    for (auto& input : inputs) named.emplace_back(at, std::move(input));
  }
  std::stable_sort(named.begin(), named.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> inputs;
  for (const auto& [at, input] : named) {
    if (std::find(inputs.begin(), inputs.end(), input) == inputs.end()) inputs.push_back(input);
  }
  std::string list;
  for (const auto& input : inputs) list += (list.empty() ? "" : ", ") + input;
  return list;
}

}  // namespace

FieldError form_field_error(const mapping::MappingSpec& spec, const mapping::MappingError& error) {
  const std::string canonical = error.field.empty() ? error.reason : error.field + ": " + error.reason;
  if (!error.source.empty()) return {error.source, canonical};
  if (error.field.empty()) return {"(form)", error.reason};
  if (const auto inputs = inputs_of(spec, error.field); !inputs.empty()) return {inputs.front(), canonical};
  const auto named = inputs_named_in(spec, error.field, error.reason);
  if (named.empty()) return {error.field, error.reason};
  return {error.field, error.reason + " (form fields " + named + ")"};
}

}  // namespace leadhub::connectors::http
