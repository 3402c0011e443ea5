// ReportLeads on a real LMDB store: counts by status, channel, source and campaign,
// pipelines with conversion rates, time to qualify, leads per day, filters, aging
// (due, escalated, closed), an empty store, and a store written before the report's
// history existed.
#include <boost/test/unit_test.hpp>

#include <map>

#include "store/lead_report.hpp"
#include "store/lmdb_env.hpp"
#include "store/report_history.hpp"
#include "store_support.hpp"
#include "util/time_format.hpp"

using namespace leadhub;
using namespace leadhub::test;

namespace {

constexpr TimeMs kDay = 86'400'000;
constexpr TimeMs kHour = 3'600'000;

std::size_t at(LeadStatus s) { return static_cast<std::size_t>(s); }

struct ReportFixture : StoreFixture {
  LeadReport report(const ReportQuery& q = {}) {
    auto r = store->report_leads(q);
    BOOST_TEST_REQUIRE(is_ok(r), (r ? "" : r.error().message));
    return std::move(r).value();
  }

  Lead lead(const std::string& campaign, LeadSource source, const std::string& channel) {
    Lead l = minimal_lead();
    l.campaign = campaign;
    l.source = source;
    l.owner.channel = channel;
    return create(l);
  }

  // Moves a lead along the lifecycle to `to`.
  void move_to(const Lead& l, LeadStatus to) {
    if (to == LeadStatus::declined) {
      must_change(l.id, R"({"status":"declined","reason":"no budget"})");
      return;
    }
    must_change(l.id, R"({"status":"in_process"})");
    if (to == LeadStatus::in_process) return;
    must_change(l.id, R"({"status":"qualified"})");
    if (to == LeadStatus::qualified) return;
    auto converted = store->convert_lead(ConvertLeadCommand{l.id, "", std::nullopt, Actor{}});
    BOOST_TEST_REQUIRE(is_ok(converted));
  }

  // Day 0 (kT0): spring has 4 leads from the web form (converted, declined,
  // qualified, open), 2 of them in channel north. Day 1: autumn has 2 lettershop
  // leads (open, in process) in channel south, and one API lead has no campaign
  // and no channel.
  void populate() {
    const Lead s1 = lead("spring", LeadSource::web_form, "north");
    const Lead s2 = lead("spring", LeadSource::web_form, "north");
    const Lead s3 = lead("spring", LeadSource::web_form, "");
    lead("spring", LeadSource::web_form, "");
    move_to(s1, LeadStatus::converted);
    move_to(s2, LeadStatus::declined);
    move_to(s3, LeadStatus::qualified);
    clock.advance_ms(kDay);
    lead("autumn", LeadSource::lettershop, "south");
    move_to(lead("autumn", LeadSource::lettershop, "south"), LeadStatus::in_process);
    lead("", LeadSource::api, "");
  }

  Lead lead_at(LeadSource source, const std::string& qualification = "") {
    Lead l = minimal_lead();
    l.source = source;
    if (!qualification.empty()) l.qualification = parse_enum<Qualification>(qualification);
    return create(l);
  }

  void set_time(TimeMs start, TimeMs since_start) { clock.set_ms(start + since_start); }

