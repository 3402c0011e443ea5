// bench_import_profile: where the time of an import goes. Not part of the table;
// a diagnostic for when the import misses its target (bench/README.md).
//
//   bench_import_profile --input FILE --dir DIR [--batch 1000] [--nosync]
//                        [--skip email,phone,ref,status,owner,source,campaign,changed,audit]
//                        [--map-mb 1024] [--sorted] [--append] [--defer email,phone]
//
// Runs the import's work on ONE thread, stage after stage, with a clock around each:
// read line, decode (lead_from_json, input mode), prepare (normalize, initial
// lifecycle, validate), and then the writer's part per lead exactly as
// core/store/lead_writes.cpp apply_create_lead does it (lookup by external ref,
// copy, id + encode, put record, one put per index entry, changed-at entry, audit
// entry), and mdb_txn_commit per batch. Bytes written: the disk's own counter.
// What-ifs for changes in core/store (same data, same on-disk format):
//   --sorted  the batch's index entries sorted by (index, key) and put through one
//             cursor per index after the records, instead of 7 mdb_put per lead
//   --append  records, audit and changed-at entries put with MDB_APPEND (their keys
//             only grow: ids and times), skipping the B-tree search
//   --defer   the named indexes are not written per batch; their entries are kept in
//             memory and inserted at the end, sorted, in transactions of 100,000
//             (a bulk-load mode: each page of those trees is written a few times
//             instead of once per commit)
// The real import overlaps decode (reader thread), prepare (submitter thread) and
// the writer thread, so its wall time is about the largest of the three, not the
// sum printed here. Since the bulk write path (LeadStore::import_leads_async), core
// itself does what --sorted --append estimate, with 5,000 leads per commit, and
// stages e-mail and phone entries instead of --defer (core/store/staging.hpp: merged
// once a stage holds 1,000,000 entries and as many as its index, and on close):
// --batch 5000 --sorted --append --defer email,phone is the closest what-if to the
// current import.
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "json/record_json.hpp"
#include "model/ids.hpp"
#include "model/lifecycle.hpp"
#include "model/validation.hpp"
#include "store/audit_json.hpp"
#include "store/keys.hpp"
#include "store/lmdb_env.hpp"
#include "store/write_queue.hpp"

namespace {

using namespace leadhub;
using Steady = std::chrono::steady_clock;

struct Stage {
  const char* name;
  double seconds = 0;
};

class Timer {
 public:
  explicit Timer(double& into) : into_(into), start_(Steady::now()) {}
  ~Timer() { into_ += std::chrono::duration<double>(Steady::now() - start_).count(); }

 private:
  double& into_;
  Steady::time_point start_;
};

// Bytes written to the block device holding `dir` (sectors from /sys/dev/block/M:m/stat):
// what really reached the disk, file system journal included. Device-wide, so other
// writers on the machine count too. (/proc/self/io write_bytes is no help here: it
// counts every page LMDB rewrites through the page cache, several times the truth.)
std::uint64_t device_written_bytes(const std::string& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return 0;
  for (const char* path : {"/sys/dev/block/%u:%u/stat", "/sys/dev/block/%u:%u/../stat"}) {
    char name[128];
    std::snprintf(name, sizeof name, path, major(st.st_dev), minor(st.st_dev));
    std::ifstream in(name);
    std::uint64_t f[7] = {};
    for (auto& v : f) in >> v;
    if (in) return f[6] * 512;  // field 7: sectors written
  }
  return 0;
}

[[noreturn]] void usage() {
  std::fprintf(stderr,
               "usage: bench_import_profile --input FILE --dir DIR [--batch 1000] [--nosync] [--map-mb 1024]\n"
               "                            [--skip email,phone,ref,status,owner,source,campaign,changed,audit]\n"
               "                            [--sorted] [--append] [--defer email,phone]\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::string input, dir, skip_list, defer_list;
  bool sorted = false, append = false;
  std::size_t batch_size = 1000;
  std::size_t map_mb = 1024;
  bool nosync = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--nosync" || a == "--sorted" || a == "--append") {
      (a == "--nosync" ? nosync : a == "--sorted" ? sorted : append) = true;
      continue;
    }
    if (i + 1 >= argc) usage();
    if (a == "--input")
      input = argv[++i];
    else if (a == "--dir")
      dir = argv[++i];
    else if (a == "--batch")
      batch_size = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--map-mb")
      map_mb = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--skip")
      skip_list = argv[++i];
    else if (a == "--defer")
      defer_list = argv[++i];
    else
      usage();
  }
  if (input.empty() || dir.empty() || batch_size == 0) usage();
  std::set<std::string> skip, defer;
  {
    std::stringstream ss(skip_list);
    for (std::string s; std::getline(ss, s, ',');) skip.insert(s);
    std::stringstream ds(defer_list);
    for (std::string s; std::getline(ds, s, ',');) defer.insert(s);
  }

