#include "forms.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <fstream>
#include <sstream>

#include "../framework/log.hpp"
#include "form_body.hpp"
#include "form_errors.hpp"
#include "json/json_writer.hpp"
#include "json/record_json.hpp"
#include "mapping/encoding.hpp"
#include "mapping/reader_factory.hpp"
#include "model/validation.hpp"
#include "problem.hpp"
#include "rate_limit.hpp"
#include "recent_submissions.hpp"
#include "util/clock.hpp"

namespace leadhub::connectors::http {

// ---- signed timestamps -------------------------------------------------------------

namespace {

std::string hmac_hex(const std::string& secret, std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest, &length);
  static const char* const kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < 16 && i < length; ++i) {  // 128 bits are plenty for a form token
    out += kDigits[digest[i] >> 4];
    out += kDigits[digest[i] & 15];
  }
  return out;
}

std::string random_secret() {
  unsigned char bytes[32];
  RAND_bytes(bytes, sizeof bytes);
  return std::string(reinterpret_cast<const char*>(bytes), sizeof bytes);
}

}  // namespace

std::string make_form_token(const std::string& secret, std::int64_t now_ms) {
  const auto stamp = std::to_string(now_ms);
  return stamp + "." + hmac_hex(secret, stamp);
}

Result<std::int64_t> form_token_age(const std::string& secret, std::string_view token, std::int64_t now_ms) {
  const auto dot = token.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot > 19) return Error::invalid({{"token", "malformed"}});
  const auto stamp = token.substr(0, dot);
  const auto expected = hmac_hex(secret, stamp);
  const auto given = token.substr(dot + 1);
  if (given.size() != expected.size() || CRYPTO_memcmp(given.data(), expected.data(), expected.size()) != 0) {
    return Error::invalid({{"token", "signature does not match"}});
  }
  std::int64_t made = 0;
  for (const char c : stamp) {
    if (c < '0' || c > '9') return Error::invalid({{"token", "malformed"}});
    made = made * 10 + (c - '0');
  }
  return now_ms - made;
}

// ---- one form ----------------------------------------------------------------------

namespace {

constexpr std::int64_t kTokenMaxAgeMs = 24LL * 3600 * 1000;

std::string read_file(const std::string& path, std::string& error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot read " + path;
    return {};
  }
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string replace_all(std::string text, std::string_view from, std::string_view to) {
  for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
  return text;
}

std::string html_escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string url_escape(std::string_view text) {
  static const char* const kDigits = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kDigits[c >> 4];
      out += kDigits[c & 15];
    }
  }
  return out;
}

Response html_response(bhttp::status status, std::string body) {
  Response r{status, 11};
  r.set(bhttp::field::content_type, "text/html; charset=utf-8");
  r.set(bhttp::field::cache_control, "no-store");
  r.body() = std::move(body);
  return r;
}

// What the default error page tells the person who filled in the form, by reason code.
const char* reason_sentence(std::string_view code) {
  if (code == "invalid") return "Some of what you entered could not be accepted. Please go back and check it.";
  if (code == "spam") return "Your request looked automated. Please go back, wait a few seconds and send it again.";
  if (code == "rate_limited") return "Too many requests came from your address. Please try again in a minute.";
  if (code == "too_large") return "Your request is too long. Please shorten your message and send it again.";
  return "Your request could not be processed. Please try again later.";
}

const char* const kThanksPage =
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Thank you</title></head>"
    "<body><h1>Thank you</h1><p id=\"result\">We have received your request and will be in touch.</p></body></html>";

struct FormConfig {
  std::string name;
  std::string path;
  std::string mapping = "web-form";
  std::string campaign;
  std::string success_url;
  std::string error_url;
  std::string page;         // HTML with {{token}} and {{action}}; empty: the hub serves no page
  std::string thanks_page;  // HTML
  std::string error_page;   // HTML with {{reason}}
  std::string honeypot_field = "website";
  std::string token_field = "_ts";
  std::string token_secret;
  std::int64_t min_fill_ms = 0;
  std::int64_t duplicate_window_ms = 600'000;
  std::uint32_t rate_per_minute = 20;
  std::string consent_text;
  std::string undeclared_charset;  // empty: a post that declares none must be UTF-8
  std::vector<std::string> cors_origins;
  bool with_partner = true;
};

