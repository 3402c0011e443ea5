#include "server.hpp"

#include <time.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

#include "../framework/log.hpp"
#include "content_coding.hpp"
#include "decoding_body.hpp"
#include "problem.hpp"

namespace leadhub::connectors::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace ssl = net::ssl;
using tcp = net::ip::tcp;

// "Sun, 06 Nov 1994 08:49:37 GMT", formatted once a second per thread.
const std::string& http_date() {
  thread_local std::string text;
  thread_local time_t formatted_for = 0;
  const time_t now = ::time(nullptr);
  if (now != formatted_for) {
    struct tm tm {};
    gmtime_r(&now, &tm);
    char buf[64];
    const auto n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    text.assign(buf, n);
    formatted_for = now;
  }
  return text;
}

// Refusals before a route has the request: the same problem+json, with a fixed
// code, the request's path as instance and the part of the request at fault, as
// every other error of the API.
Response plain_error(bhttp::status status, const std::string& code, const std::string& field, const std::string& detail,
                     const std::string& instance) {
  return problem(status, code, detail, instance, {{field, detail}});
}

// The path of a request line still in the buffer ("POST /api/v1/leads?x HTTP/1.1"
// gives /api/v1/leads) when the header could not be parsed, or "/".
std::string raw_path(const beast::flat_buffer& buffer) {
  const std::string_view raw(static_cast<const char*>(buffer.data().data()), buffer.size());
  const auto line = raw.substr(0, raw.find('\r'));
  const auto start = line.find(' ');
  if (start == std::string_view::npos) return "/";
  const auto path = line.substr(start + 1, line.find_first_of(" ?", start + 1) - start - 1);
  if (path.empty() || path.front() != '/' || path.size() > 200) return "/";
  return std::string(path);
}

struct SessionBase {
  virtual ~SessionBase() = default;
  virtual void close_if_idle() = 0;
  virtual void close_now() = 0;
};

}  // namespace

struct Server::State {
  State(ServerOptions o, Handler& h) : options(std::move(o)), handler(h), ioc(std::max(1, options.threads)) {}

  ServerOptions options;
  Handler& handler;
  std::optional<ssl::context> tls;
  ServerCounters counters;
  std::atomic<bool> draining{false};
  std::atomic<std::uint64_t> spool_seq{0};
  std::uint16_t bound_port = 0;

  std::mutex mutex;
  std::condition_variable changed;
  std::unordered_map<SessionBase*, std::weak_ptr<SessionBase>> sessions;
  std::size_t in_handler = 0;  // requests handed to the handler and not answered yet

  std::vector<std::thread> threads;
  // Declared last so it is destroyed first: queued handlers still own sessions,
  // and a session's destructor reaches back into the members above.
  net::io_context ioc;
  std::optional<tcp::acceptor> acceptor;
  std::optional<net::steady_timer> accept_retry;
  // Keeps the threads running while every session waits on the store (no socket
  // operation pending) until stop() has seen all answers out.
  std::optional<net::executor_work_guard<net::io_context::executor_type>> keep_running;

  void add(const std::shared_ptr<SessionBase>& s) {
    std::lock_guard lock(mutex);
    sessions.emplace(s.get(), s);
    counters.connections.fetch_add(1, std::memory_order_relaxed);
  }
  void remove(SessionBase* s) {
    std::lock_guard lock(mutex);
    sessions.erase(s);
    counters.connections.fetch_sub(1, std::memory_order_relaxed);
    changed.notify_all();
  }
  void handler_started() {
    std::lock_guard lock(mutex);
    ++in_handler;
  }
  void handler_done() {
    std::lock_guard lock(mutex);
    --in_handler;
    changed.notify_all();
  }
  std::vector<std::shared_ptr<SessionBase>> live_sessions() {
    std::lock_guard lock(mutex);
    std::vector<std::shared_ptr<SessionBase>> out;
    for (auto& [raw, weak] : sessions) {
      if (auto s = weak.lock()) out.push_back(std::move(s));
    }
    return out;
  }
  std::string spool_path() {
    return options.spool_folder + "/upload-" + std::to_string(::getpid()) + "-" +
           std::to_string(spool_seq.fetch_add(1)) + ".part";
  }
  void accept();
  void start_session(tcp::socket socket);
};

