// Links the broker ended while the connection stayed open (a detach, the end of
// their session, an attach it refused), and when to attach each again: per link,
// the backoff of the connection's reconnect (initial delay, doubled per failed
// attempt, capped). One outage is one warning and one recovery line in the log,
// not a line per attempt; what is down is what /readyz and /metrics report.
//
// No Proton in here: the engine says what happened to which link and schedules
// the attempts. Container thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "../framework/backoff.hpp"

namespace leadhub::connectors::amqp {

// A receiving link takes messages from a queue; a sending link puts replies or
// events on an address.
enum class LinkRole { receiver, sender };

class LinkRecovery {
 public:
  using Clock = std::chrono::steady_clock;

  struct Outage {
    LinkRole role = LinkRole::receiver;
    std::string address;
    std::string why;  // the broker's error condition, as it last gave it
    Clock::time_point since;
    std::uint64_t failed_attempts = 0;  // attempts since, each refused
  };
  struct Lost {
    bool first = false;                 // a new outage: say so in the log
    std::chrono::milliseconds delay{};  // before the next attempt
  };
  struct Recovered {
    std::chrono::milliseconds down{};
    std::uint64_t failed_attempts = 0;
  };

  LinkRecovery(std::chrono::milliseconds initial, std::chrono::milliseconds max) : initial_(initial), max_(max) {}

  // The broker ended the link, or refused the attempt to attach it again.
  Lost lost(LinkRole role, const std::string& address, const std::string& why, Clock::time_point now);
  // The link is attached: the outage this ends, if it was down.
  std::optional<Recovered> attached(LinkRole role, const std::string& address, Clock::time_point now);
  // Not attached again (nothing waits for it): no longer reported.
  void forget(LinkRole role, const std::string& address);
  // The connection went: its reconnect attaches every link afresh.
  void clear() { links_.clear(); }

  bool down(LinkRole role, const std::string& address) const { return links_.count({role, address}) != 0; }
  std::size_t down(LinkRole role) const;
  std::vector<Outage> outages() const;

 private:
  struct State {
    Outage outage;
    Backoff backoff;
  };
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  std::map<std::pair<LinkRole, std::string>, State> links_;
};

}  // namespace leadhub::connectors::amqp
