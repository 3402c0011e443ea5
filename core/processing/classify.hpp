// Classification and prioritization: ordered rules, each a condition and the
// values it sets. Pure: takes a lead and the fields a person set by hand,
// returns the changed lead and what changed and why.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "model/lead.hpp"
#include "processing/condition.hpp"

namespace leadhub::processing {

struct ClassificationActions {
  std::optional<Qualification> qualification;
  std::optional<Priority> priority;
  std::map<std::string, std::string> attributes;
  std::optional<std::string> owner_channel;
  std::optional<std::string> owner_assignee;
};

struct ClassificationRule {
  std::string name;
  Condition when;  // default: always
  ClassificationActions set;
  bool stop = false;  // no later rule runs once this one matched
};

struct ClassificationRules {
  std::vector<ClassificationRule> rules;
};

// Field paths a person set by hand and the rules must not overwrite:
// "qualification", "priority", "owner" (both parts), "owner.channel",
// "owner.assignee", "attributes" (all) or "attributes.KEY". The store derives
// them from the audit trail (the last change of the field was not by the
// rules' actor) and passes them in.
using ManualFields = std::set<std::string, std::less<>>;

struct FieldChange {
  std::string rule;
  std::string field;
  std::string old_value;  // "" when absent
  std::string new_value;
};

struct ClassificationOutcome {
  Lead lead;                               // the input with every change applied
  std::vector<std::string> matched_rules;  // in order
  std::vector<FieldChange> changes;        // values that actually changed
  std::vector<FieldChange> kept_manual;    // changes a rule wanted but a person's value won
};

// Rules run in config order, each seeing the changes of the rules before it,
// so a later rule may refine an earlier one (or test what it set). A rule
// setting a value the lead already has records no change.
ClassificationOutcome classify(const ClassificationRules& rules, const Lead& lead, const ManualFields& manual);

}  // namespace leadhub::processing
