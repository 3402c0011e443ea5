// Helpers the API route files share.
#include "api.hpp"
#include "model/validation.hpp"
#include "problem.hpp"

namespace leadhub::connectors::http {

Actor actor_of(const Call& call, const ApiContext& ctx) {
  Actor actor;
  actor.user = call.principal->name;
  actor.connector = ctx.connector;
  return actor;
}

// Media types are case-insensitive (RFC 9110): some clients send Application/JSON.
bool has_json_body(const Request& request) {
  auto header = request.header(bhttp::field::content_type);
  header = header.substr(0, header.find(';'));
  while (!header.empty() && (header.back() == ' ' || header.back() == '\t')) header.remove_suffix(1);
  while (!header.empty() && (header.front() == ' ' || header.front() == '\t')) header.remove_prefix(1);
  const std::string type = lower_ascii(header);
  return type == "application/json" ||
         (type.rfind("application/", 0) == 0 && type.size() > 5 && type.substr(type.size() - 5) == "+json");
}

Response unsupported_media_type(const Request& request, const char* expected) {
  const auto type = request.header(bhttp::field::content_type);
  return problem(bhttp::status::unsupported_media_type, "unsupported_media_type",
                 "expected Content-Type " + std::string(expected) + ", got " +
                     (type.empty() ? std::string("none") : std::string(type)),
                 request.path, {{"Content-Type", "expected " + std::string(expected)}});
}

std::string etag_of(std::uint64_t version) { return "\"" + std::to_string(version) + "\""; }

}  // namespace leadhub::connectors::http
