// LeadStore: the lead operations on LMDB. Writes go through the group-commit writer
// and complete only after their commit; reads run on the calling thread.
//
//   CreateBusinessPartner, CreateLead, ReadLead, FindLeads, ChangeLead, ReadAudit
//
// Expected failures come back as Error values: invalid (field errors), not_found,
// version_conflict, illegal_transition, locked, unavailable.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/lead.hpp"
#include "util/clock.hpp"
#include "util/histogram.hpp"
#include "util/result.hpp"

namespace leadhub {

namespace processing {
struct ProcessingConfig;
}

struct ReportQuery;  // store/lead_report.hpp
struct LeadReport;

namespace store {
class Processor;
class LmdbEnv;
class WriteQueue;
class WriteTxn;
class Outbox;
}  // namespace store

struct StoreOptions {
  std::string path = "data";
  std::size_t map_size = std::size_t{1} << 30;  // grown (doubled) whenever it fills up
  std::size_t max_batch = 2000;                 // commands per group commit
  std::uint32_t partition = 0;                  // carried in every id
  const Clock* clock = &SystemClock::instance();
  // Pages read through LMDB's memory map stay in the process's RSS although they are
  // page cache, not allocations: past this many resident bytes of file pages, the
  // writer drops them after a commit (0: never). See LmdbEnv::trim_resident.
  std::size_t resident_map_budget = std::size_t{40} << 20;
  // ... unless the process's whole RSS is below this: then the map may fill what
  // is left (fewer trims, fewer pages faulted back in). 150 MB keeps a 1,000,000-lead
  // import under its 200 MB target with room for what grows between two checks.
  std::size_t resident_target = std::size_t{150} << 20;
  // Bulk imports stage e-mail and phone index entries (store/staging.hpp). The
  // writer merges a stage into its index once it holds this many entries and at
  // least as many as the index (so each index entry is rewritten by a merge only a
  // few times however large the import), and once it has had no job for
  // staged_merge_idle_ms after a commit (0: never; a hub that keeps running after an
  // import must not leave its finds scanning a stage; longer than the pause between
  // an import's batches). The store also merges every stage when it opens and
  // closes. Merges run in transactions of staged_merge_chunk entries.
  std::uint64_t staged_merge_at = 1'000'000;
  std::size_t staged_merge_chunk = 100'000;
  std::uint32_t staged_merge_idle_ms = 1000;
  // Every committed change writes its events (store/events.hpp) into the outbox in
  // the same transaction. Off only for a store whose events nobody consumes.
  bool events = true;
  // Lead processing (duplicate check, classification, scoring, assignment) applied
  // to every create and change; null: none (store/processor.hpp).
  std::shared_ptr<const processing::ProcessingConfig> processing;
  // Told what the store does at open that takes a while and happens once (filling
  // the report's history of a store written by an earlier version), one line each,
  // for the log; null: nobody is told.
  std::function<void(std::string_view)> notice;
  // Opened only to read (a store on a read-only file system: a backup on read-only
  // media, a snapshot): nothing is merged or filled in at open, and every write is
  // refused as unavailable, naming the store.
  bool read_only = false;
};

struct CreateLeadCommand {
  Lead lead;
  Actor actor;
  std::string idempotency_key;  // a retry with the same key returns the same lead
  // A lead without prospect.partner_id gets the business partner with the
  // prospect's e-mail, or a new one made from the prospect (when it names a
  // person or company), in the same transaction: how web forms register people.
  bool with_partner = false;
  // A partner's create (an API key or AMQP login bound to a partner): a lead
  // already stored under its idempotency key or external reference is returned
  // only when this owner channel holds it. One of another owner is refused as a
  // duplicate naming the key or reference, never shown: it is not the partner's.
  std::string owner_scope = {};
  // What identifies the request the idempotency key came with (the HTTP API: a
  // hash of its body). A later create under the key with another fingerprint is
  // refused: a key names one request. Empty: not checked (CLI, AMQP).
  std::string request_fingerprint = {};
};

struct CreatePartnerCommand {
  BusinessPartner partner;
  Actor actor;
  std::string idempotency_key;
};

// What a bulk import learns of each create: the stored id, and whether it is new.
struct CreateOutcome {
  RecordId id;
  bool created = true;
};

// created == false when the command was a replay (same idempotency key) or the
// record already exists under one of its external references: nothing new stored.
template <typename T>
struct Created {
  T record;
  bool created = true;
  std::string json;  // the record as stored, when the store has it at hand (a new lead); else empty
};

struct ChangeLeadCommand {
  RecordId id;
  std::optional<std::uint64_t> expected_version;  // refused as a conflict when stale
  std::string patch_json;                         // JSON Merge Patch on the canonical lead
  Actor actor;
  // Notes added after the patch (a patch's "notes" member would replace them all):
  // how call centres and partners add to a lead's history.
  std::vector<Note> append_notes;
  // A retry with the same key changes nothing again and returns the lead as it is.
  std::string idempotency_key;
  std::string request_fingerprint = {};  // as for CreateLeadCommand
};

// MergeLeads: the others' notes, attachments and external references move to the
// survivor, their audit trails are copied into the survivor's, and each other lead
// is closed as a duplicate pointing at it (lead.merged on the survivor).
struct MergeLeadsCommand {
  RecordId survivor;
  std::vector<RecordId> others;  // 1 .. kMaxMergeLeads, distinct, not the survivor
  Actor actor;
};
inline constexpr std::size_t kMaxMergeLeads = 20;

// Manual (re)assignment to a channel: to `assignee`, or when empty to the member
// the channel's distribution picks (processing: assignment: channels), else to the
// channel's queue. Raises lead.assigned like any owner change.
struct AssignLeadCommand {
  RecordId id;
  std::string channel;
  std::string assignee;
  std::optional<std::uint64_t> expected_version;
  Actor actor;
};

// ConvertLead: a qualified or accepted lead becomes converted (through accepted),
// with an opportunity reference (made from the lead id when none is given), and
// is locked; lead.converted carries the lead and its prospect.
struct ConvertLeadCommand {
  RecordId id;
  std::string opportunity_ref;
  std::optional<std::uint64_t> expected_version;
  Actor actor;
};

// One approver's decision on one approval step (processing: approval).
struct ApprovalDecision {
  RecordId id;
  std::string step;
  bool approve = true;
  std::string comment;
  Actor actor;
  // The roles the decider holds; a step with a role may be decided only by its
  // holders. nullopt: not restricted (the CLI, an API without keys).
  std::optional<std::vector<std::string>> roles;
};

struct ApprovalStepState {
  std::string step;
  std::string role;
  std::string state = "pending";  // pending | approved | rejected
  std::string by;
  TimeMs at = 0;
  std::string comment;
};

// The approvals a lead needs now, in order, and whether all are given.
struct ApprovalState {
  std::vector<ApprovalStepState> steps;
  bool complete = true;
};
// One JSON form for the API and the CLI:
// {"complete","steps":[{"step","role","state","by"?,"at"?,"comment"?}]}.
std::string to_json(const ApprovalState& state);

// What one LeadStore::run_due did (aging: store/aging.hpp).
struct AgingCounts {
  std::uint64_t due = 0;        // leads taken from the due index
  std::uint64_t escalated = 0;  // lead.escalated raised
  std::uint64_t closed = 0;     // closed as aged (lead.aged)
  std::uint64_t reminded = 0;   // lead.reminder raised
  std::uint64_t failed = 0;     // an action refused (e.g. the lead no longer validates): retried later
  bool more = false;            // more leads were due than `limit`
};

// LeadStore::check_duplicates: what a create through the asking connector would
// find, without creating.
struct DuplicateReport {
  bool duplicate = false;
  std::optional<RecordId> best;  // the best match when duplicate
  std::string json;              // {"policy","duplicate","candidates_checked","matches":[{"id","score","rules"}]}
};

// What LeadStore::reindex_processing did.
struct ReindexCounts {
  std::uint64_t leads = 0;  // leads whose match keys and due entry were written again
};

struct LeadQuery {
  std::optional<LeadStatus> status;
  std::string owner_channel;
  std::optional<LeadSource> source;
  std::string campaign;
  std::string email;
  std::string phone;
  std::optional<ExternalRef> external_ref;
  std::optional<TimeMs> changed_since;
  std::size_t limit = 100;  // at most kMaxFindLimit
  RecordId after;           // cursor: the last id of the previous page
};

inline constexpr std::size_t kMaxFindLimit = 1000;

struct FindResult {
  std::vector<Lead> items;
  RecordId next;  // empty when there are no more hits
};

struct AuditEntry {
  TimeMs at = 0;
  std::string user;
  std::string connector;
  std::string action;  // created | changed | processed | merged | approved | rejected | escalated | aged | reminded
  std::uint64_t version = 0;
  std::string field;     // top-level member of the lead; empty for "created"
  std::string old_json;  // encoded JSON value, "null" when absent
  std::string new_json;
};

struct StoreStats {
  std::uint64_t leads = 0;
  std::uint64_t partners = 0;
  std::uint64_t audit_entries = 0;
  std::uint64_t idempotency_keys = 0;
  std::vector<std::pair<std::string, std::uint64_t>> leads_by_status;
  std::uint64_t map_size = 0;
  std::uint64_t used_bytes = 0;
  std::uint64_t format = 0;   // store/store_format.hpp
  std::uint64_t commits = 0;  // since this process opened the store, failed ones included
  std::uint64_t failed_commits = 0;
  std::uint64_t commands = 0;  // commands of the batches that committed
  std::uint64_t map_grows = 0;
  std::uint64_t largest_batch = 0;
  std::uint64_t last_batch = 0;
  HistogramSnapshot commit_ns;             // time of each batch transaction, commit (fsyncs) included
  HistogramSnapshot batch_commands;        // commands per commit
  std::uint64_t map_trims = 0;             // see StoreOptions::resident_map_budget
  std::uint64_t staged_index_entries = 0;  // e-mail / phone entries of bulk imports not yet merged
  std::uint64_t outbox_events = 0;         // committed events not yet routed to their targets
  std::vector<std::pair<std::string, std::uint64_t>> deliveries;  // per target: events not yet accepted
};

// An event as kept in the outbox or a target's delivery queue: its sequence number
// (commit order) and its JSON document, "id" included (store/events.hpp).
struct StoredEvent {
  std::uint64_t seq = 0;
  std::string json;
};

// Where one outbox event goes: the names of its targets (none: it is dropped).
struct RoutedEvent {
  std::uint64_t seq = 0;
  std::vector<std::string> targets;
};

class LeadStore {
 public:
  static Result<std::unique_ptr<LeadStore>> open(const StoreOptions& options);
  ~LeadStore();
  LeadStore(const LeadStore&) = delete;
  LeadStore& operator=(const LeadStore&) = delete;

