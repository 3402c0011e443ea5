// AMQP-typed bodies as JSON and back. Clients that send an object or a dict (rhea,
// the Python and .NET clients, JMS MapMessage) put an amqp-value map or list in the
// message, not JSON text; the hub reads it as the JSON document it stands for and
// answers in the same form. Maps need string or symbol keys; integers, floats,
// booleans, null, strings, symbols, UUIDs and timestamps (as ISO 8601 text) have a
// JSON form, binary and decimals have none and are refused naming the member.
#pragma once

#include <proton/value.hpp>

#include <string>
#include <string_view>

#include "util/result.hpp"

namespace leadhub::connectors::amqp {

// The JSON text of a map or list body; errors name the member ("body.prospect.age").
Result<std::string> amqp_value_to_json(const proton::value& body);

// A JSON document (a reply) as the amqp-value it stands for: objects become maps
// with string keys in the document's order, arrays lists.
Result<proton::value> json_to_amqp_value(std::string_view json);

}  // namespace leadhub::connectors::amqp
