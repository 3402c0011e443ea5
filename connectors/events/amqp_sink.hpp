// An amqp target: the amqp connector's Engine in broker mode with no queues to
// consume, used only for its connection (SASL, TLS, reconnect with backoff) and
// its Publisher (one sender per address, queued while disconnected).
#pragma once

#include "../amqp/engine.hpp"
#include "../http/work_queue.hpp"
#include "sink.hpp"

namespace leadhub::connectors::events {

class AmqpSink final : public Sink {
 public:
  // Messages a route may have unsettled: one link keeps their order.
  static constexpr std::size_t kWindow = 256;

  AmqpSink(LeadStore& store, amqp::EngineOptions options);
  Status start() override;
  void stop() override;
  void send(const std::string& address, const Outgoing& message, const std::shared_ptr<SendRound>& round,
            Done done) override;
  std::size_t window() const override { return kWindow; }
  bool connected() const override { return engine_.ready(); }
  std::string describe() const override { return engine_.describe(); }
  void report_metrics(Metrics& out) const override;

 private:
  // The Engine wants Operations for inbound messages; with no queues it never calls them.
  http::WorkQueue unused_blocking_;
  amqp::Operations unused_operations_;
  amqp::Engine engine_;
};

}  // namespace leadhub::connectors::events
