// An http target: each event is POSTed to the target's URL (cpprestsdk's HTTP
// client). 2xx is accepted; 408, 429, 5xx and transport errors (refused
// connection, timeout) are retried, no sooner than a Retry-After asks; any other
// answer (a 4xx) refuses the event for good, so it goes to the route's dead-letter
// queue.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "events_config.hpp"
#include "sink.hpp"

namespace leadhub::connectors::events {

class HttpSink final : public Sink {
 public:
  explicit HttpSink(TargetConfig target);
  ~HttpSink() override;
  Status start() override;
  void stop() override;
  void send(const std::string& address, const Outgoing& message, const std::shared_ptr<SendRound>& round,
            Done done) override;
  // Parallel requests may arrive in any order: one at a time keeps commit order.
  std::size_t window() const override { return 1; }
  bool connected() const override;
  std::string describe() const override;

  // How an HTTP status settles an event (see above).
  static SendResult classify(unsigned status, const std::string& reason_phrase);
  // A failed answer's Retry-After (seconds, or an HTTP-date) as a wait, at most
  // kMaxRetryAfter; 0 when absent or unreadable.
  static std::chrono::milliseconds retry_after(const std::string& value);
  // An endpoint asking for a day keeps its events waiting an hour, not a day.
  static constexpr std::chrono::milliseconds kMaxRetryAfter{3'600'000};

 private:
  // The client and what requests report back: shared with requests in flight,
  // which may finish after the sink is gone. cpprestsdk stays out of this header.
  struct Client;

  TargetConfig target_;
  std::shared_ptr<Client> client_;
};

}  // namespace leadhub::connectors::events
