// The amqp connector's map bodies (connectors/amqp/value_json): every AMQP type
// with a JSON form, members that have none named by their path, and replies back
// into maps in the document's order.
#include <proton/codec/vector.hpp>
#include <proton/symbol.hpp>
#include <proton/timestamp.hpp>

#include <boost/test/unit_test.hpp>

#include "connectors/amqp/value_json.hpp"

using namespace leadhub::connectors::amqp;
using Members = std::vector<std::pair<proton::value, proton::value>>;

BOOST_AUTO_TEST_SUITE(value_json)

BOOST_AUTO_TEST_CASE(maps_and_lists_become_json) {
  const std::vector<proton::value> list{proton::value(std::int32_t{1}), proton::value(2.5),
                                        proton::value(proton::symbol("sym"))};
  const Members inner{{proton::value(std::string("email")), proton::value(std::string("a\"b@example.com"))}};
  const Members body{{proton::value(std::string("score")), proton::value(14.0)},
                     {proton::value(proton::symbol("big")), proton::value(std::uint64_t{18446744073709551615ULL})},
                     {proton::value(std::string("neg")), proton::value(std::int64_t{-3})},
                     {proton::value(std::string("ok")), proton::value(true)},
                     {proton::value(std::string("none")), proton::value(proton::null())},
                     {proton::value(std::string("at")), proton::value(proton::timestamp(1'700'000'000'123))},
                     {proton::value(std::string("list")), proton::value(list)},
                     {proton::value(std::string("prospect")), proton::value(inner)}};
  const auto json = amqp_value_to_json(proton::value(body));
  BOOST_TEST_REQUIRE(json.ok(), (json.ok() ? "" : json.error().message));
  BOOST_TEST(*json ==
             "{\"score\":14,\"big\":18446744073709551615,\"neg\":-3,\"ok\":true,\"none\":null,"
             "\"at\":\"2023-11-14T22:13:20.123Z\",\"list\":[1,2.5,\"sym\"],"
             "\"prospect\":{\"email\":\"a\\\"b@example.com\"}}");
}

BOOST_AUTO_TEST_CASE(members_without_a_json_form_are_named) {
  const Members inner{{proton::value(std::string("photo")), proton::value(proton::binary("xy"))}};
  const Members body{{proton::value(std::string("prospect")), proton::value(inner)}};
  const auto binary = amqp_value_to_json(proton::value(body));
  BOOST_TEST_REQUIRE(!binary.ok());
  BOOST_TEST(binary.error().message == "body.prospect.photo: AMQP type binary has no JSON form");

  const Members numbered{{proton::value(std::int32_t{7}), proton::value(std::string("x"))}};
  const auto key = amqp_value_to_json(proton::value(numbered));
  BOOST_TEST_REQUIRE(!key.ok());
  BOOST_TEST(key.error().message == "body: a map key of type int; keys must be strings");
}

BOOST_AUTO_TEST_CASE(json_replies_become_ordered_maps) {
  const auto value = json_to_amqp_value(R"({"id":"0AM","version":2,"score":1.5,"items":[{"b":1,"a":null}],"x":true})");
  BOOST_TEST_REQUIRE(value.ok(), (value.ok() ? "" : value.error().message));
  Members members;
  proton::get(*value, members);
  BOOST_TEST_REQUIRE(members.size() == 5u);
  BOOST_TEST(proton::get<std::string>(members[0].first) == "id");
  BOOST_TEST(proton::get<std::string>(members[0].second) == "0AM");
  BOOST_TEST(proton::get<std::int64_t>(members[1].second) == 2);
  BOOST_TEST(proton::get<double>(members[2].second) == 1.5);
  BOOST_TEST(proton::get<bool>(members[4].second));
  // and back: the same document
  const auto again = amqp_value_to_json(*value);
  BOOST_TEST_REQUIRE(again.ok());
  BOOST_TEST(*again == R"({"id":"0AM","version":2,"score":1.5,"items":[{"b":1,"a":null}],"x":true})");
}

BOOST_AUTO_TEST_SUITE_END()
