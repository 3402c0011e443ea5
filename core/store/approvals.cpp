#include "store/approvals.hpp"

#include <simdjson.h>

#include "json/json_writer.hpp"
#include "store/keys.hpp"
#include "util/time_format.hpp"

namespace leadhub::store {

std::string to_json(const StoredDecision& d) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key_identifier("step").value(d.step);
  w.key_identifier("decision").value(d.approved ? "approved" : "rejected");
  w.key_identifier("by").value(d.by);
  w.key_identifier("at").value(format_timestamp(d.at));
  w.key_identifier("comment").value(d.comment);
  w.end_object();
  return out;
}

std::vector<StoredDecision> read_decisions(MDB_txn* txn, const Dbis& dbi, RecordId id) {
  std::vector<StoredDecision> out;
  const std::string key = id_key(id);
  MDB_val k = to_val(key);
  MDB_val v{};
  if (mdb_get(txn, dbi.approvals, &k, &v) != 0) return out;
  simdjson::dom::parser parser;
  simdjson::dom::array list;
  const std::string_view json = to_view(v);
  if (parser.parse(json.data(), json.size()).get(list) != simdjson::SUCCESS) return out;
  for (auto item : list) {
    StoredDecision d;
    std::string_view text;
    if (item["step"].get_string().get(text) == simdjson::SUCCESS) d.step = text;
    if (item["decision"].get_string().get(text) == simdjson::SUCCESS) d.approved = text == "approved";
    if (item["by"].get_string().get(text) == simdjson::SUCCESS) d.by = text;
    if (item["at"].get_string().get(text) == simdjson::SUCCESS) d.at = parse_timestamp(text).value_or(0);
    if (item["comment"].get_string().get(text) == simdjson::SUCCESS) d.comment = text;
    out.push_back(std::move(d));
  }
  return out;
}

void write_decisions(WriteTxn& txn, RecordId id, const std::vector<StoredDecision>& decisions) {
  std::string out = "[";
  for (const auto& d : decisions) {
    if (out.size() > 1) out += ',';
    out += to_json(d);
  }
  out += ']';
  txn.put(txn.dbi().approvals, id_key(id), out);
}

ApprovalState approval_state(const processing::ApprovalConfig& config, const Lead& lead,
                             const std::vector<StoredDecision>& decisions) {
  ApprovalState state;
  for (const auto* step : processing::required_steps(config, lead)) {
    ApprovalStepState s;
    s.step = step->name;
    s.role = step->role;
    for (const auto& d : decisions) {  // the latest decision on the step wins
      if (d.step != step->name) continue;
      s.state = d.approved ? "approved" : "rejected";
      s.by = d.by;
      s.at = d.at;
      s.comment = d.comment;
    }
    if (s.state != "approved") state.complete = false;
    state.steps.push_back(std::move(s));
  }
  return state;
}

Status check_approved(const processing::ApprovalConfig& config, const WriteTxn& txn, const Lead& before,
                      const Lead& after) {
  if (before.status == after.status || !processing::needs_approval(config, after.status)) return ok_status();
  const auto state = approval_state(config, after, read_decisions(txn.get(), txn.dbi(), after.id));
  if (state.complete) return ok_status();
  std::vector<FieldError> waiting;
  for (const auto& s : state.steps) {
    if (s.state == "approved") continue;
    waiting.push_back({"approval." + s.step, s.state + (s.role.empty() ? "" : " (" + s.role + ")")});
  }
  Error e = Error::invalid(std::move(waiting));
  e.code = ErrorCode::illegal_transition;
  e.message =
      "lead " + after.id.to_string() + " awaits approval before it can become " + std::string(to_string(after.status));
  return e;
}

}  // namespace leadhub::store

namespace leadhub {

std::string to_json(const ApprovalState& state) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().key_identifier("complete").value(state.complete).key_identifier("steps").begin_array();
  for (const auto& s : state.steps) {
    w.begin_object();
    w.key_identifier("step").value(s.step);
    w.key_identifier("role").value(s.role);
    w.key_identifier("state").value(s.state);
    if (!s.by.empty()) {
      w.key_identifier("by").value(s.by);
      w.key_identifier("at").value(format_timestamp(s.at));
      w.key_identifier("comment").value(s.comment);
    }
    w.end_object();
  }
  w.end_array().end_object();
  return out;
}

}  // namespace leadhub
