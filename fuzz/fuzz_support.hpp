// Shared helpers of the fuzz targets: the fixed mappings in fuzz/mappings/ and a
// check that turns a broken invariant into a crash libFuzzer records.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "json/record_json.hpp"
#include "mapping/engine.hpp"
#include "mapping/spec.hpp"

namespace leadhub::fuzz {

// Loads fuzz/mappings/NAME.yaml once; a mapping that does not load is a setup
// error, not a finding, so it exits (not aborts) with the loader's message.
inline std::shared_ptr<const mapping::MappingSpec> fixed_mapping(const std::string& name) {
  auto spec = mapping::load_mapping(std::string(LEADHUB_FUZZ_MAPPINGS) + "/" + name + ".yaml");
  if (!spec) {
    std::fprintf(stderr, "fuzz setup: %s\n", spec.error().message.c_str());
    std::exit(2);
  }
  return *spec;
}

[[noreturn]] inline void invariant_broken(const char* what, const std::string& detail) {
  std::fprintf(stderr, "INVARIANT BROKEN: %s\n%s\n", what, detail.c_str());
  std::fflush(stderr);
  std::abort();
}

#define LEADHUB_FUZZ_CHECK(cond, detail)                             \
  do {                                                               \
    if (!(cond)) ::leadhub::fuzz::invariant_broken(#cond, (detail)); \
  } while (0)

// Maps a whole document; every record is handed to `each`.
template <typename Fn>
Status map_document(const mapping::Mapper& mapper, std::string_view data, Fn&& each) {
  std::istringstream in{std::string(data)};
  return mapper.map_stream(in, [&](mapping::MappedRecord&& r) {
    each(r);
    return true;
  });
}

// Every mapped record must say where it is, and every error must carry a reason.
inline void check_record(const mapping::MappedRecord& r) {
  LEADHUB_FUZZ_CHECK(!r.location.empty(), "record without location");
  for (const auto& e : r.errors) LEADHUB_FUZZ_CHECK(!e.reason.empty(), e.to_string());
  if (r.ok() && r.operation == mapping::Operation::create) LEADHUB_FUZZ_CHECK(r.lead.has_value(), r.location);
  if (r.lead) {
    // The engine sets the lead's fields directly; its JSON must decode to the same lead.
    const std::string json = to_json(*r.lead);
    auto back = lead_from_json(json, DecodeMode::input);
    LEADHUB_FUZZ_CHECK(back && *back == *r.lead, "mapped lead does not survive its JSON: " + json);
  }
}

}  // namespace leadhub::fuzz
