// CSV records, streamed: RFC 4180 with a configurable delimiter and quote, quoted
// fields holding delimiters, quotes ("") and line breaks, CRLF or LF, an optional
// header row, and ISO-8859-1 / Windows-1252 / UTF-8 (BOM skipped) input, or UTF-16
// when the file starts with its byte order mark (Excel's "Unicode text"); Excel's
// "sep=;" first line is skipped. Real files are messy, so a stray quote inside an
// unquoted field is kept as text, short rows are padded, empty fields past the
// header's (a delimiter ending each data row) are dropped and rows of delimiters only
// are skipped; rows with more text than the header has columns, fields too long to
// keep and bytes the declared encoding lacks are errors for their record, naming the
// line; the rows after them are read.
#include <algorithm>
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
#include "transforms.hpp"

namespace leadhub::mapping {
namespace {

// A spreadsheet's marks that a cell is text, not what the cell holds: `="01067"`, the
// formula exports write so that Excel keeps a leading zero (postal codes, phone
// numbers), and a leading apostrophe before what Excel would read as a number or a
// formula (`'01067`, `'+49 ...`, `'=...`), which apps write against CSV formula
// injection. An apostrophe before a letter stays: `'t Hooft` is a name.
std::string without_text_marker(std::string_view field) {
  if (field.size() >= 3 && field.starts_with("=\"") && field.back() == '"') {
    std::string text;
    const std::string_view inner = field.substr(2, field.size() - 3);
    for (std::size_t i = 0; i < inner.size(); ++i) {
      text += inner[i];
      if (inner[i] == '"' && i + 1 < inner.size() && inner[i + 1] == '"') ++i;  // "" is a quote in a formula
    }
    return text;
  }
  if (field.size() >= 2 && field[0] == '\'' && field.find('\'', 1) == std::string_view::npos &&
      std::string_view("0123456789+-=@").find(field[1]) != std::string_view::npos) {
    return std::string(field.substr(1));
  }
  return std::string(field);
}

class CsvRecord final : public Record {
 public:
  CsvRecord(CsvRow row, std::size_t line, std::shared_ptr<const CsvHeader> header)
      : row_(std::move(row)), line_(line), header_(std::move(header)) {}

  std::optional<std::string> value(const SourcePath& path) const override {
    const auto index = column_of(path);
    if (!index || *index >= row_.size()) return std::nullopt;
    const std::string_view field = row_.field(*index);
    if (!field.empty() && (field[0] == '=' || field[0] == '\'')) return without_text_marker(field);
    return std::string(field);
  }

  std::vector<std::unique_ptr<Record>> each(const SourcePath&) const override { return {}; }
  std::string location() const override { return "line " + std::to_string(line_); }
  std::vector<std::string> notices() const override { return header_ ? header_->notices : std::vector<std::string>{}; }

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

// Valid UTF-8 once its control characters are set aside: those the engine names
// ("contains a control character U+0000 (NUL)"), which says more than "not UTF-8".
bool is_utf8_but_for_controls(std::string_view field) {
  if (first_control_character(field, true) == std::string_view::npos) return false;
  std::string copy(field);
  for (char& c : copy) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) c = ' ';
  }
  return is_valid_utf8_text(copy, true);
}

SingleByte single_byte_of(CsvOptions::Encoding encoding) {
  switch (encoding) {
    case CsvOptions::Encoding::latin1:
      return SingleByte::latin1;
    case CsvOptions::Encoding::mac_roman:
      return SingleByte::mac_roman;
    default:
      return SingleByte::windows1252;
  }
}

// The separator an Excel "sep=;" first line names, or nullopt for any other row. When
// it names the delimiter the line splits into "sep=" and an empty field.
std::optional<char> excel_separator(const CsvRow& row, char delimiter) {
  const auto is_sep = [](std::string_view f) { return lower_ascii(f.substr(0, 4)) == "sep="; };
  if (row.size() == 2 && row.field(0).size() == 4 && is_sep(row.field(0)) && row.field(1).empty()) return delimiter;
  if (row.size() == 1 && row.field(0).size() == 5 && is_sep(row.field(0))) return row.field(0)[4];
  return std::nullopt;
}

// What a file that starts with these bytes is, when it is a binary format people
// pick by mistake instead of the CSV export (a workbook, an archive); else nullopt.
// Read as text, its bytes would be reported as a wrong code page or not be
// reported at all (a ZIP's first line may split into no records).
std::optional<std::string> binary_format_of(std::string_view head) {
  struct Signature {
    std::string_view magic;
    const char* what;
  };
  static constexpr Signature kSignatures[] = {
      {"PK\x03\x04", "a ZIP archive (an Excel .xlsx or LibreOffice .ods workbook?)"},
      {"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", "an Excel 97-2003 workbook (.xls)"},
      {"\x1F\x8B", "a gzip archive"},
      {"BZh", "a bzip2 archive"},
      {"\xFD"
       "7zXZ",
       "an xz archive"},
      {"7z\xBC\xAF\x27\x1C", "a 7-Zip archive"},
      {"%PDF-", "a PDF document"},
  };
  for (const auto& [magic, what] : kSignatures) {
    if (head.starts_with(magic)) return std::string(what);
  }
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
      if (const auto format = binary_format_of(buffer_)) {
        not_text_ = "the file is " + *format + ", not CSV text: save or export it as CSV";
        buffer_.clear();
        return false;
      }
      read_byte_order_mark();
    }
    if (utf16_) {
      decode_utf16();
      if (std::exchange(first_decoded_chunk_, false)) follow_excel_unicode_text();
    }
  }
  return true;
}

