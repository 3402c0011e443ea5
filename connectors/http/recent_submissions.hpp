// Double-submit guard for web forms: the first post of an e-mail on a form within
// the window creates the lead; later ones (also those arriving while the first is
// still being stored) get the first lead's id. Thread-safe.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "model/ids.hpp"
#include "util/clock.hpp"
#include "util/result.hpp"

namespace leadhub::connectors::http {

class RecentSubmissions {
 public:
  enum class Claim {
    fresh,     // the caller creates the lead, then calls finish()
    existing,  // `existing` holds the first lead's id
    waiting,   // the first post is still being stored; `waiter` gets its result
  };
  using Waiter = std::function<void(Result<RecordId>)>;
  // Looks the submission up in the store (for posts from before a restart).
  using StoredLookup = std::function<std::optional<std::pair<RecordId, TimeMs>>()>;

  Claim claim(const std::string& key, TimeMs now, std::int64_t window_ms, RecordId& existing,
              const StoredLookup& stored, Waiter waiter);
  void finish(const std::string& key, Result<RecordId> result);

 private:
  struct Entry {
    RecordId id;
    TimeMs at = 0;
    bool in_flight = true;
    std::vector<Waiter> waiters;
  };
  // Under the lock: the answer for an entry that is there, or nullopt.
  std::optional<Claim> known(const std::string& key, TimeMs now, std::int64_t window_ms, RecordId& existing,
                             Waiter& waiter);
  void remember(const std::string& key, Entry entry);
  // Drops entries older than the window, oldest first, and the oldest beyond
  // kMaxEntries (the store lookup still finds those): O(1) per call on average.
  void prune(TimeMs now, std::int64_t window_ms);

  static constexpr std::size_t kMaxEntries = 100'000;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;
  std::deque<std::pair<TimeMs, std::string>> by_age_;  // (at, key) as remembered
};

}  // namespace leadhub::connectors::http
