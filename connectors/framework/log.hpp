// One line per event on stderr: "2026-11-22T10:00:00.123Z info http: listening on ...".
// Enough for a service run under systemd or a container, which keep stderr.
#pragma once

#include <string>
#include <string_view>

namespace leadhub::connectors::log {

void info(std::string_view source, std::string_view message);
void warn(std::string_view source, std::string_view message);
void error(std::string_view source, std::string_view message);

// `url` with the password of its user info replaced by "***"
// (https://ops:***@host/path), for the log and /readyz, which anyone who reaches
// the port reads. A URL without a password comes back as it is.
std::string url_without_password(std::string_view url);

}  // namespace leadhub::connectors::log