namespace {

// How long a closing connection still takes (and drops) what its client sends; see linger().
constexpr auto kLinger = std::chrono::seconds(2);

bool is_client_gone(const beast::error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == net::error::eof || ec == net::error::connection_reset ||
         ec == net::error::operation_aborted || ec == beast::error::timeout || ec == net::error::broken_pipe ||
         ec == ssl::error::stream_truncated;
}

// Methods whose requests carry a body on every route that takes them.
bool may_carry_body(bhttp::verb method) {
  return method == bhttp::verb::post || method == bhttp::verb::put || method == bhttp::verb::patch;
}

template <class Stream>
class Session final : public SessionBase, public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  template <class... Args>
  Session(Server::State& server, std::string client, Args&&... args)
      : server_(server),
        stream_(std::forward<Args>(args)...),
        client_(std::move(client)),
        request_timer_(stream_.get_executor()) {}
  ~Session() override {
    discard_spool();
    server_.remove(this);
  }

  void run() {
    net::dispatch(stream_.get_executor(), [self = this->shared_from_this()] {
      if constexpr (kTls) {
        self->lowest().expires_after(self->server_.options.request_timeout);
        self->stream_.async_handshake(ssl::stream_base::server, [self](beast::error_code ec) {
          if (ec) return;  // not TLS, or a bad certificate on the client side: drop
          self->read_header();
        });
      } else {
        self->read_header();
      }
    });
  }

