// The Prometheus text format of GET /metrics (connectors/framework/metrics) and
// the histograms behind it (core/util/histogram): escaping, one HELP and TYPE per
// family, cumulative buckets ending in +Inf, _sum and _count. The end-to-end test
// (tests/http/metrics_test.py) reads a live hub's text with prometheus_client.
#include <boost/test/unit_test.hpp>
#include <limits>

#include "connectors/framework/metrics.hpp"
#include "connectors/http/request_metrics.hpp"
#include "util/histogram.hpp"

using namespace leadhub;
using namespace leadhub::connectors;

BOOST_AUTO_TEST_SUITE(metrics_text)

BOOST_AUTO_TEST_CASE(label_values_escape_backslash_quote_and_newline) {
  BOOST_TEST(escape_label_value(R"(a\b"c)"
                                "\n"
                                "d") == R"(a\\b\"c\nd)");
  Metrics m;
  m.counter("leadhub_x_total", "help", 3, {{"route", "say \"hi\"\\\n"}});
  BOOST_TEST(m.text() ==
             "# HELP leadhub_x_total help\n"
             "# TYPE leadhub_x_total counter\n"
             "leadhub_x_total{route=\"say \\\"hi\\\"\\\\\\n\"} 3\n");
}

BOOST_AUTO_TEST_CASE(help_escapes_backslash_and_newline_only) {
  Metrics m;
  m.gauge("leadhub_g", "a \"quoted\" path C:\\x\nsecond line", std::uint64_t{1});
  BOOST_TEST(m.text() ==
             "# HELP leadhub_g a \"quoted\" path C:\\\\x\\nsecond line\n"
             "# TYPE leadhub_g gauge\n"
             "leadhub_g 1\n");
}

BOOST_AUTO_TEST_CASE(a_family_is_written_once_with_all_its_samples) {
  Metrics m;
  m.counter("leadhub_a_total", "A", 1, {{"c", "x"}});
  m.gauge("leadhub_b", "B", 2.5);
  m.counter("leadhub_a_total", "A again", 2, {{"c", "y"}, {"d", "z"}});
  BOOST_TEST(m.text() ==
             "# HELP leadhub_a_total A\n"
             "# TYPE leadhub_a_total counter\n"
             "leadhub_a_total{c=\"x\"} 1\n"
             "leadhub_a_total{c=\"y\",d=\"z\"} 2\n"
             "# HELP leadhub_b B\n"
             "# TYPE leadhub_b gauge\n"
             "leadhub_b 2.5\n");
}

BOOST_AUTO_TEST_CASE(numbers_are_shortest_round_trip_and_special_values_named) {
  BOOST_TEST(metric_number(0.005) == "0.005");
  BOOST_TEST(metric_number(5'000'000 / 1e9) == "0.005");
  BOOST_TEST(metric_number(10.0) == "10");
  BOOST_TEST(metric_number(1e-6) == "1e-06");
  BOOST_TEST(metric_number(std::numeric_limits<double>::infinity()) == "+Inf");
  BOOST_TEST(metric_number(-std::numeric_limits<double>::infinity()) == "-Inf");
  BOOST_TEST(metric_number(std::numeric_limits<double>::quiet_NaN()) == "NaN");
}

BOOST_AUTO_TEST_CASE(histogram_buckets_are_cumulative_and_end_in_inf_with_sum_and_count) {
  Histogram h{1'000'000, 5'000'000, 10'000'000};  // 1 ms, 5 ms, 10 ms in ns
  h.observe(500'000);                             // 0.5 ms: first bucket
  h.observe(1'000'000);                           // exactly on a bound: that bucket (le is inclusive)
  h.observe(7'000'000);                           // third
  h.observe(60'000'000);                          // above every bound: +Inf only
  Metrics m;
  m.histogram("leadhub_d_seconds", "D", h.snapshot(), 1e9, {{"route", "r"}});
  BOOST_TEST(m.text() ==
             "# HELP leadhub_d_seconds D\n"
             "# TYPE leadhub_d_seconds histogram\n"
             "leadhub_d_seconds_bucket{route=\"r\",le=\"0.001\"} 2\n"
             "leadhub_d_seconds_bucket{route=\"r\",le=\"0.005\"} 2\n"
             "leadhub_d_seconds_bucket{route=\"r\",le=\"0.01\"} 3\n"
             "leadhub_d_seconds_bucket{route=\"r\",le=\"+Inf\"} 4\n"
             "leadhub_d_seconds_sum{route=\"r\"} 0.0685\n"
             "leadhub_d_seconds_count{route=\"r\"} 4\n");
}

BOOST_AUTO_TEST_CASE(an_empty_histogram_still_has_inf_sum_and_count) {
  Histogram h{1, 10};
  Metrics m;
  m.histogram("leadhub_n", "N", h.snapshot(), 1);
  BOOST_TEST(m.text() ==
             "# HELP leadhub_n N\n"
             "# TYPE leadhub_n histogram\n"
             "leadhub_n_bucket{le=\"1\"} 0\n"
             "leadhub_n_bucket{le=\"10\"} 0\n"
             "leadhub_n_bucket{le=\"+Inf\"} 0\n"
             "leadhub_n_sum 0\n"
             "leadhub_n_count 0\n");
}

BOOST_AUTO_TEST_CASE(http_requests_are_counted_by_route_class_and_status_class) {
  http::RequestMetrics r;
  r.record(http::RouteClass::leads_write, 201, std::chrono::milliseconds(2));
  r.record(http::RouteClass::leads_write, 422, std::chrono::milliseconds(1));
  r.record(http::RouteClass::leads_write, 201, std::chrono::milliseconds(3));
  r.record(http::RouteClass::other, 404, std::chrono::microseconds(50));
  Metrics m;
  r.report(m, "web");
  const auto text = m.text();
  BOOST_TEST(text.find("leadhub_http_requests_total{connector=\"web\",route=\"leads_write\",code=\"2xx\"} 2\n") !=
             std::string::npos);
  BOOST_TEST(text.find("leadhub_http_requests_total{connector=\"web\",route=\"leads_write\",code=\"4xx\"} 1\n") !=
             std::string::npos);
  BOOST_TEST(text.find("leadhub_http_requests_total{connector=\"web\",route=\"other\",code=\"4xx\"} 1\n") !=
             std::string::npos);
  BOOST_TEST(text.find("route=\"forms\"") == std::string::npos);  // never asked: no series
  BOOST_TEST(text.find("leadhub_http_request_duration_seconds_count{connector=\"web\",route=\"leads_write\"} 3\n") !=
             std::string::npos);
  BOOST_TEST(text.find("leadhub_http_request_duration_seconds_bucket{connector=\"web\",route=\"leads_write\","
                       "le=\"0.0025\"} 2\n") != std::string::npos);
  BOOST_TEST(text.find("leadhub_http_request_duration_seconds_sum{connector=\"web\",route=\"leads_write\"} 0.006\n") !=
             std::string::npos);
}

BOOST_AUTO_TEST_SUITE_END()