  // Writes, synchronous: return after the commit.
  Result<Created<Lead>> create_lead(CreateLeadCommand command);
  Result<Created<BusinessPartner>> create_partner(CreatePartnerCommand command);
  Result<Lead> change_lead(ChangeLeadCommand command);

  // Writes, asynchronous: `done` runs on the writer thread after the commit. Keep it
  // short (hand the result over to your own thread).
  using CreateLeadDone = std::function<void(Result<Created<Lead>>)>;
  void create_lead_async(CreateLeadCommand command, CreateLeadDone done);
  // Many creates, put and committed together (one transaction per call, chunks of
  // kMaxBulkCreates): done(i, result) for commands[i], on the writer thread after the
  // commit, or on the caller's thread when the command is refused before.
  void create_leads_async(std::vector<CreateLeadCommand> commands,
                          const std::function<void(std::size_t, Result<Created<Lead>>)>& done);
  // The same for bulk imports, but without the records in the results: neither the
  // new leads nor the stored ones (found by idempotency key or external reference)
  // are kept or decoded, so big batches cost little memory.
  void import_leads_async(std::vector<CreateLeadCommand> commands,
                          const std::function<void(std::size_t, Result<CreateOutcome>)>& done);
  static constexpr std::size_t kMaxBulkCreates = 20'000;
  void change_lead_async(ChangeLeadCommand command, std::function<void(Result<Lead>)> done);
  // Returns the survivor as merged.
  Result<Lead> merge_leads(MergeLeadsCommand command);
  Result<Lead> assign_lead(AssignLeadCommand command);
  Result<Lead> convert_lead(ConvertLeadCommand command);
  // Approval before accept/convert (needs processing with approval steps).
  Result<ApprovalState> read_approvals(RecordId id) const;
  Result<ApprovalState> decide_approval(ApprovalDecision decision);

