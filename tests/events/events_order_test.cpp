// unit_events: a route's order across a failed send, through the real amqp
// target (AmqpSink: the amqp connector's Engine and Publisher) to an AMQP 1.0 peer
// on loopback that plays the broker and fails one send on demand: it releases a
// message, closes the connection or ends the link. The lane runs on the test's
// thread, which takes the settlements when the test says so: that is when the
// dispatcher would, so the test can hand the route's next event to the sink in
// the gap between the failure and the lane hearing of it. That event must not
// reach the peer before the failed one is sent again.
#include <boost/test/unit_test.hpp>

#include <proton/connection.hpp>
#include <proton/container.hpp>
#include <proton/delivery.hpp>
#include <proton/error_condition.hpp>
#include <proton/listen_handler.hpp>
#include <proton/listener.hpp>
#include <proton/message.hpp>
#include <proton/message_id.hpp>
#include <proton/messaging_handler.hpp>
#include <proton/receiver.hpp>
#include <proton/receiver_options.hpp>
#include <proton/transport.hpp>
#include <proton/work_queue.hpp>

#include <future>
#include <thread>

#include "connectors/events/amqp_sink.hpp"
#include "connectors/events/event_view.hpp"
#include "connectors/events/lane.hpp"
#include "store_support.hpp"

using namespace leadhub;
using namespace leadhub::test;
using namespace leadhub::connectors::events;

namespace {

using namespace std::chrono_literals;

// Waits until `done` holds, up to `limit`; true when it does.
template <typename Pred>
bool wait_until(Pred done, std::chrono::milliseconds limit = 5s) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

// The remote side: an AMQP 1.0 peer that takes the hub's sender links, gives each
// the credit it is told to, and settles each message it gets (released while
// `release` says so, accepted otherwise). Its own container thread; the test
// steers it through the container's work queue.
class ScriptedBroker final : public proton::messaging_handler, public proton::listen_handler {
 public:
  ScriptedBroker() : container_(*this) {
    thread_ = std::thread([this] { container_.run(); });
    BOOST_TEST_REQUIRE((listening_.get_future().wait_for(10s) == std::future_status::ready));
  }
  ~ScriptedBroker() override {
    container_.stop();
    thread_.join();
  }
  ScriptedBroker(const ScriptedBroker&) = delete;
  ScriptedBroker& operator=(const ScriptedBroker&) = delete;

  std::string url() const { return "amqp://127.0.0.1:" + std::to_string(port_.load()); }

  // Credit a link gets when the hub attaches it.
  void credit_on_attach(int credit) {
    run([this, credit] { credit_on_attach_ = credit; });
  }
  void grant(int credit) {
    run([this, credit] {
      if (link_ && link_.active()) link_.add_credit(credit);
    });
  }
  void release_next(int count) {
    run([this, count] { release_ = count; });
  }
  // As RabbitMQ does on stop_app: the hub reconnects.
  void close_connection() {
    run([this] {
      if (connection_ && connection_.active()) {
        connection_.close(proton::error_condition("amqp:connection:forced", "the scripted broker closes"));
      }
    });
  }
  // As RabbitMQ does when a route's exchange goes: the hub attaches it again.
  void end_link() {
    run([this] {
      if (link_ && link_.active())
        link_.close(proton::error_condition("amqp:not-found", "the scripted broker ends it"));
    });
  }

  std::size_t connections() const { return connections_.load(); }
  std::size_t attaches() const { return attaches_.load(); }
  std::size_t released() const { return released_.load(); }
  // The message ids it accepted, in arrival order.
  std::vector<std::string> accepted() const {
    std::lock_guard lock(mutex_);
    return accepted_;
  }

  // proton::listen_handler
  void on_open(proton::listener& l) override {
    port_ = l.port();
    listening_.set_value();
  }

