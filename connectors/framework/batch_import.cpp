#include "batch_import.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <mutex>
#include <thread>

#include "inflate_stream.hpp"
#include "json/json_writer.hpp"
#include "json/record_json.hpp"
#include "json_array_stream.hpp"
#include "log.hpp"
#include "mapping/encoding.hpp"
#include "mapping/transforms.hpp"
#include "model/limits.hpp"
#include "model/validation.hpp"
#include "store/events.hpp"

namespace leadhub::connectors {
namespace {

// Two batches between the reader and their commit: one being prepared, one being
// written. Each batch is one transaction (LeadStore::import_leads_async); 5,000
// leads per commit keep the decoded and prepared leads in flight plus LMDB's dirty
// pages near 100 MB at a million leads, while the commits stay few.
constexpr std::size_t kMaxInFlight = 2;
constexpr std::size_t kMaxListedRejections = 10'000;
constexpr std::size_t kMaxListedDuplicates = 10'000;  // as many as rejections, for the same reason

struct Rejection {
  std::string record;  // "line 12", "/Leads/Lead[3]"
  std::string reason;
  std::vector<std::string> codes;  // fixed codes, one per kind of problem
};

// A record not stored because its lead is: which one, so a count of duplicates can
// be checked (a partner's key that lumps different people together shows here).
struct Duplicate {
  std::string record;
  RecordId lead;
};

// "line 12: ..." locations carry a line number worth giving on its own.
std::optional<std::uint64_t> line_number(const std::string& record) {
  if (record.rfind("line ", 0) != 0) return std::nullopt;
  return std::strtoull(record.c_str() + 5, nullptr, 10);
}

// Rejections by line: the reader lists what it cannot decode at once, the store
// what it refuses after the batch's commit. Records without a line (XML paths, the
// document) keep their order, after those with one.
std::vector<const Rejection*> in_file_order(const std::vector<Rejection>& rejections) {
  std::vector<std::pair<std::uint64_t, const Rejection*>> keyed;
  keyed.reserve(rejections.size());
  for (const auto& r : rejections) keyed.emplace_back(line_number(r.record).value_or(UINT64_MAX), &r);
  std::stable_sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<const Rejection*> out;
  out.reserve(keyed.size());
  for (const auto& [line, r] : keyed) out.push_back(r);
  return out;
}

// The import is a pipeline of three threads: the caller's reads and decodes a
// batch, the submitter thread prepares the one before (normalize, validate, encode:
// LeadStore::import_leads_async does that on its caller's thread) and the store's
// writer commits the one before that. At most kMaxInFlight batches are between the
// reader and their commit, so memory stays flat however large the file.
class ImportRun {
 public:
  ImportRun(LeadStore& store, bool show_progress)
      : store_(store), progress_(show_progress), submitter_([this] { submit_loop(); }) {}
  ~ImportRun() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    submitter_.join();
  }
  ImportRun(const ImportRun&) = delete;
  ImportRun& operator=(const ImportRun&) = delete;

  void reject(const std::string& record, const std::string& reason, std::vector<std::string> codes) {
    std::lock_guard lock(mutex_);
    record_rejection(record, reason, std::move(codes));
  }
  void reject(const std::string& record, const Error& error) { reject(record, error.message, {to_string(error.code)}); }
  // About the whole document (a mapped column its header lacks): listed in the summary.
  void warn(std::vector<std::string> notices) {
    if (notices.empty()) return;
    std::lock_guard lock(mutex_);
    for (auto& n : notices) warnings_.push_back(std::move(n));
  }
  void count_changed() {
    std::lock_guard lock(mutex_);
    ++changed_;
  }

  // Hands a batch to the submitter thread; blocks while too many are in flight.
  void submit(std::vector<CreateLeadCommand> commands, std::vector<std::string> records) {
    if (commands.empty()) return;
    {
      std::unique_lock lock(mutex_);
      idle_.wait(lock, [&] { return in_flight_ < kMaxInFlight; });
      ++in_flight_;
      handoff_.push_back({std::move(commands), std::move(records)});
    }
    wake_.notify_all();
  }

  void wait_all() {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [&] { return in_flight_ == 0; });
  }