// Excel's "Unicode text" (the only way it writes UTF-16) always separates fields with
// TAB, whatever the mapping's delimiter: a first line that has TABs and not the
// mapping's delimiter is read with TAB, and the document's warnings say so. Only for
// UTF-16, where the file can only come from there; other files with another delimiter
// stop with an error naming it (check_delimiter).
void CsvReader::follow_excel_unicode_text() {
  if (options_.delimiter == '\t') return;
  const std::string_view first_line = std::string_view(buffer_).substr(0, buffer_.find('\n'));
  if (first_line.find('\t') == std::string_view::npos || first_line.find(options_.delimiter) != std::string_view::npos)
    return;
  delimiter_notice_ =
      "the file is UTF-16 with TAB between the fields (Excel's \"Unicode text\"): read with TAB, not '" +
      std::string(1, options_.delimiter) + "' as csv.delimiter says";
  options_.delimiter = '\t';
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
// ends: inside quotes everything but the quote and a line break (CR or LF: counted), in an
// unquoted field everything but the delimiter and line ends. At the start of an
// unquoted field a quote, and blanks that may come before one, have a meaning, so
// there is no run.
std::size_t CsvReader::plain_run_end(bool quoted, bool at_field_start) const {
  if (quoted) return find_first_of3(buffer_.data(), pos_, buffer_.size(), options_.quote, '\n', '\r');
  if (at_field_start && (buffer_[pos_] == options_.quote || is_blank(buffer_[pos_]))) return pos_;
  return find_first_of3(buffer_.data(), pos_, buffer_.size(), options_.delimiter, '\n', '\r');
}

// Reads one physical record (which may span lines inside quotes) into row. A field
// longer than four times max_field_bytes (the engine refuses one over max_field_bytes
// anyway) is read past without being kept, and overlong_field_ names it: memory stays
// bounded whatever the file holds, and the rows after it are read as usual.
Result<bool> CsvReader::read_row(CsvRow& row, std::size_t& start_line) {
  row.text.clear();
  row.ends.clear();
  overlong_field_.reset();
  // Room for a typical row up front: growing by doubling costs several allocations a row.
  row.text.reserve(256);
  row.ends.reserve(header_ ? header_->names.size() : 16);
  if (!fill()) return false;
  start_line = line_;
  std::size_t field_start = 0;                // where the current field begins in row.text
  bool quoted = false;                        // inside a quoted section
  std::size_t quote_line = 0;                 // where the open quoted section began
  bool at_field_start = true;                 // nothing but blanks in the field yet
  bool skipping = false;                      // the field is too long: its text is dropped
  std::size_t closed_at = std::string::npos;  // where the field's closing quote was
  // Blanks between a closing quote and the delimiter are dropped: `"Hans" ;` is Hans.
  const auto end_field = [&] {
    if (skipping) {
      row.text.resize(field_start);
    } else if (closed_at != std::string::npos && row.text.find_first_not_of(" \t", closed_at) == std::string::npos) {
      row.text.resize(closed_at);
    }
    row.end_field();
    field_start = row.text.size();
    at_field_start = true;
    skipping = false;
    closed_at = std::string::npos;
  };
  const char d = options_.delimiter, q = options_.quote;
  const std::size_t kept_bytes = limits_.max_field_bytes * 4;
  const auto bound_field = [&] {
    if (!skipping && row.text.size() - field_start <= kept_bytes) return;
    if (!skipping && !overlong_field_) overlong_field_ = row.size();
    skipping = true;
    row.text.resize(field_start);
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
      bound_field();
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
        // A line break inside quotes counts its line: LF, CRLF (at its LF), or a CR
        // alone, as old Mac files end lines.
        if (c == '\n' || (c == '\r' && !(fill() && buffer_[pos_] == '\n'))) ++line_;
        row.text += c;
      }
    } else if (c == q && at_field_start) {
      row.text.resize(field_start);  // blanks before the opening quote: `; "Hans"` is Hans
      quoted = true;
      quote_line = line_;
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
    bound_field();
  }
  if (quoted) {
    return Error::make(ErrorCode::invalid, "line " + std::to_string(quote_line) +
                                               ": quoted field never closed (the quote opening on this line has "
                                               "no closing quote before the end of the file)");
  }
  end_field();
  ++line_;
  return true;
}

