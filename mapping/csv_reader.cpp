// CSV records, streamed: RFC 4180 with a configurable delimiter and quote, quoted
// fields holding delimiters, quotes ("") and line breaks, CRLF or LF, an optional
// header row, and ISO-8859-1 / Windows-1252 / UTF-8 (BOM skipped) input. Real
// files are messy, so a stray quote inside an unquoted field is kept as text and
// short rows are padded; rows longer than the header are errors naming the line.
#include <array>
#include <unordered_map>

#include "csv_reader.hpp"
#include "encoding.hpp"
#include "model/validation.hpp"

namespace leadhub::mapping {
namespace {

class CsvRecord final : public Record {
 public:
  CsvRecord(std::vector<std::string> fields, std::size_t line,
            std::shared_ptr<const std::unordered_map<std::string, std::size_t>> header)
      : fields_(std::move(fields)), line_(line), header_(std::move(header)) {}

  std::optional<std::string> value(const SourcePath& path) const override {
    std::size_t index = 0;
    if (path.column >= 0) {
      index = static_cast<std::size_t>(path.column);
    } else {
      if (!header_) return std::nullopt;
      const auto it = header_->find(path.text);
      if (it == header_->end()) return std::nullopt;
      index = it->second;
    }
    if (index >= fields_.size()) return std::nullopt;
    return fields_[index];
  }

  std::vector<std::unique_ptr<Record>> each(const SourcePath&) const override { return {}; }
  std::string location() const override { return "line " + std::to_string(line_); }

