// The write commands. Each runs in two halves: prepare (caller's thread: normalize,
// lifecycle, validate) and apply (writer thread, inside the batch transaction:
// checks against stored state, then the writes). apply refuses before writing.
#include <array>
#include <future>

#include "json/record_json.hpp"
#include "model/lifecycle.hpp"
#include "model/limits.hpp"
#include "model/validation.hpp"
#include "store/audit_json.hpp"
#include "store/keys.hpp"
#include "store/lead_store.hpp"
#include "store/write_queue.hpp"

namespace leadhub {
namespace {

using store::WriteTxn;

Result<Lead> load_lead(const WriteTxn& txn, RecordId id) {
  std::string_view json;
  if (!txn.get(txn.dbi().leads, store::id_key(id), json)) {
    return Error::make(ErrorCode::not_found, "no lead with id " + id.to_string());
  }
  return lead_from_json(json, DecodeMode::stored);
}

std::optional<RecordId> lookup_id(const WriteTxn& txn, MDB_dbi dbi, std::string_view key) {
  std::string_view value;
  if (!txn.get(dbi, key, value) || value.size() != 8) return std::nullopt;
  return RecordId::from_key(value.data());
}

void put_indexes(WriteTxn& txn, const std::vector<store::IndexEntry>& entries, RecordId id) {
  for (const auto& e : entries) txn.put(e.dbi, e.key, store::id_key(id), MDB_NODUPDATA);
}

void delete_indexes(WriteTxn& txn, const std::vector<store::IndexEntry>& entries, RecordId id) {
  const std::string value = store::id_key(id);
  const std::string_view value_view = value;
  for (const auto& e : entries) txn.del(e.dbi, e.key, &value_view);
}

void put_audit(WriteTxn& txn, RecordId id, std::uint16_t n, const AuditEntry& entry) {
  txn.put(txn.dbi().audit, store::audit_key(id, entry.version, n), to_json(entry));
}

Status check_partner_exists(const WriteTxn& txn, RecordId partner_id, const std::string& field) {
  std::string_view ignored;
  if (partner_id.empty() || txn.get(txn.dbi().partners, store::id_key(partner_id), ignored)) return ok_status();
  return Error::invalid({{field, "no business partner with id " + partner_id.to_string()}});
}

// A lead already stored under the caller's idempotency key or one of its external
// references: creating it again returns that lead.
std::optional<RecordId> existing_lead(WriteTxn& txn, const CreateLeadCommand& cmd) {
  if (!cmd.idempotency_key.empty()) {
    if (auto id = lookup_id(txn, txn.dbi().idempotency, "L:" + cmd.idempotency_key)) return id;
  }
  for (const auto& ref : cmd.lead.external_refs) {
    if (auto id = lookup_id(txn, txn.dbi().by_ref, store::ref_key(ref))) return id;
  }
  return std::nullopt;
}

Status check_encoded_size(const std::string& json) {
  if (json.size() <= limits::kMaxRecordBytes) return ok_status();
  return Error::invalid(
      {{"(record)", "encoded lead larger than " + std::to_string(limits::kMaxRecordBytes) + " bytes"}});
}

Status check_actor(const Actor& actor) {
  auto errors = validate(actor);
  if (!errors.empty()) return Error::invalid(std::move(errors));
  return ok_status();
}

Status prepare_new_lead(Lead& lead, const Actor& actor, TimeMs now) {
  if (auto st = check_actor(actor); !st) return st;
  normalize(lead);
  stamp_new_notes(lead, actor, now);
  if (auto st = apply_initial_lifecycle(lead, now); !st) return st;
  auto errors = validate(lead);
  if (!errors.empty()) return Error::invalid(std::move(errors));
  return ok_status();
}

// Audit entries for each top-level member that differs; bookkeeping members are
// left out because every change moves them.
std::vector<AuditEntry> diff_members(const Lead& before, const Lead& after) {
  static constexpr std::array<std::string_view, 4> kBookkeeping = {"version", "changed_at", "changed_by",
                                                                   "status_changed_at"};
  const auto old_members = lead_members_json(before);
  const auto new_members = lead_members_json(after);
  auto find = [](const std::vector<MemberJson>& list, std::string_view name) -> std::string {
    for (const auto& m : list) {
      if (m.name == name) return m.json;
    }
    return "null";
  };
  std::vector<std::string_view> names;
  names.reserve(old_members.size() + new_members.size());
  for (const auto& m : old_members) names.push_back(m.name);
  for (const auto& m : new_members) {
    if (std::find(names.begin(), names.end(), m.name) == names.end()) names.push_back(m.name);
  }
  std::vector<AuditEntry> out;
  for (const auto name : names) {
    if (std::find(kBookkeeping.begin(), kBookkeeping.end(), name) != kBookkeeping.end()) continue;
    std::string old_json = find(old_members, name);
    std::string new_json = find(new_members, name);
    if (old_json == new_json) continue;
    AuditEntry e;
    e.field = name;
    e.old_json = std::move(old_json);
    e.new_json = std::move(new_json);
    out.push_back(std::move(e));
  }
  return out;
}

Status check_refs_unowned(const WriteTxn& txn, const Lead& lead) {
  std::vector<FieldError> errors;
  for (std::size_t i = 0; i < lead.external_refs.size(); ++i) {
    auto owner = lookup_id(txn, txn.dbi().by_ref, store::ref_key(lead.external_refs[i]));
    if (owner && *owner != lead.id) {
      errors.push_back({"external_refs[" + std::to_string(i) + "]", "already used by lead " + owner->to_string()});
    }
  }
  if (!errors.empty()) return Error::invalid(std::move(errors));
  return ok_status();
}

}  // namespace

// ---- CreateLead -------------------------------------------------------------------

namespace {

// A create made ready on the caller's thread: id, timestamps, the stored JSON, the
// audit entry and the index keys are all computed there, so the single writer
// thread only checks for an existing lead and puts bytes.
struct PreparedCreate {
  CreateLeadCommand command;
  std::string json;
  std::string audit_json;
  std::vector<store::IndexEntry> entries;
  std::string changed;
  Result<Created<Lead>> result = Error::make(ErrorCode::internal, "not applied");
};

void encode_prepared(PreparedCreate& p, const store::Dbis& dbi) {
  const Lead& lead = p.command.lead;
  p.json = to_json(lead);
  p.audit_json =
      to_json(AuditEntry{lead.created_at, p.command.actor.user, p.command.actor.connector, "created", 1, {}, {}, {}});
  p.entries = store::lead_index_entries(dbi, lead);
  p.changed = store::changed_key(lead.changed_at, lead.id);
}

Status prepare_create(PreparedCreate& p, IdGenerator& ids, const store::Dbis& dbi, TimeMs now) {
  Lead& lead = p.command.lead;
  if (auto st = prepare_new_lead(lead, p.command.actor, now); !st) return st;
  if (p.command.idempotency_key.size() > limits::kMediumText) {
    return Error::invalid({{"idempotency_key", "longer than 255 bytes"}});
  }
  lead.id = ids.next();
  lead.version = 1;
  lead.created_at = lead.changed_at = now;
  lead.created_by = lead.changed_by = p.command.actor.user;
  encode_prepared(p, dbi);
  return check_encoded_size(p.json);
}

Result<Created<Lead>> apply_create_lead(WriteTxn& txn, PreparedCreate& p, IdGenerator& ids) {
  const CreateLeadCommand& cmd = p.command;
  if (auto existing = existing_lead(txn, cmd)) {
    auto lead = load_lead(txn, *existing);
    if (!lead) return lead.error();
    if (!cmd.idempotency_key.empty())
      txn.put(txn.dbi().idempotency, "L:" + cmd.idempotency_key, store::id_key(*existing));
    return Created<Lead>{std::move(lead).value(), false};
  }
  if (auto st = check_partner_exists(txn, cmd.lead.prospect.partner_id, "prospect.partner_id"); !st) return st.error();
  while (!txn.put_new(txn.dbi().leads, store::id_key(p.command.lead.id), p.json)) {
    // Only if the clock stepped back past a restart: take a fresh id and encode again.
    p.command.lead.id = ids.next();
    encode_prepared(p, txn.dbi());
  }
  const RecordId id = cmd.lead.id;
  put_indexes(txn, p.entries, id);
  txn.put(txn.dbi().by_changed, p.changed, {});
  txn.put(txn.dbi().audit, store::audit_key(id, 1, 0), p.audit_json);
  if (!cmd.idempotency_key.empty()) txn.put(txn.dbi().idempotency, "L:" + cmd.idempotency_key, store::id_key(id));
  return Created<Lead>{Lead{}, true};  // the record is moved in after the commit (see finish_create)
}

// After the commit (never replayed): a new lead is the prepared one, moved not copied.
Result<Created<Lead>> finish_create(PreparedCreate& p, const Status& commit) {
  if (!commit) return commit.error();
  if (p.result && p.result->created) p.result->record = std::move(p.command.lead);
  return std::move(p.result);
}

// Shared state between a job's apply (writer thread) and its done callback.
template <typename Command, typename T>
struct JobState {
  Command command;
  Result<T> result = Error::make(ErrorCode::internal, "not applied");
};

}  // namespace

void LeadStore::create_lead_async(CreateLeadCommand command, CreateLeadDone done) {
  auto state = std::make_shared<PreparedCreate>();
  state->command = std::move(command);
  if (auto st = prepare_create(*state, *lead_ids_, env_->dbi(), clock().now_ms()); !st) {
    done(st.error());
    return;
  }
  writer_->submit(
      store::WriteJob{[this, state](WriteTxn& txn) { state->result = apply_create_lead(txn, *state, *lead_ids_); },
                      [state, done = std::move(done)](const Status& commit) { done(finish_create(*state, commit)); }});
}

void LeadStore::create_leads_async(std::vector<CreateLeadCommand> commands,
                                   const std::function<void(std::size_t, Result<Created<Lead>>)>& done) {
  std::vector<store::WriteJob> jobs;
  jobs.reserve(commands.size());
  const TimeMs now = clock().now_ms();
  for (std::size_t i = 0; i < commands.size(); ++i) {
    auto state = std::make_shared<PreparedCreate>();
    state->command = std::move(commands[i]);
    if (auto st = prepare_create(*state, *lead_ids_, env_->dbi(), now); !st) {
      done(i, st.error());
      continue;
    }
    jobs.push_back(
        store::WriteJob{[this, state](WriteTxn& txn) { state->result = apply_create_lead(txn, *state, *lead_ids_); },
                        [state, i, done](const Status& commit) { done(i, finish_create(*state, commit)); }});
  }
  if (!jobs.empty()) writer_->submit(std::move(jobs));
}

Result<Created<Lead>> LeadStore::create_lead(CreateLeadCommand command) {
  std::promise<Result<Created<Lead>>> promise;
  auto future = promise.get_future();
  create_lead_async(std::move(command), [&promise](Result<Created<Lead>> r) { promise.set_value(std::move(r)); });
  return future.get();
}

// ---- ChangeLead -------------------------------------------------------------------

namespace {

Result<Lead> apply_change_lead(WriteTxn& txn, const ChangeLeadCommand& cmd, TimeMs now) {
  auto loaded = load_lead(txn, cmd.id);
  if (!loaded) return loaded.error();
  const Lead& before = *loaded;
  if (before.status == LeadStatus::converted) {
    return Error::make(ErrorCode::locked, "lead " + before.id.to_string() + " is converted and can no longer change");
  }
  if (cmd.expected_version && *cmd.expected_version != before.version) {
    return Error::make(ErrorCode::version_conflict, "lead " + before.id.to_string() + " is at version " +
                                                        std::to_string(before.version) + ", not " +
                                                        std::to_string(*cmd.expected_version));
  }
  Lead after = before;
  if (!cmd.patch_json.empty()) {
    if (auto st = merge_patch(after, cmd.patch_json); !st) return st.error();
  }
  after.notes.insert(after.notes.end(), cmd.append_notes.begin(), cmd.append_notes.end());
  normalize(after);
  stamp_new_notes(after, cmd.actor, now);
  if (auto st = apply_lifecycle(before, after, now); !st) return st.error();
  if (auto errors = validate(after); !errors.empty()) return Error::invalid(std::move(errors));
  if (auto st = check_refs_unowned(txn, after); !st) return st.error();
  if (after.prospect.partner_id != before.prospect.partner_id) {
    if (auto st = check_partner_exists(txn, after.prospect.partner_id, "prospect.partner_id"); !st) return st.error();
  }
  auto changes = diff_members(before, after);
  if (changes.empty()) return before;  // nothing to do: no new version

  after.version = before.version + 1;
  after.changed_at = now;
  after.changed_by = cmd.actor.user;
  const std::string json = to_json(after);
  if (auto st = check_encoded_size(json); !st) return st.error();
  txn.put(txn.dbi().leads, store::id_key(after.id), json);

  const auto old_entries = store::lead_index_entries(txn.dbi(), before);
  const auto new_entries = store::lead_index_entries(txn.dbi(), after);
  std::vector<store::IndexEntry> removed, added;
  for (const auto& e : old_entries) {
    if (std::find(new_entries.begin(), new_entries.end(), e) == new_entries.end()) removed.push_back(e);
  }
  for (const auto& e : new_entries) {
    if (std::find(old_entries.begin(), old_entries.end(), e) == old_entries.end()) added.push_back(e);
  }
  delete_indexes(txn, removed, after.id);
  put_indexes(txn, added, after.id);
  txn.del(txn.dbi().by_changed, store::changed_key(before.changed_at, after.id));
  txn.put(txn.dbi().by_changed, store::changed_key(now, after.id), {});

  std::uint16_t n = 0;
  for (auto& change : changes) {
    change.at = now;
    change.user = cmd.actor.user;
    change.connector = cmd.actor.connector;
    change.action = "changed";
    change.version = after.version;
    put_audit(txn, after.id, n++, change);
  }
  return after;
}

}  // namespace

void LeadStore::change_lead_async(ChangeLeadCommand command, std::function<void(Result<Lead>)> done) {
  if (auto st = check_actor(command.actor); !st) {
    done(st.error());
    return;
  }
  auto state = std::make_shared<JobState<ChangeLeadCommand, Lead>>();
  state->command = std::move(command);
  writer_->submit(store::WriteJob{
      [this, state](WriteTxn& txn) { state->result = apply_change_lead(txn, state->command, clock().now_ms()); },
      [state, done = std::move(done)](const Status& commit) {
        if (!commit)
          done(commit.error());
        else
          done(std::move(state->result));
      }});
}

Result<Lead> LeadStore::change_lead(ChangeLeadCommand command) {
  std::promise<Result<Lead>> promise;
  auto future = promise.get_future();
  change_lead_async(std::move(command), [&promise](Result<Lead> r) { promise.set_value(std::move(r)); });
  return future.get();
}

// ---- CreateBusinessPartner ----------------------------------------------------------

namespace {

Result<Created<BusinessPartner>> apply_create_partner(WriteTxn& txn, const CreatePartnerCommand& cmd, IdGenerator& ids,
                                                      TimeMs now) {
  std::optional<RecordId> existing;
  if (!cmd.idempotency_key.empty()) existing = lookup_id(txn, txn.dbi().idempotency, "P:" + cmd.idempotency_key);
  for (const auto& ref : cmd.partner.external_refs) {
    if (!existing) existing = lookup_id(txn, txn.dbi().partner_by_ref, store::ref_key(ref));
  }
  if (existing) {
    std::string_view json;
    if (!txn.get(txn.dbi().partners, store::id_key(*existing), json)) {
      return Error::make(ErrorCode::internal, "index points at missing partner " + existing->to_string());
    }
    auto partner = partner_from_json(json, DecodeMode::stored);
    if (!partner) return partner.error();
    return Created<BusinessPartner>{std::move(partner).value(), false};
  }
  BusinessPartner p = cmd.partner;
  p.version = 1;
  p.created_at = p.changed_at = now;
  p.created_by = p.changed_by = cmd.actor.user;
  std::string json;
  do {
    p.id = ids.next();
    json = to_json(p);
  } while (!txn.put_new(txn.dbi().partners, store::id_key(p.id), json));
  put_indexes(txn, store::partner_index_entries(txn.dbi(), p), p.id);
  if (!cmd.idempotency_key.empty()) txn.put(txn.dbi().idempotency, "P:" + cmd.idempotency_key, store::id_key(p.id));
  return Created<BusinessPartner>{std::move(p), true};
}

}  // namespace

Result<Created<BusinessPartner>> LeadStore::create_partner(CreatePartnerCommand command) {
  if (auto st = check_actor(command.actor); !st) return st.error();
  normalize(command.partner);
  if (auto errors = validate(command.partner); !errors.empty()) return Error::invalid(std::move(errors));
  auto state = std::make_shared<JobState<CreatePartnerCommand, Created<BusinessPartner>>>();
  state->command = std::move(command);
  std::promise<Result<Created<BusinessPartner>>> promise;
  auto future = promise.get_future();
  writer_->submit(store::WriteJob{[this, state](WriteTxn& txn) {
                                    state->result =
                                        apply_create_partner(txn, state->command, *partner_ids_, clock().now_ms());
                                  },
                                  [state, &promise](const Status& commit) {
                                    if (!commit)
                                      promise.set_value(commit.error());
                                    else
                                      promise.set_value(std::move(state->result));
                                  }});
  return future.get();
}

}  // namespace leadhub
