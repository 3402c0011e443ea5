// One line per event on stderr: "2026-11-22T10:00:00.123Z info http: listening on ...".
// Enough for a service run under systemd or a container, which keep stderr.
#pragma once

#include <string_view>

namespace leadhub::connectors::log {

void info(std::string_view source, std::string_view message);
void warn(std::string_view source, std::string_view message);
void error(std::string_view source, std::string_view message);

}  // namespace leadhub::connectors::log