  void close_if_idle() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] {
      if (self->idle_) self->lowest().cancel();
    });
  }
  void close_now() override {
    net::post(stream_.get_executor(), [self = this->shared_from_this()] { self->lowest().close(); });
  }

 private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  // Between requests only the idle timeout runs; the first byte of a request
  // starts its request timeout (read_header).
  void read_header() {
    if (server_.draining) return shutdown();
    if (buffer_.size() > 0) return start_request();  // pipelined: the next request is here
    idle_ = true;
    lowest().expires_after(server_.options.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->idle_ = false;
                              if (ec) return self->shutdown();  // idle too long, gone, or stopping
                              self->buffer_.commit(n);
                              self->start_request();
                            });
  }

  // The request timeout covers the whole request, header and body, however slowly
  // it drips in: Beast's stream timeout is per operation and would close the socket
  // without an answer, so a timer of our own cancels the read and a 408 is sent.
  void start_request() {
    timed_out_ = false;
    head_only_ = false;
    path_.clear();
    coding_.reset();
    plan_.route_class = 0;
    request_started_ = std::chrono::steady_clock::now();
    arm_request_timer(server_.options.request_timeout, ++request_seq_);
    lowest().expires_never();
    read_request_header();
  }

  void arm_request_timer(std::chrono::steady_clock::duration after, std::uint64_t seq) {
    request_timer_.expires_after(after);
    request_timer_.async_wait([weak = this->weak_from_this(), seq](beast::error_code ec) {
      auto self = weak.lock();
      if (ec || !self || seq != self->request_seq_) return;  // stopped, also when already queued
      self->timed_out_ = true;
      beast::error_code ignored;
      self->lowest().socket().cancel(ignored);
      // A read whose completion was already queued escapes the cancel, and Beast's
      // composed read then starts the next one: cancel again until the read gives up
      // (send() stops the timer).
      self->arm_request_timer(std::chrono::milliseconds(50), seq);
    });
  }

  void stop_request_timer() {
    ++request_seq_;
    request_timer_.cancel();
  }

  // path_ once the request is routed; else the target the header parser has seen
  // (it takes the request line before the fields), else what the buffer shows.
  Response error_answer(bhttp::status status, const std::string& code, const std::string& field,
                        const std::string& detail) {
    if (!path_.empty()) return plain_error(status, code, field, detail, path_);
    if (header_) {
      const auto target = header_->get().target();
      const std::string_view seen(target.data(), target.size());
      if (!seen.empty() && seen.front() == '/' && seen.size() <= 200) {
        return plain_error(status, code, field, detail, std::string(seen.substr(0, seen.find('?'))));
      }
    }
    return plain_error(status, code, field, detail, raw_path(buffer_));
  }

  // A refusal of the body, once the route is known: the route's answer for a
  // browser when it has one (a form's error page), else the problem.
  Response body_error(bhttp::status status, const std::string& code, const std::string& field,
                      const std::string& detail) {
    if (plan_.body_refusal) return plan_.body_refusal(code, field);
    return error_answer(status, code, field, detail);
  }

  // A read ended by the request timer: 408, and the connection closes.
  void refuse_timed_out(const char* part) {
    refuse(error_answer(
        bhttp::status::request_timeout, "timeout", part,
        "the request was not received within " + std::to_string(server_.options.request_timeout.count()) + " seconds"));
  }

  void read_request_header() {
    header_.emplace();
    header_->header_limit(server_.options.max_header_bytes);
    // The route's limit applies once the header is known (plan_body); without this
    // the header parser would refuse any Content-Length over Beast's default 1 MB.
    // (Not boost::none: Boost 1.74 compares the length with the empty optional and
    // fails every body.)
    header_->body_limit(std::numeric_limits<std::uint64_t>::max());
    bhttp::async_read_header(
        stream_, buffer_, *header_,
        [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (timed_out_) return refuse_timed_out("(header)");  // also when the last bytes came just too late
    if (ec == bhttp::error::header_limit) {
      return refuse(error_answer(
          bhttp::status::request_header_fields_too_large, "too_large", "(header)",
          "the request header is larger than " + std::to_string(server_.options.max_header_bytes) + " bytes"));
    }
    if (ec) {
      if (is_client_gone(ec)) return shutdown();
      return refuse(error_answer(bhttp::status::bad_request, "malformed", "(request)",
                                 "malformed HTTP request: " + ec.message()));
    }
    const auto& head = header_->get();
    version_ = head.version();
    keep_alive_ = head.keep_alive();
    head_only_ = head.method() == bhttp::verb::head;
    const auto target = std::string_view(head.target().data(), head.target().size());
    const auto q = target.find('?');
    auto path = percent_decode(target.substr(0, q), false);
    if (target.empty() || target.front() != '/' || !path) {
      return refuse(
          error_answer(bhttp::status::bad_request, "malformed", "(target)", "the request target is not a valid path"));
    }
    path_ = std::move(*path);
    // RFC 9112 3.2: exactly one Host in an HTTP/1.1 request.
    if (version_ == 11 && head.count(bhttp::field::host) != 1) {
      return refuse(error_answer(bhttp::status::bad_request, "malformed", "Host",
                                 head.count(bhttp::field::host) == 0 ? "an HTTP/1.1 request needs a Host header"
                                                                     : "more than one Host header"));
    }
    // RFC 9112 6.3: an HTTP/1.0 client that sends a body without Content-Length
    // means "until I close", which a request cannot use: the body was taken as empty,
    // and a form refused for fields it did send.
    if (version_ == 10 && may_carry_body(head.method()) && !head.has_content_length() && !head.chunked()) {
      return refuse(error_answer(bhttp::status::length_required, "length_required", "Content-Length",
                                 "an HTTP/1.0 request with a body needs a Content-Length header"));
    }
    query_ = q == std::string_view::npos ? std::string() : std::string(target.substr(q + 1));
    plan_ = server_.handler.plan_body(head, path_, client_);
    if (plan_.refuse) return refuse(std::move(*plan_.refuse));
    if (const auto length = header_->content_length(); length && *length > plan_.limit) {
      return refuse(body_error(bhttp::status::payload_too_large, "too_large", "(body)",
                               "the body is larger than " + std::to_string(plan_.limit) + " bytes"));
    }
    if (header_->is_done()) return start_body();  // no body at all
    auto coding = content_coding(head);
    if (!coding) {
      auto answer = body_error(bhttp::status::unsupported_media_type, "unsupported_media_type", "Content-Encoding",
                               coding.error().message);
      answer.set(bhttp::field::accept_encoding, kAcceptedCodings);
      return refuse(std::move(answer));
    }
    coding_ = *coding;
    const auto expect = head[bhttp::field::expect];
    if (beast::iequals(expect, "100-continue")) {
      // curl waits a second for this before sending a larger body.
      auto cont = std::make_shared<bhttp::response<bhttp::empty_body>>(bhttp::status::continue_, version_);
      lowest().expires_after(server_.options.request_timeout);
      bhttp::async_write(stream_, *cont, [self = this->shared_from_this(), cont](beast::error_code wec, std::size_t) {
        if (wec) return;
        self->start_body();
      });
      return;
    }
    start_body();
  }

  // The body goes through DecodingBody: decoded when it has a content coding, and
  // kept in memory or spooled to a file as the route's plan says.
  void start_body() {
    body_.emplace(std::move(*header_));
    body_->body_limit(plan_.limit);  // the bytes on the wire; DecodingBody limits the decoded ones
    auto& body = body_->get().body();
    body.limit = plan_.limit;
    if (coding_) body.inflater = std::make_unique<Inflater>(*coding_);
    if (plan_.kind == BodyPlan::Kind::memory) {
      lowest().expires_never();  // the request timer (start_request) still runs
    } else {
      spool_path_ = server_.spool_path();
      beast::error_code ec;
      body.file.open(spool_path_.c_str(), beast::file_mode::write, ec);
      if (ec) {
        connectors::log::error("http", "cannot open spool file " + spool_path_ + ": " + ec.message());
        return refuse(error_answer(bhttp::status::service_unavailable, "unavailable", "(body)",
                                   "cannot store the upload; try again later"));
      }
      stop_request_timer();  // a bulk upload has its own, longer limit
      lowest().expires_after(server_.options.upload_timeout);
    }
    bhttp::async_read(stream_, buffer_, *body_,
                      [self = this->shared_from_this()](beast::error_code ec, std::size_t) { self->on_body(ec); });
  }

  // What a body that could not be read or decoded gets, or nullopt when the client is gone.
  std::optional<Response> body_refusal(beast::error_code ec) {
    const auto& body = body_->get().body();
    if (ec == bhttp::error::body_limit) {
      const std::string decoded = body.too_large && coding_ ? " once decoded" : "";
      return body_error(bhttp::status::payload_too_large, "too_large", "(body)",
                        "the body is larger than " + std::to_string(plan_.limit) + " bytes" + decoded);
    }
    if (body.fault && body.fault->code == ErrorCode::unavailable) {
      connectors::log::error("http", body.fault->message);
      return error_answer(bhttp::status::service_unavailable, "unavailable", "(body)",
                          "cannot store the upload; try again later");
    }
    if (body.fault) return body_error(bhttp::status::bad_request, "malformed", "(body)", body.fault->message);
    if (is_client_gone(ec)) return std::nullopt;
    return error_answer(bhttp::status::bad_request, "malformed", "(body)", "malformed HTTP body: " + ec.message());
  }

  void on_body(beast::error_code ec) {
    if (timed_out_) return refuse_timed_out("(body)");
    if (ec) {
      auto refusal = body_refusal(ec);
      if (!refusal) return shutdown();
      return refuse(std::move(*refusal));
    }
    Request request;
    request.path = std::move(path_);
    request.query = std::move(query_);
    request.client = client_;
    request.tls = kTls;
    request.executor = stream_.get_executor();
    auto message = body_->release();
    body_.reset();
    request.head = std::move(message.base());
    if (message.body().file.is_open()) {
      beast::error_code ignored;
      message.body().file.close(ignored);
      request.body_file = spool_path_;
    } else {
      request.body = std::move(message.body().text);
    }
    stop_request_timer();
    lowest().expires_never();
    server_.handler_started();
    server_.handler.handle(std::move(request), [self = this->shared_from_this()](Response response) {
      net::dispatch(self->stream_.get_executor(), [self, response = std::move(response)]() mutable {
        self->server_.handler_done();
        self->send(std::move(response));
      });
    });
  }

  // Answers and closes: the rest of the request was not read.
  void refuse(Response response) {
    keep_alive_ = false;
    send(std::move(response));
  }

  void send(Response response) {
    stop_request_timer();
    server_.handler.answered(plan_.route_class, response.result_int(),
                             std::chrono::steady_clock::now() - request_started_);
    const bool keep = keep_alive_ && !server_.draining;
    response.version(version_ == 10 ? 10 : 11);
    response.keep_alive(keep);
    response.set(bhttp::field::server, "leadhub");
    response.set(bhttp::field::date, http_date());
    response.prepare_payload();
    // HEAD: the headers GET would send, Content-Length included, and no body.
    if (head_only_) response.body().clear();
    response_ = std::make_shared<Response>(std::move(response));
    lowest().expires_after(server_.options.request_timeout);
    bhttp::async_write(stream_, *response_, [self = this->shared_from_this(), keep](beast::error_code ec, std::size_t) {
      self->server_.counters.requests.fetch_add(1, std::memory_order_relaxed);
      self->response_.reset();
      self->discard_spool();
      if (ec || !keep) return self->shutdown();
      self->read_header();
    });
  }

  void shutdown() {
    idle_ = false;
    stop_request_timer();
    if constexpr (kTls) {
      lowest().expires_after(std::chrono::seconds(2));
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) { self->lowest().close(); });
    } else {
      beast::error_code ec;
      lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
      lowest().expires_after(kLinger);
      buffer_.clear();
      linger();
    }
  }

  // Lingering close: a socket closed with bytes unread makes the kernel send a
  // reset, and a client still sending (the rest of a refused body, a slow drip)
  // would then lose the answer it has not read yet. So after our FIN the session
  // reads and drops what still comes until the client closes or kLinger passes;
  // stop() may cut it short like an idle connection.
  void linger() {
    idle_ = true;
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                              self->buffer_.clear();
                              if (!ec) return self->linger();
                              self->idle_ = false;
                              beast::error_code ignored;
                              self->lowest().socket().close(ignored);
                            });
  }

  void discard_spool() {
    if (spool_path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove(spool_path_, ec);
    spool_path_.clear();
  }

  Server::State& server_;
  Stream stream_;
  std::string client_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::empty_body>> header_;
  std::optional<bhttp::request_parser<DecodingBody>> body_;
  std::optional<Compression> coding_;  // the body's Content-Encoding, to undo while reading it
  std::shared_ptr<Response> response_;
  BodyPlan plan_;
  std::string path_;
  std::string query_;
  std::string spool_path_;
  unsigned version_ = 11;
  bool keep_alive_ = true;
  bool idle_ = false;
  bool head_only_ = false;  // a HEAD request: the answer has no body
  net::steady_timer request_timer_;
  bool timed_out_ = false;                                   // the request timer cancelled the read
  std::chrono::steady_clock::time_point request_started_{};  // its first byte, for the handler's metrics
  std::uint64_t request_seq_ = 0;                            // which start_request the running timer belongs to
};

}  // namespace

