// leadhub: the command-line entry point. Global options pick the config and data
// folder; the first word picks the subcommand.
#include <cstdlib>
#include <iostream>
#include <string_view>

#include "cli_common.hpp"
#include "json/decode.hpp"
#include "version.hpp"

namespace {

using namespace leadhub::cli;

const char* const kUsage =
    "leadhub: the integration hub for sales leads\n"
    "\n"
    "usage: leadhub [--config FILE] [--data DIR] [--user NAME] COMMAND ...\n"
    "\n"
    "commands:\n"
    "  serve                     run the hub until SIGINT/SIGTERM\n"
    "  lead create|get|find|change|audit|merge|assign|convert|approvals|approve|duplicates\n"
    "                            the lead operations (JSON in, JSON out)\n"
    "  partner create|get        business partners\n"
    "  import FILE [--mapping M] bulk import: NDJSON leads, or a partner's file via a mapping\n"
    "  map --mapping M FILE      dry run of a mapping: canonical leads and errors, nothing stored\n"
    "  export [FILE]             every lead as newline-delimited JSON\n"
    "  backup DIR                hot, compacted copy of the store\n"
    "  stats                     counts and store size\n"
    "  report [--campaign C ...] lead counts, pipelines, conversion rates, leads per day\n"
    "  connectors                connector types and their settings\n"
    "  apikey new --name N       a new API key and its config entry\n"
    "  score rebuild [--rescore] relearn the lead score model (with `processing:`)\n"
    "  aging run [--now T]       escalate, close as aged and remind the due leads once\n"
    "  reindex                   rebuild processing's indexes (duplicate check, aging)\n"
    "Run `leadhub COMMAND --help` for a command's options.\n"
    "\n"
    "global options:\n"
    "  --config FILE             YAML config (default: $LEADHUB_CONFIG, else built-in defaults)\n"
    "  --data DIR                data folder (overrides the config; default ./data)\n"
    "  --user NAME               who is acting, for the audit trail (default $USER)\n"
    "  --version                 the version, the commit it was built from, the store format\n"
    "\n"
    "exit codes: 0 ok, 1 some import lines rejected, 2 usage or config error, 3 invalid input,\n"
    "            4 not found, 5 conflict (stale version or illegal status change),\n"
    "            6 locked (converted lead), 7 unavailable (the store, or a connector that\n"
    "            cannot start, e.g. its port in use)\n";

struct Command {
  const char* name;
  int (*run)(Context&, const std::vector<std::string>&);
};

constexpr Command kCommands[] = {
    {"serve", run_serve},     {"lead", run_lead},     {"partner", run_partner},
    {"import", run_import},   {"map", run_map},       {"export", run_export},
    {"backup", run_backup},   {"stats", run_stats},   {"connectors", run_connectors},
    {"apikey", run_apikey},   {"score", run_score},   {"aging", run_aging},
    {"reindex", run_reindex}, {"report", run_report},
};

}  // namespace

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  std::vector<std::string> args(argv + 1, argv + argc);
  std::string config_path;
  if (const char* env = std::getenv("LEADHUB_CONFIG")) config_path = env;
  bool config_from_env = !config_path.empty();  // named in errors: the caller may not know it is set
  std::string data_override;
  Context ctx;
  const char* user = std::getenv("USER");
  ctx.actor.user = user != nullptr && *user != '\0' ? user : "cli";
  ctx.actor.connector = "cli";

  std::size_t i = 0;
  for (; i < args.size() && args[i].rfind("--", 0) == 0; ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::cout << kUsage;
      return kExitOk;
    }
    if (a == "--version") {
      std::cout << version_line() << "\n";
      return kExitOk;
    }
    if (a != "--config" && a != "--data" && a != "--user") return usage_error("unknown option " + a, kUsage);
    if (i + 1 >= args.size()) return usage_error(a + " needs a value", kUsage);
    if (a == "--config") {
      config_path = args[++i];
      config_from_env = false;
    } else if (a == "--data") {
      data_override = args[++i];
    } else {
      ctx.actor.user = args[++i];
    }
  }
  if (i >= args.size()) return usage_error("no command given", kUsage);

  if (!config_path.empty()) {
    auto config = load_config(config_path);
    if (!config) {
      std::cerr << "leadhub: config: " << config.error().message
                << (config_from_env ? " (the file $LEADHUB_CONFIG names)" : "") << "\n";
      return kExitUsage;
    }
    ctx.config = std::move(config).value();
  }
  if (!data_override.empty()) ctx.config.data_folder = data_override;

  const std::vector<std::string> rest(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
  for (const auto& c : kCommands) {
    if (args[i] == c.name) return c.run(ctx, rest);
  }
  std::vector<std::string_view> names;
  for (const auto& c : kCommands) names.emplace_back(c.name);
  const auto meant = leadhub::json::closest_name(args[i], names);
  return usage_error(
      "unknown command '" + args[i] + "'" + (meant ? " (did you mean '" + std::string(*meant) + "'?)" : ""), kUsage);
}
