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
