// leadhub backup DIR | stats
#include <iostream>

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

int run_stats(Context& ctx, const std::vector<std::string>& argv) {
  auto args = Args::parse(argv, {{"help", false, ""}});
  if (!args || args->has("help") || !args->positional().empty()) {
    std::cout << "usage: leadhub stats\n\nPrints counts of leads (by status), partners, audit entries and\n"
                 "the store's size as JSON.\n";
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
  w.key("store").begin_object();
  w.key("path").value(ctx.config.data_folder);
  w.key("map_size_bytes").value(s->map_size);
  w.key("used_bytes").value(s->used_bytes);
  w.end_object();
  w.end_object();
  print_line(out);
  return kExitOk;
}

}  // namespace leadhub::cli
