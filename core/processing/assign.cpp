#include "processing/assign.hpp"

namespace leadhub::processing {
namespace {

std::uint32_t open_of(const ChannelLoad& load, const std::string& member) {
  auto it = load.open_leads.find(member);
  return it == load.open_leads.end() ? 0 : it->second;
}

bool has_room(const ChannelMember& m, const ChannelLoad& load) {
  return m.capacity == 0 || open_of(load, m.name) < m.capacity;
}

// Next member in turn with room; the position moves past the one chosen.
void pick_round_robin(const Channel& channel, const ChannelLoad& load, Assignment& out) {
  const std::size_t n = channel.members.size();
  for (std::size_t step = 0; step < n; ++step) {
    const std::uint64_t position = load.round_robin_next + step;
    const ChannelMember& m = channel.members[position % n];
    if (!has_room(m, load)) continue;
    out.assignee = m.name;
    out.round_robin_next = position + 1;
    out.reason = "round robin in " + channel.name;
    return;
  }
  out.reason = "every member of " + channel.name + " is at capacity";
}

// Lowest share of capacity used; a member without a limit counts as having
// room for 100 (so "no limit" does not swallow every lead). Ties: config order.
void pick_by_capacity(const Channel& channel, const ChannelLoad& load, Assignment& out) {
  const ChannelMember* best = nullptr;
  double best_share = 0;
  for (const ChannelMember& m : channel.members) {
    if (!has_room(m, load)) continue;
    const double capacity = m.capacity == 0 ? 100.0 : static_cast<double>(m.capacity);
    const double share = static_cast<double>(open_of(load, m.name)) / capacity;
    if (best == nullptr || share < best_share) {
      best = &m;
      best_share = share;
    }
  }
  if (best == nullptr) {
    out.reason = "every member of " + channel.name + " is at capacity";
    return;
  }
  out.assignee = best->name;
  out.reason = "least loaded in " + channel.name + " (" + std::to_string(open_of(load, best->name)) + " open)";
}

}  // namespace

std::string_view to_string(Distribution distribution) {
  return distribution == Distribution::round_robin ? "round_robin" : "capacity";
}

Assignment pick_member(const Channel& channel, const ChannelLoad& load) {
  Assignment out;
  out.channel = channel.name;
  out.round_robin_next = load.round_robin_next;
  if (channel.members.empty()) {
    out.reason = "channel " + channel.name + " has no members: its queue takes the lead";
    return out;
  }
  out.distribution = channel.distribution;
  if (channel.distribution == Distribution::round_robin) {
    pick_round_robin(channel, load, out);
  } else {
    pick_by_capacity(channel, load, out);
  }
  return out;
}

std::optional<Assignment> assign(const AssignmentConfig& config, const Lead& lead,
                                 const std::map<std::string, ChannelLoad>& loads) {
  const AssignmentRule* chosen = nullptr;
  for (const AssignmentRule& rule : config.rules) {
    if (evaluate(rule.when, lead)) {
      chosen = &rule;
      break;
    }
  }
  const std::string& channel_name = chosen ? chosen->channel : config.default_channel;
  if (channel_name.empty()) return std::nullopt;
  Channel fallback{channel_name, Distribution::round_robin, {}};
  auto cit = config.channels.find(channel_name);
  const Channel& channel = cit == config.channels.end() ? fallback : cit->second;
  static const ChannelLoad kEmpty;
  auto lit = loads.find(channel_name);
  Assignment out = pick_member(channel, lit == loads.end() ? kEmpty : lit->second);
  out.rule = chosen ? chosen->name : "";
  out.reason = (chosen ? "rule " + chosen->name : std::string("default channel")) + ": " + out.reason;
  return out;
}

}  // namespace leadhub::processing
