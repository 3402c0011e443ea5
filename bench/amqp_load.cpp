// bench/amqp.sh's load client (Qpid Proton C++): CONNECTIONS connections, each
// keeping INFLIGHT CreateLead requests outstanding against ADDRESS, for SECONDS
// after a WARMUP. Each request has its own message id; the reply's correlation
// id finds its send time, so every request's latency is measured. Replies come
// on a dynamic address (the hub's listener hands one out) or, through a broker,
// on a named durable queue per connection (RabbitMQ 3.10 has no dynamic nodes).
//
//   bench_amqp_load URL ADDRESS [--connections 4] [--inflight 64] [--seconds 10]
//                   [--warmup 1] [--reply dynamic|/queue/PREFIX]
//
// Prints one line of key=value figures: rate (replies/s in the measured
// window), p50_ms, p99_ms, replies, not_ok (replies whose outcome is not ok),
// rejected (requests the peer rejected), unanswered (still in flight at the end).
#include <proton/connection.hpp>
#include <proton/connection_options.hpp>
#include <proton/container.hpp>
#include <proton/delivery.hpp>
#include <proton/message.hpp>
#include <proton/message_id.hpp>
#include <proton/messaging_handler.hpp>
#include <proton/receiver.hpp>
#include <proton/receiver_options.hpp>
#include <proton/sender.hpp>
#include <proton/sender_options.hpp>
#include <proton/source.hpp>
#include <proton/source_options.hpp>
#include <proton/target_options.hpp>
#include <proton/tracker.hpp>
#include <proton/transport.hpp>
#include <proton/work_queue.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  std::string url;
  std::string address;
  int connections = 4;
  int inflight = 64;
  double seconds = 10;
  double warmup = 1;
  std::string reply = "dynamic";  // or a broker queue prefix such as /queue/bench.replies
};

struct Link {
  proton::connection connection;
  proton::sender sender;
  proton::receiver receiver;
  std::string reply_to;  // known once the receiver is attached
  std::unordered_map<std::string, Clock::time_point> sent;
  std::uint64_t next = 0;
};

class Load final : public proton::messaging_handler {
 public:
  explicit Load(Options o) : o_(std::move(o)), run_(std::to_string(std::random_device{}())) {}

  void on_container_start(proton::container& c) override {
    for (int i = 0; i < o_.connections; ++i) {
      auto conn = c.connect(o_.url, proton::connection_options().sasl_allow_insecure_mechs(true));
      links_[conn].connection = conn;
      index_[conn] = i;
    }
    // The measured window: after the warm-up, for `seconds`; then the requests
    // still out get a moment to come back before everything closes.
    c.schedule(proton::duration(static_cast<int64_t>(o_.warmup * 1000)), [this] { begin_ = Clock::now(); });
    c.schedule(proton::duration(static_cast<int64_t>((o_.warmup + o_.seconds) * 1000)), [this, &c] {
      end_ = Clock::now();
      stopping_ = true;
      c.schedule(proton::duration(5000), [this] { close_all(); });
    });
  }

  void on_connection_open(proton::connection& c) override {
    auto& l = links_[c];
    proton::source_options source;
    if (o_.reply == "dynamic") {
      source.dynamic(true);
    } else {
      // Durable like the hub's reply senders: RabbitMQ refuses links that differ.
      l.reply_to = o_.reply + "." + run_ + "." + std::to_string(index_[c]);
      source.durability_mode(proton::source::CONFIGURATION);
    }
    l.receiver = c.open_receiver(l.reply_to, proton::receiver_options().credit_window(o_.inflight * 2).source(source));
    proton::target_options target;
    target.durability_mode(proton::target::CONFIGURATION);
    l.sender = c.open_sender(o_.address, proton::sender_options().target(target));
  }

  void on_receiver_open(proton::receiver& r) override {
    auto& l = links_[r.connection()];
    if (l.reply_to.empty()) l.reply_to = r.source().address();
    pump(l);
  }

  void on_sendable(proton::sender& s) override { pump(links_[s.connection()]); }

  void on_message(proton::delivery& d, proton::message& m) override {
    auto& l = links_[d.connection()];
    const auto now = Clock::now();
    const auto& correlation = m.correlation_id();
    if (correlation.type() != proton::STRING) return;
    const auto it = l.sent.find(proton::get<std::string>(correlation));
    if (it == l.sent.end()) return;
    const auto& props = m.properties();
    const bool ok = props.exists("outcome") && proton::get<std::string>(props.get("outcome")) == "ok";
    if (in_window(it->second) && in_window(now)) {
      latencies_us_.push_back(std::chrono::duration<double, std::micro>(now - it->second).count());
      if (!ok) ++not_ok_;
    }
    l.sent.erase(it);
    if (stopping_ && all_answered()) return close_all();
    pump(l);
  }

