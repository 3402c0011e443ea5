#include "value_json.hpp"

#include <proton/codec/vector.hpp>
#include <proton/error.hpp>
#include <proton/scalar.hpp>
#include <proton/symbol.hpp>
#include <proton/timestamp.hpp>
#include <proton/uuid.hpp>

#include <charconv>
#include <cmath>
#include <utility>
#include <vector>

#include "json/decode.hpp"
#include "json/json_writer.hpp"
#include "util/time_format.hpp"

namespace leadhub::connectors::amqp {
namespace {

using Members = std::vector<std::pair<proton::value, proton::value>>;
constexpr int kMaxDepth = 32;

// Doubles that are whole numbers are written as integers: a JavaScript client's
// 14 arrives as a double, and the lead's score must read as a whole number.
void write_double(JsonWriter& w, double d) {
  if (std::trunc(d) == d && std::fabs(d) < 9.007199254740992e15) {
    w.value(static_cast<std::int64_t>(d));
    return;
  }
  char buf[32];
  const auto res = std::to_chars(buf, buf + sizeof buf, d);
  w.raw(std::string_view(buf, static_cast<std::size_t>(res.ptr - buf)));
}

Status write_value(JsonWriter& w, const proton::value& v, const std::string& path, int depth);

Status write_map(JsonWriter& w, const proton::value& v, const std::string& path, int depth) {
  Members members;
  proton::get(v, members);
  w.begin_object();
  for (const auto& [key, member] : members) {
    if (key.type() != proton::STRING && key.type() != proton::SYMBOL) {
      std::string reason = "a map key of type ";
      reason += proton::type_name(key.type());
      reason += "; keys must be strings";
      return Error::invalid({{path, std::move(reason)}});
    }
    const std::string name =
        key.type() == proton::STRING ? proton::get<std::string>(key) : std::string(proton::get<proton::symbol>(key));
    w.key(name);
    std::string member_path = path;
    member_path += '.';
    member_path += name;
    if (auto st = write_value(w, member, member_path, depth + 1); !st) return st;
  }
  w.end_object();
  return ok_status();
}

Status write_list(JsonWriter& w, const proton::value& v, const std::string& path, int depth) {
  std::vector<proton::value> items;
  proton::get(v, items);
  w.begin_array();
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (auto st = write_value(w, items[i], path + "[" + std::to_string(i) + "]", depth + 1); !st) return st;
  }
  w.end_array();
  return ok_status();
}

Status write_value(JsonWriter& w, const proton::value& v, const std::string& path, int depth) {
  if (depth > kMaxDepth) return Error::invalid({{path, "nested deeper than " + std::to_string(kMaxDepth)}});
  const proton::type_id t = v.type();
  switch (t) {
    case proton::NULL_TYPE:
      w.null();
      return ok_status();
    case proton::BOOLEAN:
      w.value(proton::get<bool>(v));
      return ok_status();
    case proton::STRING:
      w.value(proton::get<std::string>(v));
      return ok_status();
    case proton::SYMBOL:
      w.value(std::string(proton::get<proton::symbol>(v)));
      return ok_status();
    case proton::UUID:
      w.value(proton::get<proton::uuid>(v).str());
      return ok_status();
    case proton::TIMESTAMP:
      w.value(format_timestamp(TimeMs{proton::get<proton::timestamp>(v).milliseconds()}));
      return ok_status();
    case proton::FLOAT:
    case proton::DOUBLE:
      write_double(w, proton::coerce<double>(v));
      return ok_status();
    case proton::MAP:
      return write_map(w, v, path, depth);
    case proton::LIST:
    case proton::ARRAY:
      return write_list(w, v, path, depth);
    default:
      break;
  }
  if (proton::type_id_is_signed_int(t)) {
    w.value(proton::coerce<std::int64_t>(v));
    return ok_status();
  }
  if (proton::type_id_is_unsigned_int(t)) {
    w.value(proton::coerce<std::uint64_t>(v));
    return ok_status();
  }
  return Error::invalid({{path, "AMQP type " + proton::type_name(t) + " has no JSON form"}});
}

proton::value to_value(json::Element el) {
  switch (el.type()) {
    case simdjson::dom::element_type::OBJECT: {
      std::vector<std::pair<std::string, proton::value>> members;
      const simdjson::dom::object object = el.get_object().value_unsafe();
      for (auto field : object) members.emplace_back(std::string(field.key), to_value(field.value));
      return members;
    }
    case simdjson::dom::element_type::ARRAY: {
      std::vector<proton::value> items;
      const simdjson::dom::array array = el.get_array().value_unsafe();
      for (auto item : array) items.push_back(to_value(item));
      return items;
    }
    case simdjson::dom::element_type::STRING:
      return std::string(el.get_string().value_unsafe());
    case simdjson::dom::element_type::INT64:
      return el.get_int64().value_unsafe();
    case simdjson::dom::element_type::UINT64:
      return el.get_uint64().value_unsafe();
    case simdjson::dom::element_type::DOUBLE:
      return el.get_double().value_unsafe();
    case simdjson::dom::element_type::BOOL:
      return el.get_bool().value_unsafe();
    case simdjson::dom::element_type::NULL_VALUE:
      break;
  }
  return proton::value(proton::null());
}

}  // namespace

Result<std::string> amqp_value_to_json(const proton::value& body) {
  std::string out;
  JsonWriter w(out);
  try {
    if (auto st = write_value(w, body, "body", 0); !st) return st.error();
  } catch (const proton::error& e) {  // a value the codec cannot take apart
    return Error::invalid({{"body", std::string("unreadable AMQP value: ") + e.what()}});
  }
  return out;
}

Result<proton::value> json_to_amqp_value(std::string_view json) {
  thread_local simdjson::dom::parser parser;
  auto doc = json::parse_document(json, parser);
  if (!doc) return doc.error();
  try {
    return to_value(*doc);
  } catch (const proton::error& e) {
    return Error::make(ErrorCode::internal, std::string("reply not encodable as AMQP: ") + e.what());
  }
}

}  // namespace leadhub::connectors::amqp
