// unit_events: the dispatcher's parts without a network: the `events:` config
// and its errors, routing by type and lead attribute, rendering through a
// mapping, and a route's lane (order, acks, retry from the failed event in a new
// round, dead letters) against a real store and a sink the test settles by hand.
// events_order_test.cpp adds the lane's order through the real amqp target.
#define BOOST_TEST_MODULE unit_events
#include <boost/test/unit_test.hpp>

#include <cpprest/asyncrt_utils.h>
#include <simdjson.h>

#include "connectors/events/event_view.hpp"
#include "connectors/events/events_config.hpp"
#include "connectors/events/http_sink.hpp"
#include "connectors/events/lane.hpp"
#include "connectors/events/routing.hpp"
#include "connectors/framework/hub.hpp"
#include "store_support.hpp"

using namespace leadhub;
using namespace leadhub::test;
using namespace leadhub::connectors::events;

namespace {

const std::string kFile = "leadhub.yaml";

Result<EventsConfig> parse(const std::string& yaml) {
  static connectors::MappingCatalog mappings(LEADHUB_SOURCE_DIR "/config/mappings");
  const YAML::Node root = YAML::Load(yaml);
  return read_events_config(kFile, root["events"], mappings);
}

const char* const kGoodConfig = R"(events:
  targets:
    broker: {type: amqp, url: "amqp://127.0.0.1:5672", user: hub, password: pw}
    rest: {type: http, url: "http://127.0.0.1:9/events", headers: {Authorization: "Bearer x"}, timeout_ms: 500}
  routes:
    - {name: all-created, events: [lead.created], target: broker, address: /queue/created}
    - name: acme-assigned
      events: [lead.assigned]
      when: {field: owner.channel, equals: ACME}
      target: broker
      address: /queue/acme
      mapping: sap-lead-read
    - {name: rest-status, events: [lead.status_changed, import.completed], target: rest}
  retry: {initial_ms: 10, max_ms: 40}
)";

Lead lead_owned_by(const std::string& channel) {
  Lead lead = minimal_lead("Owner");
  lead.owner.channel = channel;
  return lead;
}

EventView view_of(const std::string& type, std::optional<Lead> lead) {
  EventView v;
  v.type = type;
  v.has_lead = lead.has_value();
  v.lead = std::move(lead);
  return v;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(events_config)

BOOST_AUTO_TEST_CASE(reads_targets_routes_and_retry) {
  auto c = parse(kGoodConfig);
  BOOST_TEST_REQUIRE(c.ok(), (c.ok() ? "" : c.error().message));
  BOOST_TEST(c->targets.size() == 2u);
  const auto* rest = c->target("rest");
  BOOST_TEST_REQUIRE(rest != nullptr);
  BOOST_TEST((rest->kind == TargetKind::http));
  BOOST_TEST(rest->timeout.count() == 500);
  BOOST_TEST(rest->headers.size() == 1u);
  BOOST_TEST(c->routes.size() == 3u);
  BOOST_TEST(c->routes[1].when.has_value());
  BOOST_TEST(c->routes[1].outbound.has_value());
  BOOST_TEST(c->retry.initial.count() == 10);
  BOOST_TEST(c->retry.max.count() == 40);
}

// Each mistake is refused with the file, line and column of the offending key.
BOOST_AUTO_TEST_CASE(refuses_mistakes_with_file_line_column) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"events:\n  targets: {}\n  route: []\n", "leadhub.yaml:3:3: "},
      {"events:\n  targets:\n    b: {type: amqp, colour: red}\n", "leadhub.yaml:3:21: "},
      {"events:\n  targets:\n    b: {type: smtp}\n", "leadhub.yaml:3:15: "},
      {"events:\n  targets:\n    b: {type: amqp}\n  routes:\n    - {name: r, events: [lead.created], target: x, "
       "address: q}\n",
       "unknown target 'x'"},
      {"events:\n  targets:\n    b: {type: amqp}\n  routes:\n    - {name: r, events: [lead.created, lead.eaten], "
       "target: b, address: q}\n",
       "unknown event type 'lead.eaten'"},
      {"events:\n  targets:\n    b: {type: amqp}\n  routes:\n    - {name: r, events: [lead.created], target: b, "
       "address: q, mapping: no-such-mapping}\n",
       "leadhub.yaml:5:73: "},
      {"events:\n  targets:\n    b: {type: amqp}\n  routes:\n    - {name: r, events: [lead.created], target: b}\n",
       "an amqp target needs an address"},
      {"events:\n  targets:\n    b: {type: amqp}\n  routes:\n    - {name: r, events: [lead.created], target: b, "
       "address: q, when: {field: owner.channel, equalz: A}}\n",
       "leadhub.yaml:5:"},
      {"events:\n  retry: {initial_ms: 100, max_ms: 10}\n", "must not be less than initial_ms"},
      {"events:\n  targets:\n    b: {type: http, url: ftp://x}\n", "expected an http:// or https:// URL"},
  };
  for (const auto& [yaml, expected] : cases) {
    auto c = parse(yaml);
    BOOST_TEST_CONTEXT(yaml) {
      BOOST_TEST_REQUIRE(!c.ok());
      BOOST_TEST(c.error().message.find(expected) != std::string::npos, c.error().message);
    }
  }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(events_routing)

