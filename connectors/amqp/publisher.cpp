#include "publisher.hpp"

#include <proton/sender_options.hpp>
#include <proton/target.hpp>
#include <proton/target_options.hpp>

namespace leadhub::connectors::amqp {

void Publisher::use_connection(const proton::connection& connection) {
  connection_ = connection;
  connected_ = true;
  for (auto& [address, outlet] : outlets_) {
    if (!outlet.queue.empty()) open_sender(address, outlet);
  }
}

void Publisher::connection_lost() {
  connected_ = false;
  for (auto& [address, outlet] : outlets_) outlet.sender = proton::sender();
  auto lost = std::move(unsettled_);
  unsettled_.clear();
  for (auto& [tracker, settled] : lost) {
    if (settled) settled(Settlement::lost, "connection lost before the receiver settled it");
  }
  if (keep_queued_) return;
  for (auto& [address, outlet] : outlets_) fail_queued(outlet, "connection lost before it was sent");
}

std::size_t Publisher::fail_queued(Outlet& outlet, const std::string& why) {
  auto queued = std::move(outlet.queue);
  outlet.queue.clear();
  for (auto& pending : queued) {
    if (pending.on_settled) pending.on_settled(Settlement::lost, why);
  }
  return queued.size();
}

std::size_t Publisher::fail_unsettled(const proton::sender& sender, const std::string& why) {
  std::size_t n = 0;
  for (auto it = unsettled_.begin(); it != unsettled_.end();) {
    if (it->first.sender() == sender) {
      if (it->second) it->second(Settlement::lost, why);
      it = unsettled_.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  return n;
}

std::optional<Publisher::Refused> Publisher::refused(const proton::session& session, const std::string& why) {
  for (auto it = outlets_.begin(); it != outlets_.end(); ++it) {
    if (!it->second.sender || it->second.sender.session() != session) continue;
    Refused out{it->first, fail_unsettled(it->second.sender, why)};
    out.dropped += fail_queued(it->second, why);
    outlets_.erase(it);
    return out;
  }
  return std::nullopt;
}

void Publisher::adopt(const std::string& address, const proton::sender& sender) {
  auto& outlet = outlets_[address];
  outlet.sender = sender;
  flush(address, outlet);
}

void Publisher::forget(const proton::sender& sender) {
  // No outcome comes for a transfer whose link is gone: its owner would wait forever.
  fail_unsettled(sender, "link closed before the receiver settled it");
  for (auto it = outlets_.begin(); it != outlets_.end();) {
    if (it->second.sender == sender) {
      it->second.sender = proton::sender();
      if (!keep_queued_) fail_queued(it->second, "link closed before it was sent");
      // Direct mode: nobody else will attach to a dynamic address again.
      if (!open_on_demand_) {
        it = outlets_.erase(it);
        continue;
      }
    }
    ++it;
  }
}

void Publisher::forget_connection(const proton::connection& connection) {
  for (auto it = outlets_.begin(); it != outlets_.end();) {
    if (it->second.sender && it->second.sender.connection() == connection && !open_on_demand_) {
      it = outlets_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = unsettled_.begin(); it != unsettled_.end();) {
    if (it->first.connection() == connection) {
      if (it->second) it->second(Settlement::lost, "connection closed before the receiver settled it");
      it = unsettled_.erase(it);
    } else {
      ++it;
    }
  }
}

bool Publisher::send(const std::string& address, proton::message message, Settled on_settled) {
  auto it = outlets_.find(address);
  if (it == outlets_.end()) {
    if (!open_on_demand_) return false;  // direct mode: nobody receives from this address
    it = outlets_.emplace(address, Outlet{}).first;
  }
  auto& outlet = it->second;
  if (outlet.queue.size() >= max_queued_) return false;
  message.to(address);
  outlet.queue.push_back({std::move(message), std::move(on_settled)});
  if (!outlet.sender && connected_) open_sender(address, outlet);
  flush(address, outlet);
  return true;
}

void Publisher::open_sender(const std::string& address, Outlet& outlet) {
  if (outlet.sender || !connected_) return;
  proton::target_options target;
  target.durability_mode(durable_ ? proton::target::CONFIGURATION : proton::target::NONDURABLE);
  // A session per address: RabbitMQ ends the whole session when it refuses an
  // attach (an exchange or /amq/queue/ that does not exist), which would take the
  // other senders, and on the consumers' session every queue the hub consumes.
  outlet.sender = connection_.open_session().open_sender(address, proton::sender_options().target(target));
  // Called from work handed over by other threads too (the event dispatcher's
  // sends): without a wake the attach waits for the connection's next event,
  // which may be a heartbeat half a minute later.
  connection_.wake();
}

void Publisher::flush(const std::string&, Outlet& outlet) {
  if (!outlet.sender || !outlet.sender.active()) return;
  bool sent = false;
  while (!outlet.queue.empty() && outlet.sender.credit() > 0) {
    auto& next = outlet.queue.front();
    auto tracker = outlet.sender.send(next.message);
    unsettled_.emplace(std::move(tracker), std::move(next.on_settled));
    outlet.queue.pop_front();
    sent = true;
  }
  // send() may run outside the connection's own events (work handed back from
  // other threads): wake it so the transfer goes out now.
  if (sent) outlet.sender.connection().wake();
}

void Publisher::on_sendable(proton::sender& sender) {
  for (auto& [address, outlet] : outlets_) {
    if (outlet.sender == sender) flush(address, outlet);
  }
}

void Publisher::on_settled(proton::tracker& tracker, Settlement outcome, const std::string& why) {
  auto it = unsettled_.find(tracker);
  if (it == unsettled_.end()) return;
  auto settled = std::move(it->second);
  unsettled_.erase(it);
  if (settled) settled(outcome, why);
}

std::size_t Publisher::queued(const std::string& address) const {
  const auto it = outlets_.find(address);
  return it == outlets_.end() ? 0 : it->second.queue.size();
}

std::size_t Publisher::queued() const {
  std::size_t n = 0;
  for (const auto& [address, outlet] : outlets_) n += outlet.queue.size();
  return n;
}

}  // namespace leadhub::connectors::amqp
