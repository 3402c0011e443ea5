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

namespace {

bool same(std::string_view x, std::string_view y) {  // Beast's compare, on std views
  return boost::beast::iequals({x.data(), x.size()}, {y.data(), y.size()});
}

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  return text;
}

// The charset parameter of a Content-Type, unquoted, or empty.
std::string_view charset_of(std::string_view header) {
  for (auto at = header.find(';'); at != std::string_view::npos;) {
    const auto next = header.find(';', at + 1);
    const auto param = trimmed(header.substr(at + 1, next == std::string_view::npos ? next : next - at - 1));
    const auto eq = param.find('=');
    if (eq != std::string_view::npos && same(trimmed(param.substr(0, eq)), "charset")) {
      auto value = trimmed(param.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      return value;
    }
    at = next;
  }
  return {};
}

Response refused(const Request& request, const std::string& detail, const std::string& reason) {
  return problem(bhttp::status::unsupported_media_type, "unsupported_media_type", detail, request.path,
                 {{"Content-Type", reason}});
}

// "UTF-16LE" when the body is UTF-16 (with its byte order mark, or without one: a
// NUL next to the first character, which JSON in UTF-8 never has), else empty.
// Read as UTF-8 it was refused as "an invalid UTF-8 byte at byte 0", which does not
// tell the sender (PowerShell's Out-File, a .NET client's Encoding.Unicode) what to change.
std::string_view utf16_name(std::string_view body) {
  if (body.starts_with("\xFF\xFE")) return "UTF-16LE";
  if (body.starts_with("\xFE\xFF")) return "UTF-16BE";
  if (body.size() >= 2 && body[0] != '\0' && body[1] == '\0') return "UTF-16LE";
  if (body.size() >= 2 && body[0] == '\0' && body[1] != '\0') return "UTF-16BE";
  return {};
}

}  // namespace

// Media types are case-insensitive (RFC 9110): some clients send Application/JSON.
bool has_json_body(const Request& request) {
  auto header = request.header(bhttp::field::content_type);
  header = trimmed(header.substr(0, header.find(';')));
  constexpr std::string_view kJson = "application/json", kPrefix = "application/", kSuffix = "+json";
  if (same(header, kJson)) return true;
  return header.size() >= kPrefix.size() + kSuffix.size() && same(header.substr(0, kPrefix.size()), kPrefix) &&
         same(header.substr(header.size() - kSuffix.size()), kSuffix);
}

std::optional<Response> refuse_json_body(const Request& request, const char* expected) {
  const auto header = request.header(bhttp::field::content_type);
  const auto type = trimmed(header.substr(0, header.find(';')));
  // JSON Patch (RFC 6902) is a list of operations, not a document any route reads;
  // taking it as one would answer "expected an object".
  if (!has_json_body(request) || same(type, "application/json-patch+json")) {
    return unsupported_media_type(request, expected);
  }
  // RFC 8259: JSON between systems is UTF-8. Another charset's bytes would be
  // refused as broken UTF-8, or worse, read as UTF-8 when they happen to be ASCII.
  const auto charset = charset_of(header);
  if (!charset.empty() && !same(charset, "utf-8") && !same(charset, "utf8")) {
    return refused(request, "charset " + std::string(charset) + " is not supported; send JSON as UTF-8",
                   "charset must be utf-8, not " + std::string(charset));
  }
  if (const auto utf16 = utf16_name(request.body); !utf16.empty()) {
    return refused(request, "the body is " + std::string(utf16) + "; send JSON as UTF-8 (RFC 8259)",
                   "the body must be UTF-8, not " + std::string(utf16));
  }
  return std::nullopt;
}

Response unsupported_media_type(const Request& request, const char* expected) {
  const auto type = request.header(bhttp::field::content_type);
  return refused(request,
                 "expected Content-Type " + std::string(expected) + ", got " +
                     (type.empty() ? std::string("none") : std::string(type)),
                 "expected " + std::string(expected));
}

std::string etag_of(std::uint64_t version) { return "\"" + std::to_string(version) + "\""; }

}  // namespace leadhub::connectors::http
