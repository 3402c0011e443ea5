// Routing: which delivery queues an outbox event goes to (every route whose
// event types and condition match; a dead letter to its route's NAME.dead), and
// how a delivery looks on the wire for its route.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "event_view.hpp"
#include "events_config.hpp"
#include "sink.hpp"
#include "store/lead_store.hpp"

namespace leadhub::connectors::events {

class Router {
 public:
  explicit Router(const EventsConfig& config) : config_(config) {}
  // Whether routing an event of this type looks at its lead (a route has a condition).
  bool needs_lead(std::string_view type) const;
  // The names of the delivery queues the event goes to; none: it is dropped.
  std::vector<std::string> queues_for(const EventView& event) const;

 private:
  const EventsConfig& config_;
};

// The event as it leaves on `route`: the event JSON, or the lead in the route's
// mapping's format. Invalid when the mapping cannot render it (a refusal).
Result<Outgoing> render_delivery(const RouteConfig& route, const StoredEvent& event);

std::string event_message_id(std::uint64_t seq);

}  // namespace leadhub::connectors::events
