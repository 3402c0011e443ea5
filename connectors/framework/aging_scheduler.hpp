// The aging scheduler of `leadhub serve` (processing: aging:): a thread that runs
// the store's due work (LeadStore::run_due: escalations, aged closes, reminders)
// at start and then every `aging.check_every_seconds`. The store reads only the
// due part of its due index, so a pass costs what is due, not the store's size.
// A Connector so the hub starts and stops it with the others.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "connector.hpp"
#include "store/lead_store.hpp"
#include "util/clock.hpp"

namespace leadhub::connectors {

// Runs LeadStore::run_due at `now` until nothing more is due (or `stop` is set);
// returns the summed counts. Shared by the scheduler and `leadhub aging run`.
Result<AgingCounts> run_all_due(LeadStore& store, TimeMs now, const std::atomic<bool>* stop = nullptr);

class AgingScheduler final : public Connector {
 public:
  AgingScheduler(LeadStore& store, const Clock& clock, std::chrono::milliseconds every);
  ~AgingScheduler() override;
  AgingScheduler(const AgingScheduler&) = delete;
  AgingScheduler& operator=(const AgingScheduler&) = delete;

  Status start() override;
  void stop() override;
  Health health() const override;
  std::uint64_t passes() const { return passes_.load(); }

 private:
  void loop();
  void pass();

  LeadStore& store_;
  const Clock& clock_;
  std::chrono::milliseconds every_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint64_t> passes_{0};
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::string last_;  // the last pass's outcome, for health
  std::thread thread_;
};

}  // namespace leadhub::connectors
