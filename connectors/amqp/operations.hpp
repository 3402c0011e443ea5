// The lead operations as the AMQP connector offers them, independent of Proton:
// a Request (operation name, body, application properties, who asks) goes in, a
// Response (outcome, reply body in the party's format, and how to settle the
// message) comes out through a callback. Keeping this apart from the messaging
// code lets the request/reply path, one-way queues and a later outbox dispatcher
// share it, and lets it be read without knowing Proton.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "../framework/hub.hpp"
#include "../http/work_queue.hpp"
#include "mapping/engine.hpp"
#include "mapping/outbound.hpp"

namespace leadhub::connectors::amqp {

// The `outcome` application property of a reply.
enum class Outcome { ok, invalid, not_found, conflict, locked, forbidden, error };
const char* to_string(Outcome outcome);

// What happens to the request message: accepted after the commit, rejected
// (dead-lettered by a broker) for bad input, released for a transient failure.
enum class Settle { accept, reject, release };

// One configured address (a queue in broker mode, a node in direct mode).
struct Route {
  std::string address;
  std::shared_ptr<const mapping::Mapper> mapper;      // null: canonical JSON, the subject names the operation
  std::optional<mapping::OutboundSpec> reply_format;  // null: canonical JSON replies
  std::string partner;                                // the owner channel this address acts for ("": see users)
  // The operation of messages whose subject names none: no subject, or (through
  // RabbitMQ) an AMQP 0-9-1 publisher's routing key. See operation_for.
  std::string default_operation;
};

struct Request {
  std::string operation;  // CreateLead | CreateBusinessPartner | ReadLead | FindLeads | ChangeLead
  std::string body;
  std::string id;                      // application property `id` (ReadLead, ChangeLead)
  std::optional<std::string> version;  // application property `version` (ChangeLead)
  std::string idempotency_key;         // "amqp:CONNECTOR:MESSAGE-ID"; empty without a message id
  std::string partner;                 // scope: only this owner channel's leads; empty: all
  Actor actor;
};

struct Response {
  Outcome outcome = Outcome::ok;
  Settle settle = Settle::accept;
  bool write = false;  // a create or change: a redelivery must get this same reply
  std::string body;
  std::string content_type = "application/json";
  std::string condition;    // rejected: the AMQP error condition, e.g. amqp:decode-error
  std::string description;  // rejected: what is wrong, field by field
};

class Operations {
 public:
  using Done = std::function<void(Response)>;

  // `blocking` runs what would block the caller: partner creates, mapping of
  // partner documents and the steps of a multi-record message.
  Operations(LeadStore& store, http::WorkQueue& blocking) : store_(store), blocking_(blocking) {}

  // Calls `done` exactly once, from any thread (the caller's, the store's writer
  // or a blocking worker): the caller hands it back to its own thread.
  void run(const std::shared_ptr<const Route>& route, Request request, Done done);

  static const std::vector<std::string>& operation_names();
  // The operation a message with this subject asks for: the subject when it names
  // one, else the route's default_operation when it has one, else the subject
  // itself (run() refuses it, saying what to do). RabbitMQ hands a message from an
  // AMQP 0-9-1 client (pika, the Java client, ...) to an AMQP 1.0 consumer with the
  // publisher's routing key as subject and drops its headers and `type`, so such
  // clients reach the hub only through an address with an `operation:`.
  static std::string operation_for(const Route& route, const std::string& subject);

 private:
  using RoutePtr = std::shared_ptr<const Route>;
  void create_lead(const RoutePtr& route, Request&& request, Done&& done);
  void create_partner(const RoutePtr& route, Request&& request, Done&& done);
  void read_lead(const RoutePtr& route, const Request& request, Done&& done);
  void find_leads(const RoutePtr& route, const Request& request, Done&& done);
  void change_lead(const RoutePtr& route, Request&& request, Done&& done);
  void run_mapped(const RoutePtr& route, Request&& request, Done&& done);

  LeadStore& store_;
  http::WorkQueue& blocking_;
};

// Error -> outcome, settlement and body in the route's format.
Response error_response(const Route& route, const Error& error);
// Leads (one, several, or a find page when `page` is given) in the route's format.
Response leads_response(const Route& route, const std::vector<Lead>& leads, const mapping::FindPage* page);

}  // namespace leadhub::connectors::amqp
