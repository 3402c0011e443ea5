// The files connector's decisions that need no folder: which names are taken and
// by which mapping, when a file is complete, and the name a file gets in done/ or
// failed/ when its own is taken there. Unit-tested in tests/connectors/files_rules_test.cpp.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace leadhub::connectors::files {

// A shell pattern (`*`, `?`, `[...]`, as fnmatch(3)) against a whole file name,
// ignoring case: `*.csv` takes RESPONSES.CSV from a Windows sender.
bool name_matches(std::string_view pattern, std::string_view name);

struct PatternMapping {
  std::string match;    // "*.csv"
  std::string mapping;  // empty: canonical NDJSON or one JSON array
};

class FileRules {
 public:
  FileRules(std::vector<std::string> ignore, std::vector<PatternMapping> patterns, std::string default_mapping);

  // Never taken: hidden dot files, and names matching an `ignore` pattern (what a
  // sender writes to before it renames the file: upload.csv.part, .filepart, .tmp).
  bool ignored(std::string_view name) const;
  // The mapping that reads `name`: the first pattern that matches it, else the
  // default. Empty: canonical leads.
  const std::string& mapping_for(std::string_view name) const;

 private:
  std::vector<std::string> ignore_;
  std::vector<PatternMapping> patterns_;
  std::string default_mapping_;
};

// What a scan sees of a file; a file being written changes one or the other.
struct FileState {
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  bool operator==(const FileState&) const = default;
};

// A file is complete once its size and modification time have stayed the same for
// `stable_ms`, as seen by scans at least that far apart: a sender that writes under
// the final name (no .part) is not read half-way. Times are the caller's (a
// monotonic clock in milliseconds).
class StabilityCheck {
 public:
  explicit StabilityCheck(std::int64_t stable_ms) : stable_ms_(stable_ms) {}

  // Records what a scan saw of `name` at `now_ms`; true when it is complete.
  bool observe(const std::string& name, FileState state, std::int64_t now_ms);
  // Forgets `name` (taken, or gone).
  void forget(const std::string& name) { seen_.erase(name); }
  // Forgets every name `present` says is no longer there.
  void forget_missing(const std::function<bool(const std::string&)>& present);
  std::size_t watched() const { return seen_.size(); }

 private:
  struct Seen {
    FileState state;
    std::int64_t since_ms = 0;  // when it was first seen in this state
  };
  std::int64_t stable_ms_;
  std::unordered_map<std::string, Seen> seen_;
};

// `name` with a time stamp before its extension: responses.csv ->
// responses.20261122T100000Z.csv, and -2, -3, ... after the stamp for `attempt` 2,
// 3, ...; a name without an extension (or only a leading dot) gets it at the end.
std::string stamped_name(const std::string& name, const std::string& stamp, int attempt);

// `name` cut to at most `max_bytes` bytes by shortening the part before its
// extension (at a UTF-8 character's start), so a long name still fits a folder's
// 255-byte limit with a time stamp and ".report.json" added.
std::string shortened_name(const std::string& name, std::size_t max_bytes);

// A file name as text: bytes that are not UTF-8 become '?', control characters too
// (for the log, the report and /readyz; the file keeps its name).
std::string printable_name(std::string_view name);

}  // namespace leadhub::connectors::files
