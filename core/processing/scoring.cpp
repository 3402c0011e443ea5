#include "processing/scoring.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cmath>

#include "json/json_writer.hpp"

namespace leadhub::processing {

std::optional<Outcome> outcome_of(LeadStatus status) {
  if (status == LeadStatus::converted) return Outcome::won;
  if (status == LeadStatus::declined || status == LeadStatus::closed) return Outcome::lost;
  return std::nullopt;
}

ScoringConfig ScoringConfig::defaults() {
  ScoringConfig c;
  for (const char* path : {"source", "prospect.kind", "prospect.address.country", "prospect.email_domain",
                           "interests.product", "campaign"}) {
    c.features.push_back(*FieldPath::parse(path));
  }
  return c;
}

bool operator==(const ScorerState& a, const ScorerState& b) {
  if (a.won != b.won || a.lost != b.lost || a.features.size() != b.features.size()) return false;
  for (const auto& [field, values] : a.features) {
    auto it = b.features.find(field);
    if (it == b.features.end() || it->second.size() != values.size()) return false;
    for (const auto& [value, counts] : values) {
      auto jt = it->second.find(value);
      if (jt == it->second.end() || jt->second.won != counts.won || jt->second.lost != counts.lost) return false;
    }
  }
  return true;
}

namespace {

// A field without a value is itself evidence ("no company given"), so it is
// counted under the empty value rather than skipped.
std::vector<std::string> feature_values(const FieldPath& path, const Lead& lead) {
  std::vector<std::string> values = path.values(lead);
  if (values.empty()) values.emplace_back();
  return values;
}

}  // namespace

void LeadScorer::add(const Lead& lead, Outcome outcome, bool remove) {
  auto bump = [&](std::uint64_t& n) {
    if (!remove) {
      ++n;
    } else if (n > 0) {
      --n;
    }
  };
  bump(outcome == Outcome::won ? state_.won : state_.lost);
  for (const FieldPath& path : config_.features) {
    auto& by_value = state_.features[path.text()];
    for (const std::string& value : feature_values(path, lead)) {
      ScorerState::Counts& counts = by_value[value];
      bump(outcome == Outcome::won ? counts.won : counts.lost);
    }
  }
}

void LeadScorer::record(const Lead& lead, Outcome outcome) { add(lead, outcome, false); }
void LeadScorer::forget(const Lead& lead, Outcome outcome) { add(lead, outcome, true); }

ScoreResult LeadScorer::score(const Lead& lead) const {
  if (state_.won + state_.lost < config_.min_history || state_.won == 0 || state_.lost == 0) {
    return fallback_score(lead);
  }
  return model_score(lead);
}

namespace {

void keep_top(std::vector<Contribution>& contributions, std::size_t n) {
  std::stable_sort(contributions.begin(), contributions.end(), [](const Contribution& a, const Contribution& b) {
    return std::abs(a.weight) > std::abs(b.weight);
  });
  if (contributions.size() > n) contributions.resize(n);
}

std::uint8_t to_score(double value) { return static_cast<std::uint8_t>(std::clamp(std::lround(value), 0L, 100L)); }

}  // namespace

ScoreResult LeadScorer::model_score(const Lead& lead) const {
  const double alpha = config_.smoothing;
  const double won = static_cast<double>(state_.won);
  const double lost = static_cast<double>(state_.lost);
  double log_odds = std::log((won + alpha) / (lost + alpha));
  ScoreResult result;
  result.from_model = true;
  for (const FieldPath& path : config_.features) {
    auto it = state_.features.find(path.text());
    // Distinct values seen, plus one for a value never seen: its share of the smoothing mass.
    const double k = (it == state_.features.end() ? 0.0 : static_cast<double>(it->second.size())) + 1.0;
    for (const std::string& value : feature_values(path, lead)) {
      ScorerState::Counts counts;
      if (it != state_.features.end()) {
        if (auto jt = it->second.find(value); jt != it->second.end()) counts = jt->second;
      }
      const double p_won = (static_cast<double>(counts.won) + alpha) / (won + alpha * k);
      const double p_lost = (static_cast<double>(counts.lost) + alpha) / (lost + alpha * k);
      const double ratio = std::log(p_won / p_lost);
      log_odds += ratio;
      result.contributions.push_back({path.text(), value, ratio});
    }
  }
  result.score = to_score(100.0 / (1.0 + std::exp(-log_odds)));
  keep_top(result.contributions, config_.top_contributions);
  return result;
}

ScoreResult LeadScorer::fallback_score(const Lead& lead) const {
  ScoreResult result;
  double total = config_.fallback_base;
  for (const WeightRule& rule : config_.fallback) {
    if (!evaluate(rule.when, lead)) continue;
    total += rule.points;
    result.contributions.push_back({rule.name, "", rule.points});
  }
  result.score = to_score(total);
  keep_top(result.contributions, config_.top_contributions);
  return result;
}

std::string ScorerState::to_json() const {
  std::string out;
  JsonWriter w(out);
  w.begin_object().key("format").value(1).key("won").value(won).key("lost").value(lost).key("features");
  w.begin_object();
  for (const auto& [field, values] : features) {
    w.key(field).begin_object();
    for (const auto& [value, counts] : values) {
      w.key(value).begin_array().value(counts.won).value(counts.lost).end_array();
    }
    w.end_object();
  }
  w.end_object().end_object();
  return out;
}

namespace {

Error bad_state(const std::string& why) { return Error::make(ErrorCode::invalid, "scorer state: " + why); }

Result<ScorerState::Counts> read_counts(simdjson::dom::element el) {
  simdjson::dom::array pair;
  if (el.get_array().get(pair) != simdjson::SUCCESS || pair.size() != 2) return bad_state("counts must be [won, lost]");
  ScorerState::Counts counts;
  if (pair.at(0).get_uint64().get(counts.won) != simdjson::SUCCESS ||
      pair.at(1).get_uint64().get(counts.lost) != simdjson::SUCCESS) {
    return bad_state("counts must be non-negative integers");
  }
  return counts;
}

Status read_features(simdjson::dom::object features, ScorerState& state) {
  for (auto [field, values_el] : features) {
    simdjson::dom::object values;
    if (values_el.get_object().get(values) != simdjson::SUCCESS) return bad_state("feature must be an object");
    auto& by_value = state.features[std::string(field)];
    for (auto [value, counts_el] : values) {
      auto counts = read_counts(counts_el);
      if (!counts) return counts.error();
      by_value[std::string(value)] = *counts;
    }
  }
  return ok_status();
}

}  // namespace

Result<ScorerState> ScorerState::from_json(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto err = parser.parse(json.data(), json.size()).get(doc); err != simdjson::SUCCESS) {
    return bad_state(std::string("not valid JSON: ") + simdjson::error_message(err));
  }
  ScorerState state;
  std::uint64_t format = 0;
  if (doc["format"].get_uint64().get(format) != simdjson::SUCCESS || format != 1) return bad_state("unknown format");
  if (doc["won"].get_uint64().get(state.won) != simdjson::SUCCESS ||
      doc["lost"].get_uint64().get(state.lost) != simdjson::SUCCESS) {
    return bad_state("won and lost must be non-negative integers");
  }
  simdjson::dom::object features;
  if (doc["features"].get_object().get(features) != simdjson::SUCCESS) return bad_state("features must be an object");
  if (Status s = read_features(features, state); !s) return s.error();
  return state;
}

}  // namespace leadhub::processing
