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
  prune(now, window_ms);
  if (found && now - found->second < window_ms) {
    remember(key, Entry{found->first, found->second, false, {}});
    existing = found->first;
    return Claim::existing;
  }
  remember(key, Entry{RecordId{}, now, true, {}});
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

void RecentSubmissions::remember(const std::string& key, Entry entry) {
  by_age_.emplace_back(entry.at, key);
  entries_[key] = std::move(entry);
}

void RecentSubmissions::prune(TimeMs now, std::int64_t window_ms) {
  while (!by_age_.empty()) {
    const auto& [at, key] = by_age_.front();
    const bool expired = now - at >= window_ms;
    if (!expired && entries_.size() <= kMaxEntries) return;
    auto it = entries_.find(key);
    if (it != entries_.end() && it->second.at == at) {
      if (it->second.in_flight) return;  // its waiters need it; it finishes within milliseconds
      entries_.erase(it);
    }
    by_age_.pop_front();  // gone, or remembered again later under a newer item
  }
}

}  // namespace leadhub::connectors::http