// The row's fields in UTF-8, or the record's error. Most rows are ASCII throughout:
// one check for all.
std::unique_ptr<ErrorRecord> CsvReader::decode_fields(CsvRow& row, std::size_t line) const {
  if (is_ascii(row.text)) return nullptr;
  const auto refuse = [&](std::size_t i, std::string reason, MappingErrorCode code) {
    const std::string name = header_ ? header_->name_of(i) : "column " + std::to_string(i + 1);
    return std::make_unique<ErrorRecord>(std::move(reason), "line " + std::to_string(line), code, name);
  };
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
      case CsvOptions::Encoding::mac_roman: {
        // A field that is valid UTF-8 is UTF-8 whatever the mapping says: a file
        // re-saved by a UTF-8 tool keeps its partner's ISO-8859-1 mapping, and Latin-1
        // text is practically never valid UTF-8 by accident ("Ã¼" would have to be meant).
        if (is_valid_utf8_text(f, true) || is_utf8_but_for_controls(f)) {
          decoded.text.append(f);
          break;
        }
        const auto encoding = single_byte_of(options_.encoding);
        // A byte Windows-1252 does not define is a letter of another code page:
        // decoding it would drop or garble the letter, so the record is refused.
        if (const std::size_t at = first_undefined_byte(f, encoding); at != std::string_view::npos) {
          return refuse(
              i,
              undefined_byte_reason(static_cast<unsigned char>(f[at]), " at position " + std::to_string(at + 1),
                                    "ISO-8859-1/Windows-1252", "save it as UTF-8 or Windows-1252, or set csv.encoding"),
              MappingErrorCode::invalid_encoding);
        }
        append_single_byte_as_utf8(decoded.text, f, encoding);
        break;
      }
      case CsvOptions::Encoding::utf8:
        if (!is_valid_utf8_text(f, true) && !is_utf8_but_for_controls(f)) {
          return std::make_unique<ErrorRecord>((header_ ? header_->name_of(i) : "column " + std::to_string(i + 1)) +
                                                   ": not valid UTF-8 (is the file ISO-8859-1? set csv.encoding)",
                                               "line " + std::to_string(line));
        }
        decoded.text.append(f);
        break;
    }
    decoded.end_field();
  }
  row = std::move(decoded);
  return nullptr;
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

namespace {

// A header field as its column's name: blanks around it are the export's padding.
std::string_view column_name(std::string_view field) {
  const auto first = field.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  return field.substr(first, field.find_last_not_of(" \t") + 1 - first);
}

}  // namespace

void CsvReader::read_header(const CsvRow& row) {
  auto header = std::make_shared<CsvHeader>();
  for (std::size_t i = 0; i < row.size(); ++i) header->names.emplace_back(column_name(row.field(i)));
  header->sorted_names = header->names;
  std::sort(header->sorted_names.begin(), header->sorted_names.end());
  for (const auto& name : options_.named_columns) {
    const auto found = header->find(name);
    header->by_slot.push_back(found ? static_cast<int>(*found) : -1);
    if (found) note_second_column(*header, name, *found);
  }
  if (delimiter_notice_) header->notices.push_back(*delimiter_notice_);
  header->notices.insert(header->notices.end(), title_notices_.begin(), title_notices_.end());
  header_ = std::move(header);
}