  auto env_r = store::LmdbEnv::open(store::EnvOptions{dir, map_mb << 20, false});
  if (!env_r) {
    std::fprintf(stderr, "%s\n", env_r.error().message.c_str());
    return 1;
  }
  auto env = std::move(env_r).value();
  if (nosync) mdb_env_set_flags(env->raw(), MDB_NOSYNC, 1);
  const auto& d = env->dbi();
  const std::map<MDB_dbi, std::string> index_name = {
      {d.by_email, "email"}, {d.by_phone, "phone"},   {d.by_ref, "ref"},          {d.by_status, "status"},
      {d.by_owner, "owner"}, {d.by_source, "source"}, {d.by_campaign, "campaign"}};
  std::map<std::string, double> index_seconds;
  for (const auto& [dbi, name] : index_name) index_seconds[name] = 0;

  struct Pending {
    MDB_dbi dbi;
    std::string key;
    std::string id;  // 8 bytes
    bool operator<(const Pending& o) const {
      return dbi != o.dbi ? dbi < o.dbi : key != o.key ? key < o.key : id < o.id;
    }
  };
  std::vector<Pending> pending;   // this batch's entries (--sorted)
  std::vector<Pending> deferred;  // the whole run's entries of --defer indexes
  double t_sorted = 0, t_deferred = 0;
  const unsigned append_flag = append ? MDB_APPEND : 0;
  // Sorted entries through one cursor per index.
  auto put_sorted = [&](MDB_txn* txn, std::vector<Pending>& entries, std::size_t from, std::size_t to) {
    MDB_cursor* cursor = nullptr;
    MDB_dbi open_dbi = 0;
    for (std::size_t i = from; i < to; ++i) {
      auto& e = entries[i];
      if (cursor == nullptr || e.dbi != open_dbi) {
        if (cursor != nullptr) mdb_cursor_close(cursor);
        if (mdb_cursor_open(txn, e.dbi, &cursor) != 0) throw store::LmdbFailure{1, "cursor"};
        open_dbi = e.dbi;
      }
      MDB_val k = store::to_val(e.key);
      MDB_val v = store::to_val(e.id);
      const int rc = mdb_cursor_put(cursor, &k, &v, MDB_NODUPDATA);
      if (rc != 0 && rc != MDB_KEYEXIST) throw store::LmdbFailure{rc, "cursor put: " + store::lmdb_message(rc)};
    }
    if (cursor != nullptr) mdb_cursor_close(cursor);
  };

  double t_read = 0, t_decode = 0, t_prepare = 0, t_lookup = 0, t_copy = 0, t_encode = 0, t_put_record = 0,
         t_entries = 0, t_changed = 0, t_audit = 0, t_begin = 0, t_commit = 0, t_grow = 0;
  const SystemClock& clock = SystemClock::instance();
  IdGenerator ids(clock, 0);
  const Actor actor{"bench", "cli-import"};
  std::ifstream in(input, std::ios::binary);
  std::string line;
  std::vector<Lead> batch;
  std::size_t leads = 0, commits = 0, grows = 0;
  std::uint64_t record_bytes = 0;
  const std::uint64_t written_before = device_written_bytes(dir);
  const auto started = Steady::now();

