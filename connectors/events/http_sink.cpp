#include "http_sink.hpp"

#include <cpprest/http_client.h>

#include <atomic>
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
  try {
    client->http
        .request(request, client->cancel.get_token())
        // NOLINTNEXTLINE(performance-unnecessary-value-param): pplx continuations take the task by value
        .then([client, round, done](pplx::task<rest::http_response> answered) {
          SendResult result;
          try {
            const auto response = answered.get();
            result = classify(response.status_code(), response.reason_phrase());
          } catch (const std::exception& e) {
            result = {SendOutcome::failed, std::string("POST failed: ") + e.what()};
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
