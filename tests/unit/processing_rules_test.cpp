#include <boost/test/unit_test.hpp>

#include "processing/assign.hpp"
#include "processing/classify.hpp"
#include "processing/config.hpp"
#include "processing/scoring.hpp"

using namespace leadhub;
using namespace leadhub::processing;

namespace {

ProcessingConfig parse(const std::string& yaml) {
  auto config = parse_processing_config(yaml, "test.yaml");
  BOOST_REQUIRE_MESSAGE(config.ok(), (config.ok() ? "" : config.error().message));
  return std::move(config).value();
}

std::string parse_error(const std::string& yaml) {
  auto config = parse_processing_config(yaml, "test.yaml");
  BOOST_REQUIRE(!config.ok());
  BOOST_TEST((config.error().code == ErrorCode::invalid));
  return config.error().message;
}

Lead sample() {
  Lead l;
  l.source = LeadSource::trade_show;
  l.prospect.company = "ACME GmbH";
  l.prospect.email = "anna@acme.example";
  l.prospect.address.country = "DE";
  l.prospect.address.postal_code = "10115";
  l.interests.push_back({"forklift", 2});
  l.expected_value = {"25000.00", "EUR"};
  return l;
}

const char* const kRules = R"(
classification:
  rules:
    - name: big_trade_show
      when:
        all:
          - {field: source, equals: trade_show}
          - any:
              - {field: expected_value.amount, range: {min: 20000}}
              - {field: interests.product, in: [crane]}
      set: {qualification: hot, priority: high, attributes: {segment: enterprise}}
    - name: freemail
      when: {field: prospect.email, regex: "@(gmail|web)\\."}
      set: {priority: low}
    - name: berlin
      when: {field: prospect.address.postal_code, prefix: ["10", "12"]}
      set: {owner: {channel: berlin-north}}
      stop: true
    - name: never_reached
      set: {priority: immediate}
)";

}  // namespace

BOOST_AUTO_TEST_SUITE(processing_rules)

BOOST_AUTO_TEST_CASE(classification_applies_in_order_and_stops) {
  ProcessingConfig config = parse(kRules);
  ClassificationOutcome out = classify(config.classification, sample(), {});
  BOOST_TEST(out.matched_rules == (std::vector<std::string>{"big_trade_show", "berlin"}),
             boost::test_tools::per_element());
  BOOST_TEST((out.lead.qualification == Qualification::hot));
  BOOST_TEST((out.lead.priority == Priority::high));
  BOOST_TEST(out.lead.attributes.at("segment") == "enterprise");
  BOOST_TEST(out.lead.owner.channel == "berlin-north");
  BOOST_TEST(out.changes.size() == 4u);
  BOOST_TEST(out.changes[0].field == "qualification");
  BOOST_TEST(out.changes[0].old_value == "");
  BOOST_TEST(out.changes[0].new_value == "hot");
}

BOOST_AUTO_TEST_CASE(a_rule_moving_the_channel_drops_the_old_channels_member) {
  ProcessingConfig config = parse(kRules);
  Lead lead = sample();
  lead.owner = {"dealers", "dealer-a"};
  ClassificationOutcome out = classify(config.classification, lead, {});
  BOOST_TEST(out.lead.owner.channel == "berlin-north");
  BOOST_TEST(out.lead.owner.assignee == "");
  BOOST_TEST(out.changes.back().field == "owner.assignee");
  BOOST_TEST(out.changes.back().old_value == "dealer-a");
}

BOOST_AUTO_TEST_CASE(classification_keeps_manual_values) {
  ProcessingConfig config = parse(kRules);
  Lead lead = sample();
  lead.qualification = Qualification::cold;
  lead.owner.channel = "manual-team";
  ClassificationOutcome out = classify(config.classification, lead, ManualFields{"qualification", "owner"});
  BOOST_TEST((out.lead.qualification == Qualification::cold));
  BOOST_TEST(out.lead.owner.channel == "manual-team");
  BOOST_TEST((out.lead.priority == Priority::high));
  BOOST_REQUIRE_EQUAL(out.kept_manual.size(), 2u);
  BOOST_TEST(out.kept_manual[0].field == "qualification");
  BOOST_TEST(out.kept_manual[1].field == "owner.channel");
}

BOOST_AUTO_TEST_CASE(regex_absent_and_not) {
  ProcessingConfig config = parse(R"(
classification:
  rules:
    - name: no_phone_freemail
      when:
        all:
          - {field: prospect.phone, absent: true}
          - {field: prospect.email, regex: "@gmail\\.com$"}
          - not: {field: prospect.company, present: true}
      set: {qualification: cold}
)");
  Lead lead;
  lead.prospect.email = "x@gmail.com";
  BOOST_TEST(classify(config.classification, lead, {}).matched_rules.size() == 1u);
  lead.prospect.company = "ACME";
  BOOST_TEST(classify(config.classification, lead, {}).matched_rules.empty());
}

