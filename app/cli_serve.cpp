// leadhub serve | connectors | apikey new
//
// serve opens the store, builds the connector instances the config declares (or
// the embedded default: HTTP on 127.0.0.1:8080 and AMQP 1.0 on 127.0.0.1:5672),
// starts them and runs until SIGINT or SIGTERM; then it stops intake, lets
// requests in flight finish, commits what is queued and exits 0.
#include <openssl/rand.h>

#include <csignal>
#include <filesystem>
#include <iostream>

#include "cli_common.hpp"
#include "connectors/events/events_connector.hpp"
#include "connectors/framework/hub.hpp"
#include "connectors/framework/log.hpp"
#include "connectors/http/auth.hpp"
#include "serve_lock.hpp"
#include "version.hpp"

namespace leadhub::cli {
namespace {

const char* const kServeUsage =
    "usage: leadhub serve\n"
    "\n"
    "Runs the hub: opens the store and starts the connectors listed under `connectors:` in\n"
    "the config (without any: HTTP on 127.0.0.1:8080 with the REST API and no forms, and\n"
    "AMQP 1.0 on 127.0.0.1:5672 with the request address `leads`). With an `events:` section\n"
    "it also runs the event dispatcher (docs/events.md).\n"
    "SIGINT or SIGTERM stops intake, finishes requests in flight, commits and exits 0.\n"
    "One serve per data folder (it locks DATA/serve.lock): a second one exits 7 naming the\n"
    "first one's pid; other commands may run beside it.\n"
    "`leadhub connectors` lists the connector types and their settings.\n";

// The `connectors:` list, or the embedded default when the config has none.
YAML::Node connector_list(const HubConfig& config) {
  if (config.connectors && config.connectors.IsSequence()) return config.connectors;
  return YAML::Load("[{name: http, type: http}, {name: amqp, type: amqp}]");
}

// The event dispatcher, when the config routes events. Added first, so it starts
// before anything writes (its store listener is installed then) and stops last.
Status build_event_dispatcher(const HubConfig& config, connectors::Hub& hub) {
  if (!config.events.IsMap()) return ok_status();  // a default Node is a (defined) null
  auto dispatcher = connectors::events::make_event_dispatcher(config.file, config.events, hub);
  if (!dispatcher) return dispatcher.error();
  hub.add("events", std::move(dispatcher).value());
  return ok_status();
}

Status build_connectors(const HubConfig& config, connectors::Hub& hub) {
  const std::string file = config.file.empty() ? std::string("(built-in default)") : config.file;
  std::vector<std::string> names;
  if (config.events.IsMap()) names.emplace_back("events");  // the dispatcher's instance
  std::size_t index = 0;
  for (const auto& node : connector_list(config)) {
    connectors::Settings item(file, node, "[" + std::to_string(index++) + "]");
    if (!node.IsMap()) return item.error("", "expected a mapping with name and type");
    auto type_name = item.text("type", "");
    auto name = item.text("name", "");
    if (!type_name) return type_name.error();
    if (!name) return name.error();
    const auto* type = connectors::registry().find(*type_name);
    if (type == nullptr) {
      std::string known;
      for (const auto& t : connectors::registry().all()) known += (known.empty() ? "" : ", ") + t.name;
      return item.error("type", "unknown connector type '" + *type_name + "' (known: " + known + ")");
    }
    if (name->empty()) *name = *type_name;
    if (std::find(names.begin(), names.end(), *name) != names.end()) {
      return item.error("name", "two connectors are called " + *name);
    }
    names.push_back(*name);
    connectors::Settings settings(file, node, *name);
    auto specs = type->settings;
    specs.push_back({"name", type->name, "instance name (logs, audit trail)"});
    specs.push_back({"type", "", "connector type"});
    if (auto st = settings.check_known(specs); !st) return st.error();
    auto connector = type->create(settings, hub);
    if (!connector) return connector.error();
    hub.add(*name, std::move(connector).value());
  }
  return ok_status();
}

// A commit that fails (disk full, I/O error) is answered to its callers as
// `unavailable`; the log says so once when writes start failing and once when they
// succeed again, not once per request. On the writer thread: state needs no lock.
void log_write_failures(LeadStore& store) {
  store.set_commit_listener([failed = std::uint64_t{0}](const Status& outcome) mutable {
    if (!outcome) {
      if (failed++ == 0) {
        connectors::log::error("store", outcome.error().message +
                                            " (callers get `unavailable` and may retry; nothing they were told is "
                                            "stored is lost)");
      }
      return;
    }
    if (failed == 0) return;
    connectors::log::info("store", "writes succeed again, after " + std::to_string(failed) + " failed commits");
    failed = 0;
  });
}

// Relative paths are relative to the working directory, which a service manager
// chooses: the log names the folder and file actually used.
std::string absolute_path(const std::string& path) {
  std::error_code ec;
  auto absolute = std::filesystem::absolute(path, ec);
  return ec ? path : absolute.lexically_normal().string();
}

}  // namespace

int run_serve(Context& ctx, const std::vector<std::string>& argv) {
  auto args = Args::parse(argv, {{"help", false, ""}});
  if (!args || args->has("help") || !args->positional().empty()) {
    std::cout << kServeUsage;
    return args && args->has("help") ? kExitOk : kExitUsage;
  }
  connectors::log::info("leadhub", "starting " + version_line());
  // Block the signals before any thread starts so only sigwait below sees them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // a client that hangs up is an error code, not a crash

  auto store = open_store(ctx);
  if (!store) return report(store.error());
  auto lock = ServeLock::take(ctx.config.data_folder);  // after the open, which creates the folder
  if (!lock) return report(lock.error());
  log_write_failures(**store);
  if (auto st = reindex_if_stale(**store); !st) return report(st.error());
  connectors::Hub hub(**store, {ctx.config.data_folder, ctx.config.mappings_folder});
  if (auto st = build_event_dispatcher(ctx.config, hub); !st) {
    std::cerr << "leadhub: config: " << st.error().message << "\n";
    return kExitUsage;
  }
  if (auto st = build_connectors(ctx.config, hub); !st) {
    std::cerr << "leadhub: config: " << st.error().message << "\n";
    return kExitUsage;
  }
  add_aging_scheduler(ctx.config, hub);  // last: starts after the connectors, stops before them
  // Mappings no connector named yet (uploads and files may name any): a broken one
  // is said now, not when a partner's first file is refused for it.
  for (const auto& broken : hub.mappings().load_folder()) {
    connectors::log::warn("mappings", broken.message + " (what names this mapping is refused until it is fixed)");
  }
  if (auto st = hub.start_all(); !st) {
    (*store)->close();
    return report(st.error());
  }
  connectors::log::info("leadhub", "ready; store at " + absolute_path(ctx.config.data_folder) + ", config " +
                                       (ctx.config.file.empty() ? std::string("none (built-in defaults)")
                                                                : absolute_path(ctx.config.file)) +
                                       " (stop with Ctrl-C)");
  int received = 0;
  sigwait(&signals, &received);
  connectors::log::info("leadhub", std::string(received == SIGINT ? "SIGINT" : "SIGTERM") +
                                       ": stopping intake, finishing requests in flight");
  hub.stop_all();
  (*store)->close();
  connectors::log::info("leadhub", "stopped");
  return kExitOk;
}

int run_connectors(Context&, const std::vector<std::string>& argv) {
  auto args = Args::parse(argv, {{"help", false, ""}});
  if (!args || args->has("help") || !args->positional().empty()) {
    std::cout << "usage: leadhub connectors\n\nLists the connector types and each one's settings with its default.\n";
    return args && args->has("help") ? kExitOk : kExitUsage;
  }
  for (const auto& type : connectors::registry().all()) {
    std::cout << type.name << ": " << type.summary << "\n";
    for (const auto& s : type.settings) {
      std::cout << "  " << s.key << (s.default_value.empty() ? "" : " (default " + s.default_value + ")") << "\n      "
                << s.description << "\n";
    }
  }
  return kExitOk;
}

int run_apikey(Context&, const std::vector<std::string>& argv) {
  const char* const usage =
      "usage: leadhub apikey new --name NAME [--scopes S,S,...] [--partner CHANNEL] [--roles R,R,...]\n"
      "\n"
      "Makes a random API key. Prints the key (give it to the client; it is shown only\n"
      "once) and the YAML item for the http connector's api_keys list, which holds only\n"
      "the key's SHA-256. --roles names the approval roles its holder may decide.\n";
  auto args = Args::parse(
      argv,
      {{"name", true, ""}, {"scopes", true, ""}, {"partner", true, ""}, {"roles", true, ""}, {"help", false, ""}});
  if (!args || args->has("help") || args->positional().size() != 1 || args->positional()[0] != "new" ||
      !args->get("name")) {
    std::cout << usage;
    return args && args->has("help") ? kExitOk : kExitUsage;
  }
  std::string scopes_yaml;
  const std::string scopes = args->get_or("scopes", "*");
  for (std::size_t start = 0; start <= scopes.size();) {
    auto end = scopes.find(',', start);
    if (end == std::string::npos) end = scopes.size();
    const auto scope = scopes.substr(start, end - start);
    if (auto s = connectors::http::parse_scope(scope); !s) return usage_error(s.error().message, usage);
    scopes_yaml += (scopes_yaml.empty() ? "\"" : ", \"") + scope + "\"";
    start = end + 1;
  }
  unsigned char bytes[24];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return report(Error::make(ErrorCode::internal, "no random bytes"));
  static const char* const kAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  std::string key = "lh_";
  for (const auto b : bytes) key += kAlphabet[b % 36];
  std::cout << "key: " << key << "\n\n# add to the http connector's api_keys:\n"
            << "- name: " << *args->get("name") << "\n  sha256: " << connectors::http::sha256_hex(key)
            << "\n  scopes: [" << scopes_yaml << "]\n";
  if (auto p = args->get("partner")) std::cout << "  partner: " << *p << "\n";
  if (auto r = args->get("roles")) std::cout << "  roles: [" << *r << "]\n";
  return kExitOk;
}

}  // namespace leadhub::cli