const std::vector<SettingSpec>& form_specs() {
  static const std::vector<SettingSpec> kSpecs = {
      {"name", "", "the form's name; it posts to /forms/NAME"},
      {"mapping", "web-form", "mapping file (config/mappings/NAME.yaml) that turns the fields into a lead"},
      {"campaign", "", "campaign for leads whose form carries none (hidden field utm_campaign)"},
      {"success_url", "/forms/NAME/thanks", "where a browser goes after a good post (303)"},
      {"error_url", "/forms/NAME/error", "where a browser goes after a refused post; ?reason=CODE is added"},
      {"page", "", "HTML file served at GET /forms/NAME; {{token}} and {{action}} are filled in"},
      {"thanks_page", "", "HTML file served at /forms/NAME/thanks (a plain thank-you page otherwise)"},
      {"error_page", "", "HTML file served at /forms/NAME/error; {{reason}} and {{field}} are filled in"},
      {"honeypot_field", "website", "hidden field people leave empty; a post that fills it is spam"},
      {"token_field", "_ts", "hidden field with the signed timestamp (GET /forms/NAME/token gives one)"},
      {"token_secret", "", "secret for signing the timestamps; random per start when empty"},
      {"min_fill_seconds", "0", "posts sooner than this after the token was made are spam; 0: no token needed"},
      {"duplicate_window_seconds", "600", "same e-mail on this form within the window returns the first lead"},
      {"rate_limit_per_minute", "20", "posts a minute per client address; 0: no limit"},
      {"consent_text", "", "consent wording stored with the lead when the form sends none"},
      {"cors_origins", "[]", "origins allowed to post this form from script (fetch)"},
      {"undeclared_charset", "",
       "charset of a legacy page that posts without declaring one (windows-1252, iso-8859-1, iso-8859-15): "
       "such posts that are not UTF-8 are read in it; empty: they are refused"},
      {"create_partner", "true",
       "register the person: link the business partner with the same e-mail, or create one from the form"},
  };
  return kSpecs;
}

Result<FormConfig> read_form_config(const Settings& s) {
  if (auto st = s.check_known(form_specs()); !st) return st.error();
  FormConfig c;
  auto text = [&](const char* key, std::string& out) -> Status {
    auto v = s.text(key, out);
    if (!v) return v.error();
    out = std::move(v).value();
    return ok_status();
  };
  for (auto [key, out] : {std::pair{"name", &c.name},
                          {"mapping", &c.mapping},
                          {"campaign", &c.campaign},
                          {"success_url", &c.success_url},
                          {"error_url", &c.error_url},
                          {"honeypot_field", &c.honeypot_field},
                          {"token_field", &c.token_field},
                          {"token_secret", &c.token_secret},
                          {"consent_text", &c.consent_text},
                          {"undeclared_charset", &c.undeclared_charset}}) {
    if (auto st = text(key, *out); !st) return st.error();
  }
  if (!c.undeclared_charset.empty() && !is_single_byte_form_charset(c.undeclared_charset)) {
    return s.error("undeclared_charset", "'" + c.undeclared_charset +
                                             "' is not one forms are read in besides UTF-8: windows-1252, "
                                             "iso-8859-1 or iso-8859-15");
  }
  if (c.name.empty() || c.name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-_") != std::string::npos) {
    return s.error("name", "every form needs a name of a-z, 0-9, '-' and '_'");
  }
  c.path = "/forms/" + c.name;
  if (c.success_url.empty()) c.success_url = c.path + "/thanks";
  if (c.error_url.empty()) c.error_url = c.path + "/error";
  for (auto [key, out] : {std::pair{"page", &c.page}, {"thanks_page", &c.thanks_page}, {"error_page", &c.error_page}}) {
    std::string file;
    if (auto st = text(key, file); !st) return st.error();
    if (file.empty()) continue;
    std::string error;
    *out = read_file(file, error);
    if (!error.empty()) return s.error(key, error);
  }
  auto min_fill = s.integer("min_fill_seconds", 0, 0, 3600);
  auto window = s.integer("duplicate_window_seconds", 600, 0, std::int64_t{30} * 86400);
  auto rate = s.integer("rate_limit_per_minute", 20, 0, 1'000'000);
  auto origins = s.texts("cors_origins");
  auto with_partner = s.boolean("create_partner", true);
  if (!with_partner) return with_partner.error();
  c.with_partner = *with_partner;
  if (!min_fill) return min_fill.error();
  if (!window) return window.error();
  if (!rate) return rate.error();
  if (!origins) return origins.error();
  c.min_fill_ms = *min_fill * 1000;
  c.duplicate_window_ms = *window * 1000;
  c.rate_per_minute = static_cast<std::uint32_t>(*rate);
  c.cors_origins = std::move(origins).value();
  if (c.token_secret.empty()) c.token_secret = random_secret();
  return c;
}

