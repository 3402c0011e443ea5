#include "event_view.hpp"

#include <simdjson.h>

#include "json/json_writer.hpp"
#include "json/record_json.hpp"

namespace leadhub::connectors::events {
namespace {

Error not_an_event(const std::string& why) { return Error::invalid({{"(event)", why}}); }

std::string text_member(simdjson::dom::object object, const char* key) {
  std::string_view value;
  if (object[key].get(value) != simdjson::SUCCESS) return {};
  return std::string(value);
}

}  // namespace

Result<EventView> read_event(std::string_view json, bool decode_lead) {
  // One parser per thread: the dispatcher decodes every event on its own thread.
  thread_local simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(json.data(), json.size()).get(object) != simdjson::SUCCESS) {
    return not_an_event("not a JSON object");
  }
  EventView view;
  view.type = text_member(object, "type");
  if (view.type.empty()) return not_an_event("no type");
  view.lead_id = text_member(object, "lead_id");
  simdjson::dom::object lead;
  view.has_lead = object["lead"].get(lead) == simdjson::SUCCESS;
  if (view.has_lead && decode_lead) {
    auto decoded = lead_from_json(simdjson::to_string(lead), DecodeMode::stored);
    if (!decoded) return not_an_event("its lead does not decode: " + decoded.error().message);
    view.lead = std::move(decoded).value();
  }
  if (view.type == kDeadLetterType) {
    simdjson::dom::object data;
    if (object["data"].get(data) == simdjson::SUCCESS) view.dead_route = text_member(data, "route");
    if (view.dead_route.empty()) return not_an_event("a dead letter without its route");
  }
  return view;
}

std::string dead_letter_data(std::string_view route, std::string_view reason, std::string_view event_json) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key_identifier("route").value(route);
  w.key_identifier("reason").value(reason);
  w.key_identifier("event").raw(event_json);
  w.end_object();
  return out;
}

}  // namespace leadhub::connectors::events
