#include "publisher.hpp"

#include <proton/sender_options.hpp>
#include <proton/target.hpp>
#include <proton/target_options.hpp>

#include <algorithm>
#include <vector>

namespace leadhub::connectors::amqp {
namespace {

constexpr const char* kWithdrawn = "not sent: an earlier message of its sender failed first";

}  // namespace

void Publisher::use_connection(const proton::connection& connection) {
  connection_ = connection;
  connected_ = true;
  for (auto& [address, outlet] : outlets_) {
    if (!outlet.queue.empty()) open_sender(address, outlet);
  }
}

void Publisher::connection_lost() {
  connected_ = false;
  take_back_unsettled(proton::sender(), "connection lost before the receiver settled it");
  for (auto& [address, outlet] : outlets_) {
    outlet.sender = proton::sender();
    outlet.attached = false;
    outlet.recovering = false;  // the reconnect attaches every sender afresh
    if (!options_.keep_queued) fail_queued(outlet, "connection lost before it was sent");
  }
}

std::size_t Publisher::fail_queued(Outlet& outlet, const std::string& why) {
  auto queued = std::move(outlet.queue);
  outlet.queue.clear();
  for (auto& pending : queued) {
    if (pending.on_settled) pending.on_settled(Settlement::lost, why);
  }
  return queued.size();
}

std::size_t Publisher::take_back_unsettled(const proton::sender& sender, const std::string& why) {
  std::vector<Sent> taken;
  for (auto it = unsettled_.begin(); it != unsettled_.end();) {
    if (!sender || it->first.sender() == sender) {
      taken.push_back(std::move(it->second));
      it = unsettled_.erase(it);
    } else {
      ++it;
    }
  }
  // Newest first, each to the front of its queue: they go out again in send order.
  std::sort(taken.begin(), taken.end(), [](const Sent& a, const Sent& b) { return a.order > b.order; });
  for (auto& sent : taken) {
    const auto outlet = outlets_.find(sent.address);
    if (options_.keep_queued && outlet != outlets_.end()) {
      outlet->second.queue.push_front(std::move(sent.pending));
    } else if (sent.pending.on_settled) {
      sent.pending.on_settled(Settlement::lost, why);
    }
  }
  return taken.size();
}

Publisher::Outlet* Publisher::outlet_of(const proton::sender& sender, std::string* address) {
  for (auto& [name, outlet] : outlets_) {
    if (outlet.sender && outlet.sender == sender) {
      if (address) *address = name;
      return &outlet;
    }
  }
  return nullptr;
}

std::optional<std::string> Publisher::attached(const proton::sender& sender) {
  std::string address;
  auto* outlet = outlet_of(sender, &address);
  if (!outlet || sender.target().address().empty()) return std::nullopt;
  outlet->attached = true;
  outlet->recovering = false;
  flush(address, *outlet);
  return address;
}

std::optional<proton::sender> Publisher::sender_on(const proton::session& session) const {
  for (const auto& [address, outlet] : outlets_) {
    if (outlet.sender && outlet.sender.session() == session) return outlet.sender;
  }
  return std::nullopt;
}

std::optional<Publisher::Ended> Publisher::ended(const proton::sender& sender) {
  Ended out;
  auto* outlet = outlet_of(sender, &out.address);
  if (!outlet) return std::nullopt;
  out.refused = !outlet->attached && !outlet->recovering;
  out.unsettled = take_back_unsettled(sender, "link ended before the receiver settled it");
  outlet->sender = proton::sender();
  outlet->attached = false;
  if (out.refused && !options_.retry_refused) {
    // A reply address the broker does not have: what waits for it never goes.
    out.dropped = fail_queued(*outlet, "the broker refused the address");
    outlets_.erase(out.address);
    return out;
  }
  if (!options_.keep_queued) {
    out.dropped = out.unsettled + fail_queued(*outlet, "link ended before it was sent");
  }
  outlet->recovering = true;
  out.retry = true;
  return out;
}

bool Publisher::reattach(const std::string& address) {
  const auto it = outlets_.find(address);
  if (it == outlets_.end() || !it->second.recovering || it->second.sender || !connected_) return false;
  if (it->second.queue.empty() && !options_.retry_refused) {
    outlets_.erase(it);  // nothing waits: its next message opens a sender
    return false;
  }
  open_sender(address, it->second);
  return true;
}

void Publisher::adopt(const std::string& address, const proton::sender& sender) {
  auto& outlet = outlets_[address];
  outlet.sender = sender;
  flush(address, outlet);
}

void Publisher::fail_unsettled(const std::function<bool(const proton::tracker&)>& gone, const std::string& why) {
  for (auto it = unsettled_.begin(); it != unsettled_.end();) {
    if (gone(it->first)) {
      if (it->second.pending.on_settled) it->second.pending.on_settled(Settlement::lost, why);
      it = unsettled_.erase(it);
    } else {
      ++it;
    }
  }
}

void Publisher::forget(const proton::sender& sender) {
  // No outcome comes for a transfer whose link is gone: its owner would wait forever.
  fail_unsettled([&](const proton::tracker& t) { return t.sender() == sender; },
                 "link closed before the receiver settled it");
  // Direct mode: nobody else will attach to a dynamic address again.
  for (auto it = outlets_.begin(); it != outlets_.end();) {
    if (it->second.sender == sender) {
      it = outlets_.erase(it);
    } else {
      ++it;
    }
  }
}

void Publisher::forget_connection(const proton::connection& connection) {
  for (auto it = outlets_.begin(); it != outlets_.end();) {
    if (it->second.sender && it->second.sender.connection() == connection) {
      it = outlets_.erase(it);
    } else {
      ++it;
    }
  }
  fail_unsettled([&](const proton::tracker& t) { return t.connection() == connection; },
                 "connection closed before the receiver settled it");
}

bool Publisher::send(const std::string& address, proton::message message, Settled on_settled, Wanted wanted) {
  Pending pending{std::move(message), std::move(on_settled), std::move(wanted)};
  if (pending.withdrawn()) {
    if (pending.on_settled) pending.on_settled(Settlement::lost, kWithdrawn);
    return true;
  }
  auto it = outlets_.find(address);
  if (it == outlets_.end()) {
    if (!options_.open_on_demand) return false;  // direct mode: nobody receives from this address
    it = outlets_.emplace(address, Outlet{}).first;
  }
  auto& outlet = it->second;
  if (outlet.queue.size() >= options_.max_queued_per_address) return false;
  pending.message.to(address);
  outlet.queue.push_back(std::move(pending));
  // A sender the broker ended waits for reattach(), after its backoff.
  if (!outlet.sender && !outlet.recovering && connected_) open_sender(address, outlet);
  flush(address, outlet);
  return true;
}

void Publisher::open_sender(const std::string& address, Outlet& outlet) {
  if (outlet.sender || !connected_) return;
  proton::target_options target;
  target.durability_mode(options_.durable ? proton::target::CONFIGURATION : proton::target::NONDURABLE);
  // A session per address: RabbitMQ ends the whole session when it refuses an
  // attach (an exchange or /amq/queue/ that does not exist) or a publish (an
  // exchange deleted meanwhile), which would take the other senders with it.
  outlet.sender = connection_.open_session().open_sender(address, proton::sender_options().target(target));
  outlet.attached = false;
  // Called from work handed over by other threads too (the event dispatcher's
  // sends) and from timers: without a wake the attach waits for the connection's
  // next event, which may be a heartbeat half a minute later.
  connection_.wake();
}

void Publisher::flush(const std::string& address, Outlet& outlet) {
  if (!outlet.sender || !outlet.sender.active()) return;
  bool sent = false;
  while (!outlet.queue.empty() && outlet.sender.credit() > 0) {
    auto& next = outlet.queue.front();
    if (next.withdrawn()) {
      auto withdrawn = std::move(next);
      outlet.queue.pop_front();
      if (withdrawn.on_settled) withdrawn.on_settled(Settlement::lost, kWithdrawn);
      continue;
    }
    auto tracker = outlet.sender.send(next.message);
    Sent record{address, ++sent_, {}};
    if (options_.keep_queued) record.pending.message = std::move(next.message);
    record.pending.on_settled = std::move(next.on_settled);
    record.pending.wanted = std::move(next.wanted);
    unsettled_.emplace(std::move(tracker), std::move(record));
    outlet.queue.pop_front();
    sent = true;
  }
  // send() may run outside the connection's own events (work handed back from
  // other threads): wake it so the transfer goes out now.
  if (sent) outlet.sender.connection().wake();
}

void Publisher::on_sendable(proton::sender& sender) {
  std::string address;
  if (auto* outlet = outlet_of(sender, &address)) flush(address, *outlet);
}

void Publisher::on_settled(proton::tracker& tracker, Settlement outcome, const std::string& why) {
  auto it = unsettled_.find(tracker);
  if (it == unsettled_.end()) return;
  auto settled = std::move(it->second.pending.on_settled);
  const auto address = std::move(it->second.address);
  unsettled_.erase(it);
  if (settled) settled(outcome, why);
  // Its owner may have withdrawn what waits behind it (a released event): said now,
  // not when credit comes.
  if (outcome == Settlement::accepted) return;
  if (const auto outlet = outlets_.find(address); outlet != outlets_.end()) drop_withdrawn(outlet->second);
}

void Publisher::drop_withdrawn(Outlet& outlet) {
  std::deque<Pending> kept;
  std::vector<Pending> dropped;
  for (auto& pending : outlet.queue) {
    if (pending.withdrawn()) {
      dropped.push_back(std::move(pending));
    } else {
      kept.push_back(std::move(pending));
    }
  }
  outlet.queue = std::move(kept);
  for (auto& pending : dropped) {
    if (pending.on_settled) pending.on_settled(Settlement::lost, kWithdrawn);
  }
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
