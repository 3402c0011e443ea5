// Server-side SASL PLAIN for the hub's own AMQP listener.
//
// Debian's Proton is built without Cyrus SASL, and its built-in SASL offers a
// server only ANONYMOUS (and EXTERNAL with TLS client certificates), so a client
// could not log in as a user. Cyrus itself is not a way out here: the library
// would have to be rebuilt against libsasl2, and a sasldb user database holds
// passwords in the clear (PLAIN needs them to compare). Proton has a plugin
// interface for exactly this (proton/sasl_plugin.h): we install one SASL
// implementation for the process that checks PLAIN logins against SHA-256
// hashes from the configuration (like the HTTP API keys) and otherwise does what
// Proton's built-in one does (ANONYMOUS, EXTERNAL; the client side that broker
// mode uses: EXTERNAL, PLAIN, ANONYMOUS).
//
// The logins are process-wide: the plugin only sees a transport, not which
// listener accepted it. A user listed by several listeners must have one hash;
// which partner a login acts for stays per listener (`users:` of each instance).
#pragma once

#include <string>
#include <vector>

#include "../framework/hub.hpp"

namespace leadhub::connectors::amqp::sasl {

struct Login {
  std::string user;
  std::string sha256;  // of the password: 64 lower-case hex digits
};

// True for 64 hex digits (either case).
bool is_sha256_hex(const std::string& text);

// Adds `logins` to the process's table and installs the implementation (once;
// transports created from then on use it). Fails when a user is already known
// with another hash.
Status register_logins(const std::vector<Login>& logins);

// True when `user` / `password` is a registered login (constant time in the hash).
bool check(const std::string& user, const std::string& password);

}  // namespace leadhub::connectors::amqp::sasl
