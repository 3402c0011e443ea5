// Every connector this build knows. A new connector is its folder plus one line here.
#include "amqp/amqp_connector.hpp"
#include "files/files_connector.hpp"
#include "framework/connector.hpp"
#include "http/http_connector.hpp"

namespace leadhub::connectors {

const Registry& registry() {
  static const Registry kRegistry = [] {
    Registry r;
    r.add(http::connector_type());
    r.add(amqp::connector_type());
    r.add(files::connector_type());
    return r;
  }();
  return kRegistry;
}

void Registry::add(ConnectorType type) { types_.push_back(std::move(type)); }

const ConnectorType* Registry::find(const std::string& name) const {
  for (const auto& t : types_) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

}  // namespace leadhub::connectors