// A mapped name that a later column has too (an export that repeats "E-Mail"):
// the first is read, and the document's warnings say so rather than pick silently.
void CsvReader::note_second_column(CsvHeader& header, const std::string& name, std::size_t first) {
  const std::string folded = fold_name(header.names[first]);
  for (std::size_t i = first + 1; i < header.names.size(); ++i) {
    if (header.names[i] != header.names[first] && fold_name(header.names[i]) != folded) continue;
    header.notices.push_back("the header has two columns for '" + name + "': column " + std::to_string(first + 1) +
                             " '" + header.names[first] + "' and column " + std::to_string(i + 1) + " '" +
                             header.names[i] + "'; column " + std::to_string(first + 1) + " is read");
    return;
  }
}

namespace {

std::string shown_delimiter(char c) { return c == '\t' ? "TAB" : std::string("'") + c + "'"; }

// Fields past the header's that are empty or blank: a delimiter at the end of each
// data row (but not the header), as some exports write, adds one.
bool only_blank_after(const CsvRow& row, std::size_t columns) {
  for (std::size_t i = columns; i < row.size(); ++i) {
    if (row.field(i).find_first_not_of(" \t") != std::string_view::npos) return false;
  }
  return true;
}

}  // namespace

// A header that is one column holding another common delimiter means the file is
// split with that one: without this every column the mapping names would be
// reported missing, one warning each, and every record refused.
Status CsvReader::check_delimiter() const {
  if (header_->names.size() != 1) return ok_status();
  for (const int column : header_->by_slot) {
    if (column >= 0) return ok_status();  // the one column is one the mapping reads
  }
  for (const char other : {';', ',', '\t', '|'}) {
    if (other == options_.delimiter || header_->names[0].find(other) == std::string::npos) continue;
    return Error::make(ErrorCode::invalid, "the header has 1 column; the file seems to use " + shown_delimiter(other) +
                                               " as delimiter, the mapping expects " +
                                               shown_delimiter(options_.delimiter) + " (csv.delimiter)");
  }
  return ok_status();
}

// A title above the header ("Rücklauf Herbst 2026;;;;" from a sheet with a title
// row, "Export vom 07.12.2026"): at most one field with text, none of the columns
// the mapping names, while the mapping names two or more. Taken as the header, it
// would make every column missing and every row fail. At most five are skipped.
bool CsvReader::is_title_line(const CsvRow& row) const {
  constexpr std::size_t kMaxTitleLines = 5;
  if (options_.named_columns.size() < 2 || title_notices_.size() >= kMaxTitleLines) return false;
  for (const int column : header_->by_slot) {
    if (column >= 0) return false;
  }
  std::size_t with_text = 0;
  for (std::size_t i = 0; i < row.size(); ++i) {
    if (row.field(i).find_first_not_of(" \t") != std::string_view::npos) ++with_text;
  }
  return with_text <= 1;
}

// The header again among the data rows: exports joined into one file (`cat` of two
// downloads). Read as a record it would be refused for a column name that is no
// e-mail address, or stored as a lead named "Nachname". The second export may list
// the same columns in another order (another export profile): its rows are then read
// by its own header. The first field is checked first: a data row rarely holds a
// column's name.
CsvReader::HeaderAgain CsvReader::header_again(const CsvRow& row) const {
  const auto& names = header_->names;
  if (names.empty() || row.size() < names.size() || !only_blank_after(row, names.size())) return HeaderAgain::no;
  // The second export may start with its own byte order mark (Excel's "CSV UTF-8").
  const std::string_view first = column_name(without_byte_order_mark(row.field(0)));
  const auto& sorted = header_->sorted_names;
  if (!std::binary_search(sorted.begin(), sorted.end(), first)) return HeaderAgain::no;  // a data row
  std::vector<std::string_view> fields{first};
  fields.reserve(names.size());
  for (std::size_t i = 1; i < names.size(); ++i) fields.push_back(column_name(row.field(i)));
  if (std::equal(fields.begin(), fields.end(), names.begin())) return HeaderAgain::same_order;
  std::sort(fields.begin(), fields.end());
  if (std::equal(fields.begin(), fields.end(), sorted.begin())) return HeaderAgain::other_order;
  return HeaderAgain::no;
}

