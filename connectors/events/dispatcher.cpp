#include "dispatcher.hpp"

#include "../framework/log.hpp"

namespace leadhub::connectors::events {
namespace {

// Commits wake the dispatcher; the poll only covers a wake-up it could miss (the
// listener is installed at start, after the store may have been written).
constexpr auto kPoll = std::chrono::seconds(1);

}  // namespace

Dispatcher::Dispatcher(LeadStore& store, EventsConfig config, std::map<std::string, std::unique_ptr<Sink>> sinks)
    : store_(store), config_(std::move(config)), sinks_(std::move(sinks)), router_(config_) {
  auto post = [inbox = inbox_](Inbox::Job job) { inbox->post(std::move(job)); };
  for (const auto& route : config_.routes) {
    lanes_.push_back(std::make_unique<Lane>(route, *sinks_.at(route.target), store_, config_.retry, post));
  }
}

Dispatcher::~Dispatcher() { stop(); }

Status Dispatcher::start() {
  for (auto& [name, sink] : sinks_) {
    if (auto st = sink->start(); !st) {
      stop();
      return st;
    }
    ++started_sinks_;
  }
  // Only a wake-up on the writer thread; the work happens on ours.
  store_.set_event_listener([inbox = inbox_] { inbox->wake(); });
  running_ = true;
  thread_ = std::thread([this] { run(); });
  log::info("events",
            std::to_string(config_.routes.size()) + " routes to " + std::to_string(sinks_.size()) + " targets");
  return ok_status();
}

void Dispatcher::stop() {
  if (thread_.joinable()) {
    stopping_ = true;
    inbox_->wake();
    thread_.join();
  }
  running_ = false;
  for (auto it = sinks_.begin(); started_sinks_ > 0 && it != sinks_.end(); ++it, --started_sinks_) {
    it->second->stop();
  }
  // Settlements that come in late refer to the lanes: dropped from here on.
  inbox_->close();
}

void Dispatcher::run() {
  auto next_poll = std::chrono::steady_clock::now();
  bool outbox_news = true;  // events may have been committed before the start
  std::deque<Inbox::Job> jobs;
  while (!stopping_) {
    for (auto& job : jobs) job();
    jobs.clear();
    auto now = std::chrono::steady_clock::now();
    if (outbox_news || now >= next_poll) {
      outbox_news = route_outbox();
      if (now >= next_poll) next_poll = now + kPoll;
    }
    auto deadline = next_poll;
    if (auto lane_due = pump_lanes(now); lane_due && *lane_due < deadline) deadline = *lane_due;
    publish_status();
    if (outbox_news) deadline = now;  // more to route: only take in what has arrived
    if (inbox_->wait(deadline, jobs)) outbox_news = true;
  }
  publish_status();
}

bool Dispatcher::route_outbox() {
  auto events = store_.read_outbox(kRouteBatch);
  if (!events) {
    log::error("events", "cannot read the outbox: " + events.error().message);
    return false;
  }
  if (events->empty()) return false;
  std::vector<RoutedEvent> routed;
  routed.reserve(events->size());
  for (const auto& event : *events) {
    auto view = read_event(event.json, false);
    if (view && router_.needs_lead(view->type)) view = read_event(event.json, true);
    if (!view) {
      // It will not read better later: dropped, and said so.
      log::error("events", "event " + std::to_string(event.seq) + " dropped: " + view.error().message + ": " +
                               (view.error().fields.empty() ? "" : view.error().fields.front().reason));
      routed.push_back({event.seq, {}});
      continue;
    }
    routed.push_back({event.seq, router_.queues_for(*view)});
  }
  if (auto st = store_.route_events(std::move(routed)); !st) {
    log::error("events", "cannot route events: " + st.error().message);
    return false;
  }
  return events->size() == kRouteBatch;
}

std::optional<SteadyTime> Dispatcher::pump_lanes(SteadyTime now) {
  std::optional<SteadyTime> earliest;
  for (auto& lane : lanes_) {
    const auto due = lane->pump(now);
    if (due && (!earliest || *due < *earliest)) earliest = due;
  }
  return earliest;
}

void Dispatcher::publish_status() {
  std::vector<LaneStatus> status;
  status.reserve(lanes_.size());
  for (const auto& lane : lanes_) status.push_back(lane->status());
  std::lock_guard lock(status_mutex_);
  status_ = std::move(status);
}

std::vector<LaneStatus> Dispatcher::lane_status() const {
  std::lock_guard lock(status_mutex_);
  return status_;
}

void Dispatcher::report_sink_metrics(Metrics& out) const {
  for (const auto& [name, sink] : sinks_) sink->report_metrics(out);
}

std::string Dispatcher::describe() const {
  std::uint64_t delivered = 0, dead = 0;
  std::string failing;
  {
    std::lock_guard lock(status_mutex_);
    for (const auto& s : status_) {
      delivered += s.delivered;
      dead += s.dead_lettered;
      if (s.failing) failing += "; route " + s.route + " retrying: " + s.last_error;
    }
  }
  std::string out = std::string(running_ ? "running" : "stopped") + ": events " + std::to_string(delivered) +
                    " delivered, " + std::to_string(dead) + " dead-lettered" + failing;
  for (const auto& [name, sink] : sinks_) out += "; target " + name + ": " + sink->describe();
  return out;
}

}  // namespace leadhub::connectors::events
