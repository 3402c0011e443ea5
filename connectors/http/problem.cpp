#include "problem.hpp"

#include "json/json_writer.hpp"

namespace leadhub::connectors::http {

bhttp::status status_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid:
      return bhttp::status::unprocessable_entity;
    case ErrorCode::not_found:
      return bhttp::status::not_found;
    case ErrorCode::version_conflict:
      return bhttp::status::precondition_failed;
    case ErrorCode::illegal_transition:
    case ErrorCode::duplicate:
      return bhttp::status::conflict;
    case ErrorCode::locked:
      return bhttp::status::locked;
    case ErrorCode::forbidden:
      return bhttp::status::forbidden;
    case ErrorCode::unavailable:
      return bhttp::status::service_unavailable;
    case ErrorCode::internal:
      break;
  }
  return bhttp::status::internal_server_error;
}

Response problem(bhttp::status status, const std::string& code, const std::string& detail, const std::string& instance,
                 const std::vector<FieldError>& fields) {
  std::string body;
  JsonWriter w(body);
  w.begin_object();
  w.key_identifier("type").value("urn:leadhub:problem:" + code);
  w.key_identifier("title").value(std::string(bhttp::obsolete_reason(status)));
  w.key_identifier("status").value(static_cast<unsigned>(status));
  w.key_identifier("code").value(code);
  w.key_identifier("detail").value(detail);
  if (!instance.empty()) w.key_identifier("instance").value(instance);
  w.key_identifier("errors").begin_array();
  for (const auto& f : fields) {
    w.begin_object().key_identifier("field").value(f.field).key_identifier("reason").value(f.reason).end_object();
  }
  w.end_array();
  w.end_object();
  Response r{status, 11};
  r.set(bhttp::field::content_type, "application/problem+json");
  r.body() = std::move(body);
  return r;
}

Response problem(const Error& error, const std::string& instance) {
  std::string detail = error.message;
  if (detail.empty() && !error.fields.empty()) {
    detail = error.fields.front().field + ": " + error.fields.front().reason;
    if (error.fields.size() > 1) detail += " (and " + std::to_string(error.fields.size() - 1) + " more)";
  }
  return problem(status_for(error.code), to_string(error.code), detail, instance, error.fields);
}

Response json_response(bhttp::status status, std::string body) {
  Response r{status, 11};
  r.set(bhttp::field::content_type, "application/json");
  r.body() = std::move(body);
  return r;
}

}  // namespace leadhub::connectors::http
