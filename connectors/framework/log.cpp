#include "log.hpp"

#include <cstdio>
#include <string>

#include "util/clock.hpp"
#include "util/time_format.hpp"

namespace leadhub::connectors::log {
namespace {

void write(const char* level, std::string_view source, std::string_view message) {
  std::string line = format_timestamp(SystemClock::instance().now_ms());
  line += ' ';
  line += level;
  line += ' ';
  line += source;
  line += ": ";
  line += message;
  line += '\n';
  // One fwrite per line keeps lines from different threads whole.
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace

void info(std::string_view source, std::string_view message) { write("info", source, message); }
void warn(std::string_view source, std::string_view message) { write("warn", source, message); }
void error(std::string_view source, std::string_view message) { write("error", source, message); }

std::string url_without_password(std::string_view url) {
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  const auto authority_start = scheme_end + 3;
  const auto authority = url.substr(authority_start, url.find_first_of("/?#", authority_start) - authority_start);
  const auto at = authority.rfind('@');
  const auto colon = authority.find(':');
  if (at == std::string_view::npos || colon == std::string_view::npos || colon > at) return std::string(url);
  std::string out(url.substr(0, authority_start + colon + 1));
  out += "***";
  out += url.substr(authority_start + at);
  return out;
}

}  // namespace leadhub::connectors::log
