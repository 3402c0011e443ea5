// One connector instance's settings: the YAML mapping under `connectors:` in the
// config, checked against the connector's SettingSpec list. Every error names
// file:line:col and the key, like the rest of the config.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace leadhub::connectors {

struct SettingSpec {
  std::string key;
  std::string default_value;  // as written in YAML; empty when there is none
  std::string description;
};

class Settings {
 public:
  // `file` is the config file (for messages); `node` a YAML mapping or null;
  // `section` the config's top-level key the instance sits under ("" when
  // `instance` is a whole path already).
  Settings(std::string file, const YAML::Node& node, std::string instance, std::string section = "connectors");

  const std::string& instance() const { return instance_; }
  const std::string& file() const { return file_; }
  bool has(const std::string& key) const;
  // Refuses keys that are not in `specs`.
  Status check_known(const std::vector<SettingSpec>& specs) const;

  Result<std::string> text(const std::string& key, const std::string& fallback) const;
  Result<std::int64_t> integer(const std::string& key, std::int64_t fallback, std::int64_t min, std::int64_t max) const;
  Result<bool> boolean(const std::string& key, bool fallback) const;
  Result<std::vector<std::string>> texts(const std::string& key) const;  // a list of scalars
  // An integer setting into a field of any integer type; `out` holds the default.
  template <typename T>
  Status integer_into(const std::string& key, T& out, std::int64_t min, std::int64_t max) const {
    auto v = integer(key, static_cast<std::int64_t>(out), min, max);
    if (!v) return v.error();
    out = static_cast<T>(*v);
    return ok_status();
  }
  // "ADDRESS:PORT" (IPv6 as "[::1]:PORT"); port 0 means any free port.
  struct Endpoint {
    std::string host;
    std::uint16_t port = 0;
  };
  Result<Endpoint> endpoint(const std::string& key, const std::string& fallback) const;
  // A nested mapping or each item of a list of mappings, as Settings of their own.
  Result<Settings> child(const std::string& key) const;
  Result<std::vector<Settings>> children(const std::string& key) const;

  // "FILE:LINE:COL: SECTION.NAME.KEY" for a message about `key` (or the instance).
  std::string where(const std::string& key = "") const;
  // "SECTION.NAME" as the messages name the instance.
  std::string path() const;
  Error error(const std::string& key, const std::string& reason) const;

 private:
  std::string file_;
  YAML::Node node_;
  std::string instance_;  // "http" or "http.forms[0]"
  std::string section_;   // "connectors"
};

}  // namespace leadhub::connectors
