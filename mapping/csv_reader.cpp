// CSV records, streamed: RFC 4180 with a configurable delimiter and quote, quoted
// fields holding delimiters, quotes ("") and line breaks, CRLF or LF, an optional
// header row, and ISO-8859-1 / Windows-1252 / UTF-8 (BOM skipped) input, or UTF-16
// when the file starts with its byte order mark (Excel's "Unicode text"); Excel's
// "sep=;" first line is skipped. Real files are messy, so a stray quote inside an
// unquoted field is kept as text and short rows are padded; rows longer than the
// header are errors naming the line.
#include <array>
#include <cstring>
#include <utility>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "csv_reader.hpp"
#include "encoding.hpp"
#include "json/decode.hpp"
#include "model/validation.hpp"

namespace leadhub::mapping {
namespace {

class CsvRecord final : public Record {
 public:
  CsvRecord(CsvRow row, std::size_t line, std::shared_ptr<const CsvHeader> header)
      : row_(std::move(row)), line_(line), header_(std::move(header)) {}

  std::optional<std::string> value(const SourcePath& path) const override {
    const auto index = column_of(path);
    if (!index || *index >= row_.size()) return std::nullopt;
    return std::string(row_.field(*index));
  }

  std::vector<std::unique_ptr<Record>> each(const SourcePath&) const override { return {}; }
  std::string location() const override { return "line " + std::to_string(line_); }

  std::string why_absent(const SourcePath& path) const override {
    if (path.column >= 0 || !header_ || column_of(path)) return {};
    std::string reason = "the file's header has no column '" + path.text + "'";
    const std::vector<std::string_view> names(header_->names.begin(), header_->names.end());
    if (const auto closest = json::closest_name(path.text, names))
      reason += " (is '" + std::string(*closest) + "' it?)";
    return reason;
  }

 private:
  // A column number as given, a name through the header's slot table (or by
  // name for a path the mapping did not number).
  std::optional<std::size_t> column_of(const SourcePath& path) const {
    if (path.column >= 0) return static_cast<std::size_t>(path.column);
    if (!header_) return std::nullopt;
    if (path.slot >= 0 && static_cast<std::size_t>(path.slot) < header_->by_slot.size()) {
      const int column = header_->by_slot[static_cast<std::size_t>(path.slot)];
      if (column < 0) return std::nullopt;
      return static_cast<std::size_t>(column);
    }
    return header_->find(path.text);
  }

  CsvRow row_;
  std::size_t line_;
  std::shared_ptr<const CsvHeader> header_;
};

bool is_blank(char c) { return c == ' ' || c == '\t'; }

// Where the first of a, b and c is in data[from, n), or n. Sixteen bytes at a
// time where SSE2 is there (every x86-64): fields are mostly plain text.
std::size_t find_first_of3(const char* data, std::size_t from, std::size_t n, char a, char b, char c) {
  std::size_t i = from;
#if defined(__SSE2__)
  const __m128i va = _mm_set1_epi8(a);
  const __m128i vb = _mm_set1_epi8(b);
  const __m128i vc = _mm_set1_epi8(c);
  for (; i + 16 <= n; i += 16) {
    __m128i chunk;
    std::memcpy(&chunk, data + i, sizeof chunk);
    const __m128i hit =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(chunk, va), _mm_cmpeq_epi8(chunk, vb)), _mm_cmpeq_epi8(chunk, vc));
    if (const int mask = _mm_movemask_epi8(hit); mask != 0) {
      return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
    }
  }
#endif
  for (; i < n; ++i) {
    if (data[i] == a || data[i] == b || data[i] == c) return i;
  }
  return n;
}

// The separator an Excel "sep=;" first line names, or nullopt for any other row. When
// it names the delimiter the line splits into "sep=" and an empty field.
std::optional<char> excel_separator(const CsvRow& row, char delimiter) {
  const auto is_sep = [](std::string_view f) { return lower_ascii(f.substr(0, 4)) == "sep="; };
  if (row.size() == 2 && row.field(0).size() == 4 && is_sep(row.field(0)) && row.field(1).empty()) return delimiter;
  if (row.size() == 1 && row.field(0).size() == 5 && is_sep(row.field(0))) return row.field(0)[4];
  return std::nullopt;
}

}  // namespace

CsvReader::CsvReader(const CsvOptions& options, const Limits& limits, std::istream& in)
    : options_(options), limits_(limits), in_(in) {}

// Makes buffer_[pos_] the next byte to parse; false at the end of the input.
bool CsvReader::fill() {
  constexpr std::size_t kChunk = std::size_t{1} << 16;
  while (pos_ >= buffer_.size()) {
    if (!in_) return false;
    // A UTF-16 file is read into raw_ after the bytes the last chunk left undecoded.
    std::string& target = utf16_ ? raw_ : buffer_;
    const std::size_t keep = utf16_ ? raw_.size() : 0;
    target.resize(keep + kChunk);
    in_.read(target.data() + keep, static_cast<std::streamsize>(kChunk));
    const auto got = static_cast<std::size_t>(in_.gcount());
    target.resize(keep + got);
    bytes_read_ += got;
    pos_ = 0;
    if (first_chunk_) {
      first_chunk_ = false;
      read_byte_order_mark();
    }
    if (utf16_) decode_utf16();
  }
  return true;
}