  // proton::messaging_handler
  void on_container_start(proton::container& c) override {
    work_ = std::make_unique<proton::work_queue>(c);
    listener_ = c.listen("127.0.0.1:0", static_cast<proton::listen_handler&>(*this));
  }
  void on_connection_open(proton::connection& c) override {
    connection_ = c;
    ++connections_;
    c.open();
  }
  void on_receiver_open(proton::receiver& r) override {
    r.open(proton::receiver_options().credit_window(0).auto_accept(false));  // credit by hand
    link_ = r;
    ++attaches_;
    if (credit_on_attach_ > 0) r.add_credit(credit_on_attach_);
  }
  void on_message(proton::delivery& d, proton::message& m) override {
    if (release_ > 0) {
      --release_;
      ++released_;
      d.release();
      return;
    }
    {
      std::lock_guard lock(mutex_);
      accepted_.push_back(proton::get<std::string>(m.id()));
    }
    d.accept();
  }
  void on_container_stop(proton::container&) override { work_.reset(); }
  // The hub going away (or being told to) is part of the script, not an error.
  void on_transport_error(proton::transport&) override {}
  void on_error(const proton::error_condition&) override {}
  using proton::listen_handler::on_error;  // a listener that cannot listen: the constructor times out

 private:
  void run(std::function<void()> job) {
    std::promise<void> done;
    work_->add([&] {
      const auto connection = connection_;
      job();
      // Work from another thread is no connection event: without a wake its frames wait.
      if (connection) connection.wake();
      done.set_value();
    });
    done.get_future().wait();
  }

  proton::container container_;
  std::thread thread_;
  std::promise<void> listening_;
  std::atomic<int> port_{0};
  std::atomic<std::size_t> connections_{0}, attaches_{0}, released_{0};
  mutable std::mutex mutex_;
  std::vector<std::string> accepted_;
  // Container thread only.
  std::unique_ptr<proton::work_queue> work_;
  proton::listener listener_;
  proton::connection connection_;
  proton::receiver link_;
  int credit_on_attach_ = 0;
  int release_ = 0;
};

connectors::amqp::EngineOptions target_options(const std::string& url) {
  connectors::amqp::EngineOptions o;
  o.connector = "events.scripted";
  o.mode = connectors::amqp::Mode::broker;
  o.url = url;
  o.reconnect_delay = 20ms;
  o.reconnect_max_delay = 100ms;
  return o;
}

// One route to the scripted broker, its lane driven by the test as the
// dispatcher's thread would drive it.
struct OrderFixture : StoreFixture {
  std::mutex jobs_mutex;
  std::vector<std::function<void()>> jobs;  // settlements posted by the sink, not yet taken
  ScriptedBroker broker;
  AmqpSink sink{*store, target_options(broker.url())};
  RouteConfig route;
  RetryConfig retry{10ms, 40ms};
  std::unique_ptr<Lane> lane;

  OrderFixture() {
    route.name = "r";
    route.events = {"lead.created", "lead.changed"};
    route.address = "/queue/ordered";
    BOOST_TEST_REQUIRE(is_ok(sink.start()));
    lane = std::make_unique<Lane>(route, sink, *store, retry, [this](std::function<void()> job) {
      std::lock_guard lock(jobs_mutex);
      jobs.push_back(std::move(job));
    });
  }
  ~OrderFixture() {
    lane.reset();
    sink.stop();
  }

  // The outbox's lead.created and lead.changed events routed to "r"; their message ids.
  std::vector<std::string> route_outbox() {
    auto events = store->read_outbox(100);
    BOOST_TEST_REQUIRE(is_ok(events));
    std::vector<RoutedEvent> routed;
    std::vector<std::string> ids;
    for (const auto& e : *events) {
      auto view = read_event(e.json, false);
      BOOST_TEST_REQUIRE(view.ok());
      const bool ours = view->type == "lead.created" || view->type == "lead.changed";
      routed.push_back({e.seq, ours ? std::vector<std::string>{"r"} : std::vector<std::string>{}});
      if (ours) ids.push_back("leadhub-event-" + std::to_string(e.seq));
    }
    const auto stored = store->route_events(std::move(routed));
    BOOST_TEST_REQUIRE(is_ok(stored));
    return ids;
  }

  std::size_t waiting_jobs() {
    std::lock_guard lock(jobs_mutex);
    return jobs.size();
  }
  void take_settlements() {
    std::vector<std::function<void()>> taken;
    {
      std::lock_guard lock(jobs_mutex);
      taken.swap(jobs);
    }
    for (auto& job : taken) job();
  }
  void pump() { lane->pump(std::chrono::steady_clock::now()); }

