// leadhub aging run [--now TIMESTAMP], and the aging scheduler `serve` adds.
#include <chrono>
#include <cmath>
#include <iostream>

#include "cli_common.hpp"
#include "connectors/framework/aging_scheduler.hpp"
#include "connectors/framework/hub.hpp"
#include "json/json_writer.hpp"
#include "processing/config.hpp"
#include "util/time_format.hpp"

namespace leadhub::cli {
namespace {

constexpr const char* kAgingUsage =
    "usage: leadhub aging run [--now TIMESTAMP]\n\n"
    "Runs the aging work that is due once, as `leadhub serve` does every\n"
    "`processing: aging: check_every_seconds`: leads nobody acted on for a rule's\n"
    "escalate_after_days raise lead.escalated, after close_after_days they are closed\n"
    "with reason \"aged\" (lead.aged), and follow-up dates raise lead.reminder. Only the\n"
    "due leads are read (an index on the next due time). For cron, or to try rules:\n"
    "--now (RFC 3339) runs as if it were that time (default: the current time).\n"
    "Prints {\"due\":N,\"escalated\":N,\"closed\":N,\"reminded\":N,\"failed\":N}.\n";

bool has_aging(const HubConfig& config) { return config.processing && config.processing->aging.enabled(); }

}  // namespace

int run_aging(Context& ctx, const std::vector<std::string>& argv) {
  auto args = Args::parse(argv, {{"help", false, ""}, {"now", true, ""}});
  if (!args || args->has("help") || args->positional().size() != 1 || args->positional()[0] != "run") {
    std::cout << kAgingUsage;
    return args && args->has("help") ? kExitOk : kExitUsage;
  }
  TimeMs now = SystemClock::instance().now_ms();
  if (auto text = args->get("now")) {
    auto parsed = parse_timestamp(*text);
    if (!parsed) return usage_error("--now: not an RFC 3339 timestamp: " + *text, kAgingUsage);
    now = *parsed;
  }
  if (!has_aging(ctx.config)) {
    return config_error("no `processing: aging:` rules or reminders in the config");
  }
  auto store = open_store(ctx);
  if (!store) return report(store.error());
  auto counts = connectors::run_all_due(**store, now);
  if (!counts) return report(counts.error());
  std::string out;
  JsonWriter w(out);
  w.begin_object().key("due").value(counts->due).key("escalated").value(counts->escalated);
  w.key("closed").value(counts->closed).key("reminded").value(counts->reminded);
  w.key("failed").value(counts->failed).end_object();
  print_line(out);
  return kExitOk;
}

void add_aging_scheduler(const HubConfig& config, connectors::Hub& hub) {
  if (!has_aging(config)) return;
  const auto every = std::chrono::milliseconds(std::llround(config.processing->aging.check_every_seconds * 1000));
  hub.add("aging", std::make_unique<connectors::AgingScheduler>(hub.store(), SystemClock::instance(), every));
}

}  // namespace leadhub::cli