  void show_progress(std::size_t records, bool final_update) {
    if (!progress_) return;
    const auto now = std::chrono::steady_clock::now();
    if (!final_update && now - last_progress_ < std::chrono::milliseconds(200)) return;
    last_progress_ = now;
    std::lock_guard lock(mutex_);
    std::fprintf(stderr, "\r%zu records read, %zu created, %zu duplicates, %zu rejected%s", records, created_,
                 duplicates_, rejected_, final_update ? "\n" : "");
  }

  std::string summary(std::size_t records, double seconds) const {
    std::lock_guard lock(mutex_);
    std::string out;
    JsonWriter w(out);
    w.begin_object();
    w.key("records").value(static_cast<std::uint64_t>(records));
    w.key("created").value(static_cast<std::uint64_t>(created_));
    w.key("duplicates").value(static_cast<std::uint64_t>(duplicates_));
    if (changed_ > 0) w.key("changed").value(static_cast<std::uint64_t>(changed_));
    w.key("rejected").value(static_cast<std::uint64_t>(rejected_));
    w.key("seconds").raw(std::to_string(seconds));
    if (!warnings_.empty()) {
      w.key("warnings").begin_array();
      for (const auto& warning : warnings_) w.value(warning);
      w.end_array();
    }
    w.key("errors").begin_array();
    for (const Rejection* rejection : in_file_order(rejections_)) {
      const Rejection& r = *rejection;
      w.begin_object().key("record").value(r.record);
      if (auto line = line_number(r.record)) w.key("line").value(*line);
      w.key("codes").begin_array();
      for (const auto& c : r.codes) w.value(c);
      w.end_array();
      w.key("reason").value(r.reason).end_object();
    }
    w.end_array();
    w.key("duplicate_records").begin_array();
    for (const auto& d : duplicate_list_) {
      w.begin_object().key("record").value(d.record);
      if (auto line = line_number(d.record)) w.key("line").value(*line);
      w.key("lead_id").value(d.lead.to_string()).end_object();
    }
    w.end_array();
    w.end_object();
    return out;
  }

  std::size_t rejected() const {
    std::lock_guard lock(mutex_);
    return rejected_;
  }

  std::size_t unavailable() const {
    std::lock_guard lock(mutex_);
    return unavailable_;
  }

  // "line 3: reason" of the first rejected record in file order; empty when none.
  std::string first_rejection() const {
    std::lock_guard lock(mutex_);
    const auto ordered = in_file_order(rejections_);
    if (ordered.empty()) return {};
    return ordered.front()->record + ": " + ordered.front()->reason;
  }

  ImportCounts counts(std::size_t records, double seconds) const {
    std::lock_guard lock(mutex_);
    return {"", records, created_, duplicates_, changed_, rejected_, seconds};
  }

 private:
  struct Batch {
    std::vector<CreateLeadCommand> commands;
    std::vector<std::string> records;  // where each command came from, for rejections
  };

