#include "engine.hpp"

#include <proton/delivery.h>
#include <proton/disposition.h>
#include <proton/link.h>
#include <proton/terminus.h>
#include <proton/connection_options.hpp>
#include <proton/error_condition.hpp>
#include <proton/message.hpp>
#include <proton/message_id.hpp>
#include <proton/receiver_options.hpp>
#include <proton/reconnect_options.hpp>
#include <proton/sender.hpp>
#include <proton/sender_options.hpp>
#include <proton/session.hpp>
#include <proton/source.hpp>
#include <proton/source_options.hpp>
#include <proton/target.hpp>
#include <proton/tracker.hpp>
#include <proton/transport.hpp>
#include <proton/uuid.hpp>
#include <proton/value.hpp>

#include "../framework/log.hpp"
#include "content_encoding.hpp"
#include "util/clock.hpp"
#include "util/time_format.hpp"
#include "value_json.hpp"

namespace leadhub::connectors::amqp {
namespace {

// What a request's body was: a string, a data section, or an amqp-value map or list.
// A binary body came as a data section or as an amqp-value; the reply mirrors it.
// RabbitMQ hands a data section to AMQP 0-9-1 consumers as the plain bytes, any other
// body as encoded AMQP 1.0 sections they cannot read.
enum class BodyForm { text, binary, data_section, amqp_value };

// proton::delivery::reject() cannot carry an error condition; the C API can. The
// derived class only exists to reach the wrapped pn_delivery_t.
class RawDelivery : public proton::delivery {
 public:
  explicit RawDelivery(const proton::delivery& d) : proton::delivery(d) {}
  pn_delivery_t* get() const { return pn_object(); }
};

// proton::sender::open() ignores source options on a link the peer initiated, so
// the address of a dynamic node is set on the C terminus before the attach goes out.
class RawSender : public proton::sender {
 public:
  explicit RawSender(const proton::sender& s) : proton::sender(s) {}
  pn_link_t* get() const { return pn_object(); }
};

// The same for a peer's sending link, whose attach should carry max-message-size.
class RawReceiver : public proton::receiver {
 public:
  explicit RawReceiver(const proton::receiver& r) : proton::receiver(r) {}
  pn_link_t* get() const { return pn_object(); }
};

// Room for the header, properties and application properties around a body of
// max_message_bytes, in the max-message-size the listener announces.
constexpr std::uint64_t kEnvelopeAllowance = std::uint64_t{64} * 1024;

void reject_with(const proton::delivery& d, const std::string& condition, const std::string& description) {
  pn_delivery_t* raw = RawDelivery(d).get();
  pn_condition_t* cond = pn_disposition_condition(pn_delivery_local(raw));
  pn_condition_set_name(cond, condition.c_str());
  pn_condition_set_description(cond, description.c_str());
  pn_delivery_update(raw, PN_REJECTED);
  pn_delivery_settle(raw);
}

// proton::tracker does not show the error condition of a rejection; the C API does.
class RawTracker : public proton::tracker {
 public:
  explicit RawTracker(const proton::tracker& t) : proton::tracker(t) {}
  pn_delivery_t* get() const { return pn_object(); }
};

// ": CONDITION: DESCRIPTION" of a rejected transfer, or "" when it gave none.
std::string rejection_reason(const proton::tracker& t) {
  pn_condition_t* cond = pn_disposition_condition(pn_delivery_remote(RawTracker(t).get()));
  if (cond == nullptr || !pn_condition_is_set(cond)) return "";
  const char* name = pn_condition_get_name(cond);
  const char* description = pn_condition_get_description(cond);
  std::string out = ": ";
  out += name ? name : "";
  if (description != nullptr && *description != '\0') out += std::string(name ? ": " : "") + description;
  return out;
}

// "CONDITION: DESCRIPTION" of an ended link or session, or `otherwise` without one.
std::string condition_text(const proton::error_condition& e, const char* otherwise) {
  return e.empty() ? otherwise : e.what();
}

// "2.5 s"
std::string seconds_text(std::chrono::milliseconds d) {
  return std::to_string(d.count() / 1000) + "." + std::to_string(d.count() % 1000 / 100) + " s";
}

const char* link_words(LinkRole role) { return role == LinkRole::receiver ? "the link from " : "the link to "; }

std::string hex(const proton::binary& b) {
  static const char* const kHex = "0123456789abcdef";
  std::string out;
  for (const auto c : b) {
    out.push_back(kHex[static_cast<unsigned char>(c) >> 4]);
    out.push_back(kHex[static_cast<unsigned char>(c) & 15]);
  }
  return out;
}

std::string id_text(const proton::message_id& id) {
  switch (id.type()) {
    case proton::STRING:
      return proton::get<std::string>(id);
    case proton::ULONG:
      return std::to_string(proton::get<std::uint64_t>(id));
    case proton::UUID:
      return proton::get<proton::uuid>(id).str();
    case proton::BINARY:
      return hex(proton::get<proton::binary>(id));
    default:
      return "";
  }
}

std::optional<std::string> scalar_text(const proton::scalar& s) {
  switch (s.type()) {
    case proton::STRING:
      return proton::get<std::string>(s);
    case proton::SYMBOL:
      return std::string(proton::get<proton::symbol>(s));
    case proton::UBYTE:
    case proton::USHORT:
    case proton::UINT:
    case proton::ULONG:
      return std::to_string(proton::coerce<std::uint64_t>(s));
    case proton::BYTE:
    case proton::SHORT:
    case proton::INT:
    case proton::LONG:
      return std::to_string(proton::coerce<std::int64_t>(s));
    default:
      return std::nullopt;
  }
}

std::optional<std::string> property(const proton::message& m, const std::string& name) {
  const auto& props = m.properties();
  if (!props.exists(name)) return std::nullopt;
  return scalar_text(props.get(name));
}

// `id` and `version` of a ReadLead or ChangeLead in a type with no text form (a
// double from a client that has only floating-point numbers, a binary): named as
// such, rather than read as missing ("needs the lead's version") when it is there.
std::optional<Error> unreadable_target_property(const proton::message& m, const std::string& operation) {
  if (operation != "ReadLead" && operation != "ChangeLead") return std::nullopt;
  for (const char* name : {"id", "version"}) {
    const auto& props = m.properties();
    if (!props.exists(name) || scalar_text(props.get(name))) continue;
    const std::string want = std::string(name) == "id" ? "the lead id as a string"
                                                       : "the lead's version as an integer or a string, or \"*\"";
    return Error::invalid({{name, "the application property is of AMQP type " +
                                      proton::type_name(props.get(name).type()) + ": send " + want}});
  }
  return std::nullopt;
}

// What to do about a reply address the broker refused. RabbitMQ refuses a /queue/NAME
// declared with the other durability (a client's plain receiver declares it
// non-durable, the hub's sender attaches durable): the queue is there, so "name a
// queue the broker has" would send the requester looking in the wrong place.
std::string refused_address_hint(const std::string& why, bool durable) {
  if (why.find("inequivalent arg 'durable'") != std::string::npos) {
    return std::string("the queue exists, declared ") + (durable ? "non-durable" : "durable") +
           ", and the hub's replies attach " + (durable ? "durable (durable: true)" : "non-durable (durable: false)") +
           ": the requester declares its reply queue " + (durable ? "durable" : "non-durable") +
           " (an AMQP 1.0 receiver: terminus durability; pika: queue_declare(durable=" + (durable ? "True" : "False") +
           ")), or the hub's durable setting is changed";
  }
  return "a reply_to must name a queue the broker has (/queue/NAME declares it)";
}

// A client the hub served that went without closing its connection (killed, its
// network gone): not a refusal. What it had sent and not yet heard the outcome of is
// what it should send again.
std::string client_lost_line(const std::string& what, const std::string& user, std::size_t in_flight) {
  const std::string who = user.empty() ? "a client" : "a client (user '" + user + "')";
  const std::string unsettled =
      in_flight == 0 ? "it had no request in flight"
                     : std::to_string(in_flight) +
                           " request(s) in flight get no outcome: sending them again with the same message ids is safe";
  return "connection from " + who + " lost without closing it (" + what + "); " + unsettled;
}

// A client speaking another protocol fails at the protocol header; say which and
// where such clients belong. Proton's description quotes the header it got.
std::string protocol_hint(const std::string& description) {
  if (description.find("Unknown protocol") == std::string::npos &&
      description.find("header mismatch") == std::string::npos) {
    return "";
  }
  if (description.find("\\x00\\x00\\x09\\x01") != std::string::npos ||
      description.find("\\x00\\x00\\x09\\x00") != std::string::npos) {
    return " (an AMQP 0-9-1 client: the hub speaks AMQP 1.0; 0-9-1 clients such as pika send through "
           "RabbitMQ to a queue the hub consumes, see docs/amqp.md)";
  }
  if (description.find("HTTP") != std::string::npos || description.find("GET ") != std::string::npos ||
      description.find("POST") != std::string::npos) {
    return " (an HTTP client on the AMQP port: the HTTP API has its own listener)";
  }
  return " (not an AMQP 1.0 client)";
}

// The reply's body in the request's form: a map request gets a map (when the reply
// is JSON; a partner format's reply stays text), binary gets binary. content-type
// names the media type of text or bytes; a map or list is no media type, and AMQP
// 1.0 (3.2.4) says content-type SHOULD NOT be set for such a body: a client that
// dispatches on it (e.g. one that decodes "application/json" bodies as text) would
// misread the map.
void set_reply_body(proton::message& out, BodyForm form, const Response& response) {
  if (form == BodyForm::binary || form == BodyForm::data_section) {
    out.body(proton::binary(response.body.begin(), response.body.end()));
    out.inferred(form == BodyForm::data_section);  // Proton: a binary body as a data section
    out.content_type(response.content_type);
    return;
  }
  if (form == BodyForm::amqp_value && response.content_type == "application/json") {
    if (auto value = json_to_amqp_value(response.body)) {
      out.body(std::move(value).value());
      return;
    }
  }
  out.body(response.body);
  out.content_type(response.content_type);
}

// The store's idempotency key (and the reply cache's) for a message: a message id
// is unique per sender, not across senders, so the key names the login and the
// address too. Otherwise a second login sending the same id (two partners both
// numbering from "1") got the first one's reply, lead included; in broker mode every
// message comes through the hub's own login, and a partner is its queue.
std::string idempotency_key_for(const std::string& connector, const std::string& user, const std::string& address,
                                const std::string& message_id) {
  return "amqp:" + connector + ":" + (user.empty() ? std::string("anonymous") : user) + "@" + address + ":" +
         message_id;
}

// What the message's properties refuse before it is applied: a message past its
// absolute expiry time, which the sender no longer wants applied. A `ttl` alone
// counts from the hub's receipt (direct) or is the broker's to enforce while the
// message is queued.
std::optional<Error> envelope_error(const proton::message& m) {
  const TimeMs expiry = m.expiry_time().milliseconds();
  const TimeMs now = SystemClock::instance().now_ms();
  if (expiry > 0 && expiry <= now) {
    return Error::invalid(
        {{"absolute_expiry_time", "the message expired at " + format_timestamp(expiry) +
                                      ", before the hub received it (" + format_timestamp(now) + "): not applied"}});
  }
  return std::nullopt;
}

// Canonical creates and changes enter the store's writer queue during
// Operations::run, in arrival order, and are applied in that order; everything
// else answers from the store at once or runs on another thread. A partner's
// change reads the lead first to check it is the partner's own.
LinkOrder::Kind order_kind(const Route& route, const Request& request) {
  if (route.mapper) return LinkOrder::Kind::ordered;
  const auto& op = request.operation;  // resolved in on_message (Operations::operation_for)
  if (op == "CreateLead") return LinkOrder::Kind::pipelined;
  if (op == "ChangeLead" && request.partner.empty()) return LinkOrder::Kind::pipelined;
  return LinkOrder::Kind::ordered;
}

}  // namespace

// The request message's parts that the reply and the settlement need later.
struct Engine::InFlight {
  std::uint64_t id = 0;  // key in pending_
  proton::delivery delivery;
  proton::receiver receiver;
  proton::connection connection;
  std::uint64_t epoch = 0;
  std::string reply_to;
  proton::message_id correlation;
  std::string operation;
  std::string key;                      // idempotency key
  std::string message_id;               // for the log
  bool presettled = false;              // sent at most once: the sender hears of no outcome
  BodyForm body_form = BodyForm::text;  // the reply's body takes the request's form
  LinkOrder::Kind kind = LinkOrder::Kind::ordered;
  bool started = false;                // handed to Operations (see LinkOrder)
  std::shared_ptr<const Route> route;  // while it waits for earlier messages of its link
  std::optional<Request> waiting;
};

class Engine::Listening final : public proton::listen_handler {
 public:
  explicit Listening(Engine& engine) : engine_(engine) {}
  void on_open(proton::listener& l) override {
    engine_.port_ = l.port();
    engine_.ready_ = true;
    // The hub logs the "listening on" line with describe() once start() returns.
    engine_.started_.set_value(ok_status());
    engine_.start_reported_ = true;
  }
  void on_error(proton::listener&, const std::string& what) override {
    if (engine_.start_reported_) return log::error(engine_.options_.connector, "listener: " + what);
    engine_.started_.set_value(
        Error::make(ErrorCode::unavailable, "amqp: cannot listen on " + engine_.options_.listen_host + ":" +
                                                std::to_string(engine_.options_.listen_port) + ": " + what));
    engine_.start_reported_ = true;
  }

