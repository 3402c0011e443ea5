#include "store/processor.hpp"

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <mutex>

#include "json/json_writer.hpp"
#include "json/record_json.hpp"
#include "processing/assign.hpp"
#include "processing/classify.hpp"
#include "processing/dedupe.hpp"
#include "store/due_index.hpp"
#include "store/keys.hpp"

namespace leadhub::store {

using processing::MatchKey;

namespace {

constexpr char kSep = '\x1f';
constexpr std::string_view kModelKey = "processing.model";

bool is_open(LeadStatus status) {
  return status != LeadStatus::converted && status != LeadStatus::declined && status != LeadStatus::closed;
}

std::string rr_key(const std::string& channel) { return std::string("rr\0", 3) + channel; }
std::string load_prefix(const std::string& channel) { return std::string("load\0", 5) + channel + '\0'; }

std::uint64_t read_counter(const WriteTxn& txn, std::string_view key) {
  std::string_view value;
  if (!txn.get(txn.dbi().meta, key, value) || value.size() != 8) return 0;
  return read_be64(value);
}

// Open leads per member of a channel, and where its round robin stands.
processing::ChannelLoad channel_load(const WriteTxn& txn, const processing::Channel& channel) {
  processing::ChannelLoad load;
  load.round_robin_next = read_counter(txn, rr_key(channel.name));
  for (const auto& m : channel.members) {
    load.open_leads[m.name] = static_cast<std::uint32_t>(read_counter(txn, load_prefix(channel.name) + m.name));
  }
  return load;
}

void add_to_counter(WriteTxn& txn, const std::string& key, int delta) {
  const std::uint64_t now = read_counter(txn, key);
  const std::uint64_t next = delta < 0 ? (now == 0 ? 0 : now - 1) : now + 1;
  txn.put(txn.dbi().meta, key, be64(next));
}

// The fields a person set by hand, as classification understands them, from the
// members a patch named (owner and attributes by their parts).
void add_manual(processing::ManualFields& manual, const std::string& member, const Lead& after) {
  if (member == "qualification" || member == "priority") manual.insert(member);
  if (member == "owner") manual.insert("owner");
  if (member == "attributes") {
    for (const auto& [key, value] : after.attributes) manual.insert("attributes." + key);
  }
}

processing::ManualFields read_manual(const WriteTxn& txn, RecordId id) {
  processing::ManualFields out;
  std::string_view stored;
  if (!txn.get(txn.dbi().manual, id_key(id), stored)) return out;
  std::size_t from = 0;
  while (from < stored.size()) {
    const std::size_t end = std::min(stored.find('\n', from), stored.size());
    out.emplace(stored.substr(from, end - from));
    from = end + 1;
  }
  return out;
}

void write_manual(WriteTxn& txn, RecordId id, const processing::ManualFields& manual) {
  std::string joined;
  for (const auto& f : manual) {
    if (!joined.empty()) joined += '\n';
    joined += f;
  }
  if (!joined.empty()) txn.put(txn.dbi().manual, id_key(id), joined);
}

std::string fixed3(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

void write_score(JsonWriter& w, const processing::ScoreResult& score) {
  w.key_identifier("score").begin_object();
  w.key_identifier("value").value(static_cast<unsigned>(score.score));
  w.key_identifier("from").value(score.from_model ? "model" : "weights");
  w.key_identifier("top").begin_array();
  for (const auto& c : score.contributions) {
    w.begin_object();
    w.key_identifier("field").value(c.field);
    w.key_identifier("value").value(c.value);
    w.key_identifier("weight").raw(fixed3(c.weight));
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

// Every stored lead that decodes, in id order (one pass for whole-store work).
Status for_each_stored_lead(const WriteTxn& txn, const std::function<void(const Lead&)>& fn) {
  MDB_cursor* cursor = nullptr;
  if (const int rc = mdb_cursor_open(txn.get(), txn.dbi().leads, &cursor); rc != 0) {
    return Error::make(ErrorCode::unavailable, "cannot read leads: " + lmdb_message(rc));
  }
  MDB_val k{}, v{};
  for (int rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
    if (auto lead = lead_from_json(to_view(v), DecodeMode::stored)) fn(*lead);
  }
  mdb_cursor_close(cursor);
  return ok_status();
}

void write_duplicate_check(JsonWriter& w, const DuplicateCheck& check) {
  w.begin_object();
  w.key_identifier("policy").value(processing::to_string(check.policy));
  w.key_identifier("duplicate").value(check.decision.duplicate);
  w.key_identifier("candidates_checked").value(static_cast<std::uint64_t>(check.decision.candidates_checked));
  w.key_identifier("matches").begin_array();
  for (const auto& m : check.decision.matches) {
    w.begin_object();
    w.key_identifier("id").value(m.id.to_string());
    w.key_identifier("score").raw(fixed3(m.score));
    w.key_identifier("rules").begin_array();
    for (const auto& h : m.hits) w.value(h.rule);
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

void write_duplicates(JsonWriter& w, const DuplicateCheck& check) {
  w.key_identifier("duplicates");
  write_duplicate_check(w, check);
}

// `by_hand`: the person who assigned the lead manually; null for the rules' pick.
void write_assignment(JsonWriter& w, const processing::Assignment& a, const Actor* by_hand = nullptr) {
  w.key_identifier("assignment").begin_object();
  w.key_identifier("rule").value(a.rule);
  w.key_identifier("channel").value(a.channel);
  w.key_identifier("assignee").value(a.assignee);
  w.key_identifier("reason").value(a.reason);
  if (a.distribution) w.key_identifier("distribution").value(processing::to_string(*a.distribution));
  if (by_hand != nullptr) {
    w.key_identifier("manual").value(true);
    w.key_identifier("by").value(by_hand->user);
  }
  w.end_object();
}

// Who the create was that updated this lead; the entry's own `connector` says it
// too, but the explanation stands alone (a merge copies it into another trail).
void write_duplicate_create(JsonWriter& w, const DuplicateCreate& create, const Actor& actor) {
  w.key_identifier("duplicate_create").begin_object();
  w.key_identifier("connector").value(actor.connector);
  if (!create.idempotency_key.empty()) w.key_identifier("idempotency_key").value(create.idempotency_key);
  if (!create.external_refs.empty()) {
    w.key_identifier("external_refs");
    write_json(w, create.external_refs);
  }
  w.end_object();
}

void write_rules(JsonWriter& w, const std::vector<std::string>& rules) {
  w.key_identifier("classification").begin_array();
  for (const auto& r : rules) w.value(r);
  w.end_array();
}

}  // namespace

// ---- match keys ----------------------------------------------------------------

std::string encode_match(const MatchKey& k, RecordId partner) {
  std::string out;
  for (const std::string* f : {&k.email, &k.phone, &k.given, &k.family, &k.company, &k.postal, &k.city, &k.country}) {
    out += *f;
    out += kSep;
  }
  out += std::to_string(partner.raw());
  return out;
}

bool decode_match(std::string_view bytes, MatchKey& k, RecordId& partner) {
  std::string* fields[] = {&k.email, &k.phone, &k.given, &k.family, &k.company, &k.postal, &k.city, &k.country};
  std::size_t from = 0;
  for (std::string* f : fields) {
    const std::size_t end = bytes.find(kSep, from);
    if (end == std::string_view::npos) return false;
    f->assign(bytes.substr(from, end - from));
    from = end + 1;
  }
  std::uint64_t raw = 0;
  for (char c : bytes.substr(from)) {
    if (c < '0' || c > '9') return false;
    raw = raw * 10 + static_cast<std::uint64_t>(c - '0');
  }
  partner = RecordId(raw);
  return true;
}

// ---- pending matches of a bulk job ---------------------------------------------

void PendingMatches::add(const NewLeadFacts& facts, RecordId id, RecordId partner) {
  MatchKey& key = keys_.emplace_back(facts.key);
  key.id = id;
  for (const auto& b : facts.blocking) by_block_.emplace(b, &key);
  if (!partner.empty()) partners_[id.raw()] = partner;
}

void PendingMatches::collect(const std::string& block, std::vector<const MatchKey*>& out) const {
  auto [first, last] = by_block_.equal_range(block);
  for (auto it = first; it != last; ++it) out.push_back(it->second);
}

RecordId PendingMatches::partner_of(RecordId id) const {
  auto it = partners_.find(id.raw());
  return it == partners_.end() ? RecordId() : it->second;
}

// ---- the processor -------------------------------------------------------------

Processor::Processor(std::shared_ptr<const processing::ProcessingConfig> config)
    : config_(std::move(config)), committed_(config_->scoring) {}

processing::ScoreResult Processor::score(const Lead& lead) const {
  std::shared_lock lock(model_mutex_);
  return committed_.score(lead);
}

NewLeadFacts Processor::prepare_new(Lead& lead) const {
  NewLeadFacts facts;
  auto classified = processing::classify(config_->classification, lead, {});
  lead = std::move(classified.lead);
  facts.classified = std::move(classified.matched_rules);
  facts.score = score(lead);
  lead.score = facts.score.score;
  facts.key = processing::make_match_key(lead, config_->duplicates.normalize);
  facts.blocking = processing::blocking_keys(facts.key);
  return facts;
}

NewLeadFacts Processor::match_facts(const Lead& lead) const {
  NewLeadFacts facts;
  facts.key = processing::make_match_key(lead, config_->duplicates.normalize);
  facts.blocking = processing::blocking_keys(facts.key);
  return facts;
}

DuplicateCheck Processor::check_new(MDB_txn* txn, const Dbis& dbi, const NewLeadFacts& facts, const Actor& actor,
                                    const PendingMatches* pending) const {
  DuplicateCheck out;
  out.policy = config_->duplicates.policy_for(actor.connector);
  std::deque<MatchKey> stored;  // stable addresses
  std::vector<const MatchKey*> candidates;
  std::unordered_map<std::uint64_t, RecordId> partners;
  const std::size_t limit = config_->duplicates.max_candidates;
  MDB_cursor* cursor = nullptr;
  if (mdb_cursor_open(txn, dbi.by_block, &cursor) != 0) return out;
  for (const auto& block : facts.blocking) {
    MDB_val k = to_val(block);
    MDB_val v{};
    for (int rc = mdb_cursor_get(cursor, &k, &v, MDB_SET_KEY); rc == 0 && candidates.size() < limit;
         rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT_DUP)) {
      if (v.mv_size != 8) continue;
      const RecordId id = RecordId::from_key(v.mv_data);
      if (partners.count(id.raw()) != 0) continue;  // met under an earlier blocking key
      const std::string id_bytes = id_key(id);
      MDB_val record_key = to_val(id_bytes);
      MDB_val record{};
      RecordId partner;
      MatchKey& key = stored.emplace_back();
      if (mdb_get(txn, dbi.match, &record_key, &record) != 0 || !decode_match(to_view(record), key, partner)) {
        stored.pop_back();
        continue;
      }
      key.id = id;
      partners[id.raw()] = partner;
      candidates.push_back(&key);
    }
    if (pending != nullptr) pending->collect(block, candidates);
  }
  mdb_cursor_close(cursor);
  // A lead of the bulk job under two blocking keys is one candidate.
  std::sort(candidates.begin(), candidates.end(), [](auto* a, auto* b) { return a->id < b->id; });
  candidates.erase(std::unique(candidates.begin(), candidates.end(), [](auto* a, auto* b) { return a->id == b->id; }),
                   candidates.end());
  out.decision = processing::check_duplicates(config_->duplicates, facts.key,
                                              std::span<const MatchKey* const>(candidates.data(), candidates.size()));
  if (auto best = out.decision.best()) {
    auto it = partners.find(best->raw());
    out.best_partner = it != partners.end() ? it->second : (pending ? pending->partner_of(*best) : RecordId());
  }
  return out;
}

std::optional<processing::Assignment> Processor::assign_new(WriteTxn& txn, Lead& lead) const {
  if (!lead.owner.assignee.empty()) return std::nullopt;  // the source chose the owner
  if (!lead.owner.channel.empty()) {
    // A channel alone (a rule's `owner: {channel}`) still needs its member, or the
    // channel's distribution would never run for the leads routed to it that way.
    auto picked = pick_in_channel(txn, lead.owner.channel);
    if (!picked) return std::nullopt;  // not one of ours (a partner's channel): as given
    lead.owner.assignee = picked->assignee;
    picked->reason = "channel chosen before assignment: " + picked->reason;
    return picked;
  }
  std::map<std::string, processing::ChannelLoad> loads;
  for (const auto& [name, channel] : config_->assignment.channels) loads[name] = channel_load(txn, channel);
  auto decision = processing::assign(config_->assignment, lead, loads);
  if (!decision) return std::nullopt;
  lead.owner.channel = decision->channel;
  lead.owner.assignee = decision->assignee;
  txn.put(txn.dbi().meta, rr_key(decision->channel), be64(decision->round_robin_next));
  return decision;
}

std::optional<processing::Assignment> Processor::pick_in_channel(WriteTxn& txn, const std::string& channel) const {
  auto it = config_->assignment.channels.find(channel);
  if (it == config_->assignment.channels.end()) return std::nullopt;
  auto picked = processing::pick_member(it->second, channel_load(txn, it->second));
  txn.put(txn.dbi().meta, rr_key(channel), be64(picked.round_robin_next));
  return picked;
}

void Processor::index_new(WriteTxn& txn, const Lead& lead, const NewLeadFacts& facts) const {
  const std::string id = id_key(lead.id);
  for (const auto& b : facts.blocking) txn.put(txn.dbi().by_block, b, id, MDB_NODUPDATA);
  txn.put_last(txn.dbi().match, id, encode_match(facts.key, lead.prospect.partner_id));
  update_load(txn, Lead{}, lead);
  if (config_->aging.enabled()) reindex_due(txn, config_->aging, lead);
}

void Processor::update_load(WriteTxn& txn, const Lead& before, const Lead& after) const {
  const bool was = !before.owner.assignee.empty() && !before.id.empty() && is_open(before.status);
  const bool is = !after.owner.assignee.empty() && is_open(after.status);
  if (was && is && before.owner == after.owner) return;
  if (was) add_to_counter(txn, load_prefix(before.owner.channel) + before.owner.assignee, -1);
  if (is) add_to_counter(txn, load_prefix(after.owner.channel) + after.owner.assignee, +1);
}

ChangeProcessing Processor::process_change(const WriteTxn& txn, Lead& after,
                                           const std::vector<std::string>& patched) const {
  ChangeProcessing out;
  out.manual = read_manual(txn, after.id);
  const std::size_t known = out.manual.size();
  for (const auto& member : patched) add_manual(out.manual, member, after);
  out.manual_changed = out.manual.size() != known;

  auto classified = processing::classify(config_->classification, after, out.manual);
  after = std::move(classified.lead);
  out.rerouted = std::any_of(classified.changes.begin(), classified.changes.end(),
                             [](const processing::FieldChange& c) { return c.field == "owner.channel"; });
  out.score = score(after);
  after.score = out.score.score;
  out.classified = std::move(classified.matched_rules);
  out.kept_manual.reserve(classified.kept_manual.size());
  for (auto& k : classified.kept_manual) out.kept_manual.push_back(std::move(k.field));
  return out;
}

void Processor::record_change(WriteTxn& txn, const Lead& before, const Lead& after, const ChangeProcessing& done) {
  if (done.manual_changed) write_manual(txn, after.id, done.manual);
  learn(before, after);
  const MatchKey old_key = processing::make_match_key(before, config_->duplicates.normalize);
  const MatchKey new_key = processing::make_match_key(after, config_->duplicates.normalize);
  const std::string old_record = encode_match(old_key, before.prospect.partner_id);
  const std::string new_record = encode_match(new_key, after.prospect.partner_id);
  if (old_record != new_record) {
    const std::string id = id_key(after.id);
    const std::string_view id_view = id;
    for (const auto& b : processing::blocking_keys(old_key)) txn.del(txn.dbi().by_block, b, &id_view);
    for (const auto& b : processing::blocking_keys(new_key)) txn.put(txn.dbi().by_block, b, id, MDB_NODUPDATA);
    txn.put(txn.dbi().match, id, new_record);
  }
  update_load(txn, before, after);
  if (config_->aging.enabled()) reindex_due(txn, config_->aging, after);  // any change restarts the clock
}

std::string duplicates_json(const DuplicateCheck& check) {
  std::string out;
  JsonWriter w(out);
  write_duplicate_check(w, check);
  return out;
}

std::string Processor::explain_new(const NewLeadFacts& facts, const DuplicateCheck* check,
                                   const std::optional<processing::Assignment>& assignment) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  write_rules(w, facts.classified);
  write_score(w, facts.score);
  if (check != nullptr) write_duplicates(w, *check);
  if (assignment) write_assignment(w, *assignment);
  w.end_object();
  return out;
}

std::string Processor::explain_change(const ChangeProcessing& done, const ChangeCause& cause, const Actor& actor) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  write_rules(w, done.classified);
  w.key_identifier("kept_manual").begin_array();
  for (const auto& k : done.kept_manual) w.value(k);
  w.end_array();
  write_score(w, done.score);
  if (cause.duplicate_create != nullptr) {
    write_duplicates(w, cause.duplicate_create->check);  // as a create's own check reads
    write_duplicate_create(w, *cause.duplicate_create, actor);
  }
  if (cause.manual_assignment != nullptr) {
    write_assignment(w, *cause.manual_assignment, &actor);
  } else if (done.rerouted_pick) {
    write_assignment(w, *done.rerouted_pick);
  }
  w.end_object();
  return out;
}

// ---- the learned model ------------------------------------------------------------

void Processor::learn(const Lead& before, const Lead& after) {
  const auto was = processing::outcome_of(before.status);
  const auto is = processing::outcome_of(after.status);
  if (was == is) return;
  if (!working_) {
    std::shared_lock lock(model_mutex_);
    working_ = committed_;
  }
  if (was) working_->forget(before, *was);
  if (is) working_->record(after, *is);
}

void Processor::batch_begin(WriteTxn&) { working_.reset(); }  // a replayed attempt starts again

void Processor::before_commit(WriteTxn& txn) {
  if (working_) txn.put(txn.dbi().meta, kModelKey, working_->state().to_json());
}

void Processor::after_commit(bool committed) {
  if (committed && working_) {
    std::unique_lock lock(model_mutex_);
    committed_ = std::move(*working_);
  }
  working_.reset();
}

Status Processor::load_model(MDB_txn* txn, const Dbis& dbi) {
  MDB_val k = to_val(kModelKey);
  MDB_val v{};
  if (mdb_get(txn, dbi.meta, &k, &v) != 0) return ok_status();
  auto state = processing::ScorerState::from_json(to_view(v));
  if (!state) return state.error();
  std::unique_lock lock(model_mutex_);
  committed_ = processing::LeadScorer(config_->scoring, std::move(state).value());
  return ok_status();
}

Status Processor::rebuild_model(const WriteTxn& txn) {
  processing::LeadScorer fresh(config_->scoring);
  auto st = for_each_stored_lead(txn, [&fresh](const Lead& lead) {
    if (auto outcome = processing::outcome_of(lead.status)) fresh.record(lead, *outcome);
  });
  if (!st) return st;
  working_ = std::move(fresh);
  return ok_status();
}

void Processor::reindex_lead(WriteTxn& txn, const Lead& lead) const {
  const std::string id = id_key(lead.id);
  const std::string_view id_view = id;
  const MatchKey key = processing::make_match_key(lead, config_->duplicates.normalize);
  const std::string record = encode_match(key, lead.prospect.partner_id);
  MatchKey old_key;
  RecordId old_partner;
  std::string_view old_record;
  const bool had = txn.get(txn.dbi().match, id, old_record) && decode_match(old_record, old_key, old_partner);
  if (!had || encode_match(old_key, old_partner) != record) {
    if (had) {
      for (const auto& b : processing::blocking_keys(old_key)) txn.del(txn.dbi().by_block, b, &id_view);
    }
    for (const auto& b : processing::blocking_keys(key)) txn.put(txn.dbi().by_block, b, id, MDB_NODUPDATA);
    txn.put(txn.dbi().match, id, record);
  }
  if (config_->aging.enabled()) return reindex_due(txn, config_->aging, lead);
  const DueRecord old = read_due(txn, lead.id);
  if (old.at != 0 || !old.raised.empty()) drop_due(txn, lead.id, old);  // aging was switched off
}

namespace {

// Every key in meta that starts with `prefix`.
std::vector<std::string> meta_keys_with_prefix(const WriteTxn& txn, const std::string& prefix) {
  std::vector<std::string> out;
  MDB_cursor* cursor = nullptr;
  if (const int rc = mdb_cursor_open(txn.get(), txn.dbi().meta, &cursor); rc != 0) {
    throw LmdbFailure{rc, "meta: " + lmdb_message(rc)};
  }
  MDB_val k = to_val(prefix);
  MDB_val v{};
  for (int rc = mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE); rc == 0 && to_view(k).starts_with(prefix);
       rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
    out.emplace_back(to_view(k));
  }
  mdb_cursor_close(cursor);
  return out;
}

}  // namespace

Status Processor::recount_loads(WriteTxn& txn) const {
  std::map<std::string, std::uint64_t> counts;
  auto st = for_each_stored_lead(txn, [&counts](const Lead& lead) {
    if (!lead.owner.assignee.empty() && is_open(lead.status)) {
      ++counts[load_prefix(lead.owner.channel) + lead.owner.assignee];
    }
  });
  if (!st) return st;
  // Old counters go, also those of members no longer configured.
  for (const auto& key : meta_keys_with_prefix(txn, std::string("load\0", 5))) txn.del(txn.dbi().meta, key);
  for (const auto& [key, n] : counts) txn.put(txn.dbi().meta, key, be64(n));
  return ok_status();
}

std::string index_fingerprint(const processing::ProcessingConfig& config) {
  std::string out = "v1 plus:";
  const auto& n = config.duplicates.normalize;
  out += n.strip_plus_addressing ? '1' : '0';
  out += " gmail:";
  out += n.googlemail_is_gmail ? '1' : '0';
  out += " reminders:";
  out += config.aging.reminders ? '1' : '0';
  auto days = [](const std::optional<double>& d) { return d ? std::to_string(*d) : std::string("-"); };
  for (const auto& r : config.aging.rules) {
    out += " rule:" + std::string(to_string(r.status)) + "/" + r.channel + "/" + days(r.escalate_after_days) + "/" +
           days(r.close_after_days);
  }
  return out;
}

processing::ScorerState Processor::model() const {
  std::shared_lock lock(model_mutex_);
  return committed_.state();
}

}  // namespace leadhub::store
