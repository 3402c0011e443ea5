// Outbound messages by address: one sender per address (RabbitMQ 3.10 has no
// anonymous relay), messages queued while a sender has no credit or the
// connection is down, and each message's settlement reported back. Replies use
// it today; an outbox dispatcher can use it unchanged: send() an event with an
// on_settled that deletes the outbox entry when `accepted`, and keeps it for a
// retry otherwise (rejected, released, or the connection lost).
//
// Container thread only, like every Proton object it holds.
#pragma once

#include <proton/connection.hpp>
#include <proton/message.hpp>
#include <proton/sender.hpp>
#include <proton/tracker.hpp>

#include <deque>
#include <functional>
#include <map>
#include <string>

namespace leadhub::connectors::amqp {

class Publisher {
 public:
  // accepted: the receiver took it; else `why` says what happened instead.
  using Settled = std::function<void(bool accepted, const std::string& why)>;

  // open_on_demand: broker mode, where the hub opens a sender for any address;
  // else (direct mode) only addresses that peers attached to can be sent to.
  // durable: senders the hub opens ask for a durable node (RabbitMQ declares a
  // queue with the durability of the first link; a mismatch refuses the link).
  Publisher(bool open_on_demand, bool durable, std::size_t max_queued_per_address = 10'000)
      : open_on_demand_(open_on_demand), durable_(durable), max_queued_(max_queued_per_address) {}

  // Broker mode: senders for new addresses are opened on this connection.
  void use_connection(proton::connection connection);
  // The connection is gone (a reconnect follows): senders are dropped, queued
  // messages stay and go out once use_connection() is called again; messages
  // sent but not settled are reported as lost so their owners can resend.
  void connection_lost();
  // Direct mode: a peer attached a link to receive from `address` (a reply
  // address); messages for it go there.
  void adopt(const std::string& address, proton::sender sender);
  // A sender or all of a connection's senders went away.
  void forget(const proton::sender& sender);
  void forget_connection(const proton::connection& connection);

  // Queues `message` for `address` and sends it as credit allows. False when the
  // address is unknown (direct mode, no peer listening) or its queue is full.
  bool send(const std::string& address, proton::message message, Settled on_settled = {});

  // Hooks for the messaging handler.
  void on_sendable(proton::sender& sender);
  void on_settled(proton::tracker& tracker, bool accepted, const std::string& why);

  std::size_t queued() const;
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
  void open_sender(const std::string& address, Outlet& outlet);

  bool open_on_demand_;
  bool durable_;
  std::size_t max_queued_;
  proton::connection connection_;  // broker mode; empty in direct mode
  bool connected_ = false;
  std::map<std::string, Outlet> outlets_;
  std::map<proton::tracker, Settled> unsettled_;
};

}  // namespace leadhub::connectors::amqp
