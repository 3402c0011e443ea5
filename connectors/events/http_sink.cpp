#include "http_sink.hpp"

#include <cpprest/http_client.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <mutex>

#include "../framework/log.hpp"

namespace leadhub::connectors::events {

namespace rest = web::http;

struct HttpSink::Client {
  rest::client::http_client http;
  pplx::cancellation_token_source cancel;
  std::atomic<std::uint64_t> posted{0};
  std::atomic<bool> last_failed{false};
  std::mutex mutex;
  std::string last_error;
  Client(const std::string& url, const rest::client::http_client_config& config) : http(url, config) {}

  void note(const SendResult& result) {
    last_failed = result.outcome == SendOutcome::failed;
    if (result.outcome == SendOutcome::accepted) return;
    std::lock_guard lock(mutex);
    last_error = result.reason;
  }
};

namespace {

// cpprestsdk reports its own timeout as a failed read ("Failed to read HTTP status
// line"): an operator looking at the log should read that the endpoint was too slow.
std::string failure_reason(const std::string& what, std::chrono::steady_clock::duration took,
                           std::chrono::milliseconds timeout) {
  if (took < timeout) return "POST failed: " + what;
  return "no answer within timeout_ms (" + std::to_string(timeout.count()) + " ms): " + what;
}

}  // namespace

HttpSink::HttpSink(TargetConfig target) : target_(std::move(target)) {}

HttpSink::~HttpSink() { stop(); }

Status HttpSink::start() {
  try {
    rest::client::http_client_config config;
    config.set_timeout(target_.timeout);
    client_ = std::make_shared<Client>(target_.url, config);
  } catch (const std::exception& e) {
    return Error::make(ErrorCode::invalid, "events target " + target_.name + ": " + e.what());
  }
  return ok_status();
}

void HttpSink::stop() {
  if (client_) client_->cancel.cancel();
}

std::chrono::milliseconds HttpSink::retry_after(const std::string& value) {
  using std::chrono::milliseconds;
  if (value.empty()) return milliseconds(0);
  milliseconds wait{0};
  if (value.find_first_not_of("0123456789") == std::string::npos) {
    // delay-seconds; more digits than a day has seconds is the cap anyway
    wait = value.size() > 6 ? kMaxRetryAfter : milliseconds(std::stoll(value) * 1000);
  } else {
    // an HTTP-date (RFC 9110 10.2.3): the wait is until then, by our clock
    const auto when = utility::datetime::from_string(value, utility::datetime::RFC_1123);
    if (!when.is_initialized()) return milliseconds(0);
    constexpr std::int64_t kTicksPerMs = 10'000;  // datetime counts 100 ns
    const auto ahead = static_cast<std::int64_t>(when.to_interval()) -
                       static_cast<std::int64_t>(utility::datetime::utc_now().to_interval());
    wait = milliseconds(std::max<std::int64_t>(0, ahead / kTicksPerMs));
  }
  return std::min(wait, kMaxRetryAfter);
}

SendResult HttpSink::classify(unsigned status, const std::string& reason_phrase) {
  const std::string what = "HTTP " + std::to_string(status) + (reason_phrase.empty() ? "" : " " + reason_phrase);
  if (status >= 200 && status < 300) return {SendOutcome::accepted, ""};
  // Asking again may help with these: timeouts, throttling, the server's trouble.
  if (status == 408 || status == 429 || status >= 500 || status < 200) return {SendOutcome::failed, what};
  if (status >= 400) return {SendOutcome::refused, "the endpoint answered " + what};
  return {SendOutcome::failed, what + " (redirects are not followed)"};
}

void HttpSink::send(const std::string&, const Outgoing& message, const std::shared_ptr<SendRound>& round, Done done) {
  // One request at a time (window()), so a send never finds its round ended; the
  // check keeps the contract (sink.hpp) should that change.
  if (round->ended()) return done({SendOutcome::failed, "not sent: an earlier event of the route failed first"});
  if (!client_) {
    round->end();
    return done({SendOutcome::failed, "the target is not started"});
  }
  rest::http_request request(rest::methods::POST);
  request.headers().add("Idempotency-Key", message.message_id);
  request.headers().add("X-Leadhub-Event-Type", message.event_type);
  if (!message.lead_id.empty()) request.headers().add("X-Leadhub-Lead-Id", message.lead_id);
  for (const auto& [name, value] : target_.headers) request.headers().add(name, value);
  request.set_body(message.body, message.content_type);
  auto client = client_;
  ++client->posted;
  const auto started = std::chrono::steady_clock::now();
  try {
    client->http
        .request(request, client->cancel.get_token())
        // NOLINTNEXTLINE(performance-unnecessary-value-param): pplx continuations take the task by value
        .then([client, round, done, started, timeout = target_.timeout](pplx::task<rest::http_response> answered) {
          SendResult result;
          try {
            const auto response = answered.get();
            result = classify(response.status_code(), response.reason_phrase());
            if (result.outcome == SendOutcome::failed) {
              result.retry_after =
                  retry_after(response.headers().has("Retry-After") ? response.headers().find("Retry-After")->second
                                                                    : std::string());
            }
          } catch (const std::exception& e) {
            result = {SendOutcome::failed,
                      failure_reason(e.what(), std::chrono::steady_clock::now() - started, timeout)};
          }
          client->note(result);
          if (result.outcome == SendOutcome::failed) round->end();
          done(std::move(result));
        });
  } catch (const std::exception& e) {
    round->end();
    done({SendOutcome::failed, std::string("POST failed: ") + e.what()});
  }
}

bool HttpSink::connected() const { return client_ && !client_->last_failed.load(); }

std::string HttpSink::describe() const {
  const std::string url = log::url_without_password(target_.url);
  if (!client_) return "POST " + url + " (not started)";
  std::string out = "POST " + url + " (" + std::to_string(client_->posted.load()) + " requests";
  std::lock_guard lock(client_->mutex);
  if (!client_->last_error.empty()) out += ", last error: " + client_->last_error;
  return out + ")";
}

}  // namespace leadhub::connectors::events
