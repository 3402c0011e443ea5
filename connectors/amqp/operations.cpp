#include "operations.hpp"

#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <mutex>
#include <sstream>

#include "../framework/batch_import.hpp"
#include "../framework/log.hpp"
#include "../http/query.hpp"
#include "json/json_writer.hpp"
#include "json/record_json.hpp"

namespace leadhub::connectors::amqp {
namespace {

using RoutePtr = std::shared_ptr<const Route>;

// Same rule as the HTTP API's partner keys: another partner's lead looks absent,
// so a partner cannot even learn which ids exist.
bool visible_to(const std::string& partner, const Lead& lead) {
  return partner.empty() || lead.owner.channel == partner;
}

Error not_found(const std::string& id) { return Error::make(ErrorCode::not_found, "no lead with id " + id); }

std::string unknown_operation_reason(const std::string& subject) {
  const std::string names = "CreateLead, CreateBusinessPartner, ReadLead, FindLeads, ChangeLead";
  if (subject.empty()) return "missing: name the operation (" + names + ") or give the address an `operation:`";
  return "'" + subject + "' is not an operation (" + names +
         "); a message from an AMQP 0-9-1 client carries its routing key here (RabbitMQ), so give its "
         "address an `operation:`";
}

// The field errors when there are any (Error::invalid's message repeats them), else the message.
std::string describe(const Error& error) {
  if (error.fields.empty()) return error.message;
  std::string out;
  for (const auto& f : error.fields) out += (out.empty() ? "" : "; ") + f.field + ": " + f.reason;
  return out;
}

Outcome outcome_of(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid:
      return Outcome::invalid;
    case ErrorCode::not_found:
      return Outcome::not_found;
    case ErrorCode::version_conflict:
    case ErrorCode::illegal_transition:
    case ErrorCode::duplicate:
      return Outcome::conflict;
    case ErrorCode::locked:
      return Outcome::locked;
    case ErrorCode::forbidden:
      return Outcome::forbidden;
    default:
      return Outcome::error;
  }
}

// AMQP error conditions for a rejected message: the standard ones where they fit,
// so any client library shows something meaningful.
const char* condition_of(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid:
      return "amqp:invalid-field";
    case ErrorCode::not_found:
      return "amqp:not-found";
    case ErrorCode::locked:
      return "amqp:resource-locked";
    case ErrorCode::forbidden:
      return "amqp:unauthorized-access";
    case ErrorCode::version_conflict:
    case ErrorCode::illegal_transition:
    case ErrorCode::duplicate:
      return "leadhub:conflict";
    default:
      return "amqp:internal-error";
  }
}

std::string canonical_error(const Error& error) {
  std::string body;
  JsonWriter w(body);
  w.begin_object().key_identifier("code").value(to_string(error.code)).key_identifier("message").value(error.message);
  w.key_identifier("fields").begin_array();
  for (const auto& f : error.fields)
    w.begin_object().key("field").value(f.field).key("reason").value(f.reason).end_object();
  w.end_array().end_object();
  return body;
}

Response ok_lead(const Route& route, const Lead& lead, bool write) {
  auto r = leads_response(route, {lead}, nullptr);
  r.write = write;
  return r;
}

// A created lead in canonical JSON is answered with the encoding the store made.
Response ok_created(const Route& route, Created<Lead>&& created) {
  if (route.reply_format || created.json.empty()) return ok_lead(route, created.record, true);
  Response r;
  r.body = std::move(created.json);
  r.write = true;
  return r;
}

// A query-string value: the canonical FindLeads body is turned into the REST
// API's query parameters so both share one parser and one set of messages.
void append_encoded(std::string& out, std::string_view text) {
  static const char* const kHex = "0123456789ABCDEF";
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
}

