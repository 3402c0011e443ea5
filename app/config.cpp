#include "config.hpp"

#include <yaml-cpp/yaml.h>

#include <filesystem>

#include "connectors/framework/log.hpp"
#include "processing/config.hpp"
#include "processing/yaml_support.hpp"

namespace leadhub::cli {

StoreOptions HubConfig::store_options() const {
  StoreOptions o;
  o.path = data_folder;
  o.map_size = map_size_mb << 20;
  o.max_batch = max_batch;
  o.partition = partition;
  // Without an events section nobody drains the outbox: writing it would only grow
  // the store (a lead.created event carries the whole lead).
  o.events = events && events.IsMap();
  o.processing = processing;
  // On stderr like serve's other log lines: a command's JSON on stdout stays clean.
  o.notice = [](std::string_view line) { connectors::log::info("store", line); };
  return o;
}

namespace {

std::string where(const std::string& path, const YAML::Node& node) {
  const auto mark = node.Mark();
  return path + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1);
}

template <typename T>
Status read_scalar(const std::string& path, const YAML::Node& parent, const char* key, T& out, T min, T max) {
  const YAML::Node node = parent[key];
  if (!node) return ok_status();
  T value{};
  if (!node.IsScalar() || !YAML::convert<T>::decode(node, value) || value < min || value > max) {
    return Error::make(ErrorCode::invalid, where(path, node) + ": " + key + ": expected a number between " +
                                               std::to_string(min) + " and " + std::to_string(max));
  }
  out = value;
  return ok_status();
}

}  // namespace

namespace {

// `processing:` is either the section itself or the path of a file holding it
// (config/processing.yaml documents every key).
Status read_processing(const std::string& path, const YAML::Node& root, HubConfig& config) {
  const YAML::Node node = root["processing"];
  if (!node || node.IsNull()) return ok_status();
  Result<processing::ProcessingConfig> loaded = Error::make(ErrorCode::internal, "not loaded");
  if (node.IsScalar()) {
    loaded = processing::load_processing_config(node.as<std::string>());
  } else if (node.IsMap()) {
    loaded = processing::load_processing_config(path);  // reads the `processing:` key of this file
  } else {
    return Error::make(ErrorCode::invalid, where(path, node) + ": processing: expected a mapping or a file path");
  }
  if (!loaded) return loaded.error();
  config.processing = std::make_shared<const processing::ProcessingConfig>(std::move(loaded).value());
  return ok_status();
}

}  // namespace

Result<HubConfig> load_config(const std::string& path) {
  HubConfig config;
  YAML::Node root;
  // A folder opens as a stream on Linux and fails on its first read with an
  // exception yaml-cpp does not turn into its own (the process aborted).
  if (std::error_code ec; std::filesystem::is_directory(path, ec)) {
    return Error::make(ErrorCode::invalid, path + ": is a directory, not a config file");
  }
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::BadFile&) {
    return Error::make(ErrorCode::invalid, path + ": cannot read the config file");
  } catch (const YAML::Exception& e) {
    return Error::make(ErrorCode::invalid, path + ":" + std::to_string(e.mark.line + 1) + ":" +
                                               std::to_string(e.mark.column + 1) + ": " + e.msg);
  } catch (const std::exception& e) {  // an I/O error while reading
    return Error::make(ErrorCode::invalid, path + ": cannot read the config file: " + e.what());
  }
  config.file = path;
  if (root.IsNull()) return config;
  if (!root.IsMap()) return Error::make(ErrorCode::invalid, where(path, root) + ": expected a mapping at the top");
  if (auto st = processing::yaml::unique_keys({path}, root); !st) return st.error();
  if (auto st = processing::yaml::only_keys({path}, root,
                                            {"data", "store", "connectors", "mappings", "events", "processing"});
      !st)
    return st.error();
  if (const auto data = root["data"]) {
    if (!data.IsScalar() || data.as<std::string>().empty()) {
      return Error::make(ErrorCode::invalid, where(path, data) + ": data: expected a folder path");
    }
    config.data_folder = data.as<std::string>();
  }
  if (const auto mappings = root["mappings"]) {
    if (!mappings.IsScalar())
      return Error::make(ErrorCode::invalid, where(path, mappings) + ": mappings: expected a folder path");
    config.mappings_folder = mappings.as<std::string>();
  }
  if (const auto connectors = root["connectors"]) {
    if (!connectors.IsSequence() && !connectors.IsNull()) {
      return Error::make(ErrorCode::invalid, where(path, connectors) + ": connectors: expected a list of connectors");
    }
    config.connectors = connectors;
  }
  if (const auto events = root["events"]) {
    // Checked in full when `serve` builds the dispatcher (the mappings are needed).
    if (!events.IsMap() && !events.IsNull()) {
      return Error::make(ErrorCode::invalid, where(path, events) + ": events: expected targets, routes and retry");
    }
    if (events.IsMap()) config.events = events;
  }
  if (auto st = read_processing(path, root, config); !st) return st.error();
  if (const auto store = root["store"]) {
    if (!store.IsMap()) return Error::make(ErrorCode::invalid, where(path, store) + ": store: expected a mapping");
    if (auto st = processing::yaml::only_keys({path}, store, {"map_size_mb", "max_batch", "partition"}); !st)
      return st.error();
    if (auto st = read_scalar<std::size_t>(path, store, "map_size_mb", config.map_size_mb, 1, 1 << 24); !st)
      return st.error();
    if (auto st = read_scalar<std::size_t>(path, store, "max_batch", config.max_batch, 1, 100000); !st)
      return st.error();
    if (auto st = read_scalar<std::uint32_t>(path, store, "partition", config.partition, 0, RecordId::kMaxPartition);
        !st) {
      return st.error();
    }
  }
  return config;
}

}  // namespace leadhub::cli
