#include <boost/test/unit_test.hpp>

#include <algorithm>

#include "processing/dedupe.hpp"

using namespace leadhub;
using namespace leadhub::processing;

namespace {

Lead person(std::uint64_t id, std::string given, std::string family, std::string email, std::string phone,
            std::string postal, std::string city = "Berlin") {
  Lead l;
  l.id = RecordId(id);
  l.prospect.given_name = std::move(given);
  l.prospect.family_name = std::move(family);
  l.prospect.email = std::move(email);
  l.prospect.phone = std::move(phone);
  l.prospect.address.postal_code = std::move(postal);
  l.prospect.address.city = std::move(city);
  l.prospect.address.country = "DE";
  return l;
}

MatchKey key(const Lead& l) { return make_match_key(l, NormalizeOptions{}); }

}  // namespace

BOOST_AUTO_TEST_SUITE(processing_dedupe)

BOOST_AUTO_TEST_CASE(same_email_is_a_duplicate_and_explained) {
  const DuplicateConfig config = DuplicateConfig::defaults();
  MatchKey a = key(person(1, "Anna", "Müller", "Anna@Example.com", "", ""));
  std::vector<MatchKey> candidates{key(person(2, "A.", "Mueller", "anna@example.com", "", "")),
                                   key(person(3, "Peter", "Schmidt", "peter@example.com", "", ""))};
  DuplicateDecision d = check_duplicates(config, a, candidates);
  BOOST_TEST(d.duplicate);
  BOOST_TEST(d.candidates_checked == 2u);
  BOOST_REQUIRE_EQUAL(d.matches.size(), 1u);
  BOOST_TEST(d.matches[0].id.raw() == 2u);
  // "A." vs "Anna" in the same city also fires the weaker name rule; both are explained.
  BOOST_REQUIRE_EQUAL(d.matches[0].hits.size(), 2u);
  BOOST_TEST(d.matches[0].hits[0].rule == "same_email");
  BOOST_TEST(d.matches[0].hits[1].rule == "name_and_city");
  BOOST_TEST(d.matches[0].score == 1.5, boost::test_tools::tolerance(1e-9));
  BOOST_TEST(d.best()->raw() == 2u);
}

BOOST_AUTO_TEST_CASE(fuzzy_name_needs_same_postal_code) {
  const DuplicateConfig config = DuplicateConfig::defaults();
  MatchKey a = key(person(1, "Jürgen", "Schneider", "", "", "10115"));
  MatchKey same_place = key(person(2, "Juergen", "Schnieder", "", "", "10115"));
  MatchKey elsewhere = key(person(3, "Juergen", "Schnieder", "", "", "80331", "München"));
  CandidateMatch m = score_candidate(config, a, same_place);
  BOOST_TEST(m.duplicate);
  BOOST_TEST(
      std::any_of(m.hits.begin(), m.hits.end(), [](const RuleHit& h) { return h.rule == "name_and_postal_code"; }));
  BOOST_TEST(!score_candidate(config, a, elsewhere).duplicate);
}

BOOST_AUTO_TEST_CASE(weights_add_up_to_threshold) {
  DuplicateConfig config;
  config.rules = {{"company_city", MatchField::company, 0.9, {SameField::city}, 0.5},
                  {"name_city", MatchField::name, 0.9, {SameField::city}, 0.5}};
  config.threshold = 1.0;
  Lead a = person(1, "Anna", "Müller", "", "", "");
  a.prospect.company = "Müller Haustechnik GmbH";
  Lead b = person(2, "Anna", "Mueller", "", "", "");
  b.prospect.company = "Mueller Haustechnik GmbH & Co. KG";
  CandidateMatch both = score_candidate(config, key(a), key(b));
  BOOST_TEST(both.duplicate);
  BOOST_TEST(both.score == 1.0, boost::test_tools::tolerance(1e-9));
  b.prospect.given_name = "Zacharias";
  b.prospect.family_name = "Ypsilon";
  CandidateMatch one = score_candidate(config, key(a), key(b));
  BOOST_TEST(!one.duplicate);
  BOOST_TEST(one.hits.size() == 1u);
}

BOOST_AUTO_TEST_CASE(own_id_is_skipped_and_order_is_by_score) {
  const DuplicateConfig config = DuplicateConfig::defaults();
  MatchKey a = key(person(5, "Anna", "Müller", "anna@example.com", "+49301234567", "10115"));
  std::vector<MatchKey> c{a, key(person(7, "Anna", "Müller", "anna@example.com", "", "")),
                          key(person(6, "Anna", "Mueller", "anna@example.com", "+49 30 1234567", "10115"))};
  DuplicateDecision d = check_duplicates(config, a, c);
  BOOST_TEST(d.candidates_checked == 2u);
  BOOST_REQUIRE_EQUAL(d.matches.size(), 2u);
  BOOST_TEST(d.matches[0].id.raw() == 6u);
  BOOST_TEST(d.matches[0].score > d.matches[1].score);
}

BOOST_AUTO_TEST_CASE(blocking_keys_meet_for_swapped_names_and_umlauts) {
  auto ka = blocking_keys(key(person(1, "Anna", "Müller", "A@x.de", "+49 30 1", "10115")));
  auto kb = blocking_keys(key(person(2, "Mueller", "Anna", "", "", "10115")));
  std::vector<std::string> common;
  std::set_intersection(ka.begin(), ka.end(), kb.begin(), kb.end(), std::back_inserter(common));
  BOOST_TEST(!common.empty());
  BOOST_TEST((std::find(ka.begin(), ka.end(), "e:a@x.de") != ka.end()));
  BOOST_TEST((std::find(ka.begin(), ka.end(), "n:M460:10115") != ka.end()));
  // Too short to be a phone: no "p:" key.
  BOOST_TEST(std::none_of(ka.begin(), ka.end(), [](const std::string& k) { return k.starts_with("p:"); }));
}

BOOST_AUTO_TEST_CASE(policies_parse_and_fall_back) {
  BOOST_TEST((parse_duplicate_policy("reject") == DuplicatePolicy::reject));
  BOOST_TEST((parse_duplicate_policy("update") == DuplicatePolicy::update));
  BOOST_TEST(!parse_duplicate_policy("merge").has_value());
  DuplicateConfig c;
  c.policy = DuplicatePolicy::flag;
  c.connector_policies["http"] = DuplicatePolicy::reject;
  BOOST_TEST((c.policy_for("http") == DuplicatePolicy::reject));
  BOOST_TEST((c.policy_for("amqp") == DuplicatePolicy::flag));
}

BOOST_AUTO_TEST_SUITE_END()