void CsvReader::read_byte_order_mark() {
  pos_ = buffer_.size() - without_byte_order_mark(buffer_).size();
  if (pos_ != 0) {  // UTF-8, marked: a partner who switched to UTF-8 and kept the mapping
    options_.encoding = CsvOptions::Encoding::utf8;
    return;
  }
  if (buffer_.compare(0, 2, "\xFF\xFE") == 0) {
    utf16_ = Utf16::little_endian;
  } else if (buffer_.compare(0, 2, "\xFE\xFF") == 0) {
    utf16_ = Utf16::big_endian;
  } else {
    return;
  }
  // The mark says what the file is, whatever the mapping expected: decoded to UTF-8.
  options_.encoding = CsvOptions::Encoding::utf8;
  raw_ = buffer_.substr(2);
  buffer_.clear();
}

void CsvReader::decode_utf16() {
  buffer_.clear();
  const std::size_t waiting = append_utf16_as_utf8(buffer_, raw_, *utf16_, !in_);
  raw_.erase(0, raw_.size() - waiting);
  pos_ = 0;
}

// Where the run of characters from pos_ that are plain text in the current state
// ends: inside quotes everything but the quote and a line break (counted), in an
// unquoted field everything but the delimiter and line ends. At the start of an
// unquoted field a quote, and blanks that may come before one, have a meaning, so
// there is no run.
std::size_t CsvReader::plain_run_end(bool quoted, bool at_field_start) const {
  if (quoted) return find_first_of3(buffer_.data(), pos_, buffer_.size(), options_.quote, '\n', '\n');
  if (at_field_start && (buffer_[pos_] == options_.quote || is_blank(buffer_[pos_]))) return pos_;
  return find_first_of3(buffer_.data(), pos_, buffer_.size(), options_.delimiter, '\n', '\r');
}

// Reads one physical record (which may span lines inside quotes) into row.
Result<bool> CsvReader::read_row(CsvRow& row, std::size_t& start_line) {
  row.text.clear();
  row.ends.clear();
  // Room for a typical row up front: growing by doubling costs several allocations a row.
  row.text.reserve(256);
  row.ends.reserve(header_ ? header_->names.size() : 16);
  if (!fill()) return false;
  start_line = line_;
  std::size_t field_start = 0;                // where the current field begins in row.text
  bool quoted = false;                        // inside a quoted section
  bool at_field_start = true;                 // nothing but blanks in the field yet
  std::size_t closed_at = std::string::npos;  // where the field's closing quote was
  // Blanks between a closing quote and the delimiter are dropped: `"Hans" ;` is Hans.
  const auto end_field = [&] {
    if (closed_at != std::string::npos && row.text.find_first_not_of(" \t", closed_at) == std::string::npos)
      row.text.resize(closed_at);
    row.end_field();
    field_start = row.text.size();
    at_field_start = true;
    closed_at = std::string::npos;
  };
  const char d = options_.delimiter, q = options_.quote;
  const auto too_long = [&] {
    return Error::make(ErrorCode::invalid, "line " + std::to_string(start_line) + ": a field is longer than " +
                                               std::to_string(limits_.max_field_bytes) + " bytes (unclosed quote?)");
  };
  while (fill()) {
    if (bytes_read_ > limits_.max_document_bytes) {
      return Error::make(ErrorCode::invalid, "line " + std::to_string(line_) + ": document larger than " +
                                                 std::to_string(limits_.max_document_bytes) + " bytes");
    }
    // Plain text inside a field is copied in runs; the state machine below sees
    // only the characters that matter (quotes, delimiters, line ends).
    if (const std::size_t end = plain_run_end(quoted, at_field_start); end > pos_) {
      row.text.append(buffer_, pos_, end - pos_);
      pos_ = end;
      at_field_start = false;
      if (row.text.size() - field_start > limits_.max_field_bytes * 4) return too_long();
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
          row.text += q;
          ++pos_;
        } else {
          quoted = false;
          closed_at = row.text.size();
        }
      } else {
        if (c == '\n') ++line_;
        row.text += c;
      }
    } else if (c == q && at_field_start) {
      row.text.resize(field_start);  // blanks before the opening quote: `; "Hans"` is Hans
      quoted = true;
      at_field_start = false;
    } else if (c == d) {
      end_field();
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && fill() && buffer_[pos_] == '\n') ++pos_;
      ++line_;
      end_field();
      return true;
    } else if (at_field_start && is_blank(c)) {
      row.text += c;  // kept unless a quote follows
    } else {
      row.text += c;  // includes a stray quote in an unquoted field: kept as text
      at_field_start = false;
    }
    if (row.text.size() - field_start > limits_.max_field_bytes * 4) return too_long();
  }
  if (quoted) {
    return Error::make(ErrorCode::invalid, "line " + std::to_string(start_line) + ": quoted field never closed");
  }
  end_field();
  ++line_;
  return true;
}

