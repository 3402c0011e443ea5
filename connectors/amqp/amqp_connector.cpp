#include "amqp_connector.hpp"

#include <memory>

#include "../framework/hub.hpp"
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
      {"sasl_mechanisms", "", "allowed SASL mechanisms, e.g. \"PLAIN ANONYMOUS\" (empty: Proton's default)"},
      {"credit", "300", "unsettled messages per link at most (sized to the store's group commit)"},
      {"durable", "true", "broker mode: durable queues (terminus durability) and durable replies"},
      {"reconnect_delay_ms", "200", "broker mode: first reconnect delay, doubled per attempt"},
      {"reconnect_max_delay_ms", "10000", "broker mode: longest reconnect delay"},
      {"max_message_bytes", "16777216", "larger messages are rejected"},
      {"reply_cache", "10000", "replies to writes remembered by message id, for redelivered messages"},
      {"users", "[]", "{user, partner}: the SASL user (direct) or validated user_id (broker) acting for a partner"},
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
      {"operation", "", "operation of messages without a subject"},
      {"partner", "", "owner channel this address acts for: scopes every message on it"},
  };
  return kSpecs;
}

const std::vector<SettingSpec>& user_specs() {
  static const std::vector<SettingSpec> kSpecs = {
      {"user", "", "SASL user name"},
      {"partner", "", "owner channel the user may see and change"},
  };
  return kSpecs;
}

Result<std::pair<std::string, std::uint16_t>> parse_listen(const Settings& s, const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos) return s.error("listen", "expected ADDRESS:PORT, e.g. 127.0.0.1:5672");
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port = text.substr(colon + 1);
  char* end = nullptr;
  const long value = std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || value < 0 || value > 65535) return s.error("listen", "port must be 0-65535");
  return std::make_pair(host, static_cast<std::uint16_t>(value));
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
      return a.error("operation", "unknown operation '" + *operation + "'");
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
    if (!name) return name.error();
    if (!partner) return partner.error();
    if (name->empty() || partner->empty()) return u.error("", "give both user and partner");
    o.user_partner[*name] = *partner;
  }
  return ok_status();
}

template <typename T>
Status read_int(const Settings& s, const char* key, T& out, std::int64_t min, std::int64_t max) {
  auto v = s.integer(key, static_cast<std::int64_t>(out), min, max);
  if (!v) return v.error();
  out = static_cast<T>(*v);
  return ok_status();
}

Status read_options(const Settings& s, Hub& hub, EngineOptions& o) {
  o.connector = s.instance();
  auto mode = s.text("mode", "listen");
  if (!mode) return mode.error();
  if (*mode != "listen" && *mode != "broker") return s.error("mode", "expected listen or broker");
  o.mode = *mode == "listen" ? Mode::listen : Mode::broker;
  auto listen = s.text("listen", "127.0.0.1:5672");
  if (!listen) return listen.error();
  auto endpoint = parse_listen(s, *listen);
  if (!endpoint) return endpoint.error();
  o.listen_host = endpoint->first;
  o.listen_port = endpoint->second;
  for (auto [key, out, fallback] :
       {std::tuple{"url", &o.url, "amqp://127.0.0.1:5672"}, std::tuple{"user", &o.user, ""},
        std::tuple{"password", &o.password, ""}, std::tuple{"sasl_mechanisms", &o.sasl_mechanisms, ""}}) {
    auto v = s.text(key, fallback);
    if (!v) return v.error();
    *out = *v;
  }
  auto durable = s.boolean("durable", true);
  if (!durable) return durable.error();
  o.durable = *durable;
  std::int64_t delay = o.reconnect_delay.count();
  std::int64_t max_delay = o.reconnect_max_delay.count();
  if (auto st = read_int(s, "credit", o.credit, 1, 100'000); !st) return st;
  if (auto st = read_int(s, "reconnect_delay_ms", delay, 1, 600'000); !st) return st;
  if (auto st = read_int(s, "reconnect_max_delay_ms", max_delay, 1, 3'600'000); !st) return st;
  if (auto st = read_int(s, "max_message_bytes", o.max_message_bytes, 1024, std::int64_t{1} << 30); !st) return st;
  if (auto st = read_int(s, "reply_cache", o.reply_cache, 0, 10'000'000); !st) return st;
  o.reconnect_delay = std::chrono::milliseconds(delay);
  o.reconnect_max_delay = std::chrono::milliseconds(max_delay);
  if (auto st = read_users(s, o); !st) return st;
  return read_routes(s, hub, o);
}

class AmqpConnector final : public Connector {
 public:
  AmqpConnector(Hub& hub, EngineOptions options)
      : blocking_(2), operations_(hub.store(), blocking_), engine_(std::move(options), operations_) {}

  Status start() override { return engine_.start(); }
  void stop() override { engine_.stop(); }
  Health health() const override {
    // Broker mode is ready only while connected: /readyz shows a broker outage.
    return {engine_.ready(), engine_.describe()};
  }

 private:
  http::WorkQueue blocking_;  // destroyed last: finishes partner creates and mapping runs
  Operations operations_;
  Engine engine_;
};

Result<std::unique_ptr<Connector>> create(const Settings& s, Hub& hub) {
  EngineOptions options;
  if (auto st = read_options(s, hub, options); !st) return st.error();
  return std::unique_ptr<Connector>(std::make_unique<AmqpConnector>(hub, std::move(options)));
}

}  // namespace

ConnectorType connector_type() {
  return {"amqp",
          "AMQP 1.0 (Qpid Proton): lead operations by request/reply and inbound queues, directly (the hub "
          "listens) or through a broker (docs/amqp.md)",
          setting_specs(), create};
}

}  // namespace leadhub::connectors::amqp
