// API keys: each client in the config has a key stored only as its SHA-256
// hash, the scopes it may use and optionally the partner it is bound to. The key
// arrives as "Authorization: Bearer KEY".
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../framework/settings.hpp"
#include "util/result.hpp"

namespace leadhub::connectors::http {

enum class Scope : unsigned {
  none = 0,
  leads_read = 1U << 0,
  leads_write = 1U << 1,
  partners_read = 1U << 2,
  partners_write = 1U << 3,
  imports = 1U << 4,
  audit_read = 1U << 5,
  all = (1U << 6) - 1,
};
inline bool allows(unsigned granted, Scope needed) {
  return (granted & static_cast<unsigned>(needed)) == static_cast<unsigned>(needed);
}
// "leads:read" -> Scope::leads_read; the names are listed in docs/http-api.md.
Result<Scope> parse_scope(std::string_view name);
const char* scope_name(Scope scope);

struct Principal {
  std::string name = "anonymous";
  unsigned scopes = static_cast<unsigned>(Scope::all);
  std::string partner;  // non-empty: sees and changes only leads owned by this channel
  // The approval roles the caller holds (processing: approval steps name one each).
  // nullopt for the open API's anonymous caller: it may decide every step.
  std::optional<std::vector<std::string>> roles;
};

std::string sha256_hex(std::string_view text);

class ApiKeys {
 public:
  // From `api_keys:` items: {name, sha256, scopes, partner, roles}.
  static Result<ApiKeys> from_settings(const std::vector<Settings>& items);

  // No keys configured: the API is open (every caller is `anonymous` with all scopes).
  bool open() const { return keys_.empty(); }
  // The caller for an Authorization header, or nullptr when the key is missing or unknown.
  const Principal* authenticate(std::string_view authorization) const;

 private:
  struct Key {
    std::array<std::uint8_t, 32> hash{};
    Principal principal;
  };
  std::vector<Key> keys_;
  Principal anonymous_;
};

}  // namespace leadhub::connectors::http
