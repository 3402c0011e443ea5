// The sales staff's lead actions: MergeLeads, manual assignment, ConvertLead and
// approval decisions. Each is one or more ChangeLeads (lead_writes.cpp) inside one
// write transaction, nested where it has several steps so it is all or nothing.
#include <algorithm>

#include "json/json_writer.hpp"
#include "json/record_json.hpp"
#include "model/limits.hpp"
#include "store/approvals.hpp"
#include "store/audit_json.hpp"
#include "store/audit_trail.hpp"
#include "store/events.hpp"
#include "store/keys.hpp"
#include "store/lead_writes_internal.hpp"

namespace leadhub {

using store::WriteTxn;

// ---- MergeLeads and manual assignment ------------------------------------------------

namespace {

// The JSON of one top-level member of `lead` ("[]" when it is empty).
std::string member_json(const Lead& lead, std::string_view name) {
  for (const auto& m : lead_members_json(lead)) {
    if (m.name == name) return m.json;
  }
  return "[]";
}

Status check_merge(const MergeLeadsCommand& cmd) {
  if (cmd.others.empty() || cmd.others.size() > kMaxMergeLeads) {
    return Error::invalid({{"others", "merge 1 to " + std::to_string(kMaxMergeLeads) + " leads at once"}});
  }
  for (std::size_t i = 0; i < cmd.others.size(); ++i) {
    const std::string field = "others[" + std::to_string(i) + "]";
    if (cmd.others[i] == cmd.survivor) return Error::invalid({{field, "the survivor cannot merge into itself"}});
    if (std::find(cmd.others.begin(), cmd.others.begin() + static_cast<std::ptrdiff_t>(i), cmd.others[i]) !=
        cmd.others.begin() + static_cast<std::ptrdiff_t>(i)) {
      return Error::invalid({{field, "listed twice"}});
    }
  }
  return check_actor(cmd.actor);
}

// The other lead gives up what moves and is closed as a duplicate of the survivor
// (a lead already declined or closed keeps its status). Its external_refs are the
// ones that stay with it (move_references).
std::string merged_away_patch(const Lead& other, RecordId survivor) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key_identifier("duplicate_of").value(survivor.to_string());
  w.key_identifier("notes").begin_array().end_array();
  w.key_identifier("attachments").begin_array().end_array();
  w.key_identifier("external_refs").raw(member_json(other, "external_refs"));
  if (other.status != LeadStatus::declined && other.status != LeadStatus::closed) {
    w.key_identifier("status").value("closed");
    w.key_identifier("reason").value("merged into " + survivor.to_string());
  }
  w.end_object();
  return out;
}

// The audit trail of `other` as one JSON array, for the survivor's "merged" entry.
std::string audit_trail_json(const WriteTxn& txn, RecordId other) {
  std::string out = "[";
  const std::string prefix = store::audit_prefix(other);
  MDB_cursor* cursor = nullptr;
  if (mdb_cursor_open(txn.get(), txn.dbi().audit, &cursor) != 0) return "[]";
  MDB_val k = store::to_val(prefix);
  MDB_val v{};
  for (int rc = mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE); rc == 0 && store::to_view(k).substr(0, 8) == prefix;
       rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
    if (out.size() > 1) out += ',';
    out += store::to_view(v);
  }
  mdb_cursor_close(cursor);
  return out + "]";
}

// Whether `survivor`'s audit trail records that `other` was merged into it.
bool was_merged_into(const WriteTxn& txn, RecordId survivor, RecordId other) {
  const std::string field = "(merged " + other.to_string() + ")";
  const std::string prefix = store::audit_prefix(survivor);
  MDB_cursor* cursor = nullptr;
  if (mdb_cursor_open(txn.get(), txn.dbi().audit, &cursor) != 0) return false;
  bool found = false;
  MDB_val k = store::to_val(prefix);
  MDB_val v{};
  for (int rc = mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE);
       !found && rc == 0 && store::to_view(k).substr(0, 8) == prefix; rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
    if (store::to_view(v).find(field) == std::string_view::npos) continue;  // most entries: no parse
    const auto entry = audit_from_json(store::to_view(v));
    found = entry && entry->action == "merged" && entry->field == field;
  }
  mdb_cursor_close(cursor);
  return found;
}

