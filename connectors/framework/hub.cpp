#include "hub.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "log.hpp"

namespace leadhub::connectors {

Result<std::shared_ptr<const mapping::Mapper>> MappingCatalog::get(const std::string& name) {
  std::lock_guard lock(mutex_);
  if (auto it = loaded_.find(name); it != loaded_.end()) return it->second;
  auto spec = mapping::find_mapping(name, {folder_});
  if (!spec) return spec.error();
  auto mapper = std::make_shared<const mapping::Mapper>(std::move(spec).value());
  loaded_.emplace(name, mapper);
  return mapper;
}

std::vector<Error> MappingCatalog::load_folder() {
  std::vector<std::string> names;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(folder_, ec), end; !ec && it != end; it.increment(ec)) {
    const auto& path = it->path();
    if (path.extension() == ".yaml" && it->is_regular_file(ec)) names.push_back(path.stem().string());
  }
  // No folder: nothing names a mapping yet (the default folder of a hub run elsewhere).
  if (ec == std::errc::no_such_file_or_directory) return {};
  if (ec)
    return {Error::make(ErrorCode::unavailable, "cannot read the mappings folder " + folder_ + ": " + ec.message())};
  std::sort(names.begin(), names.end());
  std::vector<Error> errors;
  for (const auto& name : names) {
    if (auto mapper = get(name); !mapper) errors.push_back(std::move(mapper).error());
  }
  return errors;
}

namespace {

// A port taken by another program is the most common start failure (a system
// RabbitMQ on 5672, another web server on 8080): say what to do about it.
std::string start_failure(const std::string& name, const std::string& message) {
  std::string text = "connector " + name + ": " + message;
  if (message.find("already in use") != std::string::npos) {
    text += " (another program listens there: stop it, or give connector '" + name +
            "' another `listen:` in the config; `leadhub connectors` shows the settings)";
  }
  return text;
}

}  // namespace

void Hub::add(std::string name, std::unique_ptr<Connector> connector) {
  instances_.emplace_back(std::move(name), std::move(connector));
}

Status Hub::start_all() {
  for (; started_ < instances_.size(); ++started_) {
    auto& [name, connector] = instances_[started_];
    if (auto st = connector->start(); !st) {
      auto error = Error::make(st.error().code, start_failure(name, st.error().message));
      stop_all();
      return error;
    }
    log::info(name, connector->health().detail);
  }
  return ok_status();
}

void Hub::stop_all() {
  while (started_ > 0) {
    auto& [name, connector] = instances_[--started_];
    connector->stop();
    log::info(name, "stopped");
  }
}

std::vector<std::pair<std::string, Health>> Hub::health() const {
  std::vector<std::pair<std::string, Health>> out;
  out.reserve(instances_.size());
  for (const auto& [name, connector] : instances_) out.emplace_back(name, connector->health());
  return out;
}

void Hub::report_connector_metrics(Metrics& out) const {
  for (const auto& [name, connector] : instances_) connector->report_metrics(out);
}

bool Hub::ready() const {
  if (started_ != instances_.size()) return false;
  for (const auto& [name, connector] : instances_) {
    if (!connector->health().ready) return false;
  }
  return true;
}

}  // namespace leadhub::connectors
