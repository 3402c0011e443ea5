#include "store/lmdb_env.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "store/store_format.hpp"

namespace leadhub::store {

std::string lmdb_message(int rc) { return mdb_strerror(rc); }

ReadTxn::ReadTxn(const LmdbEnv& env, MDB_txn* txn, std::shared_lock<std::shared_mutex> lock)
    : env_(&env), txn_(txn), lock_(std::move(lock)) {}

ReadTxn::ReadTxn(ReadTxn&& other) noexcept : env_(other.env_), txn_(other.txn_), lock_(std::move(other.lock_)) {
  other.txn_ = nullptr;
}

ReadTxn::~ReadTxn() {
  if (txn_ != nullptr) mdb_txn_abort(txn_);
}

const Dbis& ReadTxn::dbi() const { return env_->dbi(); }

Cursor::Cursor(const ReadTxn& txn, MDB_dbi dbi) { mdb_cursor_open(txn.get(), dbi, &cursor_); }

namespace {

Status make_dir(const std::string& path) {
  // The operator's to fix (a path, permissions, a full disk), not a fault of the hub.
  if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) {
    const bool no_parent = errno == ENOENT;
    return Error::make(ErrorCode::unavailable, "cannot create data folder " + path + ": " + std::strerror(errno) +
                                                   (no_parent ? " (its parent folder must exist)" : ""));
  }
  return ok_status();
}

}  // namespace

Result<std::unique_ptr<LmdbEnv>> LmdbEnv::open(const EnvOptions& options) {
  if (!options.read_only) {
    if (auto st = make_dir(options.path); !st) return st.error();
  }
  std::unique_ptr<LmdbEnv> env(new LmdbEnv());
  env->path_ = options.path;
  env->read_only_ = options.read_only;
  env->resident_target_ = options.resident_target;
  int rc = mdb_env_create(&env->env_);
  if (rc == 0) rc = mdb_env_set_maxdbs(env->env_, 32);
  if (rc == 0) rc = mdb_env_set_maxreaders(env->env_, 512);
  if (rc == 0) rc = mdb_env_set_mapsize(env->env_, options.map_size);
  // Durable by default: no MDB_NOSYNC / MDB_NOMETASYNC. MDB_NOTLS lets read
  // transactions run on any thread; MDB_NORDAHEAD suits random index lookups.
  unsigned flags = MDB_NOTLS | MDB_NORDAHEAD;
  if (options.read_only) flags |= MDB_RDONLY;
  if (rc == 0) rc = mdb_env_open(env->env_, options.path.c_str(), flags, 0644);
  if (rc != 0) {
    return Error::make(ErrorCode::unavailable, "cannot open store at " + options.path + ": " + lmdb_message(rc));
  }
  // Another process may have grown the map beyond what we asked for: adopt its size.
  mdb_env_set_mapsize(env->env_, 0);
  if (auto st = env->open_dbis(); !st) return st.error();
  return env;
}

LmdbEnv::~LmdbEnv() {
  if (env_ != nullptr) mdb_env_close(env_);
}

Status LmdbEnv::open_dbis() {
  MDB_txn* txn = nullptr;
  int rc = mdb_txn_begin(env_, nullptr, read_only_ ? MDB_RDONLY : 0, &txn);
  if (rc != 0) return Error::make(ErrorCode::internal, "cannot begin transaction: " + lmdb_message(rc));
  const unsigned create = read_only_ ? 0 : MDB_CREATE;
  const unsigned ids = create | MDB_DUPSORT | MDB_DUPFIXED;
  struct Spec {
    const char* name;
    unsigned flags;
    MDB_dbi* dbi;
  };
  const Spec specs[] = {
      {"meta", create, &dbi_.meta},
      {"leads", create, &dbi_.leads},
      {"partners", create, &dbi_.partners},
      {"audit", create, &dbi_.audit},
      {"idempotency", create, &dbi_.idempotency},
      {"idx_email", ids, &dbi_.by_email},
      {"idx_phone", ids, &dbi_.by_phone},
      {"idx_ref", ids, &dbi_.by_ref},
      {"idx_status", ids, &dbi_.by_status},
      {"idx_owner", ids, &dbi_.by_owner},
      {"idx_source", ids, &dbi_.by_source},
      {"idx_campaign", ids, &dbi_.by_campaign},
      {"idx_changed", create, &dbi_.by_changed},
      {"pidx_email", ids, &dbi_.partner_by_email},
      {"pidx_ref", ids, &dbi_.partner_by_ref},
      {"staged_email", create, &dbi_.staged_email},
      {"staged_phone", create, &dbi_.staged_phone},
      {"outbox", create, &dbi_.outbox},
      {"deliveries", create, &dbi_.deliveries},
      {"idx_block", ids, &dbi_.by_block},
      {"match", create, &dbi_.match},
      {"manual", create, &dbi_.manual},
      {"idx_due", create, &dbi_.by_due},  // aging (store/due_index.hpp); mdb_env_set_maxdbs allows 32
      {"due", create, &dbi_.due},
      {"approvals", create, &dbi_.approvals},
      {"qualified", create, &dbi_.qualified},  // the report's history (store/report_history.hpp)
      {"idx_aging_act", ids, &dbi_.by_aging_act},
  };
  for (const auto& s : specs) {
    unsigned flags = s.flags;
    if (read_only_) flags &= ~static_cast<unsigned>(MDB_CREATE);
    rc = mdb_dbi_open(txn, s.name, flags, s.dbi);
    if (rc != 0) {
      mdb_txn_abort(txn);
      return Error::make(ErrorCode::internal, std::string("cannot open database ") + s.name + ": " + lmdb_message(rc));
    }
  }
  auto format = check_store_format(txn, dbi_.meta, !read_only_, path_);
  if (!format) {
    mdb_txn_abort(txn);
    return format.error();
  }
  format_ = *format;
  rc = mdb_txn_commit(txn);
  if (rc != 0) return Error::make(ErrorCode::internal, "cannot create databases: " + lmdb_message(rc));
  return ok_status();
}

