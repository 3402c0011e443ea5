// The processing section of the configuration: duplicate rules, classification
// rules, scoring and assignment, read from YAML (config/processing.yaml
// documents every key). Every section is optional and defaults as documented.
#pragma once

#include <string>
#include <string_view>

#include "processing/approval.hpp"
#include "processing/assign.hpp"
#include "processing/classify.hpp"
#include "processing/dedupe.hpp"
#include "processing/scoring.hpp"
#include "util/result.hpp"

namespace leadhub::processing {

struct ProcessingConfig {
  DuplicateConfig duplicates = DuplicateConfig::defaults();
  ClassificationRules classification;
  ScoringConfig scoring = ScoringConfig::defaults();
  AssignmentConfig assignment;
  ApprovalConfig approval;
};

// Errors are ErrorCode::invalid with "FILE:LINE:COL: reason" in the message.
Result<ProcessingConfig> load_processing_config(const std::string& path);
// `file` names the text in messages. `text` may be the whole leadhub.yaml: a
// top-level `processing:` key is used when present.
Result<ProcessingConfig> parse_processing_config(std::string_view text, const std::string& file);

}  // namespace leadhub::processing