Result<LeadQuery> query_from_json(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return LeadQuery{};
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(body.data(), body.size()).get(object) != simdjson::SUCCESS) {
    return Error::invalid({{"(document)", "the FindLeads body must be a JSON object of query fields"}});
  }
  std::string query;
  for (auto [key, value] : object) {
    std::string text;
    if (value.is_string()) {
      text = std::string(std::string_view(value.get_string().value_unsafe()));
    } else if (value.is_int64() || value.is_uint64()) {
      text = simdjson::to_string(value);
    } else {
      return Error::invalid({{std::string(key), "expected a string or a number"}});
    }
    if (!query.empty()) query.push_back('&');
    append_encoded(query, key);
    query.push_back('=');
    append_encoded(query, text);
  }
  return http::lead_query_from(query);
}

// Which lead a mapped change or read names: by id, or by external reference.
Result<Lead> resolve_target(LeadStore& store, const mapping::MappedRecord& m, const std::string& partner) {
  if (!m.target_id.empty()) {
    auto lead = store.read_lead(m.target_id);
    if (!lead || !visible_to(partner, *lead)) return not_found(m.target_id.to_string());
    return lead;
  }
  if (!m.target_ref) return Error::invalid({{"target", "the record names no lead (neither id nor reference)"}});
  LeadQuery q;
  q.external_ref = m.target_ref;
  q.owner_channel = partner;
  q.limit = 1;
  auto found = store.find_leads(q);
  if (!found) return found.error();
  if (found->items.empty()) {
    return Error::make(ErrorCode::not_found,
                       "no lead with external reference " + m.target_ref->system + ":" + m.target_ref->id);
  }
  return found->items.front();
}

// A partner may only create leads it owns and may not give its leads away.
Status check_owner(const std::string& partner, Lead& lead, bool is_create) {
  if (partner.empty()) return ok_status();
  if (is_create && lead.owner.channel.empty()) lead.owner.channel = partner;
  if (lead.owner.channel == partner) return ok_status();
  return Error{ErrorCode::forbidden,
               "this partner may only " + std::string(is_create ? "create" : "keep") + " leads owned by " + partner,
               {{"owner.channel", "must be " + partner}}};
}

Result<std::optional<std::uint64_t>> parse_version(const std::optional<std::string>& text) {
  if (!text) {
    return Error::invalid({{"version",
                            "ChangeLead needs the lead's version: the application property `version` (or "
                            "\"*\"), or a `version` member in the patch"}});
  }
  if (*text == "*") return std::optional<std::uint64_t>{};
  std::uint64_t v = 0;
  const auto res = std::from_chars(text->data(), text->data() + text->size(), v);
  if (res.ec != std::errc{} || res.ptr != text->data() + text->size()) {
    return Error::invalid({{"version", "expected the lead's version (a number) or \"*\""}});
  }
  return std::optional<std::uint64_t>{v};
}

// A target named twice, by an application property and by a member of the message
// body, must be one target: acting on either would answer a question not asked.
Status one_target(std::string_view field, std::string_view property, std::string_view member, std::string_view body) {
  if (property == member) return ok_status();
  std::string reason = "the application property `";
  reason.append(field).append("` (").append(property).append(") and the ").append(body).append("'s ");
  reason.append(field).append(" (").append(member).append(") differ; give one");
  return Error::invalid({{std::string(field), std::move(reason)}});
}

// ChangeLead's target from the patch's own `id` and `version` members, for clients
// that cannot set application properties (RabbitMQ drops an AMQP 0-9-1 publisher's
// headers). The store accepts those members in a patch when they repeat the lead's
// values, so the patch is passed on unchanged.
Status target_from_patch(Request& request) {
  simdjson::dom::parser parser;
  simdjson::dom::object patch;
  if (parser.parse(request.body).get(patch) != simdjson::SUCCESS) return ok_status();  // the store says why
  std::string_view id;
  if (patch["id"].get(id) == simdjson::SUCCESS) {
    if (!request.id.empty()) {
      if (auto st = one_target("id", request.id, id, "patch"); !st) return st;
    }
    request.id = std::string(id);
  }
  std::uint64_t version = 0;
  if (patch["version"].get(version) == simdjson::SUCCESS) {
    const std::string text = std::to_string(version);
    if (request.version) {
      if (auto st = one_target("version", *request.version, text, "patch"); !st) return st;
    }
    request.version = text;
  }
  return ok_status();
}

