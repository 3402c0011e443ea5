#include "auth.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace leadhub::connectors::http {
namespace {

struct ScopeName {
  Scope scope;
  const char* name;
};
constexpr ScopeName kScopes[] = {
    {Scope::leads_read, "leads:read"},
    {Scope::leads_write, "leads:write"},
    {Scope::partners_read, "partners:read"},
    {Scope::partners_write, "partners:write"},
    {Scope::imports, "imports"},
    {Scope::audit_read, "audit:read"},
};

std::array<std::uint8_t, 32> sha256(std::string_view text) {
  std::array<std::uint8_t, 32> digest{};
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest.data(), &length, EVP_sha256(), nullptr);
  return digest;
}

bool parse_hex32(std::string_view hex, std::array<std::uint8_t, 32>& out) {
  if (hex.size() != 64) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < 32; ++i) {
    const int hi = nibble(hex[2 * i]);
    const int lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return true;
}

}  // namespace

Result<Scope> parse_scope(std::string_view name) {
  if (name == "*") return Scope::all;
  for (const auto& s : kScopes) {
    if (name == s.name) return s.scope;
  }
  std::string known = "*";
  for (const auto& s : kScopes) known += std::string(", ") + s.name;
  return Error::make(ErrorCode::invalid, "unknown scope '" + std::string(name) + "' (known: " + known + ")");
}

const char* scope_name(Scope scope) {
  for (const auto& s : kScopes) {
    if (s.scope == scope) return s.name;
  }
  return scope == Scope::all ? "*" : "";
}

std::string sha256_hex(std::string_view text) {
  static const char* const kDigits = "0123456789abcdef";
  std::string out;
  for (const auto byte : sha256(text)) {
    out += kDigits[byte >> 4];
    out += kDigits[byte & 15];
  }
  return out;
}

Result<ApiKeys> ApiKeys::from_settings(const std::vector<Settings>& items) {
  static const std::vector<SettingSpec> kSpec = {
      {"name", "", "who the key belongs to; recorded as the acting user in the audit trail"},
      {"sha256", "", "hex SHA-256 of the key (`leadhub apikey new` prints a key and its hash)"},
      {"scopes", "[\"*\"]", "leads:read, leads:write, partners:read, partners:write, imports, audit:read or *"},
      {"partner", "", "owner channel the key is bound to: it sees and changes only those leads"},
      {"roles", "[]", "approval roles the key's holder may decide (processing: approval steps' role)"},
  };
  ApiKeys keys;
  for (const auto& item : items) {
    if (auto st = item.check_known(kSpec); !st) return st.error();
    Key key;
    auto name = item.text("name", "");
    if (!name) return name.error();
    if (name->empty()) return item.error("name", "every API key needs a name");
    key.principal.name = *name;
    auto hash = item.text("sha256", "");
    if (!hash) return hash.error();
    if (!parse_hex32(*hash, key.hash)) return item.error("sha256", "expected 64 hex digits (the key's SHA-256)");
    auto scopes = item.texts("scopes");
    if (!scopes) return scopes.error();
    if (scopes->empty()) scopes->push_back("*");
    key.principal.scopes = 0;
    for (const auto& s : *scopes) {
      auto scope = parse_scope(s);
      if (!scope) return item.error("scopes", scope.error().message);
      key.principal.scopes |= static_cast<unsigned>(*scope);
    }
    auto partner = item.text("partner", "");
    if (!partner) return partner.error();
    key.principal.partner = *partner;
    auto roles = item.texts("roles");
    if (!roles) return roles.error();
    key.principal.roles = std::move(*roles);
    keys.keys_.push_back(std::move(key));
  }
  return keys;
}

const Principal* ApiKeys::authenticate(std::string_view authorization) const {
  if (keys_.empty()) return &anonymous_;
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() <= kBearer.size()) return nullptr;
  for (std::size_t i = 0; i < kBearer.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(authorization[i])) !=
        std::tolower(static_cast<unsigned char>(kBearer[i]))) {
      return nullptr;
    }
  }
  // One or more spaces after the scheme (RFC 9110's 1*SP), blanks a client's
  // string building left around the key: the key itself has none.
  std::string_view key = authorization.substr(kBearer.size());
  while (!key.empty() && (key.front() == ' ' || key.front() == '\t')) key.remove_prefix(1);
  while (!key.empty() && (key.back() == ' ' || key.back() == '\t')) key.remove_suffix(1);
  const auto digest = sha256(key);
  const Principal* found = nullptr;
  // Compare every key in constant time so timing does not tell which bytes matched.
  for (const auto& key : keys_) {
    if (CRYPTO_memcmp(key.hash.data(), digest.data(), digest.size()) == 0) found = &key.principal;
  }
  return found;
}

}  // namespace leadhub::connectors::http
