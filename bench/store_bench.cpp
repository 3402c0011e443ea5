// bench_store: the store operations through LeadStore, in process.
//
//   bench_store create --input FILE --dir DIR [--threads 8] [--per-thread 2000]
//       CreateLead through the group-commit writer: THREADS threads each call the
//       synchronous LeadStore::create_lead PER-THREAD times (leads taken from the
//       NDJSON file, decoded before the clock starts) on a fresh store in DIR.
//
//   bench_store query --dir DIR [--reads 200000] [--email-queries 20000]
//                     [--status-queries 2000] [--seed 7]
//       On an existing store (e.g. the 1,000,000 leads of the CLI import):
//       ReadLead by random known id (single thread), FindLeads by e-mail (limit 10)
//       and by status (limit 100, from a random cursor so pages vary).
//
//   bench_store find-during-import --input FILE --dir DIR [--batch 5000] [--pause-us 1000]
//                                  [--resident-mb N]   (what-if: the store's trim budget)
//       A bulk import of FILE into a fresh store in DIR (LeadStore::import_leads_async,
//       one batch in flight while the next is decoded, as `leadhub import` does),
//       while this thread runs FindLeads by e-mail (limit 10) for leads whose batch
//       has committed, one query every PAUSE-US. Shows what a find costs while e-mail
//       entries are still staged (core/store/staging.hpp), before the merge at close.
//
// Latencies: std::chrono::steady_clock around each call, kept in a vector, sorted
// for the percentiles. Lines starting with RESULT are read by bench/run.sh.
#include <time.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "json/record_json.hpp"
#include "store/lead_store.hpp"

#include "rng.hpp"

namespace {

using namespace leadhub;
using Clock = std::chrono::steady_clock;

using bench::Rng;

double micros(Clock::duration d) { return std::chrono::duration<double, std::micro>(d).count(); }

double thread_cpu_micros() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e6 + static_cast<double>(ts.tv_nsec) / 1e3;
}

struct Percentiles {
  double p50 = 0, p99 = 0, max = 0, mean = 0;
};

Percentiles percentiles(std::vector<double>& us) {
  Percentiles p;
  if (us.empty()) return p;
  std::sort(us.begin(), us.end());
  const auto at = [&](double q) {
    const auto i = static_cast<std::size_t>(q * static_cast<double>(us.size()));
    return us[std::min(i, us.size() - 1)];
  };
  p.p50 = at(0.50);
  p.p99 = at(0.99);
  p.max = us.back();
  double sum = 0;
  for (double v : us) sum += v;
  p.mean = sum / static_cast<double>(us.size());
  return p;
}

void print_latency(const char* key, const char* label, std::vector<double>& us, double seconds) {
  const auto p = percentiles(us);
  const double rate = static_cast<double>(us.size()) / seconds;
  std::printf("%-28s %9zu ops  %10.0f ops/s  p50 %9.1f us  p99 %9.1f us  max %9.1f us  mean %9.1f us\n", label,
              us.size(), rate, p.p50, p.p99, p.max, p.mean);
  std::printf("RESULT %s_ops %.0f\nRESULT %s_p50_us %.1f\nRESULT %s_p99_us %.1f\n", key, rate, key, p.p50, key, p.p99);
}

[[noreturn]] void usage() {
  std::fprintf(stderr,
               "usage: bench_store create --input FILE --dir DIR [--threads 8] [--per-thread 2000]\n"
               "       bench_store query --dir DIR [--reads N] [--email-queries N] [--status-queries N] [--seed S]\n"
               "       bench_store find-during-import --input FILE --dir DIR [--batch 5000] [--pause-us 1000]"
               " [--resident-mb N]\n");
  std::exit(2);
}

std::map<std::string, std::string> options(int argc, char** argv, int first) {
  std::map<std::string, std::string> out;
  for (int i = first; i < argc; ++i) {
    const std::string a = argv[i];
    if (a.rfind("--", 0) != 0 || i + 1 >= argc) usage();
    out[a.substr(2)] = argv[++i];
  }
  return out;
}

std::size_t number(const std::map<std::string, std::string>& o, const char* name, std::size_t fallback) {
  const auto it = o.find(name);
  return it == o.end() ? fallback : std::strtoull(it->second.c_str(), nullptr, 10);
}

