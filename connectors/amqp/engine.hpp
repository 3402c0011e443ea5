// The Proton side of the amqp connector: one container on its own thread,
// either listening (direct mode: the hub is the node for its addresses and hands
// out dynamic reply addresses) or connected to a broker (consumes the configured
// queues, reconnects with backoff, and attaches again with backoff each link the
// broker ends while the connection stays: see link_recovery.hpp). Messages go to
// Operations; each result comes back from the store's thread through a
// proton::work_queue, then the reply is sent and the message settled, in that order.
#pragma once

#include <proton/container.hpp>
#include <proton/delivery.hpp>
#include <proton/listen_handler.hpp>
#include <proton/listener.hpp>
#include <proton/messaging_handler.hpp>
#include <proton/receiver.hpp>
#include <proton/ssl.hpp>
#include <proton/work_queue.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <future>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>

#include "link_order.hpp"
#include "link_recovery.hpp"
#include "operations.hpp"
#include "publisher.hpp"
#include "sasl_plain.hpp"

namespace leadhub::connectors::amqp {

enum class Mode { listen, broker };

// What the engine counts for /metrics, read from any thread (relaxed atomics).
struct EngineCounters {
  static constexpr std::size_t kOutcomes = 7;  // Outcome::ok .. Outcome::error
  std::atomic<std::uint64_t> received{0};      // messages on the links the hub receives from
  // How they were settled: accepted after the commit, rejected for bad input (a
  // refused one-way message too), released for the peer to send again.
  std::atomic<std::uint64_t> accepted{0}, rejected{0}, released{0};
  std::array<std::atomic<std::uint64_t>, kOutcomes> replies{};  // replies sent, by Outcome
  std::atomic<std::uint64_t> replies_dropped{0};                // nobody receives from the reply address
  // Broker mode: links the broker ended (or refused) while the connection stayed
  // open, one per outage however many attempts it took; and those down now.
  std::atomic<std::uint64_t> link_outages{0};
  std::atomic<std::uint64_t> links_down{0};
};

struct EngineOptions {
  std::string connector;  // instance name: idempotency keys, audit trail, logs
  Mode mode = Mode::listen;
  std::string listen_host = "127.0.0.1";
  std::uint16_t listen_port = 5672;
  std::string url;  // broker mode: amqp://host:port
  std::string user;
  std::string password;
  std::string sasl_mechanisms;  // allowed mechanisms, e.g. "PLAIN ANONYMOUS"; empty: Proton's default
  std::uint32_t credit = 300;   // unsettled messages per link, sized to the store's group commit
  bool durable = true;          // broker queues: durable terminus (RabbitMQ declares durable queues)
  // Messages to publish that wait for credit when the connection goes: sent after
  // the reconnect (replies), or reported lost for their owner to resend in order.
  bool keep_queued_on_reconnect = true;
  // Broker mode: an address whose first attach the broker refuses is attached again
  // with backoff (the event routes' configured addresses); otherwise its messages
  // are dropped (a reply_to that a client named wrong).
  bool retry_refused_addresses = false;
  std::chrono::milliseconds reconnect_delay{200};
  std::chrono::milliseconds reconnect_max_delay{10'000};
  std::size_t max_message_bytes = 16 << 20;
  std::size_t reply_cache = 10'000;                 // replies of writes kept for redelivered messages
  std::map<std::string, std::string> user_partner;  // SASL user (or validated user_id) -> owner channel
  std::vector<sasl::Login> logins;                  // listen mode: SASL PLAIN logins (password hashes)
  // listen mode: TLS when a certificate is given (PEM files)
  std::string tls_certificate;
  std::string tls_private_key;
  std::string tls_private_key_password;
  // broker mode: TLS when `tls` (or an amqps:// url); verify the broker's
  // certificate and name against tls_ca (empty: the system's trusted CAs)
  bool tls = false;
  bool tls_verify = true;
  std::string tls_ca;
  std::vector<std::shared_ptr<const Route>> routes;
};

class Engine final : public proton::messaging_handler {
 public:
  Engine(EngineOptions options, Operations& operations);
  ~Engine() override;

