// The file system steps of the files connector: list a folder's files, move one
// by rename without ever replacing another, hash a file, write a report and file
// it with its file under a free name, make a folder's entries durable.
#pragma once

#include <string>
#include <vector>

#include "drop_rules.hpp"
#include "util/result.hpp"

namespace leadhub::connectors::files {

struct FolderEntry {
  std::string name;
  FileState state;
};

// The regular files in `folder` (not folders, links or devices), unsorted.
Result<std::vector<FolderEntry>> list_files(const std::string& folder);

// Renames `from` to `to` unless `to` exists: false then, and nothing moved.
Result<bool> move_unless_taken(const std::string& from, const std::string& to);

// fsync of a folder: its renames survive a power cut.
Status sync_folder(const std::string& folder);

// Hex SHA-256 of a file's bytes.
Result<std::string> file_sha256(const std::string& path);

// "20261122T100000Z": now in UTC, for stamped_name.
std::string utc_stamp();

// The report's name next to its file: NAME.report.json.
inline std::string report_name(const std::string& name) { return name + ".report.json"; }

// Files `from` into `folder` as `name`, or stamped_name(name, utc_stamp(), n) when
// `name` or its report is there already; writes `report` as its report first (so a
// file there always has its report) and never replaces a file or a report. Returns
// the name it got.
Result<std::string> file_with_report(const std::string& from, const std::string& folder, const std::string& name,
                                     const std::string& report);

}  // namespace leadhub::connectors::files
