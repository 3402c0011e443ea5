// Evaluating one field rule (and its alternatives) on a record: the value it gives,
// or the errors it reports. Used by the engine for fields and group members.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mapping_error.hpp"
#include "record.hpp"
#include "spec.hpp"

namespace leadhub::mapping {

// The record's value at `source`, where a word that exports and databases write for
// "no value" (NULL, null, (null), N/A, n/a, #N/A, NaN, -) is the empty value it
// stands for: a missing phone written "N/A" refused the whole record, a company
// written "-" made the prospect an organization named "-". "Null" as a name stays.
std::optional<std::string> source_value(const Record& record, const SourcePath& source);
// Whether a value (blanks around it aside) is such a word.
bool stands_for_no_value(std::string_view value);

// "E-Mail", "Strasse+Hausnummer", "E-Mail | Mail" (alternatives): for messages.
std::string source_text(const FieldRule& rule);

// The rule's value for this record: nullopt when no rule of the list applies or
// all are empty (then `required` reports). Errors go to `errors`.
std::optional<std::string> evaluate(const FieldRule& rule, const Record& record, std::string_view target_path,
                                    std::vector<MappingError>& errors, std::size_t max_field_bytes,
                                    const TransformContext& ctx = {});

// True when any rule of the list has a transform reading canonical fields.
bool reads_canonical(const FieldRule& rule);

}  // namespace leadhub::mapping
