// The duplicate check: configured exact and fuzzy rules, each with a weight,
// scored for a new lead against the candidates its blocking keys found. Pure:
// the store supplies the candidates (leads sharing a blocking key) and applies
// the policy.
#pragma once

#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "processing/normalize.hpp"

namespace leadhub::processing {

// What the store does with a lead whose check says "duplicate".
enum class DuplicatePolicy {
  reject,  // refuse the create, answer with the matches
  flag,    // create it with duplicate_of set to the best match, raise an event
  link,    // create it attached to the best match's business partner
  update,  // update the best match instead of creating
};
std::string_view to_string(DuplicatePolicy policy);
std::optional<DuplicatePolicy> parse_duplicate_policy(std::string_view text);

enum class MatchField { email, phone, name, company };
enum class SameField { postal_code, city, country };
std::string_view to_string(MatchField field);
std::string_view to_string(SameField field);

struct DuplicateRule {
  std::string name;
  MatchField field = MatchField::email;
  // nullopt: exact rule (normalized values equal). Otherwise fuzzy: the
  // similarity (name_similarity / company_similarity) must reach it.
  std::optional<double> min_similarity;
  std::vector<SameField> same;  // must also be equal and present on both sides
  double weight = 1.0;
};

struct DuplicateConfig {
  NormalizeOptions normalize;
  std::vector<DuplicateRule> rules;
  double threshold = 1.0;  // a candidate whose summed weights reach it is a duplicate
  DuplicatePolicy policy = DuplicatePolicy::flag;
  std::map<std::string, DuplicatePolicy> connector_policies;  // by connector name
  std::size_t max_candidates = 500;                           // a check scores at most this many candidates

  // The rules tuned with bench/dedupe_bench.cpp (docs/processing.md has the figures).
  static DuplicateConfig defaults();
  DuplicatePolicy policy_for(std::string_view connector) const;
};

struct RuleHit {
  std::string rule;
  double similarity = 1.0;  // 1 for an exact rule
  double weight = 0.0;
};

struct CandidateMatch {
  RecordId id;
  double score = 0.0;         // sum of the weights of the rules that fired
  bool duplicate = false;     // score >= threshold
  std::vector<RuleHit> hits;  // the rules that fired, in config order
};

// The explainable answer: every candidate that fired at least one rule, best
// first (ties by id so the answer is stable).
struct DuplicateDecision {
  bool duplicate = false;
  std::size_t candidates_checked = 0;
  std::vector<CandidateMatch> matches;
  std::optional<RecordId> best() const;
};

CandidateMatch score_candidate(const DuplicateConfig& config, const MatchKey& lead, const MatchKey& candidate);

// Candidates with the lead's own id are skipped (a lead is not its own duplicate).
DuplicateDecision check_duplicates(const DuplicateConfig& config, const MatchKey& lead,
                                   std::span<const MatchKey> candidates);
// The same over pointers, for a caller that keeps keys in its own cache.
DuplicateDecision check_duplicates(const DuplicateConfig& config, const MatchKey& lead,
                                   std::span<const MatchKey* const> candidates);

// The keys a lead is indexed under, so a check looks up a few small blocks
// instead of scanning the store. Prefixed by kind; stable across releases
// because the store persists them:
//   "e:" e-mail, "p:" phone, "n:" Soundex(family or given name) ":" postal code
//   (both names, so swapped names meet), "c:" Soundex(first company word) ":" city.
std::vector<std::string> blocking_keys(const MatchKey& key);

}  // namespace leadhub::processing
