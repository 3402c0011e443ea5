// Processing's indexes for leads stored before processing was configured (or
// under other settings): the store knows they are stale, reindex_processing
// builds match keys, due entries and open-lead counters from the stored leads,
// and a store opened without processing forgets that it was current.
#include <boost/test/unit_test.hpp>

#include "processing/config.hpp"
#include "store_support.hpp"

using namespace leadhub;
using namespace leadhub::test;

namespace {

constexpr TimeMs kDay = TimeMs{24} * 3'600'000;

constexpr const char* kConfig = R"(
assignment:
  channels:
    dealers: {distribution: capacity, members: [{name: d1, capacity: 1}, {name: d2, capacity: 1}]}
  rules:
    - {name: austria, countries: [AT], channel: dealers}
aging:
  rules:
    - {status: open, escalate_after_days: 3}
)";

constexpr const char* kOtherAging = R"(
aging:
  rules:
    - {status: open, escalate_after_days: 10}
)";

Lead person(const std::string& family, const std::string& email, const std::string& country = "") {
  Lead l = minimal_lead(family);
  l.prospect.given_name = "Anna";
  l.prospect.email = email;
  l.prospect.address.country = country;
  return l;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(store_reindex, StoreFixture)

BOOST_AUTO_TEST_CASE(leads_stored_before_processing_are_indexed_by_a_reindex) {
  Lead dealer_lead = person("Alt", "alt@example.com", "AT");
  dealer_lead.owner = Owner{"dealers", "d1"};
  const Lead old = create(dealer_lead);
  create(person("Other", "other@example.com"));
  use_processing(kConfig);
  BOOST_TEST(store->processing_index_stale());

  auto counts = store->reindex_processing();
  BOOST_TEST_REQUIRE(is_ok(counts));
  BOOST_TEST(counts->leads == 2U);
  BOOST_TEST(!store->processing_index_stale());

  // the duplicate check now sees the old lead
  const Lead again = create(person("Alt", "ALT@example.com"));
  BOOST_TEST(again.duplicate_of == old.id);
  // d1's open lead was counted: the capacity channel picks d2
  BOOST_TEST(create(person("Neu", "neu@example.com", "AT")).owner.assignee == "d2");
  // the old leads are in the due index: both escalate after three quiet days
  auto due = store->run_due(kT0 + 3 * kDay + 1);
  BOOST_TEST_REQUIRE(is_ok(due));
  BOOST_TEST(due->escalated == 4U);  // the two old leads and the two new ones
}

BOOST_AUTO_TEST_CASE(a_store_knows_when_its_indexes_follow_other_settings) {
  use_processing(kConfig);
  BOOST_TEST(!store->processing_index_stale());  // empty: current from the start
  create(person("Eins", "eins@example.com"));
  reopen();
  BOOST_TEST(!store->processing_index_stale());
  use_processing(kOtherAging);
  BOOST_TEST(store->processing_index_stale());
  BOOST_TEST_REQUIRE(is_ok(store->reindex_processing()));
  BOOST_TEST(!store->processing_index_stale());

  processing_config.reset();  // a while without processing: its new leads get no keys
  reopen();
  create(person("Zwei", "zwei@example.com"));
  use_processing(kOtherAging);
  BOOST_TEST(store->processing_index_stale());
}

BOOST_AUTO_TEST_CASE(reindex_moves_keys_and_keeps_what_aging_raised) {
  use_processing(kConfig);
  const Lead lead = create(person("Drei", "drei+news@example.com"));
  auto first = store->run_due(kT0 + 3 * kDay + 1);
  BOOST_TEST_REQUIRE(is_ok(first));
  BOOST_TEST(first->escalated == 1U);
  BOOST_TEST_REQUIRE(is_ok(store->reindex_processing()));
  // escalated once per quiet period: the reindex does not make it due again
  auto second = store->run_due(kT0 + 5 * kDay);
  BOOST_TEST_REQUIRE(is_ok(second));
  BOOST_TEST(second->escalated == 0U);
  // run twice, the keys are the same: one candidate, not two
  BOOST_TEST_REQUIRE(is_ok(store->reindex_processing()));
  const Lead dup = create(person("Drei", "drei@example.com"));
  BOOST_TEST(dup.duplicate_of == lead.id);
}

BOOST_AUTO_TEST_SUITE_END()