// One message with a party's document: mapped on a blocking worker, then its
// records run in document order. Consecutive creates go to the store as one
// batch; every store completion hands the next step back to a blocking worker,
// so the writer thread only records results.
class MappedRun : public std::enable_shared_from_this<MappedRun> {
 public:
  MappedRun(LeadStore& store, http::WorkQueue& blocking, RoutePtr route, Request request, Operations::Done done)
      : store_(store),
        blocking_(blocking),
        route_(std::move(route)),
        request_(std::move(request)),
        done_(std::move(done)) {}

  void start() {
    std::istringstream in(request_.body);
    std::vector<std::string> errors;
    auto st = route_->mapper->map_stream(in, [&](mapping::MappedRecord&& m) {
      for (const auto& e : m.errors) errors.push_back(e.to_string());
      records_.push_back(std::move(m));
      return true;
    });
    if (!st) return finish_with(st.error());
    // All records must map before any is stored: a half-stored batch message
    // would be hard to resend once fixed.
    if (!errors.empty()) {
      std::vector<FieldError> fields;
      fields.reserve(errors.size());
      for (auto& e : errors) fields.push_back({"record", std::move(e)});
      return finish_with(Error{ErrorCode::invalid, "the document could not be mapped", std::move(fields)});
    }
    if (records_.empty()) return finish_with(Error::invalid({{"(document)", "the document holds no records"}}));
    step();
  }

 private:
  void step() {
    while (next_ < records_.size()) {
      auto& m = records_[next_];
      switch (m.operation) {
        case mapping::Operation::create:
          return run_creates();
        case mapping::Operation::change:
          return run_change(m);
        case mapping::Operation::read:
          run_read(m);
          break;
        case mapping::Operation::find:
          run_find(m);
          break;
      }
      ++next_;
    }
    finish();
  }

  // One key per record: a redelivered batch message stores each lead once and
  // applies each change once.
  std::string record_key(std::size_t index) const {
    return request_.idempotency_key.empty() ? "" : request_.idempotency_key + ":" + std::to_string(index);
  }

  void fail(const mapping::MappedRecord& m, const Error& e) {
    if (!first_error_) first_error_ = e;
    failures_.emplace_back(m.location, describe(e));
  }

  void run_creates() {
    std::vector<CreateLeadCommand> commands;
    std::vector<std::size_t> index;
    for (; next_ < records_.size() && records_[next_].operation == mapping::Operation::create; ++next_) {
      auto& m = records_[next_];
      Lead lead = std::move(*m.lead);
      if (auto st = check_owner(request_.partner, lead, true); !st) {
        fail(m, st.error());
        continue;
      }
      commands.push_back({std::move(lead), request_.actor, record_key(next_)});
      commands.back().owner_scope = request_.partner;
      index.push_back(next_);
    }
    if (commands.empty()) return step();
    created_.assign(commands.size(), std::nullopt);
    created_index_ = std::move(index);
    pending_ = commands.size();
    auto self = shared_from_this();
    store_.create_leads_async(std::move(commands), [self](std::size_t i, Result<Created<Lead>> r) {
      {
        std::lock_guard lock(self->mutex_);
        self->created_[i].emplace(std::move(r));
      }
      if (--self->pending_ == 0) self->blocking_.post([self] { self->collect_creates(); });
    });
  }

  void collect_creates() {
    std::lock_guard lock(mutex_);
    for (std::size_t i = 0; i < created_.size(); ++i) {
      auto& r = *created_[i];
      if (r) {
        ++(r->created ? counts_.created : counts_.duplicates);
        leads_.push_back(std::move(r->record));
      } else {
        fail(records_[created_index_[i]], r.error());
      }
    }
    created_.clear();
    step();
  }

