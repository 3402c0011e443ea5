// The `events:` section of leadhub.yaml: the targets events are sent to, the
// routes that choose them per event type and lead attributes, and the retry
// backoff. Read once at start; every mistake is refused with FILE:LINE:COL.
//
//   events:
//     targets:
//       broker: {type: amqp, url: amqp://127.0.0.1:5672, user: leadhub, password: secret}
//       acme-rest: {type: http, url: http://127.0.0.1:9000/events, headers: {Authorization: "Bearer x"}}
//     routes:
//       - {name: acme-assigned, events: [lead.assigned], when: {field: owner.channel, equals: ACME},
//          target: broker, address: acme.leads, mapping: sap-lead-read}
//     retry: {initial_ms: 500, max_ms: 60000}
#pragma once

#include <yaml-cpp/yaml.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mapping/outbound.hpp"
#include "processing/condition.hpp"
#include "util/result.hpp"

namespace leadhub::connectors {
class MappingCatalog;
namespace amqp {
struct EngineOptions;
}
}  // namespace leadhub::connectors

namespace leadhub::connectors::events {

enum class TargetKind { amqp, http };

struct TargetConfig {
  std::string name;
  TargetKind kind = TargetKind::amqp;
  std::shared_ptr<const amqp::EngineOptions> amqp;  // amqp: the broker connection
  std::string url;                                  // http: where events are POSTed
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds timeout{10'000};
};

struct RouteConfig {
  std::string name;  // also the name of its delivery queue; dead letters go to NAME.dead
  std::vector<std::string> events;
  std::optional<processing::Condition> when;  // on the event's lead; none: every event of the types
  std::string target;
  std::string address;  // amqp targets: the node or queue (RabbitMQ: /queue/NAME)
  std::string mapping;  // its outbound section renders the lead; empty: the event JSON
  std::optional<mapping::OutboundSpec> outbound;
};

struct RetryConfig {
  std::chrono::milliseconds initial{500};
  std::chrono::milliseconds max{60'000};
};

struct EventsConfig {
  std::vector<TargetConfig> targets;
  std::vector<RouteConfig> routes;
  RetryConfig retry;

  const TargetConfig* target(const std::string& name) const;
};

// The suffix of a route's dead-letter queue.
inline constexpr std::string_view kDeadSuffix = ".dead";

// `events` is the section's node; `file` the config file, for messages.
Result<EventsConfig> read_events_config(const std::string& file, const YAML::Node& events, MappingCatalog& mappings);

}  // namespace leadhub::connectors::events
