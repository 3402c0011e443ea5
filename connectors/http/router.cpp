#include "router.hpp"

#include <algorithm>

namespace leadhub::connectors::http {
namespace {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t start = 1;  // paths begin with '/'
  while (start <= path.size()) {
    const auto end = path.find('/', start);
    const auto part = path.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
    out.emplace_back(part);
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

bool is_placeholder(const std::string& segment) {
  return segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
}

bool matches(const Route& route, const std::vector<std::string>& parts, std::vector<std::string>* params) {
  if (route.segments.size() != parts.size()) return false;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (is_placeholder(route.segments[i])) {
      if (parts[i].empty()) return false;
      if (params != nullptr) params->push_back(parts[i]);
    } else if (route.segments[i] != parts[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

Route& Router::add(bhttp::verb method, std::string pattern, Scope scope, RouteHandler handler) {
  Route route;
  route.method = method;
  route.segments = split_path(pattern);
  route.pattern = std::move(pattern);
  route.scope = scope;
  route.metrics_class = route_class_of(scope);
  route.handler = std::move(handler);
  routes_.push_back(std::move(route));
  return routes_.back();
}

// HEAD is GET without the body (RFC 9110 9.3.2): it takes the GET route, and the
// server leaves the body out.
Router::Match Router::match(bhttp::verb method, std::string_view path) const {
  Match m;
  const auto parts = split_path(path);
  const auto wanted = method == bhttp::verb::head ? bhttp::verb::get : method;
  for (const auto& route : routes_) {
    if (route.method == wanted && matches(route, parts, &m.params)) {
      m.route = &route;
      return m;
    }
    m.params.clear();
  }
  m.allow = allowed(parts);
  return m;
}

std::string Router::allowed(std::string_view path) const { return allowed(split_path(path)); }

// One list for 405's and OPTIONS' Allow, so the two always agree.
std::string Router::allowed(const std::vector<std::string>& parts) const {
  std::vector<bhttp::verb> methods;
  for (const auto& route : routes_) {
    if (!matches(route, parts, nullptr)) continue;
    if (std::find(methods.begin(), methods.end(), route.method) != methods.end()) continue;
    methods.push_back(route.method);
    if (route.method == bhttp::verb::get) methods.push_back(bhttp::verb::head);
  }
  if (methods.empty()) return {};
  std::string out;
  for (const auto verb : methods) out += std::string(bhttp::to_string(verb)) + ", ";
  return out + "OPTIONS";
}

}  // namespace leadhub::connectors::http