  void run_change(mapping::MappedRecord& m) {
    auto lead = resolve_target(store_, m, request_.partner);
    if (!lead) {
      fail(m, lead.error());
      ++next_;
      return step();
    }
    if (!request_.partner.empty()) {
      Lead preview = *lead;
      Status st = merge_patch(preview, m.document);
      if (st) st = check_owner(request_.partner, preview, false);
      if (!st) {
        fail(m, st.error());
        ++next_;
        return step();
      }
    }
    ChangeLeadCommand command{lead->id,       m.expected_version,        std::move(m.document),
                              request_.actor, std::move(m.append_notes), record_key(next_)};
    auto self = shared_from_this();
    store_.change_lead_async(std::move(command), [self](Result<Lead> r) {
      self->blocking_.post([self, r = std::move(r)]() mutable {
        auto& rec = self->records_[self->next_];
        if (r) {
          ++self->counts_.changed;
          self->leads_.push_back(std::move(r).value());
        } else {
          self->fail(rec, r.error());
        }
        ++self->next_;
        self->step();
      });
    });
  }

  void run_read(const mapping::MappedRecord& m) {
    auto lead = resolve_target(store_, m, request_.partner);
    if (lead)
      leads_.push_back(std::move(lead).value());
    else
      fail(m, lead.error());
  }

  void run_find(const mapping::MappedRecord& m) {
    LeadQuery q = m.query;
    if (!request_.partner.empty()) {
      if (!q.owner_channel.empty() && q.owner_channel != request_.partner) {
        is_find_ = true;
        return;  // another partner's leads: an empty page, as over HTTP
      }
      q.owner_channel = request_.partner;
    }
    auto found = store_.find_leads(q);
    if (!found) return fail(m, found.error());
    is_find_ = true;
    page_.count += found->items.size();
    page_.next = found->next.empty() ? "" : found->next.to_string();
    for (auto& lead : found->items) leads_.push_back(std::move(lead));
  }

  // A multi-record message is a batch like a file import: it raises the same
  // import.completed event once its records are done.
  void publish_summary() {
    if (records_.size() < 2) return;
    counts_.source = route_->mapper->spec().name;
    counts_.records = records_.size();
    counts_.rejected = failures_.size();
    counts_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    if (auto st = publish_import_completed(store_, request_.actor, counts_); !st) {
      log::error(request_.actor.connector, "import.completed not published: " + st.error().message);
    }
  }

  void finish() {
    publish_summary();
    if (!first_error_) {
      auto r = leads_response(*route_, leads_, is_find_ ? &page_ : nullptr);
      r.write = true;
      return done_(std::move(r));
    }
    Error e = *first_error_;
    if (failures_.size() > 1 || records_.size() > 1) {
      e.fields.clear();
      for (auto& [where, what] : failures_) e.fields.push_back({where, what});
      e.message = std::to_string(failures_.size()) + " of " + std::to_string(records_.size()) + " records failed";
    }
    finish_with(e);
  }

  void finish_with(const Error& e) {
    auto r = error_response(*route_, e);
    r.write = true;
    done_(std::move(r));
  }

  LeadStore& store_;
  http::WorkQueue& blocking_;
  RoutePtr route_;
  Request request_;
  Operations::Done done_;
  std::vector<mapping::MappedRecord> records_;
  std::size_t next_ = 0;
  std::vector<Lead> leads_;
  mapping::FindPage page_;
  bool is_find_ = false;
  std::optional<Error> first_error_;
  std::vector<std::pair<std::string, std::string>> failures_;  // record location, what went wrong
  ImportCounts counts_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  // Results of the create batch in flight, filled on the writer thread.
  std::mutex mutex_;
  std::vector<std::optional<Result<Created<Lead>>>> created_;
  std::vector<std::size_t> created_index_;
  std::atomic<std::size_t> pending_{0};
};

}  // namespace

const char* to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::ok:
      return "ok";
    case Outcome::invalid:
      return "invalid";
    case Outcome::not_found:
      return "not_found";
    case Outcome::conflict:
      return "conflict";
    case Outcome::locked:
      return "locked";
    case Outcome::forbidden:
      return "forbidden";
    case Outcome::error:
      return "error";
  }
  return "error";
}

