// The hub's YAML configuration. Every key has a default, so no file is needed to
// start; config/leadhub.yaml documents each key.
#pragma once

#include <yaml-cpp/yaml.h>

#include <memory>
#include <string>

#include "store/lead_store.hpp"
#include "util/result.hpp"

namespace leadhub::processing {
struct ProcessingConfig;
}

namespace leadhub::cli {

struct HubConfig {
  std::string data_folder = "data";
  std::size_t map_size_mb = 1024;
  std::size_t max_batch = 2000;
  std::uint32_t partition = 0;
  std::string mappings_folder = "config/mappings";
  // `connectors:` as written (each item: name, type and the connector's settings);
  // null when the config has none, and `serve` starts the embedded default.
  YAML::Node connectors;
  // `events:` as written (targets, routes, retry: docs/events.md); null when the
  // config has none, and `serve` runs no event dispatcher.
  YAML::Node events;
  // `processing:` (inline or a file): applied by the store to every create and
  // change; null when the config has none.
  std::shared_ptr<const processing::ProcessingConfig> processing;
  std::string file;  // the config file, for messages

  StoreOptions store_options() const;
};

// Reads FILE; errors name the file, line and column and the key.
Result<HubConfig> load_config(const std::string& path);

}  // namespace leadhub::cli
