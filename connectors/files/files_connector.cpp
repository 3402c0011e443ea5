#include "files_connector.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "../framework/batch_import.hpp"
#include "../framework/hub.hpp"
#include "../framework/log.hpp"
#include "drop_folder.hpp"
#include "drop_rules.hpp"
#include "json/json_writer.hpp"
#include "util/clock.hpp"
#include "util/time_format.hpp"

namespace leadhub::connectors::files {
namespace {

namespace fs = std::filesystem;

const std::vector<SettingSpec>& setting_specs() {
  static const std::vector<SettingSpec> kSpecs = {
      {"inbox", "", "the folder senders drop files into (required; created on start)"},
      {"mapping", "",
       "the mapping that reads a file no `patterns` item names (config/mappings/NAME.yaml); none: canonical leads, "
       "one JSON object per line or one JSON array"},
      {"patterns", "[]",
       "{match, mapping}: the mapping for the file names a pattern matches (*.csv; case is ignored), the first "
       "that matches; an item without a mapping: canonical leads"},
      {"ignore", "[\"*.part\", \"*.tmp\", \"*.filepart\"]",
       "names a sender uploads to before it renames the file: never taken (hidden dot files never are either)"},
      {"poll_interval_ms", "2000", "how often the inbox is looked at"},
      {"stable_ms", "5000", "a file is taken once its size and modification time stayed the same this long"},
      {"processing", "INBOX/processing",
       "where a file is while it is imported; a file found there at start is imported again (nothing twice)"},
      {"done", "INBOX/done", "imported files, each with NAME.report.json; a name already there gets a time stamp"},
      {"failed", "INBOX/failed",
       "files nothing could be read from (not the mapping's format or encoding, no records, every record "
       "rejected), each with its report"},
  };
  return kSpecs;
}

const std::vector<SettingSpec>& pattern_specs() {
  static const std::vector<SettingSpec> kSpecs = {
      {"match", "", "a file name pattern: * any characters, ? one, [abc] one of those; case is ignored"},
      {"mapping", "", "config/mappings/NAME.yaml; none: canonical leads (NDJSON or one JSON array)"},
  };
  return kSpecs;
}

struct FilesOptions {
  std::string instance;
  std::string inbox, processing, done, failed;
  std::map<std::string, std::string> where;  // setting key -> "FILE:LINE:COL: connectors.NAME.KEY", for start errors
  FileRules rules{{}, {}, {}};
  std::map<std::string, std::shared_ptr<const mapping::Mapper>> mappers;  // by name
  std::int64_t poll_interval_ms = 2000;
  std::int64_t stable_ms = 5000;
};

std::string join(const std::string& folder, const std::string& name) { return folder + "/" + name; }

std::string plural(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::string seconds_text(double seconds) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f s", seconds);
  return text;
}

// A summary as run_batch_import writes it, for a file that could not even be opened.
std::string unopened_summary(const std::string& reason) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  for (const char* key : {"records", "created", "duplicates"}) w.key(key).value(0);
  w.key("rejected").value(1);  // the document, as run_batch_import counts a broken one
  w.key("seconds").raw("0");
  w.key("errors").begin_array().begin_object().key("record").value("document");
  w.key("codes").begin_array().value("unreadable").end_array();
  w.key("reason").value(reason).end_object().end_array();
  w.key("duplicate_records").begin_array().end_array();
  w.end_object();
  return out;
}

// What became of one file.
struct Outcome {
  bool failed = false;
  std::string reason;  // failed: why
  std::string summary_json;
  ImportCounts counts;
  std::string first_rejection;
};

// Nothing of the file could be used: it stays out of done/ so somebody looks at it.
void judge(Outcome& o, const BatchImportResult& r) {
  o.summary_json = r.summary_json;
  o.counts = r.counts;
  o.first_rejection = r.first_rejection;
  if (r.unreadable) {
    o.failed = true;
    o.reason = *r.unreadable;
    const std::size_t stored = o.counts.created + o.counts.duplicates + o.counts.changed;
    if (stored > 0) o.reason += " (" + plural(stored, "record", "records") + " before that point are stored)";
  } else if (r.counts.records == 0) {
    o.failed = true;
    o.reason = "the file holds no records";
  } else if (r.counts.rejected >= r.counts.records) {
    o.failed = true;
    o.reason = "every record was rejected; the first: " + r.first_rejection;
  }
}

// NAME.report.json: the file, how it was read and what became of it, then the
// import's summary as `leadhub import` prints it.
std::string make_report(const std::string& name, const std::string& mapping, const std::string& sha256, bool resumed,
                        const Outcome& o) {
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("file").value(printable_name(name));
  w.key("mapping");
  if (mapping.empty())
    w.null();
  else
    w.value(mapping);
  if (!sha256.empty()) w.key("sha256").value(sha256);
  w.key("finished_at").value(format_timestamp(SystemClock::instance().now_ms()));
  w.key("outcome").value(o.failed ? "failed" : "done");
  if (o.failed) w.key("reason").value(o.reason);
  // Imported again after the hub stopped or crashed during the first run: the
  // records that run stored count as duplicates now.
  if (resumed) w.key("resumed").value(true);
  w.end_object();
  const std::string& summary = o.summary_json;
  if (summary.size() > 2 && summary.front() == '{') {
    out.pop_back();
    out += ',';
    out.append(summary, 1);
  }
  out += '\n';
  return out;
}

// The log line's text after the file name.
std::string describe(const Outcome& o, const std::string& mapping, bool resumed) {
  const std::string read_by = mapping.empty() ? "canonical leads" : "mapping " + mapping;
  std::string text;
  if (o.failed) {
    text = "failed (" + read_by + "): " + o.reason;
  } else {
    text = plural(o.counts.records, "record", "records") + ", " + std::to_string(o.counts.created) + " created, " +
           plural(o.counts.duplicates, "duplicate", "duplicates") + ", ";
    if (o.counts.changed > 0) text += std::to_string(o.counts.changed) + " changed, ";
    text += std::to_string(o.counts.rejected) + " rejected in " + seconds_text(o.counts.seconds) + " (" + read_by + ")";
    if (o.counts.rejected > 0) text += "; the first rejected: " + o.first_rejection;
  }
  if (resumed) text += "; imported again after it was interrupted";
  return text;
}

class FilesConnector final : public Connector {
 public:
  FilesConnector(Hub& hub, FilesOptions options) : hub_(hub), o_(std::move(options)), stability_(o_.stable_ms) {}
  ~FilesConnector() override { stop(); }
  FilesConnector(const FilesConnector&) = delete;
  FilesConnector& operator=(const FilesConnector&) = delete;

