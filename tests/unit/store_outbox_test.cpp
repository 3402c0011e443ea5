// The transactional outbox: events written with the change that raised them, in
// commit order, routed into per-target delivery queues and deleted on acceptance;
// sequence numbers never reused across a reopen; idempotent retries raise nothing.
#include <boost/test/unit_test.hpp>

#include <simdjson.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "store_support.hpp"

using namespace leadhub;
using namespace leadhub::test;

namespace {

struct ParsedEvent {
  std::string id, type, lead_id;
  std::uint64_t version = 0;
  std::string data;       // minified
  std::string lead_json;  // minified, empty when absent
};

ParsedEvent parse(const StoredEvent& e) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  BOOST_TEST_REQUIRE(parser.parse(e.json).get(doc) == simdjson::SUCCESS, e.json);
  ParsedEvent p;
  std::string_view text;
  if (doc["id"].get_string().get(text) == simdjson::SUCCESS) p.id = text;
  if (doc["type"].get_string().get(text) == simdjson::SUCCESS) p.type = text;
  if (doc["lead_id"].get_string().get(text) == simdjson::SUCCESS) p.lead_id = text;
  if (doc["version"].get_uint64().get(p.version) != simdjson::SUCCESS) p.version = 0;
  p.data = simdjson::minify(doc["data"]);
  simdjson::dom::element lead;
  if (doc["lead"].get(lead) == simdjson::SUCCESS) p.lead_json = simdjson::minify(lead);
  return p;
}

struct OutboxFixture : StoreFixture {
  std::vector<StoredEvent> outbox(std::size_t limit = 1000) {
    auto r = store->read_outbox(limit);
    BOOST_TEST_REQUIRE(is_ok(r));
    return std::move(r).value();
  }
  std::vector<ParsedEvent> parsed_outbox() {
    std::vector<ParsedEvent> out;
    for (const auto& e : outbox()) out.push_back(parse(e));
    return out;
  }
  std::vector<StoredEvent> deliveries(const std::string& target, std::uint64_t after = 0) {
    auto r = store->read_deliveries(target, after, 1000);
    BOOST_TEST_REQUIRE(is_ok(r));
    return std::move(r).value();
  }
  void route_all(const std::vector<std::string>& targets) {
    std::vector<RoutedEvent> routed;
    for (const auto& e : outbox()) routed.push_back(RoutedEvent{e.seq, targets});
    BOOST_TEST_REQUIRE(is_ok(store->route_events(std::move(routed))));
  }
};

std::vector<std::string> types_of(const std::vector<ParsedEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.type);
  return out;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(store_outbox, OutboxFixture)

BOOST_AUTO_TEST_CASE(create_writes_lead_created_with_the_lead) {
  Lead lead = minimal_lead();
  lead.owner.channel = "ACME";
  const Lead created = create(lead, "", Actor{"maria", "web"});
  const auto events = parsed_outbox();
  BOOST_TEST_REQUIRE(events.size() == 2u);
  BOOST_TEST(events[0].type == "lead.created");
  BOOST_TEST(events[0].lead_id == created.id.to_string());
  BOOST_TEST(events[0].version == 1u);
  BOOST_TEST(events[0].lead_json == *store->read_lead_json(created.id));
  BOOST_TEST(events[1].type == "lead.assigned");
  BOOST_TEST(events[1].data == R"({"from":{"channel":"","assignee":""},"to":{"channel":"ACME","assignee":""}})");
  BOOST_TEST(std::stoull(events[0].id) < std::stoull(events[1].id));
  BOOST_TEST(stats().outbox_events == 2u);
}

