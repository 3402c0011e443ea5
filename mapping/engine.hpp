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

#include "canonical_paths.hpp"
#include "mapping_error.hpp"
#include "model/lead.hpp"
#include "record.hpp"
#include "spec.hpp"
#include "store/lead_store.hpp"

namespace leadhub::mapping {

struct MappedRecord {
  std::string location;
  Operation operation = Operation::create;
  std::string document;                   // a change's JSON Merge Patch; a create's fields are in `lead`
  std::vector<Note> append_notes;         // change: notes are added to the lead's, never replace them
  std::optional<Lead> lead;               // create: decoded, normalized and validated
  RecordId target_id;                     // change/read: the lead, by id ...
  std::optional<ExternalRef> target_ref;  // ... or by external reference
  std::optional<std::uint64_t> expected_version;
  LeadQuery query;  // find
  std::vector<MappingError> errors;
  // About the whole document, on its first record only: a mapped source the
  // document lacks altogether (a CSV column renamed by the partner), so the field
  // stays empty in every record without any record failing.
  std::vector<std::string> notices;
  bool ok() const { return errors.empty(); }
};

class CanonicalDocument;
struct CanonicalValue;
using GroupItem = std::vector<CanonicalValue>;

// The command fields of one record (target.*, query.*) by target name.
class Commands {
 public:
  void set(std::string_view name, std::string value);  // a name set again takes the new value
  const std::string* get(std::string_view name) const;
  std::string value_or_empty(std::string_view name) const;

 private:
  std::vector<std::pair<std::string_view, std::string>> values_;  // names owned by the spec
};

class Mapper {
 public:
  explicit Mapper(std::shared_ptr<const MappingSpec> spec);

  using Sink = std::function<bool(MappedRecord&&)>;

  const MappingSpec& spec() const { return *spec_; }
  MappedRecord map(const Record& record) const;
  // map(), or the reader's reason when the record could not be read (ErrorRecord).
  MappedRecord map_record(const Record& record) const;

  // Reads a whole document from `in` and hands each mapped record to `sink` (return
  // false to stop). Returns an error when the document itself is broken or over a
  // limit; records before that point have been delivered.
  Status map_stream(std::istream& in, const Sink& sink) const;

  // map_stream with the mapping spread over `threads` worker threads: the calling
  // thread reads the document and runs `sink`, in document order, with the same
  // records, errors and stopping rule as map_stream. Mapper is immutable, so one
  // Mapper may serve both. threads <= 1 is map_stream.
  Status map_stream_parallel(std::istream& in, const Sink& sink, unsigned threads) const;

  // The notices of a document whose first record is `first` (MappedRecord::notices).
  std::vector<std::string> document_notices(const Record& first) const;

 private:
  // Prepared once per mapping, so mapping a record looks nothing up by name.
  struct CompiledRule {
    const FieldRule* rule;
    bool command;  // target.* / query.*: not part of the document
    ValueType type;
    const json::LeadField* field;  // how a create's lead takes the value
  };
  struct CompiledGroup {
    const GroupRule* group;
    std::vector<std::string> paths;  // "interests.product", for errors
    std::vector<ValueType> types;
    std::vector<const json::LeadItemField*> fields;
  };

  std::string source_for(const std::string& canonical_path) const;
  void read_operation(const Record& record, MappedRecord& out) const;
  void map_create(const Record& record, Commands& command, MappedRecord& out) const;
  std::vector<GroupItem> map_group(const CompiledGroup& group, const Record& record, std::vector<MappingError>& errors,
                                   const TransformContext& ctx) const;
  // `code`: for all of them (a lifecycle refusal), else one per reason.
  void add_field_errors(const Error& e, MappedRecord& out, std::optional<MappingErrorCode> code = {}) const;
  // Only the field errors on fields `doc` sets (a change is checked without its lead).
  void add_patch_errors(const std::vector<FieldError>& errors, const CanonicalDocument& doc, MappedRecord& out) const;
  void fail_command(MappedRecord& out, const char* field, std::string reason, MappingErrorCode code) const;
  void read_commands(const Commands& command, MappedRecord& out) const;
  void read_query(const Commands& command, MappedRecord& out) const;
  void finish_create(json::DecodeContext& decoding, MappedRecord& out) const;
  void check_patch(CanonicalDocument& doc, MappedRecord& out) const;

  std::shared_ptr<const MappingSpec> spec_;
  std::map<std::string, std::string> source_of_;  // canonical path -> source text, for errors
  std::vector<CompiledRule> fields_;              // in evaluation order: rules reading canonical fields last
  std::vector<CompiledGroup> groups_;
};

Result<std::unique_ptr<RecordReader>> open_reader(const MappingSpec& spec, std::istream& in);

}  // namespace leadhub::mapping
