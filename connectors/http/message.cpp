#include "message.hpp"

namespace leadhub::connectors::http {

std::string_view Request::header(bhttp::field name) const {
  auto it = head.find(name);
  return it == head.end() ? std::string_view{} : std::string_view(it->value().data(), it->value().size());
}

std::string_view Request::header(std::string_view name) const {
  auto it = head.find(boost::beast::string_view(name.data(), name.size()));
  return it == head.end() ? std::string_view{} : std::string_view(it->value().data(), it->value().size());
}

bool wants_html(const RequestHeader& head) {
  return head[bhttp::field::accept].find("text/html") != boost::beast::string_view::npos;
}

namespace {
int hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int hi = hex(text[i + 1]);
      const int lo = hex(text[i + 2]);
      if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace leadhub::connectors::http
