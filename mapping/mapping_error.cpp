#include "mapping_error.hpp"

namespace leadhub::mapping {
namespace {

bool contains(std::string_view text, std::string_view part) { return text.find(part) != std::string_view::npos; }
bool starts(std::string_view text, std::string_view part) { return text.substr(0, part.size()) == part; }

}  // namespace

const char* to_string(MappingErrorCode code) {
  switch (code) {
    case MappingErrorCode::required_missing:
      return "required_missing";
    case MappingErrorCode::bad_format:
      return "bad_format";
    case MappingErrorCode::unknown_code:
      return "unknown_code";
    case MappingErrorCode::too_long:
      return "too_long";
    case MappingErrorCode::invalid_utf8:
      return "invalid_utf8";
    case MappingErrorCode::invalid_encoding:
      return "invalid_encoding";
    case MappingErrorCode::control_character:
      return "control_character";
    case MappingErrorCode::invalid_value:
      return "invalid_value";
    case MappingErrorCode::lifecycle:
      return "lifecycle";
    case MappingErrorCode::unreadable:
      return "unreadable";
  }
  return "invalid_value";
}

// The wording is core's (model/validation.cpp, json/decode*.cpp); tests/mapping/unit
// pins each kind, so a change of wording there shows up as a failing test here.
MappingErrorCode code_of_reason(std::string_view reason) {
  if (starts(reason, "required") || contains(reason, "needs at least one of")) {
    return MappingErrorCode::required_missing;
  }
  if (contains(reason, "longer than") || contains(reason, "too many entries") || contains(reason, "more than")) {
    return MappingErrorCode::too_long;
  }
  if (contains(reason, "UTF-8")) return MappingErrorCode::invalid_utf8;
  if (contains(reason, "is not one of") || contains(reason, "not an ISO")) return MappingErrorCode::unknown_code;
  if (starts(reason, "not ") || starts(reason, "expected ")) return MappingErrorCode::bad_format;
  return MappingErrorCode::invalid_value;
}

MappingErrorCode code_of(const Error& error, std::string_view reason) {
  if (error.code == ErrorCode::illegal_transition || error.code == ErrorCode::locked) {
    return MappingErrorCode::lifecycle;
  }
  return code_of_reason(reason);
}

std::string MappingError::to_string() const {
  std::string out = record;
  if (!source.empty()) out += ": source '" + source + "'";
  if (!field.empty()) out += (source.empty() ? ": " : " -> ") + field;
  out += ": " + reason;
  return out;
}

}  // namespace leadhub::mapping