  auto write_batch = [&]() {
    for (int attempt = 0;; ++attempt) {
      MDB_txn* txn = nullptr;
      {
        Timer t(t_begin);
        txn = env->begin_write();
      }
      try {
        store::WriteTxn w(txn, d);
        pending.clear();
        for (const Lead& input_lead : batch) {
          const TimeMs now = clock.now_ms();
          {
            Timer t(t_lookup);  // existing_lead(): by external ref (no idempotency key in an import)
            for (const auto& ref : input_lead.external_refs) {
              std::string_view v;
              if (w.get(d.by_ref, store::ref_key(ref), v)) {
                std::fprintf(stderr, "unexpected duplicate\n");
                return false;
              }
            }
          }
          Lead lead;
          {
            Timer t(t_copy);
            lead = input_lead;
          }
          std::string json;
          {
            Timer t(t_encode);
            lead.version = 1;
            lead.created_at = lead.changed_at = lead.status_changed_at = now;
            lead.created_by = lead.changed_by = actor.user;
            lead.id = ids.next();
            json = to_json(lead);
          }
          const store::IdKey id_key(lead.id);
          {
            Timer t(t_put_record);
            if (append)
              w.put(d.leads, id_key.view(), json, MDB_APPEND);
            else
              w.put_new(d.leads, id_key.view(), json);
            record_bytes += json.size();
          }
          std::vector<store::IndexEntry> entries;
          {
            Timer t(t_entries);
            entries = store::lead_index_entries(d, lead);
          }
          for (const auto& e : entries) {
            const auto& name = index_name.at(e.dbi);
            if (skip.count(name) != 0U) continue;
            if (defer.count(name) != 0U) {
              deferred.push_back({e.dbi, e.key, std::string(id_key.view())});
              continue;
            }
            if (sorted) {
              pending.push_back({e.dbi, e.key, std::string(id_key.view())});
              continue;
            }
            Timer t(index_seconds[name]);
            w.put(e.dbi, e.key, id_key.view(), MDB_NODUPDATA);
          }
          if (skip.count("changed") == 0U) {
            Timer t(t_changed);
            w.put(d.by_changed, store::changed_key(now, lead.id), {}, append_flag);
          }
          if (skip.count("audit") == 0U) {
            Timer t(t_audit);
            w.put(d.audit, store::audit_key(lead.id, 1, 0),
                  to_json(AuditEntry{now, actor.user, actor.connector, "created", 1, {}, {}, {}}), append_flag);
          }
        }
        if (!pending.empty()) {
          Timer t(t_sorted);
          std::sort(pending.begin(), pending.end());
          put_sorted(txn, pending, 0, pending.size());
        }
        Timer t(t_commit);
        const int rc = mdb_txn_commit(txn);
        if (rc != 0) throw store::LmdbFailure{rc, "commit: " + store::lmdb_message(rc)};
        ++commits;
        return true;
      } catch (const store::LmdbFailure& f) {
        mdb_txn_abort(txn);
        if (f.rc != MDB_MAP_FULL || attempt > 8) {
          std::fprintf(stderr, "%s\n", f.what.c_str());
          return false;
        }
        Timer t(t_grow);
        (void)env->grow_map();
        ++grows;
      }
    }
  };

