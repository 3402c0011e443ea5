// Transforms: the steps a mapping applies to a source value before it lands in a
// canonical field, e.g. [trim, {phone: DE}] or [{map: {values: {"01": open}}}].
// Each is built once from the mapping file (bad options are reported with the
// file position) and then applied to millions of values.
#pragma once

#include <yaml-cpp/yaml.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "mapping_error.hpp"
#include "util/result.hpp"

namespace leadhub::mapping {

// What a step may look up besides its value: canonical fields the record has
// already mapped (the phone step reads prospect.address.country for its region).
struct TransformContext {
  std::function<std::string(std::string_view canonical_path)> canonical;
};

// Applies one step to `value` in place; on failure returns an Error whose message
// is the reason ("not a date in format %d.%m.%Y"). In place, because a record runs
// a dozen steps and each step's value passed in and returned moved the string.
using TransformFn = std::function<Status(std::string& value, const TransformContext& ctx)>;

// `result` into `value`, or its error: for steps that compute a new string.
Status assign(std::string& value, Result<std::string>&& result);

struct Transform {
  std::string name;
  TransformFn apply;
  bool reads_canonical = false;                             // evaluated after the fields it may read
  MappingErrorCode failure = MappingErrorCode::bad_format;  // the code of its errors
};

// `node` is a name ("trim") or a one-key map ({phone: DE}). `where` is the
// "file:line:col" of the node, used in load errors.
Result<Transform> make_transform(const YAML::Node& node, const std::string& file);

// Runs the chain on `value` in place; the error names the failing step, whose code
// goes to `failure`.
Status apply_chain_in_place(const std::vector<Transform>& chain, std::string& value, const TransformContext& ctx = {},
                            MappingErrorCode* failure = nullptr);
// The same on a copy: the transformed value.
Result<std::string> apply_chain(const std::vector<Transform>& chain, std::string value,
                                const TransformContext& ctx = {}, MappingErrorCode* failure = nullptr);

// Building blocks (also used by tests and the form connector).
std::string trim(std::string_view s);
std::string collapse_whitespace(std::string_view s);
std::string title_case(std::string_view s);  // UTF-8 aware for Latin letters
std::string to_lower_utf8(std::string_view s);
std::string to_upper_utf8(std::string_view s);
std::string truncate_utf8(std::string_view s, std::size_t max_bytes);

// "Dr. Anna Maria Müller" -> {"Anna Maria", "Müller"}; "Müller, Anna" -> {"Anna", "Müller"}.
std::pair<std::string, std::string> split_full_name(std::string_view full);

std::string yaml_position(const std::string& file, const YAML::Node& node);

}  // namespace leadhub::mapping