BOOST_AUTO_TEST_CASE(config_errors_name_file_line_column) {
  BOOST_TEST(parse_error("duplicates:\n  policy: merge\n") ==
             "test.yaml:2:11: unknown policy 'merge' (expected reject, flag, link, update)");
  BOOST_TEST(parse_error("classification:\n  rules:\n    - name: x\n      when: {field: prospect.nope, equals: 1}\n    "
                         "  set: {priority: high}\n")
                 .starts_with("test.yaml:4:21: unknown canonical field 'prospect.nope'"));
  BOOST_TEST(parse_error("classification:\n  rules:\n    - name: x\n      when: {field: subject, regex: \"(\"}\n      "
                         "set: {priority: high}\n")
                 .starts_with("test.yaml:4:37: bad regex"));
  BOOST_TEST(parse_error("scoring:\n  min_histry: 3\n").starts_with("test.yaml:2:3: unknown key 'min_histry'"));
  BOOST_TEST(parse_error("duplicates: [unclosed\n").starts_with("test.yaml:"));
  BOOST_TEST(parse_error("assignment:\n  rules:\n    - {name: a, channel: ghost}\n").find("ghost") !=
             std::string::npos);
}

BOOST_AUTO_TEST_CASE(duplicate_rules_from_yaml) {
  ProcessingConfig config = parse(R"(
duplicates:
  policy: reject
  connector_policies: {lettershop: link}
  threshold: 1.5
  normalize: {strip_plus_addressing: false}
  rules:
    - {name: email, match: email, weight: 1}
    - {name: name_zip, match: name, similarity: 0.9, same: [postal_code, country], weight: 0.5}
)");
  const DuplicateConfig& d = config.duplicates;
  BOOST_TEST((d.policy == DuplicatePolicy::reject));
  BOOST_TEST((d.policy_for("lettershop") == DuplicatePolicy::link));
  BOOST_TEST(d.threshold == 1.5);
  BOOST_TEST(!d.normalize.strip_plus_addressing);
  BOOST_REQUIRE_EQUAL(d.rules.size(), 2u);
  BOOST_TEST(!d.rules[0].min_similarity.has_value());
  BOOST_TEST(*d.rules[1].min_similarity == 0.9);
  BOOST_TEST(d.rules[1].same.size() == 2u);
}

BOOST_AUTO_TEST_CASE(fallback_score_until_history) {
  ProcessingConfig config = parse(R"(
scoring:
  features: [source, prospect.address.country]
  min_history: 4
  fallback:
    base: 10
    weights:
      - {name: trade_show, when: {field: source, equals: trade_show}, points: 30}
      - {name: has_company, when: {field: prospect.company, present: true}, points: 15}
)");
  LeadScorer scorer(config.scoring);
  ScoreResult r = scorer.score(sample());
  BOOST_TEST(!r.from_model);
  BOOST_TEST(r.score == 55);
  BOOST_REQUIRE_EQUAL(r.contributions.size(), 2u);
  BOOST_TEST(r.contributions[0].field == "trade_show");
}

BOOST_AUTO_TEST_CASE(naive_bayes_learns_and_explains) {
  ScoringConfig sc;
  sc.features = {*FieldPath::parse("source"), *FieldPath::parse("prospect.address.country")};
  sc.min_history = 10;
  sc.top_contributions = 1;
  LeadScorer scorer(sc);
  Lead good = sample();  // trade_show, DE
  Lead bad = sample();
  bad.source = LeadSource::web_form;
  for (int i = 0; i < 8; ++i) scorer.record(good, Outcome::won);
  for (int i = 0; i < 2; ++i) scorer.record(bad, Outcome::won);
  for (int i = 0; i < 10; ++i) scorer.record(bad, Outcome::lost);
  ScoreResult g = scorer.score(good);
  ScoreResult b = scorer.score(bad);
  BOOST_TEST(g.from_model);
  // Hand-computed with alpha 1: prior log(11/11)=0; source: (8+1)/(10+3) vs (0+1)/(10+3);
  // country DE: (10+1)/(10+2) vs (10+1)/(10+2) -> odds 9 -> 90.
  BOOST_TEST(g.score == 90);
  BOOST_TEST(b.score < 30);
  BOOST_REQUIRE_EQUAL(g.contributions.size(), 1u);
  BOOST_TEST(g.contributions[0].field == "source");
  BOOST_TEST(g.contributions[0].value == "trade_show");
  scorer.forget(good, Outcome::won);
  BOOST_TEST(scorer.state().won == 9u);
}

BOOST_AUTO_TEST_CASE(scorer_state_round_trips_json) {
  LeadScorer scorer(ScoringConfig::defaults());
  Lead lead = sample();
  lead.campaign = "spring \"26\"";
  scorer.record(lead, Outcome::won);
  scorer.record(Lead{}, Outcome::lost);
  std::string json = scorer.state().to_json();
  auto back = ScorerState::from_json(json);
  BOOST_REQUIRE(back.ok());
  BOOST_TEST((*back == scorer.state()));
  BOOST_TEST(back->features.at("campaign").at("spring \"26\"").won == 1u);
  BOOST_TEST(!ScorerState::from_json("{\"format\":1,\"won\":-1}").ok());
  BOOST_TEST(!ScorerState::from_json("not json").ok());
}

