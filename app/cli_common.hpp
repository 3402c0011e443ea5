// What every subcommand shares: the loaded config, exit codes, error printing and
// reading a JSON document from a file, stdin or --json.
#pragma once

#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "args.hpp"
#include "config.hpp"
#include "store/lead_store.hpp"

namespace leadhub::connectors {
class Hub;
}

namespace leadhub::cli {

// Exit codes (documented in `leadhub --help` and app/README.md).
enum ExitCode : int {
  kExitOk = 0,
  kExitPartial = 1,  // import/export finished but some lines were rejected
  kExitUsage = 2,    // bad command line or config file
  kExitInvalid = 3,  // the input failed validation
  kExitNotFound = 4,
  kExitConflict = 5,  // stale version, illegal status change
  kExitLocked = 6,    // converted lead
  kExitStore = 7,     // store unavailable or internal failure
};

struct Context {
  HubConfig config;
  Actor actor;
};

using Command = int (*)(Context&, const std::vector<std::string>&);

int exit_code_for(ErrorCode code);
// Prints "leadhub: <code>: message" and each field error to stderr; returns the exit code.
int report(const Error& error);
// A command that needs a config section the config lacks: "leadhub: config: ...",
// exit 2 like a config file that does not load (not 3: the input is fine).
int config_error(const std::string& message);
int usage_error(const std::string& message, const std::string& usage);

Result<std::unique_ptr<LeadStore>> open_store(const Context& ctx);

// A FILE argument, or standard input for "-".
class InputFile {
 public:
  Status open(const std::string& name);
  std::istream& stream() { return use_stdin_ ? std::cin : file_; }

 private:
  std::ifstream file_;
  bool use_stdin_ = false;
};
// The document named by the first positional (a file, or - for stdin) or --json.
Result<std::string> read_document(const Args& args, std::size_t positional_index);
Result<RecordId> parse_id(const std::string& text, const char* what);
void print_line(const std::string& text);

int run_lead(Context& ctx, const std::vector<std::string>& argv);
int lead_merge(Context& ctx, const std::vector<std::string>& argv);
int lead_assign(Context& ctx, const std::vector<std::string>& argv);
int lead_convert(Context& ctx, const std::vector<std::string>& argv);
int lead_approvals(Context& ctx, const std::vector<std::string>& argv);
int lead_approve(Context& ctx, const std::vector<std::string>& argv);
int run_partner(Context& ctx, const std::vector<std::string>& argv);
int run_import(Context& ctx, const std::vector<std::string>& argv);
int run_map(Context& ctx, const std::vector<std::string>& argv);
int run_export(Context& ctx, const std::vector<std::string>& argv);
int run_backup(Context& ctx, const std::vector<std::string>& argv);
int run_stats(Context& ctx, const std::vector<std::string>& argv);
int run_report(Context& ctx, const std::vector<std::string>& argv);
int run_serve(Context& ctx, const std::vector<std::string>& argv);
int run_connectors(Context& ctx, const std::vector<std::string>& argv);
int run_apikey(Context& ctx, const std::vector<std::string>& argv);
int run_score(Context& ctx, const std::vector<std::string>& argv);
int run_aging(Context& ctx, const std::vector<std::string>& argv);
int run_reindex(Context& ctx, const std::vector<std::string>& argv);
// Rebuilds processing's indexes when the store says they follow other settings
// (cli_reindex.cpp); `serve` calls it before the connectors start.
Status reindex_if_stale(LeadStore& store);
// With `processing: aging:` rules or reminders: the scheduler that runs due aging
// work in `serve` (cli_aging.cpp).
void add_aging_scheduler(const HubConfig& config, connectors::Hub& hub);

}  // namespace leadhub::cli