  void submit_loop() {
    for (;;) {
      Batch batch;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return stopping_ || !handoff_.empty(); });
        if (handoff_.empty()) return;
        batch = std::move(handoff_.front());
        handoff_.pop_front();
      }
      store_batch(std::move(batch));
    }
  }

  // Runs on the submitter thread; the callbacks on the writer thread (after the commit).
  void store_batch(Batch batch) {
    auto remaining = std::make_shared<std::size_t>(batch.commands.size());
    auto record_of = std::make_shared<std::vector<std::string>>(std::move(batch.records));
    store_.import_leads_async(std::move(batch.commands),
                              [this, remaining, record_of](std::size_t i, Result<CreateOutcome> r) {
                                std::lock_guard lock(mutex_);
                                if (!r)
                                  record_rejection((*record_of)[i], r.error().message, {to_string(r.error().code)});
                                else if (r->created)
                                  ++created_;
                                else
                                  record_duplicate((*record_of)[i], r->id);
                                if (--*remaining == 0) {
                                  --in_flight_;
                                  idle_.notify_all();
                                }
                              });
  }

  void record_rejection(const std::string& record, const std::string& reason, std::vector<std::string> codes) {
    ++rejected_;
    if (std::find(codes.begin(), codes.end(), to_string(ErrorCode::unavailable)) != codes.end()) ++unavailable_;
    if (rejections_.size() < kMaxListedRejections) rejections_.push_back({record, reason, std::move(codes)});
  }

  void record_duplicate(const std::string& record, RecordId lead) {
    ++duplicates_;
    if (duplicate_list_.size() < kMaxListedDuplicates) duplicate_list_.push_back({record, lead});
  }

  LeadStore& store_;
  bool progress_;
  std::chrono::steady_clock::time_point last_progress_{};
  mutable std::mutex mutex_;
  std::condition_variable idle_;  // a batch finished
  std::condition_variable wake_;  // a batch for the submitter, or stop
  std::deque<Batch> handoff_;
  bool stopping_ = false;
  std::size_t in_flight_ = 0;  // batches handed over and not yet committed
  std::size_t created_ = 0, duplicates_ = 0, rejected_ = 0, changed_ = 0;
  std::size_t unavailable_ = 0;  // of rejected_: the store could not write
  std::vector<Rejection> rejections_;
  std::vector<Duplicate> duplicate_list_;  // in commit order
  std::vector<std::string> warnings_;
  std::thread submitter_;  // last: starts once the members it uses exist
};

bool is_blank(const std::string& line) { return line.find_first_not_of(" \t\r") == std::string::npos; }

// What the readers share: the caller's options, and whether they stopped early.
struct Reading {
  const BatchImportOptions& options;
  bool stopped = false;

  // Whether to stop before the next record (the caller's stop flag is set).
  bool stop_now() {
    if (options.stop != nullptr && options.stop->load(std::memory_order_relaxed)) stopped = true;
    return stopped;
  }
  // The idempotency key of record number `record` (none without a prefix).
  std::string key(std::size_t record) const {
    return options.idempotency_prefix.empty() ? std::string() : options.idempotency_prefix + std::to_string(record);
  }
  // A create's key: only a lead without an external reference needs one.
  std::string create_key(const Lead& lead, std::size_t record) const {
    return lead.external_refs.empty() ? key(record) : std::string();
  }
};

// Canonical leads decoded by the reader and handed to the run in batches.
class CanonicalBatches {
 public:
  CanonicalBatches(ImportRun& run, const Reading& reading)
      : run_(run), reading_(reading), batch_size_(reading.options.batch_size), actor_(reading.options.actor) {
    reserve();
  }
  CanonicalBatches(const CanonicalBatches&) = delete;
  CanonicalBatches& operator=(const CanonicalBatches&) = delete;
  ~CanonicalBatches() {
    if (!batch_.empty()) run_.submit(std::move(batch_), std::move(where_));
  }

  // One record's text; `where` names it in a rejection ("line 12"), `in` says how a
  // syntax error's place is named: by its column in the line for a record that is
  // one line of the file (NDJSON), as `where` gives the line, "column 5 (byte 4 of
  // the line)"; by its place in the file for an array's element.
  void add(std::string_view json, std::string where, std::size_t records, PositionIn in) {
    auto& command = batch_.emplace_back();  // decoded where it stays
    if (auto st = decode_lead(json, DecodeMode::input, command.lead, in); !st) {
      batch_.pop_back();
      run_.reject(where, st.error());
      return;
    }
    command.actor = actor_;
    command.idempotency_key = reading_.create_key(command.lead, records);
    where_.push_back(std::move(where));
    if (batch_.size() < batch_size_) return;
    run_.submit(std::move(batch_), std::move(where_));
    batch_.clear();
    where_.clear();
    reserve();
    run_.show_progress(records, false);
  }