// The row's fields in UTF-8. Most rows are ASCII throughout: one check for all.
Status CsvReader::decode_fields(CsvRow& row) const {
  if (is_ascii(row.text)) return ok_status();
  CsvRow decoded;
  decoded.ends.reserve(row.size());
  for (std::size_t i = 0; i < row.size(); ++i) {
    const std::string_view f = row.field(i);
    if (is_ascii(f)) {
      decoded.text.append(f);
      decoded.end_field();
      continue;
    }
    switch (options_.encoding) {
      case CsvOptions::Encoding::latin1:
      case CsvOptions::Encoding::windows1252:
      case CsvOptions::Encoding::auto_detect:
        // A field that is valid UTF-8 is UTF-8 whatever the mapping says: a file
        // re-saved by a UTF-8 tool keeps its partner's ISO-8859-1 mapping, and Latin-1
        // text is practically never valid UTF-8 by accident ("Ã¼" would have to be meant).
        if (is_valid_utf8_text(f, true)) {
          decoded.text.append(f);
        } else {
          append_single_byte_as_utf8(
              decoded.text, f,
              options_.encoding == CsvOptions::Encoding::latin1 ? SingleByte::latin1 : SingleByte::windows1252);
        }
        break;
      case CsvOptions::Encoding::utf8:
        if (!is_valid_utf8_text(f, true)) {
          const std::string name = header_ ? header_->name_of(i) : "column " + std::to_string(i + 1);
          return Error::make(ErrorCode::invalid, name + ": not valid UTF-8 (is the file ISO-8859-1? set csv.encoding)");
        }
        decoded.text.append(f);
        break;
    }
    decoded.end_field();
  }
  row = std::move(decoded);
  return ok_status();
}

std::optional<std::size_t> CsvHeader::find(std::string_view name) const {
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == name) return i;
  }
  const std::string folded = fold_name(name);
  if (folded.empty()) return std::nullopt;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (fold_name(names[i]) == folded) return i;
  }
  return std::nullopt;
}

void CsvReader::read_header(const CsvRow& row) {
  auto header = std::make_shared<CsvHeader>();
  for (std::size_t i = 0; i < row.size(); ++i) {
    std::string_view name = row.field(i);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    while (!name.empty() && (name.front() == ' ' || name.front() == '\t')) name.remove_prefix(1);
    header->names.emplace_back(name);
  }
  for (const auto& name : options_.named_columns) {
    const auto found = header->find(name);
    header->by_slot.push_back(found ? static_cast<int>(*found) : -1);
  }
  header_ = std::move(header);
}

Result<std::unique_ptr<Record>> CsvReader::next() {
  CsvRow row;
  for (;;) {
    std::size_t line = 0;
    auto got = read_row(row, line);
    if (!got) return got.error();
    if (!*got) return std::unique_ptr<Record>();
    if (row.size() == 1 && row.text.find_first_not_of(" \t") == std::string::npos) continue;  // blank line
    if (auto st = decode_fields(row); !st) {
      // A broken header would turn the next row into the header: stop the document.
      if (options_.header && !header_) {
        return Error::make(ErrorCode::invalid, "line " + std::to_string(line) + " (header): " + st.error().message);
      }
      return Result<std::unique_ptr<Record>>(
          std::unique_ptr<Record>(new ErrorRecord(st.error().message, "line " + std::to_string(line))));
    }
    if (std::exchange(first_row_, false)) {
      if (const auto sep = excel_separator(row, options_.delimiter)) {
        if (*sep == options_.delimiter) continue;  // Excel's hint line, not data
        return Error::make(ErrorCode::invalid, "line " + std::to_string(line) +
                                                   ": the file says sep=" + std::string(1, *sep) +
                                                   " but this mapping reads fields separated by '" +
                                                   std::string(1, options_.delimiter) + "' (csv.delimiter)");
      }
    }
    if (options_.header && !header_) {
      read_header(row);
      continue;
    }
    if (++records_ > limits_.max_records) {
      return Error::make(ErrorCode::invalid, "line " + std::to_string(line) + ": more than " +
                                                 std::to_string(limits_.max_records) + " records");
    }
    if (header_ && row.size() > header_->names.size()) {
      return Result<std::unique_ptr<Record>>(std::unique_ptr<Record>(
          new ErrorRecord(std::to_string(row.size()) + " fields but the header has " +
                              std::to_string(header_->names.size()) + " (a delimiter inside an unquoted field?)",
                          "line " + std::to_string(line))));
    }
    return Result<std::unique_ptr<Record>>(std::unique_ptr<Record>(new CsvRecord(std::move(row), line, header_)));
  }
}

}  // namespace leadhub::mapping
