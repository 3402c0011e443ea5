// LeadStore under load: group commit with concurrent writers, and growing a
// deliberately small map.
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <set>
#include <thread>

#include "store_support.hpp"

using namespace leadhub;
using namespace leadhub::test;

BOOST_AUTO_TEST_SUITE(store_scale)

BOOST_FIXTURE_TEST_CASE(concurrent_creates_are_group_committed, StoreFixture) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 500;
  std::vector<std::vector<RecordId>> per_thread(kThreads);
  std::atomic<int> failures{0};
  std::atomic<int> replays{0};
  {
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        auto& out = per_thread[static_cast<std::size_t>(t)];
        for (int i = 0; i < kPerThread; ++i) {
          Lead l = minimal_lead("T" + std::to_string(t) + "-" + std::to_string(i));
          l.prospect.email = "t" + std::to_string(t) + "." + std::to_string(i) + "@example.com";
          l.campaign = "thread-" + std::to_string(t);
          auto r = store->create_lead(CreateLeadCommand{std::move(l), Actor{"t" + std::to_string(t), "bench"}, {}});
          if (!r.ok()) {
            ++failures;
            continue;
          }
          if (!r->created) ++replays;
          out.push_back(r->record.id);
        }
      });
    }
    for (auto& th : threads) th.join();
  }
  BOOST_TEST(failures.load() == 0);
  BOOST_TEST(replays.load() == 0);
  std::set<RecordId> unique;
  for (const auto& ids : per_thread) {
    BOOST_TEST(ids.size() == static_cast<std::size_t>(kPerThread));
    // each thread's creates are sequential, so its ids increase
    for (std::size_t i = 1; i < ids.size(); ++i) {
      if (!(ids[i] > ids[i - 1])) BOOST_TEST_REQUIRE(ids[i] > ids[i - 1]);
    }
    unique.insert(ids.begin(), ids.end());
  }
  BOOST_TEST(unique.size() == static_cast<std::size_t>(kThreads * kPerThread));

  const auto s = stats();
  BOOST_TEST(s.leads == static_cast<std::uint64_t>(kThreads * kPerThread));
  BOOST_TEST(s.audit_entries == static_cast<std::uint64_t>(kThreads * kPerThread));
  BOOST_TEST(s.commits < static_cast<std::uint64_t>(kThreads * kPerThread));  // group commit
  BOOST_TEST(s.largest_batch > 1u);
  BOOST_TEST_MESSAGE("8 x 500 creates: " << s.commits << " commits, largest batch " << s.largest_batch);

  // every lead is readable and findable by its thread's campaign
  for (int t = 0; t < kThreads; ++t) {
    LeadQuery q;
    q.campaign = "thread-" + std::to_string(t);
    auto all = find_all(q, 1000);
    BOOST_TEST((all == per_thread[static_cast<std::size_t>(t)]));
  }
}

BOOST_FIXTURE_TEST_CASE(concurrent_replays_of_one_key_create_one_lead, StoreFixture) {
  constexpr int kThreads = 8;
  std::vector<RecordId> ids(kThreads);
  std::atomic<int> created{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        auto r = store->create_lead(CreateLeadCommand{minimal_lead("Same"), {}, "key-" + std::to_string(i)});
        if (r.ok() && r->created) ++created;
        if (r.ok() && i == 0) ids[static_cast<std::size_t>(t)] = r->record.id;
      }
    });
  }
  for (auto& th : threads) th.join();
  BOOST_TEST(created.load() == 20);
  for (const auto id : ids) BOOST_TEST(id == ids[0]);
  BOOST_TEST(stats().leads == 20u);
  BOOST_TEST(stats().idempotency_keys == 20u);
}

BOOST_AUTO_TEST_CASE(map_grows_when_full) {
  TempDir dir;
  ManualClock clock(kT0);
  StoreOptions o;
  o.path = dir.sub("data");
  o.map_size = std::size_t{256} << 10;  // 256 KiB: fills up after a few hundred leads
  o.clock = &clock;
  auto store = must_open(o);

  constexpr int kLeads = 5000;
  constexpr int kChunk = 250;
  std::vector<RecordId> ids;
  for (int start = 0; start < kLeads; start += kChunk) {
    std::vector<CreateLeadCommand> cmds;
    for (int i = start; i < start + kChunk; ++i) {
      Lead l = minimal_lead("Grow" + std::to_string(i));
      l.prospect.email = "grow" + std::to_string(i) + "@example.com";
      l.notes = {{kT0, "loader", "padding so each record takes some room: " + std::string(200, 'p')}};
      cmds.push_back(CreateLeadCommand{std::move(l), {}, "grow-" + std::to_string(i)});
    }
    std::mutex m;
    std::condition_variable cv;
    std::size_t done = 0;
    std::vector<RecordId> chunk_ids(kChunk);
    int failures = 0;
    std::string first_error;
    store->create_leads_async(std::move(cmds), [&](std::size_t i, Result<Created<Lead>> r) {
      std::lock_guard lock(m);
      if (r.ok()) {
        chunk_ids[i] = r->record.id;
      } else {
        if (failures++ == 0) first_error = r.error().message;
      }
      ++done;
      cv.notify_all();
    });
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return done == static_cast<std::size_t>(kChunk); });
    BOOST_TEST_REQUIRE(failures == 0, "chunk at " << start << ": " << first_error);
    ids.insert(ids.end(), chunk_ids.begin(), chunk_ids.end());
    if (start % 1000 == 0) clock.advance_ms(1);
  }

  auto s = store->stats();
  BOOST_TEST_REQUIRE(is_ok(s));
  BOOST_TEST(s->leads == static_cast<std::uint64_t>(kLeads));
  BOOST_TEST(s->map_grows > 0u);
  BOOST_TEST(s->map_size > (std::uint64_t{256} << 10));
  BOOST_TEST(s->used_bytes <= s->map_size);
  BOOST_TEST_MESSAGE("map grew " << s->map_grows << " times to " << s->map_size << " bytes");

  std::set<RecordId> unique(ids.begin(), ids.end());
  BOOST_TEST(unique.size() == static_cast<std::size_t>(kLeads));
  int unreadable = 0;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    auto r = store->read_lead(ids[i]);
    if (!r.ok() || r->prospect.family_name != "Grow" + std::to_string(i)) ++unreadable;
  }
  BOOST_TEST(unreadable == 0);
  LeadQuery q;
  q.email = "GROW4999@example.com";
  auto found = store->find_leads(q);
  BOOST_TEST_REQUIRE(is_ok(found));
  BOOST_TEST(found->items.size() == 1u);

  std::size_t walked = 0;
  BOOST_TEST(is_ok(store->for_each_lead_json([&](std::string_view) {
    ++walked;
    return true;
  })));
  BOOST_TEST(walked == static_cast<std::size_t>(kLeads));  // more than one 4096-record chunk

  // the grown map is kept across a reopen (asked for 256 KiB again)
  const auto grown = s->map_size;
  store->close();
  store.reset();
  auto again = LeadStore::open(o);
  BOOST_TEST_REQUIRE(is_ok(again));
  auto s2 = (*again)->stats();
  BOOST_TEST_REQUIRE(is_ok(s2));
  BOOST_TEST(s2->leads == static_cast<std::uint64_t>(kLeads));
  BOOST_TEST(s2->map_size >= grown);
  auto last = (*again)->read_lead(ids.back());
  BOOST_TEST(is_ok(last));
}

BOOST_AUTO_TEST_SUITE_END()
