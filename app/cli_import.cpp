// leadhub import FILE | export [FILE]
//
// import streams newline-delimited canonical JSON: the reader thread parses and
// validates a batch while the store's writer commits the previous ones (at most
// kMaxInFlight batches queued, so memory stays flat however large the file).
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>

#include "cli_common.hpp"
#include "json/record_json.hpp"
#include "mapping/engine.hpp"

namespace leadhub::cli {
namespace {

const char* const kImportUsage =
    "usage: leadhub import FILE|- [--mapping NAME] [--batch N]\n"
    "\n"
    "Imports newline-delimited canonical leads (one JSON object per line), or with\n"
    "--mapping a partner's CSV, XML, JSON or form file through config/mappings/NAME.yaml\n"
    "(creates and changes; `leadhub map` is the dry run). Records are\n"
    "committed in batches; a lead whose external reference is already stored counts as\n"
    "a duplicate and is not created again, so a file can be imported twice safely.\n"
    "Prints a JSON summary: lines (records), created, duplicates, changed, rejected and,\n"
    "for each rejected record, where it is (line number, XML path, JSON pointer) and the\n"
    "reasons. Exit code 1 when any record was rejected.\n";

const char* const kExportUsage =
    "usage: leadhub export [FILE]\n"
    "\n"
    "Writes every lead as newline-delimited JSON in id (creation) order, to FILE or stdout.\n";

constexpr std::size_t kMaxInFlight = 4;
constexpr std::size_t kMaxListedRejections = 10'000;

struct Rejection {
  std::string record;  // "line 12", "/Leads/Lead[3]"
  std::string reason;
};

// "line 12: ..." locations carry a line number worth giving on its own.
std::optional<std::uint64_t> line_number(const std::string& record) {
  if (record.rfind("line ", 0) != 0) return std::nullopt;
  return std::strtoull(record.c_str() + 5, nullptr, 10);
}

class ImportRun {
 public:
  ImportRun(LeadStore& store, bool show_progress) : store_(store), progress_(show_progress) {}

  void reject(const std::string& record, const std::string& reason) {
    std::lock_guard lock(mutex_);
    record_rejection(record, reason);
  }
  void count_changed() {
    std::lock_guard lock(mutex_);
    ++changed_;
  }

  // Hands a batch to the writer; blocks while too many batches are still queued.
  void submit(std::vector<CreateLeadCommand> commands, std::vector<std::string> records) {
    {
      std::unique_lock lock(mutex_);
      idle_.wait(lock, [&] { return in_flight_ < kMaxInFlight; });
      ++in_flight_;
    }
    auto remaining = std::make_shared<std::size_t>(commands.size());
    auto record_of = std::make_shared<std::vector<std::string>>(std::move(records));
    store_.create_leads_async(std::move(commands),
                              [this, remaining, record_of](std::size_t i, Result<Created<Lead>> r) {
                                std::lock_guard lock(mutex_);
                                if (!r)
                                  record_rejection((*record_of)[i], r.error().message);
                                else if (r->created)
                                  ++created_;
                                else
                                  ++duplicates_;
                                if (--*remaining == 0) {
                                  --in_flight_;
                                  idle_.notify_all();
                                }
                              });
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
    w.key("errors").begin_array();
    for (const auto& r : rejections_) {
      w.begin_object().key("record").value(r.record);
      if (auto line = line_number(r.record)) w.key("line").value(*line);
      w.key("reason").value(r.reason).end_object();
    }
    w.end_array();
    w.end_object();
    return out;
  }

  std::size_t rejected() const {
    std::lock_guard lock(mutex_);
    return rejected_;
  }

 private:
  void record_rejection(const std::string& record, const std::string& reason) {
    ++rejected_;
    if (rejections_.size() < kMaxListedRejections) rejections_.push_back({record, reason});
  }

