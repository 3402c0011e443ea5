// Helpers the API route files share.
#include <boost/beast/core/string.hpp>

#include "api.hpp"
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
  const auto same = [](std::string_view x, std::string_view y) {  // Beast's compare, on std views
    return boost::beast::iequals({x.data(), x.size()}, {y.data(), y.size()});
  };
  constexpr std::string_view kJson = "application/json", kPrefix = "application/", kSuffix = "+json";
  if (same(header, kJson)) return true;
  return header.size() >= kPrefix.size() + kSuffix.size() && same(header.substr(0, kPrefix.size()), kPrefix) &&
         same(header.substr(header.size() - kSuffix.size()), kSuffix);
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
