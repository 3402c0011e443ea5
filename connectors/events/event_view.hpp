// What the dispatcher needs of a stored event document (store/events.hpp): its
// type, lead id and the lead itself (for route conditions and mappings), and for
// a dead letter the route it came from.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "model/lead.hpp"
#include "util/result.hpp"

namespace leadhub::connectors::events {

// The type of the events the dispatcher publishes itself, one per refused
// delivery: {"route": ..., "reason": ..., "event": {the refused event}}. The
// outbox routes it to ROUTE.dead only.
inline constexpr std::string_view kDeadLetterType = "leadhub.dead_letter";

struct EventView {
  std::string type;
  std::string lead_id;
  bool has_lead = false;     // false for events about no single lead
  std::optional<Lead> lead;  // decoded only when asked for (see read_event)
  std::string dead_route;    // kDeadLetterType: the route that refused the event
};

// Decodes the parts above, the lead only with decode_lead (it costs more than all
// the rest); a document that is not an event is invalid.
Result<EventView> read_event(std::string_view json, bool decode_lead);

// The data of a dead-letter event for `event_json` refused by `route`.
std::string dead_letter_data(std::string_view route, std::string_view reason, std::string_view event_json);

}  // namespace leadhub::connectors::events
