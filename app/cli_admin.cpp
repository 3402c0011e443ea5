// leadhub backup DIR | stats
#include <iostream>
#include <map>
#include <string_view>

#include "cli_common.hpp"
#include "json/json_writer.hpp"

namespace leadhub::cli {

int run_backup(Context& ctx, const std::vector<std::string>& argv) {
  auto args = Args::parse(argv, {{"help", false, ""}});
  if (!args || args->has("help") || args->positional().size() != 1) {
    std::cout << "usage: leadhub backup DIR\n\nWrites a hot, consistent, compacted copy of the store into DIR\n"
                 "(created if missing; must not hold a data.mdb). The hub may keep running.\n"
                 "Restore: stop the hub and point `data:` (or --data) at DIR.\n";
    return args && args->has("help") ? kExitOk : kExitUsage;
  }
  auto store = open_store(ctx);
  if (!store) return report(store.error());
  if (auto st = (*store)->backup(args->positional()[0]); !st) return report(st.error());
  std::cerr << "leadhub: backup written to " << args->positional()[0] << "\n";
  return kExitOk;
}

namespace {

// Routes by name: the configured ones (depth 0 when their queue is empty) and any
// queue the store holds, such as one of a route no longer configured.
struct RouteDepth {
  std::uint64_t queued = 0;
  std::uint64_t dead = 0;
};

std::map<std::string, RouteDepth> route_depths(const HubConfig& config, const StoreStats& stats) {
  static constexpr std::string_view kDead = ".dead";
  std::map<std::string, RouteDepth> out;
  if (config.events.IsMap() && config.events["routes"].IsSequence()) {
    for (const auto& route : config.events["routes"]) {
      if (route.IsMap() && route["name"] && route["name"].IsScalar()) out[route["name"].as<std::string>()];
    }
  }
  for (const auto& [queue, depth] : stats.deliveries) {
    const bool dead =
        queue.size() > kDead.size() && queue.compare(queue.size() - kDead.size(), kDead.size(), kDead) == 0;
    if (dead)
      out[queue.substr(0, queue.size() - kDead.size())].dead = depth;
    else
      out[queue].queued = depth;
  }
  return out;
}

void write_events(JsonWriter& w, const HubConfig& config, const StoreStats& s) {
  w.key("events").begin_object();
  w.key("outbox").value(s.outbox_events);
  w.key("routes").begin_object();
  for (const auto& [route, depth] : route_depths(config, s)) {
    w.key(route).begin_object().key("queued").value(depth.queued).key("dead").value(depth.dead).end_object();
  }
  w.end_object();
  w.end_object();
}

}  // namespace

int run_stats(Context& ctx, const std::vector<std::string>& argv) {
  auto args = Args::parse(argv, {{"help", false, ""}});
  if (!args || args->has("help") || !args->positional().empty()) {
    std::cout << "usage: leadhub stats\n\nPrints counts of leads (by status), partners, audit entries, the\n"
                 "store's size and its events as JSON: events waiting in the outbox to be routed, and\n"
                 "per route the events queued for delivery and those in its dead-letter queue.\n";
    return args && args->has("help") ? kExitOk : kExitUsage;
  }
  auto store = open_store(ctx);
  if (!store) return report(store.error());
  auto s = (*store)->stats();
  if (!s) return report(s.error());
  std::string out;
  JsonWriter w(out);
  w.begin_object();
  w.key("leads").value(s->leads);
  w.key("leads_by_status").begin_object();
  for (const auto& [status, n] : s->leads_by_status) w.key(status).value(n);
  w.end_object();
  w.key("partners").value(s->partners);
  w.key("audit_entries").value(s->audit_entries);
  w.key("idempotency_keys").value(s->idempotency_keys);
  write_events(w, ctx.config, *s);
  w.key("store").begin_object();
  w.key("path").value(ctx.config.data_folder);
  w.key("map_size_bytes").value(s->map_size);
  w.key("used_bytes").value(s->used_bytes);
  w.key("format").value(s->format);
  w.end_object();
  w.end_object();
  print_line(out);
  return kExitOk;
}

}  // namespace leadhub::cli
