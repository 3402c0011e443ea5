// Staged e-mail and phone entries (core/store/staging.hpp): the stage's keys group
// entries by bucket, a find scans its key's bucket, a merge moves every entry once
// however it is chunked (also entries an interrupted merge left in both places and
// the 8-byte keys of older stores), and a store opened after an import was killed
// merges what that import staged.
#include <boost/test/unit_test.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <functional>
#include <set>
#include <thread>
#include <utility>

#include "store/keys.hpp"
#include "store/lmdb_env.hpp"
#include "store/staging.hpp"
#include "store/write_queue.hpp"
#include "store_support.hpp"

using namespace leadhub;
using namespace leadhub::test;

namespace {

using Pair = std::pair<std::string, std::uint64_t>;  // index key, raw id

std::unique_ptr<store::LmdbEnv> open_env(const TempDir& dir) {
  auto env = store::LmdbEnv::open(store::EnvOptions{dir.sub("env"), std::size_t{16} << 20, false});
  BOOST_TEST_REQUIRE(is_ok(env));
  return std::move(env).value();
}

void write(store::LmdbEnv& env, const std::function<void(store::WriteTxn&)>& fn) {
  MDB_txn* txn = env.begin_write();
  BOOST_TEST_REQUIRE(txn != nullptr);
  {
    store::WriteTxn w(txn, env.dbi());
    fn(w);
  }
  BOOST_TEST_REQUIRE(mdb_txn_commit(txn) == 0);
}

// Every (key, id) pair of a dupsort index, in its order.
std::vector<Pair> index_pairs(store::LmdbEnv& env, MDB_dbi dbi) {
  auto txn = env.begin_read();
  BOOST_TEST_REQUIRE(is_ok(txn));
  std::vector<Pair> out;
  MDB_cursor* cursor = nullptr;
  BOOST_TEST_REQUIRE(mdb_cursor_open(txn->get(), dbi, &cursor) == 0);
  MDB_val k{}, v{};
  for (int rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST); rc == 0; rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
    out.emplace_back(std::string(store::to_view(k)), RecordId::from_key(v.mv_data).raw());
  }
  mdb_cursor_close(cursor);
  return out;
}