  Status start() override {
    if (auto st = prepare_folders(); !st) return st;
    if (auto st = lock_processing(); !st) return st;
    stopping_ = false;
    {
      std::lock_guard lock(mutex_);
      started_ = true;
    }
    worker_ = std::thread([this] { run(); });
    return ok_status();
  }

  void stop() override {
    if (worker_.joinable()) {
      {
        std::lock_guard lock(mutex_);
        stopping_ = true;
      }
      wake_.notify_all();
      worker_.join();
    }
    if (lock_fd_ >= 0) ::close(std::exchange(lock_fd_, -1));
    std::lock_guard lock(mutex_);
    started_ = false;
  }

  Health health() const override {
    std::lock_guard lock(mutex_);
    if (!started_) return {false, "not started"};
    std::string detail = "watching " + o_.inbox + " (every " + std::to_string(o_.poll_interval_ms) +
                         " ms; a file is taken when unchanged for " + std::to_string(o_.stable_ms) +
                         " ms): " + std::to_string(done_) + " done, " + std::to_string(failed_) + " failed";
    if (!current_.empty()) detail += ", importing " + current_;
    std::string problem = scan_problem_;
    if (problem.empty()) problem = store_problem_;
    if (problem.empty() && !unfiled_.empty()) problem = unfiled_problem_;
    if (!problem.empty()) return {false, problem + "; " + detail};
    return {true, detail};
  }

