#include "version.hpp"

#include "store/store_format.hpp"

namespace leadhub::cli {

std::string version_line() {
  return std::string("leadhub ") + kVersion + " (commit " + kCommit + "), store format " +
         std::to_string(store::kStoreFormat);
}

}  // namespace leadhub::cli
