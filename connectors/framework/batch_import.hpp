// Bulk import: a stream of newline-delimited canonical leads, or a party's file
// through its mapping, committed in batches, with a JSON summary of what was
// created, found as duplicates, changed and rejected (with where and why), and an
// import.completed event with the counts. Used by `leadhub import`, POST
// /api/v1/imports and the files connector's drop folder; the amqp connector's
// multi-record messages raise the same event.
#pragma once

#include <atomic>
#include <istream>
#include <optional>
#include <string>

#include "mapping/engine.hpp"
#include "store/lead_store.hpp"

namespace leadhub::connectors {

inline constexpr std::size_t kDefaultImportBatch = 5000;

struct BatchImportOptions {
  std::size_t batch_size = kDefaultImportBatch;
  Actor actor;
  const mapping::Mapper* mapper = nullptr;  // null: the stream is NDJSON canonical leads
  bool show_progress = false;               // a progress line on stderr
  // Set: the records get idempotency keys made of this prefix and their number in
  // the file (1-based, in file order), so importing the same bytes again, after a
  // crash half-way through, stores nothing twice. Creates without an external
  // reference get one (a reference already identifies the lead), and every change
  // (which is applied once per key). The prefix names the content, e.g. its SHA-256.
  std::string idempotency_prefix;
  // Set and true: reading stops at the next record, what was read is committed, the
  // result says `stopped` and no import.completed is published (a hub shutting down).
  const std::atomic<bool>* stop = nullptr;
};

// What an import.completed event says (its "data"): where the records came from
// (the mapping's name, or "ndjson") and the counts.
struct ImportCounts {
  std::string source;
  std::size_t records = 0, created = 0, duplicates = 0, changed = 0, rejected = 0;
  double seconds = 0;
};

struct BatchImportResult {
  // {"records","created","duplicates","changed"?,"rejected","seconds","warnings"?,
  //  "errors":[{record,line?,codes,reason}],"duplicate_records":[{record,line?,lead_id}]}
  std::string summary_json;
  std::size_t rejected = 0;
  ImportCounts counts;
  // The document itself could not be read (not the mapping's format or encoding, a
  // workbook instead of CSV, broken after some records): its reason, which the
  // summary lists as the rejected record "document".
  std::optional<std::string> unreadable;
  std::string first_rejection;  // "line 3: reason" of the first rejected record in file order
  std::size_t unavailable = 0;  // of `rejected`: refused because the store could not write (disk full)
  bool stopped = false;         // options.stop was set before the end
};

// The imports this process finished (files, uploads, multi-record AMQP messages),
// summed: what GET /metrics reports.
struct ImportTotals {
  std::atomic<std::uint64_t> imports{0}, created{0}, duplicates{0}, changed{0}, rejected{0};
};
const ImportTotals& import_totals();

// Adds the counts to import_totals() and publishes the import.completed event (its
// own transaction, after the import's).
Status publish_import_completed(LeadStore& store, const Actor& actor, const ImportCounts& counts);

// Reads `in` to its end (or to a broken document, which is reported as a rejection
// after the records before it are stored), waits for every commit and publishes
// the import.completed event.
BatchImportResult run_batch_import(LeadStore& store, std::istream& in, const BatchImportOptions& options);

}  // namespace leadhub::connectors
