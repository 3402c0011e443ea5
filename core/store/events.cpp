#include "store/events.hpp"

#include "json/json_writer.hpp"
#include "model/enums.hpp"
#include "util/time_format.hpp"

namespace leadhub {

const std::vector<std::string_view>& event_types() {
  static const std::vector<std::string_view> kAll = {event_type::kLeadCreated,       event_type::kLeadChanged,
                                                     event_type::kLeadStatusChanged, event_type::kLeadAssigned,
                                                     event_type::kLeadConverted,     event_type::kLeadMerged,
                                                     event_type::kLeadAged,          event_type::kLeadEscalated,
                                                     event_type::kLeadReminder,      event_type::kLeadDuplicateFlagged,
                                                     event_type::kImportCompleted};
  return kAll;
}

std::string event_json(const EventFacts& f) {
  std::string out;
  out.reserve(160 + f.data_json.size() + f.lead_json.size());
  JsonWriter w(out);
  w.begin_object();
  w.key_identifier("type").value(f.type);
  w.key_identifier("time").value(format_timestamp(f.at));
  if (!f.lead_id.empty()) {
    w.key_identifier("lead_id").value(f.lead_id.to_string());
    w.key_identifier("version").value(f.version);
  }
  if (f.actor != nullptr) {
    w.key_identifier("actor").begin_object();
    w.key_identifier("user").value(f.actor->user);
    w.key_identifier("connector").value(f.actor->connector);
    w.end_object();
  }
  w.key_identifier("data").raw(f.data_json.empty() ? "{}" : f.data_json);
  if (!f.lead_json.empty()) w.key_identifier("lead").raw(f.lead_json);
  w.end_object();
  return out;
}

namespace {

void write_owner(JsonWriter& w, const Owner& owner) {
  w.begin_object();
  w.key_identifier("channel").value(owner.channel);
  w.key_identifier("assignee").value(owner.assignee);
  w.end_object();
}

std::string assigned_data(const Owner& from, const Owner& to) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key_identifier("from");
  write_owner(w, from);
  w.key_identifier("to");
  write_owner(w, to);
  w.end_object();
  return out;
}

std::string duplicate_data(RecordId of) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key_identifier("duplicate_of").value(of.to_string());
  w.end_object();
  return out;
}

}  // namespace

std::vector<std::pair<std::string_view, std::string>> change_events(const Lead& before, const Lead& after) {
  std::vector<std::pair<std::string_view, std::string>> out;
  if (before.status != after.status) {
    std::string data;
    JsonWriter w(data);
    w.begin_object();
    w.key_identifier("from").value(to_string(before.status));
    w.key_identifier("to").value(to_string(after.status));
    if (!after.reason.empty()) w.key_identifier("reason").value(after.reason);
    w.end_object();
    out.emplace_back(event_type::kLeadStatusChanged, std::move(data));
  }
  if (before.owner != after.owner && !after.owner.empty()) {
    out.emplace_back(event_type::kLeadAssigned, assigned_data(before.owner, after.owner));
  }
  if (before.status != after.status && after.status == LeadStatus::converted) {
    std::string data;
    JsonWriter w(data);
    w.begin_object();
    w.key_identifier("opportunity_ref").value(after.opportunity_ref);
    w.end_object();
    out.emplace_back(event_type::kLeadConverted, std::move(data));
  }
  if (before.duplicate_of != after.duplicate_of && !after.duplicate_of.empty()) {
    out.emplace_back(event_type::kLeadDuplicateFlagged, duplicate_data(after.duplicate_of));
  }
  return out;
}

std::vector<std::pair<std::string_view, std::string>> create_events(const Lead& lead) {
  std::vector<std::pair<std::string_view, std::string>> out;
  if (!lead.owner.empty()) out.emplace_back(event_type::kLeadAssigned, assigned_data(Owner{}, lead.owner));
  if (!lead.duplicate_of.empty()) {
    out.emplace_back(event_type::kLeadDuplicateFlagged, duplicate_data(lead.duplicate_of));
  }
  return out;
}

std::string with_event_id(std::string_view stored_json, std::uint64_t seq) {
  std::string out;
  out.reserve(stored_json.size() + 32);
  out += "{\"id\":\"";
  out += std::to_string(seq);
  out += '"';
  if (stored_json.size() > 2) out += ',';
  out.append(stored_json.substr(1));
  return out;
}

}  // namespace leadhub
