// The hub's YAML configuration. Every key has a default, so no file is needed to
// start; config/leadhub.yaml documents each key.
#pragma once

#include <string>

#include "store/lead_store.hpp"
#include "util/result.hpp"

namespace leadhub::cli {

struct HubConfig {
  std::string data_folder = "data";
  std::size_t map_size_mb = 1024;
  std::size_t max_batch = 2000;
  std::uint32_t partition = 0;
  std::string mappings_folder = "config/mappings";

  StoreOptions store_options() const;
};

// Reads FILE; errors name the file, line and column and the key.
Result<HubConfig> load_config(const std::string& path);

}  // namespace leadhub::cli