  std::size_t queued() {
    auto r = store->read_deliveries("r", 0, 1000);
    BOOST_TEST_REQUIRE(is_ok(r));
    return r->size();
  }
  // The dispatcher's loop until the route's queue is empty.
  bool deliver_all() {
    return wait_until([&] {
      take_settlements();
      pump();
      return queued() == 0;
    });
  }
};

// The first copy of each event, in the order the broker accepted them.
std::vector<std::string> first_copies(const std::vector<std::string>& accepted) {
  std::vector<std::string> out;
  for (const auto& id : accepted) {
    if (std::find(out.begin(), out.end(), id) == out.end()) out.push_back(id);
  }
  return out;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(events_order, OrderFixture)

// The broker releases e1; e2 (the same lead's change) waits in the publisher for
// credit. When credit comes, e2 must not go before e1 is sent again.
BOOST_AUTO_TEST_CASE(a_released_event_is_not_overtaken_by_the_next_one_waiting_for_credit) {
  const Lead lead = create(minimal_lead("Ordered"));
  must_change(lead.id, R"({"subject":"changed"})");
  const auto ids = route_outbox();
  BOOST_TEST_REQUIRE(ids.size() == 2u);
  broker.credit_on_attach(1);
  broker.release_next(1);
  pump();  // both to the sink: e1 goes, e2 waits for credit
  BOOST_TEST_REQUIRE(wait_until([&] { return broker.released() == 1 && waiting_jobs() >= 1; }));
  broker.credit_on_attach(100);
  broker.grant(100);
  wait_until([&] { return !broker.accepted().empty(); }, 300ms);  // what was left of the round may go now
  BOOST_TEST_REQUIRE(deliver_all());
  BOOST_TEST(first_copies(broker.accepted()) == ids, "accepted: " << broker.accepted().size());
  BOOST_TEST(lane->status().delivered == 2u);
}

// The connection goes while e1 waits for credit; e1 is reported lost, but the lane
// has not heard yet when the hub is connected again and hands e2 to the sink. e2
// must not go before e1 is sent again.
BOOST_AUTO_TEST_CASE(an_event_sent_after_the_connection_went_does_not_overtake_the_lost_one) {
  const Lead lead = create(minimal_lead("Ordered"));
  const auto first = route_outbox();
  pump();  // e1 to the sink: no credit yet
  BOOST_TEST_REQUIRE(wait_until([&] { return broker.attaches() == 1; }));
  broker.close_connection();
  BOOST_TEST_REQUIRE(wait_until([&] { return waiting_jobs() >= 1; }));  // e1 lost, the lane does not know yet
  broker.credit_on_attach(100);
  BOOST_TEST_REQUIRE(wait_until([&] { return broker.connections() == 2; }));
  must_change(lead.id, R"({"subject":"changed"})");
  const auto second = route_outbox();
  pump();                                                         // e2 to the sink, before the lane takes e1's failure
  wait_until([&] { return !broker.accepted().empty(); }, 300ms);  // what the sink holds may go now
  BOOST_TEST_REQUIRE(deliver_all());
  const std::vector<std::string> ids = {first.at(0), second.at(0)};
  BOOST_TEST(first_copies(broker.accepted()) == ids, "accepted: " << broker.accepted().size());
}

// The same when the broker ends the route's link and the connection stays: e2
// waits in the publisher for the engine to attach the link again after its backoff.
BOOST_AUTO_TEST_CASE(an_event_sent_after_the_link_ended_does_not_overtake_the_lost_one) {
  const Lead lead = create(minimal_lead("Ordered"));
  const auto first = route_outbox();
  pump();
  BOOST_TEST_REQUIRE(wait_until([&] { return broker.attaches() == 1; }));
  broker.end_link();
  BOOST_TEST_REQUIRE(wait_until([&] { return waiting_jobs() >= 1; }));
  broker.credit_on_attach(100);
  must_change(lead.id, R"({"subject":"changed"})");
  const auto second = route_outbox();
  pump();
  wait_until([&] { return !broker.accepted().empty(); }, 300ms);
  BOOST_TEST_REQUIRE(deliver_all());
  const std::vector<std::string> ids = {first.at(0), second.at(0)};
  BOOST_TEST(first_copies(broker.accepted()) == ids, "accepted: " << broker.accepted().size());
}

BOOST_AUTO_TEST_SUITE_END()