std::string field_value(const FormFields& fields, const std::string& name) {
  for (const auto& [n, v] : fields) {
    if (n == name && !v.empty()) return v;
  }
  return {};
}

class Form {
 public:
  Form(ApiContext& ctx, FormConfig config, std::shared_ptr<const mapping::Mapper> mapper)
      : ctx_(ctx), config_(std::move(config)), mapper_(std::move(mapper)), limiter_(config_.rate_per_minute) {}

  void add_routes(Router& router) {
    const auto limit = ctx_.max_body_bytes;
    // Public routes, counted apart from the API in /metrics.
    const auto add = [&router](bhttp::verb method, const std::string& path, RouteHandler handler) -> Route& {
      auto& route = router.add(method, path, Scope::none, std::move(handler));
      route.metrics_class = RouteClass::forms;
      return route;
    };
    {
      auto& route = add(bhttp::verb::post, config_.path, [this](Call&& c) { submit(std::move(c)); });
      route.body_limit = limit;
      route.cors_origins = config_.cors_origins;
      route.browser_body_refusal = [this](const std::string& code, const std::string& field) {
        return to_error_page(code, field);
      };
    }
    {
      auto& route = add(bhttp::verb::get, config_.path + "/token", [this](Call&& c) { token(std::move(c)); });
      route.cors_origins = config_.cors_origins;
    }
    add(bhttp::verb::get, config_.path + "/thanks", [this](Call&& c) {
      c.reply(html_response(bhttp::status::ok, config_.thanks_page.empty() ? kThanksPage : config_.thanks_page));
    });
    add(bhttp::verb::get, config_.path + "/error", [this](Call&& c) { error_page(std::move(c)); });
    if (!config_.page.empty()) {
      add(bhttp::verb::get, config_.path, [this](Call&& c) { page(std::move(c)); });
    }
  }

 private:
  std::int64_t now() const { return SystemClock::instance().now_ms(); }

  void token(Call&& call) {
    std::string body;
    JsonWriter w(body);
    w.begin_object().key_identifier("field").value(config_.token_field);
    w.key_identifier("token").value(make_form_token(config_.token_secret, now())).end_object();
    auto r = json_response(bhttp::status::ok, std::move(body));
    r.set(bhttp::field::cache_control, "no-store");
    call.reply(std::move(r));
  }

  void page(Call&& call) {
    auto html = replace_all(config_.page, "{{token}}", html_escape(make_form_token(config_.token_secret, now())));
    html = replace_all(std::move(html), "{{action}}", html_escape(config_.path));
    call.reply(html_response(bhttp::status::ok, std::move(html)));
  }

  void error_page(Call&& call) {
    std::string reason = "error";
    std::string field;
    if (auto params = parse_form_body("application/x-www-form-urlencoded", call.request.query)) {
      if (auto r = field_value(*params, "reason"); !r.empty()) reason = r;
      field = field_value(*params, "field");
    }
    std::string html = config_.error_page;
    if (html.empty()) {
      html = std::string(
                 "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not sent</title></head><body>"
                 "<h1>Your request was not sent</h1><p id=\"message\">") +
             reason_sentence(reason) + "</p>" +
             (field.empty() ? "" : "<p>Field: <span id=\"field\">{{field}}</span></p>") +
             "<p>Reason: <span id=\"reason\">{{reason}}</span></p>"
             "<p><a href=\"javascript:history.back()\">Back to the form</a></p></body></html>";
    }
    html = replace_all(std::move(html), "{{reason}}", html_escape(reason));
    call.reply(html_response(bhttp::status::ok, replace_all(std::move(html), "{{field}}", html_escape(field))));
  }

  // 303 to the error page with the reason code and the field at fault (not the
  // server's "(body)" and the like, which name no input).
  Response to_error_page(const std::string& code, const std::string& field) const {
    std::string location = config_.error_url + (config_.error_url.find('?') == std::string::npos ? "?" : "&") +
                           "reason=" + url_escape(code);
    if (!field.empty() && field.front() != '(') location += "&field=" + url_escape(field);
    Response r{bhttp::status::see_other, 11};
    r.set(bhttp::field::location, location);
    return r;
  }

  // A refused post: browsers go to the error page with the reason code. A script
  // gets the problem, with Retry-After when `retry_after_seconds` is given (429).
  void refuse(Call& call, bhttp::status status, const std::string& code, const std::string& detail,
              std::vector<FieldError> fields = {}, std::uint32_t retry_after_seconds = 0) {
    if (wants_html(call.request.head))
      return call.reply(to_error_page(code, fields.empty() ? "" : fields.front().field));
    auto r = problem(status, code, detail, call.request.path, fields);
    if (retry_after_seconds > 0) r.set(bhttp::field::retry_after, std::to_string(retry_after_seconds));
    call.reply(std::move(r));
  }

