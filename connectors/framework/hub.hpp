// What connectors share: the store, the mapping files and the running
// instances (for /readyz). One Hub per `leadhub serve`.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "connector.hpp"
#include "mapping/engine.hpp"
#include "store/lead_store.hpp"

namespace leadhub::connectors {

// Mapping files by name, loaded once and shared by every connector (a Mapper is
// immutable, so any thread may use it).
class MappingCatalog {
 public:
  explicit MappingCatalog(std::string folder) : folder_(std::move(folder)) {}
  Result<std::shared_ptr<const mapping::Mapper>> get(const std::string& name);
  const std::string& folder() const { return folder_; }
  // Loads every NAME.yaml of the folder now, so a broken file is reported when the
  // hub starts rather than at the first file or message that names it (which is
  // refused then, and again until the file is fixed). Returns the errors, one per
  // file that does not load, each naming file:line:column; an unreadable folder is
  // one error.
  std::vector<Error> load_folder();

 private:
  std::string folder_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::shared_ptr<const mapping::Mapper>> loaded_;
};

struct HubPaths {
  std::string data_folder = "data";
  std::string mappings_folder = "config/mappings";
};

class Hub {
 public:
  Hub(LeadStore& store, HubPaths paths)
      : store_(store),
        paths_(std::move(paths)),
        mappings_(paths_.mappings_folder),
        created_at_(std::chrono::system_clock::now()) {}

  LeadStore& store() { return store_; }
  MappingCatalog& mappings() { return mappings_; }
  const HubPaths& paths() const { return paths_; }

  void add(std::string name, std::unique_ptr<Connector> connector);
  // Starts every instance in order; when one fails the started ones are stopped.
  Status start_all();
  // Stops in reverse order: intake stops before what it feeds.
  void stop_all();
  // Each instance's health; ready when the store is open and all are ready.
  std::vector<std::pair<std::string, Health>> health() const;
  bool ready() const;
  // Each instance's Connector::report_metrics (framework/hub_metrics.hpp adds the rest).
  void report_connector_metrics(Metrics& out) const;
  // When this hub was made: the process's start as /metrics reports it.
  std::chrono::system_clock::time_point created_at() const { return created_at_; }

 private:
  LeadStore& store_;
  HubPaths paths_;
  MappingCatalog mappings_;
  std::vector<std::pair<std::string, std::unique_ptr<Connector>>> instances_;
  std::size_t started_ = 0;
  std::chrono::system_clock::time_point created_at_;
};

}  // namespace leadhub::connectors
