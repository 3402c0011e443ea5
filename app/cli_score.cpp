// leadhub score rebuild [--rescore]
#include <simdjson.h>

#include <condition_variable>
#include <iostream>
#include <mutex>

#include "cli_common.hpp"
#include "json/json_writer.hpp"

namespace leadhub::cli {
namespace {

constexpr const char* kScoreUsage =
    "usage: leadhub score rebuild [--rescore]\n\n"
    "Relearns the lead score model from every won (converted) and lost (declined,\n"
    "closed) lead in the store, as configured under `processing: scoring:`. The model\n"
    "is also kept up to date as leads are won and lost; rebuild after changing the\n"
    "scoring features or restoring a backup. With --rescore, every open lead is\n"
    "scored again (a new version, audited, for each lead whose score changes).\n"
    "Prints {\"won\":N,\"lost\":N,\"rescored\":N}.\n";

bool is_open_status(std::string_view status) {
  return status != "converted" && status != "declined" && status != "closed";
}

struct OpenLead {
  RecordId id;
  std::uint64_t version = 0;
};

// The leads still being worked (only they are scored again), with the version
// each is at, read in the same pass.
Result<std::vector<OpenLead>> open_leads(const LeadStore& store) {
  std::vector<OpenLead> leads;
  simdjson::dom::parser parser;
  auto st = store.for_each_lead_json([&](std::string_view json) {
    simdjson::dom::element doc;
    std::string_view id, status;
    std::uint64_t version = 0;
    if (parser.parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS) return true;
    if (doc["id"].get_string().get(id) != simdjson::SUCCESS) return true;
    if (doc["status"].get_string().get(status) != simdjson::SUCCESS || !is_open_status(status)) return true;
    if (doc["version"].get_uint64().get(version) != simdjson::SUCCESS) return true;
    if (auto parsed = RecordId::parse(id)) leads.push_back({*parsed, version});
    return true;
  });
  if (!st) return st.error();
  return leads;
}

// An empty change runs the rules and the score again; it stores a version only
// when something differs.
std::uint64_t rescore(LeadStore& store, const std::vector<OpenLead>& leads, const Actor& actor) {
  std::mutex m;
  std::condition_variable cv;
  std::size_t done = 0;
  std::uint64_t changed = 0;
  for (const OpenLead& lead : leads) {
    ChangeLeadCommand cmd;
    cmd.id = lead.id;
    cmd.actor = actor;
    store.change_lead_async(std::move(cmd), [&, before = lead.version](Result<Lead> r) {
      std::lock_guard lock(m);
      if (r && r->version != before) ++changed;
      ++done;
      cv.notify_all();
    });
  }
  std::unique_lock lock(m);
  cv.wait(lock, [&] { return done == leads.size(); });
  return changed;
}

}  // namespace

int run_score(Context& ctx, const std::vector<std::string>& argv) {
  auto args = Args::parse(argv, {{"help", false, ""}, {"rescore", false, ""}});
  if (!args || args->has("help") || args->positional().size() != 1 || args->positional()[0] != "rebuild") {
    std::cout << kScoreUsage;
    return args && args->has("help") ? kExitOk : kExitUsage;
  }
  if (!ctx.config.processing) {
    return config_error("no `processing:` in the config: there is no score model");
  }
  auto store = open_store(ctx);
  if (!store) return report(store.error());
  auto counts = (*store)->rebuild_score_model();
  if (!counts) return report(counts.error());
  std::uint64_t rescored = 0;
  if (args->has("rescore")) {
    auto leads = open_leads(**store);
    if (!leads) return report(leads.error());
    rescored = rescore(**store, *leads, ctx.actor);
  }
  std::string out;
  JsonWriter w(out);
  w.begin_object().key("won").value(counts->first).key("lost").value(counts->second);
  w.key("rescored").value(rescored).end_object();
  print_line(out);
  return kExitOk;
}

}  // namespace leadhub::cli
