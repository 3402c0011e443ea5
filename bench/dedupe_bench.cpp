// bench_dedupe: the duplicate check over a labelled synthetic set.
// Generates the labelled set of labelled_leads.hpp (N leads, default 100,000),
// checks every lead against an in-memory blocking index (the rules alone, no
// store; bench_dedupe_store measures the same through LMDB), then prints
// precision, recall and checks per second.
//   bench_dedupe [N] [seed] [config.yaml]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "labelled_leads.hpp"
#include "processing/config.hpp"
#include "processing/dedupe.hpp"

using namespace leadhub;
using namespace leadhub::processing;
using leadhub::bench::generate;
using leadhub::bench::Labelled;

int main(int argc, char** argv) {
  const std::size_t n = argc > 1 ? std::stoul(argv[1]) : 100'000;
  const std::uint64_t seed = argc > 2 ? std::stoull(argv[2]) : 42;
  DuplicateConfig config = DuplicateConfig::defaults();
  if (argc > 3) {
    auto loaded = load_processing_config(argv[3]);
    if (!loaded) {
      std::fprintf(stderr, "%s\n", loaded.error().message.c_str());
      return 2;
    }
    config = loaded->duplicates;
  }
  std::srand(static_cast<unsigned>(seed));
  Labelled set = generate(n, seed);

  std::vector<MatchKey> keys(n);
  std::unordered_map<std::string, std::vector<std::uint32_t>> index;
  index.reserve(n * 4);
  std::vector<std::uint32_t> ids;
  std::vector<const MatchKey*> candidates;
  std::size_t tp = 0, fp = 0, fn = 0, truth = 0, candidates_total = 0;
  std::map<std::string, std::size_t> fp_by_rules;  // which rule combinations go wrong: for tuning

  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < n; ++i) {
    keys[i] = make_match_key(set.leads[i], config.normalize);
    const std::vector<std::string> blocks = blocking_keys(keys[i]);
    ids.clear();
    for (const std::string& b : blocks) {
      if (auto it = index.find(b); it != index.end()) ids.insert(ids.end(), it->second.begin(), it->second.end());
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    candidates.clear();
    for (std::uint32_t id : ids) candidates.push_back(&keys[id]);
    candidates_total += candidates.size();
    DuplicateDecision d = check_duplicates(config, keys[i], candidates);

    const bool is_dup = set.entity[i] != i;
    truth += is_dup;
    if (d.duplicate) {
      const std::uint32_t best = static_cast<std::uint32_t>(d.best()->raw() - 1);
      (set.entity[best] == set.entity[i] ? tp : fp) += 1;
      if (set.entity[best] != set.entity[i]) {
        std::string rules;
        for (const RuleHit& h : d.matches.front().hits) rules += (rules.empty() ? "" : "+") + h.rule;
        ++fp_by_rules[rules];
      }
      if (is_dup && set.entity[best] != set.entity[i]) ++fn;
    } else if (is_dup) {
      ++fn;
    }
    for (const std::string& b : blocks) index[b].push_back(static_cast<std::uint32_t>(i));
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const double precision = tp + fp == 0 ? 1.0 : static_cast<double>(tp) / static_cast<double>(tp + fp);
  const double recall = truth == 0 ? 1.0 : static_cast<double>(tp) / static_cast<double>(truth);
  std::printf("leads %zu, true duplicates %zu, flagged %zu (tp %zu, fp %zu, missed %zu)\n", n, truth, tp + fp, tp, fp,
              fn);
  std::printf("precision %.4f (target >= 0.98)\nrecall    %.4f (target >= 0.90)\n", precision, recall);
  std::printf("checks/s  %.0f on one core (target >= 50000); %.1f candidates per check, %zu index keys\n",
              static_cast<double>(n) / seconds, static_cast<double>(candidates_total) / static_cast<double>(n),
              index.size());
  for (const auto& [rules, count] : fp_by_rules) std::printf("  false positives by %s: %zu\n", rules.c_str(), count);
  return 0;
}