void Server::State::accept() {
  acceptor->async_accept(net::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (!acceptor->is_open()) return;
    if (ec) {
      // Out of file descriptors and the like: wait a moment instead of spinning.
      connectors::log::warn("http", "accept failed: " + ec.message());
      accept_retry->expires_after(std::chrono::milliseconds(50));
      accept_retry->async_wait([this](beast::error_code) {
        if (acceptor->is_open()) accept();
      });
      return;
    }
    if (counters.connections.load() >= options.max_connections) {
      counters.refused_connections.fetch_add(1, std::memory_order_relaxed);
      beast::error_code ignored;
      socket.close(ignored);
    } else {
      start_session(std::move(socket));
    }
    accept();
  });
}

void Server::State::start_session(tcp::socket socket) {
  beast::error_code ec;
  socket.set_option(tcp::no_delay(true), ec);
  const auto remote = socket.remote_endpoint(ec);
  std::string client = ec ? std::string("unknown") : remote.address().to_string();
  if (tls) {
    auto s = std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(*this, std::move(client),
                                                                             std::move(socket), *tls);
    add(s);
    s->run();
  } else {
    auto s = std::make_shared<Session<beast::tcp_stream>>(*this, std::move(client), std::move(socket));
    add(s);
    s->run();
  }
}

