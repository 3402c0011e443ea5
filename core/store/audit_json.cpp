#include "store/audit_json.hpp"

#include <simdjson.h>

#include "util/time_format.hpp"

namespace leadhub {

void write_json(JsonWriter& w, const AuditEntry& e) {
  w.begin_object();
  w.key_identifier("at").value(format_timestamp(e.at));
  w.key_identifier("user").value(e.user);
  w.key_identifier("connector").value(e.connector);
  w.key_identifier("action").value(e.action);
  w.key_identifier("version").value(e.version);
  if (!e.field.empty()) {
    w.key_identifier("field").value(e.field);
    w.key_identifier("old").raw(e.old_json.empty() ? "null" : e.old_json);
    w.key_identifier("new").raw(e.new_json.empty() ? "null" : e.new_json);
  }
  w.end_object();
}

std::string to_json(const AuditEntry& entry) {
  std::string out;
  JsonWriter w(out);
  write_json(w, entry);
  return out;
}

std::string created_audit_json(TimeMs at, const Actor& actor) {
  std::string out;
  out.reserve(96 + actor.user.size() + actor.connector.size());
  out += "{\"at\":";
  append_json_string(out, format_timestamp(at));
  out += ",\"user\":";
  append_json_string(out, actor.user);
  out += ",\"connector\":";
  append_json_string(out, actor.connector);
  out += ",\"action\":\"created\",\"version\":1}";
  return out;
}

Result<AuditEntry> audit_from_json(std::string_view json) {
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(json.data(), json.size()).get(doc) != simdjson::SUCCESS) {
    return Error::make(ErrorCode::internal, "stored audit entry is not JSON");
  }
  AuditEntry e;
  std::string_view text;
  if (doc["at"].get_string().get(text) == simdjson::SUCCESS) e.at = parse_timestamp(text).value_or(0);
  if (doc["user"].get_string().get(text) == simdjson::SUCCESS) e.user = text;
  if (doc["connector"].get_string().get(text) == simdjson::SUCCESS) e.connector = text;
  if (doc["action"].get_string().get(text) == simdjson::SUCCESS) e.action = text;
  std::uint64_t version = 0;
  if (doc["version"].get_uint64().get(version) == simdjson::SUCCESS) e.version = version;
  if (doc["field"].get_string().get(text) == simdjson::SUCCESS) {
    e.field = text;
    e.old_json = simdjson::minify(doc["old"]);
    e.new_json = simdjson::minify(doc["new"]);
  }
  return e;
}

}  // namespace leadhub
