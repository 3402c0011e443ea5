// The command fields of a mapped record: which lead a change or read is for
// (target.*) and what a find asks for (query.*).
#include <charconv>

#include "engine.hpp"
#include "json/decode.hpp"
#include "util/time_format.hpp"

namespace leadhub::mapping {
namespace {

template <typename Number>
bool parse_number(const std::string& text, Number& out) {
  const auto r = std::from_chars(text.data(), text.data() + text.size(), out);
  return r.ec == std::errc{} && r.ptr == text.data() + text.size();
}

}  // namespace

void Commands::set(std::string_view name, std::string value) {
  for (auto& [k, v] : values_) {
    if (k == name) {
      v = std::move(value);
      return;
    }
  }
  values_.emplace_back(name, std::move(value));
}

const std::string* Commands::get(std::string_view name) const {
  for (const auto& [k, v] : values_) {
    if (k == name) return &v;
  }
  return nullptr;
}

std::string Commands::value_or_empty(std::string_view name) const {
  const std::string* v = get(name);
  return v ? *v : std::string();
}

void Mapper::fail_command(MappedRecord& out, const char* field, std::string reason, MappingErrorCode code) const {
  out.errors.push_back({out.location, source_for(field), field, std::move(reason), code});
}

void Mapper::read_commands(const Commands& command, MappedRecord& out) const {
  if (const auto* text = command.get("target.id")) {
    if (auto id = RecordId::parse(*text))
      out.target_id = *id;
    else
      fail_command(out, "target.id", "not a leadhub id", MappingErrorCode::bad_format);
  }
  const auto* ref_system = command.get("target.ref_system");
  const auto* ref_id = command.get("target.ref_id");
  if (ref_system && ref_id) out.target_ref = ExternalRef{*ref_system, *ref_id};
  if (const auto* text = command.get("target.version")) {
    std::uint64_t version = 0;
    if (parse_number(*text, version))
      out.expected_version = version;
    else
      fail_command(out, "target.version", "not a version number", MappingErrorCode::bad_format);
  }
  read_query(command, out);
}

void Mapper::read_query(const Commands& command, MappedRecord& out) const {
  auto& q = out.query;
  const auto read_enum = [&](const char* field, auto& target) {
    const auto* text = command.get(field);
    if (text == nullptr) return;
    if (auto reason = json::enum_or_reason(*text, target)) {
      fail_command(out, field, std::move(*reason), MappingErrorCode::unknown_code);
    }
  };
  read_enum("query.status", q.status);
  read_enum("query.source", q.source);
  q.owner_channel = command.value_or_empty("query.owner");
  q.campaign = command.value_or_empty("query.campaign");
  q.email = command.value_or_empty("query.email");
  q.phone = command.value_or_empty("query.phone");
  if (const auto* text = command.get("query.changed_since")) {
    if (auto t = parse_timestamp(*text))
      q.changed_since = *t;
    else
      fail_command(out, "query.changed_since", "not a timestamp", MappingErrorCode::bad_format);
  }
  if (const auto* text = command.get("query.limit")) {
    std::size_t limit = 0;
    if (!parse_number(*text, limit) || limit == 0)
      fail_command(out, "query.limit", "not a number of hits >= 1", MappingErrorCode::bad_format);
    else
      q.limit = std::min<std::size_t>(limit, kMaxFindLimit);  // a larger maximum is served in pages
  }
  if (const auto* text = command.get("query.after")) {
    if (auto id = RecordId::parse(*text))
      q.after = *id;
    else
      fail_command(out, "query.after", "not a leadhub id", MappingErrorCode::bad_format);
  }
}

}  // namespace leadhub::mapping