  // Reads, from any thread.
  Result<Lead> read_lead(RecordId id) const;
  Result<std::string> read_lead_json(RecordId id) const;  // the stored encoding, no decode
  Result<BusinessPartner> read_partner(RecordId id) const;
  Result<FindResult> find_leads(const LeadQuery& query) const;
  // Counts for sales and marketing staff from the indexes alone (store/lead_report.hpp;
  // implemented in lead_report.cpp). Invalid, naming the filter, when a campaign or
  // channel filter names one no lead has.
  Result<LeadReport> report_leads(const ReportQuery& query) const;
  Result<std::vector<AuditEntry>> read_audit(RecordId id) const;
  // Calls fn with each lead's stored JSON in id order; fn returns false to stop.
  Status for_each_lead_json(const std::function<bool(std::string_view)>& fn) const;

  // Events (store/outbox.hpp). Reads from any thread; the writes go through the
  // writer and return after their commit.
  Result<std::vector<StoredEvent>> read_outbox(std::size_t limit) const;  // oldest first
  Result<std::vector<StoredEvent>> read_deliveries(std::string_view target, std::uint64_t after_seq,
                                                   std::size_t limit) const;
  // Moves the events from the outbox into their targets' delivery queues.
  Status route_events(std::vector<RoutedEvent> routed);
  // Deletes deliveries the target has accepted.
  Status ack_deliveries(std::string target, std::vector<std::uint64_t> seqs);
  // An event of its own transaction, not raised by a lead write (import.completed).
  Status publish_event(std::string_view type, const Actor& actor, const std::string& data_json);
  // Called on the writer thread after each commit that wrote events: keep it short
  // (wake your own thread). Set before writing.
  void set_event_listener(std::function<void()> listener);
  // Called on the writer thread with the outcome of every commit: a failure (disk
  // full, I/O error) has already been answered to the callers as `unavailable`,
  // but whoever runs the hub must hear of it too. Keep it short. Set before writing.
  void set_commit_listener(std::function<void(const Status& outcome)> listener);

