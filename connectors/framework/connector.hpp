// The connector interface: every way into or out of the hub (HTTP, AMQP, batch
// files) is a Connector, built by a ConnectorType from the settings of one
// instance in the config. A new connector is one folder plus one line in
// connectors/registry.cpp.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "settings.hpp"
#include "util/result.hpp"

namespace leadhub::connectors {

class Hub;
class Metrics;

struct Health {
  bool ready = false;
  std::string detail;  // "listening on 127.0.0.1:8080", "connecting to broker (attempt 3)"
};

class Connector {
 public:
  virtual ~Connector() = default;
  // Binds, connects or starts threads; an error names what failed (address in use, ...).
  virtual Status start() = 0;
  // Stops taking new work, finishes what is in flight, and returns when done.
  virtual void stop() = 0;
  virtual Health health() const = 0;
  // Adds what this instance counts to GET /metrics (framework/metrics.hpp), from
  // any thread while it runs: read atomics or take a short lock. Nothing by default.
  virtual void report_metrics(Metrics& out) const { (void)out; }
};

struct ConnectorType {
  std::string name;     // the `type:` in the config, e.g. "http"
  std::string summary;  // one line for `leadhub connectors`
  std::vector<SettingSpec> settings;
  // Builds an instance from its checked settings; errors name file:line:col.
  std::function<Result<std::unique_ptr<Connector>>(const Settings&, Hub&)> create;
};

class Registry {
 public:
  void add(ConnectorType type);
  const ConnectorType* find(const std::string& name) const;
  const std::vector<ConnectorType>& all() const { return types_; }

 private:
  std::vector<ConnectorType> types_;
};

// Every connector this build knows (connectors/registry.cpp).
const Registry& registry();

}  // namespace leadhub::connectors