const std::vector<std::string>& Operations::operation_names() {
  static const std::vector<std::string> kNames = {"CreateLead", "CreateBusinessPartner", "ReadLead", "FindLeads",
                                                  "ChangeLead"};
  return kNames;
}

std::string Operations::operation_for(const Route& route, const std::string& subject) {
  const auto& names = operation_names();
  if (std::find(names.begin(), names.end(), subject) != names.end()) return subject;
  return route.default_operation.empty() ? subject : route.default_operation;
}

Response error_response(const Route& route, const Error& error) {
  Response r;
  r.outcome = outcome_of(error.code);
  if (error.code == ErrorCode::unavailable) {
    r.settle = Settle::release;  // transient: the message comes back later
  } else if (error.code == ErrorCode::invalid || error.code == ErrorCode::internal) {
    // Bad input never gets better by redelivery: reject so a broker dead-letters it.
    r.settle = Settle::reject;
  }
  r.condition = condition_of(error.code);
  r.description = describe(error);
  if (route.reply_format) {
    if (auto body = mapping::render_error(*route.reply_format, error)) {
      r.body = std::move(body).value();
      r.content_type = mapping::media_type(route.reply_format->format);
      return r;
    }
  }
  r.body = canonical_error(error);
  r.content_type = "application/json";
  return r;
}

Response leads_response(const Route& route, const std::vector<Lead>& leads, const mapping::FindPage* page) {
  Response r;
  if (route.reply_format) {
    mapping::FindPage p = page ? *page : mapping::FindPage{leads.size(), ""};
    auto body = mapping::render_leads(*route.reply_format, leads, p);
    if (!body) return error_response(Route{}, body.error());
    r.body = std::move(body).value();
    r.content_type = mapping::media_type(route.reply_format->format);
    return r;
  }
  if (!page && leads.size() == 1) {
    r.body = to_json(leads.front());
    return r;
  }
  JsonWriter w(r.body);
  w.begin_object().key_identifier("items").begin_array();
  for (const auto& lead : leads) write_json(w, lead);
  w.end_array();
  if (page) {
    w.key_identifier("next");
    if (page->next.empty())
      w.null();
    else
      w.value(page->next);
  }
  w.end_object();
  return r;
}

void Operations::run(const std::shared_ptr<const Route>& route, Request request, Done done) {
  if (route->mapper) return run_mapped(route, std::move(request), std::move(done));
  const auto op = operation_for(*route, request.operation);
  if (op == "CreateLead") return create_lead(route, std::move(request), std::move(done));
  if (op == "CreateBusinessPartner") return create_partner(route, std::move(request), std::move(done));
  if (op == "ReadLead") return read_lead(route, request, std::move(done));
  if (op == "FindLeads") return find_leads(route, request, std::move(done));
  if (op == "ChangeLead") return change_lead(route, std::move(request), std::move(done));
  done(error_response(*route, Error::invalid({{"subject", unknown_operation_reason(op)}})));
}

void Operations::create_lead(const RoutePtr& route, Request&& request, Done&& done) {
  auto lead = lead_from_json(request.body, DecodeMode::input);
  if (!lead) return done(error_response(*route, lead.error()));
  if (auto st = check_owner(request.partner, *lead, true); !st) return done(error_response(*route, st.error()));
  CreateLeadCommand command{std::move(lead).value(), request.actor, request.idempotency_key};
  command.owner_scope = request.partner;
  store_.create_lead_async(std::move(command), [route, done = std::move(done)](Result<Created<Lead>> r) {
    done(r ? ok_created(*route, std::move(r).value()) : error_response(*route, r.error()));
  });
}

void Operations::create_partner(const RoutePtr& route, Request&& request, Done&& done) {
  auto partner = partner_from_json(request.body, DecodeMode::input);
  if (!partner) return done(error_response(*route, partner.error()));
  CreatePartnerCommand command{std::move(partner).value(), request.actor, request.idempotency_key};
  // The store offers partner creates only as a blocking call.
  blocking_.post([this, route, command = std::move(command), done = std::move(done)]() mutable {
    auto r = store_.create_partner(std::move(command));
    if (!r) return done(error_response(*route, r.error()));
    Response ok;
    ok.write = true;
    ok.body = to_json(r->record);
    done(std::move(ok));
  });
}