std::uint64_t count(store::LmdbEnv& env, MDB_dbi dbi) {
  auto txn = env.begin_read();
  BOOST_TEST_REQUIRE(is_ok(txn));
  MDB_stat st{};
  BOOST_TEST_REQUIRE(mdb_stat(txn->get(), dbi, &st) == 0);
  return st.ms_entries;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(store_staging)

BOOST_AUTO_TEST_CASE(stage_keys_are_bucket_then_id) {
  TempDir dir;
  auto env = open_env(dir);
  const auto email = *store::staged_index(env->dbi(), env->dbi().by_email);
  const auto phone = *store::staged_index(env->dbi(), env->dbi().by_phone);
  BOOST_TEST(!store::staged_index(env->dbi(), env->dbi().by_status).has_value());
  BOOST_TEST(store::stage_bucket(email, "anna@example.com") == "a");
  BOOST_TEST(store::stage_bucket(phone, "+4930123") == "49");  // the country code's digits, not the '+'
  BOOST_TEST(store::stage_bucket(phone, "+4") == std::string("4\0", 2));
  BOOST_TEST(store::stage_bucket(email, "") == std::string(1, '\0'));
  const std::string key = store::stage_key(phone, "+4930123", RecordId(0x0102030405060708));
  BOOST_TEST(key == std::string("49\x01\x02\x03\x04\x05\x06\x07\x08"));
  // One bucket's entries lie together, in id order, whatever their full keys.
  BOOST_TEST(store::stage_key(email, "zed@x", RecordId(1)) < store::stage_key(email, "zara@x", RecordId(2)));
  BOOST_TEST(store::stage_key(email, "zara@x", RecordId(2)) < store::stage_key(email, "zed@x", RecordId(3)));
  BOOST_TEST(store::stage_key(email, "bob@x", RecordId(9)) < store::stage_key(email, "zed@x", RecordId(1)));
}

BOOST_AUTO_TEST_CASE(staged_ids_scan_their_bucket_only) {
  TempDir dir;
  auto env = open_env(dir);
  const auto email = *store::staged_index(env->dbi(), env->dbi().by_email);
  write(*env, [&](store::WriteTxn& txn) {
    for (std::uint64_t id : {5, 2, 9, 7}) {
      txn.put(email.stage, store::stage_key(email, "ann@x", RecordId(id)), "ann@x");
    }
    txn.put(email.stage, store::stage_key(email, "amy@x", RecordId(3)), "amy@x");  // same bucket, other key
    txn.put(email.stage, store::stage_key(email, "bob@x", RecordId(4)), "bob@x");
  });
  auto txn = env->begin_read();
  BOOST_TEST_REQUIRE(is_ok(txn));
  const auto ids = store::staged_ids(txn->get(), email, "ann@x");
  BOOST_TEST_REQUIRE(ids.size() == 4u);
  BOOST_TEST(ids[0].raw() == 2u);
  BOOST_TEST(ids[3].raw() == 9u);
  BOOST_TEST(store::staged_ids(txn->get(), email, "bob@x").size() == 1u);
  BOOST_TEST(store::staged_ids(txn->get(), email, "cat@x").empty());
}

BOOST_AUTO_TEST_CASE(merge_moves_every_entry_once_whatever_the_chunks) {
  TempDir dir;
  auto env = open_env(dir);
  const auto email = *store::staged_index(env->dbi(), env->dbi().by_email);
  std::set<Pair> expected;
  write(*env, [&](store::WriteTxn& txn) {
    // Indexed before: kept, and not doubled when the stage holds them too (as an
    // interrupted merge leaves them).
    for (std::uint64_t id = 1; id <= 5; ++id) {
      const std::string key = "k" + std::to_string(id % 3) + "@x";
      txn.put(email.index, key, store::id_key(RecordId(id)), MDB_NODUPDATA);
      txn.put(email.stage, store::stage_key(email, key, RecordId(id)), key);
      expected.emplace(key, id);
    }
    for (std::uint64_t id = 10; id < 60; ++id) {
      const std::string key = std::string(1, static_cast<char>('a' + id % 7)) + std::to_string(id % 11) + "@x";
      txn.put(email.stage, store::stage_key(email, key, RecordId(id)), key);
      expected.emplace(key, id);
    }
    // Under an indexed key with a smaller id than the key's ids: not appended.
    txn.put(email.stage, store::stage_key(email, "k0@x", RecordId(2)), "k0@x");
    expected.emplace("k0@x", 2);
    // A stage entry as older versions keyed it: the 8 id bytes alone.
    txn.put(email.stage, store::id_key(RecordId(70)), "legacy@x");
    expected.emplace("legacy@x", 70);
  });
  BOOST_TEST_REQUIRE(is_ok(store::merge_stage(*env, store::MergeLimits{7, 0}, email)));
  BOOST_TEST(count(*env, email.stage) == 0u);
  const auto pairs = index_pairs(*env, email.index);
  BOOST_TEST(pairs.size() == expected.size());
  BOOST_TEST((std::set<Pair>(pairs.begin(), pairs.end()) == expected));
  // Merging an empty stage is a no-op.
  BOOST_TEST_REQUIRE(is_ok(store::merge_stage(*env, store::MergeLimits{7, 0}, email)));
  BOOST_TEST(index_pairs(*env, email.index).size() == expected.size());
}

BOOST_AUTO_TEST_CASE(an_import_killed_before_close_is_merged_when_the_store_opens) {
  TempDir dir;
  StoreOptions o;
  o.path = dir.sub("data");
  o.map_size = std::size_t{64} << 20;
  o.staged_merge_idle_ms = 0;  // the child's stage stays until it ends
  const pid_t child = fork();
  BOOST_TEST_REQUIRE(child >= 0);
  if (child == 0) {  // imports and ends without closing the store: its stage stays
    auto store = LeadStore::open(o);
    if (!store) _exit(2);
    std::vector<CreateLeadCommand> cmds;
    for (int i = 0; i < 40; ++i) {
      Lead l = minimal_lead("Killed " + std::to_string(i));
      l.external_refs.push_back({"crm", "K-" + std::to_string(i)});
      l.prospect.email = i % 4 == 0 ? "four@example.com" : "lead" + std::to_string(i) + "@example.com";
      l.prospect.phone = "+49 30 " + std::to_string(7000 + i);
      cmds.push_back({std::move(l), {}, {}});
    }
    const auto out = collect_async<CreateOutcome>(
        cmds.size(), [&](const auto& done) { (*store)->import_leads_async(std::move(cmds), done); });
    for (const auto& r : out) {
      if (!r) _exit(3);
    }
    auto s = (*store)->stats();
    _exit(s && s->staged_index_entries == 80 ? 0 : 4);
  }
  int status = 0;
  BOOST_TEST_REQUIRE(waitpid(child, &status, 0) == child);
  BOOST_TEST_REQUIRE(WIFEXITED(status));
  BOOST_TEST_REQUIRE(WEXITSTATUS(status) == 0);  // 4: the import did not stage

  auto store = must_open(o);
  auto s = store->stats();
  BOOST_TEST_REQUIRE(is_ok(s));
  BOOST_TEST(s->leads == 40u);
  BOOST_TEST(s->staged_index_entries == 0u);
  LeadQuery q;
  q.email = "four@example.com";
  BOOST_TEST(found_count(*store, q) == 10u);
  LeadQuery p;
  p.phone = "+49 30 7013";
  auto phone = store->find_leads(p);
  BOOST_TEST_REQUIRE(is_ok(phone));
  BOOST_TEST_REQUIRE(phone->items.size() == 1u);
  BOOST_TEST(phone->items[0].prospect.family_name == "Killed 13");
}

// A hub that keeps running after an import merges the stage once its writer has
// been idle for staged_merge_idle_ms; a store with the idle merge off keeps it.
BOOST_AUTO_TEST_CASE(an_idle_writer_merges_what_an_import_staged) {
  for (const std::uint32_t idle_ms : {0U, 50U}) {
    TempDir dir;
    StoreOptions o;
    o.path = dir.sub("data");
    o.map_size = std::size_t{64} << 20;
    o.staged_merge_idle_ms = idle_ms;
    auto store = must_open(o);
    std::vector<CreateLeadCommand> cmds;
    for (int i = 0; i < 20; ++i) {
      Lead l = minimal_lead("Idle " + std::to_string(i));
      l.prospect.email = "idle" + std::to_string(i % 5) + "@example.com";
      l.prospect.phone = "+49 30 " + std::to_string(8000 + i);
      cmds.push_back({std::move(l), {}, {}});
    }
    const auto out = collect_async<CreateOutcome>(
        cmds.size(), [&](const auto& done) { store->import_leads_async(std::move(cmds), done); });
    for (const auto& r : out) BOOST_TEST_REQUIRE(is_ok(r));
    const auto staged = [&] {
      auto s = store->stats();
      BOOST_TEST_REQUIRE(is_ok(s));
      return s->staged_index_entries;
    };
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (staged() != 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(idle_ms == 0 ? 500 : 10));
      if (idle_ms == 0) break;  // half a second: long enough to show nothing merges
    }
    BOOST_TEST(staged() == (idle_ms == 0 ? 40U : 0U), "idle merge after " << idle_ms << " ms");
    LeadQuery q;
    q.email = "idle3@example.com";
    BOOST_TEST(found_count(*store, q) == 4U);
  }
}