  void accepted(const Reply& reply, bool browser, RecordId id, bool first) {
    if (browser) {
      Response r{bhttp::status::see_other, 11};
      r.set(bhttp::field::location, config_.success_url);
      return reply(std::move(r));
    }
    std::string body;
    JsonWriter w(body);
    w.begin_object().key_identifier("id").value(id.to_string());
    w.key_identifier("status").value(first ? "created" : "duplicate_submission").end_object();
    auto r = json_response(first ? bhttp::status::created : bhttp::status::ok, std::move(body));
    r.set(bhttp::field::location, "/api/v1/leads/" + id.to_string());
    reply(std::move(r));
  }

  // Spam checks: too many posts from one address, the honeypot, the fill time.
  bool passes_spam_checks(Call& call, const FormFields& fields) {
    std::uint32_t retry_after = 0;
    if (!limiter_.admit(call.request.client, retry_after)) {
      refuse(call, bhttp::status::too_many_requests, "rate_limited",
             "too many posts from your address; retry in " + std::to_string(retry_after) + " s", {}, retry_after);
      return false;
    }
    if (!config_.honeypot_field.empty() && !field_value(fields, config_.honeypot_field).empty()) {
      log::info(ctx_.connector, "form " + config_.name + ": honeypot filled by " + call.request.client);
      refuse(call, bhttp::status::unprocessable_entity, "spam", "the post was taken for spam",
             {{config_.honeypot_field, "must be empty"}});
      return false;
    }
    if (config_.min_fill_ms > 0) {
      const auto token = field_value(fields, config_.token_field);
      auto age = form_token_age(config_.token_secret, token, now());
      std::string reason;
      if (token.empty())
        reason = "missing (load the form page or GET " + config_.path + "/token first)";
      else if (!age)
        reason = age.error().fields.front().reason;
      else if (*age < config_.min_fill_ms)
        reason = "the form was sent too fast after it was loaded";
      else if (*age > kTokenMaxAgeMs)
        reason = "expired; reload the form";
      if (!reason.empty()) {
        refuse(call, bhttp::status::unprocessable_entity, "spam", "the post was taken for spam",
               {{config_.token_field, reason}});
        return false;
      }
    }
    return true;
  }

  // The mapped lead, or refuses the call and returns nullopt.
  std::optional<Lead> map_lead(Call& call, FormFields fields) {
    for (const auto& [name, value] : fields) {
      // %00 or %1B is a control character, not a charset problem: blaming the
      // encoding would send the sender after the wrong fix.
      if (const auto at = mapping::first_control_character(value, true); at != std::string::npos) {
        const std::string reason = "contains a control character " +
                                   mapping::control_character_name(static_cast<unsigned char>(value[at])) +
                                   " at byte " + std::to_string(at + 1);
        std::string detail = "form field " + name + " ";
        detail += reason;
        refuse(call, bhttp::status::unprocessable_entity, "invalid", detail, {{name, reason}});
        return std::nullopt;
      }
      if (!is_valid_utf8_text(value, true)) {
        refuse(call, bhttp::status::unprocessable_entity, "invalid", "form field " + name + " is not valid UTF-8",
               {{name,
                 "not valid UTF-8 (send the form as UTF-8: accept-charset=\"UTF-8\", or declare "
                 "its charset: Content-Type ...; charset=windows-1252; or, for a page you cannot "
                 "change, set the form's undeclared_charset: windows-1252 in the hub's config)"}});
        return std::nullopt;
      }
    }
    auto record = mapping::make_form_record(std::move(fields));
    auto mapped = mapper_->map(*record);
    if (!mapped.ok() || !mapped.lead) {
      std::vector<FieldError> errors;
      for (const auto& e : mapped.errors) errors.push_back(form_field_error(mapper_->spec(), e));
      const std::string detail =
          errors.empty() ? "the form does not make a lead" : errors.front().field + ": " + errors.front().reason;
      refuse(call, bhttp::status::unprocessable_entity, "invalid", detail, std::move(errors));
      return std::nullopt;
    }
    Lead lead = std::move(*mapped.lead);
    lead.source = LeadSource::web_form;
    if (lead.campaign.empty()) lead.campaign = config_.campaign;
    if (lead.consent.text.empty() && !config_.consent_text.empty() && lead.consent.marketing.value_or(false)) {
      lead.consent.text = config_.consent_text;
    }
    if (lead.consent.marketing.value_or(false) && !lead.consent.at) lead.consent.at = now();
    lead.attributes.erase("honeypot");
    lead.attributes["form"] = config_.name;
    return lead;
  }

