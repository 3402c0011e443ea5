// Links the broker ended (connectors/amqp/link_recovery): one outage per link until
// it is attached again, the connection's backoff per link, what /readyz reports.
#include <boost/test/unit_test.hpp>

#include "connectors/amqp/link_recovery.hpp"

using leadhub::connectors::amqp::LinkRecovery;
using leadhub::connectors::amqp::LinkRole;
using ms = std::chrono::milliseconds;

BOOST_AUTO_TEST_SUITE(link_recovery)

BOOST_AUTO_TEST_CASE(one_outage_per_link_with_backoff_until_attached) {
  LinkRecovery links(ms(100), ms(1000));
  const auto t0 = LinkRecovery::Clock::time_point{};
  auto lost = links.lost(LinkRole::receiver, "/queue/a", "amqp:not-found: gone", t0);
  BOOST_TEST(lost.first);
  BOOST_TEST(lost.delay.count() == 100);
  // Each refused attempt: the same outage, the delay doubles up to the cap.
  for (const long expected : {200, 400, 800, 1000, 1000}) {
    lost = links.lost(LinkRole::receiver, "/queue/a", "amqp:not-found: still gone", t0 + ms(50));
    BOOST_TEST(!lost.first);
    BOOST_TEST(lost.delay.count() == expected);
  }
  BOOST_TEST(links.down(LinkRole::receiver) == 1U);
  BOOST_TEST(links.down(LinkRole::sender) == 0U);
  const auto outages = links.outages();
  BOOST_TEST_REQUIRE(outages.size() == 1U);
  BOOST_TEST(outages[0].why == "amqp:not-found: still gone");
  BOOST_TEST(outages[0].failed_attempts == 5U);

  const auto back = links.attached(LinkRole::receiver, "/queue/a", t0 + ms(4200));
  BOOST_TEST_REQUIRE(back.has_value());
  BOOST_TEST(back->down.count() == 4200);
  BOOST_TEST(back->failed_attempts == 5U);
  BOOST_TEST(!links.down(LinkRole::receiver, "/queue/a"));
  // Attached without an outage (the first attach): nothing to report.
  BOOST_TEST(!links.attached(LinkRole::receiver, "/queue/a", t0).has_value());
  // The next outage starts over, from the first delay.
  lost = links.lost(LinkRole::receiver, "/queue/a", "again", t0);
  BOOST_TEST(lost.first);
  BOOST_TEST(lost.delay.count() == 100);
}

BOOST_AUTO_TEST_CASE(receivers_and_senders_of_one_address_are_two_links) {
  LinkRecovery links(ms(10), ms(10));
  const auto t0 = LinkRecovery::Clock::time_point{};
  BOOST_TEST(links.lost(LinkRole::receiver, "/queue/x", "r", t0).first);
  BOOST_TEST(links.lost(LinkRole::sender, "/queue/x", "s", t0).first);
  BOOST_TEST(links.down(LinkRole::receiver) == 1U);
  BOOST_TEST(links.down(LinkRole::sender) == 1U);
  links.forget(LinkRole::sender, "/queue/x");
  BOOST_TEST(links.down(LinkRole::sender) == 0U);
  BOOST_TEST(links.down(LinkRole::receiver, "/queue/x"));
  links.clear();
  BOOST_TEST(links.outages().empty());
}

BOOST_AUTO_TEST_SUITE_END()
