// Streaming CSV reader (see csv_reader.cpp for the dialect it accepts).
#pragma once

#include <istream>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "record.hpp"
#include "spec.hpp"

namespace leadhub::mapping {

// A record that could not be read (bad encoding, too many fields): the engine
// reports it as an error for that record and goes on with the next.
class ErrorRecord final : public Record {
 public:
  ErrorRecord(std::string reason, std::string location) : reason_(std::move(reason)), location_(std::move(location)) {}
  std::optional<std::string> value(const SourcePath&) const override { return std::nullopt; }
  std::vector<std::unique_ptr<Record>> each(const SourcePath&) const override { return {}; }
  std::string location() const override { return location_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string reason_;
  std::string location_;
};

class CsvReader final : public RecordReader {
 public:
  CsvReader(const CsvOptions& options, const Limits& limits, std::istream& in);
  Result<std::unique_ptr<Record>> next() override;

 private:
  bool fill();
  std::size_t plain_run_end(bool quoted, bool at_field_start) const;
  Result<bool> read_row(std::vector<std::string>& fields, std::size_t& start_line);
  Status decode_fields(std::vector<std::string>& fields) const;

  CsvOptions options_;
  Limits limits_;
  std::istream& in_;
  std::string buffer_;
  std::size_t pos_ = 0;
  std::size_t bytes_read_ = 0;
  bool first_chunk_ = true;
  std::size_t line_ = 1;
  std::size_t records_ = 0;
  std::shared_ptr<const std::unordered_map<std::string, std::size_t>> header_;
  std::vector<std::string> header_names_;
};

}  // namespace leadhub::mapping
