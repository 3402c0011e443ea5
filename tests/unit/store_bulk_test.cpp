// The bulk write path: create_leads_async / import_leads_async put a whole batch
// in one transaction with the index entries sorted at its end (IndexBatch), so a
// later lead of the same batch must still see an earlier one (external reference,
// idempotency key); records, changed-at and audit entries are appended. Also the
// resident-page trimming of the map.
#include <boost/test/unit_test.hpp>

#include <condition_variable>
#include <mutex>
#include <optional>

#include "store/keys.hpp"
#include "store/lmdb_env.hpp"
#include "store/write_queue.hpp"
#include "store_support.hpp"

using namespace leadhub;
using namespace leadhub::test;

namespace {

Lead with_ref(const std::string& name, const std::string& ref, const std::string& email = {}) {
  Lead l = minimal_lead(name);
  l.external_refs.push_back({"crm", ref});
  l.prospect.email = email;
  return l;
}

// Runs import_leads_async and waits for every outcome, in input order.
std::vector<Result<CreateOutcome>> import_all(LeadStore& store, std::vector<CreateLeadCommand> cmds) {
  const std::size_t n = cmds.size();
  return collect_async<CreateOutcome>(n, [&](const auto& done) { store.import_leads_async(std::move(cmds), done); });
}

// A fresh 64 MB store in dir on the manual clock; callers set what they test.
StoreOptions small_store(const TempDir& dir, const ManualClock& clock) {
  StoreOptions o;
  o.path = dir.sub("data");
  o.map_size = std::size_t{64} << 20;
  o.clock = &clock;
  return o;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(store_bulk, StoreFixture)

BOOST_AUTO_TEST_CASE(same_reference_twice_in_one_batch_creates_one_lead) {
  std::vector<CreateLeadCommand> cmds;
  cmds.push_back({with_ref("First", "R-1", "a@example.com"), {}, {}});
  cmds.push_back({with_ref("Other", "R-2", "b@example.com"), {}, {}});
  cmds.push_back({with_ref("Again", "R-1", "c@example.com"), {}, {}});
  auto results =
      collect_async<Created<Lead>>(3, [&](const auto& done) { store->create_leads_async(std::move(cmds), done); });
  for (const auto& r : results) BOOST_TEST_REQUIRE(is_ok(r));
  BOOST_TEST(results[0]->created);
  BOOST_TEST(results[1]->created);
  BOOST_TEST(!results[2]->created);
  // The duplicate returns the stored lead: the one written earlier in the same batch.
  BOOST_TEST(results[2]->record.id == results[0]->record.id);
  BOOST_TEST(results[2]->record.prospect.family_name == "First");
  BOOST_TEST(results[0]->record.id < results[1]->record.id);

  const auto s = stats();
  BOOST_TEST(s.leads == 2u);
  BOOST_TEST(s.audit_entries == 2u);
  LeadQuery q;
  q.email = "c@example.com";
  BOOST_TEST(find(q).items.empty());
  q.email = "A@example.com";
  BOOST_TEST(find(q).items.size() == 1u);
  LeadQuery by_ref;
  by_ref.external_ref = ExternalRef{"crm", "R-1"};
  BOOST_TEST(find(by_ref).items.size() == 1u);
}

// Each partner is prepared (id and JSON) before the batch reaches the writer: the
// second lead of a new e-mail must still find the partner the first one stored.
BOOST_AUTO_TEST_CASE(with_partner_in_one_batch_registers_each_person_once) {
  auto make = [](const std::string& family, const std::string& email) {
    Lead l = minimal_lead(family);
    l.prospect.email = email;
    return CreateLeadCommand{l, Actor{"web-form:contact", "http"}, "", true};
  };
  std::vector<CreateLeadCommand> cmds;
  cmds.push_back(make("Neu", "neu@example.com"));
  cmds.push_back(make("Anders", "anders@example.com"));
  cmds.push_back(make("Neu", "NEU@example.com"));
  auto results =
      collect_async<Created<Lead>>(3, [&](const auto& done) { store->create_leads_async(std::move(cmds), done); });
  for (const auto& r : results) BOOST_TEST_REQUIRE(is_ok(r));
  const RecordId neu = results[0]->record.prospect.partner_id;
  BOOST_TEST_REQUIRE(!neu.empty());
  BOOST_TEST(results[2]->record.prospect.partner_id == neu);
  BOOST_TEST(results[1]->record.prospect.partner_id != neu);
  for (const auto& r : results) BOOST_TEST((read(r->record.id) == r->record));
  BOOST_TEST(stats().partners == 2u);
  auto partner = store->read_partner(neu);
  BOOST_TEST_REQUIRE(is_ok(partner));
  BOOST_TEST(partner->email == "neu@example.com");
  BOOST_TEST(partner->version == 1u);
  BOOST_TEST(partner->created_by == "web-form:contact");
}

BOOST_AUTO_TEST_CASE(import_reports_ids_duplicates_and_refusals) {
  const Lead stored = create(with_ref("Stored", "R-0", "s@example.com"));
  std::vector<CreateLeadCommand> cmds;
  cmds.push_back({with_ref("New", "R-1", "n@example.com"), {}, {}});
  cmds.push_back({with_ref("Known", "R-0"), {}, {}});  // already in the store
  Lead invalid = minimal_lead("");
  invalid.prospect.family_name.clear();
  invalid.prospect.email = "not an e-mail";
  cmds.push_back({invalid, {}, {}});
  cmds.push_back({with_ref("Twice", "R-1"), {}, {}});  // earlier in this batch
  cmds.push_back({minimal_lead("Keyed"), {}, "key-1"});
  cmds.push_back({minimal_lead("Keyed again"), {}, "key-1"});  // same idempotency key
  const auto out = import_all(*store, std::move(cmds));
  BOOST_TEST_REQUIRE(out.size() == 6u);
  BOOST_TEST_REQUIRE(is_ok(out[0]));
  BOOST_TEST(out[0]->created);
  BOOST_TEST_REQUIRE(is_ok(out[1]));
  BOOST_TEST(!out[1]->created);
  BOOST_TEST(out[1]->id == stored.id);
  BOOST_TEST(!out[2].ok());
  BOOST_TEST(out[2].error().code == ErrorCode::invalid);
  BOOST_TEST_REQUIRE(is_ok(out[3]));
  BOOST_TEST(!out[3]->created);
  BOOST_TEST(out[3]->id == out[0]->id);
  BOOST_TEST_REQUIRE(is_ok(out[4]));
  BOOST_TEST(out[4]->created);
  BOOST_TEST_REQUIRE(is_ok(out[5]));
  BOOST_TEST(!out[5]->created);
  BOOST_TEST(out[5]->id == out[4]->id);

  const auto s = stats();
  BOOST_TEST(s.leads == 3u);
  BOOST_TEST(s.audit_entries == 3u);
  BOOST_TEST(s.idempotency_keys == 1u);
  std::uint64_t by_status = 0;
  for (const auto& [status, n] : s.leads_by_status) by_status += n;
  BOOST_TEST(by_status == 3u);
  BOOST_TEST(read(out[0]->id).prospect.family_name == "New");
  BOOST_TEST(read(out[4]->id).prospect.family_name == "Keyed");
  LeadQuery q;
  q.email = "n@example.com";
  BOOST_TEST(find(q).items.size() == 1u);
}

BOOST_AUTO_TEST_CASE(import_of_many_keeps_every_index_exact) {
  constexpr int kLeads = 3000;
  std::vector<CreateLeadCommand> cmds;
  for (int i = 0; i < kLeads; ++i) {
    // e-mails in an order unrelated to the ids, a shared campaign, two statuses
    Lead l = with_ref("Bulk", "B-" + std::to_string(i), "u" + std::to_string((i * 7919) % kLeads) + "@example.com");
    l.campaign = "bulk";
    if (i % 3 == 0) l.status = LeadStatus::in_process;
    cmds.push_back({std::move(l), {}, {}});
  }
  const auto out = import_all(*store, std::move(cmds));
  for (const auto& r : out) BOOST_TEST_REQUIRE((is_ok(r) && r->created));
  for (std::size_t i = 1; i < out.size(); ++i) BOOST_TEST_REQUIRE(out[i - 1]->id < out[i]->id);
  LeadQuery q;
  q.campaign = "bulk";
  BOOST_TEST(find_all(q, 1000).size() == static_cast<std::size_t>(kLeads));
  q = {};
  q.status = LeadStatus::in_process;
  BOOST_TEST(find_all(q, 1000).size() == static_cast<std::size_t>(kLeads / 3));
  for (int i : {0, 1, 1234, kLeads - 1}) {
    LeadQuery e;
    e.email = "u" + std::to_string(i) + "@example.com";
    BOOST_TEST(find(e).items.size() == 1u);
  }
  // Importing the same batch again stores nothing new.
  std::vector<CreateLeadCommand> again;
  again.reserve(kLeads);
  for (int i = 0; i < kLeads; ++i) again.push_back({with_ref("Bulk", "B-" + std::to_string(i)), {}, {}});
  const auto second = import_all(*store, std::move(again));
  for (std::size_t i = 0; i < second.size(); ++i) {
    BOOST_TEST_REQUIRE(is_ok(second[i]));
    BOOST_TEST_REQUIRE(!second[i]->created);
    BOOST_TEST_REQUIRE(second[i]->id == out[i]->id);
  }
  const auto s = stats();
  BOOST_TEST(s.leads == static_cast<std::uint64_t>(kLeads));
  BOOST_TEST(s.audit_entries == static_cast<std::uint64_t>(kLeads));
}

BOOST_AUTO_TEST_CASE(staged_entries_are_found_changed_and_merged_on_close) {
  // create_many and import stage e-mail and phone entries; single creates do not.
  const Lead single = create(with_ref("Single", "S-1", "same@example.com"));
  std::vector<CreateLeadCommand> cmds;
  for (int i = 0; i < 30; ++i) {
    Lead l = with_ref("Staged", "G-" + std::to_string(i), i % 2 == 0 ? "same@example.com" : "odd@example.com");
    l.prospect.phone = "+49 30 " + std::to_string(1000 + i % 3);
    cmds.push_back({std::move(l), {}, {}});
  }
  const auto out = import_all(*store, std::move(cmds));
  for (const auto& r : out) BOOST_TEST_REQUIRE((is_ok(r) && r->created));
  BOOST_TEST(stats().staged_index_entries == 60u);

  // Finds see index and stage together, in id order, and page across both.
  LeadQuery q;
  q.email = "SAME@example.com";
  const auto same = find_all(q, 4);
  BOOST_TEST_REQUIRE(same.size() == 16u);
  BOOST_TEST(same.front() == single.id);
  for (std::size_t i = 1; i < same.size(); ++i) BOOST_TEST(same[i - 1] < same[i]);
  LeadQuery phone;
  phone.phone = "+49 30 1001";
  BOOST_TEST(find_all(phone, 3).size() == 10u);
  LeadQuery both = q;
  both.phone = "+49 30 1001";  // i even and i % 3 == 1: 4, 10, 16, 22, 28
  BOOST_TEST(find_all(both, 100).size() == 5u);

  // A change of a staged e-mail removes the staged entry; the new one is indexed.
  must_change(out[0]->id, R"({"prospect":{"email":"moved@example.com"}})");
  BOOST_TEST(stats().staged_index_entries == 59u);
  BOOST_TEST(find_all(q, 100).size() == 15u);
  LeadQuery moved;
  moved.email = "moved@example.com";
  BOOST_TEST(find_all(moved, 100).size() == 1u);

  // Closing merges the stage into the indexes; the finds give the same answers.
  reopen();
  BOOST_TEST(stats().staged_index_entries == 0u);
  BOOST_TEST(find_all(q, 4).size() == 15u);
  BOOST_TEST(find_all(phone, 3).size() == 10u);
  BOOST_TEST(find_all(moved, 100).size() == 1u);
  LeadQuery odd;
  odd.email = "odd@example.com";
  BOOST_TEST(find_all(odd, 7).size() == 15u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(stage_is_merged_in_chunks_once_large) {
  TempDir dir;
  ManualClock clock(kT0);
  StoreOptions o = small_store(dir, clock);
  o.staged_merge_at = 100;   // merged after the commit that staged the 100th entry
  o.staged_merge_chunk = 7;  // in many key-range transactions
  o.staged_merge_idle_ms = 0;
  auto store = must_open(o);
  constexpr int kLeads = 90;  // 90 e-mail + 90 phone entries per round
  for (int round = 0; round < 2; ++round) {
    std::vector<CreateLeadCommand> cmds;
    for (int i = 0; i < kLeads; ++i) {
      const int n = round * kLeads + i;
      Lead l = with_ref("Chunk", "C-" + std::to_string(n), "m" + std::to_string((n * 37) % 61) + "@example.com");
      l.prospect.phone = "+49 40 " + std::to_string(5000 + n);
      cmds.push_back({std::move(l), {}, {}});
    }
    for (const auto& r : import_all(*store, std::move(cmds))) BOOST_TEST_REQUIRE((is_ok(r) && r->created));
    // The writer merges after completing the callers: a later write waits for it.
    BOOST_TEST_REQUIRE(is_ok(store->create_lead({minimal_lead("Later"), {}, {}})));
    auto s = store->stats();
    BOOST_TEST_REQUIRE(is_ok(s));
    // Round 0 stays below the threshold per index; round 1 crosses it: merged.
    BOOST_TEST(s->staged_index_entries == (round == 0 ? 180u : 0u));
  }
  std::size_t hits = 0;
  for (int m = 0; m < 61; ++m) {
    LeadQuery q;
    q.email = "m" + std::to_string(m) + "@example.com";
    q.limit = 1000;
    hits += found_count(*store, q);
  }
  BOOST_TEST(hits == static_cast<std::size_t>(2 * kLeads));  // every lead once, in one place
  LeadQuery q;
  q.phone = "+49 40 5123";
  BOOST_TEST(found_count(*store, q) == 1u);
}

BOOST_AUTO_TEST_CASE(put_new_last_falls_back_when_the_key_is_not_last) {
  TempDir dir;
  auto env = store::LmdbEnv::open(store::EnvOptions{dir.sub("env"), std::size_t{16} << 20, false});
  BOOST_TEST_REQUIRE(is_ok(env));
  MDB_txn* txn = (*env)->begin_write();
  {
    store::WriteTxn w(txn, (*env)->dbi());
    const MDB_dbi leads = (*env)->dbi().leads;
    BOOST_TEST(w.put_new_last(leads, store::be64(10), "ten"));
    BOOST_TEST(w.put_new_last(leads, store::be64(20), "twenty"));
    BOOST_TEST(w.put_new_last(leads, store::be64(15), "fifteen"));  // below the last: ordinary insert
    BOOST_TEST(!w.put_new_last(leads, store::be64(20), "again"));   // the last key itself exists
    BOOST_TEST(!w.put_new_last(leads, store::be64(10), "again"));   // an earlier key exists
    w.put_last(leads, store::be64(10), "TEN");                      // put_last overwrites like put
    std::string_view v;
    BOOST_TEST_REQUIRE(w.get(leads, store::be64(15), v));
    BOOST_TEST(v == "fifteen");
    BOOST_TEST_REQUIRE(w.get(leads, store::be64(20), v));
    BOOST_TEST(v == "twenty");
    BOOST_TEST_REQUIRE(w.get(leads, store::be64(10), v));
    BOOST_TEST(v == "TEN");
  }
  BOOST_TEST(mdb_txn_commit(txn) == 0);
}

BOOST_AUTO_TEST_CASE(resident_map_pages_are_dropped_over_budget) {
  TempDir dir;
  ManualClock clock(kT0);
  StoreOptions o = small_store(dir, clock);
  o.resident_map_budget = 1;  // always over: every check drops the map's pages
  o.resident_target = 0;      // however small the process
  auto store = must_open(o);
  std::vector<RecordId> ids;
  for (int i = 0; i < 70; ++i) {  // one commit each; the writer checks once per 64 commands
    auto r = store->create_lead({with_ref("Trim", "T-" + std::to_string(i)), {}, {}});
    BOOST_TEST_REQUIRE(is_ok(r));
    ids.push_back(r->record.id);
  }
  auto s = store->stats();
  BOOST_TEST_REQUIRE(is_ok(s));
  BOOST_TEST(s->map_trims > 0u);
  for (const RecordId id : ids) {  // the pages come back from the page cache
    auto r = store->read_lead(id);
    BOOST_TEST_REQUIRE(is_ok(r));
    BOOST_TEST(r->prospect.family_name == "Trim");
  }
}

// Under resident_target the map may fill what the process leaves: no trims however
// small the budget, so readers do not fault the same pages in again and again.
BOOST_AUTO_TEST_CASE(resident_map_pages_stay_while_the_process_is_under_its_target) {
  TempDir dir;
  ManualClock clock(kT0);
  StoreOptions o = small_store(dir, clock);
  o.resident_map_budget = 1;
  o.resident_target = std::size_t{1} << 40;  // far above any test process
  auto store = must_open(o);
  for (int i = 0; i < 70; ++i) {
    auto r = store->create_lead({with_ref("Kept", "K-" + std::to_string(i)), {}, {}});
    BOOST_TEST_REQUIRE(is_ok(r));
  }
  auto s = store->stats();
  BOOST_TEST_REQUIRE(is_ok(s));
  BOOST_TEST(s->map_trims == 0u);
}
