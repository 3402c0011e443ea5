#include "aging_scheduler.hpp"

#include "log.hpp"

namespace leadhub::connectors {
namespace {

void add(AgingCounts& total, const AgingCounts& pass) {
  total.due += pass.due;
  total.escalated += pass.escalated;
  total.closed += pass.closed;
  total.reminded += pass.reminded;
  total.failed += pass.failed;
  total.more = pass.more;
}

std::string describe(const AgingCounts& c) {
  return "due " + std::to_string(c.due) + ", escalated " + std::to_string(c.escalated) + ", closed " +
         std::to_string(c.closed) + ", reminded " + std::to_string(c.reminded) + ", failed " + std::to_string(c.failed);
}

}  // namespace

Result<AgingCounts> run_all_due(LeadStore& store, TimeMs now, const std::atomic<bool>* stop) {
  AgingCounts total;
  do {
    auto pass = store.run_due(now);
    if (!pass) return pass.error();
    add(total, *pass);
  } while (total.more && (stop == nullptr || !stop->load()));
  return total;
}

AgingScheduler::AgingScheduler(LeadStore& store, const Clock& clock, std::chrono::milliseconds every)
    : store_(store), clock_(clock), every_(every) {}

AgingScheduler::~AgingScheduler() { stop(); }

Status AgingScheduler::start() {
  stopping_ = false;
  thread_ = std::thread([this] { loop(); });
  log::info("aging", "checking due leads every " + std::to_string(every_.count() / 1000) + " s");
  return ok_status();
}

void AgingScheduler::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

Health AgingScheduler::health() const {
  std::lock_guard lock(mutex_);
  return Health{true, last_.empty() ? std::string("starting") : last_};
}

void AgingScheduler::loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    pass();
    lock.lock();
    wake_.wait_for(lock, every_, [this] { return stopping_.load(); });
  }
}

// A failed pass (store unavailable) is logged and tried again at the next tick.
void AgingScheduler::pass() {
  auto counts = run_all_due(store_, clock_.now_ms(), &stopping_);
  std::string outcome = counts ? "last pass: " + describe(*counts) : "last pass failed: " + counts.error().message;
  if (!counts) {
    log::warn("aging", outcome);
  } else if (counts->due != 0) {
    log::info("aging", describe(*counts));
  }
  ++passes_;
  std::lock_guard lock(mutex_);
  last_ = std::move(outcome);
}

}  // namespace leadhub::connectors
