#include "link_recovery.hpp"

namespace leadhub::connectors::amqp {

LinkRecovery::Lost LinkRecovery::lost(LinkRole role, const std::string& address, const std::string& why,
                                      Clock::time_point now) {
  auto [it, first] = links_.try_emplace({role, address}, State{Outage{role, address, why, now, 0}, {initial_, max_}});
  auto& state = it->second;
  if (!first) ++state.outage.failed_attempts;
  state.outage.why = why;
  return {first, state.backoff.next()};
}

std::optional<LinkRecovery::Recovered> LinkRecovery::attached(LinkRole role, const std::string& address,
                                                              Clock::time_point now) {
  const auto it = links_.find({role, address});
  if (it == links_.end()) return std::nullopt;
  const Recovered out{std::chrono::duration_cast<std::chrono::milliseconds>(now - it->second.outage.since),
                      it->second.outage.failed_attempts};
  links_.erase(it);
  return out;
}

void LinkRecovery::forget(LinkRole role, const std::string& address) { links_.erase({role, address}); }

std::size_t LinkRecovery::down(LinkRole role) const {
  std::size_t n = 0;
  for (const auto& [key, state] : links_) n += key.first == role ? 1 : 0;
  return n;
}

std::vector<LinkRecovery::Outage> LinkRecovery::outages() const {
  std::vector<Outage> out;
  out.reserve(links_.size());
  for (const auto& [key, state] : links_) out.push_back(state.outage);
  return out;
}

}  // namespace leadhub::connectors::amqp
