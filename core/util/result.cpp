#include "util/result.hpp"

namespace leadhub {

const char* to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid:
      return "invalid";
    case ErrorCode::not_found:
      return "not_found";
    case ErrorCode::version_conflict:
      return "conflict";
    case ErrorCode::illegal_transition:
      return "illegal_transition";
    case ErrorCode::locked:
      return "locked";
    case ErrorCode::forbidden:
      return "forbidden";
    case ErrorCode::duplicate:
      return "duplicate";
    case ErrorCode::unavailable:
      return "unavailable";
    case ErrorCode::internal:
      return "internal";
  }
  return "internal";
}

Error Error::invalid(std::vector<FieldError> fields) {
  std::string message;
  for (const auto& f : fields) {
    if (!message.empty()) message += "; ";
    message += f.field.empty() ? f.reason : f.field + ": " + f.reason;
  }
  return Error{ErrorCode::invalid, std::move(message), std::move(fields)};
}

}  // namespace leadhub