 private:
  struct Unfiled {  // imported, but not yet moved out of processing/
    Outcome outcome;
    std::string report;
    std::string text;
  };

  Error folder_error(const std::string& key, const std::string& message) const {
    return Error::make(ErrorCode::unavailable, o_.where.at(key) + ": " + message);
  }

  // Creates the folders; they must be folders on the inbox's file system, as a
  // file moves between them by rename.
  Status prepare_folders() {
    const std::pair<const char*, const std::string*> folders[] = {
        {"inbox", &o_.inbox}, {"processing", &o_.processing}, {"done", &o_.done}, {"failed", &o_.failed}};
    dev_t inbox_device = 0;
    for (const auto& [key, path] : folders) {
      std::error_code ec;
      fs::create_directories(*path, ec);
      if (ec) return folder_error(key, "cannot create the folder " + *path + ": " + ec.message());
      struct stat st {};
      if (::stat(path->c_str(), &st) != 0)
        return folder_error(key, "cannot read " + *path + ": " + std::strerror(errno));
      if (!S_ISDIR(st.st_mode)) return folder_error(key, *path + " is not a folder");
      if (::access(path->c_str(), R_OK | W_OK | X_OK) != 0) {
        return folder_error(key, "cannot read and write " + *path + " (" + std::strerror(errno) +
                                     "): files are taken and filed by renaming them");
      }
      if (std::string(key) == "inbox") {
        inbox_device = st.st_dev;
      } else if (st.st_dev != inbox_device) {
        return folder_error(key, *path + " is on another file system than the inbox " + o_.inbox +
                                     ": files move between them by rename, so they must share one");
      }
    }
    return ok_status();
  }

