// The events a committed write raises, as the JSON documents the outbox keeps.
//
//   {"id":"42","type":"lead.status_changed","time":"2026-11-23T10:00:00.000Z",
//    "lead_id":"...","version":3,"actor":{"user":"...","connector":"..."},
//    "data":{"from":"open","to":"qualified"},"lead":{...the lead at this version...}}
//
// "id" is the outbox sequence number, added when the event is read (it is the
// key, assigned inside the write transaction); everything else is built when the
// change is made. docs/events.md describes each type's "data".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/lead.hpp"

namespace leadhub {

namespace event_type {
inline constexpr std::string_view kLeadCreated = "lead.created";
inline constexpr std::string_view kLeadChanged = "lead.changed";
inline constexpr std::string_view kLeadStatusChanged = "lead.status_changed";
inline constexpr std::string_view kLeadAssigned = "lead.assigned";
inline constexpr std::string_view kLeadConverted = "lead.converted";
inline constexpr std::string_view kLeadMerged = "lead.merged";
inline constexpr std::string_view kLeadAged = "lead.aged";
inline constexpr std::string_view kLeadEscalated = "lead.escalated";
inline constexpr std::string_view kLeadReminder = "lead.reminder";
inline constexpr std::string_view kLeadDuplicateFlagged = "lead.duplicate_flagged";
inline constexpr std::string_view kImportCompleted = "import.completed";
}  // namespace event_type

// Every type above, for configuration checks.
const std::vector<std::string_view>& event_types();

struct EventFacts {
  std::string_view type;
  TimeMs at = 0;
  const Actor* actor = nullptr;
  RecordId lead_id;           // empty for events about no single lead
  std::uint64_t version = 0;  // the lead's version after the change
  std::string_view data_json = "{}";
  std::string_view lead_json;  // the lead's stored encoding; empty: no "lead" member
};

std::string event_json(const EventFacts& facts);

// The events of a change from `before` to `after` (both complete leads), besides
// lead.changed itself: status_changed, assigned, converted. Each is (type, data).
std::vector<std::pair<std::string_view, std::string>> change_events(const Lead& before, const Lead& after);
// The events of a new lead besides lead.created: assigned when it has an owner.
std::vector<std::pair<std::string_view, std::string>> create_events(const Lead& lead);

// Adds "id" as the first member of a stored event document.
std::string with_event_id(std::string_view stored_json, std::uint64_t seq);

}  // namespace leadhub
