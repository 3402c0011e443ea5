// The order of one AMQP link's messages (connectors/amqp/link_order): creates and
// changes pipelined behind each other, reads and finds only after every earlier
// message has finished, and nothing overtaking a message that waits.
#include <boost/test/unit_test.hpp>

#include "connectors/amqp/link_order.hpp"

using leadhub::connectors::amqp::LinkOrder;
using Ids = std::vector<std::uint64_t>;
constexpr auto kPipelined = LinkOrder::Kind::pipelined;
constexpr auto kOrdered = LinkOrder::Kind::ordered;

BOOST_AUTO_TEST_SUITE(link_order)

BOOST_AUTO_TEST_CASE(writes_pipeline_and_a_read_waits_for_them) {
  LinkOrder order;
  BOOST_TEST(order.arrive(1, kPipelined));
  BOOST_TEST(order.arrive(2, kPipelined));
  BOOST_TEST(!order.arrive(3, kOrdered));    // the find after two creates
  BOOST_TEST(!order.arrive(4, kPipelined));  // a change after the find: not before it
  BOOST_TEST(order.finished(kPipelined).empty());
  BOOST_TEST(order.finished(kPipelined) == Ids{3}, boost::test_tools::per_element());
  BOOST_TEST(order.finished(kOrdered) == Ids{4}, boost::test_tools::per_element());
  BOOST_TEST(!order.idle());
  BOOST_TEST(order.finished(kPipelined).empty());
  BOOST_TEST(order.idle());
}

BOOST_AUTO_TEST_CASE(messages_behind_a_running_read_wait_and_start_together) {
  LinkOrder order;
  BOOST_TEST(order.arrive(1, kOrdered));
  BOOST_TEST(!order.arrive(2, kPipelined));
  BOOST_TEST(!order.arrive(3, kPipelined));
  BOOST_TEST(!order.arrive(4, kOrdered));
  BOOST_TEST(!order.arrive(5, kPipelined));
  // The read done: both changes start at once, the second read waits for them.
  BOOST_TEST(order.finished(kOrdered) == (Ids{2, 3}), boost::test_tools::per_element());
  BOOST_TEST(order.finished(kPipelined).empty());
  BOOST_TEST(order.finished(kPipelined) == Ids{4}, boost::test_tools::per_element());
  BOOST_TEST(order.finished(kOrdered) == Ids{5}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(reads_on_an_idle_link_run_at_once) {
  LinkOrder order;
  BOOST_TEST(order.arrive(1, kOrdered));
  BOOST_TEST(order.finished(kOrdered).empty());
  BOOST_TEST(order.arrive(2, kOrdered));
  BOOST_TEST(order.finished(kOrdered).empty());
  BOOST_TEST(order.idle());
}

BOOST_AUTO_TEST_CASE(waiting_messages_are_taken_back_when_the_link_goes) {
  LinkOrder order;
  BOOST_TEST(order.arrive(1, kPipelined));
  BOOST_TEST(!order.arrive(2, kOrdered));
  BOOST_TEST(!order.arrive(3, kPipelined));
  BOOST_TEST(order.take_waiting() == (Ids{2, 3}), boost::test_tools::per_element());
  BOOST_TEST(order.finished(kPipelined).empty());  // the running one still finishes
  BOOST_TEST(order.idle());
}

BOOST_AUTO_TEST_SUITE_END()
