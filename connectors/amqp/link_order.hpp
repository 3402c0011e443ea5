// The order of one link's messages, as the peer sent them. AMQP links are
// ordered, and a partner that pipelines "change, then read back" on one link
// expects the read to see the change. The hub still runs many messages of a
// link at once, so the store's writer can commit them together:
//
// - pipelined messages (canonical CreateLead and ChangeLead) go to the writer's
//   queue during Operations::run, in arrival order, and the writer applies them
//   in that order: they may start while earlier pipelined messages still wait
//   for their commit;
// - ordered messages (reads, finds, partner creates, partner formats: they run
//   at once or on another thread) start only when every earlier message of the
//   link has finished, and later messages wait until they have finished.
//
// No Proton in here: the engine keeps one per link and maps ids to deliveries.
#pragma once

#include <cstdint>
#include <deque>
#include <vector>

namespace leadhub::connectors::amqp {

class LinkOrder {
 public:
  enum class Kind { pipelined, ordered };

  // A message arrived: true when it may start now (the caller starts it), else
  // it waits and a later `finished` hands it back.
  bool arrive(std::uint64_t id, Kind kind);
  // A started message of `kind` finished: the waiting messages that may start
  // now, in arrival order (the caller starts each).
  std::vector<std::uint64_t> finished(Kind kind);
  // The messages still waiting (never started), taken out: the link or the hub
  // is going and they are given back to the peer.
  std::vector<std::uint64_t> take_waiting();

  bool idle() const { return running_ == 0 && waiting_.empty(); }

 private:
  struct Waiting {
    std::uint64_t id;
    Kind kind;
  };
  bool may_start(Kind kind) const;
  void start(Kind kind);

  std::size_t running_ = 0;
  bool ordered_running_ = false;
  std::deque<Waiting> waiting_;
};

}  // namespace leadhub::connectors::amqp