  void submit(Call&& call) {
    auto fields =
        parse_form_body(call.request.header(bhttp::field::content_type), call.request.body, config_.undeclared_charset);
    if (!fields) {
      const auto& f = fields.error().fields.front();
      const bool media = f.field == "Content-Type";
      return refuse(call, media ? bhttp::status::unsupported_media_type : bhttp::status::bad_request,
                    media ? "unsupported_media_type" : "malformed", f.field + ": " + f.reason, fields.error().fields);
    }
    if (!passes_spam_checks(call, *fields)) return;
    auto lead = map_lead(call, std::move(fields).value());
    if (!lead) return;
    const bool browser = wants_html(call.request.head);
    std::string key;
    if (!lead->prospect.email.empty() && config_.duplicate_window_ms > 0) {
      key = lower_ascii(lead->prospect.email);
      RecordId first;
      const auto claim = recent_.claim(
          key, now(), config_.duplicate_window_ms, first, [&] { return stored_submission(key); },
          [this, reply = call.reply, browser](Result<RecordId> r) {
            if (!r) return reply(problem(r.error(), ""));
            accepted(reply, browser, *r, false);
          });
      if (claim == RecentSubmissions::Claim::existing) return accepted(call.reply, browser, first, false);
      if (claim == RecentSubmissions::Claim::waiting) return;
    }
    Actor actor{"web-form:" + config_.name, ctx_.connector};
    ctx_.hub.store().create_lead_async(
        {std::move(*lead), std::move(actor), {}, config_.with_partner},
        on_connection<Result<Created<Lead>>>(call.request, [this, key, browser, reply = std::move(call.reply),
                                                            path = call.request.path](Result<Created<Lead>> r) {
          if (!key.empty()) recent_.finish(key, r ? Result<RecordId>(r->record.id) : Result<RecordId>(r.error()));
          if (!r) {
            log::error(ctx_.connector, "form " + config_.name + ": " + r.error().message);
            if (browser) return reply(to_error_page(to_string(r.error().code), ""));
            return reply(problem(r.error(), path));
          }
          accepted(reply, browser, r->record.id, true);
        }));
  }

  // After a restart the window is checked in the store: a lead from this form with
  // the same e-mail, created within the window.
  std::optional<std::pair<RecordId, TimeMs>> stored_submission(const std::string& email) {
    LeadQuery q;
    q.email = email;
    q.source = LeadSource::web_form;
    q.limit = kMaxFindLimit;
    auto found = ctx_.hub.store().find_leads(q);
    if (!found) return std::nullopt;
    std::optional<std::pair<RecordId, TimeMs>> newest;
    for (const auto& lead : found->items) {
      auto it = lead.attributes.find("form");
      if (it == lead.attributes.end() || it->second != config_.name) continue;
      if (!newest || lead.created_at > newest->second) newest = std::make_pair(lead.id, lead.created_at);
    }
    return newest;
  }

  ApiContext& ctx_;
  FormConfig config_;
  std::shared_ptr<const mapping::Mapper> mapper_;
  RateLimiter limiter_;
  RecentSubmissions recent_;
};

}  // namespace

class FormRoutes {
 public:
  std::vector<std::unique_ptr<Form>> forms;
};

void FormRoutesDeleter::operator()(FormRoutes* routes) const { delete routes; }

Result<FormRoutesPtr> add_form_routes(Router& router, ApiContext& ctx, const std::vector<Settings>& forms) {
  FormRoutesPtr routes(new FormRoutes);
  std::vector<std::string> names;
  for (const auto& s : forms) {
    auto config = read_form_config(s);
    if (!config) return config.error();
    if (std::find(names.begin(), names.end(), config->name) != names.end()) {
      return s.error("name", "another form is already called " + config->name);
    }
    names.push_back(config->name);
    auto mapper = ctx.hub.mappings().get(config->mapping);
    if (!mapper) return s.error("mapping", mapper.error().message);
    if ((*mapper)->spec().format != mapping::SourceFormat::form) {
      return s.error("mapping", "mapping " + config->mapping + " is not a form mapping (format: form)");
    }
    routes->forms.push_back(std::make_unique<Form>(ctx, std::move(config).value(), std::move(mapper).value()));
    routes->forms.back()->add_routes(router);
  }
  return routes;
}

}  // namespace leadhub::connectors::http