  // Starts the container thread; returns once it listens (or first tries the broker).
  Status start();
  // Stops taking messages, waits for those in flight (up to `grace`), closes everything.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(30));
  std::string describe() const;
  bool ready() const { return ready_.load(); }
  Mode mode() const { return options_.mode; }
  const std::string& connector() const { return options_.connector; }
  const EngineCounters& counters() const { return counters_; }
  // From any thread, in broker mode: sends `message` to `address` through the
  // publisher (queued while disconnected); on_settled runs on the container
  // thread, and so does `wanted` (Publisher::Wanted). False when the container does
  // not run (then on_settled is not called).
  bool publish(std::string address, proton::message message, Publisher::Settled on_settled,
               Publisher::Wanted wanted = {});

  // proton::messaging_handler
  void on_container_start(proton::container& c) override;
  void on_connection_open(proton::connection& c) override;
  void on_connection_close(proton::connection& c) override;
  void on_transport_error(proton::transport& t) override;
  void on_transport_close(proton::transport& t) override;
  void on_receiver_open(proton::receiver& r) override;
  void on_receiver_close(proton::receiver& r) override;
  void on_receiver_detach(proton::receiver& r) override;
  void on_receiver_error(proton::receiver& r) override;
  void on_sender_open(proton::sender& s) override;
  void on_sender_close(proton::sender& s) override;
  void on_sender_detach(proton::sender& s) override;
  void on_sender_error(proton::sender& s) override;
  void on_session_close(proton::session& s) override;
  void on_session_error(proton::session& s) override;
  void on_sendable(proton::sender& s) override;
  void on_message(proton::delivery& d, proton::message& m) override;
  void on_tracker_accept(proton::tracker& t) override;
  void on_tracker_reject(proton::tracker& t) override;
  void on_tracker_release(proton::tracker& t) override;
  void on_error(const proton::error_condition& e) override;

 private:
  class Listening;
  struct InFlight;
  struct ConnectionState {
    std::uint64_t epoch = 0;  // bumped per (re)connect: deliveries of an older one are void
    std::string user;
    // Messages of this connection waiting for the store: their Proton handles are
    // dropped when the connection goes (see connection_gone).
    std::set<std::shared_ptr<InFlight>> in_flight;
  };
  // Lets other threads post to the container while it runs, and not after.
  struct Gate {
    std::mutex mutex;
    proton::work_queue* queue = nullptr;
  };
  // A link a peer sends on (or a broker queue we consume): its address and the
  // order its messages are run in.
  struct Link {
    std::shared_ptr<const Route> route;
    LinkOrder order;
    // Credit held back while the replies to `held_for` wait for their receiver.
    std::uint32_t held_credit = 0;
    std::string held_for;
    bool warned_held = false;  // said so in the log once
    bool attached = false;     // broker mode: the broker attached it (else an end is a refusal)
  };

