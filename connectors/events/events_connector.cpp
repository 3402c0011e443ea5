#include "events_connector.hpp"

#include "../amqp/engine.hpp"
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
