// The `amqp` connector: the lead operations over AMQP 1.0 with Qpid Proton C++,
// either as the node clients connect to (mode: listen) or through a broker's
// queues (mode: broker). Settings and message formats: docs/amqp.md.
#pragma once

#include "../framework/connector.hpp"

namespace leadhub::connectors::amqp {

ConnectorType connector_type();

}  // namespace leadhub::connectors::amqp
