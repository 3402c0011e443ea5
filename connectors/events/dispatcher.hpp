// The event dispatcher: one thread that routes the store's outbox into per-route
// delivery queues and sends each route's queue through its target (lane.hpp).
// It wakes when the store commits events (LeadStore::set_event_listener), when a
// target settles a message, when a route's backoff ends, and once a second anyway.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "events_config.hpp"
#include "inbox.hpp"
#include "lane.hpp"
#include "routing.hpp"
#include "sink.hpp"
#include "store/lead_store.hpp"

namespace leadhub::connectors::events {

class Dispatcher {
 public:
  // `sinks`: one per target, by target name.
  Dispatcher(LeadStore& store, EventsConfig config, std::map<std::string, std::unique_ptr<Sink>> sinks);
  ~Dispatcher();
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Starts the targets and the thread; set up before anything writes to the store
  // (the listener is installed here).
  Status start();
  // Stops the thread and the targets. What is not acked stays in the store.
  void stop();
  bool running() const { return running_.load(); }
  // One line: totals, failing routes, each target's state.
  std::string describe() const;
  // Each route's counts as of the end of the latest round (for /metrics).
  std::vector<LaneStatus> lane_status() const;
  // Each target's own metrics (Sink::report_metrics), from any thread.
  void report_sink_metrics(Metrics& out) const;

  // Outbox events routed per call at most.
  static constexpr std::size_t kRouteBatch = 1000;

 private:
  void run();
  // Routes one batch of the outbox; true when more may be waiting.
  bool route_outbox();
  std::optional<SteadyTime> pump_lanes(SteadyTime now);
  // After every round: a handful of small strings under a lock, so /readyz is current.
  void publish_status();

  LeadStore& store_;
  EventsConfig config_;
  std::map<std::string, std::unique_ptr<Sink>> sinks_;
  Router router_;
  std::shared_ptr<Inbox> inbox_ = std::make_shared<Inbox>();
  std::vector<std::unique_ptr<Lane>> lanes_;
  std::thread thread_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> running_{false};
  std::size_t started_sinks_ = 0;

  mutable std::mutex status_mutex_;
  std::vector<LaneStatus> status_;  // the lanes' last status, for describe()
};

}  // namespace leadhub::connectors::events