  // Leads created at the start (web form A, B, F; lettershop C, D; api E), qualified
  // at known times after it; G (web form) 3 days later:
  //   A: qualified after 1 h          B: after 3 h (in process after 1 h; again in
  //   C: created qualified (0)           process after 4 h, qualified again after 10 h)
  //   D: after 2 days, then converted F: after 5 h      E: never      G: after 2 h
  // Overall [0, 1h, 2h, 3h, 5h, 48h]; web form [1h, 2h, 3h, 5h]; lettershop [0, 48h].
  void qualify_at_known_times() {
    const TimeMs start = clock.now_ms();
    const Lead a = lead_at(LeadSource::web_form);
    const Lead b = lead_at(LeadSource::web_form);
    lead_at(LeadSource::lettershop, "warm");
    const Lead d = lead_at(LeadSource::lettershop);
    lead_at(LeadSource::api);
    const Lead f = lead_at(LeadSource::web_form);
    set_time(start, 1 * kHour);
    must_change(a.id, R"({"qualification":"hot"})");
    must_change(b.id, R"({"status":"in_process"})");
    set_time(start, 3 * kHour);
    must_change(b.id, R"({"status":"qualified"})");
    set_time(start, 4 * kHour);
    must_change(b.id, R"({"status":"in_process"})");
    set_time(start, 5 * kHour);
    must_change(f.id, R"({"status":"qualified"})");
    set_time(start, 10 * kHour);
    must_change(b.id, R"({"status":"qualified"})");
    set_time(start, 2 * kDay);
    must_change(d.id, R"({"status":"qualified"})");
    set_time(start, 3 * kDay);
    BOOST_TEST_REQUIRE(is_ok(store->convert_lead(ConvertLeadCommand{d.id, "", std::nullopt, Actor{}})));
    const Lead g = lead_at(LeadSource::web_form);
    set_time(start, 3 * kDay + 2 * kHour);
    must_change(g.id, R"({"status":"qualified"})");
  }

  // populate() under aging rules, then two aging runs: after 3 days the open spring
  // lead is escalated; after 11 days it and the two open day-1 leads are closed.
  void age_populated() {
    const TimeMs start = clock.now_ms();
    populate();
    auto first = store->run_due(start + 3 * kDay + 1);
    BOOST_TEST_REQUIRE(is_ok(first));
    BOOST_TEST(first->escalated == 1u);
    auto second = store->run_due(start + 11 * kDay + 1);
    BOOST_TEST_REQUIRE(is_ok(second));
    BOOST_TEST(second->closed == 3u);
  }

  // Makes the store look written by a version before the report's history: both
  // databases and the mark gone, as in a file that never had them.
  void forget_report_history() {
    store->close();
    store.reset();
    {
      auto env = leadhub::store::LmdbEnv::open(leadhub::store::EnvOptions{data_path()});
      BOOST_TEST_REQUIRE(is_ok(env));
      MDB_txn* txn = (*env)->begin_write();
      const leadhub::store::Dbis& d = (*env)->dbi();
      BOOST_TEST_REQUIRE(mdb_drop(txn, d.qualified, 1) == 0);
      BOOST_TEST_REQUIRE(mdb_drop(txn, d.by_aging_act, 1) == 0);
      MDB_val k = leadhub::store::to_val(leadhub::store::kReportHistoryKey);
      BOOST_TEST_REQUIRE(mdb_del(txn, d.meta, &k, nullptr) == 0);
      BOOST_TEST_REQUIRE(mdb_txn_commit(txn) == 0);
    }
    notices.clear();
    open();
  }
};

constexpr const char* kAgingRules = R"(
aging:
  rules:
    - {status: open, escalate_after_days: 3, close_after_days: 10}
)";

std::map<std::string, std::uint64_t> as_map(const std::vector<Pipeline>& pipelines) {
  std::map<std::string, std::uint64_t> out;
  for (const auto& p : pipelines) out[p.name] = p.total();
  return out;
}

const TimeToQualify& of_source(const LeadReport& r, const std::string& source) {
  for (const auto& [name, t] : r.time_to_qualify_by_source) {
    if (name == source) return t;
  }
  BOOST_FAIL("no time to qualify for source " << source);
  return r.time_to_qualify;
}

