#include "http_connector.hpp"

#include <filesystem>
#include <memory>

#include "../framework/hub.hpp"
#include "../framework/log.hpp"
#include "../framework/metrics.hpp"
#include "api.hpp"
#include "dashboard.hpp"
#include "forms.hpp"
#include "front_door.hpp"
#include "server.hpp"

namespace leadhub::connectors::http {
namespace {

const std::vector<SettingSpec>& setting_specs() {
  static const std::vector<SettingSpec> kSpecs = {
      {"listen", "127.0.0.1:8080", "address:port to listen on ([::1]:8080 for IPv6; port 0 picks a free one)"},
      {"threads", "2", "I/O threads"},
      {"blocking_threads", "2", "threads for blocking work: partner creates and bulk imports"},
      {"max_connections", "1024", "open connections at most; more are closed at once"},
      {"max_header_bytes", "16384", "request header size limit (431 above it)"},
      {"max_body_bytes", "1048576", "body size limit of API calls and forms (413 above it)"},
      {"max_upload_bytes", "1073741824", "body size limit of POST /api/v1/imports; the body is spooled to disk"},
      {"request_timeout_seconds", "30", "time to read one request (from its first byte) and to write its answer"},
      {"idle_timeout_seconds", "60", "a keep-alive connection with no request is closed after this"},
      {"upload_timeout_seconds", "600", "time to receive an import body"},
      {"tls_certificate", "", "PEM certificate chain: serve HTTPS instead of HTTP"},
      {"tls_private_key", "", "PEM private key of the certificate"},
      {"cors_origins", "[]", "origins (https://www.example.com, or *) allowed to call the API from a browser"},
      {"api_keys", "[]", "API clients: {name, sha256, scopes, partner}; without any the API is open"},
      {"api_rate_limit_per_minute", "0", "requests a minute per API client; 0: no limit"},
      {"forms", "[]", "web forms: {name, mapping, ...} (docs/http-api.md)"},
  };
  return kSpecs;
}

Status read_server_options(const Settings& s, const std::string& data_folder, ServerOptions& o) {
  auto endpoint = s.endpoint("listen", "127.0.0.1:8080");
  if (!endpoint) return endpoint.error();
  o.address = endpoint->host;
  o.port = endpoint->port;
  std::int64_t seconds = 0;
  if (auto st = s.integer_into("threads", o.threads, 1, 64); !st) return st;
  if (auto st = s.integer_into("max_connections", o.max_connections, 1, 1'000'000); !st) return st;
  if (auto st = s.integer_into("max_header_bytes", o.max_header_bytes, 1024, 1 << 20); !st) return st;
  seconds = o.request_timeout.count();
  if (auto st = s.integer_into("request_timeout_seconds", seconds, 1, 3600); !st) return st;
  o.request_timeout = std::chrono::seconds(seconds);
  seconds = o.idle_timeout.count();
  if (auto st = s.integer_into("idle_timeout_seconds", seconds, 1, 3600); !st) return st;
  o.idle_timeout = std::chrono::seconds(seconds);
  seconds = o.upload_timeout.count();
  if (auto st = s.integer_into("upload_timeout_seconds", seconds, 1, 86400); !st) return st;
  o.upload_timeout = std::chrono::seconds(seconds);
  auto cert = s.text("tls_certificate", "");
  auto key = s.text("tls_private_key", "");
  if (!cert) return cert.error();
  if (!key) return key.error();
  if (cert->empty() != key->empty()) return s.error("tls_certificate", "give both tls_certificate and tls_private_key");
  o.tls_certificate = *cert;
  o.tls_private_key = *key;
  o.spool_folder = data_folder + "/spool";
  return ok_status();
}

class HttpConnector final : public Connector {
 public:
  HttpConnector(Hub& hub, const std::string& name, ServerOptions server_options, int blocking_threads,
                std::uint64_t max_body, std::uint64_t max_upload)
      : blocking_(blocking_threads),
        ctx_{hub, name, blocking_, max_body, max_upload},
        server_options_(std::move(server_options)) {}

