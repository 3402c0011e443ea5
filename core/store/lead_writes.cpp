// The write commands. Each runs in two halves: prepare (caller's thread: normalize,
// lifecycle, validate) and apply (writer thread, inside the batch transaction:
// checks against stored state, then the writes). apply refuses before writing.
#include <algorithm>
#include <array>
#include <cstdio>
#include <future>
#include <memory>

#include <simdjson.h>

#include "json/json_writer.hpp"
#include "json/record_json.hpp"
#include "model/lifecycle.hpp"
#include "model/limits.hpp"
#include "model/validation.hpp"
#include "store/approvals.hpp"
#include "store/audit_json.hpp"
#include "store/audit_trail.hpp"
#include "store/events.hpp"
#include "store/keys.hpp"
#include "store/lead_store.hpp"
#include "store/lead_writes_internal.hpp"
#include "store/outbox.hpp"
#include "store/processor.hpp"
#include "store/report_history.hpp"
#include "store/staging.hpp"
#include "store/write_queue.hpp"

namespace leadhub {

using store::WriteTxn;

Result<Lead> load_lead(const store::WriteTxn& txn, RecordId id) {
  std::string_view json;
  if (!txn.get(txn.dbi().leads, store::id_key(id), json)) {
    return Error::make(ErrorCode::not_found, "no lead with id " + id.to_string());
  }
  return lead_from_json(json, DecodeMode::stored);
}

Status check_actor(const Actor& actor) {
  auto errors = validate(actor);
  if (!errors.empty()) return Error::invalid(std::move(errors));
  return ok_status();
}

namespace {

// The id a key's value begins with (an idempotency key's may go on with the
// request's fingerprint: idempotency_value).
std::optional<RecordId> lookup_id(const WriteTxn& txn, MDB_dbi dbi, std::string_view key) {
  std::string_view value;
  if (!txn.get(dbi, key, value) || value.size() < 8) return std::nullopt;
  return RecordId::from_key(value.data());
}

// An idempotency key's entry holds the id it stands for and after it the
// fingerprint of the request it was first used for (when the caller gives one): a
// retry must be the same request. Keys of earlier versions hold the id alone and
// match any request. (lookup_id reads the id and ignores the rest.)
std::string idempotency_value(RecordId id, std::string_view fingerprint) {
  return store::id_key(id) + std::string(fingerprint);
}

Status check_same_request(const WriteTxn& txn, std::string_view key, std::string_view fingerprint) {
  constexpr std::size_t kIdBytes = 8;
  std::string_view stored;
  if (fingerprint.empty() || !txn.get(txn.dbi().idempotency, key, stored) || stored.size() <= kIdBytes ||
      stored.substr(kIdBytes) == fingerprint) {
    return ok_status();
  }
  return Error{ErrorCode::invalid,
               "the idempotency key was used before for a different request",
               {{"idempotency_key",
                 "used before for a different request: a retry sends the same request, a new "
                 "request needs a new key"}}};
}

void put_indexes(WriteTxn& txn, const std::vector<store::IndexEntry>& entries, RecordId id) {
  for (const auto& e : entries) txn.put(e.dbi, e.key, store::id_key(id), MDB_NODUPDATA);
}

// An e-mail or phone entry may still be staged by a bulk import: gone from both.
void delete_indexes(WriteTxn& txn, const std::vector<store::IndexEntry>& entries, RecordId id) {
  const std::string value = store::id_key(id);
  const std::string_view value_view = value;
  for (const auto& e : entries) {
    txn.del(e.dbi, e.key, &value_view);
    if (auto s = store::staged_index(txn.dbi(), e.dbi)) txn.del(s->stage, store::stage_key(*s, e.key, id));
  }
}

void put_audit(WriteTxn& txn, RecordId id, std::uint16_t n, const AuditEntry& entry) {
  txn.put(txn.dbi().audit, store::audit_key(id, entry.version, n), to_json(entry));
}

Status check_partner_exists(const WriteTxn& txn, RecordId partner_id, const std::string& field) {
  std::string_view ignored;
  if (partner_id.empty() || txn.get(txn.dbi().partners, store::id_key(partner_id), ignored)) return ok_status();
  return Error::invalid({{field, "no business partner with id " + partner_id.to_string()}});
}

Status check_encoded_size(const std::string& json) {
  if (json.size() <= limits::kMaxRecordBytes) return ok_status();
  return Error::invalid(
      {{"(record)", "encoded lead larger than " + std::to_string(limits::kMaxRecordBytes) + " bytes"}});
}

// With a processor, its rules run on the normalized lead before validation (so
// what they set is validated too) and `facts` receives what they worked out.
Status prepare_new_lead(Lead& lead, const Actor& actor, TimeMs now, const store::Processor* processor,
                        std::unique_ptr<store::NewLeadFacts>& facts) {
  if (auto st = check_actor(actor); !st) return st;
  normalize(lead);
  stamp_new_notes(lead, actor, now);
  if (auto st = apply_initial_lifecycle(lead, now); !st) return st;
  if (processor != nullptr) {
    facts = std::make_unique<store::NewLeadFacts>(processor->prepare_new(lead));
    // A qualification set by a classification rule qualifies the lead as one the
    // caller set would.
    if (auto st = apply_initial_lifecycle(lead, now); !st) return st;
  }
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
// thread only checks for an existing lead and puts bytes. The decoded lead is kept
// only when the caller wants the record back (not for imports).
struct PreparedCreate {
  RecordId id;
  Actor actor;
  std::string idempotency_key;
  RecordId caller_partner_id;  // the partner the caller named; never changed by an attempt
  std::string owner_scope;     // CreateLeadCommand::owner_scope
  std::string request_fingerprint;
  std::string json;
  std::string audit_json;
  std::string changed;
  std::vector<store::IndexEntry> entries;
  bool with_events = false;
  std::vector<std::string> events;             // lead.created and the others, see store/events.hpp
  bool want_record = false;                    // the caller wants the record back (not imports)
  std::unique_ptr<Lead> lead;                  // kept when wanted, or when processing may change it
  std::unique_ptr<store::NewLeadFacts> facts;  // with processing
  std::string processed_audit_json;            // with processing: why it decided what it did
  // with_partner: the partner made from the prospect, its id already in the lead's
  // JSON, and its own JSON; stored unless one with its e-mail exists (see attach_partner).
  std::unique_ptr<BusinessPartner> new_partner;
  std::string new_partner_json;
  // Set by each attempt: `link` chose the duplicate's partner over new_partner. Kept
  // apart from new_partner because a batch replayed after MDB_MAP_FULL decides again.
  bool linked_to_duplicate = false;
  // Set inside the transaction, read after the commit.
  Result<CreateOutcome> outcome = Error::make(ErrorCode::internal, "not applied");
  std::unique_ptr<Lead> existing;  // the stored lead of a duplicate, when records are wanted
  // The lead is created qualified (or accepted): the report's history records it.
  bool created_qualified = false;
  TimeMs created_at = 0;
};

void encode_prepared(PreparedCreate& p, const Lead& lead, const store::Dbis& dbi) {
  p.id = lead.id;
  p.json = to_json(lead);
  p.audit_json = created_audit_json(lead.created_at, p.actor);
  p.entries = store::lead_index_entries(dbi, lead);
  p.changed = store::changed_key(lead.changed_at, lead.id);
  p.events.clear();
  if (!p.with_events) return;
  EventFacts facts{event_type::kLeadCreated, lead.created_at, &p.actor, lead.id, lead.version, "{}", p.json};
  p.events.push_back(event_json(facts));
  for (const auto& [type, data] : create_events(lead)) {
    facts.type = type;
    facts.data_json = data;
    p.events.push_back(event_json(facts));
  }
}

// The business partner a prospect describes, when it names a person or a company
// and passes validation; else none (the lead is stored without one).
std::unique_ptr<BusinessPartner> partner_from_prospect(const Prospect& prospect) {
  if (prospect.family_name.empty() && prospect.company.empty()) return nullptr;
  auto partner = std::make_unique<BusinessPartner>();
  partner->kind = prospect.family_name.empty() ? PartnerKind::account : PartnerKind::contact;
  partner->company = prospect.company;
  partner->given_name = prospect.given_name;
  partner->family_name = prospect.family_name;
  partner->email = prospect.email;
  partner->phone = prospect.phone;
  partner->address = prospect.address;
  normalize(*partner);
  if (!validate(*partner).empty()) return nullptr;
  return partner;
}

// What every create of one call shares.
struct PrepareContext {
  IdGenerator& ids;
  IdGenerator& partner_ids;
  const store::Dbis& dbi;
  TimeMs now;
  bool keep_records;
  bool events;
  const store::Processor* processor;
};

// The new partner gets its id and JSON here, on the caller's thread, so the writer
// neither encodes it nor encodes the lead a second time to point at it.
void prepare_partner(PreparedCreate& p, Lead& lead, const PrepareContext& ctx) {
  BusinessPartner& partner = *p.new_partner;
  partner.id = ctx.partner_ids.next();
  partner.version = 1;
  partner.created_at = partner.changed_at = ctx.now;
  partner.created_by = partner.changed_by = p.actor.user;
  p.new_partner_json = to_json(partner);
  lead.prospect.partner_id = partner.id;
}

Status prepare_create(PreparedCreate& p, CreateLeadCommand& cmd, const PrepareContext& ctx) {
  const TimeMs now = ctx.now;
  Lead& lead = cmd.lead;
  if (auto st = prepare_new_lead(lead, cmd.actor, now, ctx.processor, p.facts); !st) return st;
  if (cmd.idempotency_key.size() > limits::kMediumText) {
    return Error::invalid({{"idempotency_key", "longer than 255 bytes"}});
  }
  lead.id = ctx.ids.next();
  lead.version = 1;
  lead.created_at = lead.changed_at = now;
  lead.created_by = lead.changed_by = cmd.actor.user;
  p.actor = std::move(cmd.actor);
  p.idempotency_key = std::move(cmd.idempotency_key);
  p.owner_scope = std::move(cmd.owner_scope);
  p.request_fingerprint = std::move(cmd.request_fingerprint);
  p.caller_partner_id = lead.prospect.partner_id;
  p.with_events = ctx.events;
  p.created_qualified = store::counts_as_qualified(lead.status);
  p.created_at = now;
  if (cmd.with_partner && lead.prospect.partner_id.empty()) p.new_partner = partner_from_prospect(lead.prospect);
  if (p.new_partner) prepare_partner(p, lead, ctx);
  encode_prepared(p, lead, ctx.dbi);
  if (auto st = check_encoded_size(p.json); !st) return st;
  p.want_record = ctx.keep_records;
  if (ctx.keep_records || ctx.processor != nullptr || p.new_partner) p.lead = std::make_unique<Lead>(std::move(lead));
  return ok_status();
}

// Only if the clock stepped back past a restart: a fresh id, encoded again (from the
// stored encoding when the decoded lead was not kept).
Status renumber(PreparedCreate& p, IdGenerator& ids, const store::Dbis& dbi) {
  if (!p.lead) {
    auto decoded = lead_from_json(p.json, DecodeMode::stored);
    if (!decoded) return decoded.error();
    Lead lead = std::move(decoded).value();
    lead.id = ids.next();
    encode_prepared(p, lead, dbi);
    return ok_status();
  }
  p.lead->id = ids.next();
  encode_prepared(p, *p.lead, dbi);
  return ok_status();
}

// A lead already stored under the caller's idempotency key or one of its external
// references (in the store, or earlier in the same bulk job): creating it again
// returns that lead. `field` names what found it, for a refusal (check_owner_scope).
struct ExistingLead {
  RecordId id;
  std::string field;
};

std::optional<ExistingLead> existing_lead(const WriteTxn& txn, const PreparedCreate& p,
                                          const store::IndexBatch* batch) {
  const auto& d = txn.dbi();
  if (!p.idempotency_key.empty()) {
    if (auto id = lookup_id(txn, d.idempotency, "L:" + p.idempotency_key)) return ExistingLead{*id, "idempotency_key"};
  }
  std::size_t ref = 0;
  for (const auto& e : p.entries) {
    if (e.dbi != d.by_ref) continue;
    const std::string field = "external_refs[" + std::to_string(ref++) + "]";
    if (auto id = lookup_id(txn, d.by_ref, e.key)) return ExistingLead{*id, field};
    if (batch == nullptr) continue;
    if (auto id = batch->find(d.by_ref, e.key)) return ExistingLead{*id, field};
  }
  return std::nullopt;
}

// A partner's create finds only its own leads: returning another owner's would
// show that lead to the partner. Refused as a duplicate instead; the answer names
// the key or reference, never the lead, so the partner learns only that it is taken.
Status check_owner_scope(const WriteTxn& txn, const PreparedCreate& p, const ExistingLead& existing) {
  if (p.owner_scope.empty()) return ok_status();
  auto lead = load_lead(txn, existing.id);
  if (!lead) return lead.error();
  if (lead->owner.channel == p.owner_scope) return ok_status();
  if (existing.field == "idempotency_key") {
    return Error{ErrorCode::duplicate,
                 "the idempotency key was used before for a lead that " + p.owner_scope + " no longer owns",
                 {{existing.field, "used before for a lead " + p.owner_scope + " no longer owns; use a new key"}}};
  }
  return Error{
      ErrorCode::duplicate,
      "a lead not owned by " + p.owner_scope + " holds this external reference",
      {{existing.field, "names a lead not owned by " + p.owner_scope + "; use a reference of your own system"}}};
}

Result<CreateOutcome> apply_existing(WriteTxn& txn, PreparedCreate& p, RecordId existing) {
  if (p.want_record) {
    auto lead = load_lead(txn, existing);
    if (!lead) return lead.error();
    p.existing = std::make_unique<Lead>(std::move(lead).value());
  }
  if (!p.idempotency_key.empty()) {
    txn.put(txn.dbi().idempotency, "L:" + p.idempotency_key, idempotency_value(existing, p.request_fingerprint));
  }
  return CreateOutcome{existing, false};
}

// A bulk job's index entries: e-mail and phone staged (store/staging.hpp), the
// others sorted at the job's end.
void put_bulk_entries(WriteTxn& txn, const std::vector<store::IndexEntry>& entries, RecordId id,
                      store::IndexBatch& batch) {
  for (const auto& e : entries) {
    if (auto s = store::staged_index(txn.dbi(), e.dbi))
      txn.put(s->stage, store::stage_key(*s, e.key, id), e.key);
    else
      batch.add(e.dbi, e.key, id);
  }
}

// What the writer needs besides the transaction to apply a create.
struct ApplyContext {
  IdGenerator& ids;
  IdGenerator& partner_ids;
  store::Outbox& outbox;
  store::Processor* processor = nullptr;
  TimeMs now = 0;
  store::IndexBatch* batch = nullptr;        // a bulk job's deferred index entries
  store::PendingMatches* pending = nullptr;  // a bulk job's new leads, for the duplicate check
};

// with_partner: the partner with the prospect's e-mail, else the prepared one (under
// a fresh id if its own is taken); the lead is encoded again only when its partner
// id changed.
Status attach_partner(WriteTxn& txn, PreparedCreate& p, const ApplyContext& ctx) {
  BusinessPartner& partner = *p.new_partner;
  std::optional<RecordId> existing;
  if (!partner.email.empty()) {
    existing = lookup_id(txn, txn.dbi().partner_by_email, store::email_key(partner.email));
  }
  if (!existing) {
    while (!txn.put_new_last(txn.dbi().partners, store::id_key(partner.id), p.new_partner_json)) {
      partner.id = ctx.partner_ids.next();
      p.new_partner_json = to_json(partner);
    }
    put_indexes(txn, store::partner_index_entries(txn.dbi(), partner), partner.id);
  }
  const RecordId chosen = existing ? *existing : partner.id;
  if (chosen == p.lead->prospect.partner_id) return ok_status();
  p.lead->prospect.partner_id = chosen;
  encode_prepared(p, *p.lead, txn.dbi());
  return ok_status();
}

// The members of a new lead that update an existing one (policy `update`): what
// the new lead says about the prospect and its interest, not its identity,
// lifecycle or ownership. Its notes are appended.
std::string update_patch(const Lead& lead) {
  static constexpr std::array<std::string_view, 8> kTaken = {"subject",  "prospect", "interests", "expected_value",
                                                             "campaign", "consent",  "follow_up", "attributes"};
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  for (const auto& m : lead_members_json(lead)) {
    if (std::find(kTaken.begin(), kTaken.end(), m.name) != kTaken.end()) w.key(m.name).raw(m.json);
  }
  w.end_object();
  return out;
}

// The change's "processed" entry says why the lead changed: this create, found to
// duplicate it (`check`), under policy `update`.
Result<CreateOutcome> update_existing(WriteTxn& txn, PreparedCreate& p, const store::DuplicateCheck& check,
                                      const ApplyContext& ctx) {
  const RecordId target = *check.decision.best();
  ChangeLeadCommand cmd{target, std::nullopt, update_patch(*p.lead), p.actor, p.lead->notes, {}};
  const store::DuplicateCreate duplicate{check, p.idempotency_key, p.lead->external_refs};
  auto changed = apply_change_lead(txn, cmd, ctx.now, ctx.outbox, ctx.processor, store::ChangeCause{&duplicate});
  if (!changed) return changed.error();
  if (p.want_record) p.existing = std::make_unique<Lead>(std::move(changed).value());
  if (!p.idempotency_key.empty()) {
    txn.put(txn.dbi().idempotency, "L:" + p.idempotency_key, idempotency_value(target, p.request_fingerprint));
  }
  return CreateOutcome{target, false};
}

Error duplicate_refusal(const processing::DuplicateDecision& decision) {
  std::vector<FieldError> matches;
  for (const auto& m : decision.matches) {
    if (!m.duplicate) continue;
    std::string rules;
    for (const auto& h : m.hits) rules += (rules.empty() ? "" : ", ") + h.rule;
    char score[32];
    std::snprintf(score, sizeof score, "%.2f", m.score);
    matches.push_back({"duplicate_of", m.id.to_string() + " (score " + score + ": " + rules + ")"});
  }
  Error e = Error::invalid(std::move(matches));
  e.code = ErrorCode::duplicate;
  e.message = "the lead duplicates lead " + decision.best()->to_string();
  return e;
}

// Duplicate check, its policy and assignment for a new lead. A value: the create
// ends here (refused, or an existing lead updated); nullopt: store the new lead
// (flagged, linked or assigned as decided, re-encoded when changed).
Result<std::optional<Result<CreateOutcome>>> apply_processing(WriteTxn& txn, PreparedCreate& p,
                                                              const ApplyContext& ctx) {
  using processing::DuplicatePolicy;
  const auto check = ctx.processor->check_new(txn.get(), txn.dbi(), *p.facts, p.actor, ctx.pending);
  bool changed = false;
  p.linked_to_duplicate = false;
  if (check.decision.duplicate) {
    const RecordId best = *check.decision.best();
    switch (check.policy) {
      case DuplicatePolicy::reject:
        return std::optional<Result<CreateOutcome>>(duplicate_refusal(check.decision));
      case DuplicatePolicy::update:
        return std::optional<Result<CreateOutcome>>(update_existing(txn, p, check, ctx));
      case DuplicatePolicy::link:
        if (!check.best_partner.empty() && p.caller_partner_id.empty()) {
          p.lead->prospect.partner_id = check.best_partner;
          p.linked_to_duplicate = true;  // instead of registering new_partner
          changed = true;
          break;
        }
        [[fallthrough]];  // nobody to link to: flag it
      case DuplicatePolicy::flag:
        p.lead->duplicate_of = best;
        changed = true;
        break;
    }
  }
  const auto assignment = ctx.processor->assign_new(txn, *p.lead);
  if (changed || assignment) encode_prepared(p, *p.lead, txn.dbi());
  p.processed_audit_json = to_json(store::action_entry(p.lead->created_at, p.actor, "processed", 1, "(processing)",
                                                       store::Processor::explain_new(*p.facts, &check, assignment)));
  return std::optional<Result<CreateOutcome>>();
}

// Index entries go into `batch` when given (a bulk job puts them sorted at its end),
// else straight into the indexes. Ids and times only grow, so the record, the
// changed-at entry and the audit entry are appended.
Result<CreateOutcome> apply_create_lead(WriteTxn& txn, PreparedCreate& p, const ApplyContext& ctx) {
  IdGenerator& ids = ctx.ids;
  store::IndexBatch* batch = ctx.batch;
  if (auto existing = existing_lead(txn, p, batch)) {
    if (existing->field == "idempotency_key") {
      if (auto st = check_same_request(txn, "L:" + p.idempotency_key, p.request_fingerprint); !st) return st.error();
    }
    if (auto st = check_owner_scope(txn, p, *existing); !st) return st.error();
    return apply_existing(txn, p, existing->id);
  }
  if (auto st = check_partner_exists(txn, p.caller_partner_id, "prospect.partner_id"); !st) return st.error();
  if (ctx.processor != nullptr && p.facts) {
    auto decided = apply_processing(txn, p, ctx);
    if (!decided) return decided.error();
    if (*decided) return std::move(**decided);  // refused or merged into an existing lead
  }
  if (p.new_partner && !p.linked_to_duplicate) {
    if (auto st = attach_partner(txn, p, ctx); !st) return st.error();
  }
  while (!txn.put_new_last(txn.dbi().leads, store::id_key(p.id), p.json)) {
    if (auto st = renumber(p, ids, txn.dbi()); !st) return st.error();
  }
  if (batch != nullptr) {
    put_bulk_entries(txn, p.entries, p.id, *batch);
  } else {
    put_indexes(txn, p.entries, p.id);
  }
  txn.put_last(txn.dbi().by_changed, p.changed, {});
  txn.put_last(txn.dbi().audit, store::audit_key(p.id, 1, 0), p.audit_json);
  if (p.created_qualified) store::note_created_qualified(txn, p.id, p.created_at);
  if (!p.idempotency_key.empty()) {
    txn.put(txn.dbi().idempotency, "L:" + p.idempotency_key, idempotency_value(p.id, p.request_fingerprint));
  }
  if (ctx.processor != nullptr && p.facts) {
    ctx.processor->index_new(txn, *p.lead, *p.facts);
    txn.put_last(txn.dbi().audit, store::audit_key(p.id, 1, 1), p.processed_audit_json);
    if (ctx.pending != nullptr) ctx.pending->add(*p.facts, p.id, p.lead->prospect.partner_id);
  }
  for (const auto& event : p.events) ctx.outbox.append(txn, event);
  return CreateOutcome{p.id, true};
}

// After the commit (never replayed): a new lead is the prepared one, moved not copied.
Result<Created<Lead>> finish_create(PreparedCreate& p, const Status& commit) {
  if (!commit) return commit.error();
  if (!p.outcome) return p.outcome.error();
  if (!p.outcome->created) return Created<Lead>{p.existing ? std::move(*p.existing) : Lead{}, false, {}};
  return Created<Lead>{p.lead ? std::move(*p.lead) : Lead{}, true, std::move(p.json)};  // answers need no re-encoding
}

Result<CreateOutcome> finish_import(PreparedCreate& p, const Status& commit) {
  if (!commit) return commit.error();
  return std::move(p.outcome);
}

// Shared state between a job's apply (writer thread) and its done callback.
template <typename Command, typename T>
struct JobState {
  Command command;
  Result<T> result = Error::make(ErrorCode::internal, "not applied");
};

// The creates of one bulk call that passed preparation, with their positions in it.
struct BulkCreate {
  std::vector<PreparedCreate> items;
  std::vector<std::size_t> positions;
};

void apply_bulk(WriteTxn& txn, BulkCreate& bulk, ApplyContext ctx) {
  constexpr std::size_t kTrimEvery = 256;  // lookups by reference read random pages
  store::IndexBatch batch(txn.dbi().by_ref);
  store::PendingMatches pending;
  ctx.batch = &batch;
  ctx.pending = &pending;
  for (std::size_t i = 0; i < bulk.items.size(); ++i) {
    if (i % kTrimEvery == kTrimEvery - 1) txn.trim_resident();
    bulk.items[i].outcome = apply_create_lead(txn, bulk.items[i], ctx);
  }
  batch.flush(txn);
}

// Prepares commands [from, to) on this thread; refusals are reported at once.
template <typename Done>
std::shared_ptr<BulkCreate> prepare_bulk(std::vector<CreateLeadCommand>& commands, std::size_t from, std::size_t to,
                                         const PrepareContext& ctx, const Done& done) {
  auto bulk = std::make_shared<BulkCreate>();
  bulk->items.reserve(to - from);
  bulk->positions.reserve(to - from);
  for (std::size_t i = from; i < to; ++i) {
    PreparedCreate& p = bulk->items.emplace_back();
    if (auto st = prepare_create(p, commands[i], ctx); !st) {
      bulk->items.pop_back();
      done(i, st.error());
      continue;
    }
    bulk->positions.push_back(i);
  }
  return bulk;
}

}  // namespace

void LeadStore::create_lead_async(CreateLeadCommand command, CreateLeadDone done) {
  auto state = std::make_shared<PreparedCreate>();
  const PrepareContext ctx{*lead_ids_, *partner_ids_,      env_->dbi(),     clock().now_ms(),
                           true,       outbox_->enabled(), processor_.get()};
  if (auto st = prepare_create(*state, command, ctx); !st) {
    done(st.error());
    return;
  }
  writer_->submit(store::WriteJob{
      [this, state](WriteTxn& txn) {
        state->outcome = apply_create_lead(
            txn, *state, ApplyContext{*lead_ids_, *partner_ids_, *outbox_, processor_.get(), clock().now_ms()});
      },
      [state, done = std::move(done)](const Status& commit) { done(finish_create(*state, commit)); }});
}

// One job per chunk: its creates share a transaction and put their index entries
// sorted (see IndexBatch); `finish` turns an item's outcome into the caller's result.
template <typename T, typename Finish>
void LeadStore::submit_bulk(std::vector<CreateLeadCommand>& commands, bool keep_records,
                            const std::function<void(std::size_t, Result<T>)>& done, Finish finish) {
  const PrepareContext ctx{*lead_ids_,   *partner_ids_,      env_->dbi(),     clock().now_ms(),
                           keep_records, outbox_->enabled(), processor_.get()};
  for (std::size_t from = 0; from < commands.size(); from += kMaxBulkCreates) {
    const std::size_t to = std::min(commands.size(), from + kMaxBulkCreates);
    auto bulk = prepare_bulk(commands, from, to, ctx, done);
    if (bulk->items.empty()) continue;
    const std::size_t weight = bulk->items.size();
    writer_->submit(store::WriteJob{
        [this, bulk](WriteTxn& txn) {
          apply_bulk(txn, *bulk, ApplyContext{*lead_ids_, *partner_ids_, *outbox_, processor_.get(), clock().now_ms()});
        },
        [bulk, done, finish](const Status& commit) {
          for (std::size_t k = 0; k < bulk->items.size(); ++k) {
            done(bulk->positions[k], finish(bulk->items[k], commit));
          }
        },
        weight});
  }
}

void LeadStore::create_leads_async(std::vector<CreateLeadCommand> commands,
                                   const std::function<void(std::size_t, Result<Created<Lead>>)>& done) {
  submit_bulk(commands, true, done, finish_create);
}

void LeadStore::import_leads_async(std::vector<CreateLeadCommand> commands,
                                   const std::function<void(std::size_t, Result<CreateOutcome>)>& done) {
  submit_bulk(commands, false, done, finish_import);
}

Result<Created<Lead>> LeadStore::create_lead(CreateLeadCommand command) {
  std::promise<Result<Created<Lead>>> promise;
  auto future = promise.get_future();
  create_lead_async(std::move(command), [&promise](Result<Created<Lead>> r) { promise.set_value(std::move(r)); });
  return future.get();
}

// ---- ChangeLead -------------------------------------------------------------------

namespace {

// lead.changed with the names of the changed members, then the specific events.
void append_change_events(store::Outbox& outbox, WriteTxn& txn, const ChangeLeadCommand& cmd, const Lead& before,
                          const Lead& after, const std::vector<AuditEntry>& changes, const std::string& json) {
  if (!outbox.enabled()) return;
  std::string fields;
  JsonWriter w(fields);
  w.begin_object();
  w.key_identifier("fields").begin_array();
  for (const auto& c : changes) w.value(c.field);
  w.end_array();
  w.end_object();
  EventFacts facts{event_type::kLeadChanged, after.changed_at, &cmd.actor, after.id, after.version, fields, json};
  outbox.append(txn, event_json(facts));
  for (const auto& [type, data] : change_events(before, after)) {
    facts.type = type;
    facts.data_json = data;
    outbox.append(txn, event_json(facts));
  }
}

std::string change_key(const ChangeLeadCommand& cmd) { return "C:" + cmd.idempotency_key; }

// The top-level members a merge patch names (they count as set by a person).
std::vector<std::string> patch_members(std::string_view patch_json) {
  std::vector<std::string> out;
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (patch_json.empty() || parser.parse(patch_json.data(), patch_json.size()).get(object) != simdjson::SUCCESS) {
    return out;
  }
  for (auto field : object) out.emplace_back(field.key);
  return out;
}

}  // namespace

Result<Lead> apply_change_lead(WriteTxn& txn, const ChangeLeadCommand& cmd, TimeMs now, store::Outbox& outbox,
                               store::Processor* processor, const store::ChangeCause& cause) {
  if (!cmd.idempotency_key.empty()) {  // a retry: the change is in already
    if (auto id = lookup_id(txn, txn.dbi().idempotency, change_key(cmd)); id && *id == cmd.id) {
      if (auto st = check_same_request(txn, change_key(cmd), cmd.request_fingerprint); !st) return st.error();
      return load_lead(txn, *id);
    }
  }
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
  std::optional<store::ChangeProcessing> processed;
  if (processor != nullptr) {
    if (auto st = store::check_approved(processor->config().approval, txn, before, after); !st) return st.error();
    processed = processor->process_change(txn, after, patch_members(cmd.patch_json));
    // Again for what the rules set: a qualification they give an open lead qualifies it.
    if (auto st = apply_lifecycle(before, after, now); !st) return st.error();
  }
  if (auto errors = validate(after); !errors.empty()) return Error::invalid(std::move(errors));
  if (auto st = check_refs_unowned(txn, after); !st) return st.error();
  if (after.prospect.partner_id != before.prospect.partner_id) {
    if (auto st = check_partner_exists(txn, after.prospect.partner_id, "prospect.partner_id"); !st) return st.error();
  }
  if (processed && processed->rerouted && after.owner.assignee.empty()) {
    // Only now, with the checks passed: the pick moves the channel's round robin on.
    if (auto picked = processor->pick_in_channel(txn, after.owner.channel)) {
      after.owner.assignee = picked->assignee;
      picked->reason = "channel chosen by classification: " + picked->reason;
      processed->rerouted_pick = std::move(picked);
    }
  }
  auto changes = diff_members(before, after);
  if (!cmd.idempotency_key.empty()) {
    txn.put(txn.dbi().idempotency, change_key(cmd), idempotency_value(cmd.id, cmd.request_fingerprint));
  }
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
  if (after.status != before.status) store::note_status_change(txn, after, now);

  std::uint16_t n = 0;
  for (auto& change : changes) {
    change.at = now;
    change.user = cmd.actor.user;
    change.connector = cmd.actor.connector;
    change.action = "changed";
    change.version = after.version;
    put_audit(txn, after.id, n++, change);
  }
  if (processed) {
    processor->record_change(txn, before, after, *processed);
    put_audit(txn, after.id, n++,
              store::action_entry(now, cmd.actor, "processed", after.version, "(processing)",
                                  store::Processor::explain_change(*processed, cause, cmd.actor)));
  }
  append_change_events(outbox, txn, cmd, before, after, changes, json);
  return after;
}

void LeadStore::change_lead_async(ChangeLeadCommand command, std::function<void(Result<Lead>)> done) {
  if (auto st = check_actor(command.actor); !st) {
    done(st.error());
    return;
  }
  if (command.idempotency_key.size() > limits::kMediumText) {
    done(Error::invalid({{"idempotency_key", "longer than 255 bytes"}}));
    return;
  }
  auto state = std::make_shared<JobState<ChangeLeadCommand, Lead>>();
  state->command = std::move(command);
  writer_->submit(store::WriteJob{[this, state](WriteTxn& txn) {
                                    state->result = apply_change_lead(txn, state->command, clock().now_ms(), *outbox_,
                                                                      processor_.get());
                                  },
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
    return Created<BusinessPartner>{std::move(partner).value(), false, {}};
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
  return Created<BusinessPartner>{std::move(p), true, {}};
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
