// leadhub import FILE | export [FILE]
//
// import hands the file to the batch import (connectors/framework/batch_import),
// which POST /api/v1/imports uses too.
#include <unistd.h>

#include <fstream>
#include <iostream>

#include "cli_common.hpp"
#include "connectors/framework/batch_import.hpp"
#include "mapping/engine.hpp"

namespace leadhub::cli {
namespace {

const char* const kImportUsage =
    "usage: leadhub import FILE|- [--mapping NAME] [--batch N]\n"
    "\n"
    "Imports newline-delimited canonical leads (one JSON object per line) or one JSON\n"
    "array of them (streamed; a rejection names the line the element starts on; UTF-8,\n"
    "or UTF-16 with its byte order mark as PowerShell writes it), or with\n"
    "--mapping a partner's CSV, XML, JSON or form file through config/mappings/NAME.yaml\n"
    "(creates and changes; `leadhub map` is the dry run). Records are\n"
    "committed in batches; a lead whose external reference is already stored counts as\n"
    "a duplicate and is not created again, so a file can be imported twice safely.\n"
    "Prints a JSON summary: lines (records), created, duplicates, changed, rejected and,\n"
    "for each rejected record, where it is (line number, XML path, JSON pointer) and the\n"
    "reasons; a file that holds no records gets a warning. Exit code 1 when any record\n"
    "was rejected; 3 when FILE cannot be read (missing, a directory).\n"
    "A gzip-compressed FILE (recognised by its first bytes, not its name: leads.ndjson.gz,\n"
    "responses.csv.gz) is decoded as it is read; line numbers are those of the decoded\n"
    "text. Corrupt or cut-short gzip data is reported as the rejected record \"document\"\n"
    "(exit 1), after the records before the damage are stored.\n";

const char* const kExportUsage =
    "usage: leadhub export [FILE]\n"
    "\n"
    "Writes every lead as newline-delimited JSON in id (creation) order, to FILE or stdout.\n"
    "For other systems, not a backup: the leads keep the hub's own fields (id, version,\n"
    "created_at, ...), which `leadhub import` refuses, and business partners and audit\n"
    "trails are left out. To move or restore a store use `leadhub backup`.\n";

}  // namespace

int run_import(Context& ctx, const std::vector<std::string>& argv) {
  auto args = Args::parse(argv, {{"batch", true, ""}, {"mapping", true, ""}, {"help", false, ""}});
  if (!args) return usage_error(args.error().message, kImportUsage);
  if (args->has("help")) {
    std::cout << kImportUsage;
    return kExitOk;
  }
  if (args->positional().size() != 1) return usage_error("import takes one FILE (or - for stdin)", kImportUsage);
  std::size_t batch_size = connectors::kDefaultImportBatch;
  if (auto b = args->get("batch")) {
    batch_size = std::strtoul(b->c_str(), nullptr, 10);
    if (batch_size == 0 || batch_size > 100'000) return usage_error("--batch must be 1..100000", kImportUsage);
  }
  std::unique_ptr<mapping::Mapper> mapper;
  if (auto name = args->get("mapping")) {
    auto spec = mapping::find_mapping(*name, {ctx.config.mappings_folder});
    if (!spec) return report(spec.error());
    mapper = std::make_unique<mapping::Mapper>(std::move(spec).value());
  }
  const std::string& name = args->positional()[0];
  InputFile input;
  if (auto st = input.open(name); !st) return report(st.error());
  std::istream& in = input.stream();
  auto store = open_store(ctx);
  if (!store) return report(store.error());

  connectors::BatchImportOptions options;
  options.batch_size = batch_size;
  options.actor = ctx.actor;
  options.actor.connector = mapper ? "cli-import:" + mapper->spec().name : "cli-import";
  options.mapper = mapper.get();
  options.show_progress = ::isatty(STDERR_FILENO) != 0;
  const auto result = connectors::run_batch_import(**store, in, options);
  print_line(result.summary_json);
  // The summary names no file: say which one could not be read, for scripts' logs.
  if (result.unreadable) std::cerr << "leadhub: import: " << name << ": " << *result.unreadable << "\n";
  return result.rejected == 0 ? kExitOk : kExitPartial;
}

int run_export(Context& ctx, const std::vector<std::string>& argv) {
  auto args = Args::parse(argv, {{"help", false, ""}});
  if (!args) return usage_error(args.error().message, kExportUsage);
  if (args->has("help")) {
    std::cout << kExportUsage;
    return kExitOk;
  }
  if (args->positional().size() > 1) return usage_error("export takes at most one FILE", kExportUsage);
  std::ofstream file;
  if (!args->positional().empty()) {
    file.open(args->positional()[0], std::ios::binary | std::ios::trunc);
    if (!file) return report(Error::make(ErrorCode::invalid, "cannot write " + args->positional()[0]));
  }
  std::ostream& out = args->positional().empty() ? std::cout : file;
  auto store = open_store(ctx);
  if (!store) return report(store.error());
  auto st = (*store)->for_each_lead_json([&](std::string_view json) {
    out << json << '\n';
    return static_cast<bool>(out);
  });
  out.flush();
  if (!st) return report(st.error());
  if (!out) return report(Error::make(ErrorCode::internal, "write failed during export"));
  return kExitOk;
}

}  // namespace leadhub::cli