 private:
  // Reserved: a lead is about 1 KB to move, and a growing vector moves them all.
  void reserve() {
    const std::size_t expected = std::min<std::size_t>(batch_size_, 10'000);
    batch_.reserve(expected);
    where_.reserve(expected);
  }

  ImportRun& run_;
  const Reading& reading_;
  std::size_t batch_size_;
  const Actor& actor_;
  std::vector<CreateLeadCommand> batch_;
  std::vector<std::string> where_;  // where each command came from, for rejections
};

// What comes before the first record: blank lines, a byte order mark, the blanks
// that start the first record's line.
struct Opening {
  bool json_array = false;
  FilePlace after;  // where the rest of the file starts (after an array's '[')
  // The first record's line as far as it was read (a byte order mark, blanks): put
  // back before the rest of that line, so its columns and bytes are the file's.
  std::string first_line_start;
};

// Reads what comes before the first record and says whether the records are one
// JSON array.
Opening read_opening(std::istream& in) {
  Opening opening;
  // A stream gives back one byte for sure: the mark is read a byte at a time.
  for (const int mark : {0xEF, 0xBB, 0xBF}) {
    if (in.peek() != mark) break;
    opening.first_line_start += static_cast<char>(in.get());
    opening.after.advance_without_column();  // a mark is no character
  }
  for (int c = in.get(); c != std::char_traits<char>::eof(); c = in.get()) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '[') {
      in.unget();
      return opening;
    }
    opening.after.advance(static_cast<char>(c));
    if (c == '[') {
      opening.json_array = true;
      return opening;
    }
    if (c == '\n')
      opening.first_line_start.clear();
    else
      opening.first_line_start += static_cast<char>(c);
  }
  return opening;
}

// A first record line that shows the file is no NDJSON at all: another format
// given without its mapping (a CSV header, an XML declaration), or one JSON object
// written over many lines (pretty-printed, `{` alone on the line). Read line by
// line, each of its lines would be a rejection saying "not valid JSON"; the file is
// refused once, saying what it is and what to do.
Status refuse_if_no_ndjson(std::string_view line, std::size_t line_no) {
  std::string_view text = without_byte_order_mark(line);
  text.remove_prefix(std::min(text.size(), text.find_first_not_of(" \t")));
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  const std::string where = "line " + std::to_string(line_no) + ": ";
  const std::string use_mapping =
      "import a partner's file through its mapping (leadhub import --mapping NAME, POST /api/v1/imports?mapping=NAME)";
  if (text == "{") {
    return Error::make(ErrorCode::invalid,
                       where +
                           "a JSON object that goes on over the next lines: the import reads one lead per line "
                           "(NDJSON) or one JSON array of leads; write one lead per line (jq -c . FILE) or put "
                           "the leads into an array (jq -s . FILE)");
  }
  if (text.starts_with("<")) {
    return Error::make(
        ErrorCode::invalid,
        where + "the file is XML, not canonical JSON leads (one per line, or one array): " + use_mapping);
  }
  if (!text.starts_with("{")) {
    return Error::make(ErrorCode::invalid, where + "'" + mapping::truncate_utf8(text, 40) +
                                               "' is no JSON object: the import reads canonical JSON leads (one per "
                                               "line, or one array), and this looks like CSV or other text; " +
                                               use_mapping);
  }
  return ok_status();
}

// Newline-delimited canonical JSON, one lead per line, after `opening`. `in_line`
// names a syntax error's place in a line (its bytes are not the file's when the
// file was converted from UTF-16).
Status import_ndjson(ImportRun& run, std::istream& in, Reading& reading, const Opening& opening, PositionIn in_line,
                     std::size_t& records) {
  CanonicalBatches batches(run, reading);
  std::size_t line_no = opening.after.line - 1;
  std::string line;
  for (bool first = true; std::getline(in, line); first = false) {
    if (reading.stop_now()) return ok_status();
    ++line_no;
    if (first) line.insert(0, opening.first_line_start);
    if (is_blank(line)) continue;  // blank lines are no records (an editor's trailing newlines)
    if (records == 0) {
      if (auto st = refuse_if_no_ndjson(line, line_no); !st) return st;
    }
    ++records;
    batches.add(line, "line " + std::to_string(line_no), records, in_line);
  }
  return ok_status();
}