// resident_mb: StoreOptions::resident_map_budget in MiB (a what-if; default the store's).
std::unique_ptr<LeadStore> open_store(const std::string& dir, std::optional<std::size_t> resident_mb = std::nullopt) {
  StoreOptions options;
  options.path = dir;
  if (resident_mb) options.resident_map_budget = *resident_mb << 20;
  auto store = LeadStore::open(options);
  if (!store) {
    std::fprintf(stderr, "bench_store: cannot open %s: %s\n", dir.c_str(), store.error().message.c_str());
    std::exit(1);
  }
  return std::move(store).value();
}

// ---- create ------------------------------------------------------------------------

int run_create(const std::map<std::string, std::string>& o) {
  const std::string input = o.count("input") != 0U ? o.at("input") : "";
  const std::string dir = o.count("dir") != 0U ? o.at("dir") : "";
  if (input.empty() || dir.empty()) usage();
  const std::size_t threads = number(o, "threads", 8);
  const std::size_t per_thread = number(o, "per-thread", 2000);

  std::vector<Lead> leads;
  {
    std::ifstream in(input, std::ios::binary);
    std::string line;
    while (leads.size() < threads * per_thread && std::getline(in, line)) {
      auto lead = lead_from_json(line, DecodeMode::input);
      if (!lead) {
        std::fprintf(stderr, "bench_store: bad input line: %s\n", lead.error().message.c_str());
        return 1;
      }
      leads.push_back(std::move(lead).value());
    }
  }
  if (leads.size() < threads * per_thread) {
    std::fprintf(stderr, "bench_store: %s has %zu leads, need %zu\n", input.c_str(), leads.size(),
                 threads * per_thread);
    return 1;
  }

  auto store = open_store(dir);
  std::vector<std::vector<double>> latencies(threads);
  std::atomic<std::size_t> failures{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> workers;
  for (std::size_t t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      auto& lat = latencies[t];
      lat.reserve(per_thread);
      while (!go.load()) std::this_thread::yield();
      Actor actor{"bench", "bench"};
      for (std::size_t i = 0; i < per_thread; ++i) {
        CreateLeadCommand cmd{leads[t * per_thread + i], actor, {}};
        const auto t0 = Clock::now();
        auto r = store->create_lead(std::move(cmd));
        lat.push_back(micros(Clock::now() - t0));
        if (!r || !r->created) ++failures;
      }
    });
  }
  const auto started = Clock::now();
  go = true;
  for (auto& w : workers) w.join();
  const double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  auto stats = store->stats();
  store->close();

  char label[64];
  std::snprintf(label, sizeof label, "CreateLead (%zu threads)", threads);
  print_latency("create", label, all, seconds);
  if (stats) {
    std::printf("  %llu commits, %.2f leads per commit on average, largest batch %llu, map grows %llu\n",
                static_cast<unsigned long long>(stats->commits),
                static_cast<double>(all.size()) / static_cast<double>(std::max<std::uint64_t>(1, stats->commits)),
                static_cast<unsigned long long>(stats->largest_batch),
                static_cast<unsigned long long>(stats->map_grows));
  }
  if (failures != 0) {
    std::fprintf(stderr, "bench_store: %zu creates failed\n", failures.load());
    return 1;
  }
  return 0;
}

// ---- query -------------------------------------------------------------------------

// The value of a string member `"name":"..."` in stored JSON (no escapes expected).
std::string_view string_member(std::string_view json, std::string_view needle) {
  const auto at = json.find(needle);
  if (at == std::string_view::npos) return {};
  const auto begin = at + needle.size();
  const auto end = json.find('"', begin);
  return end == std::string_view::npos ? std::string_view{} : json.substr(begin, end - begin);
}