// The lead `other` was merged into before, if it was: it is closed (or declined)
// as a duplicate of that lead, whose trail records the merge. Merging it again
// would copy its trail twice, or hand it to a second survivor although what it
// held went to the first.
std::optional<RecordId> earlier_merge(const WriteTxn& txn, const Lead& other) {
  const bool finished = other.status == LeadStatus::closed || other.status == LeadStatus::declined;
  if (!finished || other.duplicate_of.empty() || !was_merged_into(txn, other.duplicate_of, other.id)) {
    return std::nullopt;
  }
  return other.duplicate_of;
}

// Adds to `gathered` the references of systems it has none of yet and returns the
// rest: a lead holds one id per system, so the survivor keeps its own and an
// other's id in that system stays with the other (closed as its duplicate, so a
// re-import of it still finds the way to the survivor).
std::vector<ExternalRef> move_references(const std::vector<ExternalRef>& refs, std::vector<ExternalRef>& gathered) {
  std::vector<ExternalRef> kept;
  for (const auto& ref : refs) {
    const bool taken =
        std::any_of(gathered.begin(), gathered.end(), [&](const ExternalRef& g) { return g.system == ref.system; });
    (taken ? kept : gathered).push_back(ref);
  }
  return kept;
}

struct ActionContext {
  store::Outbox& outbox;
  store::Processor* processor;
  TimeMs now;
};

Result<Lead> apply_merge(WriteTxn& txn, const MergeLeadsCommand& cmd, const ActionContext& ctx) {
  auto survivor = load_lead(txn, cmd.survivor);
  if (!survivor) return survivor.error();
  if (survivor->status == LeadStatus::converted) {
    return Error::make(ErrorCode::locked,
                       "lead " + cmd.survivor.to_string() + " is converted and can no longer change");
  }
  Lead gathered = *survivor;  // what the survivor will hold
  std::vector<Lead> others;
  std::vector<Note> notes;
  for (std::size_t i = 0; i < cmd.others.size(); ++i) {
    const RecordId id = cmd.others[i];
    auto other = load_lead(txn, id);
    if (!other) return other.error();
    if (other->status == LeadStatus::converted) {
      return Error::make(ErrorCode::locked, "lead " + id.to_string() + " is converted and cannot be merged");
    }
    if (const auto before = earlier_merge(txn, *other)) {
      if (*before == cmd.survivor) continue;  // a retried merge: nothing of it is left to move
      const std::string reason =
          "lead " + id.to_string() + " was merged into " + before->to_string() + " already; merge that lead instead";
      return Error{ErrorCode::illegal_transition, reason, {{"others[" + std::to_string(i) + "]", reason}}};
    }
    notes.insert(notes.end(), other->notes.begin(), other->notes.end());
    gathered.attachments.insert(gathered.attachments.end(), other->attachments.begin(), other->attachments.end());
    others.push_back(std::move(other).value());
    others.back().external_refs = move_references(others.back().external_refs, gathered.external_refs);
  }
  if (others.empty()) return survivor;  // each was merged into it before: the merge is done
  // The others first: their references must be free before the survivor takes them.
  for (const Lead& other : others) {
    ChangeLeadCommand away{other.id, std::nullopt, merged_away_patch(other, cmd.survivor), cmd.actor, {}, {}};
    if (auto r = apply_change_lead(txn, away, ctx.now, ctx.outbox, ctx.processor); !r) return r.error();
  }
  std::string patch = "{\"attachments\":" + member_json(gathered, "attachments") +
                      ",\"external_refs\":" + member_json(gathered, "external_refs") + "}";
  ChangeLeadCommand into{cmd.survivor, std::nullopt, std::move(patch), cmd.actor, std::move(notes), {}};
  auto merged = apply_change_lead(txn, into, ctx.now, ctx.outbox, ctx.processor);
  if (!merged) return merged.error();

  std::string ids;
  JsonWriter w(ids);
  w.begin_array();
  for (const Lead& other : others) w.value(other.id.to_string());  // the ones merged now
  w.end_array();
  for (std::size_t i = 0; i < others.size(); ++i) {
    store::append_audit(
        txn, cmd.survivor,
        store::action_entry(ctx.now, cmd.actor, "merged", merged->version, "(merged " + others[i].id.to_string() + ")",
                            audit_trail_json(txn, others[i].id)));
  }
  if (ctx.outbox.enabled()) {
    const std::string json = to_json(*merged);
    const std::string data = "{\"merged\":" + ids + "}";
    ctx.outbox.append(txn, event_json(EventFacts{event_type::kLeadMerged, ctx.now, &cmd.actor, merged->id,
                                                 merged->version, data, json}));
  }
  return merged;
}