  for (;;) {
    bool got = false;
    {
      Timer t(t_read);
      got = static_cast<bool>(std::getline(in, line));
    }
    if (got) {
      Result<Lead> lead = Error::make(ErrorCode::internal, "");
      {
        Timer t(t_decode);
        lead = lead_from_json(line, DecodeMode::input);
      }
      if (!lead) {
        std::fprintf(stderr, "bad line: %s\n", lead.error().message.c_str());
        return 1;
      }
      {
        Timer t(t_prepare);
        normalize(*lead);
        (void)apply_initial_lifecycle(*lead, clock.now_ms());
        if (!validate(*lead).empty()) {
          std::fprintf(stderr, "invalid line\n");
          return 1;
        }
      }
      batch.push_back(std::move(lead).value());
      ++leads;
    }
    if (batch.size() >= batch_size || (!got && !batch.empty())) {
      if (!write_batch()) return 1;
      batch.clear();
    }
    if (!got) break;
  }
  if (!deferred.empty()) {  // bulk-build the deferred indexes: sorted, 100,000 per transaction
    {
      Timer t(t_deferred);
      std::sort(deferred.begin(), deferred.end());
    }
    constexpr std::size_t kChunk = 100'000;
    for (std::size_t from = 0; from < deferred.size(); from += kChunk) {
      const std::size_t to = std::min(deferred.size(), from + kChunk);
      for (int attempt = 0;; ++attempt) {
        MDB_txn* txn = env->begin_write();
        try {
          {
            Timer t(t_deferred);
            put_sorted(txn, deferred, from, to);
          }
          Timer t(t_commit);
          const int rc = mdb_txn_commit(txn);
          if (rc != 0) throw store::LmdbFailure{rc, "commit: " + store::lmdb_message(rc)};
          ++commits;
          break;
        } catch (const store::LmdbFailure& f) {
          mdb_txn_abort(txn);
          if (f.rc != MDB_MAP_FULL || attempt > 8) {
            std::fprintf(stderr, "%s\n", f.what.c_str());
            return 1;
          }
          (void)env->grow_map();
          ++grows;
        }
      }
    }
  }
  const double total = std::chrono::duration<double>(Steady::now() - started).count();
  const std::uint64_t written = device_written_bytes(dir) - written_before;
  MDB_envinfo info{};
  MDB_stat st{};
  mdb_env_info(env->raw(), &info);
  mdb_env_stat(env->raw(), &st);
  const double file_mb = static_cast<double>(info.me_last_pgno + 1) * st.ms_psize / 1e6;

  double t_index = 0;
  for (const auto& [name, s] : index_seconds) t_index += s;
  const double reader = t_read + t_decode + t_prepare;
  const double writer_cpu = t_begin + t_lookup + t_copy + t_encode + t_put_record + t_entries + t_index + t_changed +
                            t_audit + t_sorted + t_deferred;
  const double n = static_cast<double>(leads);
  auto row = [&](const char* name, double s) {
    std::printf("  %-34s %8.3f s  %7.2f us/lead  %5.1f %%\n", name, s, s * 1e6 / n, 100 * s / total);
  };
  std::printf("import profile: %zu leads, %zu commits of <= %zu, %s%s%s%s%s, total %.3f s (serial, one thread)\n",
              leads, commits, batch_size, nosync ? "MDB_NOSYNC" : "durable", sorted ? ", --sorted" : "",
              append ? ", --append" : "", defer.empty() ? "" : ", --defer ", defer_list.c_str(), total);
  std::printf(" reader side (the import's reading thread):\n");
  row("read line (getline)", t_read);
  row("decode (lead_from_json)", t_decode);
  row("prepare (normalize+validate)", t_prepare);
  std::printf(" writer side (inside the batch transaction):\n");
  row("txn begin", t_begin);
  row("lookup by external ref", t_lookup);
  row("copy Lead", t_copy);
  row("id + encode (to_json)", t_encode);
  row("put record", t_put_record);
  row("build index entries", t_entries);
  for (const auto& [name, s] : index_seconds) {
    const std::string label = "put index " + name;
    row(label.c_str(), s);
  }
  if (sorted) row("put indexes, sorted, cursors", t_sorted);
  if (!deferred.empty()) row("deferred indexes: sort + put", t_deferred);
  row("put changed-at entry", t_changed);
  row("encode + put audit entry", t_audit);
  row("map grow + replay", t_grow);
  row("mdb_txn_commit (write + fsync)", t_commit);
  std::printf(" sums: reader %.3f s, writer CPU %.3f s, commit %.3f s\n", reader, writer_cpu, t_commit);
  std::printf(
      " device writes: %.1f MB (%.1f KB per lead, %.2f MB per commit) for a %.1f MB file holding %.1f MB of records; "
      "map grows %zu\n",
      static_cast<double>(written) / 1e6, static_cast<double>(written) / 1e3 / n,
      static_cast<double>(written) / 1e6 / static_cast<double>(std::max<std::size_t>(commits, 1)), file_mb,
      static_cast<double>(record_bytes) / 1e6, grows);
  return 0;
}
