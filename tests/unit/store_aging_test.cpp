// Aging inside the store: escalation after N quiet days (once per quiet period, a
// change restarts the clock), closing as aged after M days as a real change with
// its events, per-channel rules before general ones, follow-up reminders, runs
// that read only the due part of the index, and a due index that survives a
// reopen. Also the aging section's config errors.
#include <boost/test/unit_test.hpp>

#include <simdjson.h>

#include "processing/config.hpp"
#include "store_support.hpp"

using namespace leadhub;
using namespace leadhub::test;

namespace {

constexpr TimeMs kHour = 3'600'000;
constexpr TimeMs kDay = 24 * kHour;

constexpr const char* kConfig = R"(
aging:
  rules:
    - {status: open, channel: call-centre, escalate_after_days: 2, close_after_days: 14}
    - {status: open, escalate_after_days: 3, close_after_days: 30}
    - {status: in_process, escalate_after_days: 7}
  reminders: true
)";

struct Event {
  std::string type;
  std::uint64_t version = 0;
  std::string data;  // minified
};

struct AgingFixture : StoreFixture {
  AgingFixture() { use_processing(kConfig, std::size_t{256} << 20); }

  static Lead owned_by(const std::string& channel, const std::string& name = "Muster") {
    Lead l = minimal_lead(name);
    l.owner.channel = channel;
    return l;
  }

  AgingCounts run(TimeMs at, std::size_t limit = LeadStore::kMaxDuePerRun) {
    auto r = store->run_due(at, limit);
    BOOST_TEST_REQUIRE(is_ok(r));
    return *r;
  }

  // The lead's events in commit order.
  std::vector<Event> events_of(RecordId id) {
    auto stored = store->read_outbox(100'000);
    BOOST_TEST_REQUIRE(is_ok(stored));
    std::vector<Event> out;
    simdjson::dom::parser parser;
    for (const auto& e : *stored) {
      simdjson::dom::element doc;
      BOOST_TEST_REQUIRE(parser.parse(e.json).get(doc) == simdjson::SUCCESS);
      std::string_view lead_id, type;
      if (doc["lead_id"].get_string().get(lead_id) != simdjson::SUCCESS || lead_id != id.to_string()) continue;
      BOOST_TEST_REQUIRE(doc["type"].get_string().get(type) == simdjson::SUCCESS);
      Event ev{std::string(type), 0, simdjson::minify(doc["data"])};
      BOOST_TEST_REQUIRE(doc["version"].get_uint64().get(ev.version) == simdjson::SUCCESS);
      out.push_back(std::move(ev));
    }
    return out;
  }

  std::vector<std::string> types_of(RecordId id) {
    std::vector<std::string> out;
    for (const auto& e : events_of(id)) out.push_back(e.type);
    return out;
  }

  std::vector<std::string> audit_actions(RecordId id) {
    auto audit = store->read_audit(id);
    BOOST_TEST_REQUIRE(is_ok(audit));
    std::vector<std::string> out;
    for (const auto& e : *audit) out.push_back(e.action);
    return out;
  }
};

std::size_t count(const std::vector<std::string>& list, const std::string& value) {
  return static_cast<std::size_t>(std::count(list.begin(), list.end(), value));
}

TimeMs midnight(const char* date) { return *parse_timestamp(std::string(date) + "T00:00:00Z"); }

}  // namespace

BOOST_FIXTURE_TEST_SUITE(store_aging, AgingFixture)

BOOST_AUTO_TEST_CASE(escalates_once_after_n_quiet_days) {
  const Lead lead = create(minimal_lead());
  BOOST_TEST(run(kT0 + 3 * kDay - 1).due == 0u);
  const AgingCounts first = run(kT0 + 3 * kDay);
  BOOST_TEST(first.due == 1u);
  BOOST_TEST(first.escalated == 1u);
  BOOST_TEST(first.closed == 0u);
  const auto events = events_of(lead.id);
  BOOST_TEST_REQUIRE(events.size() == 2u);
  BOOST_TEST(events[1].type == "lead.escalated");
  BOOST_TEST(events[1].version == 1u);
  BOOST_TEST(events[1].data == R"({"status":"open","channel":"","days_without_action":3})");
  BOOST_TEST(count(audit_actions(lead.id), "escalated") == 1u);
  BOOST_TEST(read(lead.id).version == 1u);  // an escalation is no change of the lead

  const AgingCounts again = run(kT0 + 3 * kDay + kHour);
  BOOST_TEST(again.due == 0u);
  BOOST_TEST(count(types_of(lead.id), "lead.escalated") == 1u);
}

BOOST_AUTO_TEST_CASE(a_change_restarts_the_clock) {
  const Lead lead = create(minimal_lead());
  clock.advance_ms(2 * kDay);
  must_change(lead.id, R"({"subject":"Heat pump, 2 units"})");
  BOOST_TEST(run(kT0 + 3 * kDay).escalated == 0u);
  BOOST_TEST(run(kT0 + 5 * kDay).escalated == 1u);
  // Another change is another quiet period: escalated again 3 days after it.
  clock.set_ms(kT0 + 6 * kDay);
  must_change(lead.id, R"({"priority":"high"})");
  BOOST_TEST(run(kT0 + 9 * kDay - 1).escalated == 0u);
  BOOST_TEST(run(kT0 + 9 * kDay).escalated == 1u);
  BOOST_TEST(count(types_of(lead.id), "lead.escalated") == 2u);
}

