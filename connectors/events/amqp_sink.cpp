#include "amqp_sink.hpp"

#include "../amqp/amqp_connector.hpp"

#include <proton/binary.hpp>
#include <proton/message.hpp>
#include <proton/message_id.hpp>

namespace leadhub::connectors::events {
namespace {

SendResult result_of(amqp::Settlement outcome, const std::string& why) {
  switch (outcome) {
    case amqp::Settlement::accepted:
      return {SendOutcome::accepted, ""};
    case amqp::Settlement::rejected:
      return {SendOutcome::refused, "the broker " + why};
    case amqp::Settlement::released:
    case amqp::Settlement::lost:
      break;
  }
  return {SendOutcome::failed, why};
}

proton::message to_proton(const Outgoing& m) {
  proton::message out;
  out.id(proton::message_id(m.message_id));
  out.subject(m.subject);
  out.content_type(m.content_type);
  out.durable(true);
  // A data section: AMQP 1.0 consumers get the bytes with the content type, and
  // RabbitMQ hands an AMQP 0-9-1 consumer (pika, the Java client) the same plain
  // bytes. A string body would reach those as encoded AMQP 1.0 sections.
  out.body(proton::binary(m.body.begin(), m.body.end()));
  out.inferred(true);
  out.properties().put("event_type", m.event_type);
  if (!m.lead_id.empty()) out.properties().put("lead_id", m.lead_id);
  return out;
}

}  // namespace

namespace {

amqp::EngineOptions for_events(amqp::EngineOptions options) {
  // A lane resends from its oldest unsettled event: a message still queued from
  // before a reconnect must not go out ahead of that.
  options.keep_queued_on_reconnect = false;
  // A route's address is configured: one the broker refuses (an exchange not yet
  // declared) is attached again with backoff, its events waiting in the store.
  options.retry_refused_addresses = true;
  return options;
}

}  // namespace

AmqpSink::AmqpSink(LeadStore& store, amqp::EngineOptions options)
    : unused_blocking_(1),
      unused_operations_(store, unused_blocking_),
      engine_(for_events(std::move(options)), unused_operations_) {}

Status AmqpSink::start() { return engine_.start(); }

void AmqpSink::stop() { engine_.stop(std::chrono::milliseconds(0)); }

void AmqpSink::report_metrics(Metrics& out) const {
  amqp::report_link_metrics(out, engine_.counters(), engine_.connector());
}

void AmqpSink::send(const std::string& address, const Outgoing& message, const std::shared_ptr<SendRound>& round,
                    Done done) {
  auto shared = std::make_shared<Done>(std::move(done));
  // Both run on the container thread, which learns of a failure (a release, the
  // link or connection gone) first: a later event of the round that has not gone
  // out by then never does, though the route handed it over before it heard.
  const bool queued = engine_.publish(
      address, to_proton(message),
      [shared, round](amqp::Settlement outcome, const std::string& why) {
        auto result = result_of(outcome, why);
        if (result.outcome == SendOutcome::failed) round->end();
        (*shared)(std::move(result));
      },
      [round] { return !round->ended(); });
  if (!queued) {
    round->end();
    (*shared)({SendOutcome::failed, "the broker connection is not running"});
  }
}

}  // namespace leadhub::connectors::events
