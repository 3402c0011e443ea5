#include "settings.hpp"

#include <algorithm>
#include <cstdlib>

namespace leadhub::connectors {

Settings::Settings(std::string file, const YAML::Node& node, std::string instance, std::string section)
    : file_(std::move(file)), node_(node), instance_(std::move(instance)), section_(std::move(section)) {}

bool Settings::has(const std::string& key) const { return node_.IsMap() && node_[key]; }

std::string Settings::path() const {
  if (section_.empty()) return instance_;
  return instance_.empty() ? section_ : section_ + "." + instance_;
}

std::string Settings::where(const std::string& key) const {
  // Initialized, never assigned: assigning to a yaml-cpp Node writes through to the
  // node it refers to, which would overwrite this instance's settings.
  const YAML::Node at = (!key.empty() && has(key)) ? node_[key] : node_;
  const auto mark = at.Mark();
  std::string out = file_;
  if (!mark.is_null()) out += ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
  out += ": " + path();
  if (!key.empty()) out += "." + key;
  return out;
}

Error Settings::error(const std::string& key, const std::string& reason) const {
  return Error::make(ErrorCode::invalid, where(key) + ": " + reason);
}

Status Settings::check_known(const std::vector<SettingSpec>& specs) const {
  if (!node_ || node_.IsNull()) return ok_status();
  if (!node_.IsMap()) return error("", "expected a mapping of settings");
  for (const auto& item : node_) {
    const auto key = item.first.as<std::string>();
    const bool known = std::any_of(specs.begin(), specs.end(), [&](const SettingSpec& s) { return s.key == key; });
    if (!known) {
      const auto mark = item.first.Mark();
      std::string message = file_ + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
      message += ": " + path() + ": unknown key '" + key + "' (known: ";
      for (std::size_t i = 0; i < specs.size(); ++i) {
        if (i > 0) message += ", ";
        message += specs[i].key;
      }
      message += ")";
      return Error::make(ErrorCode::invalid, std::move(message));
    }
  }
  return ok_status();
}

Result<std::string> Settings::text(const std::string& key, const std::string& fallback) const {
  if (!has(key) || node_[key].IsNull()) return fallback;
  const YAML::Node v = node_[key];
  if (!v.IsScalar()) return error(key, "expected a text value");
  return v.as<std::string>();
}

Result<std::int64_t> Settings::integer(const std::string& key, std::int64_t fallback, std::int64_t min,
                                       std::int64_t max) const {
  if (!has(key) || node_[key].IsNull()) return fallback;
  std::int64_t value = 0;
  const YAML::Node v = node_[key];
  if (!v.IsScalar() || !YAML::convert<std::int64_t>::decode(v, value) || value < min || value > max) {
    return error(key, "expected a whole number from " + std::to_string(min) + " to " + std::to_string(max));
  }
  return value;
}

Result<bool> Settings::boolean(const std::string& key, bool fallback) const {
  if (!has(key) || node_[key].IsNull()) return fallback;
  bool value = false;
  const YAML::Node v = node_[key];
  if (!v.IsScalar() || !YAML::convert<bool>::decode(v, value)) return error(key, "expected true or false");
  return value;
}

Result<std::vector<std::string>> Settings::texts(const std::string& key) const {
  std::vector<std::string> out;
  if (!has(key) || node_[key].IsNull()) return out;
  const YAML::Node v = node_[key];
  if (v.IsScalar()) return std::vector<std::string>{v.as<std::string>()};
  if (!v.IsSequence()) return error(key, "expected a list of text values");
  for (const auto& item : v) {
    if (!item.IsScalar()) return error(key, "expected a list of text values");
    out.push_back(item.as<std::string>());
  }
  return out;
}

Result<Settings::Endpoint> Settings::endpoint(const std::string& key, const std::string& fallback) const {
  auto text = this->text(key, fallback);
  if (!text) return text.error();
  const auto colon = text->rfind(':');
  if (colon == std::string::npos) return error(key, "expected ADDRESS:PORT, e.g. " + fallback);
  std::string host = text->substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port = text->substr(colon + 1);
  char* end = nullptr;
  const long value = std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || value < 0 || value > 65535) return error(key, "port must be 0-65535");
  return Endpoint{host, static_cast<std::uint16_t>(value)};
}

Result<Settings> Settings::child(const std::string& key) const {
  if (!has(key) || node_[key].IsNull())
    return Settings(file_, YAML::Node(YAML::NodeType::Null), instance_ + "." + key, section_);
  const YAML::Node v = node_[key];
  if (!v.IsMap()) return error(key, "expected a mapping");
  return Settings(file_, v, instance_ + "." + key, section_);
}

Result<std::vector<Settings>> Settings::children(const std::string& key) const {
  std::vector<Settings> out;
  if (!has(key) || node_[key].IsNull()) return out;
  const YAML::Node v = node_[key];
  if (!v.IsSequence()) return error(key, "expected a list of mappings");
  std::size_t i = 0;
  for (const auto& item : v) {
    Settings s(file_, item, instance_ + "." + key + "[" + std::to_string(i++) + "]", section_);
    if (!item.IsMap()) return s.error("", "expected a mapping");
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace leadhub::connectors