// A flush appends a key's ids in one call where it can (MDB_MULTIPLE) and falls back
// to ordinary puts where an id does not belong at the end: each path, and an entry
// given twice, must leave exactly the sorted set of pairs.
BOOST_AUTO_TEST_CASE(index_batch_puts_runs_of_ids_under_one_key) {
  TempDir dir;
  auto env = open_env(dir);
  const MDB_dbi status = env->dbi().by_status;
  write(*env, [&](store::WriteTxn& txn) {
    for (const char* key : {"k", "m"}) {
      for (std::uint64_t raw : {20, 50}) txn.put(status, key, store::id_key(RecordId(raw)));
    }
  });
  const std::vector<std::string> keys = {"a", "k", "m", "z"};
  write(*env, [&](store::WriteTxn& txn) {
    store::IndexBatch batch;
    // "m": 51 appended alone, then 52, 52, 53, 60 in one call that stops at the
    // second 52 (already there); the rest go in one by one.
    for (std::uint64_t raw : {51, 52, 53, 60, 52}) batch.add(status, keys[2], RecordId(raw));
    // "k": 10 does not belong at the end, so none of these is appended.
    for (std::uint64_t raw : {10, 30, 55}) batch.add(status, keys[1], RecordId(raw));
    for (std::uint64_t raw : {3, 1, 2}) batch.add(status, keys[0], RecordId(raw));  // a new key before the last
    for (std::uint64_t raw : {7, 8, 9}) batch.add(status, keys[3], RecordId(raw));  // a new last key
    batch.flush(txn);
  });
  const std::vector<Pair> expected = {{"a", 1},  {"a", 2},  {"a", 3},  {"k", 10}, {"k", 20}, {"k", 30},
                                      {"k", 50}, {"k", 55}, {"m", 20}, {"m", 50}, {"m", 51}, {"m", 52},
                                      {"m", 53}, {"m", 60}, {"z", 7},  {"z", 8},  {"z", 9}};
  BOOST_TEST((index_pairs(*env, status) == expected));
}

BOOST_AUTO_TEST_SUITE_END()