  // Relearns the score model from every won and lost lead (`leadhub score
  // rebuild`); returns how many of each it learned from. Needs processing.
  Result<std::pair<std::uint64_t, std::uint64_t>> rebuild_score_model();

  // The duplicate check of processing for `lead` (its prospect) against the stored
  // leads, nothing written; `actor.connector` picks the policy reported. Needs
  // processing. Implemented in duplicate_check.cpp.
  Result<DuplicateReport> check_duplicates(Lead lead, const Actor& actor) const;

  // Processing's indexes (duplicate-check match keys, aging due entries, open
  // leads per member) rebuilt from the stored leads: for leads stored before
  // processing was configured, or after normalization or aging rules changed.
  // Chunked writes, safe while the hub runs. Implemented in reindex.cpp.
  Result<ReindexCounts> reindex_processing();
  // Whether the store holds leads whose indexes follow other settings (or none).
  bool processing_index_stale() const;

  // Aging (processing: aging:): escalates, closes as aged and reminds the leads due
  // at or before `now` (at most `limit`), read from the due index, never a scan. One
  // write job through the writer, so it is safe beside any other write. Without
  // aging configured nothing is due. Implemented in lead_aging.cpp.
  Result<AgingCounts> run_due(TimeMs now, std::size_t limit = kMaxDuePerRun);
  static constexpr std::size_t kMaxDuePerRun = 1000;

  Result<StoreStats> stats() const;
  // Whether the store answers (a read transaction begins): for health checks,
  // which must not pay for stats' counting.
  Status check_open() const;
  // The latest commit's failure (empty when it succeeded) and how many commits
  // failed since the store opened: for health checks.
  std::pair<std::string, std::uint64_t> write_failure() const;
  // A hot, consistent, compacted copy into an empty (or new) folder.
  Status backup(const std::string& folder) const;
  // Finishes queued writes and stops the writer.
  void close();

 private:
  LeadStore() = default;
  const Clock& clock() const { return *options_.clock; }
  // Moves a stage's e-mail / phone entries into their index (store/staging.hpp)
  // when it holds at least `at_least`, and with `tiered` at least as many as the
  // index; only before the writer thread runs, on it, or after it.
  Status merge_staged(std::uint64_t at_least, bool tiered = false);
  void merge_staged_if_large();
  struct IndexState {
    std::optional<std::string> fingerprint;  // processing's index fingerprint in meta
    bool has_leads = false;
  };
  Result<IndexState> read_index_state() const;
  Status settle_index_fingerprint();
  // The report's history (store/report_history.hpp) of a store written before it
  // existed, filled from the audit trail once, before the writer starts.
  Status settle_report_history();
  Result<Lead> write_lead_action(std::function<Result<Lead>(store::WriteTxn&, TimeMs)> apply);
  // Runs apply in the writer's next transaction; returns after the commit.
  Status write_sync(std::function<Status(store::WriteTxn&)> apply);
  template <typename T, typename Finish>
  void submit_bulk(std::vector<CreateLeadCommand>& commands, bool keep_records,
                   const std::function<void(std::size_t, Result<T>)>& done, Finish finish);

  StoreOptions options_;
  std::unique_ptr<store::LmdbEnv> env_;
  std::unique_ptr<IdGenerator> lead_ids_;
  std::unique_ptr<IdGenerator> partner_ids_;
  std::unique_ptr<store::WriteQueue> writer_;
  std::unique_ptr<store::Outbox> outbox_;
  std::unique_ptr<store::Processor> processor_;
  std::function<void()> event_listener_;
  std::function<void(const Status&)> commit_listener_;
  bool closed_ = false;
};

}  // namespace leadhub