void Operations::read_lead(const RoutePtr& route, const Request& request, Done&& done) {
  std::string text = request.id;
  if (!request.body.empty()) {
    simdjson::dom::parser parser;
    std::string_view id;
    if (parser.parse(request.body).at_key("id").get(id) == simdjson::SUCCESS) {
      if (!text.empty()) {
        if (auto st = one_target("id", text, id, "body"); !st) return done(error_response(*route, st.error()));
      }
      text = std::string(id);
    }
  }
  if (text.empty()) {
    return done(error_response(*route, Error::invalid({{"id",
                                                        "ReadLead needs the lead id: application "
                                                        "property `id` or a body {\"id\": ...}"}})));
  }
  auto id = RecordId::parse(text);
  if (!id) return done(error_response(*route, not_found(text)));
  auto lead = store_.read_lead(*id);
  if (!lead) return done(error_response(*route, lead.error()));
  if (!visible_to(request.partner, *lead)) return done(error_response(*route, not_found(text)));
  done(ok_lead(*route, *lead, false));
}

void Operations::find_leads(const RoutePtr& route, const Request& request, Done&& done) {
  auto query = query_from_json(request.body);
  if (!query) return done(error_response(*route, query.error()));
  std::vector<Lead> none;
  mapping::FindPage page;
  if (!request.partner.empty()) {
    if (!query->owner_channel.empty() && query->owner_channel != request.partner) {
      return done(leads_response(*route, none, &page));
    }
    query->owner_channel = request.partner;
  }
  auto found = store_.find_leads(*query);
  if (!found) return done(error_response(*route, found.error()));
  page.count = found->items.size();
  page.next = found->next.empty() ? "" : found->next.to_string();
  done(leads_response(*route, found->items, &page));
}

void Operations::change_lead(const RoutePtr& route, Request&& request, Done&& done) {
  if (auto st = target_from_patch(request); !st) return done(error_response(*route, st.error()));
  auto version = parse_version(request.version);
  if (!version) return done(error_response(*route, version.error()));
  if (request.id.empty()) {
    return done(error_response(
        *route, Error::invalid({{"id",
                                 "ChangeLead needs the lead id: the application property `id` or an `id` "
                                 "member in the patch"}})));
  }
  auto id = RecordId::parse(request.id);
  if (!id) return done(error_response(*route, not_found(request.id)));
  auto lead = store_.read_lead(*id);
  if (!lead || !visible_to(request.partner, *lead)) return done(error_response(*route, not_found(request.id)));
  if (!request.partner.empty()) {
    // Try the patch on a copy: a partner may not hand its lead to another owner.
    Lead preview = *lead;
    Status st = merge_patch(preview, request.body);
    if (st) st = check_owner(request.partner, preview, false);
    if (!st) return done(error_response(*route, st.error()));
  }
  ChangeLeadCommand command;
  command.id = *id;
  command.expected_version = *version;
  command.patch_json = std::move(request.body);
  command.actor = request.actor;
  // A change redelivered after a restart (the reply cache is gone) is not applied
  // twice: the store remembers the message's key with the change.
  command.idempotency_key = std::move(request.idempotency_key);
  store_.change_lead_async(std::move(command), [route, done = std::move(done)](Result<Lead> r) {
    done(r ? ok_lead(*route, *r, true) : error_response(*route, r.error()));
  });
}

void Operations::run_mapped(const RoutePtr& route, Request&& request, Done&& done) {
  auto run = std::make_shared<MappedRun>(store_, blocking_, route, std::move(request), std::move(done));
  // Mapping a partner's document (maybe a whole lettershop file) takes a while:
  // never on the messaging thread.
  blocking_.post([run] { run->start(); });
}

}  // namespace leadhub::connectors::amqp
