// One route's delivery: its queue in the store is sent in sequence order through
// the route's sink, at most `window` unsettled at a time, and each event is acked
// (deleted) only once the target accepted it.
//
// Order per route is kept across failures: when a send fails, nothing new goes
// out until every message of the window has settled; then the lane waits its
// backoff and starts again from the oldest event not acked, in a new SendRound
// (sink.hpp), so the first copy of each event reaches the target in commit order
// (an event accepted after the failed one is sent again: at least once). The
// lane learns of a failure only when the settlement reaches its thread; what it
// handed to the sink meanwhile belongs to the failed round, which the sink ended
// where it saw the failure, so none of it overtakes the resend. A refused event is moved to the dead-letter
// queue ROUTE.dead with the reason, and delivery goes on.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "../framework/backoff.hpp"
#include "events_config.hpp"
#include "sink.hpp"
#include "store/lead_store.hpp"

namespace leadhub::connectors::events {

using SteadyTime = std::chrono::steady_clock::time_point;

struct LaneStatus {
  std::string route;
  std::size_t in_flight = 0;
  std::uint64_t delivered = 0;  // acked since the start
  std::uint64_t dead_lettered = 0;
  std::uint64_t failures = 0;  // sends that failed and were retried
  bool failing = false;        // waiting for its backoff after a failure
  std::string last_error;
};

class Lane {
 public:
  // Runs a job on the dispatcher's thread (settlements arrive on the sink's).
  using Post = std::function<void(std::function<void()>)>;

  Lane(const RouteConfig& route, Sink& sink, LeadStore& store, const RetryConfig& retry, Post post);
  Lane(const Lane&) = delete;
  Lane& operator=(const Lane&) = delete;

  // The rest on the dispatcher's thread only.
  void settled(std::uint64_t generation, std::uint64_t seq, const SendResult& result);
  // Acks and dead-letters what has settled, rewinds after a failure, sends what
  // comes next. Returns when it must run again at the latest (its backoff), or
  // nothing when only a settlement or a new event can move it.
  std::optional<SteadyTime> pump(SteadyTime now);
  LaneStatus status() const;

 private:
  enum class State { pending, accepted, refused, failed };
  struct InFlight {
    std::uint64_t seq = 0;
    State state = State::pending;
    std::string reason;      // refused: for the dead letter
    std::string event_json;  // refused: the dead letter carries it
  };

  void finish_settled_prefix();
  bool dead_letter(const InFlight& item);
  bool any_pending() const;
  void rewind(SteadyTime now);
  void fill();
  void send(StoredEvent event);
  void fail(const std::string& why, std::chrono::milliseconds retry_after = {});

  const RouteConfig& route_;
  Sink& sink_;
  LeadStore& store_;
  Post post_;
  Backoff backoff_;
  std::size_t window_limit_;
  std::deque<InFlight> window_;   // in send order, which is sequence order
  std::uint64_t cursor_ = 0;      // the last sequence number handed to the sink
  std::uint64_t generation_ = 0;  // bumped per rewind: late settlements of before are ignored
  std::shared_ptr<SendRound> round_ = std::make_shared<SendRound>();  // anew per rewind
  bool failing_ = false;  // a send failed: rewind once the window has settled
  SteadyTime retry_at_{};
  std::chrono::milliseconds asked_wait_{0};  // the failed round's longest Retry-After
  std::uint64_t delivered_ = 0, dead_lettered_ = 0, failures_ = 0;
  std::string last_error_;
};

}  // namespace leadhub::connectors::events
