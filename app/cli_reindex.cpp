// leadhub reindex, and the reindex `serve` does by itself when the processing
// settings the indexes follow have changed.
#include <chrono>
#include <cstdio>
#include <iostream>

#include "cli_common.hpp"
#include "connectors/framework/log.hpp"
#include "json/json_writer.hpp"

namespace leadhub::cli {
namespace {

constexpr const char* kReindexUsage =
    "usage: leadhub reindex\n\n"
    "Rebuilds the indexes lead processing keeps beside the leads: the duplicate\n"
    "check's match keys and blocking keys, the aging due index, and the open leads\n"
    "per channel member. Needed for leads stored before `processing:` was\n"
    "configured, or after the e-mail normalization or the aging rules changed;\n"
    "`serve` does it by itself when it sees that. Prints {\"leads\":N,\"seconds\":S}.\n";

}  // namespace

int run_reindex(Context& ctx, const std::vector<std::string>& argv) {
  auto args = Args::parse(argv, {{"help", false, ""}});
  if (!args || args->has("help") || !args->positional().empty()) {
    std::cout << kReindexUsage;
    return args && args->has("help") ? kExitOk : kExitUsage;
  }
  if (!ctx.config.processing) {
    return config_error("no `processing:` in the config: there is nothing to index");
  }
  auto store = open_store(ctx);
  if (!store) return report(store.error());
  const auto started = std::chrono::steady_clock::now();
  auto counts = (*store)->reindex_processing();
  if (!counts) return report(counts.error());
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started;
  std::string out;
  JsonWriter w(out);
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.3f", took.count());
  w.begin_object().key("leads").value(counts->leads).key("seconds").raw(seconds).end_object();
  print_line(out);
  return kExitOk;
}

Status reindex_if_stale(LeadStore& store) {
  if (!store.processing_index_stale()) return ok_status();
  connectors::log::info("leadhub", "the processing settings changed since the leads were indexed: reindexing");
  auto counts = store.reindex_processing();
  if (!counts) return counts.error();
  connectors::log::info("leadhub", "reindexed " + std::to_string(counts->leads) + " leads");
  return ok_status();
}

}  // namespace leadhub::cli
