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

namespace leadhub::cli {
namespace {

const char* const kImportUsage =
    "usage: leadhub import FILE|- [--batch N]\n"
    "\n"
    "Imports newline-delimited canonical leads (one JSON object per line). Lines are\n"
    "committed in batches; a lead whose external reference is already stored counts as\n"
    "a duplicate and is not created again, so a file can be imported twice safely.\n"
    "Prints a JSON summary: lines, created, duplicates, rejected and, for each rejected\n"
    "line, its number and the reasons. Exit code 1 when any line was rejected.\n";

const char* const kExportUsage =
    "usage: leadhub export [FILE]\n"
    "\n"
    "Writes every lead as newline-delimited JSON in id (creation) order, to FILE or stdout.\n";

constexpr std::size_t kMaxInFlight = 4;
constexpr std::size_t kMaxListedRejections = 10'000;

struct Rejection {
  std::size_t line;
  std::string reason;
};

class ImportRun {
 public:
  ImportRun(LeadStore& store, bool show_progress) : store_(store), progress_(show_progress) {}

  void reject(std::size_t line, const Error& error) {
    std::lock_guard lock(mutex_);
    record_rejection(line, error);
  }

  // Hands a batch to the writer; blocks while too many batches are still queued.
  void submit(std::vector<CreateLeadCommand> commands, std::vector<std::size_t> lines) {
    {
      std::unique_lock lock(mutex_);
      idle_.wait(lock, [&] { return in_flight_ < kMaxInFlight; });
      ++in_flight_;
    }
    auto remaining = std::make_shared<std::size_t>(commands.size());
    auto line_of = std::make_shared<std::vector<std::size_t>>(std::move(lines));
    store_.create_leads_async(std::move(commands), [this, remaining, line_of](std::size_t i, Result<Created<Lead>> r) {
      std::lock_guard lock(mutex_);
      if (!r) record_rejection((*line_of)[i], r.error());
      else if (r->created) ++created_;
      else ++duplicates_;
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

  void show_progress(std::size_t lines, bool final_update) {
    if (!progress_) return;
    const auto now = std::chrono::steady_clock::now();
    if (!final_update && now - last_progress_ < std::chrono::milliseconds(200)) return;
    last_progress_ = now;
    std::lock_guard lock(mutex_);
    std::fprintf(stderr, "\r%zu lines read, %zu created, %zu duplicates, %zu rejected%s", lines, created_, duplicates_,
                 rejected_, final_update ? "\n" : "");
  }

  std::string summary(std::size_t lines, double seconds) const {
    std::lock_guard lock(mutex_);
    std::string out;
    JsonWriter w(out);
    w.begin_object();
    w.key("lines").value(static_cast<std::uint64_t>(lines));
    w.key("created").value(static_cast<std::uint64_t>(created_));
    w.key("duplicates").value(static_cast<std::uint64_t>(duplicates_));
    w.key("rejected").value(static_cast<std::uint64_t>(rejected_));
    w.key("seconds").raw(std::to_string(seconds));
    w.key("errors").begin_array();
    for (const auto& r : rejections_) w.begin_object().key("line").value(static_cast<std::uint64_t>(r.line)).key("reason").value(r.reason).end_object();
    w.end_array();
    w.end_object();
    return out;
  }

  std::size_t rejected() const {
    std::lock_guard lock(mutex_);
    return rejected_;
  }

 private:
  void record_rejection(std::size_t line, const Error& error) {
    ++rejected_;
    if (rejections_.size() < kMaxListedRejections) rejections_.push_back({line, error.message});
  }

  LeadStore& store_;
  bool progress_;
  std::chrono::steady_clock::time_point last_progress_{};
  mutable std::mutex mutex_;
  std::condition_variable idle_;
  std::size_t in_flight_ = 0;
  std::size_t created_ = 0, duplicates_ = 0, rejected_ = 0;
  std::vector<Rejection> rejections_;
};

bool is_blank(const std::string& line) {
  return line.find_first_not_of(" \t\r") == std::string::npos;
}

}  // namespace

int run_import(Context& ctx, const std::vector<std::string>& argv) {
  auto args = Args::parse(argv, {{"batch", true, ""}, {"help", false, ""}});
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
  const std::string& name = args->positional()[0];
  std::ifstream file;
  if (name != "-") {
    file.open(name, std::ios::binary);
    if (!file) return report(Error::make(ErrorCode::invalid, "cannot read " + name));
  }
  std::istream& in = name == "-" ? std::cin : file;
  auto store = open_store(ctx);
  if (!store) return report(store.error());

  Actor actor = ctx.actor;
  actor.connector = "cli-import";
  ImportRun run(**store, ::isatty(STDERR_FILENO) != 0);
  const auto started = std::chrono::steady_clock::now();
  std::vector<CreateLeadCommand> batch;
  std::vector<std::size_t> lines;
  std::string line;
  std::size_t line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    if (is_blank(line)) continue;
    auto lead = lead_from_json(line, DecodeMode::input);
    if (!lead) {
      run.reject(line_no, lead.error());
      continue;
    }
    batch.push_back({std::move(lead).value(), actor, {}});
    lines.push_back(line_no);
    if (batch.size() >= batch_size) {
      run.submit(std::move(batch), std::move(lines));
      batch.clear();
      lines.clear();
      run.show_progress(line_no, false);
    }
  }
  if (!batch.empty()) run.submit(std::move(batch), std::move(lines));
  run.wait_all();
  run.show_progress(line_no, true);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  print_line(run.summary(line_no, seconds));
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