BOOST_AUTO_TEST_CASE(change_writes_changed_and_status_events_in_order) {
  const Lead created = create(minimal_lead());
  clock.advance_ms(10);
  must_change(created.id, R"({"status":"in_process","owner":{"channel":"call-center-1"}})");
  const auto events = parsed_outbox();
  const std::vector<std::string> expected = {"lead.created", "lead.changed", "lead.status_changed", "lead.assigned"};
  BOOST_TEST(types_of(events) == expected, boost::test_tools::per_element());
  BOOST_TEST(events[1].version == 2u);
  BOOST_TEST(events[1].data == R"({"fields":["status","owner"]})");
  BOOST_TEST(events[2].data == R"({"from":"open","to":"in_process"})");
  BOOST_TEST(events[3].lead_json.find("call-center-1") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(refused_and_empty_changes_raise_nothing) {
  const Lead created = create(minimal_lead());
  BOOST_TEST(!is_ok(change(created.id, R"({"prospect":{"email":"nope"}})")));
  must_change(created.id, R"({"subject":")" + created.subject + "\"}");  // no difference
  BOOST_TEST(outbox().size() == 1u);
}

BOOST_AUTO_TEST_CASE(replayed_creates_raise_nothing) {
  create(minimal_lead(), "key-1");
  auto again = store->create_lead(CreateLeadCommand{minimal_lead(), Actor{}, "key-1"});
  BOOST_TEST_REQUIRE(is_ok(again));
  BOOST_TEST(!again->created);
  BOOST_TEST(outbox().size() == 1u);
}

BOOST_AUTO_TEST_CASE(bulk_creates_write_one_event_each_in_commit_order) {
  std::vector<Lead> leads;
  for (int i = 0; i < 50; ++i) leads.push_back(minimal_lead("N" + std::to_string(i)));
  const auto created = create_many(leads);
  const auto events = parsed_outbox();
  BOOST_TEST_REQUIRE(events.size() == 50u);
  for (std::size_t i = 0; i < events.size(); ++i) BOOST_TEST(events[i].lead_id == created[i].id.to_string());
}

BOOST_AUTO_TEST_CASE(change_idempotency_key_applies_once) {
  const Lead created = create(minimal_lead());
  ChangeLeadCommand cmd{created.id, std::nullopt, "", Actor{}, {Note{0, "", "called back"}}, "msg-7"};
  auto first = store->change_lead(cmd);
  BOOST_TEST_REQUIRE(is_ok(first));
  BOOST_TEST(first->version == 2u);
  auto retry = store->change_lead(cmd);
  BOOST_TEST_REQUIRE(is_ok(retry));
  BOOST_TEST(retry->version == 2u);
  BOOST_TEST(retry->notes.size() == 1u);
  reopen();
  auto after_restart = store->change_lead(cmd);
  BOOST_TEST_REQUIRE(is_ok(after_restart));
  BOOST_TEST(after_restart->notes.size() == 1u);
  BOOST_TEST(outbox().size() == 2u);  // created + changed, once
}

BOOST_AUTO_TEST_CASE(routing_moves_events_into_target_queues_until_acked) {
  const Lead a = create(minimal_lead("A"));
  const Lead b = create(minimal_lead("B"));
  route_all({"acme", "audit-log"});
  BOOST_TEST(outbox().empty());
  auto acme = deliveries("acme");
  BOOST_TEST_REQUIRE(acme.size() == 2u);
  BOOST_TEST(parse(acme[0]).lead_id == a.id.to_string());
  BOOST_TEST(parse(acme[1]).lead_id == b.id.to_string());
  BOOST_TEST(deliveries("acme", acme[0].seq).size() == 1u);  // after a sequence number
  BOOST_TEST(deliveries("acm").empty());                     // a prefix is another target
  BOOST_TEST_REQUIRE(is_ok(store->ack_deliveries("acme", {acme[0].seq})));
  BOOST_TEST(deliveries("acme").size() == 1u);
  BOOST_TEST(deliveries("audit-log").size() == 2u);
  const auto s = stats();
  BOOST_TEST_REQUIRE(s.deliveries.size() == 2u);
  BOOST_TEST(s.deliveries[0].first == "acme");
  BOOST_TEST(s.deliveries[0].second == 1u);
  BOOST_TEST(s.deliveries[1].second == 2u);
  // routing the same events again (a retry) changes nothing
  BOOST_TEST_REQUIRE(is_ok(store->route_events({RoutedEvent{acme[0].seq, {"acme"}}})));
  BOOST_TEST(deliveries("acme").size() == 1u);
}

BOOST_AUTO_TEST_CASE(sequence_numbers_continue_after_reopen) {
  create(minimal_lead("A"));
  route_all({});  // dropped: no target wants it
  const std::uint64_t first = stats().outbox_events;
  BOOST_TEST(first == 0u);
  reopen();
  create(minimal_lead("B"));
  const auto events = outbox();
  BOOST_TEST_REQUIRE(events.size() == 1u);
  BOOST_TEST(events[0].seq >= 2u);  // number 1 was used before the reopen
}

BOOST_AUTO_TEST_CASE(listener_hears_commits_with_events) {
  std::atomic<int> calls{0};
  store->set_event_listener([&calls] { ++calls; });
  create(minimal_lead());
  // The listener runs after the callers are answered: wait for it a little.
  for (int i = 0; i < 200 && calls.load() == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  BOOST_TEST(calls.load() >= 1);
  BOOST_TEST_REQUIRE(is_ok(store->publish_event("import.completed", Actor{"ops", "cli"}, R"({"created":3})")));
  const auto events = parsed_outbox();
  BOOST_TEST_REQUIRE(events.size() == 2u);
  BOOST_TEST(events[1].type == "import.completed");
  BOOST_TEST(events[1].data == R"({"created":3})");
  BOOST_TEST(events[1].lead_json.empty());
}

BOOST_AUTO_TEST_CASE(target_names_are_checked) {
  BOOST_TEST(fails_with(store->read_deliveries("", 0, 10), ErrorCode::invalid));
  BOOST_TEST(!store->route_events({RoutedEvent{1, {std::string("a\0b", 3)}}}));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(a_store_without_events_keeps_no_outbox) {
  TempDir dir;
  StoreOptions o;
  o.path = dir.sub("data");
  o.map_size = std::size_t{64} << 20;
  o.events = false;
  auto store = LeadStore::open(o);
  BOOST_TEST_REQUIRE(is_ok(store));
  BOOST_TEST_REQUIRE(is_ok((*store)->create_lead(CreateLeadCommand{minimal_lead(), Actor{}, ""})));
  BOOST_TEST((*store)->stats()->outbox_events == 0u);
}

BOOST_FIXTURE_TEST_CASE(with_partner_links_or_creates_the_business_partner, StoreFixture) {
  auto make = [](const std::string& email) {
    Lead l = minimal_lead("Schmidt");
    l.prospect.given_name = "Eva";
    l.prospect.email = email;
    return CreateLeadCommand{l, Actor{"web-form:contact", "http"}, "", true};
  };
  auto first = store->create_lead(make("eva@example.com"));
  BOOST_TEST_REQUIRE(is_ok(first));
  const RecordId partner = first->record.prospect.partner_id;
  BOOST_TEST_REQUIRE(!partner.empty());
  auto stored = store->read_partner(partner);
  BOOST_TEST_REQUIRE(is_ok(stored));
  BOOST_TEST(stored->family_name == "Schmidt");
  BOOST_TEST(stored->email == "eva@example.com");
  BOOST_TEST((read(first->record.id) == first->record));

  auto second = store->create_lead(make("EVA@example.com"));  // the same person again
  BOOST_TEST_REQUIRE(is_ok(second));
  BOOST_TEST(second->record.prospect.partner_id == partner);
  BOOST_TEST((read(second->record.id) == second->record));  // stored as answered: the known partner
  BOOST_TEST(stats().partners == 1u);

  CreateLeadCommand nameless = make("x@example.com");
  nameless.lead.prospect.family_name.clear();  // nobody to register: no partner, still a lead
  nameless.lead.prospect.company = "";
  nameless.lead.prospect.given_name = "";
  nameless.lead.subject = "anonymous";
  auto third = store->create_lead(nameless);
  if (is_ok(third)) BOOST_TEST(third->record.prospect.partner_id.empty());
  BOOST_TEST(stats().partners == 1u);
}
