// Lead score 0-100: naive Bayes over field-value frequencies of won
// (converted) vs lost (declined, closed) leads, Laplace smoothed, updated one
// lead at a time; configured weights until the history is large enough.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "model/lead.hpp"
#include "processing/condition.hpp"
#include "util/result.hpp"

namespace leadhub::processing {

enum class Outcome { won, lost };
// converted -> won; declined, closed -> lost; anything else is not history yet.
std::optional<Outcome> outcome_of(LeadStatus status);

struct WeightRule {
  std::string name;
  Condition when;
  double points = 0;
};

struct ScoringConfig {
  std::vector<FieldPath> features;
  double smoothing = 1.0;           // Laplace alpha
  std::uint64_t min_history = 200;  // won + lost leads before the model is trusted
  std::size_t top_contributions = 3;
  double fallback_base = 20;  // fallback score = base + points of matching rules
  std::vector<WeightRule> fallback;

  static ScoringConfig defaults();
};

struct Contribution {
  std::string field;
  std::string value;    // "" = the field was absent
  double weight = 0.0;  // model: log-likelihood ratio (won vs lost); fallback: points
};

struct ScoreResult {
  std::uint8_t score = 0;
  bool from_model = false;                  // false: the configured weights decided
  std::vector<Contribution> contributions;  // top ones, strongest first
};

// The learned counts; what the store persists (to_json / from_json).
struct ScorerState {
  struct Counts {
    std::uint64_t won = 0;
    std::uint64_t lost = 0;
  };
  std::uint64_t won = 0;
  std::uint64_t lost = 0;
  std::map<std::string, std::map<std::string, Counts>> features;  // field -> value -> counts

  std::string to_json() const;
  static Result<ScorerState> from_json(std::string_view json);
  friend bool operator==(const ScorerState& a, const ScorerState& b);
};

class LeadScorer {
 public:
  explicit LeadScorer(ScoringConfig config, ScorerState state = {})
      : config_(std::move(config)), state_(std::move(state)) {}

  ScoreResult score(const Lead& lead) const;

  // A lead reached an outcome (convert or lose): its field values count.
  void record(const Lead& lead, Outcome outcome);
  // Undo a record (a lost lead reopened), never going below zero.
  void forget(const Lead& lead, Outcome outcome);

  const ScorerState& state() const { return state_; }
  const ScoringConfig& config() const { return config_; }

 private:
  ScoreResult model_score(const Lead& lead) const;
  ScoreResult fallback_score(const Lead& lead) const;
  void add(const Lead& lead, Outcome outcome, bool remove);

  ScoringConfig config_;
  ScorerState state_;
};

}  // namespace leadhub::processing
