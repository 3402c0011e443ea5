// An HTTP/1.1 server on Boost.Beast: keep-alive, pipelining, 100-continue, limits
// on header size, body size, time and connections, optional TLS, and a clean stop
// that finishes the requests in flight. It knows nothing of leads: a Handler
// decides what each request means.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "message.hpp"
#include "util/result.hpp"

namespace leadhub::connectors::http {

struct ServerOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: any free port (tests)
  int threads = 2;
  std::size_t max_connections = 1024;
  std::uint32_t max_header_bytes = 16 * 1024;
  std::chrono::seconds request_timeout{30};  // reading one request, writing one response
  std::chrono::seconds idle_timeout{60};     // keep-alive connection with no request
  std::chrono::seconds upload_timeout{600};  // reading a spooled (bulk) body
  std::string spool_folder;                  // where spooled bodies go
  std::string tls_certificate;               // PEM chain; TLS when set
  std::string tls_private_key;               // PEM
};

struct ServerCounters {
  std::atomic<std::uint64_t> connections{0};  // open now
  std::atomic<std::uint64_t> requests{0};     // answered since start
  std::atomic<std::uint64_t> refused_connections{0};
};

class Server {
 public:
  Server(ServerOptions options, Handler& handler);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and listens, then serves on `threads` threads. Errors name the address.
  Status start();
  // Stops accepting, closes idle connections, lets requests in flight finish
  // (waiting up to `grace` for slow uploads), then stops the threads.
  void stop(std::chrono::seconds grace = std::chrono::seconds(10));

  std::uint16_t port() const;  // the bound port (useful with port 0)
  std::string endpoint() const;
  const ServerCounters& counters() const;

  struct State;  // public so the connection sessions (server.cpp) can reach it

 private:
  std::unique_ptr<State> state_;
};

}  // namespace leadhub::connectors::http
