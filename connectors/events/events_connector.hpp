// The event dispatcher as one of the hub's instances, so that `leadhub serve`
// starts and stops it with the connectors and /readyz shows its state. serve
// adds it when the config has an `events:` section (docs/events.md).
#pragma once

#include <yaml-cpp/yaml.h>

#include <memory>
#include <string>

#include "../framework/connector.hpp"
#include "../framework/hub.hpp"

namespace leadhub::connectors::events {

// Reads the section (errors name FILE:LINE:COL) and builds the dispatcher with a
// sink per target. `file` is the config file, for messages.
Result<std::unique_ptr<Connector>> make_event_dispatcher(const std::string& file, const YAML::Node& events, Hub& hub);

}  // namespace leadhub::connectors::events