  LeadStore& store_;
  bool progress_;
  std::chrono::steady_clock::time_point last_progress_{};
  mutable std::mutex mutex_;
  std::condition_variable idle_;
  std::size_t in_flight_ = 0;
  std::size_t created_ = 0, duplicates_ = 0, rejected_ = 0, changed_ = 0;
  std::vector<Rejection> rejections_;
};

bool is_blank(const std::string& line) { return line.find_first_not_of(" \t\r") == std::string::npos; }

}  // namespace

namespace {

// Newline-delimited canonical JSON, one lead per line.
void import_ndjson(ImportRun& run, std::istream& in, std::size_t batch_size, const Actor& actor, std::size_t& records) {
  std::vector<CreateLeadCommand> batch;
  std::vector<std::string> where;
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (is_blank(line)) continue;
    auto lead = lead_from_json(line, DecodeMode::input);
    if (!lead) {
      run.reject("line " + std::to_string(line_no), lead.error().message);
      continue;
    }
    batch.push_back({std::move(lead).value(), actor, {}});
    where.push_back("line " + std::to_string(line_no));
    if (batch.size() >= batch_size) {
      run.submit(std::move(batch), std::move(where));
      batch.clear();
      where.clear();
      run.show_progress(line_no, false);
    }
  }
  if (!batch.empty()) run.submit(std::move(batch), std::move(where));
  records = line_no;
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
void apply_change(ImportRun& run, LeadStore& store, mapping::MappedRecord& m, const Actor& actor) {
  RecordId id = m.target_id;
  if (id.empty()) {
    LeadQuery q;
    q.external_ref = m.target_ref;
    q.limit = 1;
    auto found = store.find_leads(q);
    if (!found || found->items.empty()) {
      run.reject(m.location, "no lead with external reference " + m.target_ref->system + ":" + m.target_ref->id);
      return;
    }
    id = found->items[0].id;
  }
  auto changed = store.change_lead({id, m.expected_version, std::move(m.document), actor, std::move(m.append_notes)});
  if (!changed)
    run.reject(m.location, changed.error().message);
  else
    run.count_changed();
}

// A partner's format through its mapping: creates are batched, a change first waits
// for the creates before it so a file may create a lead and then change it.
Status import_mapped(ImportRun& run, LeadStore& store, const mapping::Mapper& mapper, std::istream& in,
                     std::size_t batch_size, const Actor& actor, std::size_t& records) {
  std::vector<CreateLeadCommand> batch;
  std::vector<std::string> where;
  auto flush = [&] {
    if (batch.empty()) return;
    run.submit(std::move(batch), std::move(where));
    batch.clear();
    where.clear();
  };
  auto st = mapper.map_stream(in, [&](mapping::MappedRecord&& m) {
    ++records;
    if (!m.ok()) {
      run.reject(m.location, join_errors(m.errors));
    } else if (m.operation == mapping::Operation::create) {
      batch.push_back({std::move(*m.lead), actor, {}});
      where.push_back(m.location);
      if (batch.size() >= batch_size) flush();
    } else if (m.operation == mapping::Operation::change) {
      flush();
      run.wait_all();
      apply_change(run, store, m, actor);
    } else {
      run.reject(m.location, std::string("import stores creates and changes; this record is a ") +
                                 mapping::to_string(m.operation) + " (use `leadhub map` to see it)");
    }
    run.show_progress(records, false);
    return true;
  });
  flush();
  return st;
}

}  // namespace

int run_import(Context& ctx, const std::vector<std::string>& argv) {
  auto args = Args::parse(argv, {{"batch", true, ""}, {"mapping", true, ""}, {"help", false, ""}});
  if (!args) return usage_error(args.error().message, kImportUsage);
  if (args->has("help")) {
    std::cout << kImportUsage;
    return kExitOk;
  }
  if (args->positional().size() != 1) return usage_error("import takes one FILE (or - for stdin)", kImportUsage);
  std::size_t batch_size = 1000;
  if (auto b = args->get("batch")) {
    batch_size = std::strtoul(b->c_str(), nullptr, 10);
    if (batch_size == 0 || batch_size > 100'000) return usage_error("--batch must be 1..100000", kImportUsage);
  }
  std::unique_ptr<mapping::Mapper> mapper;
  if (auto name = args->get("mapping")) {
    auto spec = mapping::find_mapping(*name, {ctx.config.mappings_folder});
    if (!spec) return report(spec.error());
    mapper = std::make_unique<mapping::Mapper>(std::move(spec).value());
  }
  const std::string& name = args->positional()[0];
  InputFile input;
  if (auto st = input.open(name); !st) return report(st.error());
  std::istream& in = input.stream();
  auto store = open_store(ctx);
  if (!store) return report(store.error());

  Actor actor = ctx.actor;
  actor.connector = mapper ? "cli-import:" + mapper->spec().name : "cli-import";
  ImportRun run(**store, ::isatty(STDERR_FILENO) != 0);
  const auto started = std::chrono::steady_clock::now();
  std::size_t records = 0;
  Status st = ok_status();
  if (mapper)
    st = import_mapped(run, **store, *mapper, in, batch_size, actor, records);
  else
    import_ndjson(run, in, batch_size, actor, records);
  run.wait_all();
  run.show_progress(records, true);
  if (!st) run.reject("document", st.error().message);  // what came before the break is stored
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  print_line(run.summary(records, seconds));
  return run.rejected() == 0 ? kExitOk : kExitPartial;
}

int run_export(Context& ctx, const std::vector<std::string>& argv) {
  auto args = Args::parse(argv, {{"help", false, ""}});
  if (!args) return usage_error(args.error().message, kExportUsage);
  if (args->has("help")) {
    std::cout << kExportUsage;
    return kExitOk;
  }
  if (args->positional().size() > 1) return usage_error("export takes at most one FILE", kExportUsage);
  std::ofstream file;
  if (!args->positional().empty()) {
    file.open(args->positional()[0], std::ios::binary | std::ios::trunc);
    if (!file) return report(Error::make(ErrorCode::invalid, "cannot write " + args->positional()[0]));
  }
  std::ostream& out = args->positional().empty() ? std::cout : file;
  auto store = open_store(ctx);
  if (!store) return report(store.error());
  auto st = (*store)->for_each_lead_json([&](std::string_view json) {
    out << json << '\n';
    return static_cast<bool>(out);
  });
  out.flush();
  if (!st) return report(st.error());
  if (!out) return report(Error::make(ErrorCode::internal, "write failed during export"));
  return kExitOk;
}

}  // namespace leadhub::cli