 private:
  std::vector<std::string> fields_;
  std::size_t line_;
  std::shared_ptr<const std::unordered_map<std::string, std::size_t>> header_;
};

}  // namespace

CsvReader::CsvReader(const CsvOptions& options, const Limits& limits, std::istream& in)
    : options_(options), limits_(limits), in_(in) {}

bool CsvReader::fill() {
  if (pos_ < buffer_.size()) return true;
  if (!in_) return false;
  buffer_.resize(1 << 16);
  in_.read(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
  buffer_.resize(static_cast<std::size_t>(in_.gcount()));
  bytes_read_ += buffer_.size();
  pos_ = 0;
  if (first_chunk_) {
    first_chunk_ = false;
    if (buffer_.size() >= 3 && buffer_.compare(0, 3, "\xEF\xBB\xBF") == 0) pos_ = 3;  // UTF-8 BOM
  }
  return pos_ < buffer_.size();
}

// Where the run of characters from pos_ that are plain text in the current state
// ends: inside quotes everything but the quote and a line break (counted), in an
// unquoted field everything but the delimiter and line ends. At the start of an
// unquoted field a quote has a meaning, so there is no run.
std::size_t CsvReader::plain_run_end(bool quoted, bool at_field_start) const {
  std::size_t end = pos_;
  const std::size_t n = buffer_.size();
  if (quoted) {
    while (end < n && buffer_[end] != options_.quote && buffer_[end] != '\n') ++end;
  } else if (!at_field_start) {
    const char d = options_.delimiter;
    while (end < n && buffer_[end] != d && buffer_[end] != '\n' && buffer_[end] != '\r') ++end;
  }
  return end;
}

// Reads one physical record (which may span lines inside quotes) into fields.
Result<bool> CsvReader::read_row(std::vector<std::string>& fields, std::size_t& start_line) {
  fields.clear();
  if (!fill()) return false;
  start_line = line_;
  std::string field;
  bool quoted = false;      // inside a quoted section
  bool was_quoted = false;  // this field started with a quote
  bool at_field_start = true;
  const char d = options_.delimiter, q = options_.quote;
  while (fill()) {
    if (bytes_read_ > limits_.max_document_bytes) {
      return Error::make(ErrorCode::invalid, "line " + std::to_string(line_) + ": document larger than " +
                                                 std::to_string(limits_.max_document_bytes) + " bytes");
    }
    // Plain text inside a field is copied in runs; the state machine below sees
    // only the characters that matter (quotes, delimiters, line ends).
    if (const std::size_t end = plain_run_end(quoted, at_field_start); end > pos_) {
      field.append(buffer_, pos_, end - pos_);
      pos_ = end;
      if (field.size() > limits_.max_field_bytes * 4) {
        return Error::make(ErrorCode::invalid, "line " + std::to_string(start_line) + ": a field is longer than " +
                                                   std::to_string(limits_.max_field_bytes) +
                                                   " bytes (unclosed quote?)");
      }
      continue;
    }
    const char c = buffer_[pos_++];
    if (quoted) {
      if (c == q) {
        if (!fill() && !in_) {
          quoted = false;
          continue;
        }
        if (pos_ < buffer_.size() && buffer_[pos_] == q) {  // "" is a quote
          field += q;
          ++pos_;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line_;
        field += c;
      }
    } else if (c == q && at_field_start) {
      quoted = was_quoted = true;
      at_field_start = false;
    } else if (c == d) {
      fields.push_back(std::move(field));
      field.clear();
      at_field_start = true;
      was_quoted = false;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && fill() && buffer_[pos_] == '\n') ++pos_;
      ++line_;
      fields.push_back(std::move(field));
      return true;
    } else {
      field += c;  // includes a stray quote in an unquoted field: kept as text
      at_field_start = false;
    }
    if (field.size() > limits_.max_field_bytes * 4) {
      return Error::make(ErrorCode::invalid, "line " + std::to_string(start_line) + ": a field is longer than " +
                                                 std::to_string(limits_.max_field_bytes) + " bytes (unclosed quote?)");
    }
  }
  if (quoted) {
    return Error::make(ErrorCode::invalid, "line " + std::to_string(start_line) + ": quoted field never closed");
  }
  (void)was_quoted;
  fields.push_back(std::move(field));
  ++line_;
  return true;
}

Status CsvReader::decode_fields(std::vector<std::string>& fields) const {
  for (std::size_t i = 0; i < fields.size(); ++i) {
    auto& f = fields[i];
    if (is_ascii(f)) continue;
    switch (options_.encoding) {
      case CsvOptions::Encoding::latin1:
        f = single_byte_to_utf8(f, SingleByte::latin1);
        break;
      case CsvOptions::Encoding::windows1252:
        f = single_byte_to_utf8(f, SingleByte::windows1252);
        break;
      case CsvOptions::Encoding::auto_detect:
        if (!is_valid_utf8_text(f, true)) f = single_byte_to_utf8(f, SingleByte::windows1252);
        break;
      case CsvOptions::Encoding::utf8:
        if (!is_valid_utf8_text(f, true)) {
          const std::string name = i < header_names_.size() ? header_names_[i] : "column " + std::to_string(i + 1);
          return Error::make(ErrorCode::invalid, name + ": not valid UTF-8 (is the file ISO-8859-1? set csv.encoding)");
        }
        break;
    }
  }
  return ok_status();
}

Result<std::unique_ptr<Record>> CsvReader::next() {
  std::vector<std::string> fields;
  for (;;) {
    std::size_t line = 0;
    auto got = read_row(fields, line);
    if (!got) return got.error();
    if (!*got) return std::unique_ptr<Record>();
    if (fields.size() == 1 && fields[0].find_first_not_of(" \t") == std::string::npos) continue;  // blank line
    if (auto st = decode_fields(fields); !st) {
      // A broken header would turn the next row into the header: stop the document.
      if (options_.header && !header_) {
        return Error::make(ErrorCode::invalid, "line " + std::to_string(line) + " (header): " + st.error().message);
      }
      return Result<std::unique_ptr<Record>>(
          std::unique_ptr<Record>(new ErrorRecord(st.error().message, "line " + std::to_string(line))));
    }
    if (options_.header && !header_) {
      auto header = std::make_shared<std::unordered_map<std::string, std::size_t>>();
      for (std::size_t i = 0; i < fields.size(); ++i) {
        std::string name = fields[i];
        while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.pop_back();
        while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.erase(0, 1);
        header->emplace(name, i);
        header_names_.push_back(name);
      }
      header_ = header;
      continue;
    }
    if (++records_ > limits_.max_records) {
      return Error::make(ErrorCode::invalid, "line " + std::to_string(line) + ": more than " +
                                                 std::to_string(limits_.max_records) + " records");
    }
    if (header_ && fields.size() > header_names_.size()) {
      return Result<std::unique_ptr<Record>>(std::unique_ptr<Record>(
          new ErrorRecord(std::to_string(fields.size()) + " fields but the header has " +
                              std::to_string(header_names_.size()) + " (a delimiter inside an unquoted field?)",
                          "line " + std::to_string(line))));
    }
    return Result<std::unique_ptr<Record>>(std::unique_ptr<Record>(new CsvRecord(std::move(fields), line, header_)));
  }
}

}  // namespace leadhub::mapping
