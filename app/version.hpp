// What build this is: printed by `leadhub --version` and in serve's ready line, so
// an operator can tell which build runs (and, with `stats`, what a store is in).
#pragma once

#include <string>

namespace leadhub::cli {

extern const char* const kVersion;  // the project's version (CMakeLists.txt)
extern const char* const kCommit;   // git describe of the source, "unknown" outside git

// "leadhub 0.1.0 (commit 1a2b3c4d5e6f), store format 1"
std::string version_line();

}  // namespace leadhub::cli
