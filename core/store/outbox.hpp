// The transactional outbox. A write that raises events puts them, in the same
// transaction, into the "outbox" database under a sequence number (8 bytes,
// big-endian: key order is commit order). The event dispatcher (connectors/events)
// routes each event to its targets, which moves it from the outbox into one
// delivery queue per target ("deliveries": target \0 sequence), and deletes a
// delivery only once the target has accepted it. So an event of a committed change
// is never lost, and per target events leave in commit order.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "store/write_queue.hpp"

namespace leadhub::store {

// The writer thread's side: numbers events in commit order.
class Outbox {
 public:
  explicit Outbox(bool enabled) : enabled_(enabled) {}
  bool enabled() const { return enabled_; }
  // Sequence numbers continue after `last` (the highest ever used, see
  // last_event_seq), so a reopened store never reuses one.
  void continue_after(std::uint64_t last) { next_ = last + 1; }
  // Inside a write transaction (a replayed batch simply takes new numbers).
  void append(WriteTxn& txn, std::string_view event_json);
  // Whether events were appended since the last call; after a commit.
  bool take_written();

 private:
  bool enabled_;
  std::uint64_t next_ = 1;
  bool written_ = false;
};

// The highest sequence number ever used (in the outbox or routed out of it).
std::uint64_t last_event_seq(MDB_txn* txn, const Dbis& dbi);

std::string delivery_key(std::string_view target, std::uint64_t seq);
std::string delivery_prefix(std::string_view target);
// The meta entry remembering the highest sequence number moved out of the outbox.
inline constexpr std::string_view kRoutedSeqKey = "outbox.routed_seq";

}  // namespace leadhub::store
