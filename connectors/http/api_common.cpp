// Helpers the API route files share.
#include "api.hpp"
#include "problem.hpp"

namespace leadhub::connectors::http {

Actor actor_of(const Call& call, const ApiContext& ctx) {
  Actor actor;
  actor.user = call.principal->name;
  actor.connector = ctx.connector;
  return actor;
}

bool has_json_body(const Request& request) {
  auto type = request.header(bhttp::field::content_type);
  type = type.substr(0, type.find(';'));
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
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