  Status prepare_tls();
  void start_listening(proton::container& c);
  void start_connecting(proton::container& c);
  void open_broker_receivers(proton::connection& c);
  void attach_receiver(proton::connection& c, const std::shared_ptr<const Route>& route);
  // A link went: a peer closed it (direct mode) or the broker ended it (broker
  // mode: detached it, ended its session or refused its attach).
  void receiver_gone(const proton::receiver& r, const proton::error_condition& error);
  void sender_gone(const proton::sender& s, const proton::error_condition& error);
  // Listen mode: a peer's open link receiving from `address` other than `gone`, and
  // not of the connection `leaving`: it takes the replies over when `gone` goes.
  std::optional<proton::sender> receiver_for(const std::string& address, const proton::sender& gone,
                                             const proton::connection& leaving) const;
  // Broker mode: logs a new outage, schedules the next attempt (link_recovery.hpp).
  void link_lost(LinkRole role, const std::string& address, bool was_attached, const std::string& why,
                 const std::string& detail);
  void link_attached(LinkRole role, const std::string& address);
  void reattach(LinkRole role, const std::string& address, std::uint64_t epoch);
  // Broker mode: ready_, the links down and their count, for other threads.
  void publish_health();
  // f by value: completing erases the pending_ entry a caller's reference would point into.
  // NOLINTNEXTLINE(performance-unnecessary-value-param)
  void complete(std::shared_ptr<InFlight> f, const Response& response);
  void run(const std::shared_ptr<InFlight>& f, Request request);
  void start_ready(const std::vector<std::uint64_t>& ids);
  // Drops the link's messages that never started, released for the peer to send
  // again, or (release false: the link is gone) left to the broker or peer, which
  // sends them again; returns how many.
  std::size_t drop_waiting(Link& link, bool release);
  void reply(const InFlight& f, const Response& response);
  void log_presettled_refusal(const InFlight& f, const Response& response) const;
  void give_credit_back(InFlight& f);
  void resume_held_links();
  void broker_connection_failed(const proton::error_condition& e);
  void set_note(std::string note);
  void settle(const InFlight& f, const Response& response);
  void finish_stop();
  void connection_gone(const proton::connection& c);
  std::string partner_for(const proton::connection& c, const proton::message& m, const Route& route) const;
  std::shared_ptr<const Route> route_for(const std::string& address) const;

  EngineOptions options_;
  Operations& operations_;
  std::unique_ptr<proton::container> container_;
  std::unique_ptr<Listening> listening_;
  std::unique_ptr<proton::work_queue> work_queue_;
  std::shared_ptr<Gate> gate_ = std::make_shared<Gate>();
  std::thread thread_;
  std::promise<Status> started_;
  bool start_reported_ = false;
  proton::listener listener_;
  std::optional<proton::ssl_server_options> tls_server_;
  std::optional<proton::ssl_client_options> tls_client_;
  Publisher publisher_;

  // Container thread only.
  std::map<proton::connection, ConnectionState> connections_;
  std::map<proton::receiver, Link> receivers_;
  std::size_t links_holding_ = 0;  // links with held credit, at most (see resume_held_links)
  // Broker mode: since when the broker is away, and the attempts since.
  std::optional<std::chrono::steady_clock::time_point> outage_since_;
  std::uint64_t failed_attempts_ = 0;
  // Broker mode: the connection while it is open, and its epoch (a link's retry
  // scheduled before a reconnect finds another and does nothing).
  proton::connection broker_;
  std::uint64_t broker_epoch_ = 0;
  LinkRecovery links_;
  // Every message waiting for the store, by id. Only ids cross to other threads:
  // the Proton handles in an InFlight are referenced and released on this thread
  // alone (Proton's reference counts are not thread-safe).
  std::unordered_map<std::uint64_t, std::shared_ptr<InFlight>> pending_;
  std::uint64_t next_pending_ = 0;
  bool stopping_ = false;
  bool finished_ = false;
  std::uint64_t next_epoch_ = 0;
  // Replies of writes by idempotency key, newest first, so a redelivered
  // ChangeLead gets the first answer instead of a conflict with itself.
  std::list<std::pair<std::string, Response>> cache_order_;
  std::unordered_map<std::string, std::list<std::pair<std::string, Response>>::iterator> cache_;
  std::promise<void> stopped_;

  // Why the broker connection is down, and the links that are, for health(): set
  // on the container thread.
  mutable std::mutex note_mutex_;
  std::string note_;
  std::vector<LinkRecovery::Outage> outages_;

  // Read by health() from other threads.
  std::atomic<bool> ready_{false};
  std::atomic<bool> connected_{false};  // broker mode
  std::atomic<int> port_{0};
  EngineCounters counters_;
  std::atomic<std::uint64_t> connects_{0};
};

}  // namespace leadhub::connectors::amqp
