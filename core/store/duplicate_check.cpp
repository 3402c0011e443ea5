// LeadStore::check_duplicates: what the duplicate check would answer for a lead,
// without storing it (a call centre or a form asks before it creates). One read
// transaction, so it runs beside the writer on any thread.
#include "model/validation.hpp"
#include "store/lead_store.hpp"
#include "store/processor.hpp"

namespace leadhub {

Result<DuplicateReport> LeadStore::check_duplicates(Lead lead, const Actor& actor) const {
  if (!processor_) {
    return Error::make(ErrorCode::invalid, "no processing configured (processing: duplicates): nothing to check");
  }
  normalize(lead);
  const store::NewLeadFacts facts = processor_->match_facts(lead);
  auto txn = env_->begin_read();
  if (!txn) return txn.error();
  const store::DuplicateCheck check = processor_->check_new(txn->get(), txn->dbi(), facts, actor, nullptr);
  DuplicateReport report;
  report.duplicate = check.decision.duplicate;
  if (auto best = check.decision.best()) report.best = *best;
  report.json = store::duplicates_json(check);
  return report;
}

}  // namespace leadhub