Result<ReadTxn> LmdbEnv::begin_read() const {
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::shared_lock lock(resize_mutex_);
    MDB_txn* txn = nullptr;
    const int rc = mdb_txn_begin(env_, nullptr, MDB_RDONLY, &txn);
    if (rc == 0) return ReadTxn(*this, txn, std::move(lock));
    if (rc != MDB_MAP_RESIZED) {
      return Error::make(ErrorCode::unavailable, "cannot begin read: " + lmdb_message(rc));
    }
    lock.unlock();
    std::unique_lock exclusive(resize_mutex_);  // another process grew the map
    mdb_env_set_mapsize(env_, 0);
  }
  return Error::make(ErrorCode::unavailable, "cannot begin read: map keeps resizing");
}

MDB_txn* LmdbEnv::begin_write() {
  for (int attempt = 0; attempt < 2; ++attempt) {
    MDB_txn* txn = nullptr;
    const int rc = mdb_txn_begin(env_, nullptr, 0, &txn);
    if (rc == 0) return txn;
    if (rc != MDB_MAP_RESIZED) throw LmdbFailure{rc, "begin write: " + lmdb_message(rc)};
    std::unique_lock exclusive(resize_mutex_);
    mdb_env_set_mapsize(env_, 0);
  }
  throw LmdbFailure{MDB_MAP_RESIZED, "begin write: map keeps resizing"};
}

std::size_t LmdbEnv::map_size() const {
  MDB_envinfo info{};
  mdb_env_info(env_, &info);
  return info.me_mapsize;
}

Status LmdbEnv::grow_map() {
  std::unique_lock exclusive(resize_mutex_);  // waits for this process's readers
  const std::size_t next = map_size() * 2;
  const int rc = mdb_env_set_mapsize(env_, next);
  if (rc != 0)
    return Error::make(ErrorCode::internal, "cannot grow map to " + std::to_string(next) + ": " + lmdb_message(rc));
  return ok_status();
}

}  // namespace leadhub::store

namespace leadhub::store {

namespace {

struct Resident {
  std::size_t total = 0;  // VmRSS
  std::size_t file = 0;   // RssFile + RssShmem
};

// This process's resident bytes from /proc/self/statm (fields 2 and 3, in pages).
// Cheap: no page walk, counters only.
Resident resident_bytes() {
  const int fd = ::open("/proc/self/statm", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  char buf[128];
  const ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return {};
  buf[n] = '\0';
  char* p = buf;
  std::strtoull(p, &p, 10);  // size
  const std::size_t resident_pages = std::strtoull(p, &p, 10);
  const std::size_t shared_pages = std::strtoull(p, &p, 10);
  const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
  return {resident_pages * page, shared_pages * page};
}

}  // namespace

// Every page LMDB reads through its read-only map stays mapped in this process (and
// fault-around maps cached neighbours too), so a long import ends up with the whole
// file in its RSS although it allocated none of it. The pages are clean page-cache
// pages of a shared file mapping: MADV_DONTNEED only removes this process's page
// table entries, the data stays in the page cache and in the file, and the next
// access (a concurrent reader included) faults the same bytes back in. Writes never
// go through the map (no MDB_WRITEMAP), so nothing dirty can be lost.
//
// Faulting them back in is what costs (about 3 us per page on the reference VM,
// bench/README.md "Page faults"; a find scanning a staged bucket after a trim took
// ten times its CPU time), so the map may use whatever the process's RSS leaves
// below resident_target_: a process holding little else keeps more of the map.
bool LmdbEnv::trim_resident(std::size_t budget) const {
  const Resident r = resident_bytes();
  const std::size_t anon = r.total > r.file ? r.total - r.file : 0;
  const std::size_t room = resident_target_ > anon ? resident_target_ - anon : 0;
  if (r.file <= std::max(budget, room)) return false;
  // A reader may remap after another process grew the map: never advise a range
  // that could meanwhile hold some other mapping.
  std::shared_lock lock(resize_mutex_);
  const auto map = data_mapping();
  if (!map || ::madvise(map->first, map->second, MADV_DONTNEED) != 0) return false;
  trims_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

// LMDB does not publish its map address (me_mapaddr is only set with MDB_FIXEDMAP),
// so find data.mdb's mapping in /proc/self/maps by device and inode.
std::optional<std::pair<void*, std::size_t>> LmdbEnv::data_mapping() const {
  struct stat st {};
  if (::stat((path_ + "/data.mdb").c_str(), &st) != 0) return std::nullopt;
  std::FILE* maps = std::fopen("/proc/self/maps", "re");
  if (maps == nullptr) return std::nullopt;
  std::optional<std::pair<void*, std::size_t>> out;
  char line[512];
  while (!out && std::fgets(line, sizeof line, maps) != nullptr) {
    unsigned long start = 0, end = 0, inode = 0;
    unsigned major_dev = 0, minor_dev = 0;
    if (std::sscanf(line, "%lx-%lx %*s %*s %x:%x %lu", &start, &end, &major_dev, &minor_dev, &inode) != 5) continue;
    if (inode != st.st_ino || major_dev != major(st.st_dev) || minor_dev != minor(st.st_dev)) continue;
    // NOLINTNEXTLINE(performance-no-int-to-ptr): an address read from /proc/self/maps
    out.emplace(reinterpret_cast<void*>(start), end - start);
  }
  std::fclose(maps);
  return out;
}

}  // namespace leadhub::store
