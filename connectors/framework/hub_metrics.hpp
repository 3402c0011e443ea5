// What GET /metrics reports of the hub as a whole: the process, the store (the
// counts and sizes `leadhub stats` reads, the writer's commits), the events
// waiting in the outbox and the delivery queues, the imports, and then what each
// running connector adds (Connector::report_metrics). docs/http-api.md lists them.
#pragma once

#include "hub.hpp"
#include "metrics.hpp"

namespace leadhub::connectors {

void report_hub_metrics(Hub& hub, Metrics& out);

}  // namespace leadhub::connectors