Server::Server(ServerOptions options, Handler& handler)
    : state_(std::make_unique<State>(std::move(options), handler)) {}

Server::~Server() { stop(std::chrono::seconds(0)); }

Status Server::start() {
  auto& s = *state_;
  const std::string where = s.options.address + ":" + std::to_string(s.options.port);
  if (!s.options.tls_certificate.empty()) {
    try {
      s.tls.emplace(ssl::context::tls_server);
      s.tls->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                         ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
      s.tls->use_certificate_chain_file(s.options.tls_certificate);
      s.tls->use_private_key_file(s.options.tls_private_key, ssl::context::pem);
    } catch (const boost::system::system_error& e) {
      return Error::make(ErrorCode::invalid, "TLS certificate " + s.options.tls_certificate + " / key " +
                                                 s.options.tls_private_key + ": " + e.code().message());
    }
  }
  beast::error_code ec;
  const auto address = net::ip::make_address(s.options.address, ec);
  if (ec) return Error::make(ErrorCode::invalid, "listen address '" + s.options.address + "' is not an IP address");
  const tcp::endpoint endpoint(address, s.options.port);
  s.acceptor.emplace(net::make_strand(s.ioc));
  s.accept_retry.emplace(s.acceptor->get_executor());
  if (s.acceptor->open(endpoint.protocol(), ec); ec)
    return Error::make(ErrorCode::unavailable, where + ": " + ec.message());
  s.acceptor->set_option(net::socket_base::reuse_address(true), ec);
  if (s.acceptor->bind(endpoint, ec); ec)
    return Error::make(ErrorCode::unavailable, "cannot listen on " + where + ": " + ec.message());
  if (s.acceptor->listen(net::socket_base::max_listen_connections, ec); ec) {
    return Error::make(ErrorCode::unavailable, "cannot listen on " + where + ": " + ec.message());
  }
  s.bound_port = s.acceptor->local_endpoint().port();
  s.keep_running.emplace(s.ioc.get_executor());
  s.accept();
  for (int i = 0; i < std::max(1, s.options.threads); ++i) {
    s.threads.emplace_back([&s] { s.ioc.run(); });
  }
  return ok_status();
}