BOOST_AUTO_TEST_CASE(routes_by_type_and_by_lead_attribute) {
  auto c = parse(kGoodConfig);
  BOOST_TEST_REQUIRE(c.ok());
  Router router(*c);
  BOOST_TEST(router.needs_lead("lead.assigned"));
  BOOST_TEST(!router.needs_lead("lead.created"));
  using Names = std::vector<std::string>;
  BOOST_TEST((router.queues_for(view_of("lead.created", lead_owned_by("ACME"))) == Names{"all-created"}));
  BOOST_TEST((router.queues_for(view_of("lead.assigned", lead_owned_by("ACME"))) == Names{"acme-assigned"}));
  BOOST_TEST(router.queues_for(view_of("lead.assigned", lead_owned_by("OTHER"))).empty());
  BOOST_TEST((router.queues_for(view_of("import.completed", std::nullopt)) == Names{"rest-status"}));
  BOOST_TEST(router.queues_for(view_of("lead.converted", lead_owned_by("ACME"))).empty());
  EventView dead = view_of(std::string(kDeadLetterType), std::nullopt);
  dead.dead_route = "rest-status";
  BOOST_TEST((router.queues_for(dead) == Names{"rest-status.dead"}));
}

BOOST_FIXTURE_TEST_CASE(renders_the_lead_through_the_routes_mapping, StoreFixture) {
  auto c = parse(kGoodConfig);
  BOOST_TEST_REQUIRE(c.ok());
  Lead lead = lead_owned_by("ACME");
  lead.prospect.email = "anna@example.com";
  create(lead);
  auto events = store->read_outbox(10);
  BOOST_TEST_REQUIRE(is_ok(events));
  BOOST_TEST_REQUIRE(events->size() == 2u);  // created, assigned
  auto xml = render_delivery(c->routes[1], (*events)[1]);
  BOOST_TEST_REQUIRE(xml.ok(), (xml.ok() ? "" : xml.error().message));
  BOOST_TEST(xml->content_type == "application/xml");
  BOOST_TEST(xml->event_type == "lead.assigned");
  BOOST_TEST(xml->message_id == "leadhub-event-" + std::to_string((*events)[1].seq));
  BOOST_TEST(xml->body.find("anna@example.com") != std::string::npos, xml->body);
  BOOST_TEST(xml->body.find("LeadByIDResponse") != std::string::npos, xml->body);
  auto json = render_delivery(c->routes[0], (*events)[0]);
  BOOST_TEST_REQUIRE(json.ok());
  BOOST_TEST(json->body == (*events)[0].json);
  BOOST_TEST(json->content_type == "application/json");
  BOOST_TEST(!json->lead_id.empty());
}

BOOST_AUTO_TEST_SUITE_END()

namespace {

// A sink the test settles by hand; it records what was sent, in order.
class HandSink final : public Sink {
 public:
  explicit HandSink(std::size_t window) : window_(window) {}
  Status start() override { return ok_status(); }
  void stop() override {}
  void send(const std::string&, const Outgoing& message, const std::shared_ptr<SendRound>& round, Done done) override {
    sent.push_back({message, round, std::move(done)});
  }
  std::size_t window() const override { return window_; }
  bool connected() const override { return true; }
  std::string describe() const override { return "hand"; }

  struct Sent {
    Outgoing message;
    std::shared_ptr<SendRound> round;
    Done done;
  };
  std::vector<Sent> sent;

 private:
  std::size_t window_;
};

struct LaneFixture : StoreFixture {
  RouteConfig route;
  RetryConfig retry{std::chrono::milliseconds(100), std::chrono::milliseconds(400)};
  HandSink sink{3};
  std::vector<std::function<void()>> posted;
  std::unique_ptr<Lane> lane;
  SteadyTime now = std::chrono::steady_clock::now();

  LaneFixture() {
    route.name = "r";
    route.events = {"lead.created"};
    lane = std::make_unique<Lane>(route, sink, *store, retry,
                                  [this](std::function<void()> job) { posted.push_back(std::move(job)); });
  }

