// LeadStore::find_leads: each index, AND of filters, changed-since, paging.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <set>

#include "store_support.hpp"

using namespace leadhub;
using namespace leadhub::test;

namespace {

std::vector<RecordId> ids(const FindResult& r) { return ids_of(r.items); }

std::vector<RecordId> sorted(std::vector<RecordId> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// Lead i of a varied population: source, campaign, owner and status by i modulo small numbers.
Lead varied(int i) {
  Lead l = minimal_lead("Family" + std::to_string(i));
  l.prospect.email = "person" + std::to_string(i) + "@example.com";
  l.prospect.phone = "+49301234" + std::to_string(1000 + i);
  l.source = i % 3 == 0 ? LeadSource::web_form : (i % 3 == 1 ? LeadSource::lettershop : LeadSource::partner);
  l.campaign = i % 2 == 0 ? "even" : "odd";
  l.owner.channel = i % 4 == 0 ? "north" : "south";
  if (i % 5 == 0) l.qualification = Qualification::warm;  // -> qualified
  l.external_refs = {{"sap", "S-" + std::to_string(i)}};
  return l;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(store_find, StoreFixture)

BOOST_AUTO_TEST_CASE(by_email_case_insensitive) {
  Lead a = minimal_lead("Schmidt");
  a.prospect.email = "Anna.Schmidt@Example.COM";
  const Lead la = create(a);
  Lead b = minimal_lead("Other");
  b.prospect.email = "someone@example.com";
  create(b);
  for (const char* q : {"anna.schmidt@example.com", "ANNA.SCHMIDT@EXAMPLE.COM", "Anna.Schmidt@Example.COM"}) {
    LeadQuery query;
    query.email = q;
    const auto r = find(query);
    BOOST_TEST_CONTEXT(q) {
      BOOST_TEST_REQUIRE(r.items.size() == 1u);
      BOOST_TEST(r.items[0].id == la.id);
      BOOST_TEST(r.items[0].prospect.email == "Anna.Schmidt@Example.COM");  // stored as given
      BOOST_TEST(r.next.empty());
    }
  }
  LeadQuery none;
  none.email = "anna@example.com";
  BOOST_TEST(find(none).items.empty());
}

BOOST_AUTO_TEST_CASE(by_phone_in_any_notation) {
  Lead a = minimal_lead();
  a.prospect.phone = "+49 171 1234567";
  const Lead la = create(a);
  BOOST_TEST(la.prospect.phone == "+491711234567");
  for (const char* q : {"+491711234567", "+49 (171) 123-4567", "0049 171 1234567"}) {
    LeadQuery query;
    query.phone = q;
    BOOST_TEST_CONTEXT(q) { BOOST_TEST((ids(find(query)) == std::vector<RecordId>{la.id})); }
  }
  LeadQuery none;
  none.phone = "+491711234568";
  BOOST_TEST(find(none).items.empty());
}

BOOST_AUTO_TEST_CASE(by_each_equality_index) {
  std::vector<Lead> in;
  for (int i = 0; i < 40; ++i) in.push_back(varied(i));
  const auto created = create_many(in);
  auto expect = [&](auto pred) {
    std::vector<RecordId> out;
    for (const auto& l : created) {
      if (pred(l)) out.push_back(l.id);
    }
    return sorted(out);
  };

  LeadQuery by_ref;
  by_ref.external_ref = ExternalRef{"sap", "S-17"};
  BOOST_TEST((ids(find(by_ref)) == std::vector<RecordId>{created[17].id}));
  by_ref.external_ref = ExternalRef{"crm", "S-17"};
  BOOST_TEST(find(by_ref).items.empty());

  LeadQuery by_status;
  by_status.status = LeadStatus::qualified;
  BOOST_TEST((ids(find(by_status)) == expect([](const Lead& l) { return l.status == LeadStatus::qualified; })));
  BOOST_TEST(find(by_status).items.size() == 8u);
  by_status.status = LeadStatus::closed;
  BOOST_TEST(find(by_status).items.empty());

  LeadQuery by_owner;
  by_owner.owner_channel = "north";
  BOOST_TEST((ids(find(by_owner)) == expect([](const Lead& l) { return l.owner.channel == "north"; })));
  BOOST_TEST(find(by_owner).items.size() == 10u);

  LeadQuery by_source;
  by_source.source = LeadSource::lettershop;
  BOOST_TEST((ids(find(by_source)) == expect([](const Lead& l) { return l.source == LeadSource::lettershop; })));
  by_source.source = LeadSource::trade_show;
  BOOST_TEST(find(by_source).items.empty());

  LeadQuery by_campaign;
  by_campaign.campaign = "odd";
  BOOST_TEST((ids(find(by_campaign)) == expect([](const Lead& l) { return l.campaign == "odd"; })));
  BOOST_TEST(find(by_campaign).items.size() == 20u);

  LeadQuery everything;
  BOOST_TEST((ids(find(everything)) == sorted(ids_of(created))));
}

BOOST_AUTO_TEST_CASE(filters_combine_with_and) {
  std::vector<Lead> in;
  for (int i = 0; i < 60; ++i) in.push_back(varied(i));
  const auto created = create_many(in);
  LeadQuery q;
  q.campaign = "even";
  q.owner_channel = "south";
  q.source = LeadSource::web_form;
  std::vector<RecordId> expected;
  for (const auto& l : created) {
    if (l.campaign == "even" && l.owner.channel == "south" && l.source == LeadSource::web_form)
      expected.push_back(l.id);
  }
  BOOST_TEST_REQUIRE(!expected.empty());
  BOOST_TEST((ids(find(q)) == sorted(expected)));

  q.status = LeadStatus::qualified;
  expected.clear();
  for (const auto& l : created) {
    if (l.campaign == "even" && l.owner.channel == "south" && l.source == LeadSource::web_form &&
        l.status == LeadStatus::qualified) {
      expected.push_back(l.id);
    }
  }
  BOOST_TEST((ids(find(q)) == sorted(expected)));

  LeadQuery contradicting;
  contradicting.email = "person3@example.com";
  contradicting.campaign = "even";  // lead 3 is odd
  BOOST_TEST(find(contradicting).items.empty());
  contradicting.campaign = "odd";
  BOOST_TEST((ids(find(contradicting)) == std::vector<RecordId>{created[3].id}));

  LeadQuery unknown_key;
  unknown_key.campaign = "even";
  unknown_key.owner_channel = "nowhere";
  BOOST_TEST(find(unknown_key).items.empty());
}

BOOST_AUTO_TEST_CASE(changed_since) {
  const Lead a = create(minimal_lead("A"));
  const Lead b = create(minimal_lead("B"));
  clock.set_ms(kT0 + 10'000);
  const Lead c = create(minimal_lead("C"));
  clock.set_ms(kT0 + 20'000);
  must_change(a.id, R"({"subject":"touched"})");

  LeadQuery q;
  q.changed_since = kT0;
  BOOST_TEST((ids(find(q)) == std::vector<RecordId>{a.id, b.id, c.id}));
  q.changed_since = kT0 + 1;
  BOOST_TEST((ids(find(q)) == std::vector<RecordId>{a.id, c.id}));  // id order, not change order
  q.changed_since = kT0 + 10'000;
  BOOST_TEST((ids(find(q)) == std::vector<RecordId>{a.id, c.id}));
  q.changed_since = kT0 + 10'001;
  BOOST_TEST((ids(find(q)) == std::vector<RecordId>{a.id}));
  q.changed_since = kT0 + 20'000;
  BOOST_TEST((ids(find(q)) == std::vector<RecordId>{a.id}));
  q.changed_since = kT0 + 20'001;
  BOOST_TEST(find(q).items.empty());

  // combined with an equality filter
  LeadQuery q2;
  q2.changed_since = kT0 + 1;
  q2.status = LeadStatus::open;
  BOOST_TEST((ids(find(q2)) == std::vector<RecordId>{a.id, c.id}));
}

BOOST_AUTO_TEST_CASE(limit_bounds) {
  create(minimal_lead());
  for (std::size_t bad : {std::size_t{0}, std::size_t{1001}, std::size_t{100000}}) {
    LeadQuery q;
    q.limit = bad;
    auto r = store->find_leads(q);
    BOOST_TEST_CONTEXT("limit " << bad) {
      BOOST_TEST_REQUIRE(fails_with(r, ErrorCode::invalid));
      BOOST_TEST(has_error(r.error().fields, "limit", "must be between 1 and 1000"));
    }
  }
  for (std::size_t good : {std::size_t{1}, std::size_t{1000}}) {
    LeadQuery q;
    q.limit = good;
    BOOST_TEST(is_ok(store->find_leads(q)));
  }
}

BOOST_AUTO_TEST_CASE(paging_returns_every_lead_once_in_id_order) {
  std::vector<Lead> in;
  for (int i = 0; i < 250; ++i) in.push_back(varied(i));
  const auto created = create_many(in);
  const auto all = sorted(ids_of(created));
  BOOST_TEST_REQUIRE((std::adjacent_find(all.begin(), all.end()) == all.end()));

  for (std::size_t limit :
       {std::size_t{1}, std::size_t{7}, std::size_t{50}, std::size_t{125}, std::size_t{250}, std::size_t{1000}}) {
    BOOST_TEST_CONTEXT("limit " << limit) { BOOST_TEST((find_all(LeadQuery{}, limit) == all)); }
  }
  // through an index
  LeadQuery odd;
  odd.campaign = "odd";
  std::vector<RecordId> odd_ids;
  for (const auto& l : created) {
    if (l.campaign == "odd") odd_ids.push_back(l.id);
  }
  for (std::size_t limit : {std::size_t{1}, std::size_t{9}, std::size_t{125}}) {
    BOOST_TEST_CONTEXT("odd, limit " << limit) { BOOST_TEST((find_all(odd, limit) == sorted(odd_ids))); }
  }
  // through the changed-at index
  LeadQuery since;
  since.changed_since = kT0;
  BOOST_TEST((find_all(since, 13) == all));
}

BOOST_AUTO_TEST_CASE(next_is_empty_on_the_last_page) {
  std::vector<Lead> in;
  for (int i = 0; i < 20; ++i) in.push_back(varied(i));
  const auto created = create_many(in);
  const auto all = sorted(ids_of(created));

  LeadQuery q;
  q.limit = 10;
  const FindResult first = find(q);
  BOOST_TEST_REQUIRE(first.items.size() == 10u);
  BOOST_TEST(first.next == all[9]);
  q.after = first.next;
  const FindResult second = find(q);  // exactly full, and nothing after it
  BOOST_TEST_REQUIRE(second.items.size() == 10u);
  BOOST_TEST(second.items.front().id == all[10]);
  BOOST_TEST(second.next.empty());

  q.limit = 20;
  q.after = RecordId();
  BOOST_TEST(find(q).next.empty());
  q.limit = 19;
  BOOST_TEST(find(q).next == all[18]);

  // a cursor past the end gives an empty page
  q.after = all.back();
  const FindResult past = find(q);
  BOOST_TEST(past.items.empty());
  BOOST_TEST(past.next.empty());

  // same for an index walk
  LeadQuery even;
  even.campaign = "even";
  even.limit = 5;
  const FindResult e1 = find(even);
  BOOST_TEST(e1.items.size() == 5u);
  BOOST_TEST(!e1.next.empty());
  even.after = e1.next;
  const FindResult e2 = find(even);
  BOOST_TEST(e2.items.size() == 5u);
  BOOST_TEST(e2.next.empty());
}

BOOST_AUTO_TEST_CASE(cursor_between_ids_and_from_another_filter) {
  std::vector<Lead> in;
  for (int i = 0; i < 12; ++i) in.push_back(varied(i));
  const auto created = create_many(in);
  const auto all = sorted(ids_of(created));
  // a cursor that is not itself a hit (lead 1 is odd) still continues after it
  LeadQuery even;
  even.campaign = "even";
  even.after = created[1].id;
  std::vector<RecordId> expected;
  for (const auto& l : created) {
    if (l.campaign == "even" && l.id > created[1].id) expected.push_back(l.id);
  }
  BOOST_TEST((ids(find(even)) == sorted(expected)));
  // an id that was never handed out (between two stored ids)
  LeadQuery plain;
  plain.after = RecordId(all[4].raw() + 1);
  BOOST_TEST((ids(find(plain)) == std::vector<RecordId>(all.begin() + 5, all.end())));
}

BOOST_AUTO_TEST_CASE(indexes_follow_changes) {
  Lead l = minimal_lead();
  l.prospect.email = "old@example.com";
  l.campaign = "first";
  l.owner.channel = "north";
  const Lead created = create(l);
  must_change(created.id,
              R"({"prospect":{"email":"New@Example.com"},"campaign":"second","owner":null,"status":"in_process"})");

  LeadQuery q;
  q.email = "old@example.com";
  BOOST_TEST(find(q).items.empty());
  q.email = "new@example.com";
  BOOST_TEST(find(q).items.size() == 1u);

  LeadQuery c;
  c.campaign = "first";
  BOOST_TEST(find(c).items.empty());
  c.campaign = "second";
  BOOST_TEST(find(c).items.size() == 1u);

  LeadQuery o;
  o.owner_channel = "north";
  BOOST_TEST(find(o).items.empty());

  LeadQuery s;
  s.status = LeadStatus::open;
  BOOST_TEST(find(s).items.empty());
  s.status = LeadStatus::in_process;
  BOOST_TEST(find(s).items.size() == 1u);

  const auto st = stats();
  std::map<std::string, std::uint64_t> by_status(st.leads_by_status.begin(), st.leads_by_status.end());
  BOOST_TEST(by_status["open"] == 0u);
  BOOST_TEST(by_status["in_process"] == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
