// bench_raw_lmdb: the physical limit of the store. Puts the lines of an NDJSON file
// (the generated leads, unchanged) into a fresh LMDB environment with the plain C
// API: 8-byte big-endian keys 1..N, one unnamed database, default durable flags
// (no MDB_NOSYNC / MDB_NOMETASYNC / MDB_WRITEMAP), a commit every --batch records.
// No parsing, no indexes, no audit: what leadhub's import is compared against.
//
//   bench_raw_lmdb --input FILE --dir DIR [--batch 1000] [--count N]
//
// The file is read into memory first; the timed span is env open .. last commit.
// Prints a human line and `RESULT raw_lmdb_rps <records/s>` for bench/run.sh.
#include <lmdb.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace {

[[noreturn]] void usage() {
  std::fprintf(stderr, "usage: bench_raw_lmdb --input FILE --dir DIR [--batch 1000] [--count N]\n");
  std::exit(2);
}

void check(int rc, const char* what) {
  if (rc != 0) {
    std::fprintf(stderr, "bench_raw_lmdb: %s: %s\n", what, mdb_strerror(rc));
    std::exit(1);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string input, dir;
  std::size_t batch = 1000;
  std::size_t limit = SIZE_MAX;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (i + 1 >= argc) usage();
    if (a == "--input")
      input = argv[++i];
    else if (a == "--dir")
      dir = argv[++i];
    else if (a == "--batch")
      batch = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--count")
      limit = std::strtoull(argv[++i], nullptr, 10);
    else
      usage();
  }
  if (input.empty() || dir.empty() || batch == 0) usage();

  std::vector<std::string> records;
  std::uint64_t bytes = 0;
  {
    std::ifstream in(input, std::ios::binary);
    if (!in) {
      std::fprintf(stderr, "bench_raw_lmdb: cannot read %s\n", input.c_str());
      return 1;
    }
    std::string line;
    while (records.size() < limit && std::getline(in, line)) {
      if (line.empty()) continue;
      bytes += line.size();
      records.push_back(std::move(line));
    }
  }
  if (records.empty()) {
    std::fprintf(stderr, "bench_raw_lmdb: no records in %s\n", input.c_str());
    return 1;
  }
  if (::mkdir(dir.c_str(), 0755) != 0) {
    std::fprintf(stderr, "bench_raw_lmdb: %s must not exist yet (a fresh environment)\n", dir.c_str());
    return 1;
  }

  const auto started = std::chrono::steady_clock::now();
  MDB_env* env = nullptr;
  check(mdb_env_create(&env), "env create");
  check(mdb_env_set_mapsize(env, static_cast<std::size_t>(bytes) * 4 + (std::size_t{256} << 20)), "set mapsize");
  check(mdb_env_open(env, dir.c_str(), 0, 0644), "env open");  // default flags: fully durable
  MDB_dbi dbi = 0;
  std::uint64_t commits = 0;
  for (std::size_t i = 0; i < records.size();) {
    MDB_txn* txn = nullptr;
    check(mdb_txn_begin(env, nullptr, 0, &txn), "txn begin");
    if (commits == 0) check(mdb_dbi_open(txn, nullptr, 0, &dbi), "dbi open");
    const std::size_t end = std::min(records.size(), i + batch);
    for (; i < end; ++i) {
      unsigned char key[8];
      const std::uint64_t id = i + 1;
      for (int b = 0; b < 8; ++b) key[b] = static_cast<unsigned char>(id >> (56 - 8 * b));
      MDB_val k{sizeof key, key};
      MDB_val v{records[i].size(), records[i].data()};
      check(mdb_put(txn, dbi, &k, &v, 0), "put");
    }
    check(mdb_txn_commit(txn), "commit");
    ++commits;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  MDB_envinfo info{};
  MDB_stat st{};
  mdb_env_info(env, &info);
  mdb_env_stat(env, &st);
  mdb_env_close(env);

  const double rps = static_cast<double>(records.size()) / seconds;
  std::printf(
      "raw LMDB: %zu records (%.0f bytes avg), %llu commits of %zu, %.3f s, %.0f records/s, %.1f ms/commit, file %.1f "
      "MB\n",
      records.size(), static_cast<double>(bytes) / static_cast<double>(records.size()),
      static_cast<unsigned long long>(commits), batch, seconds, rps, seconds * 1000.0 / static_cast<double>(commits),
      static_cast<double>(info.me_last_pgno + 1) * st.ms_psize / 1e6);
  std::printf("RESULT raw_lmdb_rps %.0f\n", rps);
  std::printf("RESULT raw_lmdb_seconds %.3f\n", seconds);
  return 0;
}
