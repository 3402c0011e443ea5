#include "processing/dedupe.hpp"

#include <algorithm>

#include "processing/similarity.hpp"

namespace leadhub::processing {

std::string_view to_string(DuplicatePolicy policy) {
  switch (policy) {
    case DuplicatePolicy::reject:
      return "reject";
    case DuplicatePolicy::flag:
      return "flag";
    case DuplicatePolicy::link:
      return "link";
    case DuplicatePolicy::update:
      return "update";
  }
  return "flag";
}

std::optional<DuplicatePolicy> parse_duplicate_policy(std::string_view text) {
  for (DuplicatePolicy p :
       {DuplicatePolicy::reject, DuplicatePolicy::flag, DuplicatePolicy::link, DuplicatePolicy::update}) {
    if (to_string(p) == text) return p;
  }
  return std::nullopt;
}

std::string_view to_string(MatchField field) {
  switch (field) {
    case MatchField::email:
      return "email";
    case MatchField::phone:
      return "phone";
    case MatchField::name:
      return "name";
    case MatchField::company:
      return "company";
  }
  return "email";
}

std::string_view to_string(SameField field) {
  switch (field) {
    case SameField::postal_code:
      return "postal_code";
    case SameField::city:
      return "city";
    case SameField::country:
      return "country";
  }
  return "postal_code";
}

DuplicateConfig DuplicateConfig::defaults() {
  DuplicateConfig c;
  c.rules = {
      {"same_email", MatchField::email, std::nullopt, {}, 1.0},
      {"same_phone", MatchField::phone, std::nullopt, {}, 1.0},
      {"name_and_postal_code", MatchField::name, 0.93, {SameField::postal_code}, 1.0},
      {"company_and_city", MatchField::company, 0.92, {SameField::city}, 0.5},
      {"name_and_city", MatchField::name, 0.90, {SameField::city}, 0.5},
  };
  c.threshold = 1.0;
  return c;
}

DuplicatePolicy DuplicateConfig::policy_for(std::string_view connector) const {
  auto it = connector_policies.find(std::string(connector));
  return it == connector_policies.end() ? policy : it->second;
}

std::optional<RecordId> DuplicateDecision::best() const {
  if (!duplicate || matches.empty()) return std::nullopt;
  return matches.front().id;
}

namespace {

const std::string& same_value(const MatchKey& key, SameField field) {
  switch (field) {
    case SameField::postal_code:
      return key.postal;
    case SameField::city:
      return key.city;
    case SameField::country:
      return key.country;
  }
  return key.postal;
}

bool same_fields_agree(const DuplicateRule& rule, const MatchKey& a, const MatchKey& b) {
  return std::all_of(rule.same.begin(), rule.same.end(), [&](SameField f) {
    const std::string& va = same_value(a, f);
    return !va.empty() && va == same_value(b, f);
  });
}

// Similarity of the rule's field in [0, 1]; 0 when either side lacks it.
double field_similarity(MatchField field, bool exact, const MatchKey& a, const MatchKey& b) {
  switch (field) {
    case MatchField::email:
      return !a.email.empty() && a.email == b.email ? 1.0 : 0.0;
    case MatchField::phone:
      return !a.phone.empty() && a.phone == b.phone ? 1.0 : 0.0;
    case MatchField::name:
      if (exact) return !a.family.empty() && a.family == b.family && a.given == b.given ? 1.0 : 0.0;
      return name_similarity(a.given, a.family, b.given, b.family);
    case MatchField::company:
      if (exact) return !a.company.empty() && a.company == b.company ? 1.0 : 0.0;
      return company_similarity(a.company, b.company);
  }
  return 0.0;
}

}  // namespace

CandidateMatch score_candidate(const DuplicateConfig& config, const MatchKey& lead, const MatchKey& candidate) {
  CandidateMatch match;
  match.id = candidate.id;
  for (const DuplicateRule& rule : config.rules) {
    // The cheap equality checks first: most candidates fail on the postal code.
    if (!same_fields_agree(rule, lead, candidate)) continue;
    const bool exact = !rule.min_similarity.has_value();
    const double similarity = field_similarity(rule.field, exact, lead, candidate);
    if (exact ? similarity < 1.0 : similarity < *rule.min_similarity) continue;
    match.hits.push_back({rule.name, similarity, rule.weight});
    match.score += rule.weight;
  }
  // A small epsilon: 0.5 + 0.5 must reach a threshold of 1.0.
  match.duplicate = !match.hits.empty() && match.score >= config.threshold - 1e-9;
  return match;
}

namespace {

template <typename Deref, typename Range>
DuplicateDecision check_all(const DuplicateConfig& config, const MatchKey& lead, const Range& candidates, Deref deref) {
  DuplicateDecision decision;
  for (const auto& item : candidates) {
    const MatchKey& candidate = deref(item);
    if (decision.candidates_checked >= config.max_candidates) break;
    if (!lead.id.empty() && candidate.id == lead.id) continue;
    ++decision.candidates_checked;
    CandidateMatch match = score_candidate(config, lead, candidate);
    if (match.hits.empty()) continue;
    decision.duplicate = decision.duplicate || match.duplicate;
    decision.matches.push_back(std::move(match));
  }
  std::sort(decision.matches.begin(), decision.matches.end(), [](const CandidateMatch& a, const CandidateMatch& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.id.raw() < b.id.raw();
  });
  return decision;
}

}  // namespace

DuplicateDecision check_duplicates(const DuplicateConfig& config, const MatchKey& lead,
                                   std::span<const MatchKey> candidates) {
  return check_all(config, lead, candidates, [](const MatchKey& k) -> const MatchKey& { return k; });
}

DuplicateDecision check_duplicates(const DuplicateConfig& config, const MatchKey& lead,
                                   std::span<const MatchKey* const> candidates) {
  return check_all(config, lead, candidates, [](const MatchKey* k) -> const MatchKey& { return *k; });
}

std::vector<std::string> blocking_keys(const MatchKey& key) {
  std::vector<std::string> keys;
  if (!key.email.empty()) keys.push_back("e:" + key.email);
  if (!key.phone.empty()) keys.push_back("p:" + key.phone);
  if (!key.postal.empty()) {
    for (const std::string* name : {&key.family, &key.given}) {
      std::string code = soundex(*name);
      if (!code.empty()) keys.push_back("n:" + code + ":" + key.postal);
    }
  }
  if (!key.company.empty() && !key.city.empty()) {
    std::string code = soundex(key.company);
    if (!code.empty()) keys.push_back("c:" + code + ":" + key.city);
  }
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  return keys;
}

}  // namespace leadhub::processing