  // n leads created, and their lead.created events routed to "r".
  void create_and_route(int n) {
    for (int i = 0; i < n; ++i) create(minimal_lead("L" + std::to_string(i)));
    auto events = store->read_outbox(1000);
    BOOST_TEST_REQUIRE(is_ok(events));
    std::vector<RoutedEvent> routed;
    for (const auto& e : *events) {
      auto view = read_event(e.json, false);
      BOOST_TEST_REQUIRE(view.ok());
      routed.push_back(
          {e.seq, view->type == "lead.created" ? std::vector<std::string>{"r"} : std::vector<std::string>{}});
    }
    const auto stored = store->route_events(std::move(routed));
    BOOST_TEST_REQUIRE(is_ok(stored));
  }

  void settle(std::size_t sent_index, SendOutcome outcome, const std::string& reason = "",
              std::chrono::milliseconds retry_after = {}) {
    sink.sent.at(sent_index).done({outcome, reason, retry_after});
    for (auto& job : posted) job();
    posted.clear();
  }

  std::vector<std::string> sent_ids() const {
    std::vector<std::string> out;
    for (const auto& s : sink.sent) out.push_back(s.message.message_id);
    return out;
  }

  std::size_t queued() {
    auto r = store->read_deliveries("r", 0, 1000);
    BOOST_TEST_REQUIRE(is_ok(r));
    return r->size();
  }
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(events_lane, LaneFixture)

BOOST_AUTO_TEST_CASE(sends_in_order_within_the_window_and_acks_accepted) {
  create_and_route(5);
  lane->pump(now);
  BOOST_TEST(sink.sent.size() == 3u);  // the window
  settle(0, SendOutcome::accepted);
  settle(1, SendOutcome::accepted);
  lane->pump(now);
  BOOST_TEST(queued() == 3u);          // two acked
  BOOST_TEST(sink.sent.size() == 5u);  // refilled once half the window was free
  for (std::size_t i = 2; i < 5; ++i) settle(i, SendOutcome::accepted);
  lane->pump(now);
  BOOST_TEST(queued() == 0u);
  BOOST_TEST(lane->status().delivered == 5u);
  const auto ids = sent_ids();
  BOOST_TEST(std::is_sorted(ids.begin(), ids.end(), [](const std::string& a, const std::string& b) {
    return std::stoull(a.substr(14)) < std::stoull(b.substr(14));
  }));
}

// A failure in the middle: the event before it is acked, the one after it is not
// (it was accepted, but goes again after the failed one), and after the backoff
// the lane starts again from the failed event, in order.
BOOST_AUTO_TEST_CASE(retries_from_the_failed_event_after_its_backoff) {
  create_and_route(3);
  lane->pump(now);
  BOOST_TEST_REQUIRE(sink.sent.size() == 3u);
  const auto first = sent_ids();
  settle(0, SendOutcome::accepted);
  settle(1, SendOutcome::failed, "connection lost");
  lane->pump(now);
  BOOST_TEST(sink.sent.size() == 3u);  // waits for the third to settle
  settle(2, SendOutcome::accepted);
  auto due = lane->pump(now);
  BOOST_TEST_REQUIRE(due.has_value());
  BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(*due - now).count() == 100);
  BOOST_TEST(queued() == 2u);
  BOOST_TEST(lane->status().last_error.find("connection lost") != std::string::npos);
  lane->pump(now + std::chrono::milliseconds(50));
  BOOST_TEST(sink.sent.size() == 3u);  // still in its backoff
  lane->pump(now + std::chrono::milliseconds(100));
  BOOST_TEST_REQUIRE(sink.sent.size() == 5u);
  BOOST_TEST(sink.sent[3].message.message_id == first[1]);
  BOOST_TEST(sink.sent[4].message.message_id == first[2]);
  // A second failure doubles the delay, up to the cap.
  settle(3, SendOutcome::failed, "released");
  settle(4, SendOutcome::failed, "released");
  due = lane->pump(now + std::chrono::milliseconds(100));
  BOOST_TEST_REQUIRE(due.has_value());
  BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(*due - now).count() == 300);
  lane->pump(now + std::chrono::milliseconds(300));
  BOOST_TEST_REQUIRE(sink.sent.size() == 7u);
  settle(5, SendOutcome::accepted);
  settle(6, SendOutcome::accepted);
  lane->pump(now + std::chrono::milliseconds(300));
  BOOST_TEST(queued() == 0u);
  BOOST_TEST(lane->status().delivered == 3u);
  BOOST_TEST(lane->status().failures == 2u);
}