BOOST_AUTO_TEST_CASE(closes_as_aged_after_m_days_with_the_change_events) {
  const Lead lead = create(minimal_lead());
  BOOST_TEST(run(kT0 + 3 * kDay).escalated == 1u);
  const AgingCounts closing = run(kT0 + 30 * kDay);
  BOOST_TEST(closing.closed == 1u);
  BOOST_TEST(closing.escalated == 0u);

  const Lead closed = read(lead.id);
  BOOST_TEST(closed.status == LeadStatus::closed);
  BOOST_TEST(closed.reason == "aged");
  BOOST_TEST(closed.version == 2u);
  BOOST_TEST(closed.changed_by == "scheduler");
  BOOST_TEST(closed.changed_at == kT0 + 30 * kDay);

  const auto types = types_of(lead.id);
  const std::vector<std::string> expected = {"lead.created", "lead.escalated", "lead.changed", "lead.status_changed",
                                             "lead.aged"};
  BOOST_TEST(types == expected, boost::test_tools::per_element());
  const auto events = events_of(lead.id);
  BOOST_TEST(events.back().version == 2u);
  BOOST_TEST(events.back().data == R"({"status":"open","channel":"","days_without_action":30})");

  const auto actions = audit_actions(lead.id);
  BOOST_TEST(count(actions, "changed") == 2u);  // status and reason
  BOOST_TEST(count(actions, "aged") == 1u);
  BOOST_TEST(run(kT0 + 60 * kDay).due == 0u);  // closed leads never come due again
}

BOOST_AUTO_TEST_CASE(a_long_quiet_lead_is_closed_without_a_late_escalation) {
  const Lead lead = create(minimal_lead());
  const AgingCounts counts = run(kT0 + 31 * kDay);
  BOOST_TEST(counts.closed == 1u);
  BOOST_TEST(counts.escalated == 0u);
  BOOST_TEST(count(types_of(lead.id), "lead.escalated") == 0u);
}

BOOST_AUTO_TEST_CASE(the_channel_rule_beats_the_general_one) {
  const Lead call_centre = create(owned_by("call-centre", "Anruf"));
  const Lead team = create(owned_by("team-de", "Team"));
  const AgingCounts counts = run(kT0 + 2 * kDay);
  BOOST_TEST(counts.escalated == 1u);
  const auto events = events_of(call_centre.id);
  BOOST_TEST_REQUIRE(events.size() == 3u);  // created, assigned, escalated
  BOOST_TEST(events.back().type == "lead.escalated");
  BOOST_TEST(events.back().data == R"({"status":"open","channel":"call-centre","days_without_action":2})");
  BOOST_TEST(count(types_of(team.id), "lead.escalated") == 0u);
  BOOST_TEST(run(kT0 + 14 * kDay).closed == 1u);  // call centre: 14 days; the team's lead has 30
  BOOST_TEST(read(call_centre.id).status == LeadStatus::closed);
  BOOST_TEST(read(team.id).status == LeadStatus::open);
}

BOOST_AUTO_TEST_CASE(a_status_without_a_rule_does_not_age) {
  const Lead lead = create(minimal_lead());
  must_change(lead.id, R"({"status":"qualified"})");
  BOOST_TEST(run(kT0 + 365 * kDay).due == 0u);
  BOOST_TEST(read(lead.id).status == LeadStatus::qualified);
}

BOOST_AUTO_TEST_CASE(a_follow_up_date_raises_one_reminder_that_day) {
  Lead l = minimal_lead();
  l.follow_up = "2026-03-02";
  const Lead lead = create(l);
  BOOST_TEST(run(midnight("2026-03-02") - 1).due == 0u);
  const AgingCounts counts = run(midnight("2026-03-02"));
  BOOST_TEST(counts.reminded == 1u);
  BOOST_TEST(counts.escalated == 0u);
  const auto events = events_of(lead.id);
  BOOST_TEST(events.back().type == "lead.reminder");
  BOOST_TEST(events.back().data == R"({"follow_up":"2026-03-02","channel":"","assignee":""})");
  BOOST_TEST(count(audit_actions(lead.id), "reminded") == 1u);
  BOOST_TEST(run(midnight("2026-03-02") + kHour).reminded == 0u);

  clock.set_ms(midnight("2026-03-02") + 8 * kHour);
  must_change(lead.id, R"({"follow_up":"2026-03-03"})");  // a new date: a new reminder
  BOOST_TEST(run(midnight("2026-03-03")).reminded == 1u);
  BOOST_TEST(count(types_of(lead.id), "lead.reminder") == 2u);
}

