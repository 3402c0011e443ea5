#include "link_order.hpp"

namespace leadhub::connectors::amqp {

bool LinkOrder::may_start(Kind kind) const {
  if (ordered_running_) return false;
  return kind == Kind::pipelined || running_ == 0;
}

void LinkOrder::start(Kind kind) {
  ++running_;
  if (kind == Kind::ordered) ordered_running_ = true;
}

bool LinkOrder::arrive(std::uint64_t id, Kind kind) {
  // Behind a waiting message nothing may overtake it, whatever its kind.
  if (waiting_.empty() && may_start(kind)) {
    start(kind);
    return true;
  }
  waiting_.push_back({id, kind});
  return false;
}

std::vector<std::uint64_t> LinkOrder::finished(Kind kind) {
  if (running_ > 0) --running_;
  if (kind == Kind::ordered) ordered_running_ = false;
  std::vector<std::uint64_t> ready;
  while (!waiting_.empty() && may_start(waiting_.front().kind)) {
    start(waiting_.front().kind);
    ready.push_back(waiting_.front().id);
    waiting_.pop_front();
  }
  return ready;
}

std::vector<std::uint64_t> LinkOrder::take_waiting() {
  std::vector<std::uint64_t> out;
  out.reserve(waiting_.size());
  for (const auto& w : waiting_) out.push_back(w.id);
  waiting_.clear();
  return out;
}

}  // namespace leadhub::connectors::amqp
