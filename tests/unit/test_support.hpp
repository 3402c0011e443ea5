// Shared helpers of the unit tests: printers for Boost.Test, matchers for field
// errors, and small valid records to start from.
#pragma once

#include <boost/test/unit_test.hpp>

#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "model/enums.hpp"
#include "model/ids.hpp"
#include "model/lead.hpp"
#include "util/result.hpp"
#include "util/time_format.hpp"

namespace leadhub {

// Found by ADL: lets BOOST_TEST print these in failure messages.
inline std::ostream& boost_test_print_type(std::ostream& os, LeadStatus v) { return os << to_string(v); }
inline std::ostream& boost_test_print_type(std::ostream& os, Qualification v) { return os << to_string(v); }
inline std::ostream& boost_test_print_type(std::ostream& os, Priority v) { return os << to_string(v); }
inline std::ostream& boost_test_print_type(std::ostream& os, LeadSource v) { return os << to_string(v); }
inline std::ostream& boost_test_print_type(std::ostream& os, PartnerKind v) { return os << to_string(v); }
inline std::ostream& boost_test_print_type(std::ostream& os, ErrorCode v) { return os << to_string(v); }
inline std::ostream& boost_test_print_type(std::ostream& os, RecordId v) {
  return os << v.to_string() << " (" << v.raw() << ")";
}

}  // namespace leadhub

namespace leadhub::test {

inline std::string describe(const std::vector<FieldError>& errors) {
  std::ostringstream os;
  os << "[";
  for (std::size_t i = 0; i < errors.size(); ++i) {
    if (i) os << "; ";
    os << "{" << errors[i].field << ": " << errors[i].reason << "}";
  }
  os << "]";
  return os.str();
}

// True when errors hold exactly {field, reason}.
inline boost::test_tools::predicate_result has_error(const std::vector<FieldError>& errors, const std::string& field,
                                                     const std::string& reason) {
  for (const auto& e : errors) {
    if (e.field == field && e.reason == reason) return true;
  }
  boost::test_tools::predicate_result r(false);
  r.message() << "no error {" << field << ": " << reason << "} in " << describe(errors);
  return r;
}

// True when errors hold an error on field whose reason contains `part`.
inline boost::test_tools::predicate_result has_error_containing(const std::vector<FieldError>& errors,
                                                                const std::string& field, const std::string& part) {
  for (const auto& e : errors) {
    if (e.field == field && e.reason.find(part) != std::string::npos) return true;
  }
  boost::test_tools::predicate_result r(false);
  r.message() << "no error on " << field << " containing '" << part << "' in " << describe(errors);
  return r;
}

inline boost::test_tools::predicate_result no_errors(const std::vector<FieldError>& errors) {
  if (errors.empty()) return true;
  boost::test_tools::predicate_result r(false);
  r.message() << "unexpected errors " << describe(errors);
  return r;
}

// ok() of a Result, with the error in the failure message.
template <typename T>
boost::test_tools::predicate_result is_ok(const Result<T>& r) {
  if (r.ok()) return true;
  boost::test_tools::predicate_result p(false);
  p.message() << "error " << to_string(r.error().code) << ": " << r.error().message;
  return p;
}

// The Result failed with this code (the failure message says what it got instead).
template <typename T>
boost::test_tools::predicate_result fails_with(const Result<T>& r, ErrorCode code) {
  if (!r.ok() && r.error().code == code) return true;
  boost::test_tools::predicate_result p(false);
  if (r.ok()) {
    p.message() << "succeeded, expected " << to_string(code);
  } else {
    p.message() << "failed with " << to_string(r.error().code) << " (" << r.error().message << "), expected "
                << to_string(code);
  }
  return p;
}

inline TimeMs ts(const char* text) {
  auto ms = parse_timestamp(text);
  BOOST_REQUIRE_MESSAGE(ms.has_value(), "bad timestamp in test: " << text);
  return *ms;
}

// The smallest lead validation accepts.
inline Lead minimal_lead(const std::string& family_name = "Muster") {
  Lead l;
  l.subject = "Heat pump";
  l.prospect.family_name = family_name;
  return l;
}

}  // namespace leadhub::test
