#include "recent_submissions.hpp"

namespace leadhub::connectors::http {

std::optional<RecentSubmissions::Claim> RecentSubmissions::known(const std::string& key, TimeMs now,
                                                                 std::int64_t window_ms, RecordId& existing,
                                                                 Waiter& waiter) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  if (it->second.in_flight) {
    it->second.waiters.push_back(std::move(waiter));
    return Claim::waiting;
  }
  if (now - it->second.at < window_ms) {
    existing = it->second.id;
    return Claim::existing;
  }
  entries_.erase(it);
  return std::nullopt;
}

RecentSubmissions::Claim RecentSubmissions::claim(const std::string& key, TimeMs now, std::int64_t window_ms,
                                                  RecordId& existing, const StoredLookup& stored, Waiter waiter) {
  {
    std::lock_guard lock(mutex_);
    if (auto c = known(key, now, window_ms, existing, waiter)) return *c;
  }
  // Not seen by this process: ask the store, outside the lock (it is a read).
  const auto found = stored();
  std::lock_guard lock(mutex_);
  if (auto c = known(key, now, window_ms, existing, waiter)) return *c;  // claimed meanwhile
  if (entries_.size() > 10'000) prune(now, window_ms);
  if (found && now - found->second < window_ms) {
    entries_[key] = Entry{found->first, found->second, false, {}};
    existing = found->first;
    return Claim::existing;
  }
  entries_[key] = Entry{RecordId{}, now, true, {}};
  return Claim::fresh;
}

void RecentSubmissions::finish(const std::string& key, Result<RecordId> result) {
  std::vector<Waiter> waiters;
  {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end()) return;
    waiters = std::move(it->second.waiters);
    if (result) {
      it->second.id = *result;
      it->second.in_flight = false;
    } else {
      entries_.erase(it);  // nothing stored: the next post tries again
    }
  }
  for (auto& w : waiters) w(result);
}

void RecentSubmissions::prune(TimeMs now, std::int64_t window_ms) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (!it->second.in_flight && now - it->second.at >= window_ms)
      it = entries_.erase(it);
    else
      ++it;
  }
}

}  // namespace leadhub::connectors::http