// Who gets the lead of a manual assignment: the member named, else the one the
// channel's distribution picks (moving its round robin on), else nobody (the
// channel's queue). The reason is the one line the audit trail shows.
processing::Assignment manual_pick(WriteTxn& txn, const AssignLeadCommand& cmd, const store::Processor* processor) {
  processing::Assignment pick;
  if (!cmd.assignee.empty()) {
    pick.channel = cmd.channel;
    pick.assignee = cmd.assignee;
    pick.reason = "manual assignment: assignee named";
    return pick;
  }
  if (processor != nullptr) {
    if (auto picked = processor->pick_in_channel(txn, cmd.channel)) pick = std::move(*picked);
  }
  if (pick.channel.empty()) {
    pick.channel = cmd.channel;
    pick.reason = "channel " + cmd.channel + " is not configured here: its queue takes the lead";
  }
  pick.reason = "manual assignment: " + pick.reason;
  return pick;
}

std::string owner_patch(const processing::Assignment& pick) {
  std::string patch;
  JsonWriter w(patch);
  w.begin_object().key_identifier("owner").begin_object();
  w.key_identifier("channel").value(pick.channel);
  if (pick.assignee.empty())
    w.key_identifier("assignee").null();
  else
    w.key_identifier("assignee").value(pick.assignee);
  w.end_object().end_object();
  return patch;
}

// The owner patch of a manual assignment; its "processed" entry says it was made
// by hand, by whom, and how the member was chosen.
Result<Lead> apply_assign(WriteTxn& txn, const AssignLeadCommand& cmd, const ActionContext& ctx) {
  const processing::Assignment pick = manual_pick(txn, cmd, ctx.processor);
  ChangeLeadCommand change{cmd.id, cmd.expected_version, owner_patch(pick), cmd.actor, {}, {}};
  store::ChangeCause cause;
  cause.manual_assignment = &pick;
  return apply_change_lead(txn, change, ctx.now, ctx.outbox, ctx.processor, cause);
}

}  // namespace

// A lead action in one nested transaction: its several changes are kept all or
// none (and the round robin of an assignment moves only when the change is made).
Result<Lead> LeadStore::write_lead_action(std::function<Result<Lead>(store::WriteTxn&, TimeMs)> apply) {
  auto result = std::make_shared<Result<Lead>>(Error::make(ErrorCode::internal, "not applied"));
  auto st = write_sync([this, result, apply = std::move(apply)](WriteTxn& txn) -> Status {
    txn.nested([&](WriteTxn& inner) {
      *result = apply(inner, clock().now_ms());
      return static_cast<bool>(*result);
    });
    return ok_status();
  });
  if (!st) return st.error();
  return std::move(*result);
}

Result<Lead> LeadStore::merge_leads(MergeLeadsCommand command) {
  if (auto st = check_merge(command); !st) return st.error();
  return write_lead_action([this, command = std::move(command)](WriteTxn& txn, TimeMs now) {
    return apply_merge(txn, command, ActionContext{*outbox_, processor_.get(), now});
  });
}

Result<Lead> LeadStore::assign_lead(AssignLeadCommand command) {
  if (command.channel.empty()) return Error::invalid({{"channel", "required"}});
  if (auto st = check_actor(command.actor); !st) return st.error();
  return write_lead_action([this, command = std::move(command)](WriteTxn& txn, TimeMs now) {
    return apply_assign(txn, command, ActionContext{*outbox_, processor_.get(), now});
  });
}

// ---- ConvertLead and approvals ------------------------------------------------------

