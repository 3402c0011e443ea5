// Lead processing inside the store (StoreOptions::processing): the pure rules of
// core/processing applied to every created and changed lead, whatever connector
// it came through, with the state they need kept in LMDB and written in the same
// transaction as the lead:
//   - duplicate check: blocking keys in "idx_block", match keys in "match", so a
//     check reads a few small records and never scans; leads earlier in the same
//     bulk job are seen through PendingMatches;
//   - classification on the caller's thread at create, and on change with the
//     fields a person set ("manual") kept;
//   - score from the learned model (counts in "meta", updated when a lead is
//     won or lost) or the configured weights;
//   - assignment: round-robin positions and open leads per member in "meta".
// Each decision is written as one "processed" audit entry that explains it.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "processing/classify.hpp"
#include "processing/config.hpp"
#include "store/write_queue.hpp"

namespace leadhub::store {

// What processing works out for a new lead before the writer sees it.
struct NewLeadFacts {
  processing::MatchKey key;
  std::vector<std::string> blocking;
  std::vector<std::string> classified;  // classification rules that matched
  processing::ScoreResult score;
};

// Match keys of the current bulk job's leads, which are not in the indexes yet.
class PendingMatches {
 public:
  void add(const NewLeadFacts& facts, RecordId id, RecordId partner);
  void collect(const std::string& block, std::vector<const processing::MatchKey*>& out) const;
  RecordId partner_of(RecordId id) const;

 private:
  std::deque<processing::MatchKey> keys_;  // stable addresses
  std::unordered_multimap<std::string, const processing::MatchKey*> by_block_;
  std::unordered_map<std::uint64_t, RecordId> partners_;
};

struct DuplicateCheck {
  processing::DuplicateDecision decision;
  processing::DuplicatePolicy policy = processing::DuplicatePolicy::flag;
  RecordId best_partner;  // the best match's business partner, for `link`
};

// What the rules decided for a change, explained in its "processed" audit entry
// (Processor::explain_change) once the change is known to be made.
struct ChangeProcessing {
  processing::ManualFields manual;
  bool manual_changed = false;
  bool rerouted = false;                 // a rule moved the lead to another channel
  std::vector<std::string> classified;   // classification rules that matched
  std::vector<std::string> kept_manual;  // fields a rule wanted but a person's value won
  processing::ScoreResult score;
  std::optional<processing::Assignment> rerouted_pick;  // the member picked in the channel a rule chose
};

// A create that found the lead as its duplicate under policy `update` and changed
// it instead of being stored: the duplicate check, and the create's own identity
// (whichever it carried), so the changed lead's trail says where the change came from.
struct DuplicateCreate {
  const DuplicateCheck& check;
  const std::string& idempotency_key;             // "" when it carried none
  const std::vector<ExternalRef>& external_refs;  // empty when it carried none
};

// Why a change was made when its patch alone does not say it. Explained in the
// change's "processed" entry next to what the rules decided.
struct ChangeCause {
  const DuplicateCreate* duplicate_create = nullptr;
  // A manual (re)assignment by the change's actor: the member named, or the one
  // the channel's distribution picked.
  const processing::Assignment* manual_assignment = nullptr;
};

class Processor {
 public:
  explicit Processor(std::shared_ptr<const processing::ProcessingConfig> config);

  const processing::ProcessingConfig& config() const { return *config_; }

  // Caller's thread: classification (a new lead has no manual fields), score and
  // match key. Changes `lead`.
  NewLeadFacts prepare_new(Lead& lead) const;
  // Only the match key and blocking keys (a duplicate check without a create).
  NewLeadFacts match_facts(const Lead& lead) const;

  // Writer thread, inside the batch transaction.
  // Reads only, so a read transaction serves too (LeadStore::check_duplicates).
  DuplicateCheck check_new(MDB_txn* txn, const Dbis& dbi, const NewLeadFacts& facts, const Actor& actor,
                           const PendingMatches* pending) const;
  // Assigns a lead that has no owner yet, or picks the member of the configured
  // channel the source or a classification rule chose without naming one; returns
  // the decision (none: no rule, or the owner stands as given).
  std::optional<processing::Assignment> assign_new(WriteTxn& txn, Lead& lead) const;
  // The member of a configured channel its distribution picks now (and moves the
  // round robin on); nullopt when the channel is not configured.
  std::optional<processing::Assignment> pick_in_channel(WriteTxn& txn, const std::string& channel) const;
  // Index and bookkeeping of a stored new lead.
  void index_new(WriteTxn& txn, const Lead& lead, const NewLeadFacts& facts) const;
  // A change, in two steps so nothing is written before the change's checks pass:
  // the rules again (keeping what a person set: the members the patch named
  // become manual) and the score, then the writes (manual fields, what the model
  // learns from an outcome, match keys, open-lead counts).
  ChangeProcessing process_change(const WriteTxn& txn, Lead& after, const std::vector<std::string>& patched) const;
  void record_change(WriteTxn& txn, const Lead& before, const Lead& after, const ChangeProcessing& done);
  // The explanation of a new lead's processing, for its audit entry.
  static std::string explain_new(const NewLeadFacts& facts, const DuplicateCheck* check,
                                 const std::optional<processing::Assignment>& assignment);
  // The explanation of a change's processing and of its cause, for its audit entry;
  // `actor` made the change (the create's connector, the assigning user).
  static std::string explain_change(const ChangeProcessing& done, const ChangeCause& cause, const Actor& actor);

  // Batch hooks (WriteQueue::set_batch_hooks / set_after_commit).
  void batch_begin(WriteTxn& txn);
  void before_commit(WriteTxn& txn);
  void after_commit(bool committed);

  // Loads the learned counts (at open).
  Status load_model(MDB_txn* txn, const Dbis& dbi);
  // Relearns the model from every won and lost lead in the store (one pass).
  Status rebuild_model(const WriteTxn& txn);
  processing::ScorerState model() const;

  // The indexes of a lead stored before processing (or before a config change that
  // moves them): its match record and blocking keys from today's normalization,
  // and its due entry from today's aging rules (what was raised is kept).
  void reindex_lead(WriteTxn& txn, const Lead& lead) const;
  // The open leads per channel member, counted again from every lead (one pass).
  Status recount_loads(WriteTxn& txn) const;

 private:
  processing::ScoreResult score(const Lead& lead) const;  // with the committed model
  void learn(const Lead& before, const Lead& after);
  void update_load(WriteTxn& txn, const Lead& before, const Lead& after) const;

  std::shared_ptr<const processing::ProcessingConfig> config_;
  mutable std::shared_mutex model_mutex_;
  processing::LeadScorer committed_;               // read by callers' threads
  std::optional<processing::LeadScorer> working_;  // the writer's, during a batch that learns
};

// What the stored indexes depend on (normalization, aging rules); kept in "meta"
// under kIndexFingerprintKey so a store opened with other settings knows its
// match keys and due entries are stale (LeadStore::reindex_processing).
std::string index_fingerprint(const processing::ProcessingConfig& config);
inline constexpr std::string_view kIndexFingerprintKey = "processing.index";

// The duplicate check as JSON: {"policy","duplicate","candidates_checked",
// "matches":[{"id","score","rules"}]}, as in the "processed" audit entry.
std::string duplicates_json(const DuplicateCheck& check);

// Match keys as stored in "match": the fields, then the partner id.
std::string encode_match(const processing::MatchKey& key, RecordId partner);
bool decode_match(std::string_view bytes, processing::MatchKey& key, RecordId& partner);

}  // namespace leadhub::store
