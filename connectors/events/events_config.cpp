#include "events_config.hpp"

#include <algorithm>

#include "../amqp/amqp_connector.hpp"
#include "../amqp/engine.hpp"
#include "../framework/hub.hpp"
#include "processing/condition_yaml.hpp"
#include "store/events.hpp"

namespace leadhub::connectors::events {
namespace {

const std::vector<SettingSpec>& section_specs() {
  static const std::vector<SettingSpec> kSpecs = {
      {"targets", "{}", "NAME: {type: amqp | http, ...}: where events can be sent"},
      {"routes", "[]", "{name, events, when, target, address, mapping}: which events go where"},
      {"retry", "{initial_ms: 500, max_ms: 60000}", "backoff of a failing route: doubled per failure up to max_ms"},
  };
  return kSpecs;
}

const std::vector<SettingSpec>& http_specs() {
  static const std::vector<SettingSpec> kSpecs = {
      {"type", "", "http"},
      {"url", "", "http:// or https:// URL each event is POSTed to"},
      {"headers", "{}", "NAME: VALUE sent with every request (e.g. Authorization)"},
      {"timeout_ms", "10000", "a request without an answer by then is retried"},
  };
  return kSpecs;
}

const std::vector<SettingSpec>& amqp_specs() {
  static const std::vector<SettingSpec> kSpecs = [] {
    std::vector<SettingSpec> out = {{"type", "", "amqp"}};
    const auto& connection = amqp::broker_connection_specs();
    out.insert(out.end(), connection.begin(), connection.end());
    return out;
  }();
  return kSpecs;
}

const std::vector<SettingSpec>& route_specs() {
  static const std::vector<SettingSpec> kSpecs = {
      {"name", "", "the route's name: its delivery queue, and NAME.dead for refused events"},
      {"events", "", "the event types it takes, e.g. [lead.assigned, lead.converted]"},
      {"when", "", "condition on the event's lead (as in processing.yaml); none: every event of the types"},
      {"target", "", "a target named under events.targets"},
      {"address", "", "amqp targets: the node or queue to send to (RabbitMQ: /queue/NAME)"},
      {"mapping", "", "a mapping whose outbound section renders the lead (default: the event JSON)"},
  };
  return kSpecs;
}

const std::vector<SettingSpec>& retry_specs() {
  static const std::vector<SettingSpec> kSpecs = {
      {"initial_ms", "500", "first delay after a failure"},
      {"max_ms", "60000", "longest delay"},
  };
  return kSpecs;
}

// "FILE:LINE:COL: events.PATH: reason" for a node that Settings does not reach.
Error error_at(const std::string& file, const YAML::Node& node, const std::string& path, const std::string& reason) {
  const auto mark = node.Mark();
  std::string where = file;
  if (!mark.is_null()) where += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
  return Error::make(ErrorCode::invalid, where + ": " + path + ": " + reason);
}

Status read_headers(const std::string& file, const YAML::Node& node, const std::string& path, TargetConfig& t) {
  if (!node || node.IsNull()) return ok_status();
  if (!node.IsMap()) return error_at(file, node, path, "expected NAME: VALUE pairs");
  for (const auto& item : node) {
    if (!item.second.IsScalar()) return error_at(file, item.second, path, "expected a text value");
    t.headers.emplace_back(item.first.as<std::string>(), item.second.as<std::string>());
  }
  return ok_status();
}

bool is_http_url(const std::string& url) {
  for (const std::string_view scheme : {"http://", "https://"}) {
    if (url.rfind(scheme, 0) == 0 && url.size() > scheme.size()) return true;
  }
  return false;
}

Status read_http_target(const std::string& file, const YAML::Node& node, const Settings& s, TargetConfig& t) {
  if (auto st = s.check_known(http_specs()); !st) return st;
  t.kind = TargetKind::http;
  auto url = s.text("url", "");
  if (!url) return url.error();
  if (!is_http_url(*url)) return s.error("url", "expected an http:// or https:// URL");
  t.url = *url;
  std::int64_t timeout = t.timeout.count();
  if (auto st = s.integer_into("timeout_ms", timeout, 1, 3'600'000); !st) return st;
  t.timeout = std::chrono::milliseconds(timeout);
  return read_headers(file, node["headers"], "events.targets." + t.name + ".headers", t);
}

Status read_amqp_target(const Settings& s, TargetConfig& t) {
  if (auto st = s.check_known(amqp_specs()); !st) return st;
  auto options = std::make_shared<amqp::EngineOptions>();
  if (auto st = amqp::read_broker_connection(s, *options); !st) return st;
  options->connector = "events." + t.name;  // log lines and the container id
  t.kind = TargetKind::amqp;
  t.amqp = std::move(options);
  return ok_status();
}

Status read_targets(const std::string& file, const YAML::Node& node, EventsConfig& config) {
  if (!node || node.IsNull()) return ok_status();
  if (!node.IsMap()) return error_at(file, node, "events.targets", "expected NAME: {type: ...} entries");
  for (const auto& item : node) {
    TargetConfig t;
    t.name = item.first.as<std::string>();
    Settings s(file, item.second, "events.targets." + t.name, "");
    if (!item.second.IsMap()) return s.error("", "expected a mapping with a type");
    auto type = s.text("type", "");
    if (!type) return type.error();
    Status st = ok_status();
    if (*type == "amqp")
      st = read_amqp_target(s, t);
    else if (*type == "http")
      st = read_http_target(file, item.second, s, t);
    else
      st = s.error("type", "expected amqp or http");
    if (!st) return st;
    config.targets.push_back(std::move(t));
  }
  return ok_status();
}

Status check_event_types(const Settings& s, const std::vector<std::string>& types) {
  if (types.empty()) return s.error("events", "name the event types the route takes");
  const auto& known = event_types();
  for (const auto& type : types) {
    if (std::find(known.begin(), known.end(), type) == known.end()) {
      std::string message = "unknown event type '" + type + "' (known: ";
      for (std::size_t i = 0; i < known.size(); ++i) {
        if (i > 0) message += ", ";
        message += known[i];
      }
      message += ")";
      return s.error("events", message);
    }
  }
  return ok_status();
}

Status check_route_name(const Settings& s, const std::string& name, const EventsConfig& config) {
  if (name.empty()) return s.error("name", "required");
  if (name.find('\0') != std::string::npos || name.size() > 200) return s.error("name", "at most 200 characters");
  if (name.size() >= kDeadSuffix.size() &&
      name.compare(name.size() - kDeadSuffix.size(), kDeadSuffix.size(), kDeadSuffix) == 0) {
    return s.error("name", "may not end in .dead (the dead-letter queues' suffix)");
  }
  for (const auto& r : config.routes) {
    if (r.name == name) return s.error("name", "two routes are called " + name);
  }
  return ok_status();
}

Status read_route_target(const Settings& s, const EventsConfig& config, RouteConfig& r) {
  auto target = s.text("target", "");
  auto address = s.text("address", "");
  if (!target) return target.error();
  if (!address) return address.error();
  const auto* t = config.target(*target);
  if (t == nullptr) {
    std::string names;
    for (const auto& known : config.targets) names += (names.empty() ? "" : ", ") + known.name;
    return s.error("target", "unknown target '" + *target + "' (events.targets has: " + names + ")");
  }
  if (t->kind == TargetKind::amqp && address->empty()) return s.error("address", "an amqp target needs an address");
  if (t->kind == TargetKind::http && !address->empty()) {
    return s.error("address", "http targets take no address (the target's url is used)");
  }
  r.target = *target;
  r.address = *address;
  return ok_status();
}

Status read_route_mapping(const Settings& s, MappingCatalog& mappings, RouteConfig& r) {
  auto name = s.text("mapping", "");
  if (!name) return name.error();
  if (name->empty()) return ok_status();
  auto mapper = mappings.get(*name);
  if (!mapper) return s.error("mapping", mapper.error().message);
  if (!(*mapper)->spec().outbound) return s.error("mapping", *name + " has no outbound section");
  r.mapping = *name;
  r.outbound = (*mapper)->spec().outbound;
  return ok_status();
}

Result<RouteConfig> read_route(const std::string& file, const YAML::Node& node, const Settings& s,
                               const EventsConfig& config, MappingCatalog& mappings) {
  if (auto st = s.check_known(route_specs()); !st) return st.error();
  RouteConfig r;
  auto name = s.text("name", "");
  auto types = s.texts("events");
  if (!name) return name.error();
  if (!types) return types.error();
  if (auto st = check_route_name(s, *name, config); !st) return st.error();
  if (auto st = check_event_types(s, *types); !st) return st.error();
  r.name = *name;
  r.events = *types;
  if (auto st = read_route_target(s, config, r); !st) return st.error();
  if (auto st = read_route_mapping(s, mappings, r); !st) return st.error();
  if (!r.mapping.empty() &&
      std::find(r.events.begin(), r.events.end(), event_type::kImportCompleted) != r.events.end()) {
    return s.error("mapping", "a mapping renders the event's lead, and import.completed has none");
  }
  if (const auto when = node["when"]; when && !when.IsNull()) {
    auto condition = processing::condition_from_yaml(when, file);
    if (!condition) return condition.error();
    r.when = std::move(condition).value();
  }
  return r;
}

Status read_retry(const Settings& section, EventsConfig& config) {
  auto retry = section.child("retry");
  if (!retry) return retry.error();
  if (auto st = retry->check_known(retry_specs()); !st) return st;
  std::int64_t initial = config.retry.initial.count();
  std::int64_t max = config.retry.max.count();
  if (auto st = retry->integer_into("initial_ms", initial, 1, 3'600'000); !st) return st;
  if (auto st = retry->integer_into("max_ms", max, 1, 86'400'000); !st) return st;
  if (max < initial) return retry->error("max_ms", "must not be less than initial_ms");
  config.retry = {std::chrono::milliseconds(initial), std::chrono::milliseconds(max)};
  return ok_status();
}

}  // namespace

const TargetConfig* EventsConfig::target(const std::string& name) const {
  for (const auto& t : targets) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

Result<EventsConfig> read_events_config(const std::string& file, const YAML::Node& events, MappingCatalog& mappings) {
  EventsConfig config;
  Settings section(file, events, "events", "");
  if (events && !events.IsNull() && !events.IsMap()) return section.error("", "expected a mapping");
  if (auto st = section.check_known(section_specs()); !st) return st.error();
  if (auto st = read_targets(file, events["targets"], config); !st) return st.error();
  auto routes = section.children("routes");
  if (!routes) return routes.error();
  for (std::size_t i = 0; i < routes->size(); ++i) {
    auto route = read_route(file, events["routes"][i], (*routes)[i], config, mappings);
    if (!route) return route.error();
    config.routes.push_back(std::move(route).value());
  }
  if (auto st = read_retry(section, config); !st) return st.error();
  return config;
}

}  // namespace leadhub::connectors::events
