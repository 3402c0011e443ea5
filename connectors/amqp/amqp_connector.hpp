// The `amqp` connector: the lead operations over AMQP 1.0 with Qpid Proton C++,
// either as the node clients connect to (mode: listen) or through a broker's
// queues (mode: broker). Settings and message formats: docs/amqp.md.
#pragma once

#include "../framework/connector.hpp"

namespace leadhub::connectors::amqp {

ConnectorType connector_type();

struct EngineOptions;
struct EngineCounters;

// The broker connection settings as this connector reads them (url, user, password,
// sasl_mechanisms, tls, tls_verify, tls_ca, durable, reconnect_delay_ms,
// reconnect_max_delay_ms), for others that publish to a broker: the event
// dispatcher's amqp targets. read_broker_connection sets broker mode.
const std::vector<SettingSpec>& broker_connection_specs();
Status read_broker_connection(const Settings& s, EngineOptions& o);

// An engine's links the broker ended, for /metrics (leadhub_amqp_links_down,
// leadhub_amqp_link_outages_total): the amqp connector's, and those of the event
// dispatcher's amqp targets (connector "events.TARGET").
void report_link_metrics(Metrics& out, const EngineCounters& counters, const std::string& connector);

}  // namespace leadhub::connectors::amqp
