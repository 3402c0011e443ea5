// The `http` connector: web-form intake, the REST API, bulk uploads and the
// health endpoints on one Beast server. Settings: docs/http-api.md and
// `leadhub connectors`.
#pragma once

#include "../framework/connector.hpp"

namespace leadhub::connectors::http {

ConnectorType connector_type();

}  // namespace leadhub::connectors::http