void Server::stop(std::chrono::seconds grace) {
  auto& s = *state_;
  if (s.threads.empty()) return;
  s.draining = true;
  if (s.acceptor) {
    net::post(s.acceptor->get_executor(), [&s] {
      beast::error_code ignored;
      s.acceptor->close(ignored);
      s.accept_retry->cancel();
    });
  }
  for (auto& session : s.live_sessions()) session->close_if_idle();
  {
    std::unique_lock lock(s.mutex);
    s.changed.wait_for(lock, grace, [&s] { return s.sessions.empty(); });
  }
  // Past the grace period: drop connections still reading (slow uploads), but a
  // request the handler has taken is always answered, so its work is not lost.
  for (auto& session : s.live_sessions()) session->close_now();
  {
    std::unique_lock lock(s.mutex);
    s.changed.wait(lock, [&s] { return s.in_handler == 0; });
    s.changed.wait_for(lock, std::chrono::seconds(2), [&s] { return s.sessions.empty(); });
  }
  s.keep_running.reset();
  s.ioc.stop();
  for (auto& t : s.threads) t.join();
  s.threads.clear();
}

std::uint16_t Server::port() const { return state_->bound_port; }
std::string Server::endpoint() const {
  return (state_->tls ? "https://" : "http://") + state_->options.address + ":" + std::to_string(state_->bound_port);
}
const ServerCounters& Server::counters() const { return state_->counters; }

}  // namespace leadhub::connectors::http
