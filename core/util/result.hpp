// Errors as values: every expected failure carries a fixed code and a message
// naming the field and the reason. Exceptions from libraries are caught at the
// edge (JSON decoding, LMDB calls, the CLI) and turned into these.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace leadhub {

enum class ErrorCode {
  invalid,             // input fails validation (field errors say where)
  not_found,           // no record with that id
  version_conflict,    // caller's expected version is stale
  illegal_transition,  // lifecycle refuses the status change
  locked,              // the lead is converted and can no longer change
  forbidden,           // the caller may not see or change this record
  duplicate,           // refused because the record already exists
  unavailable,         // transient: retry later (store busy, shutting down)
  internal,            // a bug or an unexpected library failure
};

const char* to_string(ErrorCode code);

// One problem with one field, e.g. {"prospect.email", "not an e-mail address"}.
struct FieldError {
  std::string field;
  std::string reason;
};

struct Error {
  ErrorCode code = ErrorCode::internal;
  std::string message;
  std::vector<FieldError> fields;

  static Error invalid(std::vector<FieldError> fields);
  static Error make(ErrorCode code, std::string message) { return Error{code, std::move(message), {}}; }
};

// A value or an Error. Small on purpose: what std::expected would give us in C++23.
template <typename T>
class [[nodiscard]] Result {
 public:
  // By reference, not by value: a by-value parameter moved a returned record twice
  // (a lead's move is some 400 instructions, paid on every decode and read).
  Result(const T& value) : state_(value) {}          // NOLINT(google-explicit-constructor)
  Result(T&& value) : state_(std::move(value)) {}    // NOLINT(google-explicit-constructor)
  Result(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<T>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<T>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(state_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<Error>(state_);
  }

 private:
  std::variant<T, Error> state_;
};

struct Ok {};
using Status = Result<Ok>;

inline Status ok_status() { return Ok{}; }

}  // namespace leadhub