// One JSON array of canonical leads, streamed element by element; each is named by
// the line it starts on and its place in the array, a syntax error in it by its
// place in the file (an element may span lines and need not start one).
Status import_json_array(ImportRun& run, std::istream& in, Reading& reading, const Opening& opening, bool converted,
                         std::size_t& records) {
  CanonicalBatches batches(run, reading);
  JsonArrayStream array(in, opening.after, limits::kMaxRecordBytes, !converted);
  std::string element;
  FilePlace start;
  for (;;) {
    auto more = array.next(element, start);
    if (!more) return more.error();
    if (!*more || reading.stop_now()) return ok_status();
    ++records;
    const PositionIn in_file = PositionIn::excerpt(start);
    batches.add(element, "line " + std::to_string(start.line) + " (element " + std::to_string(records) + ")", records,
                converted ? in_file.converted() : in_file);
  }
}

// Canonical leads, one JSON object per line or one JSON array of them, from `in`
// as it is in the file or `converted` from its encoding.
Status import_canonical_utf8(ImportRun& run, std::istream& in, bool converted, Reading& reading, std::size_t& records) {
  const Opening opening = read_opening(in);
  if (opening.json_array) return import_json_array(run, in, reading, opening, converted, records);
  return import_ndjson(run, in, reading, opening, converted ? PositionIn::line().converted() : PositionIn::line(),
                       records);
}

// Canonical leads: one JSON object per line, or one JSON array of them.
Status import_canonical(ImportRun& run, std::istream& in, Reading& reading, std::size_t& records) {
  records = 0;
  // A UTF-16 file (PowerShell's `>` writes one, with its byte order mark) is read
  // through a decoder to UTF-8, as it streams in. Its lines and characters are the
  // file's, its bytes not: errors name no byte in it.
  if (const auto order = mapping::read_utf16_byte_order_mark(in)) {
    mapping::Utf16ToUtf8Buffer decoded_buffer(in, *order);
    std::istream decoded(&decoded_buffer);
    return import_canonical_utf8(run, decoded, true, reading, records);
  }
  return import_canonical_utf8(run, in, false, reading, records);
}

// The distinct codes of a record's mapping errors, in order.
std::vector<std::string> error_codes(const std::vector<mapping::MappingError>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) {
    std::string code = mapping::to_string(e.code);
    if (std::find(out.begin(), out.end(), code) == out.end()) out.push_back(std::move(code));
  }
  return out;
}

std::string join_errors(const std::vector<mapping::MappingError>& errors) {
  std::string out;
  for (const auto& e : errors) {
    if (!out.empty()) out += "; ";
    if (!e.source.empty()) out += "source '" + e.source + "'" + (e.field.empty() ? ": " : " -> ");
    if (!e.field.empty()) out += e.field + ": ";
    out += e.reason;
  }
  return out;
}

// Resolves a change's target (by id or external reference) and applies it.
void apply_change(ImportRun& run, LeadStore& store, mapping::MappedRecord& m, const Actor& actor, std::string key) {
  RecordId id = m.target_id;
  if (id.empty()) {
    LeadQuery q;
    q.external_ref = m.target_ref;
    q.limit = 1;
    auto found = store.find_leads(q);
    if (!found || found->items.empty()) {
      run.reject(m.location, "no lead with external reference " + m.target_ref->system + ":" + m.target_ref->id,
                 {"not_found"});
      return;
    }
    id = found->items[0].id;
  }
  auto changed = store.change_lead(
      {id, m.expected_version, std::move(m.document), actor, std::move(m.append_notes), std::move(key)});
  if (!changed)
    run.reject(m.location, changed.error());
  else
    run.count_changed();
}

