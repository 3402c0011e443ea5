#include "processing/classify.hpp"

namespace leadhub::processing {
namespace {

bool is_manual(const ManualFields& manual, std::string_view field) {
  if (manual.contains(field)) return true;
  // A parent path covers its children: "owner" protects "owner.channel".
  std::size_t dot = field.find('.');
  return dot != std::string_view::npos && manual.contains(field.substr(0, dot));
}

class Applier {
 public:
  Applier(ClassificationOutcome& out, const ManualFields& manual, const std::string& rule)
      : out_(out), manual_(manual), rule_(rule) {}

  // Records and applies one field change unless the value is manual or unchanged.
  void set(const std::string& field, const std::string& old_value, const std::string& new_value,
           const std::function<void()>& apply) {
    if (old_value == new_value) return;
    FieldChange change{rule_, field, old_value, new_value};
    if (is_manual(manual_, field)) {
      out_.kept_manual.push_back(std::move(change));
      return;
    }
    apply();
    out_.changes.push_back(std::move(change));
  }

 private:
  ClassificationOutcome& out_;
  const ManualFields& manual_;
  const std::string& rule_;
};

template <typename E>
std::string name_of(const std::optional<E>& value) {
  return value ? std::string(to_string(*value)) : std::string();
}

void apply_actions(const ClassificationRule& rule, ClassificationOutcome& out, const ManualFields& manual) {
  Lead& lead = out.lead;
  Applier applier(out, manual, rule.name);
  const ClassificationActions& set = rule.set;
  if (set.qualification) {
    applier.set("qualification", name_of(lead.qualification), std::string(to_string(*set.qualification)),
                [&] { lead.qualification = set.qualification; });
  }
  if (set.priority) {
    applier.set("priority", std::string(to_string(lead.priority)), std::string(to_string(*set.priority)),
                [&] { lead.priority = *set.priority; });
  }
  for (const auto& [key, value] : set.attributes) {
    auto it = lead.attributes.find(key);
    applier.set("attributes." + key, it == lead.attributes.end() ? "" : it->second, value,
                [&, k = key, v = value] { lead.attributes[k] = v; });
  }
  if (set.owner_channel) {
    const bool moving = lead.owner.channel != *set.owner_channel;
    applier.set("owner.channel", lead.owner.channel, *set.owner_channel,
                [&] { lead.owner.channel = *set.owner_channel; });
    // The old channel's member does not follow the lead into another channel; the
    // store lets the new channel's distribution pick one.
    if (moving && lead.owner.channel == *set.owner_channel && !set.owner_assignee) {
      applier.set("owner.assignee", lead.owner.assignee, "", [&] { lead.owner.assignee.clear(); });
    }
  }
  if (set.owner_assignee) {
    applier.set("owner.assignee", lead.owner.assignee, *set.owner_assignee,
                [&] { lead.owner.assignee = *set.owner_assignee; });
  }
}

}  // namespace

ClassificationOutcome classify(const ClassificationRules& rules, const Lead& lead, const ManualFields& manual) {
  ClassificationOutcome out;
  out.lead = lead;
  for (const ClassificationRule& rule : rules.rules) {
    if (!evaluate(rule.when, out.lead)) continue;
    out.matched_rules.push_back(rule.name);
    apply_actions(rule, out, manual);
    if (rule.stop) break;
  }
  return out;
}

}  // namespace leadhub::processing
