// POST /api/v1/imports[?mapping=NAME]: a bulk upload, spooled to disk by the
// server (never held in memory whole), then imported in batches on a blocking
// thread; the answer is the import's summary with every rejected record.
#include <fstream>
#include <string_view>

#include "../framework/batch_import.hpp"
#include "api.hpp"
#include "model/validation.hpp"
#include "problem.hpp"
#include "query.hpp"

namespace leadhub::connectors::http {
namespace {

// A name from the mappings folder, never a path: the query is the client's, and
// find_mapping loads any path it is given (`leadhub map --mapping FILE.yaml`), so
// `?mapping=/etc/passwd` read files of the server and told which exist.
bool plain_mapping_name(const std::string& name) {
  static constexpr std::string_view kAllowed = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.";
  const bool ends_yaml = name.size() > 5 && name.compare(name.size() - 5, 5, ".yaml") == 0;
  return !name.empty() && name[0] != '.' && !ends_yaml && name.find_first_not_of(kAllowed) == std::string::npos;
}

void import_upload(ApiContext& ctx, Call&& call) {
  const auto& req = call.request;
  if (!call.principal->partner.empty()) {
    return call.reply(problem(bhttp::status::forbidden, "forbidden",
                              "a key bound to a partner cannot import; send leads one by one", req.path));
  }
  auto params = parse_query(req.query);
  if (!params)
    return call.reply(
        problem(bhttp::status::bad_request, "invalid", params.error().message, req.path, params.error().fields));
  std::string mapping_name;
  for (const auto& [name, value] : *params) {
    if (name != "mapping") {
      return call.reply(problem(bhttp::status::bad_request, "invalid", "unknown parameter " + name, req.path,
                                {{name, "unknown parameter (known: mapping)"}}));
    }
    mapping_name = value;
  }
  std::shared_ptr<const mapping::Mapper> mapper;
  if (!mapping_name.empty()) {
    if (!plain_mapping_name(mapping_name)) {
      return call.reply(problem(bhttp::status::bad_request, "invalid", "mapping: a name, not a path", req.path,
                                {{"mapping",
                                  "a mapping's name in the mappings folder (letters, digits, '-', '_', "
                                  "'.'; without .yaml), not a path"}}));
    }
    auto found = ctx.hub.mappings().get(mapping_name);
    if (!found && found.error().code != ErrorCode::not_found) {  // the file is there and does not load
      return call.reply(problem(bhttp::status::internal_server_error, "internal", found.error().message, req.path,
                                {{"mapping", "the mapping file does not load: the hub's operator has to fix it"}}));
    }
    if (!found) {
      return call.reply(problem(bhttp::status::not_found, "not_found", found.error().message, req.path,
                                {{"mapping", "no mapping " + mapping_name}}));
    }
    mapper = std::move(found).value();
  }
  Actor actor = actor_of(call, ctx);
  actor.connector = ctx.connector + (mapper ? ":import:" + mapping_name : ":import");
  // The import blocks until its last commit: run it off the I/O threads. The
  // spooled file stays until the answer is written.
  ctx.blocking.post([&ctx, mapper, actor = std::move(actor), file = req.body_file, reply = std::move(call.reply),
                     path = req.path]() mutable {
    std::ifstream in(file, std::ios::binary);
    if (!in) return reply(problem(bhttp::status::service_unavailable, "unavailable", "cannot read the upload", path));
    BatchImportOptions options;
    options.actor = std::move(actor);
    options.mapper = mapper.get();
    auto result = run_batch_import(ctx.hub.store(), in, options);
    reply(json_response(bhttp::status::ok, std::move(result.summary_json)));
  });
}

// The upload is the file itself, whatever its type says (curl --data-binary sends
// application/x-www-form-urlencoded). A multipart/form-data body (curl -F, an HTML
// file input) wraps the file in boundaries and part headers, which would be read as
// the file's first and last records: refused, saying how to send it.
std::optional<Response> refuse_multipart(const Request& request) {
  const auto type = request.header(bhttp::field::content_type);
  if (!lower_ascii(type.substr(0, type.find(';'))).starts_with("multipart/")) return std::nullopt;
  return problem(bhttp::status::unsupported_media_type, "unsupported_media_type",
                 "send the file itself as the request body (curl --data-binary @FILE), not as a multipart form",
                 request.path, {{"Content-Type", "multipart bodies are not read; the body is the file"}});
}

}  // namespace

void add_import_routes(Router& router, ApiContext& ctx) {
  auto& route = router.add(bhttp::verb::post, "/api/v1/imports", Scope::imports,
                           [&ctx](Call&& c) { import_upload(ctx, std::move(c)); });
  route.check_header = refuse_multipart;
  route.body = BodyPlan::Kind::spool;
  route.body_limit = ctx.max_upload_bytes;
}

}  // namespace leadhub::connectors::http
