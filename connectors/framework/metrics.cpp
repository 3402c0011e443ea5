#include "metrics.hpp"

#include <charconv>
#include <cmath>

namespace leadhub::connectors {

std::string metric_number(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buf[32];
  const auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;
  return {buf, end};
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char ch : value) {
    if (ch == '\\') {
      out += "\\\\";
    } else if (ch == '"') {
      out += "\\\"";
    } else if (ch == '\n') {
      out += "\\n";
    } else {
      out += ch;
    }
  }
  return out;
}

namespace {

// HELP text escapes only \ and newlines (a " stays as it is).
std::string escape_help(std::string_view help) {
  std::string out;
  for (const char ch : help) {
    if (ch == '\\') {
      out += "\\\\";
    } else if (ch == '\n') {
      out += "\\n";
    } else {
      out += ch;
    }
  }
  return out;
}

}  // namespace

Metrics::Family& Metrics::family(std::string_view name, std::string_view help, const char* type) {
  for (auto& f : families_) {
    if (f.name == name) return f;
  }
  families_.push_back({std::string(name), escape_help(help), type, {}});
  return families_.back();
}

void Metrics::sample(Family& f, std::string_view suffix, const MetricLabels& labels, std::string_view value,
                     std::string_view le) {
  auto& out = f.samples;
  out += f.name;
  out += suffix;
  if (!labels.empty() || !le.empty()) {
    out += '{';
    const char* comma = "";
    for (const auto& [label, text] : labels) {
      out.append(comma).append(label).append("=\"").append(escape_label_value(text)).append("\"");
      comma = ",";
    }
    if (!le.empty()) out.append(comma).append("le=\"").append(le).append("\"");
    out += '}';
  }
  out += ' ';
  out += value;
  out += '\n';
}

void Metrics::counter(std::string_view name, std::string_view help, std::uint64_t value, const MetricLabels& labels) {
  sample(family(name, help, "counter"), "", labels, std::to_string(value));
}

void Metrics::gauge(std::string_view name, std::string_view help, std::uint64_t value, const MetricLabels& labels) {
  sample(family(name, help, "gauge"), "", labels, std::to_string(value));
}

void Metrics::gauge(std::string_view name, std::string_view help, double value, const MetricLabels& labels) {
  sample(family(name, help, "gauge"), "", labels, metric_number(value));
}

void Metrics::histogram(std::string_view name, std::string_view help, const HistogramSnapshot& h, double divisor,
                        const MetricLabels& labels) {
  auto& f = family(name, help, "histogram");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < h.upper_bounds.size() && i < h.counts.size(); ++i) {
    cumulative += h.counts[i];
    sample(f, "_bucket", labels, std::to_string(cumulative),
           metric_number(static_cast<double>(h.upper_bounds[i]) / divisor));
  }
  sample(f, "_bucket", labels, std::to_string(h.count), "+Inf");
  sample(f, "_sum", labels, metric_number(static_cast<double>(h.sum) / divisor));
  sample(f, "_count", labels, std::to_string(h.count));
}

std::string Metrics::text() const {
  std::string out;
  for (const auto& f : families_) {
    out.append("# HELP ").append(f.name).append(" ").append(f.help).append("\n");
    out.append("# TYPE ").append(f.name).append(" ").append(f.type).append("\n");
    out += f.samples;
  }
  return out;
}

}  // namespace leadhub::connectors