int run_query(const std::map<std::string, std::string>& o) {
  const std::string dir = o.count("dir") != 0U ? o.at("dir") : "";
  if (dir.empty()) usage();
  const std::size_t reads = number(o, "reads", 200'000);
  const std::size_t email_queries = number(o, "email-queries", 20'000);
  const std::size_t status_queries = number(o, "status-queries", 2'000);
  Rng rng(number(o, "seed", 7));

  auto store = open_store(dir);

  // Known ids (all) and e-mails (every 37th lead), from one pass over the records.
  std::vector<RecordId> ids;
  std::vector<std::string> emails;
  const auto scan_start = Clock::now();
  auto st = store->for_each_lead_json([&](std::string_view json) {
    if (auto id = RecordId::parse(string_member(json, "{\"id\":\""))) ids.push_back(*id);
    if (ids.size() % 37 == 0) emails.emplace_back(string_member(json, "\"email\":\""));
    return true;
  });
  if (!st || ids.empty()) {
    std::fprintf(stderr, "bench_store: no leads found in %s\n", dir.c_str());
    return 1;
  }
  std::printf("store %s: %zu leads (id scan %.2f s)\n", dir.c_str(), ids.size(),
              std::chrono::duration<double>(Clock::now() - scan_start).count());
  std::printf("RESULT query_store_leads %zu\n", ids.size());

  std::size_t failures = 0;
  // ReadLead, single thread, random known ids (a short warm-up first).
  for (std::size_t i = 0; i < 10'000; ++i) {
    if (!store->read_lead(ids[rng.below(ids.size())])) ++failures;
  }
  {
    std::vector<RecordId> order(reads);
    for (auto& id : order) id = ids[rng.below(ids.size())];
    std::vector<double> lat;
    lat.reserve(reads);
    const auto started = Clock::now();
    for (const RecordId id : order) {
      const auto t0 = Clock::now();
      auto r = store->read_lead(id);
      lat.push_back(micros(Clock::now() - t0));
      if (!r || r->id != id) ++failures;
    }
    print_latency("read", "ReadLead (1 thread)", lat, std::chrono::duration<double>(Clock::now() - started).count());
  }
  // FindLeads by e-mail, limit 10.
  {
    std::vector<double> lat;
    lat.reserve(email_queries);
    std::size_t hits = 0;
    const auto started = Clock::now();
    for (std::size_t i = 0; i < email_queries; ++i) {
      LeadQuery q;
      q.email = emails[rng.below(emails.size())];
      q.limit = 10;
      const auto t0 = Clock::now();
      auto r = store->find_leads(q);
      lat.push_back(micros(Clock::now() - t0));
      if (!r || r->items.empty())
        ++failures;
      else
        hits += r->items.size();
    }
    print_latency("find_email", "FindLeads email (limit 10)", lat,
                  std::chrono::duration<double>(Clock::now() - started).count());
    std::printf("  %.2f hits per query on average\n", static_cast<double>(hits) / static_cast<double>(email_queries));
  }
  // FindLeads by status, limit 100, from a random cursor.
  {
    std::vector<double> lat;
    lat.reserve(status_queries);
    std::size_t hits = 0;
    const auto started = Clock::now();
    for (std::size_t i = 0; i < status_queries; ++i) {
      LeadQuery q;
      q.status = i % 2 == 0 ? LeadStatus::open : LeadStatus::in_process;
      q.limit = 100;
      q.after = ids[rng.below(ids.size() / 2)];  // first half: a full page always follows
      const auto t0 = Clock::now();
      auto r = store->find_leads(q);
      lat.push_back(micros(Clock::now() - t0));
      if (!r)
        ++failures;
      else
        hits += r->items.size();
    }
    print_latency("find_status", "FindLeads status (limit 100)", lat,
                  std::chrono::duration<double>(Clock::now() - started).count());
    std::printf("  %.1f hits per query on average\n", static_cast<double>(hits) / static_cast<double>(status_queries));
  }
  store->close();
  if (failures != 0) {
    std::fprintf(stderr, "bench_store: %zu queries failed or found nothing\n", failures);
    return 1;
  }
  return 0;
}

// ---- find during import ------------------------------------------------------------

// Feeds FILE to the store in batches with one batch in flight and publishes the
// e-mails of each batch once it has committed.
class BackgroundImport {
 public:
  BackgroundImport(LeadStore& store, std::string input, std::size_t batch)
      : store_(store), input_(std::move(input)), batch_(batch), thread_([this] { run(); }) {}
  ~BackgroundImport() { thread_.join(); }

  bool finished() const { return finished_.load(); }
  std::size_t failures() const { return failures_.load(); }
  std::size_t leads() const { return leads_.load(); }
  double seconds() const { return seconds_; }  // valid once finished

  // A random e-mail of a committed lead, or "" before the first commit.
  std::string committed_email(Rng& rng) {
    std::lock_guard lock(mutex_);
    return committed_.empty() ? std::string{} : committed_[rng.below(committed_.size())];
  }

 private:
  struct Pending {
    std::vector<std::string> emails;
    std::size_t remaining = 0;
  };

  void run() {
    const auto started = Clock::now();
    std::ifstream in(input_, std::ios::binary);
    std::string line;
    std::vector<CreateLeadCommand> commands;
    std::vector<std::string> emails;
    while (std::getline(in, line)) {
      auto lead = lead_from_json(line, DecodeMode::input);
      if (!lead) {
        ++failures_;
        continue;
      }
      emails.push_back(lead->prospect.email);
      commands.push_back({std::move(lead).value(), Actor{"bench", "import"}, {}});
      if (commands.size() == batch_) submit(commands, emails);
    }
    if (!commands.empty()) submit(commands, emails);
    wait_for_previous();
    seconds_ = std::chrono::duration<double>(Clock::now() - started).count();
    finished_ = true;
  }

  void submit(std::vector<CreateLeadCommand>& commands, std::vector<std::string>& emails) {
    wait_for_previous();  // one batch in flight while the next is decoded
    auto pending = std::make_shared<Pending>();
    pending->emails = std::move(emails);
    pending->remaining = commands.size();
    {
      std::lock_guard lock(mutex_);
      in_flight_ = true;
    }
    leads_ += commands.size();
    store_.import_leads_async(std::move(commands), [this, pending](std::size_t, Result<CreateOutcome> r) {
      if (!r || !r->created) ++failures_;
      std::lock_guard lock(mutex_);
      if (--pending->remaining > 0) return;
      committed_.insert(committed_.end(), pending->emails.begin(), pending->emails.end());
      in_flight_ = false;
      idle_.notify_all();
    });
    commands.clear();
    emails.clear();
  }

  void wait_for_previous() {
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [&] { return !in_flight_; });
  }

  LeadStore& store_;
  std::string input_;
  std::size_t batch_;
  std::mutex mutex_;
  std::condition_variable idle_;
  bool in_flight_ = false;
  std::vector<std::string> committed_;
  std::atomic<bool> finished_{false};
  std::atomic<std::size_t> failures_{0}, leads_{0};
  double seconds_ = 0;
  std::thread thread_;  // last: starts once the members it uses exist
};

int run_find_during_import(const std::map<std::string, std::string>& o) {
  const std::string input = o.count("input") != 0U ? o.at("input") : "";
  const std::string dir = o.count("dir") != 0U ? o.at("dir") : "";
  if (input.empty() || dir.empty()) usage();
  const auto pause = std::chrono::microseconds(number(o, "pause-us", 1000));
  Rng rng(number(o, "seed", 7));

  const auto resident = o.count("resident-mb") != 0U ? std::optional(number(o, "resident-mb", 0)) : std::nullopt;
  auto store = open_store(dir, resident);
  std::vector<double> lat, cpu;
  std::size_t misses = 0;
  std::uint64_t staged_at_end = 0;
  double import_seconds = 0;
  std::size_t import_failures = 0, leads = 0;
  {
    BackgroundImport import(*store, input, number(o, "batch", 5000));
    while (!import.finished()) {
      std::this_thread::sleep_for(pause);
      const std::string email = import.committed_email(rng);
      if (email.empty()) continue;
      LeadQuery q;
      q.email = email;
      q.limit = 10;
      const auto t0 = Clock::now();
      const double c0 = thread_cpu_micros();
      auto r = store->find_leads(q);
      cpu.push_back(thread_cpu_micros() - c0);
      lat.push_back(micros(Clock::now() - t0));
      if (!r || r->items.empty()) ++misses;  // committed, so it must be found
    }
    if (auto s = store->stats()) staged_at_end = s->staged_index_entries;
    import_seconds = import.seconds();
    import_failures = import.failures();
    leads = import.leads();
  }
  const auto close_start = Clock::now();
  store->close();
  const double close_seconds = std::chrono::duration<double>(Clock::now() - close_start).count();

  std::printf("import of %zu leads while finding: %.2f s (%.0f leads/s), then close (final merge) %.2f s\n", leads,
              import_seconds, static_cast<double>(leads) / import_seconds, close_seconds);
  std::printf("  %llu e-mail/phone entries staged when the import ended\n",
              static_cast<unsigned long long>(staged_at_end));
  print_latency("find_email_importing", "FindLeads email, importing", lat, import_seconds);
  // Wall time includes waiting for a core (the import's threads use both); the
  // find's own CPU time shows what the staged lookup itself costs.
  const auto c = percentiles(cpu);
  std::printf("  its own CPU time: p50 %.1f us  p99 %.1f us  max %.1f us\n", c.p50, c.p99, c.max);
  if (misses != 0 || import_failures != 0) {
    std::fprintf(stderr, "bench_store: %zu finds missed a committed lead, %zu imports failed\n", misses,
                 import_failures);
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) usage();
  const std::string_view mode = argv[1];
  const auto o = options(argc, argv, 2);
  if (mode == "create") return run_create(o);
  if (mode == "query") return run_query(o);
  if (mode == "find-during-import") return run_find_during_import(o);
  usage();
}
