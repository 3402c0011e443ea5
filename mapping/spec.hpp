// A mapping file, loaded and checked: how one party's format becomes canonical
// commands. See docs/mappings.md for the file format.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "condition.hpp"
#include "outbound.hpp"
#include "record.hpp"
#include "transforms.hpp"

namespace leadhub::mapping {

enum class Operation { create, change, read, find };
const char* to_string(Operation op);

struct FieldRule {
  std::string target;            // canonical path: prospect.email, attributes.answer, target.id, query.status
  std::vector<SourcePath> from;  // several sources are joined with `join`
  std::string join = " ";
  // What an empty source does to the join: left out (skip), an empty place between
  // the separators (keep), or the whole rule gives no value (no_value), e.g. a
  // reference key that must never be built from the campaign code alone.
  enum class IfPartEmpty { skip, keep, no_value } if_part_empty = IfPartEmpty::skip;
  std::optional<std::string> constant;
  std::optional<std::string> fallback;  // `default:` when the source is absent or empty
  bool required = false;
  std::vector<Transform> transforms;
  std::optional<Condition> when;
  std::string where;  // file:line:col, for messages
  // A list of rules for one target: when this rule gives no value (source absent or
  // empty, `when` false), the next of these is tried; the first value wins. `required`
  // is then checked once for the whole list.
  std::vector<FieldRule> otherwise;
};

struct GroupRule {
  std::string target;              // interests | external_refs | notes | attachments
  std::optional<SourcePath> each;  // one item per matching sub-record; absent: one item from the record
  std::vector<FieldRule> fields;   // targets relative to an item: product, quantity, ...
  std::optional<Condition> when;
  std::string where;
};

struct CsvOptions {
  char delimiter = ',';
  char quote = '"';
  bool header = true;
  enum class Encoding { utf8, latin1, windows1252, auto_detect, mac_roman } encoding = Encoding::utf8;
  // Set by the loader: the column names the mapping reads, numbered by
  // SourcePath::slot, so a row finds a named column by index, not by name.
  std::vector<std::string> named_columns;
};

struct Limits {
  std::size_t max_document_bytes = std::size_t{256} << 20;
  std::size_t max_records = 1'000'000;
  std::size_t max_field_bytes = std::size_t{64} * 1024;
  std::size_t max_depth = 64;
};

struct MappingSpec {
  std::string name;
  std::string description;
  std::string file;
  SourceFormat format = SourceFormat::json;
  CsvOptions csv;
  std::string records;  // XPath (xml) or JSON Pointer (json) selecting the records
  Operation fixed_operation = Operation::create;
  std::optional<FieldRule> operation_from;  // value mapped to create|change|read|find
  std::vector<FieldRule> fields;
  std::vector<GroupRule> groups;
  Limits limits;
  std::optional<OutboundSpec> outbound;  // replies and events in the party's format
};

// Loads and checks a mapping file; errors give file:line:column and the reason.
Result<std::shared_ptr<const MappingSpec>> load_mapping(const std::string& path);
// Finds NAME.yaml in the mapping folders (config/mappings, then the given extra folder).
Result<std::shared_ptr<const MappingSpec>> find_mapping(const std::string& name,
                                                        const std::vector<std::string>& folders);

}  // namespace leadhub::mapping
