// Distribution: rules pick a channel (team, partner, call centre) for a lead;
// within the channel a member is picked round robin or by spare capacity.
// Pure: the store passes each channel's current open-lead counts and round
// robin position, and persists the returned position in the same transaction.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/lead.hpp"
#include "processing/condition.hpp"

namespace leadhub::processing {

enum class Distribution { round_robin, capacity };
std::string_view to_string(Distribution distribution);  // as in the config: round_robin, capacity

struct ChannelMember {
  std::string name;
  std::uint32_t capacity = 0;  // most open leads at once; 0 = no limit
};

struct Channel {
  std::string name;
  Distribution distribution = Distribution::round_robin;
  std::vector<ChannelMember> members;  // none: the channel's queue takes the lead
};

struct AssignmentRule {
  std::string name;
  Condition when;  // territory, product, source, score... (config shorthands become leaves)
  std::string channel;
};

struct AssignmentConfig {
  std::vector<AssignmentRule> rules;  // first match wins
  std::map<std::string, Channel> channels;
  std::string default_channel;  // when no rule matches; "" = leave unassigned
};

// What the store knows about one channel right now.
struct ChannelLoad {
  std::map<std::string, std::uint32_t> open_leads;  // by member
  std::uint64_t round_robin_next = 0;               // position the next pick starts at
};

struct Assignment {
  std::string rule;  // "" when the default channel was used
  std::string channel;
  std::string assignee;                // "" when nobody has room (or the channel has no members)
  std::string reason;                  // one line for the audit trail
  std::uint64_t round_robin_next = 0;  // to store back for this channel
  // The channel's distribution, when it picked among members (even if nobody had
  // room); none when the member was named or the channel has no members.
  std::optional<Distribution> distribution;
};

// nullopt when no rule matches and there is no default channel.
std::optional<Assignment> assign(const AssignmentConfig& config, const Lead& lead,
                                 const std::map<std::string, ChannelLoad>& loads);

// The member pick alone, for a manual reassignment to a channel.
Assignment pick_member(const Channel& channel, const ChannelLoad& load);

}  // namespace leadhub::processing