Result<std::unique_ptr<Record>> CsvReader::next() {
  CsvRow row;
  for (;;) {
    std::size_t line = 0;
    auto got = read_row(row, line);
    if (!got) return got.error();
    if (not_text_) return Error::make(ErrorCode::invalid, *not_text_);
    if (!*got) return std::unique_ptr<Record>();
    const std::string where = "line " + std::to_string(line);
    // Blank lines, and rows of delimiters only (";;;;" from Excel), are no records.
    if (!overlong_field_ && row.text.find_first_not_of(" \t") == std::string::npos) continue;
    if (overlong_field_ && options_.header && !header_) {
      return Error::make(ErrorCode::invalid, where + " (header): column " + std::to_string(*overlong_field_ + 1) +
                                                 " is longer than " + std::to_string(limits_.max_field_bytes) +
                                                 " bytes");
    }
    if (!overlong_field_) {
      if (auto refused = decode_fields(row, line)) {
        // A broken header would turn the next row into the header: stop the document.
        if (options_.header && !header_) {
          std::string message = where + " (header): ";
          if (!refused->source().empty()) message += refused->source() + ": ";
          message += refused->reason();
          return Error::make(ErrorCode::invalid, message);
        }
        return Result<std::unique_ptr<Record>>(std::unique_ptr<Record>(std::move(refused)));
      }
      if (std::exchange(first_row_, false)) {
        if (const auto sep = excel_separator(row, options_.delimiter)) {
          if (*sep == options_.delimiter) continue;  // Excel's hint line, not data
          return Error::make(ErrorCode::invalid, where + ": the file says sep=" + std::string(1, *sep) +
                                                     " but this mapping reads fields separated by '" +
                                                     std::string(1, options_.delimiter) + "' (csv.delimiter)");
        }
      }
      if (options_.header && !header_) {
        read_header(row);
        if (auto st = check_delimiter(); !st) {
          return Error::make(ErrorCode::invalid, where + " (header): " + st.error().message);
        }
        if (is_title_line(row)) {
          std::string_view title = row.text;  // the one field with text: the row's only text
          title = title.substr(title.find_first_not_of(" \t"));
          title_notices_.push_back(where + " '" + truncate_utf8(title, 60) +
                                   "' has none of the mapped columns: skipped as a title above the header");
          header_.reset();
        }
        continue;
      }
    }
    if (!overlong_field_ && header_ && options_.header) {
      const HeaderAgain again = header_again(row);
      if (again == HeaderAgain::same_order) {
        skipped_notices_.push_back(where + " repeats the header (files joined into one?): skipped");
        continue;
      }
      if (again == HeaderAgain::other_order) {
        skipped_notices_.push_back(where +
                                   " repeats the header with its columns in another order (files joined into "
                                   "one?): skipped, and the rows after it are read in its order");
        read_header(row);
        continue;
      }
    }
    if (++records_ > limits_.max_records) {
      return Error::make(ErrorCode::invalid, where + ": more than " + std::to_string(limits_.max_records) + " records");
    }
    if (overlong_field_) {
      const std::string name =
          header_ ? header_->name_of(*overlong_field_) : "column " + std::to_string(*overlong_field_ + 1);
      return Result<std::unique_ptr<Record>>(std::unique_ptr<Record>(new ErrorRecord(
          "longer than " + std::to_string(limits_.max_field_bytes) + " bytes (the field was skipped unread)", where,
          MappingErrorCode::too_long, name)));
    }
    if (header_ && row.size() > header_->names.size()) {
      if (only_blank_after(row, header_->names.size())) {
        row.ends.resize(header_->names.size());
        row.text.resize(row.ends.empty() ? 0 : row.ends.back());
      } else {
        return Result<std::unique_ptr<Record>>(std::unique_ptr<Record>(
            new ErrorRecord(std::to_string(row.size()) + " fields but the header has " +
                                std::to_string(header_->names.size()) + " (a delimiter inside an unquoted field?)",
                            where)));
      }
    }
    return Result<std::unique_ptr<Record>>(std::unique_ptr<Record>(new CsvRecord(std::move(row), line, header_)));
  }
}

}  // namespace leadhub::mapping
