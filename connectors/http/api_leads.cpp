// /api/v1/leads: create, read, find, change and the audit trail of leads.
#include <algorithm>
#include <charconv>

#include "api.hpp"
#include "auth.hpp"
#include "json/json_writer.hpp"
#include "json/record_json.hpp"
#include "problem.hpp"
#include "query.hpp"
#include "store/audit_json.hpp"
#include "util/time_format.hpp"

namespace leadhub::connectors::http {
namespace {

constexpr const char* kLeadsPath = "/api/v1/leads/";

// A partner-bound key sees only its own leads; others look absent (404), so a
// partner cannot even learn which ids exist.
bool visible_to(const Principal& who, const Lead& lead) {
  return who.partner.empty() || lead.owner.channel == who.partner;
}

// `json`: the lead's encoding when the store already made it (a new lead).
Response lead_response(bhttp::status status, const Lead& lead, std::string json = {}) {
  auto r = json_response(status, json.empty() ? to_json(lead) : std::move(json));
  r.set(bhttp::field::etag, etag_of(lead.version));
  return r;
}

// Decode errors of the whole document (not JSON at all) are 400; a document that
// is JSON but breaks the model's rules is 422.
Response body_problem(const Error& error, const std::string& instance) {
  if (!error.fields.empty() && error.fields.front().field == "(document)") {
    return problem(bhttp::status::bad_request, "malformed", error.fields.front().reason, instance, error.fields);
  }
  return problem(error, instance);
}

struct EntityTag {
  bool weak = false;
  std::string_view opaque;  // between the quotes
};

// An If-Match or If-None-Match list (RFC 9110 8.8.3): "5", W/"1". A bare 5 is
// taken as "5", as earlier versions of the hub did. nullopt when malformed.
std::optional<std::vector<EntityTag>> parse_etags(std::string_view value) {
  std::vector<EntityTag> tags;
  while (true) {
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    const auto comma = value.find(',');
    auto item = value.substr(0, comma);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    EntityTag tag;
    if (item.rfind("W/", 0) == 0) {
      tag.weak = true;
      item.remove_prefix(2);
    }
    if (item.size() >= 2 && item.front() == '"' && item.back() == '"') item = item.substr(1, item.size() - 2);
    if (item.empty() || item.find_first_of("\" ,") != std::string_view::npos) return std::nullopt;
    tag.opaque = item;
    tags.push_back(tag);
    if (comma == std::string_view::npos) return tags;
    value.remove_prefix(comma + 1);
  }
}

bool is_any(std::string_view value) {
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  return value == "*";
}

// If-None-Match compares weakly (RFC 9110 13.1.2): W/"5" matches ETag "5", and *
// any current lead.
bool none_match_hits(std::string_view header, std::uint64_t version) {
  if (header.empty()) return false;
  if (is_any(header)) return true;
  const auto tags = parse_etags(header);
  if (!tags) return false;
  const auto current = std::to_string(version);
  return std::any_of(tags->begin(), tags->end(), [&](const EntityTag& t) { return t.opaque == current; });
}

Response not_modified(std::uint64_t version) {
  Response r{bhttp::status::not_modified, 11};
  r.set(bhttp::field::etag, etag_of(version));
  return r;
}

// If-Match compares strongly (RFC 9110 13.1.1): a weak tag never matches; any tag
// of a list may. Returns the version the change must find (nullopt for *), a 400
// when the header is no list of tags. When no tag is the lead's version the store
// refuses the change as stale (412), after it has looked at the Idempotency-Key:
// a retried PATCH names the version its first attempt changed.
Result<std::optional<std::uint64_t>> if_match_version(std::string_view header, const Lead& lead) {
  if (is_any(header)) return std::optional<std::uint64_t>{};
  const auto tags = parse_etags(header);
  if (!tags) return Error::invalid({{"If-Match", "expected the lead's ETag, e.g. \"3\", a list of them, or *"}});
  const auto current = std::to_string(lead.version);
  std::optional<std::uint64_t> stale;
  for (const auto& tag : *tags) {
    if (tag.weak) continue;
    if (tag.opaque == current) return std::optional<std::uint64_t>{lead.version};
    std::uint64_t version = 0;
    const auto* end = tag.opaque.data() + tag.opaque.size();
    if (!stale && std::from_chars(tag.opaque.data(), end, version).ptr == end) stale = version;
  }
  return std::optional<std::uint64_t>{stale.value_or(0)};  // versions start at 1: 0 is never current
}

// The store names the idempotency key as a command field; over HTTP it is a header.
Error with_header_names(Error error) {
  for (auto& f : error.fields) {
    if (f.field == "idempotency_key") f.field = "Idempotency-Key";
  }
  return error;
}

void create_lead(ApiContext& ctx, Call&& call) {
  const auto& req = call.request;
  if (auto refusal = refuse_json_body(req, "application/json")) return call.reply(std::move(*refusal));
  auto lead = lead_from_json(req.body, DecodeMode::input);
  if (!lead) return call.reply(body_problem(lead.error(), req.path));
  if (const auto& partner = call.principal->partner; !partner.empty()) {
    if (lead->owner.channel.empty()) lead->owner.channel = partner;
    if (lead->owner.channel != partner) {
      return call.reply(problem(bhttp::status::forbidden, "forbidden",
                                "this key may only create leads owned by " + partner, req.path,
                                {{"owner.channel", "must be " + partner}}));
    }
  }
  std::string idempotency_key;
  if (const auto key = req.header("Idempotency-Key"); !key.empty()) {
    if (key.size() > 200) {
      return call.reply(problem(bhttp::status::bad_request, "invalid", "Idempotency-Key is longer than 200 characters",
                                req.path, {{"Idempotency-Key", "longer than 200 characters"}}));
    }
    // Scoped to the caller, so two clients choosing the same key never collide.
    idempotency_key = "http:" + call.principal->name + ":" + std::string(key);
  }
  CreateLeadCommand command{std::move(lead).value(), actor_of(call, ctx), std::move(idempotency_key)};
  command.owner_scope = call.principal->partner;
  if (!command.idempotency_key.empty()) command.request_fingerprint = sha256_hex(req.body);
  ctx.hub.store().create_lead_async(
      std::move(command), on_connection<Result<Created<Lead>>>(
                              req, [reply = std::move(call.reply), path = req.path](Result<Created<Lead>> r) {
                                if (!r) return reply(problem(with_header_names(r.error()), path));
                                auto response = lead_response(r->created ? bhttp::status::created : bhttp::status::ok,
                                                              r->record, std::move(r->json));
                                response.set(bhttp::field::location, kLeadsPath + r->record.id.to_string());
                                reply(std::move(response));
                              }));
}

// POST /api/v1/duplicate-checks: what the duplicate check would find for a lead,
// nothing stored. Not for partner keys: the matches name other owners' leads.
void check_duplicates(ApiContext& ctx, Call&& call) {
  const auto& req = call.request;
  if (!call.principal->partner.empty()) {
    return call.reply(problem(bhttp::status::forbidden, "forbidden",
                              "a partner's key may not search for duplicates among other owners' leads", req.path));
  }
  if (auto refusal = refuse_json_body(req, "application/json")) return call.reply(std::move(*refusal));
  auto lead = lead_from_json(req.body, DecodeMode::input);
  if (!lead) return call.reply(body_problem(lead.error(), req.path));
  auto report = ctx.hub.store().check_duplicates(std::move(lead).value(), actor_of(call, ctx));
  if (!report) return call.reply(problem(report.error(), req.path));
  call.reply(json_response(bhttp::status::ok, std::move(report->json)));
}

Result<Lead> visible_lead(ApiContext& ctx, const Call& call) {
  const auto& text = call.params.front();
  auto id = RecordId::parse(text);
  if (!id) return Error::make(ErrorCode::not_found, "no lead with id " + text);
  auto lead = ctx.hub.store().read_lead(*id);
  if (!lead) return lead.error();
  if (!visible_to(*call.principal, *lead)) return Error::make(ErrorCode::not_found, "no lead with id " + text);
  return lead;
}

// The stored encoding starts {"id":"...","version":N: reading N there spares a
// decode and an encode for the most frequent call.
std::optional<std::uint64_t> stored_version(std::string_view json) {
  constexpr std::string_view kMember = ",\"version\":";
  const auto at = json.substr(0, 64).find(kMember);
  if (at == std::string_view::npos) return std::nullopt;
  std::uint64_t version = 0;
  const char* begin = json.data() + at + kMember.size();
  const auto res = std::from_chars(begin, json.data() + json.size(), version);
  if (res.ec != std::errc{}) return std::nullopt;
  return version;
}

// A key without a partner binding may see every lead: answer from the stored JSON.
bool get_stored_json(ApiContext& ctx, Call& call) {
  auto id = RecordId::parse(call.params.front());
  if (!id) return false;
  auto json = ctx.hub.store().read_lead_json(*id);
  if (!json) return false;  // the slow path words the error
  const auto version = stored_version(*json);
  if (!version) return false;
  if (none_match_hits(call.request.header(bhttp::field::if_none_match), *version)) {
    call.reply(not_modified(*version));
    return true;
  }
  auto r = json_response(bhttp::status::ok, std::move(json).value());
  r.set(bhttp::field::etag, etag_of(*version));
  call.reply(std::move(r));
  return true;
}

void get_lead(ApiContext& ctx, Call&& call) {
  if (call.principal->partner.empty() && get_stored_json(ctx, call)) return;
  auto lead = visible_lead(ctx, call);
  if (!lead) return call.reply(problem(lead.error(), call.request.path));
  if (none_match_hits(call.request.header(bhttp::field::if_none_match), lead->version)) {
    return call.reply(not_modified(lead->version));
  }
  call.reply(lead_response(bhttp::status::ok, *lead));
}

void change_lead(ApiContext& ctx, Call&& call) {
  const auto& req = call.request;
  if (auto refusal = refuse_json_body(req, "application/merge-patch+json or application/json")) {
    return call.reply(std::move(*refusal));
  }
  const auto if_match = req.header(bhttp::field::if_match);
  if (if_match.empty()) {
    return call.reply(problem(bhttp::status::precondition_required, "precondition_required",
                              "PATCH needs If-Match with the lead's ETag (or * to overwrite any version)", req.path,
                              {{"If-Match", "missing"}}));
  }
  if (!is_any(if_match) && !parse_etags(if_match)) {
    return call.reply(problem(bhttp::status::bad_request, "invalid",
                              "If-Match: expected the lead's ETag, e.g. \"3\", a list of them, or *", req.path,
                              {{"If-Match", "expected the lead's ETag, e.g. \"3\", a list of them, or *"}}));
  }
  // RFC 7396 has no empty patch; an empty POST body is refused the same way.
  if (req.body.find_first_not_of(" \t\r\n") == std::string::npos) {
    Lead scratch;
    return call.reply(body_problem(merge_patch(scratch, req.body).error(), req.path));
  }
  auto lead = visible_lead(ctx, call);
  if (!lead) return call.reply(problem(lead.error(), req.path));
  auto expected = if_match_version(if_match, *lead);
  if (!expected) return call.reply(problem(expected.error(), req.path));
  if (const auto& partner = call.principal->partner; !partner.empty()) {
    // Try the patch on a copy: a partner may not hand its lead to another owner.
    Lead preview = *lead;
    if (auto st = merge_patch(preview, req.body); !st) return call.reply(body_problem(st.error(), req.path));
    if (!visible_to(*call.principal, preview)) {
      return call.reply(problem(bhttp::status::forbidden, "forbidden", "this key may not change the lead's owner",
                                req.path, {{"owner.channel", "must stay " + partner}}));
    }
  }
  ChangeLeadCommand command;
  command.id = lead->id;
  command.expected_version = *expected;
  command.patch_json = req.body;
  command.actor = actor_of(call, ctx);
  if (const auto key = req.header("Idempotency-Key"); !key.empty()) {
    if (key.size() > 200) {
      return call.reply(problem(bhttp::status::bad_request, "invalid", "Idempotency-Key is longer than 200 characters",
                                req.path, {{"Idempotency-Key", "longer than 200 characters"}}));
    }
    // A retried PATCH (its answer was lost) returns the lead instead of changing it again.
    command.idempotency_key = "http:" + call.principal->name + ":" + std::string(key);
    command.request_fingerprint = sha256_hex(req.body);
  }
  ctx.hub.store().change_lead_async(
      std::move(command), on_connection<Result<Lead>>(req, [reply = std::move(call.reply), path = req.path,
                                                            if_match = std::string(if_match)](Result<Lead> r) {
        if (!r && r.error().code == ErrorCode::version_conflict) {
          // The store knows versions, not headers: say which tags were compared.
          Error e = r.error();
          e.message += " (If-Match: " + if_match +
                       (if_match.find("W/") != std::string::npos ? "; a weak W/ tag never matches)" : ")");
          if (e.fields.empty()) {
            e.fields.push_back({"If-Match", "stale: read the lead again, apply your change to it and send its ETag"});
          }
          return reply(problem(e, path));
        }
        if (!r)
          return reply(r.error().fields.empty() || r.error().fields.front().field != "(document)"
                           ? problem(with_header_names(r.error()), path)
                           : body_problem(r.error(), path));
        reply(lead_response(bhttp::status::ok, *r));
      }));
}

void find_leads(ApiContext& ctx, Call&& call) {
  auto query = lead_query_from(call.request.query);
  if (!query)
    return call.reply(
        problem(bhttp::status::bad_request, "invalid", query.error().message, call.request.path, query.error().fields));
  if (const auto& partner = call.principal->partner; !partner.empty()) {
    if (!query->owner_channel.empty() && query->owner_channel != partner) {
      return call.reply(json_response(bhttp::status::ok, R"({"items":[],"next":null})"));
    }
    query->owner_channel = partner;
  }
  auto found = ctx.hub.store().find_leads(*query);
  if (!found) return call.reply(problem(found.error(), call.request.path));
  std::string body;
  JsonWriter w(body);
  w.begin_object().key_identifier("items").begin_array();
  for (const auto& lead : found->items) write_json(w, lead);
  w.end_array().key_identifier("next");
  if (found->next.empty())
    w.null();
  else
    w.value(found->next.to_string());
  w.end_object();
  auto response = json_response(bhttp::status::ok, std::move(body));
  if (!found->next.empty()) {
    response.set(bhttp::field::link,
                 "<" + next_page_target(call.request.path, call.request.query, found->next) + ">; rel=\"next\"");
  }
  call.reply(std::move(response));
}

void lead_audit(ApiContext& ctx, Call&& call) {
  auto lead = visible_lead(ctx, call);
  if (!lead) return call.reply(problem(lead.error(), call.request.path));
  auto entries = ctx.hub.store().read_audit(lead->id);
  if (!entries) return call.reply(problem(entries.error(), call.request.path));
  std::string body;
  JsonWriter w(body);
  w.begin_object().key_identifier("items").begin_array();
  for (const auto& e : *entries) write_json(w, e);
  w.end_array().end_object();
  call.reply(json_response(bhttp::status::ok, std::move(body)));
}

}  // namespace

void add_lead_routes(Router& router, ApiContext& ctx) {
  router
      .add(bhttp::verb::post, "/api/v1/leads", Scope::leads_write, [&ctx](Call&& c) { create_lead(ctx, std::move(c)); })
      .body_limit = ctx.max_body_bytes;
  router.add(bhttp::verb::get, "/api/v1/leads", Scope::leads_read, [&ctx](Call&& c) { find_leads(ctx, std::move(c)); });
  router.add(bhttp::verb::get, "/api/v1/leads/{id}", Scope::leads_read,
             [&ctx](Call&& c) { get_lead(ctx, std::move(c)); });
  router
      .add(bhttp::verb::patch, "/api/v1/leads/{id}", Scope::leads_write,
           [&ctx](Call&& c) { change_lead(ctx, std::move(c)); })
      .body_limit = ctx.max_body_bytes;
  router.add(bhttp::verb::get, "/api/v1/leads/{id}/audit", Scope::audit_read,
             [&ctx](Call&& c) { lead_audit(ctx, std::move(c)); });
  router
      .add(bhttp::verb::post, "/api/v1/duplicate-checks", Scope::leads_read,
           [&ctx](Call&& c) { check_duplicates(ctx, std::move(c)); })
      .body_limit = ctx.max_body_bytes;
}

}  // namespace leadhub::connectors::http
