// unit_http: the web forms' double-submit guard. The first post of an e-mail
// within the window creates, later ones get its id (also while it is being
// stored); entries expire with the window; beyond its size bound the oldest are
// dropped and the store lookup answers for them.
#define BOOST_TEST_MODULE unit_http
#include <boost/test/unit_test.hpp>

#include "connectors/http/recent_submissions.hpp"

using namespace leadhub;
using leadhub::connectors::http::RecentSubmissions;
using Claim = RecentSubmissions::Claim;

namespace {

constexpr std::int64_t kWindow = 60'000;

struct Guard {
  RecentSubmissions recent;
  int lookups = 0;
  std::optional<std::pair<RecordId, TimeMs>> in_store;

  Claim claim(
      const std::string& key, TimeMs now, RecordId& existing,
      RecentSubmissions::Waiter waiter = [](const Result<RecordId>&) {}) {
    return recent.claim(
        key, now, kWindow, existing,
        [this] {
          ++lookups;
          return in_store;
        },
        std::move(waiter));
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_second_post_within_the_window_gets_the_first_lead) {
  Guard g;
  RecordId existing;
  BOOST_TEST((g.claim("anna@example.com", 1000, existing) == Claim::fresh));
  std::optional<Result<RecordId>> waited;
  BOOST_TEST(
      (g.claim("anna@example.com", 1001, existing, [&](const Result<RecordId>& r) { waited = r; }) == Claim::waiting));
  g.recent.finish("anna@example.com", RecordId(42));
  BOOST_TEST_REQUIRE(waited.has_value());
  BOOST_TEST(waited->ok());
  BOOST_TEST((**waited == RecordId(42)));
  BOOST_TEST((g.claim("anna@example.com", 2000, existing) == Claim::existing));
  BOOST_TEST((existing == RecordId(42)));
  BOOST_TEST((g.claim("anna@example.com", 1000 + kWindow, existing) == Claim::fresh));  // the window is over
}

BOOST_AUTO_TEST_CASE(a_failed_store_lets_the_next_post_try_again) {
  Guard g;
  RecordId existing;
  BOOST_TEST((g.claim("bo@example.com", 1000, existing) == Claim::fresh));
  g.recent.finish("bo@example.com", Error::make(ErrorCode::unavailable, "store is shutting down"));
  BOOST_TEST((g.claim("bo@example.com", 1001, existing) == Claim::fresh));
}

BOOST_AUTO_TEST_CASE(beyond_its_bound_the_oldest_are_dropped_and_the_store_answers_for_them) {
  Guard g;
  RecordId existing;
  BOOST_TEST((g.claim("first@example.com", 1000, existing) == Claim::fresh));
  g.recent.finish("first@example.com", RecordId(7));
  for (int i = 0; i < 100'001; ++i) {  // all within the window
    const std::string key = "k" + std::to_string(i) + "@example.com";
    BOOST_TEST_REQUIRE((g.claim(key, 1001, existing) == Claim::fresh));
    g.recent.finish(key, RecordId(1000 + static_cast<std::uint64_t>(i)));
  }
  const int before = g.lookups;
  g.in_store = std::make_pair(RecordId(7), TimeMs{1000});
  BOOST_TEST((g.claim("first@example.com", 2000, existing) == Claim::existing));
  BOOST_TEST((existing == RecordId(7)));
  BOOST_TEST(g.lookups == before + 1);  // no longer in memory: asked the store
  g.in_store.reset();
  BOOST_TEST((g.claim("k100000@example.com", 2000, existing) == Claim::existing));  // the newest are kept
  BOOST_TEST(g.lookups == before + 1);
}
