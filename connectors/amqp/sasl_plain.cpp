#include "sasl_plain.hpp"

#include <proton/sasl_plugin.h>

#include <cctype>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <string_view>

#include "../http/auth.hpp"

namespace leadhub::connectors::amqp::sasl {
namespace {

constexpr std::string_view kAnonymous = "ANONYMOUS";
constexpr std::string_view kExternal = "EXTERNAL";
constexpr std::string_view kPlain = "PLAIN";

struct Table {
  std::shared_mutex mutex;  // written at connector start, read from Proton's I/O threads
  std::map<std::string, std::string, std::less<>> sha256_by_user;
};

Table& table() {
  static Table t;
  return t;
}

bool has_mechanism(const char* list, std::string_view mechanism) {
  std::string_view rest = list ? list : "";
  while (!rest.empty()) {
    const auto space = rest.find(' ');
    if (rest.substr(0, space) == mechanism) return true;
    if (space == std::string_view::npos) break;
    rest.remove_prefix(space + 1);
  }
  return false;
}

// Per transport. Proton keeps pointers to both, not copies: the user name given
// to pnx_sasl_set_succeeded() and the initial response's bytes must live as long as
// the transport, so they are kept here until free().
struct Context {
  std::string initial_response;
  std::string user;
};

Context& context(pn_transport_t* t) {
  auto* c = static_cast<Context*>(pnx_sasl_get_context(t));
  if (!c) {
    c = new Context;
    pnx_sasl_set_context(t, c);
  }
  return *c;
}

void send_initial_response(pn_transport_t* t, std::string bytes) {
  auto& c = context(t);
  c.initial_response = std::move(bytes);
  pnx_sasl_set_bytes_out(t, pn_bytes(c.initial_response.size(), c.initial_response.data()));
  pnx_sasl_set_desired_state(t, SASL_POSTED_INIT);
}

void succeed(pn_transport_t* t, std::string user) {
  auto& c = context(t);
  c.user = std::move(user);
  pnx_sasl_set_succeeded(t, c.user.c_str(), nullptr);
}

void impl_free(pn_transport_t* t) {
  delete static_cast<Context*>(pnx_sasl_get_context(t));
  pnx_sasl_set_context(t, nullptr);
}

const char* list_mechanisms(pn_transport_t* t) {
  // Proton filters this by the connection's allowed mechanisms (sasl_mechanisms).
  const bool external = pnx_sasl_get_external_username(t) != nullptr;
  return external ? "PLAIN EXTERNAL ANONYMOUS" : "PLAIN ANONYMOUS";
}

bool init_server(pn_transport_t* t) {
  pnx_sasl_set_desired_state(t, SASL_POSTED_MECHANISMS);
  return true;
}

bool init_client(pn_transport_t*) { return true; }
void prepare_write(pn_transport_t*) {}

// PLAIN's message: [authzid] NUL authcid NUL password (RFC 4616).
bool plain_login(pn_transport_t* t, const pn_bytes_t* recv) {
  if (!recv || !recv->start) return false;
  const std::string_view message(recv->start, recv->size);
  const auto first = message.find('\0');
  const auto second = first == std::string_view::npos ? first : message.find('\0', first + 1);
  if (second == std::string_view::npos) return false;
  const std::string authzid(message.substr(0, first));
  const std::string user(message.substr(first + 1, second - first - 1));
  const std::string password(message.substr(second + 1));
  // Acting as someone else (an authorization id other than the login) is not offered.
  if (user.empty() || (!authzid.empty() && authzid != user) || !check(user, password)) return false;
  succeed(t, user);
  return true;
}

void process_init(pn_transport_t* t, const char* mechanism, const pn_bytes_t* recv) {
  const std::string_view mech = mechanism ? mechanism : "";
  const char* external = pnx_sasl_get_external_username(t);
  bool ok = false;
  if (mech == kPlain) {
    ok = plain_login(t, recv);
    if (!ok) pnx_sasl_logf(t, PN_LEVEL_ERROR, "PLAIN login refused");
  } else if (mech == kAnonymous) {
    succeed(t, "anonymous");
    ok = true;
  } else if (mech == kExternal && external) {
    succeed(t, external);
    ok = true;
  }
  if (!ok) pnx_sasl_set_failed(t);
  pnx_sasl_set_desired_state(t, SASL_POSTED_OUTCOME);
}

void process_response(pn_transport_t*, const pn_bytes_t*) {}

// The client side, as Proton's built-in one: EXTERNAL, else PLAIN when there is
// a password and the transport is encrypted or insecure mechanisms are allowed,
// else ANONYMOUS. The offered list is already filtered by the allowed ones.
bool process_mechanisms(pn_transport_t* t, const char* mechs) {
  const char* user = pnx_sasl_get_username(t);
  const char* password = pnx_sasl_get_password(t);
  if (has_mechanism(mechs, kExternal)) {
    pnx_sasl_set_selected_mechanism(t, kExternal.data());
    send_initial_response(t, user ? user : "");
    return true;
  }
  const bool may_plain = pnx_sasl_is_transport_encrypted(t) || pnx_sasl_get_allow_insecure_mechanisms(t);
  if (has_mechanism(mechs, kPlain) && may_plain && user && password) {
    pnx_sasl_set_selected_mechanism(t, kPlain.data());
    std::string message;
    message.push_back('\0');
    message += user;
    message.push_back('\0');
    message += password;
    pnx_sasl_clear_password(t);
    send_initial_response(t, message);
    return true;
  }
  if (has_mechanism(mechs, kAnonymous)) {
    pnx_sasl_set_selected_mechanism(t, kAnonymous.data());
    send_initial_response(t, user ? user : "anonymous");
    return true;
  }
  return false;
}

void process_challenge(pn_transport_t*, const pn_bytes_t*) {}
void process_outcome(pn_transport_t*, const pn_bytes_t*) {}
bool can_encrypt(pn_transport_t*) { return false; }
ssize_t max_encrypt_size(pn_transport_t*) { return 0; }
ssize_t encode(pn_transport_t*, pn_bytes_t, pn_bytes_t*) { return 0; }
ssize_t decode(pn_transport_t*, pn_bytes_t, pn_bytes_t*) { return 0; }

const pnx_sasl_implementation kImplementation = {
    impl_free,
    list_mechanisms,
    init_server,
    init_client,
    prepare_write,
    process_init,
    process_response,
    process_mechanisms,
    process_challenge,
    process_outcome,
    can_encrypt,
    max_encrypt_size,
    encode,
    decode,
};

// Constant time in the digits, so timing does not tell how much of a guess matched.
bool same_digest(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::string lower(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

bool is_sha256_hex(const std::string& text) {
  if (text.size() != 64) return false;
  for (const char c : text) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

Status register_logins(const std::vector<Login>& logins) {
  auto& t = table();
  {
    std::unique_lock lock(t.mutex);
    for (const auto& login : logins) {
      const auto hash = lower(login.sha256);
      auto [it, added] = t.sha256_by_user.emplace(login.user, hash);
      if (!added && it->second != hash) {
        return Error::make(ErrorCode::invalid,
                           "amqp: user '" + login.user + "' has different password hashes in two listeners");
      }
    }
  }
  static std::once_flag installed;
  std::call_once(installed, [] { pnx_sasl_set_default_implementation(&kImplementation); });
  return ok_status();
}

bool check(const std::string& user, const std::string& password) {
  auto& t = table();
  std::shared_lock lock(t.mutex);
  const auto it = t.sha256_by_user.find(user);
  // An unknown user still costs a hash, so timing does not tell which users exist.
  const auto digest = http::sha256_hex(password);
  return it != t.sha256_by_user.end() && same_digest(digest, it->second);
}

}  // namespace leadhub::connectors::amqp::sasl