// The sends share a round until the lane starts again from the failed event: a
// failure ends the round (the sink sends nothing more of it, events_order_test.cpp)
// and the resend goes in a new one.
BOOST_AUTO_TEST_CASE(sends_again_in_a_new_round) {
  create_and_route(3);
  lane->pump(now);
  BOOST_TEST_REQUIRE(sink.sent.size() == 3u);
  const auto first_round = sink.sent[0].round;
  BOOST_TEST((sink.sent[1].round == first_round && sink.sent[2].round == first_round));
  BOOST_TEST(!first_round->ended());
  settle(0, SendOutcome::accepted);
  settle(1, SendOutcome::failed, "released");
  BOOST_TEST(first_round->ended());  // the lane ends it too: what the sink still holds goes again later
  settle(2, SendOutcome::accepted);
  lane->pump(now);
  lane->pump(now + std::chrono::milliseconds(100));
  BOOST_TEST_REQUIRE(sink.sent.size() == 5u);
  BOOST_TEST(sink.sent[3].round != first_round);
  BOOST_TEST(sink.sent[4].round == sink.sent[3].round);
  BOOST_TEST(!sink.sent[3].round->ended());
}

// A refusal moves the event to r.dead with the reason; delivery goes on.
BOOST_AUTO_TEST_CASE(dead_letters_a_refused_event_and_goes_on) {
  create_and_route(2);
  lane->pump(now);
  BOOST_TEST_REQUIRE(sink.sent.size() == 2u);
  const auto refused_id = sink.sent[0].message.message_id;
  settle(0, SendOutcome::refused, "HTTP 400 Bad Request");
  settle(1, SendOutcome::accepted);
  lane->pump(now);
  BOOST_TEST(queued() == 0u);
  BOOST_TEST(lane->status().dead_lettered == 1u);
  BOOST_TEST(lane->status().delivered == 1u);
  // The dead letter is an event of its own, which the dispatcher routes to r.dead.
  auto outbox = store->read_outbox(10);
  BOOST_TEST_REQUIRE(is_ok(outbox));
  BOOST_TEST_REQUIRE(outbox->size() == 1u);
  auto view = read_event(outbox->front().json, false);
  BOOST_TEST_REQUIRE(view.ok());
  BOOST_TEST(view->type == std::string(kDeadLetterType));
  BOOST_TEST(view->dead_route == "r");
  BOOST_TEST(outbox->front().json.find("HTTP 400 Bad Request") != std::string::npos);
  BOOST_TEST(outbox->front().json.find("\"id\":\"" + refused_id.substr(14) + "\"") != std::string::npos,
             outbox->front().json);
}

// An endpoint that answers 429 with Retry-After: 2 is asked again after 2 s, not
// after the route's 100 ms backoff; the next failure without one backs off as before.
BOOST_AUTO_TEST_CASE(waits_as_long_as_the_receiver_asks) {
  create_and_route(1);
  lane->pump(now);
  BOOST_TEST_REQUIRE(sink.sent.size() == 1u);
  settle(0, SendOutcome::failed, "HTTP 429 Too Many Requests", std::chrono::milliseconds(2000));
  auto due = lane->pump(now);
  BOOST_TEST_REQUIRE(due.has_value());
  BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(*due - now).count() == 2000);
  lane->pump(now + std::chrono::milliseconds(1999));
  BOOST_TEST(sink.sent.size() == 1u);
  lane->pump(now + std::chrono::milliseconds(2000));
  BOOST_TEST_REQUIRE(sink.sent.size() == 2u);
  settle(1, SendOutcome::failed, "HTTP 503");
  due = lane->pump(now + std::chrono::milliseconds(2000));
  BOOST_TEST_REQUIRE(due.has_value());
  BOOST_TEST(std::chrono::duration_cast<std::chrono::milliseconds>(*due - now).count() == 2200);
}

BOOST_AUTO_TEST_SUITE_END()

// Retry-After as seconds or as an HTTP-date (RFC 9110 10.2.3), capped at an hour.
BOOST_AUTO_TEST_CASE(reads_retry_after) {
  using std::chrono::milliseconds;
  BOOST_TEST(HttpSink::retry_after("").count() == 0);
  BOOST_TEST(HttpSink::retry_after("5").count() == 5000);
  BOOST_TEST(HttpSink::retry_after("0").count() == 0);
  BOOST_TEST(HttpSink::retry_after("soon").count() == 0);
  BOOST_TEST(HttpSink::retry_after("86400").count() == HttpSink::kMaxRetryAfter.count());
  BOOST_TEST(HttpSink::retry_after("99999999999999999999").count() == HttpSink::kMaxRetryAfter.count());
  BOOST_TEST(HttpSink::retry_after("Wed, 21 Oct 2015 07:28:00 GMT").count() == 0);  // past
  const auto in_a_minute = utility::datetime::utc_now() + utility::datetime::from_seconds(60);
  const auto wait = HttpSink::retry_after(in_a_minute.to_string(utility::datetime::RFC_1123));
  BOOST_TEST((wait > milliseconds(58'000) && wait <= milliseconds(60'000)), wait.count());
}