BOOST_AUTO_TEST_CASE(a_run_reads_only_the_due_leads) {
  std::vector<Lead> due;
  for (int i = 0; i < 3; ++i) due.push_back(create(owned_by("call-centre", "Due" + std::to_string(i))));
  clock.advance_ms(kDay);
  create_many(std::vector<Lead>(10'000, minimal_lead("Later")));
  const AgingCounts counts = run(kT0 + 2 * kDay);
  BOOST_TEST(counts.due == 3u);
  BOOST_TEST(counts.escalated == 3u);
  BOOST_TEST(!counts.more);
  for (const auto& l : due) BOOST_TEST(count(types_of(l.id), "lead.escalated") == 1u);
}

BOOST_AUTO_TEST_CASE(a_limit_leaves_the_rest_for_the_next_run) {
  for (int i = 0; i < 3; ++i) create(minimal_lead("Lead" + std::to_string(i)));
  const AgingCounts first = run(kT0 + 3 * kDay, 2);
  BOOST_TEST(first.escalated == 2u);
  BOOST_TEST(first.more);
  const AgingCounts second = run(kT0 + 3 * kDay, 2);
  BOOST_TEST(second.escalated == 1u);
  BOOST_TEST(!second.more);
}

BOOST_AUTO_TEST_CASE(the_due_index_survives_a_reopen) {
  const Lead lead = create(minimal_lead());
  BOOST_TEST(run(kT0 + 3 * kDay).escalated == 1u);
  reopen(std::size_t{256} << 20);
  BOOST_TEST(run(kT0 + 3 * kDay + kHour).due == 0u);  // still remembered as escalated
  BOOST_TEST(run(kT0 + 30 * kDay).closed == 1u);
  BOOST_TEST(read(lead.id).status == LeadStatus::closed);
}

BOOST_AUTO_TEST_CASE(runs_beside_concurrent_changes) {
  std::vector<Lead> leads;
  for (int i = 0; i < 20; ++i) leads.push_back(create(minimal_lead("Lead" + std::to_string(i))));
  clock.set_ms(kT0 + 3 * kDay);
  std::atomic<int> changed{0};
  for (int i = 0; i < 20; i += 2) {
    store->change_lead_async(ChangeLeadCommand{leads[i].id, std::nullopt, R"({"priority":"high"})", Actor{}, {}, {}},
                             [&](Result<Lead> r) { changed += r ? 1 : 0; });
  }
  const AgingCounts counts = run(kT0 + 3 * kDay);
  store->close();  // finishes the queued changes
  BOOST_TEST(changed.load() == 10);
  // Each lead was either escalated before its change, or changed first (then not due).
  BOOST_TEST(counts.escalated >= 10u);
  BOOST_TEST(counts.escalated <= 20u);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(aging_config)

std::string error_of(const std::string& yaml) {
  auto r = processing::parse_processing_config(yaml, "p.yaml");
  return r ? std::string("(accepted)") : r.error().message;
}

BOOST_AUTO_TEST_CASE(reads_rules_in_order_and_matches_channel_first) {
  auto config = processing::parse_processing_config(kConfig, "p.yaml");
  BOOST_TEST_REQUIRE(is_ok(config));
  const auto& aging = config->aging;
  BOOST_TEST(aging.enabled());
  BOOST_TEST(aging.reminders);
  BOOST_TEST(aging.check_every_seconds == 60.0);
  BOOST_TEST_REQUIRE(aging.rules.size() == 3u);
  BOOST_TEST(aging.rule_for(LeadStatus::open, "call-centre") == &aging.rules[0]);
  BOOST_TEST(aging.rule_for(LeadStatus::open, "team") == &aging.rules[1]);
  BOOST_TEST(aging.rule_for(LeadStatus::accepted, "team") == nullptr);
  BOOST_TEST(!aging.rules[2].close_after_days.has_value());
  BOOST_TEST(!processing::parse_processing_config("duplicates: {}", "p.yaml")->aging.enabled());
}

BOOST_AUTO_TEST_CASE(refuses_bad_rules_with_file_line_and_column) {
  BOOST_TEST(error_of("aging:\n  rules:\n    - {channel: x, escalate_after_days: 2}\n") ==
             "p.yaml:3:7: an aging rule needs status");
  BOOST_TEST(error_of("aging:\n  rules:\n    - {status: closed, close_after_days: 2}\n") ==
             "p.yaml:3:16: a lead that is closed does not age");
  BOOST_TEST(error_of("aging:\n  rules:\n    - {status: open}\n") ==
             "p.yaml:3:7: an aging rule needs escalate_after_days, close_after_days or both");
  BOOST_TEST(error_of("aging:\n  rules:\n    - {status: open, escalate_after_days: 5, close_after_days: 5}\n") ==
             "p.yaml:3:64: close_after_days must be more than escalate_after_days");
  BOOST_TEST(error_of("aging:\n  rules:\n    - {status: open, escalate_after_days: 0}\n") ==
             "p.yaml:3:43: escalate_after_days must be more than 0");
  BOOST_TEST(error_of("aging:\n  reminder: true\n").find("p.yaml:2:3: unknown key 'reminder'") == 0u);
  BOOST_TEST(error_of("aging:\n  rules:\n    - {status: opened, close_after_days: 2}\n")
                 .find("p.yaml:3:16: unknown status 'opened'") == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