  void on_tracker_reject(proton::tracker&) override { ++rejected_; }

  void on_transport_error(proton::transport& t) override {
    std::cerr << "bench_amqp_load: " << t.error().what() << "\n";
    failed_ = true;
  }

  int report() const {
    auto sorted = latencies_us_;
    std::sort(sorted.begin(), sorted.end());
    const auto pct = [&](double p) {
      if (sorted.empty()) return 0.0;
      return sorted[std::min(sorted.size() - 1, static_cast<std::size_t>(p * sorted.size()))] / 1000.0;
    };
    const double window = std::chrono::duration<double>(end_ - begin_).count();
    std::size_t unanswered = 0;
    for (const auto& [c, l] : links_) unanswered += l.sent.size();
    std::printf("rate=%.0f p50_ms=%.2f p99_ms=%.2f replies=%zu not_ok=%zu rejected=%zu unanswered=%zu\n",
                window > 0 ? sorted.size() / window : 0.0, pct(0.50), pct(0.99), sorted.size(), not_ok_, rejected_,
                unanswered);
    return failed_ || sorted.empty() ? 1 : 0;
  }

 private:
  bool in_window(Clock::time_point t) const {
    return begin_ != Clock::time_point{} && t >= begin_ && (end_ == Clock::time_point{} || t <= end_);
  }

  bool all_answered() const {
    for (const auto& [c, l] : links_) {
      if (!l.sent.empty()) return false;
    }
    return true;
  }

  void pump(Link& l) {
    if (stopping_ || l.reply_to.empty() || !l.sender.active()) return;
    while (static_cast<int>(l.sent.size()) < o_.inflight && l.sender.credit() > 0) {
      const auto n = l.next++;
      const std::string id = run_ + "-" + std::to_string(index_[l.connection]) + "-" + std::to_string(n);
      proton::message m;
      m.id(id);
      m.subject("CreateLead");
      m.reply_to(l.reply_to);
      m.durable(true);
      m.body("{\"subject\":\"bench " + id + "\",\"campaign\":\"bench-amqp\",\"prospect\":{\"family_name\":\"Load\"," +
             "\"email\":\"b" + id + "@bench.example\"}}");
      l.sent[id] = Clock::now();
      l.sender.send(m);
    }
  }

  void close_all() {
    if (closed_) return;
    closed_ = true;
    for (auto& [c, l] : links_) {
      proton::connection conn = c;
      conn.close();
      // Called from a timer or another connection's event: without a wake the
      // proactor would not write this connection's close frame.
      conn.wake();
    }
  }

  Options o_;
  std::string run_;  // makes message ids unique across runs against one store
  std::map<proton::connection, Link> links_;
  std::map<proton::connection, int> index_;
  Clock::time_point begin_{};
  Clock::time_point end_{};
  bool stopping_ = false;
  bool closed_ = false;
  bool failed_ = false;
  std::vector<double> latencies_us_;
  std::size_t not_ok_ = 0;
  std::size_t rejected_ = 0;
};

bool parse(int argc, char** argv, Options& o) {
  if (argc < 3) return false;
  o.url = argv[1];
  o.address = argv[2];
  for (int i = 3; i + 1 < argc; i += 2) {
    const std::string key = argv[i];
    const std::string value = argv[i + 1];
    if (key == "--connections")
      o.connections = std::atoi(value.c_str());
    else if (key == "--inflight")
      o.inflight = std::atoi(value.c_str());
    else if (key == "--seconds")
      o.seconds = std::atof(value.c_str());
    else if (key == "--warmup")
      o.warmup = std::atof(value.c_str());
    else if (key == "--reply")
      o.reply = value;
    else
      return false;
  }
  return o.connections > 0 && o.inflight > 0 && o.seconds > 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!parse(argc, argv, o)) {
    std::cerr << "usage: bench_amqp_load URL ADDRESS [--connections N] [--inflight N] [--seconds S] [--warmup S]"
                 " [--reply dynamic|/queue/PREFIX]\n";
    return 2;
  }
  Load load(o);
  try {
    proton::container(load).run();
  } catch (const std::exception& e) {
    std::cerr << "bench_amqp_load: " << e.what() << "\n";
    return 1;
  }
  return load.report();
}
