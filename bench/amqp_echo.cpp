// bench/amqp.sh, the reference: a plain Qpid Proton C++ responder that consumes
// a broker queue and sends every request's body back to its reply_to with the
// request's message id as correlation id, then accepts the request. It does
// what the hub's broker mode does on the wire (credit window, accept after the
// reply is handed to Proton, durable replies) and nothing else, so the hub's
// CreateLead rate as a share of this one shows what the hub itself costs.
// bench_amqp_load is the client for both.
//
//   bench_amqp_echo URL QUEUE [CREDIT]      e.g. amqp://127.0.0.1:5673 /queue/bench.echo 300
//
// Runs until SIGTERM/SIGINT.
#include <proton/connection.hpp>
#include <proton/connection_options.hpp>
#include <proton/container.hpp>
#include <proton/delivery.hpp>
#include <proton/message.hpp>
#include <proton/message_id.hpp>
#include <proton/messaging_handler.hpp>
#include <proton/receiver_options.hpp>
#include <proton/sender.hpp>
#include <proton/sender_options.hpp>
#include <proton/source_options.hpp>
#include <proton/target_options.hpp>
#include <proton/transport.hpp>

#include <csignal>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <map>
#include <string>
#include <thread>

namespace {

// RabbitMQ declares a /queue/NAME with the durability of the first link; the
// hub and the load client use durable links, so the echo does too.
proton::source_options durable_source() {
  return proton::source_options().durability_mode(proton::source::CONFIGURATION);
}
proton::target_options durable_target() {
  return proton::target_options().durability_mode(proton::target::CONFIGURATION);
}

class Echo final : public proton::messaging_handler {
 public:
  Echo(std::string url, std::string queue, int credit)
      : url_(std::move(url)), queue_(std::move(queue)), credit_(credit) {}

  void on_container_start(proton::container& c) override {
    c.connect(url_, proton::connection_options().sasl_allow_insecure_mechs(true));
  }

  void on_connection_open(proton::connection& c) override {
    connection_ = c;
    auto source = durable_source();
    c.open_receiver(queue_, proton::receiver_options().auto_accept(false).credit_window(credit_).source(source));
  }

  void on_message(proton::delivery& d, proton::message& m) override {
    proton::message reply;
    reply.body(m.body());
    reply.correlation_id(m.correlation_id().empty() ? m.id() : m.correlation_id());
    reply.subject(m.subject());
    reply.durable(true);
    reply.properties().put("outcome", "ok");
    auto& out = outlets_[m.reply_to()];
    out.queue.push_back(std::move(reply));
    if (!out.opened) {
      out.opened = true;
      auto target = durable_target();
      out.sender = connection_.open_sender(m.reply_to(), proton::sender_options().target(target));
    }
    flush(out);
    d.accept();
  }

  void on_sendable(proton::sender& s) override {
    for (auto& [address, out] : outlets_) {
      if (out.sender == s) flush(out);
    }
  }

  void on_transport_error(proton::transport& t) override {
    std::cerr << "bench_amqp_echo: " << t.error().what() << "\n";
  }

 private:
  // One sender per reply address (RabbitMQ 3.10 has no anonymous relay); replies
  // wait while the sender has no credit yet.
  struct Outlet {
    proton::sender sender;
    bool opened = false;
    std::deque<proton::message> queue;
  };

  void flush(Outlet& out) {
    while (!out.queue.empty() && out.opened && out.sender.active() && out.sender.credit() > 0) {
      out.sender.send(out.queue.front());
      out.queue.pop_front();
    }
  }

  std::string url_;
  std::string queue_;
  int credit_;
  proton::connection connection_;
  std::map<std::string, Outlet> outlets_;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: bench_amqp_echo URL QUEUE [CREDIT]\n";
    return 2;
  }
  // Signals are taken by a waiting thread, which stops the container through its
  // work queue: the container's own thread never blocks on them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  Echo echo(argv[1], argv[2], argc > 3 ? std::atoi(argv[3]) : 300);
  proton::container container(echo);
  std::thread stopper([&] {
    int sig = 0;
    sigwait(&signals, &sig);
    container.stop();
  });
  stopper.detach();
  try {
    container.run();
  } catch (const std::exception& e) {
    std::cerr << "bench_amqp_echo: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
