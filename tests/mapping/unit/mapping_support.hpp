// Shared helpers of the mapping unit tests: mapping files written into a temporary
// folder, documents mapped in memory, transforms built from inline YAML.
#pragma once

#include <yaml-cpp/yaml.h>
#include <boost/test/unit_test.hpp>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "json/record_json.hpp"
#include "mapping/engine.hpp"
#include "mapping/spec.hpp"
#include "mapping/transforms.hpp"
#include "temp_dir.hpp"

namespace leadhub {
inline std::ostream& boost_test_print_type(std::ostream& os, ErrorCode v) { return os << to_string(v); }
}  // namespace leadhub

namespace leadhub::mapping {
inline std::ostream& boost_test_print_type(std::ostream& os, Operation v) { return os << to_string(v); }
inline std::ostream& boost_test_print_type(std::ostream& os, SourceFormat v) { return os << static_cast<int>(v); }
inline std::ostream& boost_test_print_type(std::ostream& os, MappingErrorCode v) { return os << to_string(v); }
}  // namespace leadhub::mapping

namespace leadhub::mapping::test {

// A mapping file written into its own temporary folder.
class MappingFile {
 public:
  explicit MappingFile(const std::string& yaml, const std::string& name = "partner.yaml")
      : dir_("leadhub-mapping"), path_(dir_.sub(name)) {
    std::ofstream out(path_, std::ios::binary);
    out << yaml;
  }
  const std::string& path() const { return path_; }
  Result<std::shared_ptr<const MappingSpec>> load() const { return load_mapping(path_); }

 private:
  leadhub::test::TempDir dir_;
  std::string path_;
};

// Loads a mapping that must be valid; the test stops with the loader's message otherwise.
inline std::shared_ptr<const MappingSpec> load_ok(const std::string& yaml) {
  MappingFile file(yaml);
  auto spec = file.load();
  BOOST_TEST_REQUIRE(spec.ok(), "mapping did not load: " << (spec.ok() ? "" : spec.error().message));
  return *spec;
}

// The loader's error message for a mapping that must be refused, with the file path
// replaced by "FILE" so tests can compare positions ("FILE:3:5: ...").
inline std::string load_error(const std::string& yaml) {
  MappingFile file(yaml);
  auto spec = file.load();
  BOOST_TEST_REQUIRE(!spec.ok(), "mapping loaded but should have been refused:\n" << yaml);
  std::string message = spec.error().message;
  for (auto pos = message.find(file.path()); pos != std::string::npos; pos = message.find(file.path())) {
    message.replace(pos, file.path().size(), "FILE");
  }
  return message;
}

struct Mapped {
  Status status = ok_status();
  std::vector<MappedRecord> records;
  std::string status_message() const { return status.ok() ? std::string() : status.error().message; }
};

inline Mapped map_text(const std::shared_ptr<const MappingSpec>& spec, const std::string& input) {
  Mapper mapper(spec);
  std::istringstream in(input);
  Mapped out;
  out.status = mapper.map_stream(in, [&](MappedRecord&& r) {
    out.records.push_back(std::move(r));
    return true;
  });
  return out;
}

inline std::string describe(const MappedRecord& r) {
  std::string out = r.location + " " + to_string(r.operation) + " " + (r.lead ? to_json(*r.lead) : r.document);
  for (const auto& e : r.errors) out += "\n  error: " + e.to_string();
  return out;
}

inline std::string describe(const Mapped& m) {
  std::string out = m.status.ok() ? "ok" : "status: " + m.status.error().message;
  for (const auto& r : m.records) out += "\n" + describe(r);
  return out;
}

// True when the record has an error whose every given part matches (empty = any);
// reason_part is a substring of the reason.
inline boost::test_tools::predicate_result has_error(const MappedRecord& r, const std::string& field,
                                                     const std::string& source, const std::string& reason_part) {
  for (const auto& e : r.errors) {
    if ((field.empty() || e.field == field) && (source.empty() || e.source == source) &&
        e.reason.find(reason_part) != std::string::npos) {
      return true;
    }
  }
  boost::test_tools::predicate_result res(false);
  res.message() << "no error {field=" << field << ", source=" << source << ", reason~" << reason_part << "} in "
                << describe(r);
  return res;
}

// A transform built from inline YAML ("trim", "{phone: DE}").
inline Transform transform(const std::string& yaml) {
  auto t = make_transform(YAML::Load(yaml), "inline.yaml");
  BOOST_TEST_REQUIRE(t.ok(), "transform " << yaml << " refused: " << (t.ok() ? "" : t.error().message));
  return *t;
}

// Applies one transform; returns the value, or "ERROR: <message>".
inline std::string tf(const std::string& yaml, const std::string& value, const TransformContext& ctx = {}) {
  auto r = apply_chain({transform(yaml)}, value, ctx);
  return r.ok() ? *r : "ERROR: " + r.error().message;
}

inline bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

}  // namespace leadhub::mapping::test