namespace {

std::string status_patch(LeadStatus status, const std::string& opportunity_ref) {
  std::string out;
  JsonWriter w(out);
  w.begin_object().key_identifier("status").value(to_string(status));
  if (!opportunity_ref.empty()) w.key_identifier("opportunity_ref").value(opportunity_ref);
  w.end_object();
  return out;
}

Result<Lead> apply_convert(WriteTxn& txn, const ConvertLeadCommand& cmd, const ActionContext& ctx) {
  auto lead = load_lead(txn, cmd.id);
  if (!lead) return lead.error();
  if (lead->status == LeadStatus::converted) {  // locked, as for any other change (423, exit 6)
    return Error::make(ErrorCode::locked, "lead " + cmd.id.to_string() + " is converted and can no longer change");
  }
  if (lead->status != LeadStatus::qualified && lead->status != LeadStatus::accepted) {
    return Error::make(ErrorCode::illegal_transition, "only a qualified or accepted lead can be converted; lead " +
                                                          cmd.id.to_string() + " is " +
                                                          std::string(to_string(lead->status)));
  }
  std::optional<std::uint64_t> expected = cmd.expected_version;
  if (lead->status == LeadStatus::qualified) {  // the lifecycle converts only accepted leads
    ChangeLeadCommand accept{cmd.id, expected, status_patch(LeadStatus::accepted, ""), cmd.actor, {}, {}};
    auto accepted = apply_change_lead(txn, accept, ctx.now, ctx.outbox, ctx.processor);
    if (!accepted) return accepted.error();
    expected = accepted->version;
  }
  const std::string ref = cmd.opportunity_ref.empty() ? "OPP-" + cmd.id.to_string() : cmd.opportunity_ref;
  ChangeLeadCommand convert{cmd.id, expected, status_patch(LeadStatus::converted, ref), cmd.actor, {}, {}};
  return apply_change_lead(txn, convert, ctx.now, ctx.outbox, ctx.processor);
}

// A step that names a role is decided by its holders only.
Status check_role(const ApprovalDecision& d, const ApprovalStepState& step) {
  if (step.role.empty() || !d.roles) return ok_status();
  if (std::find(d.roles->begin(), d.roles->end(), step.role) != d.roles->end()) return ok_status();
  std::string held;
  for (const auto& r : *d.roles) held += (held.empty() ? "" : ", ") + r;
  return Error::make(ErrorCode::forbidden, "step '" + step.step + "' is decided by role '" + step.role + "'; " +
                                               d.actor.user + " holds " + (held.empty() ? "no role" : held));
}

Result<ApprovalState> apply_decision(WriteTxn& txn, const ApprovalDecision& d, const processing::ApprovalConfig& config,
                                     TimeMs now) {
  auto lead = load_lead(txn, d.id);
  if (!lead) return lead.error();
  if (lead->status == LeadStatus::converted) {
    return Error::make(ErrorCode::locked, "lead " + d.id.to_string() + " is converted: nothing to approve");
  }
  auto decisions = store::read_decisions(txn.get(), txn.dbi(), d.id);
  const auto before = store::approval_state(config, *lead, decisions);
  bool earlier_open = false;
  const ApprovalStepState* step = nullptr;
  for (const auto& s : before.steps) {
    if (s.step == d.step) {
      step = &s;
      break;
    }
    earlier_open = earlier_open || s.state != "approved";
  }
  if (step == nullptr) return Error::invalid({{"step", "the lead needs no approval step '" + d.step + "'"}});
  if (earlier_open) return Error::invalid({{"step", "'" + d.step + "' comes after steps not yet approved"}});
  if (auto st = check_role(d, *step); !st) return st.error();
  store::StoredDecision decision{d.step, d.approve, d.actor.user, now, d.comment};
  decisions.push_back(decision);
  store::write_decisions(txn, d.id, decisions);
  store::append_audit(txn, d.id,
                      store::action_entry(now, d.actor, d.approve ? "approved" : "rejected", lead->version,
                                          "(approval)", store::to_json(decision)));
  return store::approval_state(config, *lead, decisions);
}

}  // namespace

Result<Lead> LeadStore::convert_lead(ConvertLeadCommand command) {
  if (auto st = check_actor(command.actor); !st) return st.error();
  return write_lead_action([this, command = std::move(command)](WriteTxn& txn, TimeMs now) {
    return apply_convert(txn, command, ActionContext{*outbox_, processor_.get(), now});  // accept and convert
  });
}

Result<ApprovalState> LeadStore::read_approvals(RecordId id) const {
  auto lead = read_lead(id);
  if (!lead) return lead.error();
  if (!processor_) return ApprovalState{};
  auto txn = env_->begin_read();
  if (!txn) return txn.error();
  return store::approval_state(processor_->config().approval, *lead, store::read_decisions(txn->get(), txn->dbi(), id));
}

Result<ApprovalState> LeadStore::decide_approval(ApprovalDecision decision) {
  if (auto st = check_actor(decision.actor); !st) return st.error();
  if (!processor_ || processor_->config().approval.steps.empty()) {
    return Error::invalid({{"step", "no approval steps are configured (processing: approval)"}});
  }
  if (decision.comment.size() > limits::kMediumText) return Error::invalid({{"comment", "longer than 255 bytes"}});
  auto result = std::make_shared<Result<ApprovalState>>(Error::make(ErrorCode::internal, "not applied"));
  auto st = write_sync([this, result, decision = std::move(decision)](WriteTxn& txn) -> Status {
    *result = apply_decision(txn, decision, processor_->config().approval, clock().now_ms());
    return ok_status();
  });
  if (!st) return st.error();
  return std::move(*result);
}

}  // namespace leadhub
