// Fixture for the store tests: a LeadStore on real LMDB files in a temporary
// folder, driven by a ManualClock.
#pragma once

#include <boost/test/unit_test.hpp>

#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "json/record_json.hpp"
#include "processing/config.hpp"
#include "store/lead_store.hpp"
#include "temp_dir.hpp"
#include "test_support.hpp"

namespace leadhub::test {

inline constexpr TimeMs kT0 = 1'772'359'200'000;  // 2026-03-01T10:00:00Z

// Runs a bulk call whose callback reports done(i, result) for each of n commands,
// from any thread, and waits for all: the results in input order.
template <typename T, typename Submit>
std::vector<Result<T>> collect_async(std::size_t n, Submit submit) {
  std::mutex m;
  std::condition_variable cv;
  std::size_t done = 0;
  std::vector<std::optional<Result<T>>> results(n);
  submit([&](std::size_t i, Result<T> r) {
    std::lock_guard lock(m);
    results[i] = std::move(r);
    ++done;
    cv.notify_all();
  });
  {
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return done == n; });
  }
  std::vector<Result<T>> out;
  out.reserve(n);
  for (auto& r : results) out.push_back(std::move(*r));
  return out;
}

// Opens a store that must open (the test stops here when it does not).
inline std::unique_ptr<LeadStore> must_open(const StoreOptions& options) {
  auto opened = LeadStore::open(options);
  BOOST_TEST_REQUIRE(is_ok(opened), (opened ? "" : opened.error().message));
  return std::move(opened).value();
}

// How many leads a find returns (the test stops here when the find fails).
inline std::size_t found_count(const LeadStore& store, const LeadQuery& query) {
  auto found = store.find_leads(query);
  BOOST_TEST_REQUIRE(is_ok(found), (found ? "" : found.error().message));
  return found->items.size();
}

struct StoreFixture {
  TempDir dir;
  ManualClock clock{kT0};
  std::unique_ptr<LeadStore> store;
  std::shared_ptr<const processing::ProcessingConfig> processing_config;  // applied by open() when set
  std::vector<std::string> notices;  // what the store said at open (StoreOptions::notice)

  StoreFixture() { open(); }

  // Parses a processing config (YAML) and reopens the store with it.
  void use_processing(const char* yaml, std::size_t map_size = std::size_t{64} << 20) {
    auto config = processing::parse_processing_config(yaml, "test.yaml");
    BOOST_TEST_REQUIRE(is_ok(config), (config ? "" : config.error().message));
    processing_config = std::make_shared<const processing::ProcessingConfig>(std::move(config).value());
    reopen(map_size);
  }

  std::string data_path() const { return dir.sub("data"); }

  void open(std::size_t map_size = std::size_t{64} << 20, std::uint32_t partition = 0) {
    StoreOptions o;
    o.path = data_path();
    o.map_size = map_size;
    o.partition = partition;
    o.staged_merge_idle_ms = 0;  // tests that count staged entries decide when merges run
    o.clock = &clock;
    o.processing = processing_config;
    o.notice = [this](std::string_view line) { notices.emplace_back(line); };
    auto r = LeadStore::open(o);
    BOOST_TEST_REQUIRE(is_ok(r));
    store = std::move(r).value();
  }

  void reopen(std::size_t map_size = std::size_t{64} << 20) {
    store->close();
    store.reset();
    open(map_size);
  }

  // Closes the store and opens an empty one in a new file: LMDB keeps a file's
  // map size, so only a fresh file gets a smaller `map_size`.
  void reopen_fresh(std::size_t map_size) {
    store->close();
    store.reset();
    std::filesystem::remove_all(data_path());
    open(map_size);
  }

  // Creates a lead that must succeed and be new.
  Lead create(Lead lead, const std::string& idempotency_key = {}, Actor actor = {}) {
    auto r = store->create_lead(CreateLeadCommand{std::move(lead), std::move(actor), idempotency_key});
    BOOST_TEST_REQUIRE(is_ok(r));
    BOOST_TEST(r->created);
    BOOST_TEST(r->json == to_json(r->record));  // what answers send instead of encoding the record again
    return r->record;
  }

  // Creates many leads through the batch interface; all must succeed. Returns them in input order.
  std::vector<Lead> create_many(std::vector<Lead> leads) {
    std::vector<CreateLeadCommand> cmds;
    cmds.reserve(leads.size());
    for (auto& l : leads) cmds.push_back(CreateLeadCommand{std::move(l), Actor{}, {}});
    const std::size_t n = cmds.size();
    auto results =
        collect_async<Created<Lead>>(n, [&](const auto& done) { store->create_leads_async(std::move(cmds), done); });
    std::vector<Lead> out;
    out.reserve(n);
    for (auto& r : results) {
      BOOST_TEST_REQUIRE(is_ok(r));
      out.push_back(std::move(r)->record);
    }
    return out;
  }

  Result<Lead> change(RecordId id, const std::string& patch, std::optional<std::uint64_t> expected = std::nullopt,
                      Actor actor = {}) {
    return store->change_lead(ChangeLeadCommand{id, expected, patch, std::move(actor), {}, {}});
  }

  Lead must_change(RecordId id, const std::string& patch, std::optional<std::uint64_t> expected = std::nullopt,
                   Actor actor = {}) {
    auto r = change(id, patch, expected, std::move(actor));
    BOOST_TEST_REQUIRE(is_ok(r), "patch " << patch);
    return std::move(r).value();
  }

  Lead read(RecordId id) {
    auto r = store->read_lead(id);
    BOOST_TEST_REQUIRE(is_ok(r));
    return std::move(r).value();
  }

  StoreStats stats() {
    auto r = store->stats();
    BOOST_TEST_REQUIRE(is_ok(r));
    return std::move(r).value();
  }

  FindResult find(const LeadQuery& q) {
    auto r = store->find_leads(q);
    BOOST_TEST_REQUIRE(is_ok(r));
    return std::move(r).value();
  }

  // Ids of every lead matching q, walking all pages of size `limit`; checks paging invariants.
  std::vector<RecordId> find_all(LeadQuery q, std::size_t limit) {
    q.limit = limit;
    q.after = RecordId();
    std::vector<RecordId> ids;
    for (int page = 0; page < 100'000; ++page) {
      const FindResult r = find(q);
      BOOST_TEST(r.items.size() <= limit);
      for (const auto& l : r.items) ids.push_back(l.id);
      if (r.next.empty()) break;
      BOOST_TEST_REQUIRE(r.items.size() == limit);  // only full pages have a next
      BOOST_TEST_REQUIRE(r.next == r.items.back().id);
      q.after = r.next;
    }
    return ids;
  }
};

inline std::vector<RecordId> ids_of(const std::vector<Lead>& leads) {
  std::vector<RecordId> out;
  for (const auto& l : leads) out.push_back(l.id);
  return out;
}

}  // namespace leadhub::test