  // One hub per inbox: a second one would import the first one's processing/ again.
  Status lock_processing() {
    const std::string path = join(o_.processing, ".leadhub.lock");
    lock_fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock_fd_ < 0) return folder_error("processing", "cannot create " + path + ": " + std::strerror(errno));
    if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      const int err = errno;
      ::close(std::exchange(lock_fd_, -1));
      if (err == EWOULDBLOCK) {
        return folder_error("processing",
                            "another process watches this drop folder (it holds " + path + "); one hub per inbox");
      }
      return folder_error("processing", "cannot lock " + path + ": " + std::strerror(err));
    }
    return ok_status();
  }

  void run() {
    while (!stopping_) {
      poll();
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, std::chrono::milliseconds(o_.poll_interval_ms), [&] { return stopping_.load(); });
    }
  }

  void set_scan_problem(std::string problem) {
    std::lock_guard lock(mutex_);
    if (problem != scan_problem_ && !problem.empty()) log::error(o_.instance, problem);
    if (problem.empty() && !scan_problem_.empty()) log::info(o_.instance, "the folders can be read again");
    scan_problem_ = std::move(problem);
  }

  static std::int64_t steady_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
  }

  void poll() {
    file_unfiled();
    // While the store cannot write, nothing is imported until the next try.
    if (!retry_.empty() && steady_ms() < retry_at_ms_) return;
    // A file left in processing/: the hub stopped or crashed while importing it, or
    // the store could not write.
    auto left = list_files(o_.processing);
    if (!left) return set_scan_problem(left.error().message);
    std::sort(left->begin(), left->end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    const bool retrying = !retry_.empty();
    std::erase_if(retry_, [&](const std::string& name) {  // taken away by somebody
      return std::none_of(left->begin(), left->end(), [&](const auto& e) { return e.name == name; });
    });
    if (retrying && retry_.empty()) store_recovered();  // nothing left to try again
    for (const auto& e : *left) {
      if (stopping_) return;
      if (e.name.front() == '.' || unfiled_.count(e.name) > 0) continue;
      if (retry_.erase(e.name) > 0) {
        log::info(o_.instance, printable_name(e.name) + ": importing it again (nothing twice)");
      } else {
        log::info(o_.instance, printable_name(e.name) +
                                   ": was being imported when the hub stopped; importing it again (what it stored "
                                   "then is not stored twice)");
      }
      import_taken(e.name, true);
      if (!retry_.empty()) return;  // the store still cannot write
    }
    auto listed = list_files(o_.inbox);
    if (!listed) return set_scan_problem(listed.error().message);
    set_scan_problem("");
    const auto now = steady_ms();
    std::vector<FolderEntry> ready;
    std::set<std::string> present;
    for (const auto& e : *listed) {
      if (o_.rules.ignored(e.name)) continue;
      present.insert(e.name);
      if (stability_.observe(e.name, e.state, now)) ready.push_back(e);
    }
    stability_.forget_missing([&](const std::string& name) { return present.count(name) > 0; });
    // Oldest first, as they arrived.
    std::sort(ready.begin(), ready.end(), [](const auto& a, const auto& b) {
      return a.state.mtime_ns != b.state.mtime_ns ? a.state.mtime_ns < b.state.mtime_ns : a.name < b.name;
    });
    for (const auto& e : ready) {
      if (stopping_ || !retry_.empty()) return;
      take(e);
    }
  }

  // Moves a complete file into processing/ (a restart knows then it was started) and imports it.
  void take(const FolderEntry& e) {
    auto moved = move_unless_taken(join(o_.inbox, e.name), join(o_.processing, e.name));
    if (!moved) {
      // Logged once per state of the file, not every poll.
      if (auto it = untakeable_.find(e.name); it == untakeable_.end() || !(it->second == e.state)) {
        log::error(o_.instance, printable_name(e.name) + ": " + moved.error().message + " (left in the inbox)");
        untakeable_[e.name] = e.state;
      }
      return;
    }
    untakeable_.erase(e.name);
    stability_.forget(e.name);
    if (!*moved) return;  // one of that name waits in processing/ to be filed: taken after it
    // Durable before the import starts: after a crash the file is in processing/.
    (void)sync_folder(o_.processing);
    (void)sync_folder(o_.inbox);
    import_taken(e.name, false);
  }

  void set_current(const std::string& name) {
    std::lock_guard lock(mutex_);
    current_ = printable_name(name);
  }

  void import_taken(const std::string& name, bool resumed) {
    const std::string path = join(o_.processing, name);
    const std::string& mapping = o_.rules.mapping_for(name);
    set_current(name);
    Outcome outcome;
    std::string sha256;
    try {
      auto hash = file_sha256(path);
      std::ifstream in(path, std::ios::binary);
      if (!hash || !in) {
        outcome.failed = true;
        outcome.reason = !hash ? hash.error().message : "cannot read " + path;
        outcome.counts.source = mapping.empty() ? "ndjson" : mapping;
        outcome.summary_json = unopened_summary(outcome.reason);
      } else {
        sha256 = *hash;
        BatchImportOptions options;
        options.actor.user = o_.instance;
        options.actor.connector = mapping.empty() ? o_.instance : o_.instance + ":" + mapping;
        options.mapper = mapping.empty() ? nullptr : o_.mappers.at(mapping).get();
        // The same bytes imported again store nothing twice: a record is its file's
        // content and its number in it.
        options.idempotency_prefix = "file:" + sha256 + ":";
        options.stop = &stopping_;
        const auto result = run_batch_import(hub_.store(), in, options);
        if (result.stopped) {
          log::info(o_.instance, printable_name(name) + ": stopped after " +
                                     plural(result.counts.records, "record", "records") + "; it stays in " +
                                     o_.processing + " and is imported again at the next start (nothing twice)");
          set_current("");
          return;
        }
        if (result.unavailable > 0) return store_failed(name, result.unavailable);
        store_recovered();
        judge(outcome, result);
      }
    } catch (const std::exception& e) {
      outcome = {};
      outcome.failed = true;
      outcome.reason = std::string("internal error: ") + e.what();
      outcome.summary_json = unopened_summary(outcome.reason);
    }
    set_current("");
    Unfiled unfiled{outcome, make_report(name, mapping, sha256, resumed, outcome), describe(outcome, mapping, resumed)};
    file_away(name, std::move(unfiled));
  }

  // Records the store could not write (disk full): not the file's fault. It stays in
  // processing/ and is imported again later, after 1 s, 2 s, ... up to a minute.
  void store_failed(const std::string& name, std::size_t records) {
    retry_delay_ms_ = std::clamp<std::int64_t>(retry_delay_ms_ * 2, 1000, 60'000);
    retry_at_ms_ = steady_ms() + retry_delay_ms_;
    retry_.insert(name);
    const std::string problem = "the store could not write " + plural(records, "record", "records") + " of " +
                                printable_name(name) + " (the log of `store` says why); it stays in " + o_.processing +
                                " and is imported again (nothing twice) in " + std::to_string(retry_delay_ms_ / 1000) +
                                " s";
    log::error(o_.instance, problem);
    std::lock_guard lock(mutex_);
    current_.clear();
    store_problem_ = problem;
  }

  void store_recovered() {
    retry_delay_ms_ = 0;
    std::lock_guard lock(mutex_);
    store_problem_.clear();
  }

  // Into done/ or failed/ with its report; kept for the next poll when that fails.
  void file_away(const std::string& name, Unfiled u) {
    const std::string& folder = u.outcome.failed ? o_.failed : o_.done;
    auto placed = file_with_report(join(o_.processing, name), folder, name, u.report);
    if (!placed) {
      const std::string problem = printable_name(name) + ": " + u.text + "; cannot file it in " + folder + ": " +
                                  placed.error().message + " (it stays in " + o_.processing +
                                  ", tried again every poll)";
      std::lock_guard lock(mutex_);
      if (unfiled_.count(name) == 0) log::error(o_.instance, problem);
      unfiled_problem_ = problem;
      unfiled_.insert_or_assign(name, std::move(u));
      return;
    }
    (void)sync_folder(o_.processing);
    const std::string line = printable_name(name) + ": " + u.text + " -> " + join(folder, printable_name(*placed));
    if (u.outcome.failed)
      log::error(o_.instance, line);
    else if (u.outcome.counts.rejected > 0)
      log::warn(o_.instance, line);
    else
      log::info(o_.instance, line);
    std::lock_guard lock(mutex_);
    ++(u.outcome.failed ? failed_ : done_);
    unfiled_.erase(name);
  }

  void file_unfiled() {
    std::vector<std::pair<std::string, Unfiled>> waiting;
    {
      std::lock_guard lock(mutex_);
      for (const auto& item : unfiled_) waiting.emplace_back(item);
    }
    for (auto& [name, u] : waiting) {
      if (stopping_) return;
      file_away(name, std::move(u));
    }
  }

  Hub& hub_;
  FilesOptions o_;
  StabilityCheck stability_;                     // worker thread only
  std::map<std::string, FileState> untakeable_;  // worker thread only: logged once per state
  std::set<std::string> retry_;                  // worker thread only: the store could not write them
  std::int64_t retry_at_ms_ = 0, retry_delay_ms_ = 0;
  int lock_fd_ = -1;
  std::atomic<bool> stopping_{false};
  std::thread worker_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool started_ = false;
  std::string current_;  // the file being imported
  std::size_t done_ = 0, failed_ = 0;
  std::string scan_problem_;
  std::map<std::string, Unfiled> unfiled_;
  std::string unfiled_problem_;
  std::string store_problem_;
};

// ---- settings -----------------------------------------------------------------

Status add_mapper(const Settings& s, const std::string& key, const std::string& name, Hub& hub, FilesOptions& o) {
  if (name.empty() || o.mappers.count(name) > 0) return ok_status();
  auto mapper = hub.mappings().get(name);
  if (!mapper) return s.error(key, mapper.error().message);
  o.mappers.emplace(name, std::move(mapper).value());
  return ok_status();
}

Result<std::vector<PatternMapping>> read_patterns(const Settings& s, Hub& hub, FilesOptions& o) {
  auto items = s.children("patterns");
  if (!items) return items.error();
  std::vector<PatternMapping> out;
  for (const auto& item : *items) {
    if (auto st = item.check_known(pattern_specs()); !st) return st.error();
    auto match = item.text("match", "");
    auto mapping = item.text("mapping", "");
    if (!match) return match.error();
    if (!mapping) return mapping.error();
    if (match->empty()) return item.error("match", "required: a file name pattern such as *.csv");
    if (auto st = add_mapper(item, "mapping", *mapping, hub, o); !st) return st.error();
    out.push_back({*match, *mapping});
  }
  return out;
}

// The folder a key names, or its default inside the inbox.
Result<std::string> folder_setting(const Settings& s, const std::string& key, const std::string& inbox) {
  auto v = s.text(key, "");
  if (!v) return v.error();
  if (v->empty()) return (fs::path(inbox) / key).lexically_normal().string();
  return fs::path(*v).lexically_normal().string();
}

Status read_folders(const Settings& s, FilesOptions& o) {
  auto inbox = s.text("inbox", "");
  if (!inbox) return inbox.error();
  if (inbox->empty()) return s.error("inbox", "required: the folder senders drop files into");
  o.inbox = fs::path(*inbox).lexically_normal().string();
  if (o.inbox.size() > 1 && o.inbox.back() == '/') o.inbox.pop_back();
  std::vector<std::pair<std::string, std::string>> seen = {{"inbox", fs::absolute(o.inbox).lexically_normal()}};
  for (auto [key, out] :
       {std::pair{"processing", &o.processing}, std::pair{"done", &o.done}, std::pair{"failed", &o.failed}}) {
    auto folder = folder_setting(s, key, o.inbox);
    if (!folder) return folder.error();
    *out = *folder;
    if (out->size() > 1 && out->back() == '/') out->pop_back();
    std::string absolute = fs::absolute(*out).lexically_normal();
    if (absolute.size() > 1 && absolute.back() == '/') absolute.pop_back();
    for (const auto& [other, path] : seen) {
      std::string p = path;
      if (p.size() > 1 && p.back() == '/') p.pop_back();
      if (p == absolute) return s.error(key, "is the same folder as `" + other + "` (" + *out + ")");
    }
    seen.emplace_back(key, absolute);
  }
  for (const char* key : {"inbox", "processing", "done", "failed"}) o.where[key] = s.where(key);
  return ok_status();
}

Result<std::unique_ptr<Connector>> create(const Settings& s, Hub& hub) {
  FilesOptions o;
  o.instance = s.instance();
  if (auto st = read_folders(s, o); !st) return st.error();
  auto mapping = s.text("mapping", "");
  if (!mapping) return mapping.error();
  if (auto st = add_mapper(s, "mapping", *mapping, hub, o); !st) return st.error();
  auto patterns = read_patterns(s, hub, o);
  if (!patterns) return patterns.error();
  std::vector<std::string> ignore = {"*.part", "*.tmp", "*.filepart"};
  if (s.has("ignore")) {
    auto listed = s.texts("ignore");
    if (!listed) return listed.error();
    ignore = std::move(listed).value();
  }
  o.rules = FileRules(std::move(ignore), std::move(patterns).value(), *mapping);
  if (auto st = s.integer_into("poll_interval_ms", o.poll_interval_ms, 10, 3'600'000); !st) return st.error();
  if (auto st = s.integer_into("stable_ms", o.stable_ms, 0, 86'400'000); !st) return st.error();
  return std::unique_ptr<Connector>(std::make_unique<FilesConnector>(hub, std::move(o)));
}

}  // namespace

ConnectorType connector_type() {
  return {"files",
          "a drop folder for batch files (lettershop and partner response files delivered by SFTP): each complete "
          "file is imported as `leadhub import` does and filed in done/ or failed/ with a report",
          setting_specs(), create};
}

}  // namespace leadhub::connectors::files
