#include "processing/approval.hpp"

namespace leadhub::processing {

std::vector<const ApprovalStep*> required_steps(const ApprovalConfig& config, const Lead& lead) {
  std::vector<const ApprovalStep*> out;
  for (const auto& step : config.steps) {
    if (evaluate(step.when, lead)) out.push_back(&step);
  }
  return out;
}

bool needs_approval(const ApprovalConfig& config, LeadStatus status) {
  if (config.steps.empty()) return false;
  return (status == LeadStatus::accepted && config.before_accept) ||
         (status == LeadStatus::converted && config.before_convert);
}

}  // namespace leadhub::processing
