// LeadStore::run_due: the store's side of aging (store/aging.hpp). Reads the due
// index up to `now` and, in one write job, escalates, closes as aged and reminds
// each due lead, then files its next due moment.
#include <algorithm>
#include <memory>
#include <string>

#include "json/json_writer.hpp"
#include "json/record_json.hpp"
#include "model/enums.hpp"
#include "store/aging.hpp"
#include "store/audit_json.hpp"
#include "store/audit_trail.hpp"
#include "store/due_index.hpp"
#include "store/events.hpp"
#include "store/keys.hpp"
#include "store/lead_store.hpp"
#include "store/lead_writes_internal.hpp"
#include "store/outbox.hpp"
#include "store/processor.hpp"
#include "store/report_history.hpp"

namespace leadhub {
namespace {

using store::WriteTxn;
namespace aging = store::aging;

// A refused action (say the lead no longer validates) waits this long before the
// next try, so one bad lead cannot hold up every run.
constexpr TimeMs kRetryAfterMs = TimeMs{60} * 60 * 1000;

const Actor& scheduler() {
  static const Actor kScheduler{"scheduler", "aging"};
  return kScheduler;
}

// One run's transaction and what it needs.
struct AgingRun {
  WriteTxn& txn;
  store::Outbox& outbox;
  store::Processor& processor;
  TimeMs now;
  AgingCounts& counts;
  const processing::AgingConfig& config() const { return processor.config().aging; }
};

void write_audit(const AgingRun& run, RecordId id, std::uint64_t version, std::string action, std::string why) {
  store::append_audit(run.txn, id,
                      store::action_entry(run.now, scheduler(), std::move(action), version, "(aging)", std::move(why)));
}

void raise(const AgingRun& run, std::string_view type, const Lead& lead, std::string_view data,
           std::string_view lead_json) {
  run.outbox.append(run.txn,
                    event_json(EventFacts{type, run.now, &scheduler(), lead.id, lead.version, data, lead_json}));
}

// lead.escalated and lead.aged: where the lead stood and for how long nobody acted.
std::string quiet_data(const Lead& lead, TimeMs now) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key_identifier("status").value(to_string(lead.status));
  w.key_identifier("channel").value(lead.owner.channel);
  w.key_identifier("days_without_action").value(aging::whole_days(lead.changed_at, now));
  w.end_object();
  return out;
}

std::string reminder_data(const Lead& lead) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key_identifier("follow_up").value(lead.follow_up);
  w.key_identifier("channel").value(lead.owner.channel);
  w.key_identifier("assignee").value(lead.owner.assignee);
  w.end_object();
  return out;
}

void escalate(const AgingRun& run, const Lead& lead, std::string_view json) {
  const std::string data = quiet_data(lead, run.now);
  raise(run, event_type::kLeadEscalated, lead, data, json);
  write_audit(run, lead.id, lead.version, "escalated", data);
  store::note_aging_act(run.txn, store::kAgingEscalated, lead.id);
  ++run.counts.escalated;
}

void remind(const AgingRun& run, const Lead& lead, std::string_view json) {
  const std::string data = reminder_data(lead);
  raise(run, event_type::kLeadReminder, lead, data, json);
  write_audit(run, lead.id, lead.version, "reminded", data);
  ++run.counts.reminded;
}

// A real change to closed with reason "aged" (new version, its audit entries and
// events, processing; the change's own hook files the closed lead's due moment),
// then lead.aged.
void close_aged(const AgingRun& run, const Lead& lead, const store::DueRecord& due) {
  const ChangeLeadCommand cmd{lead.id, lead.version, R"({"status":"closed","reason":"aged"})", scheduler(), {}, {}};
  auto closed = apply_change_lead(run.txn, cmd, run.now, run.outbox, &run.processor);
  if (!closed) {
    ++run.counts.failed;
    store::postpone_due(run.txn, lead.id, due, run.now + kRetryAfterMs);
    return;
  }
  const std::string data = quiet_data(lead, run.now);
  raise(run, event_type::kLeadAged, *closed, data, to_json(*closed));
  write_audit(run, closed->id, closed->version, "aged", data);
  store::note_aging_act(run.txn, store::kAgingClosed, closed->id);
  ++run.counts.closed;
}

void work_due_lead(const AgingRun& run, RecordId id) {
  const store::DueRecord due = store::read_due(run.txn, id);
  std::string_view stored;
  if (!run.txn.get(run.txn.dbi().leads, store::id_key(id), stored)) {
    store::drop_due(run.txn, id, due);
    return;
  }
  const std::string json(stored);  // a copy: the writes below may move the page
  auto lead = lead_from_json(json, DecodeMode::stored);
  if (!lead) {
    ++run.counts.failed;
    store::postpone_due(run.txn, id, due, run.now + kRetryAfterMs);
    return;
  }
  const unsigned kinds = aging::due_by(run.config(), *lead, due.raised, run.now);
  if (kinds & aging::kClose) return close_aged(run, *lead, due);  // closing makes escalation moot
  aging::Raised raised = due.raised;
  if (kinds & aging::kEscalate) {
    escalate(run, *lead, json);
    raised.escalated_for_change = lead->changed_at;
  }
  if (kinds & aging::kRemind) {
    remind(run, *lead, json);
    raised.reminded_follow_up = lead->follow_up;
  }
  store::write_due(run.txn, run.config(), *lead, due, raised);
}

}  // namespace

Result<AgingCounts> LeadStore::run_due(TimeMs now, std::size_t limit) {
  if (!processor_ || limit == 0) return AgingCounts{};
  auto counts = std::make_shared<AgingCounts>();
  auto st = write_sync([this, now, limit, counts](WriteTxn& txn) -> Status {
    *counts = AgingCounts{};  // a replayed attempt counts again
    auto ids = store::due_until(txn, now, limit + 1);
    counts->more = ids.size() > limit;
    ids.resize(std::min(ids.size(), limit));
    const AgingRun run{txn, *outbox_, *processor_, now, *counts};
    for (const RecordId id : ids) {
      ++counts->due;
      work_due_lead(run, id);
    }
    return ok_status();
  });
  if (!st) return st.error();
  return *counts;
}

}  // namespace leadhub
