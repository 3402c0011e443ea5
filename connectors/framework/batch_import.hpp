// Bulk import: a stream of newline-delimited canonical leads, or a party's file
// through its mapping, committed in batches, with a JSON summary of what was
// created, found as duplicates, changed and rejected (with where and why), and an
// import.completed event with the counts. Used by `leadhub import` and POST
// /api/v1/imports; the amqp connector's multi-record messages raise the same event.
#pragma once

#include <atomic>
#include <istream>
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
};

struct BatchImportResult {
  // {"records","created","duplicates","changed"?,"rejected","seconds","warnings"?,
  //  "errors":[{record,line?,codes,reason}],"duplicate_records":[{record,line?,lead_id}]}
  std::string summary_json;
  std::size_t rejected = 0;
};

// What an import.completed event says (its "data"): where the records came from
// (the mapping's name, or "ndjson") and the counts.
struct ImportCounts {
  std::string source;
  std::size_t records = 0, created = 0, duplicates = 0, changed = 0, rejected = 0;
  double seconds = 0;
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