  Status configure(const Settings& s) {
    add_system_routes(router_, ctx_);
    add_lead_routes(router_, ctx_);
    add_lead_action_routes(router_, ctx_);
    add_partner_routes(router_, ctx_);
    add_import_routes(router_, ctx_);
    add_report_routes(router_, ctx_);
    add_dashboard_route(router_);
    auto forms = s.children("forms");
    if (!forms) return forms.error();
    auto added = add_form_routes(router_, ctx_, *forms);
    if (!added) return added.error();
    forms_ = std::move(added).value();
    auto keys_settings = s.children("api_keys");
    if (!keys_settings) return keys_settings.error();
    auto keys = ApiKeys::from_settings(*keys_settings);
    if (!keys) return keys.error();
    api_open_ = keys->open();
    FrontDoorOptions options;
    options.connector = ctx_.connector;
    auto origins = s.texts("cors_origins");
    if (!origins) return origins.error();
    options.cors_origins = std::move(origins).value();
    if (auto st = s.integer_into("api_rate_limit_per_minute", options.api_rate_per_minute, 0, 10'000'000); !st)
      return st;
    front_door_ = std::make_unique<FrontDoor>(router_, std::move(keys).value(), std::move(options));
    return ok_status();
  }

  Status start() override {
    std::error_code ec;
    std::filesystem::create_directories(server_options_.spool_folder, ec);
    if (ec)
      return Error::make(ErrorCode::unavailable, "cannot create " + server_options_.spool_folder + ": " + ec.message());
    server_ = std::make_unique<Server>(server_options_, *front_door_);
    if (auto st = server_->start(); !st) {
      server_.reset();
      return st;
    }
    if (api_open_) {
      log::warn(ctx_.connector, "no api_keys configured: the API at " + server_->endpoint() +
                                    "/api/v1 is open to anyone who can reach it");
    }
    return ok_status();
  }

  void stop() override {
    if (server_) server_->stop();
  }

  Health health() const override {
    if (!server_) return {false, "not started"};
    return {true, "listening on " + server_->endpoint() + " (" +
                      std::to_string(server_->counters().connections.load()) + " connections, " +
                      std::to_string(router_.routes().size()) + " routes)"};
  }

  void report_metrics(Metrics& out) const override {
    front_door_->request_metrics().report(out, ctx_.connector);
    if (!server_) return;
    const auto& counters = server_->counters();
    const MetricLabels labels{{"connector", ctx_.connector}};
    out.gauge("leadhub_http_connections", "Open HTTP connections", counters.connections.load(std::memory_order_relaxed),
              labels);
    out.counter("leadhub_http_refused_connections_total", "HTTP connections closed at once: max_connections reached",
                counters.refused_connections.load(std::memory_order_relaxed), labels);
  }

 private:
  WorkQueue blocking_;
  ApiContext ctx_;
  ServerOptions server_options_;
  Router router_;
  FormRoutesPtr forms_;
  std::unique_ptr<FrontDoor> front_door_;
  std::unique_ptr<Server> server_;
  bool api_open_ = true;
};

Result<std::unique_ptr<Connector>> create(const Settings& s, Hub& hub) {
  ServerOptions options;
  if (auto st = read_server_options(s, hub.paths().data_folder, options); !st) return st.error();
  int blocking = 2;
  std::uint64_t max_body = 1 << 20;
  std::uint64_t max_upload = std::uint64_t{1} << 30;
  if (auto st = s.integer_into("blocking_threads", blocking, 1, 64); !st) return st.error();
  if (auto st = s.integer_into("max_body_bytes", max_body, 1024, std::int64_t{1} << 30); !st) return st.error();
  if (auto st = s.integer_into("max_upload_bytes", max_upload, 1024, std::int64_t{1} << 40); !st) return st.error();
  auto connector =
      std::make_unique<HttpConnector>(hub, s.instance(), std::move(options), blocking, max_body, max_upload);
  if (auto st = connector->configure(s); !st) return st.error();
  return std::unique_ptr<Connector>(std::move(connector));
}

}  // namespace

ConnectorType connector_type() {
  return {"http", "HTTP: web forms, the REST API (/api/v1), bulk uploads, /healthz, /readyz and /metrics",
          setting_specs(), create};
}

}  // namespace leadhub::connectors::http
