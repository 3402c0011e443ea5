// The HTTP request and response types the handlers see. The server reads the
// header first, asks the handler how to take the body (in memory, or spooled to a
// file for bulk uploads), then hands over the whole request.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace leadhub::connectors::http {

namespace bhttp = boost::beast::http;

using RequestHeader = bhttp::request_header<>;
using Response = bhttp::response<bhttp::string_body>;

struct Request {
  RequestHeader head;
  std::string path;       // percent-decoded, without the query
  std::string query;      // raw, after '?'
  std::string body;       // BodyPlan::memory
  std::string body_file;  // BodyPlan::spool: the file holding the body (removed afterwards)
  std::string client;     // remote address, for rate limits and logs
  bool tls = false;
  boost::asio::any_io_executor executor;  // the connection's strand (none outside a server)

  std::string_view header(bhttp::field name) const;
  std::string_view header(std::string_view name) const;
};

// A browser asks for HTML (its Accept names text/html): a web form answers it with
// pages and redirects, a script with problems.
bool wants_html(const RequestHeader& head);

struct BodyPlan {
  enum class Kind { memory, spool } kind = Kind::memory;
  std::uint64_t limit = 1 << 20;
  // When set, the server answers this at once without reading the body (e.g. 401
  // before a large upload) and closes the connection.
  std::optional<Response> refuse;
  // The handler's own grouping of the request's route, handed back in answered().
  std::uint8_t route_class = 0;
  // When set, what the server answers instead of its problem when it refuses the
  // body (too large, a content coding it cannot read): a web form sends a browser
  // to its error page. Given the problem's code and field.
  std::function<Response(const std::string& code, const std::string& field)> body_refusal;
};

// Completes a request. Call exactly once, from any thread.
using Reply = std::function<void(Response)>;

class Handler {
 public:
  virtual ~Handler() = default;
  // `client` is the remote address, for the log of a refusal.
  virtual BodyPlan plan_body(const RequestHeader& head, std::string_view path, const std::string& client) = 0;
  virtual void handle(Request request, Reply reply) = 0;
  // Every answer the server sends, with the route class plan_body gave (0 when
  // the request was refused before it: malformed, timed out, header too large)
  // and the time from the request's first byte. Runs on an I/O thread: keep it cheap.
  virtual void answered(std::uint8_t route_class, unsigned status, std::chrono::nanoseconds took) {
    (void)route_class;
    (void)status;
    (void)took;
  }
};

// A store callback that continues on the request's connection instead of the
// store's writer thread: encoding and building the answer there would hold up
// the next commit, which every waiting caller needs.
template <typename Result, typename Fn>
std::function<void(Result)> on_connection(const Request& request, Fn fn) {
  return [executor = request.executor, fn = std::move(fn)](Result result) mutable {
    if (!executor) return fn(std::move(result));
    boost::asio::post(executor, [fn = std::move(fn), result = std::move(result)]() mutable { fn(std::move(result)); });
  };
}

// "a%20b" -> "a b"; nullopt when an escape is broken or decodes to a NUL byte.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space);

}  // namespace leadhub::connectors::http
