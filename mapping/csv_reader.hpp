// Streaming CSV reader (see csv_reader.cpp for the dialect it accepts).
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "encoding.hpp"
#include "mapping_error.hpp"
#include "record.hpp"
#include "spec.hpp"

namespace leadhub::mapping {

// A record that could not be read (bad encoding, too many fields, a field too long
// to keep): the engine reports it as an error for that record, with the code and
// the source column when the reader knows them, and goes on with the next.
class ErrorRecord final : public Record {
 public:
  ErrorRecord(std::string reason, std::string location, MappingErrorCode code = MappingErrorCode::unreadable,
              std::string source = {})
      : reason_(std::move(reason)), location_(std::move(location)), code_(code), source_(std::move(source)) {}
  std::optional<std::string> value(const SourcePath&) const override { return std::nullopt; }
  std::vector<std::unique_ptr<Record>> each(const SourcePath&) const override { return {}; }
  std::string location() const override { return location_; }
  const std::string& reason() const { return reason_; }
  MappingErrorCode code() const { return code_; }
  const std::string& source() const { return source_; }

 private:
  std::string reason_;
  std::string location_;
  MappingErrorCode code_;
  std::string source_;
};

// One row's fields, kept end to end in one string (a row is one allocation, not
// one per field): field i is text[ends[i-1] .. ends[i]).
struct CsvRow {
  std::string text;
  std::vector<std::uint32_t> ends;

  std::size_t size() const { return ends.size(); }
  std::string_view field(std::size_t i) const {
    const std::uint32_t begin = i == 0 ? 0 : ends[i - 1];
    return std::string_view(text).substr(begin, ends[i] - begin);
  }
  void end_field() { ends.push_back(static_cast<std::uint32_t>(text.size())); }
};

// The header row's column names, shared by the rows that follow it.
struct CsvHeader {
  std::vector<std::string> names;         // trimmed, in column order
  std::vector<std::string> sorted_names;  // the same, sorted: to know the header in another order
  // Column index by SourcePath::slot (CsvOptions::named_columns); -1: not in the header.
  std::vector<int> by_slot;
  std::vector<std::string> notices;  // about the header, for the document's warnings

  // The first column with this name, else the first whose name differs only in
  // case or in ' ', '_', '-' and '.' (files say "E-Mail", "e-mail", "EMAIL" or
  // "E_Mail" for one column). A dozen short names compare faster than they hash;
  // rows use by_slot anyway.
  std::optional<std::size_t> find(std::string_view name) const;
  // The column's name for messages, or "column N".
  std::string name_of(std::size_t i) const { return i < names.size() ? names[i] : "column " + std::to_string(i + 1); }
};

class CsvReader final : public RecordReader {
 public:
  CsvReader(const CsvOptions& options, const Limits& limits, std::istream& in);
  Result<std::unique_ptr<Record>> next() override;
  std::vector<std::string> take_notices() override { return std::exchange(skipped_notices_, {}); }

 private:
  bool fill();
  void read_byte_order_mark();       // on the first chunk: skips a UTF-8 mark, switches to UTF-16
  void decode_utf16();               // raw_ (its unfinished end kept) to buffer_
  void follow_excel_unicode_text();  // on the first decoded chunk: TAB as Excel writes it
  std::size_t plain_run_end(bool quoted, bool at_field_start) const;
  Result<bool> read_row(CsvRow& row, std::size_t& start_line);
  // nullptr when every field decodes; else the record's error.
  std::unique_ptr<ErrorRecord> decode_fields(CsvRow& row, std::size_t line) const;
  void read_header(const CsvRow& row);
  static void note_second_column(CsvHeader& header, const std::string& name, std::size_t first);
  Status check_delimiter() const;               // after the header: a one-column header in another delimiter
  bool is_title_line(const CsvRow& row) const;  // after read_header: a title above the header
  enum class HeaderAgain { no, same_order, other_order };
  HeaderAgain header_again(const CsvRow& row) const;  // a data row that is the header again

  CsvOptions options_;
  Limits limits_;
  std::istream& in_;
  std::string buffer_;          // what is parsed: the file's bytes, or UTF-8 from UTF-16
  std::optional<Utf16> utf16_;  // set when the file starts with a UTF-16 byte order mark
  std::string raw_;             // a UTF-16 file's bytes not yet decoded
  bool first_row_ = true;       // Excel's "sep=;" line can only come first
  std::size_t pos_ = 0;
  std::size_t bytes_read_ = 0;
  bool first_chunk_ = true;
  std::optional<std::string> not_text_;          // set when the file is a workbook or an archive
  bool first_decoded_chunk_ = true;              // of a UTF-16 file
  std::optional<std::string> delimiter_notice_;  // the delimiter was not the mapping's
  std::size_t line_ = 1;
  std::size_t records_ = 0;
  // The first field of the last row read that was too long to keep (read past, not kept).
  std::optional<std::size_t> overlong_field_;
  std::shared_ptr<const CsvHeader> header_;
  std::vector<std::string> title_notices_;    // title lines skipped above the header
  std::vector<std::string> skipped_notices_;  // rows skipped since take_notices()
};

}  // namespace leadhub::mapping
