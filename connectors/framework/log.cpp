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

}  // namespace leadhub::connectors::log
