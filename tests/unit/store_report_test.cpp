// ReportLeads on a real LMDB store: counts by status, channel, source and campaign,
// pipelines with conversion rates, leads per day, filters, aging, an empty store.
#include <boost/test/unit_test.hpp>

#include <map>

#include "store/lead_report.hpp"
#include "store_support.hpp"
#include "util/time_format.hpp"

using namespace leadhub;
using namespace leadhub::test;

namespace {

constexpr TimeMs kDay = 86'400'000;

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
};

std::map<std::string, std::uint64_t> as_map(const std::vector<std::pair<std::string, std::uint64_t>>& counts) {
  return {counts.begin(), counts.end()};
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
  BOOST_TEST(r.by_channel.empty());
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
  BOOST_TEST((as_map(r.by_channel) == std::map<std::string, std::uint64_t>{{"north", 2}, {"south", 2}}));
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
  BOOST_TEST((as_map(spring.by_channel) == std::map<std::string, std::uint64_t>{{"north", 2}}));
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

  ReportQuery nobody;
  nobody.campaign = "winter";
  BOOST_TEST(report(nobody).total == 0u);
}

BOOST_AUTO_TEST_CASE(created_since_and_until) {
  populate();
  ReportQuery day1;
  day1.created_since = kT0 + kDay;
  const LeadReport later = report(day1);
  BOOST_TEST(later.total == 3u);
  BOOST_TEST((as_map(later.by_channel) == std::map<std::string, std::uint64_t>{{"south", 2}}));
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

BOOST_AUTO_TEST_SUITE_END()
