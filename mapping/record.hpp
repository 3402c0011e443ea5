// One source record (a CSV row, an XML element, a JSON object, a form post) and
// how a mapping addresses values in it. Each format implements Record and
// RecordReader; the engine only sees these interfaces.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace pugi {
class xpath_query;
}

namespace leadhub::mapping {

enum class SourceFormat { csv, xml, json, form };

// Where a value comes from: a CSV column (name or 1-based number), an XPath
// relative to the record element, a JSON Pointer relative to the record, or a
// form field name. Compiled once when the mapping loads.
struct SourcePath {
  std::string text;
  int column = -1;  // csv: 0-based index when given as a number
  // csv, a column name: its number in CsvOptions::named_columns of the mapping that
  // compiled it (-1: look the name up). Only for records read with that mapping.
  int slot = -1;
  std::shared_ptr<pugi::xpath_query> xpath;  // xml
  // xml: the steps of a plain path ("Contact/Email", "@id"), split once so records
  // walk the children without the XPath engine; empty for other paths.
  std::vector<std::string> steps;
  // A `$prospect.email` source: the canonical field as this record's earlier rules
  // set it (trimmed, normalised), read from the lead instead of the record. Empty
  // for a source of the record.
  std::string canonical;
};

class Record {
 public:
  virtual ~Record() = default;
  // The text at `path`, or nullopt when the record has no such value.
  virtual std::optional<std::string> value(const SourcePath& path) const = 0;
  // Sub-records for a repeating group (XML elements, JSON array items).
  // The records may refer to this one (for their location): use them while it lives.
  virtual std::vector<std::unique_ptr<Record>> each(const SourcePath& path) const = 0;
  // Where the record is, for error messages: "line 12", "/Leads/Lead[3]", "/leads/2".
  virtual std::string location() const = 0;
  // Why `path` has no value, when the format can tell more than "missing" (a CSV
  // column the file's header does not have; an XML element the record has as an
  // attribute); empty otherwise.
  virtual std::string why_absent(const SourcePath& /*path*/) const { return {}; }
  // Whether why_absent speaks for every record of the document (a CSV header) or
  // only for this one (an XML element), for how the document's warnings say it.
  virtual bool absent_in_every_record() const { return true; }
  // What the reader found wrong with the whole document (elements among the records
  // that are none), on its first record; empty otherwise.
  virtual std::vector<std::string> notices() const { return {}; }
};

class RecordReader {
 public:
  virtual ~RecordReader() = default;
  // The next record; nullptr at the end. A document-level problem (not well-formed
  // XML, a broken CSV quote) is an Error naming where it is; reading stops there.
  virtual Result<std::unique_ptr<Record>> next() = 0;
  // What the reader met and skipped since the last call that the document's
  // warnings should name (a CSV header repeated mid-file, where exports were joined
  // into one file); the engine asks after each record.
  virtual std::vector<std::string> take_notices() { return {}; }
};

}  // namespace leadhub::mapping
