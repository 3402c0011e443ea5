#include "hub_metrics.hpp"

#include "batch_import.hpp"

namespace leadhub::connectors {
namespace {

constexpr double kNanosPerSecond = 1e9;

double seconds_since_epoch(std::chrono::system_clock::time_point t) {
  return std::chrono::duration<double>(t.time_since_epoch()).count();
}

void report_process(const Hub& hub, Metrics& out) {
  const auto now = std::chrono::system_clock::now();
  out.gauge("leadhub_process_start_time_seconds", "When the hub started, in seconds since the Unix epoch",
            seconds_since_epoch(hub.created_at()));
  out.gauge("leadhub_uptime_seconds", "Seconds since the hub started",
            std::chrono::duration<double>(now - hub.created_at()).count());
}

void report_writer(const StoreStats& s, Metrics& out) {
  out.counter("leadhub_store_commits_total", "Write transactions (group commits) tried, failed ones included",
              s.commits);
  out.counter("leadhub_store_failed_commits_total",
              "Write transactions that did not commit (disk full, I/O error); their callers got unavailable",
              s.failed_commits);
  out.counter("leadhub_store_commands_committed_total", "Commands (creates, changes, ...) in committed transactions",
              s.commands);
  out.counter("leadhub_store_map_grows_total", "Times the LMDB map was full and grown", s.map_grows);
  out.gauge("leadhub_store_last_batch_commands", "Commands in the latest write transaction", s.last_batch);
  out.gauge("leadhub_store_largest_batch_commands", "Commands in the largest write transaction so far",
            s.largest_batch);
  out.histogram("leadhub_store_batch_commands", "Commands per write transaction", s.batch_commands, 1);
  out.histogram("leadhub_store_commit_duration_seconds",
                "Time of one write transaction: its commands, map growth and the commit with its fsyncs", s.commit_ns,
                kNanosPerSecond);
}

void report_store(LeadStore& store, Metrics& out) {
  auto stats = store.stats();
  out.gauge("leadhub_store_open", "1 when the store answers, 0 when it cannot be read", std::uint64_t{stats ? 1U : 0U});
  if (!stats) return;
  const auto& s = *stats;
  out.gauge("leadhub_store_leads", "Leads stored", s.leads);
  for (const auto& [status, n] : s.leads_by_status) {
    out.gauge("leadhub_store_leads_by_status", "Leads stored, by status", n, {{"status", status}});
  }
  out.gauge("leadhub_store_business_partners", "Business partners stored", s.partners);
  out.gauge("leadhub_store_audit_entries", "Audit trail entries stored", s.audit_entries);
  out.gauge("leadhub_store_map_size_bytes", "Size of the LMDB memory map (the most the file may grow to now)",
            s.map_size);
  out.gauge("leadhub_store_used_bytes", "Bytes of the LMDB map in use (pages up to the last one written)",
            s.used_bytes);
  out.gauge("leadhub_store_writes_failing", "1 while the latest write transaction failed, else 0",
            std::uint64_t{store.write_failure().first.empty() ? 0U : 1U});
  report_writer(s, out);
  out.gauge("leadhub_events_outbox_events", "Committed events waiting in the outbox to be routed", s.outbox_events);
  for (const auto& [queue, depth] : s.deliveries) {
    out.gauge("leadhub_events_queued_events",
              "Events waiting in a route's delivery queue (ROUTE.dead: its dead-letter queue)", depth,
              {{"queue", queue}});
  }
}

void report_imports(Metrics& out) {
  const auto& t = import_totals();
  out.counter("leadhub_imports_total", "Imports finished (files, uploads, multi-record AMQP messages)",
              t.imports.load(std::memory_order_relaxed));
  const char* help = "Records of finished imports, by outcome";
  out.counter("leadhub_import_records_total", help, t.created.load(std::memory_order_relaxed),
              {{"outcome", "created"}});
  out.counter("leadhub_import_records_total", help, t.duplicates.load(std::memory_order_relaxed),
              {{"outcome", "duplicate"}});
  out.counter("leadhub_import_records_total", help, t.changed.load(std::memory_order_relaxed),
              {{"outcome", "changed"}});
  out.counter("leadhub_import_records_total", help, t.rejected.load(std::memory_order_relaxed),
              {{"outcome", "rejected"}});
}

}  // namespace

void report_hub_metrics(Hub& hub, Metrics& out) {
  report_process(hub, out);
  report_store(hub.store(), out);
  report_imports(out);
  hub.report_connector_metrics(out);
}

}  // namespace leadhub::connectors
