// Outbound messages by address: one sender per address (RabbitMQ 3.10 has no
// anonymous relay), messages queued while a sender has no credit or the
// connection is down, and each message's settlement reported back. Replies use
// it, and so does the event dispatcher (connectors/events): it deletes a delivery
// when it was `accepted`, dead-letters it when `rejected`, and sends it again
// otherwise (released, or lost with its link or connection).
//
// A sender the broker ends while the connection stays open (a detach, the end of
// its session, e.g. RabbitMQ's for an exchange deleted under it) is attached again
// by the engine, with the backoff of connectors/amqp/link_recovery; meanwhile its
// address's messages wait here.
//
// Container thread only, like every Proton object it holds.
#pragma once

#include <proton/connection.hpp>
#include <proton/message.hpp>
#include <proton/sender.hpp>
#include <proton/session.hpp>
#include <proton/tracker.hpp>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>

namespace leadhub::connectors::amqp {

// How the receiver (or the link's fate) settled a message.
enum class Settlement {
  accepted,
  rejected,  // refused for good: sending it again would be refused again
  released,  // not taken this time: may be sent again
  lost,      // the link or connection went before an outcome arrived
};

class Publisher {
 public:
  // `why` says more when it was not accepted (the receiver's error description).
  using Settled = std::function<void(Settlement outcome, const std::string& why)>;
  // Asked just before a message goes on the wire (and when it is queued): false
  // withdraws it, reported `lost`. The event dispatcher withdraws a route's later
  // messages once an earlier one failed, so that none of them overtakes its resend.
  using Wanted = std::function<bool()>;

  struct Options {
    // Broker mode, where the hub opens a sender for any address; else (direct
    // mode) only addresses that peers attached to can be sent to.
    bool open_on_demand = true;
    // Senders the hub opens ask for a durable node (RabbitMQ declares a queue with
    // the durability of the first link; a mismatch refuses the link).
    bool durable = true;
    // Messages of a link (or connection) that went are sent again once it is back
    // (replies): those not yet sent, and those sent and not settled, which the
    // receiver may then get twice. Otherwise they are reported lost, so an owner
    // that resends in order (the event dispatcher) never sees a later message
    // overtake.
    bool keep_queued = true;
    // An address whose first attach the broker refuses is attached again with
    // backoff (the event routes' configured addresses); otherwise its messages are
    // dropped (a reply_to a client named wrong).
    bool retry_refused = false;
    std::size_t max_queued_per_address = 10'000;
  };

  explicit Publisher(Options options) : options_(options) {}

  // Broker mode: senders for new addresses are opened on this connection.
  void use_connection(const proton::connection& connection);
  // The connection is gone (a reconnect follows): senders are dropped, and their
  // messages wait for the next use_connection() (keep_queued) or are reported lost.
  void connection_lost();
  // Direct mode: a peer attached a link to receive from `address` (a reply
  // address); messages for it go there.
  void adopt(const std::string& address, const proton::sender& sender);
  // Direct mode: a peer's link or connection went away; its messages that were
  // sent but not settled are reported as lost.
  void forget(const proton::sender& sender);
  void forget_connection(const proton::connection& connection);

  // Broker mode: the broker attached `sender` (it names a target). Returns its
  // address, or nothing when the sender is none of ours or was refused (the
  // broker attaches a refused link without a target, then detaches it).
  std::optional<std::string> attached(const proton::sender& sender);
  // Broker mode: the sender on `session`, which the broker ended (each sender has
  // a session of its own: RabbitMQ ends the whole session when it refuses an
  // attach or a publish, which on a shared session took every other link).
  std::optional<proton::sender> sender_on(const proton::session& session) const;
  // Broker mode: the broker ended `sender` (detached it, ended its session or
  // refused its attach). Its messages wait (keep_queued) or are reported lost.
  struct Ended {
    std::string address;
    bool refused = false;       // not attached before: the broker refused the address
    bool retry = false;         // attach it again (reattach()) after the backoff
    std::size_t unsettled = 0;  // sent and not settled when it ended
    std::size_t dropped = 0;    // reported lost: not sent again by the publisher
  };
  std::optional<Ended> ended(const proton::sender& sender);
  // After the backoff: attaches the address's sender again. False when there is
  // nothing to attach (nothing waits for it, or no connection): it is attached
  // again with its next message.
  bool reattach(const std::string& address);

  // Queues `message` for `address` and sends it as credit allows, unless `wanted`
  // says no by then. False when the address is unknown (direct mode, no peer
  // listening) or its queue is full.
  bool send(const std::string& address, proton::message message, Settled on_settled = {}, Wanted wanted = {});

  // Hooks for the messaging handler.
  void on_sendable(proton::sender& sender);
  void on_settled(proton::tracker& tracker, Settlement outcome, const std::string& why);

  std::size_t queued() const;
  std::size_t queued(const std::string& address) const;
  std::size_t unsettled() const { return unsettled_.size(); }

 private:
  struct Pending {
    proton::message message;
    Settled on_settled;
    Wanted wanted;  // none: always
    bool withdrawn() const { return wanted && !wanted(); }
  };
  struct Outlet {
    proton::sender sender;    // empty while none is open
    bool attached = false;    // the broker attached `sender`
    bool recovering = false;  // the broker ended it: attached again by reattach(), not by send()
    std::deque<Pending> queue;
  };
  struct Sent {
    std::string address;
    std::uint64_t order = 0;  // send order, to queue them again in it
    Pending pending;          // the message only with keep_queued
  };

  void flush(const std::string& address, Outlet& outlet);
  // Reports the messages waiting in `outlet` that are no longer wanted as lost and drops them.
  static void drop_withdrawn(Outlet& outlet);
  // Reports the messages waiting in `outlet` as lost and drops them; returns how many.
  static std::size_t fail_queued(Outlet& outlet, const std::string& why);
  // Reports the sent, unsettled messages whose tracker is `gone` as lost (direct mode).
  void fail_unsettled(const std::function<bool(const proton::tracker&)>& gone, const std::string& why);
  // The sent, unsettled messages of `sender` (every sender's when empty), in send
  // order: queued again at the front of their outlets (keep_queued), else reported
  // as lost. Returns how many.
  std::size_t take_back_unsettled(const proton::sender& sender, const std::string& why);
  void open_sender(const std::string& address, Outlet& outlet);
  Outlet* outlet_of(const proton::sender& sender, std::string* address = nullptr);

  Options options_;
  proton::connection connection_;  // broker mode; empty in direct mode
  bool connected_ = false;
  std::map<std::string, Outlet> outlets_;
  std::map<proton::tracker, Sent> unsettled_;
  std::uint64_t sent_ = 0;
};

}  // namespace leadhub::connectors::amqp