const Pipeline& named(const std::vector<Pipeline>& pipelines, const std::string& name) {
  for (const auto& p : pipelines) {
    if (p.name == name) return p;
  }
  BOOST_FAIL("no pipeline " << name);
  return pipelines.front();
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(store_report, ReportFixture)

BOOST_AUTO_TEST_CASE(empty_store_counts_nothing) {
  const LeadReport r = report();
  BOOST_TEST(r.total == 0u);
  for (const auto n : r.by_status) BOOST_TEST(n == 0u);
  BOOST_TEST(r.channels.empty());
  BOOST_TEST(r.time_to_qualify.count == 0u);
  BOOST_TEST(!r.time_to_qualify.median_ms.has_value());
  BOOST_TEST(r.campaigns.empty());
  BOOST_TEST(r.sources.size() == 7u);
  for (const auto& p : r.sources) BOOST_TEST(!p.conversion_rate().has_value());
  BOOST_TEST_REQUIRE(r.created_per_day.size() == 30u);
  BOOST_TEST(r.created_per_day.back().date == "2026-03-01");
  BOOST_TEST(r.created_per_day.front().date == "2026-01-31");
  const std::string json = to_json(r);
  BOOST_TEST(json.find(R"("total":0)") != std::string::npos);
  BOOST_TEST(json.find(R"("conversion_rate":null)") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(counts_by_status_channel_source_and_campaign) {
  populate();
  const LeadReport r = report();
  BOOST_TEST(r.total == 7u);
  BOOST_TEST(r.by_status[at(LeadStatus::open)] == 3u);
  BOOST_TEST(r.by_status[at(LeadStatus::in_process)] == 1u);
  BOOST_TEST(r.by_status[at(LeadStatus::qualified)] == 1u);
  BOOST_TEST(r.by_status[at(LeadStatus::converted)] == 1u);
  BOOST_TEST(r.by_status[at(LeadStatus::declined)] == 1u);
  BOOST_TEST((as_map(r.channels) == std::map<std::string, std::uint64_t>{{"north", 2}, {"south", 2}}));
  BOOST_TEST(r.without_channel == 3u);
  BOOST_TEST(r.campaigns.size() == 2u);
  BOOST_TEST(named(r.campaigns, "spring").total() == 4u);
  BOOST_TEST(named(r.campaigns, "autumn").total() == 2u);
  BOOST_TEST(r.without_campaign == 1u);
  BOOST_TEST(named(r.sources, "web_form").total() == 4u);
  BOOST_TEST(named(r.sources, "lettershop").total() == 2u);
  BOOST_TEST(named(r.sources, "api").total() == 1u);
  BOOST_TEST(named(r.sources, "partner").total() == 0u);
}

BOOST_AUTO_TEST_CASE(pipelines_and_conversion_rate) {
  populate();
  const LeadReport r = report();
  const Pipeline& spring = named(r.campaigns, "spring");
  BOOST_TEST(spring.by_status[at(LeadStatus::converted)] == 1u);
  BOOST_TEST(spring.by_status[at(LeadStatus::declined)] == 1u);
  BOOST_TEST(spring.by_status[at(LeadStatus::qualified)] == 1u);
  BOOST_TEST(spring.by_status[at(LeadStatus::open)] == 1u);
  BOOST_TEST(*spring.conversion_rate() == 0.25);
  const Pipeline& autumn = named(r.campaigns, "autumn");
  BOOST_TEST(autumn.by_status[at(LeadStatus::in_process)] == 1u);
  BOOST_TEST(*autumn.conversion_rate() == 0.0);
  const std::string json = to_json(r);
  BOOST_TEST(json.find(R"({"campaign":"spring","total":4,"open":1,"in_process":0,"qualified":1,)"
                       R"("accepted":0,"converted":1,"declined":1,"closed":0,"conversion_rate":0.25})") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(leads_created_per_day) {
  populate();
  clock.advance_ms(kDay);  // day 2: today
  ReportQuery q;
  q.days = 3;
  const LeadReport r = report(q);
  BOOST_TEST_REQUIRE(r.created_per_day.size() == 3u);
  BOOST_TEST(r.created_per_day[0].date == "2026-03-01");
  BOOST_TEST(r.created_per_day[0].count == 4u);
  BOOST_TEST(r.created_per_day[1].count == 3u);
  BOOST_TEST(r.created_per_day[2].date == "2026-03-03");
  BOOST_TEST(r.created_per_day[2].count == 0u);
  q.days = 1;
  BOOST_TEST(report(q).created_per_day.at(0).count == 0u);
}

BOOST_AUTO_TEST_CASE(filters_narrow_every_count) {
  populate();
  ReportQuery by_campaign;
  by_campaign.campaign = "spring";
  const LeadReport spring = report(by_campaign);
  BOOST_TEST(spring.total == 4u);
  BOOST_TEST(spring.campaigns.size() == 1u);
  BOOST_TEST((as_map(spring.channels) == std::map<std::string, std::uint64_t>{{"north", 2}}));
  BOOST_TEST(spring.without_channel == 2u);
  BOOST_TEST(named(spring.sources, "lettershop").total() == 0u);

  ReportQuery by_source;
  by_source.source = LeadSource::lettershop;
  const LeadReport lettershop = report(by_source);
  BOOST_TEST(lettershop.total == 2u);
  BOOST_TEST(lettershop.campaigns.size() == 1u);
  BOOST_TEST(named(lettershop.campaigns, "autumn").total() == 2u);

  ReportQuery combined;
  combined.campaign = "spring";
  combined.owner_channel = "north";
  const LeadReport north = report(combined);
  BOOST_TEST(north.total == 2u);
  BOOST_TEST(north.by_status[at(LeadStatus::converted)] == 1u);
  BOOST_TEST(north.by_status[at(LeadStatus::declined)] == 1u);

  ReportQuery none_in_range;  // a campaign with leads, none of them in the range: 0
  none_in_range.campaign = "spring";
  none_in_range.created_since = kT0 + 100 * kDay;
  BOOST_TEST(report(none_in_range).total == 0u);
}

BOOST_AUTO_TEST_CASE(a_campaign_or_channel_no_lead_has_is_refused_not_counted_as_0) {
  populate();
  ReportQuery typo;
  typo.campaign = "Spring";
  typo.owner_channel = "nrth";
  auto refused = store->report_leads(typo);
  BOOST_TEST_REQUIRE(fails_with(refused, ErrorCode::invalid));
  BOOST_TEST_REQUIRE(refused.error().fields.size() == 2u);
  BOOST_TEST(refused.error().fields[0].field == "campaign");
  BOOST_TEST(refused.error().fields[0].reason.find("did you mean 'spring'?") != std::string::npos,
             refused.error().fields[0].reason);
  BOOST_TEST(refused.error().fields[1].field == "channel");
  BOOST_TEST(refused.error().fields[1].reason.find("no lead has the owner channel 'nrth'") != std::string::npos,
             refused.error().fields[1].reason);

  ReportQuery partners_own;  // a partner key's own channel may have no leads yet
  partners_own.owner_channel = "west";
  partners_own.refuse_unknown_channel = false;
  BOOST_TEST(report(partners_own).total == 0u);
}

BOOST_AUTO_TEST_CASE(created_since_and_until) {
  populate();
  ReportQuery day1;
  day1.created_since = kT0 + kDay;
  const LeadReport later = report(day1);
  BOOST_TEST(later.total == 3u);
  BOOST_TEST((as_map(later.channels) == std::map<std::string, std::uint64_t>{{"south", 2}}));
  ReportQuery day0;
  day0.created_until = kT0 + kDay;
  BOOST_TEST(report(day0).total == 4u);
  day0.campaign = "autumn";
  BOOST_TEST(report(day0).total == 0u);
  ReportQuery both;
  both.created_since = kT0 - kDay;
  both.created_until = kT0 + 2 * kDay;
  BOOST_TEST(report(both).total == 7u);
}

BOOST_AUTO_TEST_CASE(refuses_bad_days_and_an_inverted_range) {
  ReportQuery q;
  q.days = 0;
  auto r = store->report_leads(q);
  BOOST_TEST_REQUIRE(!r.ok());
  BOOST_TEST(r.error().fields.at(0).field == "days");
  q.days = kMaxReportDays + 1;
  BOOST_TEST(!store->report_leads(q).ok());
  ReportQuery inverted;
  inverted.created_since = kT0;
  inverted.created_until = kT0 - 1;
  auto bad = store->report_leads(inverted);
  BOOST_TEST_REQUIRE(!bad.ok());
  BOOST_TEST(bad.error().fields.at(0).field == "until");
}

BOOST_AUTO_TEST_CASE(aging_due_from_the_due_index) {
  use_processing(R"(
aging:
  rules:
    - {status: open, escalate_after_days: 3}
)");
  populate();  // open: 1 on day 0, 1 on day 1
  clock.set_ms(kT0 + 3 * kDay + 1);
  const LeadReport r = report();
  BOOST_TEST(r.aging_due_now == 1u);
  BOOST_TEST(r.aging_due_within_7_days == 2u);
  ReportQuery autumn;
  autumn.campaign = "autumn";
  BOOST_TEST(report(autumn).aging_due_now == 0u);
  BOOST_TEST(report(autumn).aging_due_within_7_days == 1u);
}

BOOST_AUTO_TEST_CASE(conversion_by_owner_channel) {
  populate();
  const LeadReport r = report();
  BOOST_TEST_REQUIRE(r.channels.size() == 2u);
  const Pipeline& north = named(r.channels, "north");
  BOOST_TEST(north.by_status[at(LeadStatus::converted)] == 1u);
  BOOST_TEST(north.by_status[at(LeadStatus::declined)] == 1u);
  BOOST_TEST(*north.conversion_rate() == 0.5);
  const Pipeline& south = named(r.channels, "south");
  BOOST_TEST(south.by_status[at(LeadStatus::open)] == 1u);
  BOOST_TEST(south.by_status[at(LeadStatus::in_process)] == 1u);
  BOOST_TEST(*south.conversion_rate() == 0.0);
  const std::string json = to_json(r);
  BOOST_TEST(json.find(R"("by_channel":{"north":2,"south":2},"without_channel":3)") != std::string::npos);
  BOOST_TEST(json.find(R"("channels":[{"channel":"north","total":2,"open":0,"in_process":0,"qualified":0,)"
                       R"("accepted":0,"converted":1,"declined":1,"closed":0,"conversion_rate":0.5},)"
                       R"({"channel":"south","total":2,"open":1,"in_process":1,)") != std::string::npos);
  ReportQuery spring;
  spring.campaign = "spring";
  BOOST_TEST(*named(report(spring).channels, "north").conversion_rate() == 0.5);
}

BOOST_AUTO_TEST_CASE(time_to_qualify_from_creation_to_first_qualification) {
  qualify_at_known_times();
  const LeadReport r = report();
  BOOST_TEST(r.time_to_qualify.count == 6u);
  BOOST_TEST(*r.time_to_qualify.median_ms == 2 * kHour);  // nearest rank: the 3rd of 6
  BOOST_TEST(*r.time_to_qualify.p90_ms == 2 * kDay);      // the 6th of 6
  const TimeToQualify& web = of_source(r, "web_form");
  BOOST_TEST(web.count == 4u);
  BOOST_TEST(*web.median_ms == 2 * kHour);
  BOOST_TEST(*web.p90_ms == 5 * kHour);
  const TimeToQualify& lettershop = of_source(r, "lettershop");
  BOOST_TEST(lettershop.count == 2u);
  BOOST_TEST(*lettershop.median_ms == 0);
  BOOST_TEST(*lettershop.p90_ms == 2 * kDay);
  BOOST_TEST(of_source(r, "api").count == 0u);
  BOOST_TEST(r.time_to_qualify_by_source.size() == 7u);
  const std::string json = to_json(r);
  BOOST_TEST(json.find(R"("time_to_qualify":{"count":6,"median_seconds":7200,"p90_seconds":172800,)"
                       R"("sources":[{"source":"web_form","count":4,"median_seconds":7200,"p90_seconds":18000},)"
                       R"({"source":"lettershop","count":2,"median_seconds":0,"p90_seconds":172800},)") !=
             std::string::npos);
  BOOST_TEST(json.find(R"({"source":"api","count":0,"median_seconds":null,"p90_seconds":null})") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(time_to_qualify_follows_the_filters) {
  qualify_at_known_times();
  ReportQuery before_g;
  before_g.created_until = kT0 + kDay;
  const LeadReport early = report(before_g);
  BOOST_TEST(early.time_to_qualify.count == 5u);
  BOOST_TEST(*early.time_to_qualify.median_ms == 3 * kHour);  // [0, 1h, 3h, 5h, 48h]
  BOOST_TEST(*early.time_to_qualify.p90_ms == 2 * kDay);
  ReportQuery only_g;
  only_g.created_since = kT0 + kDay;
  const LeadReport late = report(only_g);
  BOOST_TEST(late.time_to_qualify.count == 1u);
  BOOST_TEST(*late.time_to_qualify.median_ms == 2 * kHour);
  BOOST_TEST(of_source(late, "lettershop").count == 0u);
  ReportQuery lettershop;
  lettershop.source = LeadSource::lettershop;
  const LeadReport by_source = report(lettershop);
  BOOST_TEST(by_source.time_to_qualify.count == 2u);
  BOOST_TEST(*by_source.time_to_qualify.median_ms == 0);
  BOOST_TEST(of_source(by_source, "web_form").count == 0u);
}

BOOST_AUTO_TEST_CASE(what_aging_escalated_and_closed) {
  use_processing(kAgingRules);
  age_populated();
  const LeadReport r = report();
  BOOST_TEST(r.aging_escalated == 1u);
  BOOST_TEST(r.aging_closed == 3u);
  BOOST_TEST(r.by_status[at(LeadStatus::closed)] == 3u);
  BOOST_TEST(to_json(r).find(R"("escalated":1,"closed":3})") != std::string::npos);
  ReportQuery autumn;
  autumn.campaign = "autumn";
  BOOST_TEST(report(autumn).aging_escalated == 0u);
  BOOST_TEST(report(autumn).aging_closed == 1u);
  // A lead reopened after aging closed it: no longer closed, but aging did close it.
  LeadQuery api;
  api.source = LeadSource::api;
  const FindResult found = find(api);
  BOOST_TEST_REQUIRE(found.items.size() == 1u);
  must_change(found.items[0].id, R"({"status":"open"})");
  const LeadReport reopened = report();
  BOOST_TEST(reopened.by_status[at(LeadStatus::closed)] == 2u);
  BOOST_TEST(reopened.aging_closed == 3u);
}

BOOST_AUTO_TEST_CASE(a_store_without_the_history_is_backfilled_once_at_open) {
  use_processing(kAgingRules);
  age_populated();
  qualify_at_known_times();
  // A merge copies the other lead's trail (qualified, then closed) into the survivor's,
  // which stays open: the backfill must not take the survivor for qualified.
  const Lead survivor = lead_at(LeadSource::partner);
  const Lead other = lead_at(LeadSource::partner, "hot");
  BOOST_TEST_REQUIRE(is_ok(store->merge_leads(MergeLeadsCommand{survivor.id, {other.id}, Actor{}})));
  const std::string live = to_json(report());
  // The 6 of qualify_at_known_times, populate's converted and qualified spring leads, and
  // the merged lead created hot.
  BOOST_TEST(report().time_to_qualify.count == 9u);
  BOOST_TEST(of_source(report(), "partner").count == 1u);
  BOOST_TEST(notices.empty());  // a store that had the history all along says nothing

  forget_report_history();
  BOOST_TEST_REQUIRE(notices.size() == 2u);
  BOOST_TEST(notices[0].find("no report history yet") != std::string::npos, notices[0]);
  BOOST_TEST(notices[1].find("9 leads qualified, 1 escalated and 3 closed by aging") != std::string::npos, notices[1]);
  BOOST_TEST(to_json(report()) == live);

  notices.clear();
  reopen();
  BOOST_TEST(notices.empty());  // once
  BOOST_TEST(to_json(report()) == live);
}

BOOST_AUTO_TEST_SUITE_END()
