// bench_dedupe_store: the duplicate check through the store, over LMDB.
//   bench_dedupe_store [N] [PROBES] [SEED] [DIR]
//   (defaults 1000000, 100000, 42, build/bench-data/dedupe-store; DIR is emptied)
// The labelled set of labelled_leads.hpp, N + PROBES leads; PROBES of them, picked
// at random, are held back.
//  1. The other N are stored through the store's bulk create with processing on
//     (default rules, policy flag): each is checked against those stored before
//     it through the blocking index and match records in LMDB, and flagged.
//     Precision and recall from the stored duplicate_of.
//  2. The held-back leads are checked with LeadStore::check_duplicates (a read
//     transaction each, one thread, nothing stored) against the full store:
//     checks/s on one core, p50/p99, precision and recall.
// A lead is a true duplicate when a lead of the same person is stored before it
// (1) or at all (2); a flag is right when its best match is the same person.
#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "labelled_leads.hpp"
#include "processing/config.hpp"
#include "store/lead_store.hpp"

using namespace leadhub;
using Steady = std::chrono::steady_clock;

namespace {

struct Tally {
  std::size_t truth = 0, tp = 0, fp = 0;
  void count(bool is_duplicate, std::optional<bool> flagged_right) {
    truth += is_duplicate ? 1 : 0;
    if (flagged_right) (*flagged_right ? tp : fp) += 1;
  }
  void print(const char* label) const {
    const double precision = tp + fp == 0 ? 1.0 : static_cast<double>(tp) / static_cast<double>(tp + fp);
    const double recall = truth == 0 ? 1.0 : static_cast<double>(tp) / static_cast<double>(truth);
    std::printf("%s: true duplicates %zu, flagged %zu (right %zu, wrong %zu): precision %.4f, recall %.4f\n", label,
                truth, tp + fp, tp, fp, precision, recall);
  }
};

double seconds_since(Steady::time_point start) { return std::chrono::duration<double>(Steady::now() - start).count(); }

// Stores leads[order[...]] in bulk jobs; returns the stored record per set index.
std::vector<Lead> store_all(LeadStore& store, const std::vector<Lead>& leads, const std::vector<std::size_t>& order,
                            std::size_t& refused) {
  constexpr std::size_t kChunk = 10'000;
  std::vector<Lead> stored(leads.size());
  for (std::size_t first = 0; first < order.size(); first += kChunk) {
    const std::size_t n = std::min(kChunk, order.size() - first);
    std::vector<CreateLeadCommand> commands;
    commands.reserve(n);
    for (std::size_t k = 0; k < n; ++k) {
      Lead lead = leads[order[first + k]];
      lead.id = RecordId();
      commands.push_back(CreateLeadCommand{std::move(lead), Actor{"bench", "import"}, {}});
    }
    std::mutex m;
    std::condition_variable cv;
    std::size_t done = 0;
    store.create_leads_async(std::move(commands), [&](std::size_t k, Result<Created<Lead>> r) {
      std::lock_guard lock(m);
      if (r) {
        stored[order[first + k]] = std::move(r->record);
      } else if (++refused <= 3) {
        std::fprintf(stderr, "refused: %s\n", r.error().message.c_str());
      }
      if (++done == n) cv.notify_all();
    });
    std::unique_lock lock(m);
    cv.wait(lock, [&] { return done == n; });
  }
  return stored;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t n = argc > 1 ? std::stoul(argv[1]) : 1'000'000;
  const std::size_t probes = argc > 2 ? std::stoul(argv[2]) : 100'000;
  const std::uint64_t seed = argc > 3 ? std::stoull(argv[3]) : 42;
  const std::string dir = argc > 4 ? argv[4] : "build/bench-data/dedupe-store";

  auto started = Steady::now();
  bench::Labelled set = bench::generate(n + probes, seed);
  for (auto& lead : set.leads) lead.subject = "Heat pump";
  std::vector<bool> held_back(set.leads.size(), false);
  std::mt19937_64 rng(seed + 1);
  for (std::size_t picked = 0; picked < probes;) {
    const std::size_t i = std::uniform_int_distribution<std::size_t>(0, set.leads.size() - 1)(rng);
    if (!held_back[i]) held_back[i] = true, ++picked;
  }
  std::vector<std::size_t> order;
  order.reserve(n);
  for (std::size_t i = 0; i < set.leads.size(); ++i) {
    if (!held_back[i]) order.push_back(i);
  }
  std::printf("generated %zu leads in %.1f s\n", set.leads.size(), seconds_since(started));

  std::filesystem::remove_all(dir);
  StoreOptions options;
  options.path = dir;
  options.events = false;
  options.processing = std::make_shared<const processing::ProcessingConfig>();
  auto opened = LeadStore::open(options);
  if (!opened) {
    std::fprintf(stderr, "cannot open %s: %s\n", dir.c_str(), opened.error().message.c_str());
    return 2;
  }
  auto& store = **opened;

  // 1. store with processing, in set order
  started = Steady::now();
  std::size_t refused = 0;
  const std::vector<Lead> stored = store_all(store, set.leads, order, refused);
  const double store_seconds = seconds_since(started);
  std::unordered_map<std::uint64_t, std::size_t> index_of;
  index_of.reserve(n);
  for (std::size_t i : order) {
    if (!stored[i].id.empty()) index_of[stored[i].id.raw()] = i;
  }
  Tally stored_tally;
  std::unordered_map<std::uint32_t, std::size_t> stored_of_entity;  // stored leads per person so far
  for (std::size_t i : order) {
    if (stored[i].id.empty()) continue;
    const std::uint32_t person = set.entity[i];
    std::optional<bool> right;
    if (auto of = stored[i].duplicate_of; !of.empty()) right = set.entity[index_of.at(of.raw())] == person;
    stored_tally.count(stored_of_entity[person]++ > 0, right);
  }
  std::printf("stored %zu leads with the duplicate check in %.1f s (%.0f leads/s, %zu refused)\n", index_of.size(),
              store_seconds, static_cast<double>(index_of.size()) / store_seconds, refused);
  stored_tally.print("1. while storing");

  // 2. the held-back leads, checked against the full store
  std::vector<double> latencies;
  latencies.reserve(probes);
  Tally probe_tally;
  std::size_t candidates = 0;
  const Actor actor{"bench", "api"};
  started = Steady::now();
  for (std::size_t i = 0; i < set.leads.size(); ++i) {
    if (!held_back[i]) continue;
    const auto t0 = Steady::now();
    auto report = store.check_duplicates(set.leads[i], actor);
    latencies.push_back(std::chrono::duration<double, std::micro>(Steady::now() - t0).count());
    if (!report) return std::fprintf(stderr, "check failed: %s\n", report.error().message.c_str()), 1;
    candidates += static_cast<std::size_t>(std::count(report->json.begin(), report->json.end(), '{')) - 1;
    std::optional<bool> right;
    if (report->duplicate) right = set.entity[index_of.at(report->best->raw())] == set.entity[i];
    probe_tally.count(stored_of_entity.count(set.entity[i]) != 0 && stored_of_entity[set.entity[i]] > 0, right);
  }
  const double check_seconds = seconds_since(started);
  std::sort(latencies.begin(), latencies.end());
  const auto pct = [&](double p) {
    return latencies[static_cast<std::size_t>(p * static_cast<double>(latencies.size() - 1))];
  };
  std::printf(
      "checked %zu held-back leads against the %zu-lead store: %.0f checks/s on one core (target >= 50000), "
      "p50 %.1f us, p99 %.1f us, %.2f matching candidates per check\n",
      latencies.size(), index_of.size(), static_cast<double>(latencies.size()) / check_seconds, pct(0.5), pct(0.99),
      static_cast<double>(candidates) / static_cast<double>(latencies.size()));
  probe_tally.print("2. checks       ");
  store.close();
  return 0;
}
