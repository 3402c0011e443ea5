#include "lane.hpp"

#include <algorithm>

#include "../framework/log.hpp"
#include "event_view.hpp"
#include "routing.hpp"

namespace leadhub::connectors::events {
namespace {

const Actor& dispatcher_actor() {
  static const Actor kActor{"leadhub", "events"};
  return kActor;
}

std::string log_source(const RouteConfig& route) { return "events." + route.name; }

}  // namespace

Lane::Lane(const RouteConfig& route, Sink& sink, LeadStore& store, const RetryConfig& retry, Post post)
    : route_(route),
      sink_(sink),
      store_(store),
      post_(std::move(post)),
      backoff_(retry.initial, retry.max),
      window_limit_(std::max<std::size_t>(1, sink.window())) {}

void Lane::settled(std::uint64_t generation, std::uint64_t seq, const SendResult& result) {
  if (generation != generation_) return;
  const auto it = std::find_if(window_.begin(), window_.end(), [&](const InFlight& f) { return f.seq == seq; });
  if (it == window_.end() || it->state != State::pending) return;
  switch (result.outcome) {
    case SendOutcome::accepted:
      it->state = State::accepted;
      break;
    case SendOutcome::refused:
      it->state = State::refused;
      it->reason = result.reason;
      break;
    case SendOutcome::failed:
      it->state = State::failed;
      fail("event " + std::to_string(seq) + ": " + result.reason, result.retry_after);
      break;
  }
}

void Lane::fail(const std::string& why, std::chrono::milliseconds retry_after) {
  // What the sink still holds of this round goes again after the rewind: it need not go now.
  round_->end();
  asked_wait_ = std::max(asked_wait_, retry_after);
  if (!failing_) {
    ++failures_;
    last_error_ = why;  // the cause: later failures of the round follow from it (withdrawn sends)
  }
  failing_ = true;
}

std::optional<SteadyTime> Lane::pump(SteadyTime now) {
  finish_settled_prefix();
  if (failing_) {
    if (any_pending()) return std::nullopt;
    rewind(now);
  }
  if (now < retry_at_) return retry_at_;
  // Refill once half the window is free: fewer store reads under load.
  if (window_.size() <= window_limit_ / 2) fill();
  return std::nullopt;
}

// Acks the accepted and refused events at the head of the window, in one
// transaction. What follows a failed or pending event waits: after a failure it is
// sent again, so that the order the target sees last stays commit order.
void Lane::finish_settled_prefix() {
  std::vector<std::uint64_t> acks;
  std::size_t accepted = 0;
  while (!window_.empty() && (window_.front().state == State::accepted || window_.front().state == State::refused)) {
    const auto& head = window_.front();
    if (head.state == State::refused && !dead_letter(head)) break;
    if (head.state == State::accepted) ++accepted;
    acks.push_back(head.seq);
    window_.pop_front();
  }
  if (acks.empty()) return;
  if (auto st = store_.ack_deliveries(route_.name, acks); !st) {
    // Not deleted: they will be sent again after the rewind (at least once).
    return fail("cannot ack deliveries: " + st.error().message);
  }
  delivered_ += accepted;
  if (accepted > 0) backoff_.reset();
}

bool Lane::dead_letter(const InFlight& item) {
  auto st = store_.publish_event(kDeadLetterType, dispatcher_actor(),
                                 dead_letter_data(route_.name, item.reason, item.event_json));
  if (!st) {
    fail("cannot dead-letter event " + std::to_string(item.seq) + ": " + st.error().message);
    return false;
  }
  ++dead_lettered_;
  log::warn(log_source(route_), "event " + std::to_string(item.seq) + " refused, moved to " + route_.name +
                                    std::string(kDeadSuffix) + ": " + item.reason);
  return true;
}

bool Lane::any_pending() const {
  return std::any_of(window_.begin(), window_.end(), [](const InFlight& f) { return f.state == State::pending; });
}

void Lane::rewind(SteadyTime now) {
  // A receiver that says when to come back (HTTP 429/503 with Retry-After) is
  // asked no sooner: sending earlier only earns another refusal.
  const auto backoff = backoff_.next();
  const auto delay = std::max(backoff, asked_wait_);
  const bool asked = asked_wait_ > backoff;
  asked_wait_ = std::chrono::milliseconds(0);
  const std::uint64_t from = window_.empty() ? cursor_ : window_.front().seq;
  log::warn(log_source(route_), last_error_ + "; sending again from event " + std::to_string(from) + " in " +
                                    std::to_string(delay.count()) + " ms" +
                                    (asked ? " (as its Retry-After asks)" : ""));
  window_.clear();
  cursor_ = 0;  // everything before the failed event is acked: read from the oldest left
  ++generation_;
  round_ = std::make_shared<SendRound>();
  failing_ = false;
  retry_at_ = now + delay;
}

void Lane::fill() {
  const std::size_t room = window_limit_ - window_.size();
  auto batch = store_.read_deliveries(route_.name, cursor_, room);
  if (!batch) {
    fail("cannot read the delivery queue: " + batch.error().message);
    return;
  }
  for (auto& event : *batch) send(std::move(event));
}

void Lane::send(StoredEvent event) {
  cursor_ = event.seq;
  auto message = render_delivery(route_, event);
  InFlight item{event.seq, State::pending, {}, {}};
  if (!message) {
    // Rendering fails the same way every time: a refusal, not a retry.
    item.state = State::refused;
    item.reason = "cannot render: " + message.error().message;
    for (const auto& f : message.error().fields) item.reason += "; " + f.field + ": " + f.reason;
    item.event_json = std::move(event.json);
    window_.push_back(std::move(item));
    return;
  }
  item.event_json = std::move(event.json);
  window_.push_back(std::move(item));
  sink_.send(route_.address, *message, round_,
             [post = post_, this, generation = generation_, seq = event.seq](SendResult result) {
               post([this, generation, seq, result = std::move(result)] { settled(generation, seq, result); });
             });
}

LaneStatus Lane::status() const {
  LaneStatus s;
  s.route = route_.name;
  s.in_flight = window_.size();
  s.delivered = delivered_;
  s.dead_lettered = dead_lettered_;
  s.failures = failures_;
  s.failing = failing_ || retry_at_ > std::chrono::steady_clock::now();
  s.last_error = last_error_;
  return s;
}

}  // namespace leadhub::connectors::events
