// What a record that cannot be mapped reports: where, which source and canonical
// field, a fixed code per kind of problem (for programs) and the reason (for people).
#pragma once

#include <string>
#include <string_view>

#include "util/result.hpp"

namespace leadhub::mapping {

enum class MappingErrorCode {
  required_missing,   // a required value is absent or empty (also: a change/read names no lead)
  bad_format,         // not a date, number, e-mail, phone number, ... in the expected form
  unknown_code,       // a value not in the value map / code list / country names
  too_long,           // longer than the field or the mapping's max_field_bytes allows
  invalid_utf8,       // not valid UTF-8 (the file's encoding is not the declared one)
  invalid_encoding,   // a byte the declared single-byte encoding does not define (another code page)
  control_character,  // a control character (NUL, ESC, ...) in a text value
  invalid_value,      // refused by the model for another reason (unknown field, range, ...)
  lifecycle,          // a status the lifecycle does not allow here
  unreadable,         // the reader could not read the record (broken row, bad form body)
};

const char* to_string(MappingErrorCode code);

// The code for a validation reason from core/ (whose field errors carry no code):
// "required", "longer than 100 bytes", "'x' is not one of ...", "not an e-mail address".
MappingErrorCode code_of_reason(std::string_view reason);

// The code for a core Error as a whole (a lifecycle refusal), else per field reason.
MappingErrorCode code_of(const Error& error, std::string_view reason);

struct MappingError {
  std::string record;  // "line 12", "/Leads/Lead[3]", "/leads/2"
  std::string source;  // the source field, e.g. "E-Mail" (empty when not tied to one)
  std::string field;   // the canonical field, e.g. "prospect.email"
  std::string reason;
  MappingErrorCode code = MappingErrorCode::invalid_value;
  std::string to_string() const;
};

}  // namespace leadhub::mapping
