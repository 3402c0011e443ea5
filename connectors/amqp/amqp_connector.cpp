#include "amqp_connector.hpp"

#include <fstream>
#include <memory>

#include "../framework/hub.hpp"
#include "../framework/metrics.hpp"
#include "engine.hpp"

namespace leadhub::connectors::amqp {
namespace {

const std::vector<SettingSpec>& setting_specs() {
  static const std::vector<SettingSpec> kSpecs = {
      {"mode", "listen", "listen: the hub is the AMQP 1.0 node (no broker); broker: the hub connects to `url`"},
      {"listen", "127.0.0.1:5672", "listen mode: address:port (port 0 picks a free one)"},
      {"url", "amqp://127.0.0.1:5672", "broker mode: the broker to connect to"},
      {"user", "", "broker mode: SASL PLAIN user (none: ANONYMOUS)"},
      {"password", "", "broker mode: SASL PLAIN password"},
      {"tls_certificate", "", "listen mode: PEM certificate (chain) file; with it the listener speaks TLS only"},
      {"tls_private_key", "", "listen mode: PEM private key file of tls_certificate"},
      {"tls_private_key_password", "", "listen mode: password of an encrypted private key"},
      {"tls", "false", "broker mode: connect with TLS (implied by an amqps:// url)"},
      {"tls_verify", "true", "broker mode: verify the broker's certificate and host name"},
      {"tls_ca", "", "broker mode: PEM file of the CAs to trust (default: the system's)"},
      {"sasl_mechanisms", "", "allowed SASL mechanisms, e.g. \"PLAIN ANONYMOUS\" (empty: Proton's default)"},
      {"credit", "300", "unsettled messages per link at most (sized to the store's group commit)"},
      {"durable", "true", "broker mode: durable queues (terminus durability) and durable replies"},
      {"reconnect_delay_ms", "200", "broker mode: first reconnect delay, doubled per attempt"},
      {"reconnect_max_delay_ms", "10000", "broker mode: longest reconnect delay"},
      {"max_message_bytes", "16777216", "larger messages are rejected"},
      {"reply_cache", "10000", "replies to writes remembered by message id, for redelivered messages"},
      {"users", "[]",
       "{user, partner, password_sha256}: the SASL user (direct; with password_sha256 a PLAIN login) or "
       "validated user_id (broker) acting for a partner"},
      {"addresses", "[{address: leads}]",
       "{address, mapping, reply_mapping, operation, partner}: the request or inbound addresses (queues)"},
  };
  return kSpecs;
}

const std::vector<SettingSpec>& address_specs() {
  static const std::vector<SettingSpec> kSpecs = {
      {"address", "", "node or queue name (RabbitMQ: /queue/NAME)"},
      {"mapping", "", "the party's format (config/mappings/NAME.yaml); none: canonical JSON"},
      {"reply_mapping", "", "mapping whose outbound section writes replies (default: `mapping`, else JSON)"},
      {"operation", "", "operation of messages whose subject names none (none, or an AMQP 0-9-1 routing key)"},
      {"partner", "", "owner channel this address acts for: scopes every message on it"},
  };
  return kSpecs;
}

const std::vector<SettingSpec>& user_specs() {
  static const std::vector<SettingSpec> kSpecs = {
      {"user", "", "SASL user name"},
      {"partner", "", "owner channel the user may see and change (none: unscoped)"},
      {"password_sha256", "", "listen mode: hex SHA-256 of the user's password, for SASL PLAIN logins"},
  };
  return kSpecs;
}

Result<std::shared_ptr<const Route>> read_route(const Settings& a, Hub& hub) {
  if (auto st = a.check_known(address_specs()); !st) return st.error();
  auto route = std::make_shared<Route>();
  auto address = a.text("address", "");
  auto mapping = a.text("mapping", "");
  auto reply_mapping = a.text("reply_mapping", "");
  auto operation = a.text("operation", "");
  auto partner = a.text("partner", "");
  for (const auto* r : {&address, &mapping, &reply_mapping, &operation, &partner}) {
    if (!*r) return r->error();
  }
  if (address->empty()) return a.error("address", "required");
  route->address = *address;
  route->partner = *partner;
  route->default_operation = *operation;
  if (!operation->empty()) {
    const auto& names = Operations::operation_names();
    if (std::find(names.begin(), names.end(), *operation) == names.end()) {
      std::string known;
      for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
      return a.error("operation", "unknown operation '" + *operation + "' (known: " + known + ")");
    }
  }
  if (!mapping->empty()) {
    auto mapper = hub.mappings().get(*mapping);
    if (!mapper) return a.error("mapping", mapper.error().message);
    route->mapper = *mapper;
  }
  const std::string& reply_name = reply_mapping->empty() ? *mapping : *reply_mapping;
  if (!reply_name.empty()) {
    auto mapper = hub.mappings().get(reply_name);
    if (!mapper) return a.error("reply_mapping", mapper.error().message);
    route->reply_format = (*mapper)->spec().outbound;
    if (!reply_mapping->empty() && !route->reply_format) {
      return a.error("reply_mapping", reply_name + " has no outbound section");
    }
  }
  return std::shared_ptr<const Route>(std::move(route));
}

Status read_routes(const Settings& s, Hub& hub, EngineOptions& o) {
  auto addresses = s.children("addresses");
  if (!addresses) return addresses.error();
  for (const auto& a : *addresses) {
    auto route = read_route(a, hub);
    if (!route) return route.error();
    o.routes.push_back(std::move(route).value());
  }
  if (o.routes.empty()) {
    if (o.mode == Mode::broker) return s.error("addresses", "broker mode needs the queues to consume");
    auto route = std::make_shared<Route>();
    route->address = "leads";
    o.routes.push_back(std::move(route));
  }
  return ok_status();
}

Status read_users(const Settings& s, EngineOptions& o) {
  auto users = s.children("users");
  if (!users) return users.error();
  for (const auto& u : *users) {
    if (auto st = u.check_known(user_specs()); !st) return st;
    auto name = u.text("user", "");
    auto partner = u.text("partner", "");
    auto hash = u.text("password_sha256", "");
    if (!name) return name.error();
    if (!partner) return partner.error();
    if (!hash) return hash.error();
    if (name->empty()) return u.error("user", "required");
    if (partner->empty() && hash->empty()) return u.error("", "give a partner, a password_sha256 or both");
    if (!partner->empty()) o.user_partner[*name] = *partner;
    if (hash->empty()) continue;
    if (o.mode != Mode::listen) return u.error("password_sha256", "only the listener (mode: listen) checks logins");
    if (!sasl::is_sha256_hex(*hash)) return u.error("password_sha256", "expected 64 hex digits");
    o.logins.push_back({*name, *hash});
  }
  return ok_status();
}

bool readable(const std::string& path) { return std::ifstream(path).good(); }

Status read_tls(const Settings& s, EngineOptions& o) {
  auto tls = s.boolean("tls", false);
  auto verify = s.boolean("tls_verify", true);
  if (!tls) return tls.error();
  if (!verify) return verify.error();
  o.tls = *tls || o.url.rfind("amqps://", 0) == 0;
  o.tls_verify = *verify;
  if (o.tls_certificate.empty() != o.tls_private_key.empty()) {
    return s.error("tls_private_key", "give tls_certificate and tls_private_key together");
  }
  for (auto [key, path] : {std::pair{"tls_certificate", &o.tls_certificate},
                           std::pair{"tls_private_key", &o.tls_private_key}, std::pair{"tls_ca", &o.tls_ca}}) {
    if (!path->empty() && !readable(*path)) return s.error(key, "cannot read " + *path);
  }
  if (o.mode == Mode::broker && !o.tls_certificate.empty()) {
    return s.error("tls_certificate", "only the listener (mode: listen) has a certificate");
  }
  if (o.mode == Mode::listen && (o.tls || !o.tls_ca.empty())) {
    return s.error(o.tls ? "tls" : "tls_ca", "broker mode only; the listener uses tls_certificate");
  }
  return ok_status();
}

// The settings of either mode that say how to reach a peer: texts, TLS, durability, backoff.
Status read_connection(const Settings& s, EngineOptions& o) {
  for (auto [key, out, fallback] :
       {std::tuple{"url", &o.url, "amqp://127.0.0.1:5672"}, std::tuple{"user", &o.user, ""},
        std::tuple{"password", &o.password, ""}, std::tuple{"sasl_mechanisms", &o.sasl_mechanisms, ""},
        std::tuple{"tls_certificate", &o.tls_certificate, ""}, std::tuple{"tls_private_key", &o.tls_private_key, ""},
        std::tuple{"tls_private_key_password", &o.tls_private_key_password, ""}, std::tuple{"tls_ca", &o.tls_ca, ""}}) {
    auto v = s.text(key, fallback);
    if (!v) return v.error();
    *out = *v;
  }
  if (auto st = read_tls(s, o); !st) return st;
  auto durable = s.boolean("durable", true);
  if (!durable) return durable.error();
  o.durable = *durable;
  std::int64_t delay = o.reconnect_delay.count();
  std::int64_t max_delay = o.reconnect_max_delay.count();
  if (auto st = s.integer_into("reconnect_delay_ms", delay, 1, 600'000); !st) return st;
  if (auto st = s.integer_into("reconnect_max_delay_ms", max_delay, 1, 3'600'000); !st) return st;
  o.reconnect_delay = std::chrono::milliseconds(delay);
  o.reconnect_max_delay = std::chrono::milliseconds(max_delay);
  return ok_status();
}

Status read_options(const Settings& s, Hub& hub, EngineOptions& o) {
  o.connector = s.instance();
  auto mode = s.text("mode", "listen");
  if (!mode) return mode.error();
  if (*mode != "listen" && *mode != "broker") return s.error("mode", "expected listen or broker");
  o.mode = *mode == "listen" ? Mode::listen : Mode::broker;
  auto endpoint = s.endpoint("listen", "127.0.0.1:5672");
  if (!endpoint) return endpoint.error();
  o.listen_host = endpoint->host;
  o.listen_port = endpoint->port;
  if (auto st = read_connection(s, o); !st) return st;
  if (auto st = s.integer_into("credit", o.credit, 1, 100'000); !st) return st;
  if (auto st = s.integer_into("max_message_bytes", o.max_message_bytes, 1024, std::int64_t{1} << 30); !st) return st;
  if (auto st = s.integer_into("reply_cache", o.reply_cache, 0, 10'000'000); !st) return st;
  if (auto st = read_users(s, o); !st) return st;
  return read_routes(s, hub, o);
}

class AmqpConnector final : public Connector {
 public:
  AmqpConnector(Hub& hub, EngineOptions options)
      : name_(options.connector),
        blocking_(2),
        operations_(hub.store(), blocking_),
        engine_(std::move(options), operations_) {}

  Status start() override { return engine_.start(); }
  void stop() override { engine_.stop(); }
  Health health() const override {
    // Broker mode is ready only while connected with every queue's link attached:
    // /readyz shows a broker outage and a queue's link the broker ended.
    return {engine_.ready(), engine_.describe()};
  }

  void report_metrics(Metrics& out) const override {
    const auto& c = engine_.counters();
    const std::string& name = name_;
    const auto load = [](const std::atomic<std::uint64_t>& n) { return n.load(std::memory_order_relaxed); };
    out.counter("leadhub_amqp_deliveries_received_total", "AMQP messages received on the hub's links", load(c.received),
                {{"connector", name}});
    const char* settled = "AMQP messages settled, by disposition";
    out.counter("leadhub_amqp_deliveries_settled_total", settled, load(c.accepted),
                {{"connector", name}, {"disposition", "accepted"}});
    out.counter("leadhub_amqp_deliveries_settled_total", settled, load(c.rejected),
                {{"connector", name}, {"disposition", "rejected"}});
    out.counter("leadhub_amqp_deliveries_settled_total", settled, load(c.released),
                {{"connector", name}, {"disposition", "released"}});
    for (std::size_t i = 0; i < EngineCounters::kOutcomes; ++i) {
      out.counter("leadhub_amqp_replies_total", "Replies sent, by their outcome property (not ok: refused)",
                  load(c.replies[i]), {{"connector", name}, {"outcome", to_string(static_cast<Outcome>(i))}});
    }
    out.counter("leadhub_amqp_replies_dropped_total", "Replies dropped: nobody receives from the reply address",
                load(c.replies_dropped), {{"connector", name}});
    if (engine_.mode() == Mode::broker) report_link_metrics(out, c, name);
  }

 private:
  std::string name_;          // the instance's, for the metrics' connector label
  http::WorkQueue blocking_;  // destroyed after the engine: finishes partner creates and mapping runs
  Operations operations_;
  Engine engine_;
};

Result<std::unique_ptr<Connector>> create(const Settings& s, Hub& hub) {
  EngineOptions options;
  if (auto st = read_options(s, hub, options); !st) return st.error();
  return std::unique_ptr<Connector>(std::make_unique<AmqpConnector>(hub, std::move(options)));
}

}  // namespace

const std::vector<SettingSpec>& broker_connection_specs() {
  static const std::vector<SettingSpec> kSpecs = [] {
    std::vector<SettingSpec> out;
    for (const auto& spec : setting_specs()) {
      for (const char* key : {"url", "user", "password", "sasl_mechanisms", "tls", "tls_verify", "tls_ca", "durable",
                              "reconnect_delay_ms", "reconnect_max_delay_ms"}) {
        if (spec.key == key) out.push_back(spec);
      }
    }
    return out;
  }();
  return kSpecs;
}

void report_link_metrics(Metrics& out, const EngineCounters& counters, const std::string& connector) {
  out.gauge("leadhub_amqp_links_down",
            "Links the broker ended (or refuses to attach) that are not attached again yet: queues consumed, reply "
            "and event addresses",
            counters.links_down.load(std::memory_order_relaxed), {{"connector", connector}});
  out.counter("leadhub_amqp_link_outages_total",
              "Links the broker ended or refused while the connection stayed open, one per outage",
              counters.link_outages.load(std::memory_order_relaxed), {{"connector", connector}});
}

Status read_broker_connection(const Settings& s, EngineOptions& o) {
  o.connector = s.instance();
  o.mode = Mode::broker;
  return read_connection(s, o);
}

ConnectorType connector_type() {
  return {"amqp",
          "AMQP 1.0 (Qpid Proton): lead operations by request/reply and inbound queues, directly (the hub "
          "listens) or through a broker (docs/amqp.md)",
          setting_specs(), create};
}

}  // namespace leadhub::connectors::amqp