// A partner's format through its mapping: creates are batched, a change first waits
// for the creates before it so a file may create a lead and then change it.
Status import_mapped(ImportRun& run, LeadStore& store, const mapping::Mapper& mapper, std::istream& in,
                     Reading& reading, std::size_t& records) {
  const std::size_t batch_size = reading.options.batch_size;
  const Actor& actor = reading.options.actor;
  std::vector<CreateLeadCommand> batch;
  std::vector<std::string> where;
  auto flush = [&] {
    if (batch.empty()) return;
    run.submit(std::move(batch), std::move(where));
    batch.clear();
    where.clear();
  };
  auto st = mapper.map_stream(in, [&](mapping::MappedRecord&& m) {
    if (reading.stop_now()) return false;
    ++records;
    run.warn(std::move(m.notices));
    if (!m.ok()) {
      run.reject(m.location, join_errors(m.errors), error_codes(m.errors));
    } else if (m.operation == mapping::Operation::create) {
      std::string key = reading.create_key(*m.lead, records);
      batch.push_back({std::move(*m.lead), actor, std::move(key)});
      where.push_back(m.location);
      if (batch.size() >= batch_size) flush();
    } else if (m.operation == mapping::Operation::change) {
      flush();
      run.wait_all();
      apply_change(run, store, m, actor, reading.key(records));
    } else {
      run.reject(m.location,
                 std::string("import stores creates and changes; this record is a ") + mapping::to_string(m.operation) +
                     " (use `leadhub map` to see it)",
                 {"unsupported_operation"});
    }
    run.show_progress(records, false);
    return true;
  });
  flush();
  return st;
}

}  // namespace

namespace {

ImportTotals& totals() {
  static ImportTotals process_totals;
  return process_totals;
}

void add_to_totals(const ImportCounts& counts) {
  auto& t = totals();
  t.imports.fetch_add(1, std::memory_order_relaxed);
  t.created.fetch_add(counts.created, std::memory_order_relaxed);
  t.duplicates.fetch_add(counts.duplicates, std::memory_order_relaxed);
  t.changed.fetch_add(counts.changed, std::memory_order_relaxed);
  t.rejected.fetch_add(counts.rejected, std::memory_order_relaxed);
}

}  // namespace

const ImportTotals& import_totals() { return totals(); }

Status publish_import_completed(LeadStore& store, const Actor& actor, const ImportCounts& counts) {
  add_to_totals(counts);
  std::string data;
  JsonWriter w(data);
  w.begin_object();
  w.key("source").value(counts.source);
  w.key("records").value(static_cast<std::uint64_t>(counts.records));
  w.key("created").value(static_cast<std::uint64_t>(counts.created));
  w.key("duplicates").value(static_cast<std::uint64_t>(counts.duplicates));
  w.key("changed").value(static_cast<std::uint64_t>(counts.changed));
  w.key("rejected").value(static_cast<std::uint64_t>(counts.rejected));
  w.key("seconds").raw(std::to_string(counts.seconds));
  w.end_object();
  return store.publish_event(event_type::kImportCompleted, actor, data);
}

BatchImportResult run_batch_import(LeadStore& store, std::istream& in, const BatchImportOptions& options) {
  ImportRun run(store, options.show_progress);
  const auto started = std::chrono::steady_clock::now();
  std::size_t records = 0;
  Status st = ok_status();
  Reading reading{options};
  MaybeCompressedInput input(in);
  if (options.mapper != nullptr)
    st = import_mapped(run, store, *options.mapper, input.stream(), reading, records);
  else
    st = import_canonical(run, input.stream(), reading, records);
  // Broken gzip data ends the decoded text early: that is what went wrong, whatever
  // the reader made of the text's cut-off end.
  if (auto broken = input.error()) st = std::move(*broken);
  run.wait_all();
  run.show_progress(records, true);
  if (!st) run.reject("document", st.error().message, {"unreadable"});  // what came before the break is stored
  // An empty file (or one holding only a byte order mark, or a header) is no error,
  // but an import of nothing is worth a word: the wrong file is the usual reason.
  if (st && records == 0 && !reading.stopped) run.warn({"the file holds no records"});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  auto counts = run.counts(records, seconds);
  counts.source = options.mapper != nullptr ? options.mapper->spec().name : "ndjson";
  if (reading.stopped) {
    // The import of the rest (again, from the start) publishes the event.
  } else if (auto published = publish_import_completed(store, options.actor, counts); !published) {
    // The leads are stored; only the summary event is missing, and the log says so.
    log::error("import", "import.completed not published: " + published.error().message);
  }
  BatchImportResult result;
  result.summary_json = run.summary(records, seconds);
  result.rejected = run.rejected();
  result.counts = counts;
  result.first_rejection = run.first_rejection();
  result.unavailable = run.unavailable();
  result.stopped = reading.stopped;
  if (!st) result.unreadable = st.error().message;
  return result;
}

}  // namespace leadhub::connectors
