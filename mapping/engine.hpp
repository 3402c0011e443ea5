// The mapping engine: applies a MappingSpec to source records and yields typed
// commands (create / change / read / find) with canonical leads, or errors that
// name the record, the source field, the canonical field and the reason.
#pragma once

#include <functional>
#include <istream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "model/lead.hpp"
#include "record.hpp"
#include "spec.hpp"
#include "store/lead_store.hpp"

namespace leadhub::mapping {

struct MappingError {
  std::string record;  // "line 12", "/Leads/Lead[3]", "/leads/2"
  std::string source;  // the source field, e.g. "E-Mail" (empty when not tied to one)
  std::string field;   // the canonical field, e.g. "prospect.email"
  std::string reason;
  std::string to_string() const;
};

struct MappedRecord {
  std::string location;
  Operation operation = Operation::create;
  std::string document;                   // canonical lead JSON (create) or JSON Merge Patch (change)
  std::vector<Note> append_notes;         // change: notes are added to the lead's, never replace them
  std::optional<Lead> lead;               // create: decoded, normalized and validated
  RecordId target_id;                     // change/read: the lead, by id ...
  std::optional<ExternalRef> target_ref;  // ... or by external reference
  std::optional<std::uint64_t> expected_version;
  LeadQuery query;  // find
  std::vector<MappingError> errors;
  bool ok() const { return errors.empty(); }
};

class Mapper {
 public:
  explicit Mapper(std::shared_ptr<const MappingSpec> spec);

  const MappingSpec& spec() const { return *spec_; }
  MappedRecord map(const Record& record) const;

  // Reads a whole document from `in` and hands each mapped record to `sink` (return
  // false to stop). Returns an error when the document itself is broken or over a
  // limit; records before that point have been delivered.
  Status map_stream(std::istream& in, const std::function<bool(MappedRecord&&)>& sink) const;

 private:
  std::string source_for(const std::string& canonical_path) const;

  std::shared_ptr<const MappingSpec> spec_;
  std::map<std::string, std::string> source_of_;  // canonical path -> source text, for errors
};

Result<std::unique_ptr<RecordReader>> open_reader(const MappingSpec& spec, std::istream& in);

}  // namespace leadhub::mapping
