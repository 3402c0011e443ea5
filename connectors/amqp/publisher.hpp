// Outbound messages by address: one sender per address (RabbitMQ 3.10 has no
// anonymous relay), messages queued while a sender has no credit or the
// connection is down, and each message's settlement reported back. Replies use
// it, and so does the event dispatcher (connectors/events): it deletes a delivery
// when it was `accepted`, dead-letters it when `rejected`, and sends it again
// otherwise (released, or lost with its link or connection).
//
// Container thread only, like every Proton object it holds.
#pragma once

#include <proton/connection.hpp>
#include <proton/message.hpp>
#include <proton/sender.hpp>
#include <proton/session.hpp>
#include <proton/tracker.hpp>

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

  // open_on_demand: broker mode, where the hub opens a sender for any address;
  // else (direct mode) only addresses that peers attached to can be sent to.
  // durable: senders the hub opens ask for a durable node (RabbitMQ declares a
  // queue with the durability of the first link; a mismatch refuses the link).
  // keep_queued: messages not yet sent when the connection goes wait for the
  // next one (replies); otherwise they are reported lost too, so an owner that
  // resends in order (the event dispatcher) never sees a later message overtake.
  Publisher(bool open_on_demand, bool durable, bool keep_queued = true, std::size_t max_queued_per_address = 10'000)
      : open_on_demand_(open_on_demand),
        durable_(durable),
        keep_queued_(keep_queued),
        max_queued_(max_queued_per_address) {}

  // Broker mode: senders for new addresses are opened on this connection.
  void use_connection(const proton::connection& connection);
  // The connection is gone (a reconnect follows): senders are dropped, queued
  // messages stay and go out once use_connection() is called again (unless not
  // keep_queued); messages sent but not settled are reported as lost so their
  // owners can resend.
  void connection_lost();
  // Direct mode: a peer attached a link to receive from `address` (a reply
  // address); messages for it go there.
  void adopt(const std::string& address, const proton::sender& sender);
  // A sender or all of a connection's senders went away; its messages that were
  // sent but not settled are reported as lost.
  void forget(const proton::sender& sender);
  void forget_connection(const proton::connection& connection);
  // Broker mode: the broker refused the address of the sender on `session` (it
  // ends the whole session when an attach fails: RabbitMQ for a missing exchange
  // or a /amq/queue/ that does not exist). Its messages, queued and unsettled, are
  // reported lost and dropped, and so is the address's sender; a later send opens
  // a new one. Returns the address and how many messages were dropped, or nothing
  // when the session was none of the publisher's.
  struct Refused {
    std::string address;
    std::size_t dropped = 0;
  };
  std::optional<Refused> refused(const proton::session& session, const std::string& why);

  // Queues `message` for `address` and sends it as credit allows. False when the
  // address is unknown (direct mode, no peer listening) or its queue is full.
  bool send(const std::string& address, proton::message message, Settled on_settled = {});

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
  };
  struct Outlet {
    proton::sender sender;  // empty while none is open
    std::deque<Pending> queue;
  };

  void flush(const std::string& address, Outlet& outlet);
  // Reports the messages waiting in `outlet` as lost and drops them; returns how many.
  std::size_t fail_queued(Outlet& outlet, const std::string& why);
  // Reports the sent, unsettled messages of `sender` as lost; returns how many.
  std::size_t fail_unsettled(const proton::sender& sender, const std::string& why);
  void open_sender(const std::string& address, Outlet& outlet);

  bool open_on_demand_;
  bool durable_;
  bool keep_queued_;
  std::size_t max_queued_;
  proton::connection connection_;  // broker mode; empty in direct mode
  bool connected_ = false;
  std::map<std::string, Outlet> outlets_;
  std::map<proton::tracker, Settled> unsettled_;
};

}  // namespace leadhub::connectors::amqp