BOOST_AUTO_TEST_CASE(assignment_by_territory_and_round_robin) {
  ProcessingConfig config = parse(R"(
assignment:
  channels:
    berlin: {distribution: round_robin, members: [kim, lea, max]}
    dealers: {distribution: capacity, members: [{name: a, capacity: 10}, {name: b, capacity: 40}]}
    inbox: {}
  rules:
    - {name: berlin_forklifts, countries: [DE], postal_prefixes: ["10", "12"], products: [forklift], channel: berlin}
    - {name: hot_score, score: {min: 80}, channel: dealers}
  default_channel: inbox
)");
  Lead lead = sample();
  std::map<std::string, ChannelLoad> loads;
  loads["berlin"].round_robin_next = 4;
  loads["berlin"].open_leads = {{"lea", 0}};
  auto a = assign(config.assignment, lead, loads);
  BOOST_REQUIRE(a.has_value());
  BOOST_TEST(a->channel == "berlin");
  BOOST_TEST(a->rule == "berlin_forklifts");
  BOOST_TEST(a->assignee == "lea");  // 4 % 3 = 1
  BOOST_TEST(a->round_robin_next == 5u);

  lead.prospect.address.postal_code = "80331";
  lead.score = 85;
  loads["dealers"].open_leads = {{"a", 5}, {"b", 10}};
  auto d = assign(config.assignment, lead, loads);
  BOOST_REQUIRE(d.has_value());
  BOOST_TEST(d->channel == "dealers");
  BOOST_TEST(d->assignee == "b");  // 10/40 used beats 5/10

  loads["dealers"].open_leads = {{"a", 10}, {"b", 40}};
  auto full = assign(config.assignment, lead, loads);
  BOOST_TEST(full->assignee == "");
  BOOST_TEST(full->reason.find("capacity") != std::string::npos);

  lead.score = 10;
  auto fallback = assign(config.assignment, lead, loads);
  BOOST_TEST(fallback->channel == "inbox");
  BOOST_TEST(fallback->rule == "");
}

BOOST_AUTO_TEST_CASE(round_robin_skips_members_at_capacity) {
  Channel c{"team", Distribution::round_robin, {{"kim", 1}, {"lea", 0}}};
  ChannelLoad load;
  load.open_leads["kim"] = 1;
  Assignment a = pick_member(c, load);
  BOOST_TEST(a.assignee == "lea");
  BOOST_TEST(a.round_robin_next == 2u);
}

// The audit trail names the strategy that picked: the channel's distribution, even
// when nobody had room; none for a channel without members (its queue).
BOOST_AUTO_TEST_CASE(a_pick_names_the_distribution_that_made_it) {
  const Channel team{"team", Distribution::round_robin, {{"kim", 0}}};
  const Channel dealers{"dealers", Distribution::capacity, {{"a", 1}}};
  const Channel inbox{"inbox", Distribution::round_robin, {}};
  ChannelLoad full;
  full.open_leads["a"] = 1;
  BOOST_TEST((pick_member(team, {}).distribution == Distribution::round_robin));
  const Assignment nobody = pick_member(dealers, full);
  BOOST_TEST(nobody.assignee.empty());
  BOOST_TEST((nobody.distribution == Distribution::capacity));
  BOOST_TEST(!pick_member(inbox, {}).distribution.has_value());
  BOOST_TEST(to_string(Distribution::round_robin) == "round_robin");
  BOOST_TEST(to_string(Distribution::capacity) == "capacity");
}

BOOST_AUTO_TEST_CASE(example_config_loads) {
  auto config = load_processing_config(LEADHUB_SOURCE_DIR "/config/processing.yaml");
  BOOST_REQUIRE_MESSAGE(config.ok(), (config.ok() ? "" : config.error().message));
  BOOST_TEST(config->duplicates.rules.size() == 5u);
  BOOST_TEST((config->duplicates.policy_for("http") == DuplicatePolicy::reject));
  // The connector names the store looks up (the audit trail's `connector`), not a
  // party's name: `leadhub import --mapping lettershop-csv` acts as this one.
  BOOST_TEST((config->duplicates.policy_for("cli-import:lettershop-csv") == DuplicatePolicy::link));
  BOOST_TEST(config->classification.rules.size() == 4u);
  BOOST_TEST(config->scoring.fallback.size() == 3u);
  BOOST_TEST(config->assignment.channels.size() == 3u);
  BOOST_TEST(config->assignment.default_channel == "call-centre");
  BOOST_TEST(!load_processing_config("/nonexistent/processing.yaml").ok());
}

BOOST_AUTO_TEST_SUITE_END()
