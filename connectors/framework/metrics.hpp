// The hub's metrics as text in the Prometheus exposition format, version 0.0.4
// (what GET /metrics answers). Whoever owns a number adds it as a sample of its
// family; text() writes each family once, with its HELP and TYPE lines, however
// many connectors added to it. Names are the callers' literals ("leadhub_...",
// units in the name); label values may hold anything and are escaped.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/histogram.hpp"

namespace leadhub::connectors {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Metrics {
 public:
  static constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

  // Counters only grow (name them ..._total); gauges go up and down.
  void counter(std::string_view name, std::string_view help, std::uint64_t value, const MetricLabels& labels = {});
  void gauge(std::string_view name, std::string_view help, std::uint64_t value, const MetricLabels& labels = {});
  void gauge(std::string_view name, std::string_view help, double value, const MetricLabels& labels = {});
  // Cumulative buckets (le="..."), +Inf, _sum and _count from the snapshot's
  // per-bucket counts. `divisor` turns its unit into the metric's: 1e9 for a
  // snapshot in nanoseconds of a metric in seconds, 1 for counts.
  void histogram(std::string_view name, std::string_view help, const HistogramSnapshot& h, double divisor,
                 const MetricLabels& labels = {});

  std::string text() const;

 private:
  struct Family {
    std::string name;
    std::string help;
    const char* type;
    std::string samples;  // its sample lines, each ending in \n
  };
  Family& family(std::string_view name, std::string_view help, const char* type);
  static void sample(Family& f, std::string_view suffix, const MetricLabels& labels, std::string_view value,
                     std::string_view le = {});

  std::vector<Family> families_;
};

// A number as the format writes it: the shortest text that reads back as the same
// double ("0.005", "1e-06"), "+Inf", "-Inf" or "NaN".
std::string metric_number(double value);
// A label value with \, " and newlines escaped as the format wants.
std::string escape_label_value(std::string_view value);

}  // namespace leadhub::connectors
