// The processing section of the configuration: duplicate rules, classification
// rules, scoring and assignment, read from YAML (config/processing.yaml
// documents every key). Every section is optional and defaults as documented.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "processing/approval.hpp"
#include "processing/assign.hpp"
#include "processing/classify.hpp"
#include "processing/dedupe.hpp"
#include "processing/scoring.hpp"
#include "util/result.hpp"

namespace leadhub::processing {

// Aging (core/store/aging.hpp): a lead nobody acts on is escalated, then closed.
// "No action" is the time since the lead last changed.
struct AgingRule {
  LeadStatus status = LeadStatus::open;
  std::string channel;                        // the owner's channel; empty: any channel
  std::optional<double> escalate_after_days;  // then lead.escalated, once per quiet period
  std::optional<double> close_after_days;     // then closed with reason "aged" and lead.aged
};

struct AgingConfig {
  std::vector<AgingRule> rules;  // first match (status, then channel) wins
  bool reminders = false;        // follow_up dates raise lead.reminder on that day, 00:00 UTC
  double check_every_seconds = 60;
  bool enabled() const { return !rules.empty() || reminders; }
  // The rule for a lead in `status` owned by `channel`; null: it does not age.
  const AgingRule* rule_for(LeadStatus status, const std::string& channel) const;
};

struct ProcessingConfig {
  DuplicateConfig duplicates = DuplicateConfig::defaults();
  ClassificationRules classification;
  ScoringConfig scoring = ScoringConfig::defaults();
  AssignmentConfig assignment;
  AgingConfig aging;
  ApprovalConfig approval;
};

// Errors are ErrorCode::invalid with "FILE:LINE:COL: reason" in the message.
Result<ProcessingConfig> load_processing_config(const std::string& path);
// `file` names the text in messages. `text` may be the whole leadhub.yaml: a
// top-level `processing:` key is used when present.
Result<ProcessingConfig> parse_processing_config(std::string_view text, const std::string& file);

}  // namespace leadhub::processing