 private:
  Engine& engine_;
};

Engine::Engine(EngineOptions options, Operations& operations)
    : options_(std::move(options)),
      operations_(operations),
      publisher_({.open_on_demand = options_.mode == Mode::broker,
                  .durable = options_.durable,
                  .keep_queued = options_.keep_queued_on_reconnect,
                  .retry_refused = options_.retry_refused_addresses}),
      links_(options_.reconnect_delay, options_.reconnect_max_delay) {}

Engine::~Engine() { stop(std::chrono::milliseconds(0)); }

Status Engine::start() {
  if (!options_.logins.empty()) {
    if (auto st = sasl::register_logins(options_.logins); !st) return st;
  }
  if (auto st = prepare_tls(); !st) return st;
  listening_ = std::make_unique<Listening>(*this);
  container_ = std::make_unique<proton::container>(*this, "leadhub-" + options_.connector);
  auto started = started_.get_future();
  thread_ = std::thread([this] {
    try {
      container_->run();
    } catch (const std::exception& e) {
      // Proton reports configuration and I/O trouble by exception: stop here.
      log::error(options_.connector, std::string("container stopped: ") + e.what());
      if (!start_reported_) {
        start_reported_ = true;
        started_.set_value(Error::make(ErrorCode::unavailable, std::string("amqp: ") + e.what()));
      }
    }
    std::lock_guard lock(gate_->mutex);
    gate_->queue = nullptr;
  });
  if (started.wait_for(std::chrono::seconds(30)) != std::future_status::ready) {
    return Error::make(ErrorCode::unavailable, "amqp: the container did not start within 30 s");
  }
  auto st = started.get();
  if (!st) {
    container_->stop();
    thread_.join();
  }
  return st;
}

// Proton loads certificates when the TLS options are made and throws when it
// cannot: done here, so a bad file is a start error and not a dead container thread.
Status Engine::prepare_tls() {
  try {
    if (options_.mode == Mode::listen && !options_.tls_certificate.empty()) {
      tls_server_.emplace(proton::ssl_certificate(options_.tls_certificate, options_.tls_private_key,
                                                  options_.tls_private_key_password));
    }
    if (options_.mode == Mode::broker && options_.tls) {
      const auto verify = options_.tls_verify ? proton::ssl::VERIFY_PEER_NAME : proton::ssl::ANONYMOUS_PEER;
      if (options_.tls_ca.empty())
        tls_client_.emplace(verify);
      else
        tls_client_.emplace(options_.tls_ca, verify);
    }
  } catch (const std::exception& e) {
    return Error::make(ErrorCode::invalid, "amqp " + options_.connector + ": TLS: " + e.what());
  }
  return ok_status();
}

void Engine::on_container_start(proton::container& c) {
  work_queue_ = std::make_unique<proton::work_queue>(c);
  {
    std::lock_guard lock(gate_->mutex);
    gate_->queue = work_queue_.get();
  }
  if (options_.mode == Mode::listen) return start_listening(c);
  start_connecting(c);
}

void Engine::start_listening(proton::container& c) {
  proton::connection_options server;
  server.sasl_enabled(true);
  std::string mechanisms = options_.sasl_mechanisms;
  if (!options_.logins.empty()) {
    // With logins configured, a client has to log in unless ANONYMOUS is allowed
    // explicitly. PLAIN without TLS is for loopback and private networks.
    if (mechanisms.empty()) mechanisms = "PLAIN";
    server.sasl_allow_insecure_mechs(!tls_server_);
  }
  if (tls_server_) server.ssl_server_options(*tls_server_);
  if (!mechanisms.empty()) server.sasl_allowed_mechs(mechanisms);
  c.server_connection_options(server);
  // Options given to open() are not applied to links a peer initiates; the
  // container's defaults are. Credit is given by hand (see open_broker_receivers).
  c.receiver_options(proton::receiver_options().auto_accept(false).credit_window(0));
  listener_ = c.listen(options_.listen_host + ":" + std::to_string(options_.listen_port), *listening_);
}

void Engine::start_connecting(proton::container& c) {
  proton::reconnect_options reconnect;
  reconnect.delay(proton::duration(options_.reconnect_delay.count()))
      .delay_multiplier(2)
      .max_delay(proton::duration(options_.reconnect_max_delay.count()));
  proton::connection_options opts;
  opts.reconnect(reconnect);
  if (!options_.user.empty()) opts.user(options_.user).password(options_.password);
  // PLAIN over a plain socket is what a loopback or VPN broker uses.
  opts.sasl_allow_insecure_mechs(true);
  if (tls_client_) opts.ssl_client_options(*tls_client_);
  std::string mechanisms = options_.sasl_mechanisms;
  // With a user, log in as that user. Otherwise Proton's client picks ANONYMOUS
  // over PLAIN when the broker lists AMQPLAIN before PLAIN (RabbitMQ's order changes
  // from one node start to the next) and the hub runs as the broker's default user,
  // whatever its password; a broker without ANONYMOUS refuses it outright.
  if (mechanisms.empty() && !options_.user.empty()) mechanisms = "PLAIN";
  if (!mechanisms.empty()) opts.sasl_allowed_mechs(mechanisms);
  c.connect(options_.url, opts);
  // The broker may be down at start: the hub runs and reconnects, health says so.
  // The hub logs describe() ("connecting to URL") once started; the connection
  // logs "connected to URL", or why it cannot connect.
  started_.set_value(ok_status());
  start_reported_ = true;
}

void Engine::on_connection_open(proton::connection& c) {
  if (options_.mode == Mode::listen) {
    if (stopping_) return c.close(proton::error_condition("amqp:connection:forced", "the hub is stopping"));
    connections_[c] = {++next_epoch_, c.user(), {}};
    if (c.uninitialized()) c.open();
    return;
  }
  connections_[c] = {++next_epoch_, options_.user, {}};
  broker_ = c;
  broker_epoch_ = next_epoch_;
  ++connects_;
  connected_ = true;
  std::string recovered;
  if (outage_since_) {
    const auto away = std::chrono::duration<double>(std::chrono::steady_clock::now() - *outage_since_).count();
    recovered = " after " + std::to_string(static_cast<long>(away)) + " s away (" + std::to_string(failed_attempts_) +
                " failed attempts)";
  }
  outage_since_.reset();
  failed_attempts_ = 0;
  set_note("");
  log::info(options_.connector, std::string(c.reconnected() ? "reconnected to " : "connected to ") +
                                    log::url_without_password(options_.url) + recovered);
  publisher_.use_connection(c);
  open_broker_receivers(c);
  publish_health();
}

void Engine::open_broker_receivers(proton::connection& c) {
  for (const auto& route : options_.routes) attach_receiver(c, route);
}

// Each queue's receiver has a session of its own: RabbitMQ ends the whole session
// when it refuses an attach (an /amq/queue/ that does not exist) or a channel
// error ends its channel, which on a shared session took every queue.
void Engine::attach_receiver(proton::connection& c, const std::shared_ptr<const Route>& route) {
  proton::source_options source;
  source.durability_mode(options_.durable ? proton::source::CONFIGURATION : proton::source::NONDURABLE);
  proton::receiver_options opts;
  // Credit by hand: one back per settled message keeps at most `credit`
  // messages unsettled, which bounds what waits for the store.
  opts.auto_accept(false).credit_window(0).source(source);
  auto r = c.open_session().open_receiver(route->address, opts);
  receivers_[r] = Link{route, {}, 0, "", false, false};
  r.add_credit(options_.credit);
}

void Engine::connection_gone(const proton::connection& c) {
  // A message still at the store must not keep its delivery, link or connection
  // referenced past this point: Proton frees them with the connection and aborts
  // (pn_delivery_finalize) when a reference is dropped later. Its result is then
  // only replied to where possible; the peer or broker redelivers the message.
  if (auto it = connections_.find(c); it != connections_.end()) {
    for (const auto& f : it->second.in_flight) {
      if (!f->started) pending_.erase(f->id);  // never reached the store: the peer sends it again
      f->delivery = proton::delivery();
      f->receiver = proton::receiver();
      f->connection = proton::connection();
    }
  }
  connections_.erase(c);
  for (auto it = receivers_.begin(); it != receivers_.end();) {
    if (it->first.connection() == c)
      it = receivers_.erase(it);
    else
      ++it;
  }
  if (options_.mode == Mode::broker) {
    connected_ = false;
    broker_ = proton::connection();
    links_.clear();  // the reconnect attaches every link afresh
    publisher_.connection_lost();
    publish_health();
  } else {
    for (const auto& sender : c.senders()) {  // its named reply addresses other peers receive from too
      const std::string address = sender.source().address();
      if (auto other = receiver_for(address, sender, c)) publisher_.adopt(address, *other);
    }
    publisher_.forget_connection(c);
  }
}

void Engine::on_connection_close(proton::connection& c) { connection_gone(c); }

void Engine::on_transport_error(proton::transport& t) {
  const auto c = t.connection();
  // Refused logins show in the hub's log; Proton's own logging is not the hub's.
  if (options_.mode == Mode::listen && t.error().name() == "amqp:unauthorized-access") {
    log::warn(options_.connector, "login refused: " + t.error().description());
  } else if (options_.mode == Mode::listen && t.error()) {
    constexpr std::size_t kShown = 160;  // Proton quotes all the bytes it got
    std::string what = t.error().what();
    if (what.size() > kShown) what = what.substr(0, kShown) + "...";
    if (auto it = connections_.find(c); it != connections_.end()) {
      log::warn(options_.connector, client_lost_line(what, it->second.user, it->second.in_flight.size()));
    } else {
      log::warn(options_.connector, "connection refused: " + what + protocol_hint(t.error().description()));
    }
  }
  if (options_.mode == Mode::broker && !stopping_) broker_connection_failed(t.error());
  connection_gone(c);
}

// One line per outage, not one per attempt (the backoff tries every few seconds
// for as long as the broker is away); on_connection_open reports the recovery.
// A refused login is not retried by Proton: that is an error the operator fixes.
void Engine::broker_connection_failed(const proton::error_condition& e) {
  if (e.name() == "amqp:unauthorized-access") {
    const std::string who = options_.user.empty() ? "ANONYMOUS (no user set)" : "user '" + options_.user + "'";
    const std::string mechanisms =
        options_.sasl_mechanisms.empty() ? "" : ", sasl_mechanisms " + options_.sasl_mechanisms;
    log::error(options_.connector, "the broker at " + log::url_without_password(options_.url) +
                                       " refused the login as " + who + mechanisms + ": " + e.description() +
                                       "; check user, password and sasl_mechanisms, then restart the hub (a "
                                       "refused login is not retried)");
    set_note("login refused by the broker: " + e.description());
    return;
  }
  ++failed_attempts_;
  if (outage_since_) return;
  outage_since_ = std::chrono::steady_clock::now();
  log::warn(options_.connector, std::string(connects_ == 0 ? "cannot reach the broker (" : "broker connection lost (") +
                                    e.what() + "); reconnecting with backoff, the recovery is logged");
  set_note(e.what());
}

void Engine::set_note(std::string note) {
  std::lock_guard lock(note_mutex_);
  note_ = std::move(note);
}

void Engine::on_transport_close(proton::transport& t) { connection_gone(t.connection()); }

void Engine::on_receiver_open(proton::receiver& r) {
  if (!r.uninitialized()) {
    // Our own broker link, attached; a broker refusing it attaches it without a
    // source and detaches it (RabbitMQ ends its session instead).
    const auto it = receivers_.find(r);
    if (it != receivers_.end() && !r.source().address().empty()) {
      it->second.attached = true;
      link_attached(LinkRole::receiver, it->second.route->address);
    }
    return;
  }
  // A peer's sender: the target is one of our addresses.
  const auto address = r.target().address();
  auto route = route_for(address);
  if (!route || stopping_) {
    r.open();
    return r.close(proton::error_condition("amqp:not-found", route ? "the hub is stopping" : "no address " + address));
  }
  // Announced so that clients which check it refuse an oversized message before
  // sending it (Proton itself neither checks nor enforces it); the body limit is
  // still checked on receipt (on_message).
  pn_link_set_max_message_size(RawReceiver(r).get(), options_.max_message_bytes + kEnvelopeAllowance);
  r.open(proton::receiver_options().auto_accept(false).credit_window(0));
  receivers_[r] = Link{route, {}, 0, "", false, true};
  r.add_credit(options_.credit);
}

void Engine::on_receiver_close(proton::receiver& r) { receiver_gone(r, r.error()); }
void Engine::on_receiver_detach(proton::receiver& r) { receiver_gone(r, r.error()); }
// receiver_gone says it, naming the address; Proton's default would log it bare.
void Engine::on_receiver_error(proton::receiver&) {}

// The messages of a link that went and never started are left to the peer or
// broker, which sends them again. Those at the store finish and are answered but
// not settled (complete() finds no link): the broker delivers them again, and
// their idempotency key keeps them from taking effect twice. A link in a session
// the broker ended still looks open to Proton: settling there would be an error.
void Engine::receiver_gone(const proton::receiver& r, const proton::error_condition& error) {
  const auto it = receivers_.find(r);
  if (it == receivers_.end()) return;
  const auto route = it->second.route;
  const bool was_attached = it->second.attached;
  std::size_t unsettled = drop_waiting(it->second, false);
  receivers_.erase(it);
  if (options_.mode == Mode::listen) {
    if (!error.empty())
      log::warn(options_.connector, "a peer closed its link to " + route->address + ": " + error.what());
    return;
  }
  for (const auto& [id, f] : pending_) unsettled += f->receiver == r ? 1 : 0;
  proton::session session = r.session();  // its own (attach_receiver)
  session.close();
  if (stopping_) return;
  link_lost(LinkRole::receiver, route->address, was_attached,
            condition_text(error, was_attached ? "detached without an error" : "no source"),
            unsettled == 0 ? ""
                           : "; " + std::to_string(unsettled) +
                                 " messages received and not settled are left to the broker, which delivers them "
                                 "again");
}

void Engine::on_sender_open(proton::sender& s) {
  if (!s.uninitialized()) {  // our own sender to a broker address, attached (or refused: no target)
    if (auto address = publisher_.attached(s)) link_attached(LinkRole::sender, *address);
    return;
  }
  // A peer wants to receive: replies for its address go to this link.
  std::string address = s.source().address();
  if (s.source().dynamic()) {
    address = "/reply/" + options_.connector + "/" + proton::uuid::random().str();
    pn_terminus_set_address(pn_link_source(RawSender(s).get()), address.c_str());
  }
  s.open();
  publisher_.adopt(address, s);
}

void Engine::on_sender_close(proton::sender& s) { sender_gone(s, s.error()); }
void Engine::on_sender_detach(proton::sender& s) { sender_gone(s, s.error()); }
// sender_gone says it, naming the address; Proton's default would log it bare.
void Engine::on_sender_error(proton::sender&) {}

std::optional<proton::sender> Engine::receiver_for(const std::string& address, const proton::sender& gone,
                                                   const proton::connection& leaving) const {
  for (const auto& [connection, state] : connections_) {
    if (connection == leaving) continue;
    for (auto sender : connection.senders()) {
      if (sender != gone && sender.active() && sender.source().address() == address) return sender;
    }
  }
  return std::nullopt;
}

void Engine::sender_gone(const proton::sender& s, const proton::error_condition& error) {
  if (options_.mode == Mode::listen) {
    // Several peers may receive from one named address (a client's second
    // connection, a reconnect before the old link went): the newest takes the
    // replies, and when it goes, another one still attached takes them over.
    const std::string address = s.source().address();
    if (auto other = receiver_for(address, s, proton::connection())) publisher_.adopt(address, *other);
    publisher_.forget(s);
    return resume_held_links();
  }
  const auto ended = publisher_.ended(s);
  if (!ended) return;
  proton::session session = s.session();  // its own (Publisher::open_sender)
  session.close();
  if (stopping_) return;
  const std::string why = condition_text(error, ended->refused ? "no target" : "detached without an error");
  if (!ended->retry) {
    // A reply_to the broker does not have costs its reply alone.
    log::warn(options_.connector, "the broker refused the address " + ended->address + " (" + why +
                                      "): " + std::to_string(ended->dropped) + " message(s) to it dropped; " +
                                      refused_address_hint(why, options_.durable));
    return resume_held_links();
  }
  std::string detail;
  if (ended->unsettled > 0) {
    detail = "; " + std::to_string(ended->unsettled) + " message(s) sent and not settled " +
             (options_.keep_queued_on_reconnect ? "are sent again once it is back"
                                                : "are reported lost to their owner, which sends them again");
  }
  link_lost(LinkRole::sender, ended->address, !ended->refused, why, detail);
  resume_held_links();
}

void Engine::on_sendable(proton::sender& s) {
  publisher_.on_sendable(s);
  resume_held_links();
}

// RabbitMQ ends a session, rather than detach a link, when it refuses an attach or
// a channel error ends the session's channel (a publish to an exchange deleted
// meanwhile, an operator's tool): its links end with it. The hub opens a session
// per link, so that is one link; one the hub closed itself has none left.
void Engine::on_session_close(proton::session& s) {
  if (options_.mode != Mode::broker) return;
  std::vector<proton::receiver> gone;
  for (const auto& [r, link] : receivers_) {
    if (r.session() == s) gone.push_back(r);
  }
  for (const auto& r : gone) receiver_gone(r, s.error());
  if (const auto sender = publisher_.sender_on(s)) sender_gone(*sender, s.error());
}

// The links' handlers log it, naming the address; Proton's default would log it bare.
void Engine::on_session_error(proton::session&) {}

void Engine::link_lost(LinkRole role, const std::string& address, bool was_attached, const std::string& why,
                       const std::string& detail) {
  const auto lost = links_.lost(role, address, why, std::chrono::steady_clock::now());
  if (lost.first) {
    counters_.link_outages.fetch_add(1, std::memory_order_relaxed);
    log::warn(options_.connector, std::string("the broker ") + (was_attached ? "ended " : "refused ") +
                                      link_words(role) + address + " (" + why + ")" + detail +
                                      "; attaching it again with backoff, the recovery is logged");
  }
  container_->schedule(proton::duration(lost.delay.count()),
                       [this, role, address, epoch = broker_epoch_] { reattach(role, address, epoch); });
  publish_health();
}

// A retry scheduled before a reconnect does nothing: the reconnect attached the link.
void Engine::reattach(LinkRole role, const std::string& address, std::uint64_t epoch) {
  if (stopping_ || epoch != broker_epoch_ || !connected_ || !links_.down(role, address)) return;
  if (role == LinkRole::receiver) {
    if (const auto route = route_for(address)) attach_receiver(broker_, route);
    broker_.wake();  // a timer is no connection event: without it the attach waits
    return;
  }
  if (!publisher_.reattach(address)) {  // nothing waits for it: attached with its next message
    links_.forget(role, address);
    publish_health();
  }
}

void Engine::link_attached(LinkRole role, const std::string& address) {
  const auto back = links_.attached(role, address, std::chrono::steady_clock::now());
  if (!back) return;
  log::info(options_.connector, link_words(role) + address + " is attached again after " + seconds_text(back->down) +
                                    " (" + std::to_string(back->failed_attempts) + " failed attempts)");
  publish_health();
}

void Engine::publish_health() {
  auto outages = links_.outages();
  counters_.links_down.store(outages.size(), std::memory_order_relaxed);
  // Ready while connected with every queue's link attached; a reply or event
  // address that is down holds up only its own messages (describe() names it).
  ready_ = connected_ && links_.down(LinkRole::receiver) == 0;
  std::lock_guard lock(note_mutex_);
  outages_ = std::move(outages);
}
void Engine::on_tracker_accept(proton::tracker& t) { publisher_.on_settled(t, Settlement::accepted, ""); }
void Engine::on_tracker_reject(proton::tracker& t) {
  publisher_.on_settled(t, Settlement::rejected, "rejected" + rejection_reason(t));
}
void Engine::on_tracker_release(proton::tracker& t) { publisher_.on_settled(t, Settlement::released, "released"); }
void Engine::on_error(const proton::error_condition& e) { log::warn(options_.connector, e.what()); }

std::shared_ptr<const Route> Engine::route_for(const std::string& address) const {
  for (const auto& r : options_.routes) {
    if (r->address == address) return r;
  }
  return nullptr;
}

std::string Engine::partner_for(const proton::connection& c, const proton::message& m, const Route& route) const {
  if (!route.partner.empty()) return route.partner;
  // Direct: the SASL user of the connection. Broker: the message's user_id,
  // which RabbitMQ checks against the publisher's login.
  std::string user;
  if (options_.mode == Mode::listen) {
    if (auto it = connections_.find(c); it != connections_.end()) user = it->second.user;
  } else {
    user = m.user();
  }
  auto it = options_.user_partner.find(user);
  return it == options_.user_partner.end() ? "" : it->second;
}

void Engine::on_message(proton::delivery& d, proton::message& m) {
  counters_.received.fetch_add(1, std::memory_order_relaxed);
  auto receiver = d.receiver();
  auto link_it = receivers_.find(receiver);
  if (stopping_ || link_it == receivers_.end()) {
    counters_.released.fetch_add(1, std::memory_order_relaxed);
    return d.release();
  }
  const auto route = link_it->second.route;
  auto f = std::make_shared<InFlight>();
  f->id = ++next_pending_;
  pending_[f->id] = f;
  f->delivery = d;
  f->receiver = receiver;
  f->connection = d.connection();
  auto& state = connections_[f->connection];
  f->epoch = state.epoch;
  state.in_flight.insert(f);
  f->reply_to = m.reply_to();
  f->correlation = m.correlation_id().empty() ? m.id() : m.correlation_id();
  Request request;
  request.operation = Operations::operation_for(*route, m.subject());
  f->operation = request.operation;  // the reply's subject
  f->route = route;
  f->presettled = d.settled();
  f->message_id = id_text(m.id());
  const auto& body = m.body();
  if (body.type() == proton::STRING) {
    request.body = proton::get<std::string>(body);
  } else if (body.type() == proton::BINARY) {
    const auto bytes = proton::get<proton::binary>(body);
    request.body.assign(bytes.begin(), bytes.end());
    f->body_form = m.inferred() ? BodyForm::data_section : BodyForm::binary;
  } else if (body.type() == proton::MAP || body.type() == proton::LIST) {
    if (!m.content_encoding().empty() && m.content_encoding() != "identity") {
      return complete(f, error_response(*route, Error::invalid({{"content_encoding",
                                                                 "applies to a string or binary body, not to a "
                                                                 "map or list"}})));
    }
    auto json = amqp_value_to_json(body);
    if (!json) return complete(f, error_response(*route, json.error()));
    request.body = std::move(json).value();
    f->body_form = BodyForm::amqp_value;
  } else if (body.type() != proton::NULL_TYPE) {
    return complete(f, error_response(*route, Error::invalid({{"body",
                                                               "expected a string, a binary body (data "
                                                               "section) or a map, got " +
                                                                   proton::type_name(body.type())}})));
  }
  if (auto st = decode_content_encoding(m.content_encoding(), request.body, options_.max_message_bytes); !st) {
    return complete(f, error_response(*route, st.error()));
  }
  if (request.body.size() > options_.max_message_bytes) {
    return complete(
        f, error_response(*route, Error::invalid({{"body", "larger than max_message_bytes (" +
                                                               std::to_string(options_.max_message_bytes) + ")"}})));
  }
  if (auto refused = unreadable_target_property(m, request.operation)) {
    return complete(f, error_response(*route, *refused));
  }
  if (auto id = property(m, "id")) request.id = *id;
  request.version = property(m, "version");
  if (!f->message_id.empty()) {
    request.idempotency_key = idempotency_key_for(options_.connector, state.user, route->address, f->message_id);
  }
  f->key = request.idempotency_key;
  request.partner = partner_for(f->connection, m, *route);
  request.actor.user = state.user.empty() ? "anonymous" : state.user;
  request.actor.connector = options_.connector;

  if (!f->key.empty()) {
    if (auto hit = cache_.find(f->key); hit != cache_.end()) return complete(f, hit->second->second);
  }
  if (auto refused = envelope_error(m)) return complete(f, error_response(*route, *refused));
  f->kind = order_kind(*route, request);
  if (link_it->second.order.arrive(f->id, f->kind)) return run(f, std::move(request));
  f->waiting = std::move(request);
}

void Engine::run(const std::shared_ptr<InFlight>& f, Request request) {
  f->started = true;
  operations_.run(f->route, std::move(request), [gate = gate_, this, id = f->id](Response response) {
    // From the store's writer or a blocking worker: back to the container thread.
    std::lock_guard lock(gate->mutex);
    if (gate->queue) {
      gate->queue->add([this, id, response = std::move(response)] {
        const auto it = pending_.find(id);
        if (it != pending_.end()) complete(it->second, response);
      });
    }
  });
}

// NOLINTNEXTLINE(performance-unnecessary-value-param): by value, see engine.hpp
void Engine::complete(std::shared_ptr<InFlight> f, const Response& response) {
  pending_.erase(f->id);
  // No link: it went (receiver_gone), and the peer or broker sends the message again.
  const auto link = receivers_.find(f->receiver);
  const bool link_alive = link != receivers_.end();
  if (f->started && link_alive) start_ready(link->second.order.finished(f->kind));
  if (response.write && response.settle != Settle::release && !f->key.empty() && !cache_.count(f->key)) {
    cache_order_.emplace_front(f->key, response);
    cache_[f->key] = cache_order_.begin();
    if (cache_order_.size() > options_.reply_cache) {
      cache_.erase(cache_order_.back().first);
      cache_order_.pop_back();
    }
  }
  if (f->presettled && response.outcome != Outcome::ok) log_presettled_refusal(*f, response);
  // Reply first, then settle: a client that sees its request accepted can rely
  // on the reply being on its way. A released message comes again and is answered
  // then, unless it was pre-settled: nothing comes again, so its requester hears now.
  if (response.settle != Settle::release || f->presettled) reply(*f, response);
  const auto c = connections_.find(f->connection);
  if (c != connections_.end()) c->second.in_flight.erase(f);
  if (c != connections_.end() && c->second.epoch == f->epoch && link_alive && f->receiver.active()) {
    settle(*f, response);
    if (!stopping_) give_credit_back(*f);
    // Work from the container's queue is not a connection event: without a wake
    // the disposition and the credit would wait for the connection's next event.
    f->connection.wake();
  }
  if (stopping_ && pending_.empty()) finish_stop();
}

// A pre-settled (at-most-once) message is settled before the hub sees it: a
// refusal reaches its sender only as a reply, so the log keeps a trace of it.
void Engine::log_presettled_refusal(const InFlight& f, const Response& response) const {
  std::string what =
      "pre-settled message " + (f.message_id.empty() ? "(no message id)" : f.message_id) + " on " + f.route->address;
  what += response.settle == Settle::release ? " not taken, and lost (it is never sent again): "
                                             : " refused (its sender settled it in advance and hears no outcome): ";
  what += to_string(response.outcome) + std::string(": ") + response.description;
  what += f.reply_to.empty() ? "; no reply_to, nobody is told" : "; the reply went to " + f.reply_to;
  log::warn(options_.connector, what);
}

// One credit back per settled message, unless the link's replies pile up for a
// receiver that grants the hub no credit (a slow or stalled reply consumer): the
// link then takes no more requests until they drain (resume_held_links), so what
// waits in memory stays bounded and other links go on.
void Engine::give_credit_back(InFlight& f) {
  const auto link = receivers_.find(f.receiver);
  if (link != receivers_.end() && !f.reply_to.empty() && publisher_.queued(f.reply_to) >= options_.credit) {
    auto& held = link->second;
    if (held.held_credit++ == 0) {
      held.held_for = f.reply_to;
      ++links_holding_;
    }
    if (!held.warned_held) {
      held.warned_held = true;
      log::warn(options_.connector, std::to_string(publisher_.queued(f.reply_to)) + " replies to " + f.reply_to +
                                        " wait for its receiver's credit: the link to " + f.route->address +
                                        " takes no more requests until they are taken");
    }
    return;
  }
  f.receiver.add_credit(1);
}

// Links held back by give_credit_back whose replies have drained get their credit.
void Engine::resume_held_links() {
  if (links_holding_ == 0) return;
  links_holding_ = 0;
  for (auto& [r, link] : receivers_) {
    if (link.held_credit == 0) continue;
    if (publisher_.queued(link.held_for) >= options_.credit) {
      ++links_holding_;
      continue;
    }
    proton::receiver receiver = r;
    receiver.add_credit(link.held_credit);
    link.held_credit = 0;
    receiver.connection().wake();
  }
}

// Messages whose earlier messages on their link have finished (see LinkOrder).
void Engine::start_ready(const std::vector<std::uint64_t>& ids) {
  for (const auto id : ids) {
    const auto it = pending_.find(id);
    if (it == pending_.end() || !it->second->waiting) continue;
    Request request = std::move(*it->second->waiting);
    it->second->waiting.reset();
    run(it->second, std::move(request));
  }
}

std::size_t Engine::drop_waiting(Link& link, bool release) {
  const auto ids = link.order.take_waiting();
  for (const auto id : ids) {
    const auto it = pending_.find(id);
    if (it == pending_.end()) continue;
    const auto f = it->second;
    pending_.erase(it);
    if (auto c = connections_.find(f->connection); c != connections_.end()) c->second.in_flight.erase(f);
    if (release && f->receiver.active()) {
      counters_.released.fetch_add(1, std::memory_order_relaxed);
      f->delivery.release();
    }
  }
  return ids.size();
}

void Engine::reply(const InFlight& f, const Response& response) {
  if (f.reply_to.empty()) return;
  proton::message out;
  set_reply_body(out, f.body_form, response);
  out.correlation_id(f.correlation);
  if (!f.operation.empty()) out.subject(f.operation);  // none asked: none answered, not an empty one
  out.durable(options_.durable);
  out.properties().put("outcome", to_string(response.outcome));
  if (response.outcome != Outcome::ok) out.properties().put("description", response.description);
  // A reply the receiver (a broker) does not take is lost for good: say so.
  auto on_settled = [connector = options_.connector, address = f.reply_to](Settlement outcome, const std::string& why) {
    if (outcome == Settlement::rejected || outcome == Settlement::released) {
      log::warn(connector, "reply to " + address + " not delivered: " + why);
    }
  };
  if (!publisher_.send(f.reply_to, std::move(out), std::move(on_settled))) {
    counters_.replies_dropped.fetch_add(1, std::memory_order_relaxed);
    const auto queued = publisher_.queued(f.reply_to);
    log::warn(options_.connector, "reply to " + f.reply_to + " dropped: " +
                                      (queued > 0 ? std::to_string(queued) + " replies wait for its receiver already"
                                                  : "nobody receives from that address"));
    return;
  }
  const auto outcome = static_cast<std::size_t>(response.outcome);
  if (outcome < EngineCounters::kOutcomes) counters_.replies[outcome].fetch_add(1, std::memory_order_relaxed);
}

void Engine::settle(const InFlight& f, const Response& response) {
  auto d = f.delivery;
  const auto count = [](std::atomic<std::uint64_t>& n) { n.fetch_add(1, std::memory_order_relaxed); };
  switch (response.settle) {
    case Settle::release:
      count(counters_.released);
      return d.release();
    case Settle::reject:
      count(counters_.rejected);
      return reject_with(d, response.condition, response.description);
    case Settle::accept:
      // One-way messages have nobody to tell: a refusal must be visible as a rejection.
      if (f.reply_to.empty() && response.outcome != Outcome::ok) {
        count(counters_.rejected);
        return reject_with(d, response.condition, response.description);
      }
      count(counters_.accepted);
      return d.accept();
  }
}

bool Engine::publish(std::string address, proton::message message, Publisher::Settled on_settled,
                     Publisher::Wanted wanted) {
  std::lock_guard lock(gate_->mutex);
  if (!gate_->queue) return false;
  return gate_->queue->add([this, address = std::move(address), message = std::move(message),
                            on_settled = std::move(on_settled), wanted = std::move(wanted)]() mutable {
    auto if_refused = on_settled;
    if (stopping_ || !publisher_.send(address, std::move(message), std::move(on_settled), std::move(wanted))) {
      if (if_refused)
        if_refused(Settlement::lost, stopping_ ? "the connector is stopping" : "too many queued for " + address);
    }
  });
}

void Engine::stop(std::chrono::milliseconds grace) {
  if (!thread_.joinable()) return;
  auto stopped = stopped_.get_future();
  bool posted = false;
  {
    std::lock_guard lock(gate_->mutex);
    if (gate_->queue) {
      posted = gate_->queue->add([this, grace] {
        stopping_ = true;
        // Messages that never started go back to the peer or broker, which sends them again.
        for (auto& entry : receivers_) drop_waiting(entry.second, true);
        log::info(options_.connector, "stopping: " + std::to_string(pending_.size()) + " messages in flight");
        if (pending_.empty()) return finish_stop();
        container_->schedule(proton::duration(grace.count()), [this] { finish_stop(); });
      });
    }
  }
  if (posted) stopped.wait();
  thread_.join();
}

void Engine::finish_stop() {
  if (finished_) return;
  finished_ = true;
  if (!pending_.empty()) {
    log::warn(options_.connector, std::to_string(pending_.size()) + " messages unsettled at stop");
  }
  {
    std::lock_guard lock(gate_->mutex);
    gate_->queue = nullptr;
  }
  for (auto& [c, state] : connections_) {
    proton::connection conn = c;
    conn.close();
  }
  if (options_.mode == Mode::listen) listener_.stop();
  ready_ = false;
  container_->auto_stop(true);
  // Closing frames get a moment to leave; then the container stops for good.
  container_->schedule(proton::duration(500), [this] { container_->stop(); });
  stopped_.set_value();
}

std::string Engine::describe() const {
  const std::string counts = " (" + std::to_string(counters_.received.load()) + " messages received)";
  if (options_.mode == Mode::listen) {
    const auto n = options_.routes.size();
    return ready_ ? "listening on amqp://" + options_.listen_host + ":" + std::to_string(port_.load()) + " for " +
                        std::to_string(n) + (n == 1 ? " address" : " addresses") + counts
                  : "not listening";
  }
  const bool connected = connected_;
  std::string note;
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(note_mutex_);
    if (!connected && !note_.empty()) note = " (" + note_ + ")";
    for (const auto& o : outages_) {
      note += std::string("; ") + link_words(o.role) + o.address + " is down for " +
              seconds_text(std::chrono::duration_cast<std::chrono::milliseconds>(now - o.since)) + " (" + o.why +
              "), attaching it again (" + std::to_string(o.failed_attempts) + " failed attempts)";
    }
  }
  return (connected ? "connected to " : "connecting to ") + log::url_without_password(options_.url) + note + counts;
}

}  // namespace leadhub::connectors::amqp
