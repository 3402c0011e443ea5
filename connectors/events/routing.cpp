#include "routing.hpp"

#include <algorithm>

#include "processing/condition.hpp"

namespace leadhub::connectors::events {
namespace {

bool takes_type(const RouteConfig& route, std::string_view type) {
  return std::find(route.events.begin(), route.events.end(), type) != route.events.end();
}

}  // namespace

bool Router::needs_lead(std::string_view type) const {
  return std::any_of(config_.routes.begin(), config_.routes.end(),
                     [&](const RouteConfig& r) { return r.when && takes_type(r, type); });
}

std::vector<std::string> Router::queues_for(const EventView& event) const {
  if (event.type == kDeadLetterType) return {event.dead_route + std::string(kDeadSuffix)};
  std::vector<std::string> out;
  for (const auto& route : config_.routes) {
    if (!takes_type(route, event.type)) continue;
    // A condition is on the lead: an event about no lead never meets one.
    if (route.when && !(event.lead && processing::evaluate(*route.when, *event.lead))) continue;
    out.push_back(route.name);
  }
  return out;
}

std::string event_message_id(std::uint64_t seq) { return "leadhub-event-" + std::to_string(seq); }

Result<Outgoing> render_delivery(const RouteConfig& route, const StoredEvent& event) {
  auto view = read_event(event.json, route.outbound.has_value());
  if (!view) return view.error();
  Outgoing out;
  out.message_id = event_message_id(event.seq);
  out.subject = view->type;
  out.event_type = view->type;
  out.lead_id = view->lead_id;
  if (!route.outbound) {
    out.body = event.json;
    return out;
  }
  if (!view->lead) {
    return Error::invalid({{"lead", "a " + view->type + " event has no lead for mapping " + route.mapping}});
  }
  auto body = mapping::render_leads(*route.outbound, {*view->lead}, mapping::FindPage{1, ""});
  if (!body) return body.error();
  out.body = std::move(body).value();
  out.content_type = mapping::media_type(route.outbound->format);
  return out;
}

}  // namespace leadhub::connectors::events
