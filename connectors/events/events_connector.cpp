#include "events_connector.hpp"

#include "../amqp/engine.hpp"
#include "../framework/metrics.hpp"
#include "amqp_sink.hpp"
#include "dispatcher.hpp"
#include "http_sink.hpp"

namespace leadhub::connectors::events {
namespace {

class EventsConnector final : public Connector {
 public:
  explicit EventsConnector(std::unique_ptr<Dispatcher> dispatcher) : dispatcher_(std::move(dispatcher)) {}
  Status start() override { return dispatcher_->start(); }
  void stop() override { dispatcher_->stop(); }
  // Ready while it runs: a target that is down delays events (they wait in the
  // store) but must not take the hub's intake out of service. The detail says
  // which routes are retrying and how each target is doing.
  Health health() const override { return {dispatcher_->running(), dispatcher_->describe()}; }
  // Per route; the backlog (events in the outbox and in each delivery queue) is
  // read from the store with the hub's metrics.
  void report_metrics(Metrics& out) const override {
    for (const auto& lane : dispatcher_->lane_status()) {
      const MetricLabels labels{{"route", lane.route}};
      out.counter("leadhub_events_delivered_total", "Events the route's target accepted (acked and deleted)",
                  lane.delivered, labels);
      out.counter("leadhub_events_dead_lettered_total", "Events the route's target refused, moved to ROUTE.dead",
                  lane.dead_lettered, labels);
      out.counter("leadhub_events_failed_sends_total",
                  "Sends that failed (target down, 5xx, timeout) and are retried after a backoff", lane.failures,
                  labels);
      out.gauge("leadhub_events_in_flight", "Events sent and not yet settled by the route's target",
                static_cast<std::uint64_t>(lane.in_flight), labels);
      out.gauge("leadhub_events_route_failing", "1 while the route waits for its backoff after a failed send",
                std::uint64_t{lane.failing ? 1U : 0U}, labels);
    }
    dispatcher_->report_sink_metrics(out);
  }

 private:
  std::unique_ptr<Dispatcher> dispatcher_;
};

std::unique_ptr<Sink> make_sink(const TargetConfig& target, Hub& hub) {
  if (target.kind == TargetKind::http) return std::make_unique<HttpSink>(target);
  return std::make_unique<AmqpSink>(hub.store(), *target.amqp);
}

}  // namespace

Result<std::unique_ptr<Connector>> make_event_dispatcher(const std::string& file, const YAML::Node& events, Hub& hub) {
  auto config = read_events_config(file, events, hub.mappings());
  if (!config) return config.error();
  std::map<std::string, std::unique_ptr<Sink>> sinks;
  for (const auto& target : config->targets) sinks.emplace(target.name, make_sink(target, hub));
  auto dispatcher = std::make_unique<Dispatcher>(hub.store(), std::move(config).value(), std::move(sinks));
  return std::unique_ptr<Connector>(std::make_unique<EventsConnector>(std::move(dispatcher)));
}

}  // namespace leadhub::connectors::events
