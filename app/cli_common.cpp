#include "cli_common.hpp"

#include <sys/statvfs.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "model/limits.hpp"

namespace leadhub::cli {

int exit_code_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid:
      return kExitInvalid;
    case ErrorCode::not_found:
      return kExitNotFound;
    case ErrorCode::version_conflict:
    case ErrorCode::illegal_transition:
    case ErrorCode::duplicate:
      return kExitConflict;
    case ErrorCode::locked:
      return kExitLocked;
    case ErrorCode::forbidden:
      return kExitUsage;
    case ErrorCode::unavailable:
    case ErrorCode::internal:
      return kExitStore;
  }
  return kExitStore;
}

int report(const Error& error) {
  if (error.code == ErrorCode::invalid && !error.fields.empty()) {
    std::cerr << "leadhub: invalid input\n";
    for (const auto& f : error.fields) std::cerr << "  " << (f.field.empty() ? "" : f.field + ": ") << f.reason << "\n";
  } else {
    // The fields say what is at fault beyond the message: the approval steps still
    // missing, the leads a duplicate matches.
    std::cerr << "leadhub: " << to_string(error.code) << ": " << error.message << "\n";
    for (const auto& f : error.fields) std::cerr << "  " << (f.field.empty() ? "" : f.field + ": ") << f.reason << "\n";
  }
  return exit_code_for(error.code);
}

int config_error(const std::string& message) {
  std::cerr << "leadhub: config: " << message << "\n";
  return kExitUsage;
}

int usage_error(const std::string& message, const std::string& usage) {
  std::cerr << "leadhub: " << message << "\n\n" << usage;
  return kExitUsage;
}

namespace {

// Whether the data folder is on a file system mounted read-only. LMDB then needs no
// lock file (nothing can write there), so the store is opened to be read.
bool on_read_only_file_system(const std::string& folder) {
  struct statvfs fs {};
  return ::statvfs(folder.c_str(), &fs) == 0 && (fs.f_flag & ST_RDONLY) != 0;
}

}  // namespace

Result<std::unique_ptr<LeadStore>> open_store(const Context& ctx) {
  auto options = ctx.config.store_options();
  options.read_only = on_read_only_file_system(options.path);
  return LeadStore::open(options);
}

Result<std::string> read_document(const Args& args, std::size_t positional_index) {
  if (auto inline_json = args.get("json")) return *inline_json;
  if (args.positional().size() <= positional_index) {
    return Error::make(ErrorCode::invalid, "give the JSON document as a FILE, - for standard input, or --json TEXT");
  }
  const std::string& name = args.positional()[positional_index];
  std::ostringstream buffer;
  if (name == "-") {
    buffer << std::cin.rdbuf();
  } else {
    if (std::error_code ec; std::filesystem::is_directory(name, ec)) {
      return Error::make(ErrorCode::invalid, "cannot read " + name + ": is a directory");
    }
    std::ifstream in(name, std::ios::binary);
    if (!in) return Error::make(ErrorCode::invalid, "cannot read " + name);
    buffer << in.rdbuf();
  }
  std::string text = buffer.str();
  if (text.size() > limits::kMaxRecordBytes) return Error::make(ErrorCode::invalid, name + ": larger than 1 MiB");
  return text;
}

Status InputFile::open(const std::string& name) {
  use_stdin_ = name == "-";
  if (use_stdin_) return ok_status();
  // A directory opens as a stream on Linux and reads as empty: an import of it would
  // "succeed" with 0 records.
  if (std::error_code ec; std::filesystem::is_directory(name, ec)) {
    return Error::make(ErrorCode::invalid, "cannot read " + name + ": is a directory");
  }
  file_.open(name, std::ios::binary);
  if (!file_) return Error::make(ErrorCode::invalid, "cannot read " + name);
  return ok_status();
}

Result<RecordId> parse_id(const std::string& text, const char* what) {
  if (auto id = RecordId::parse(text)) return *id;
  return Error::invalid(
      {{what, "'" + text.substr(0, 40) + "' is not a leadhub id (13 characters of Crockford base32)"}});
}

void print_line(const std::string& text) {
  std::cout << text << '\n';
  std::cout.flush();
}

}  // namespace leadhub::cli
