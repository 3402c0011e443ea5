// Where a route's deliveries go: an AMQP broker (amqp_sink) or a partner's REST
// endpoint (http_sink). A sink sends one message and reports how the receiver
// settled it; the route's lane (lane.hpp) decides what happens next.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "util/result.hpp"

namespace leadhub::connectors {
class Metrics;
}

namespace leadhub::connectors::events {

// One event as it leaves the hub.
struct Outgoing {
  std::string message_id;  // "leadhub-event-SEQ": the receiver's duplicate filter
  std::string subject;     // the event type
  std::string event_type;
  std::string lead_id;  // empty for events about no single lead
  std::string content_type = "application/json";
  std::string body;
};

enum class SendOutcome {
  accepted,  // the receiver took it: the delivery is deleted
  refused,   // refused for good (AMQP rejected, HTTP 4xx): to the dead-letter queue
  failed,    // not taken this time (released, connection lost, HTTP 5xx, timeout): sent again
};

struct SendResult {
  SendOutcome outcome = SendOutcome::failed;
  std::string reason;  // what the receiver or the transport said
  // failed: how long the receiver asked us to wait before sending again (an HTTP
  // Retry-After); the route waits at least this long, however short its backoff.
  std::chrono::milliseconds retry_after{0};
};

// A route's sends from the event it started (or started again) at, in sequence
// order (lane.hpp). Once one of them fails, none of the later ones may reach the
// receiver: they would arrive before the failed event, which the route sends
// again in its next round. The sink ends the round on the thread where it learns
// of the failure, before it reports it, and does not send a message of an ended
// round: the route has handed over messages it will send again, but does not know
// yet that it must.
class SendRound {
 public:
  bool ended() const { return ended_.load(std::memory_order_acquire); }
  void end() { ended_.store(true, std::memory_order_release); }

 private:
  std::atomic<bool> ended_{false};
};

class Sink {
 public:
  using Done = std::function<void(SendResult)>;

  virtual ~Sink() = default;
  virtual Status start() = 0;
  virtual void stop() = 0;
  // From the dispatcher's thread. `done` runs exactly once, on any thread, maybe
  // before send returns; `address` is the route's (AMQP) and empty for HTTP. A
  // message whose `round` has ended by the time it would go out is not sent:
  // `done` reports it failed. A failed send ends its round before `done` runs.
  virtual void send(const std::string& address, const Outgoing& message, const std::shared_ptr<SendRound>& round,
                    Done done) = 0;
  // How many messages a route may have unsettled at once on this sink. Order is
  // kept only where the transport keeps it: one AMQP link does, parallel HTTP
  // requests do not, so HTTP sends one at a time.
  virtual std::size_t window() const = 0;
  virtual bool connected() const = 0;
  virtual std::string describe() const = 0;
  // Adds the target's own metrics (an amqp target's links), from any thread.
  virtual void report_metrics(Metrics&) const {}
};

}  // namespace leadhub::connectors::events
