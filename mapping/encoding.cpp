#include "encoding.hpp"

#include <array>
#include <cstdint>
#include <cstring>

#include "util/utf8.hpp"

namespace leadhub::mapping {
namespace {

// Windows-1252 0x80-0x9F as Unicode code points (0 = undefined in the code page).
constexpr std::array<std::uint16_t, 32> kCp1252 = {0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
                                                   0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017D, 0,
                                                   0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
                                                   0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178};

// Mac OS Roman 0x80-0xFF as Unicode code points (Apple's mapping, 0xDB the euro
// sign): what Excel for Mac writes as plain "CSV" ("Comma Separated Values").
constexpr std::array<std::uint16_t, 128> kMacRoman = {
    0x00C4, 0x00C5, 0x00C7, 0x00C9, 0x00D1, 0x00D6, 0x00DC, 0x00E1, 0x00E0, 0x00E2, 0x00E4, 0x00E3, 0x00E5,
    0x00E7, 0x00E9, 0x00E8, 0x00EA, 0x00EB, 0x00ED, 0x00EC, 0x00EE, 0x00EF, 0x00F1, 0x00F3, 0x00F2, 0x00F4,
    0x00F6, 0x00F5, 0x00FA, 0x00F9, 0x00FB, 0x00FC, 0x2020, 0x00B0, 0x00A2, 0x00A3, 0x00A7, 0x2022, 0x00B6,
    0x00DF, 0x00AE, 0x00A9, 0x2122, 0x00B4, 0x00A8, 0x2260, 0x00C6, 0x00D8, 0x221E, 0x00B1, 0x2264, 0x2265,
    0x00A5, 0x00B5, 0x2202, 0x2211, 0x220F, 0x03C0, 0x222B, 0x00AA, 0x00BA, 0x03A9, 0x00E6, 0x00F8, 0x00BF,
    0x00A1, 0x00AC, 0x221A, 0x0192, 0x2248, 0x2206, 0x00AB, 0x00BB, 0x2026, 0x00A0, 0x00C0, 0x00C3, 0x00D5,
    0x0152, 0x0153, 0x2013, 0x2014, 0x201C, 0x201D, 0x2018, 0x2019, 0x00F7, 0x25CA, 0x00FF, 0x0178, 0x2044,
    0x20AC, 0x2039, 0x203A, 0xFB01, 0xFB02, 0x2021, 0x00B7, 0x201A, 0x201E, 0x2030, 0x00C2, 0x00CA, 0x00C1,
    0x00CB, 0x00C8, 0x00CD, 0x00CE, 0x00CF, 0x00CC, 0x00D3, 0x00D4, 0xF8FF, 0x00D2, 0x00DA, 0x00DB, 0x00D9,
    0x0131, 0x02C6, 0x02DC, 0x00AF, 0x02D8, 0x02D9, 0x02DA, 0x00B8, 0x02DD, 0x02DB, 0x02C7,
};

}  // namespace

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {  // beyond the Basic Multilingual Plane
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

namespace {

// ISO-8859-15 differs from ISO-8859-1 in eight places (the euro sign among them).
std::uint32_t latin9(unsigned char c) {
  switch (c) {
    case 0xA4:
      return 0x20AC;
    case 0xA6:
      return 0x0160;
    case 0xA8:
      return 0x0161;
    case 0xB4:
      return 0x017D;
    case 0xB8:
      return 0x017E;
    case 0xBC:
      return 0x0152;
    case 0xBD:
      return 0x0153;
    case 0xBE:
      return 0x0178;
    default:
      return c;
  }
}

}  // namespace

// Called for every field of every record: 8 bytes at a time.
bool is_ascii(std::string_view text) {
  std::size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, text.data() + i, 8);
    if ((word & 0x8080808080808080ULL) != 0) return false;
  }
  for (; i < text.size(); ++i) {
    if (static_cast<unsigned char>(text[i]) >= 0x80) return false;
  }
  return true;
}

std::size_t first_undefined_byte(std::string_view in, SingleByte encoding) {
  if (encoding == SingleByte::latin9 || encoding == SingleByte::mac_roman) return std::string_view::npos;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (c >= 0x80 && c < 0xA0 && kCp1252[c - 0x80] == 0) return i;
  }
  return std::string_view::npos;
}

std::string undefined_byte_reason(unsigned char byte, std::string_view at, std::string_view encoding,
                                  std::string_view remedy) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "byte 0x";
  out += kHex[byte >> 4U];
  out += kHex[byte & 0xFU];
  out += at;
  out += " is no character in ";
  out += encoding;
  out += "; the file is probably in another code page (DOS CP850 or CP437 write \u00fc as 0x81): ";
  out += remedy;
  return out;
}

std::size_t first_invalid_utf8(std::string_view text) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  for (std::size_t i = 0; i < text.size();) {
    if (i + 8 <= text.size()) {  // ASCII, most of a document, eight bytes at a time
      std::uint64_t word = 0;
      std::memcpy(&word, bytes + i, 8);
      if ((word & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    const std::size_t length = utf8_sequence_length(bytes + i, text.size() - i);
    if (length == 0) return i;
    i += length;
  }
  return std::string_view::npos;
}

std::string control_character_name(unsigned char c) {
  static constexpr std::array<const char*, 32> kNames = {
      "NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS",  "TAB", "LF",  "VT",  "FF", "CR", "SO", "SI",
      "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM",  "SUB", "ESC", "FS", "GS", "RS", "US"};
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "U+00";
  out += kHex[c >> 4U];
  out += kHex[c & 0xFU];
  out += " (";
  out += c < 0x20 ? kNames[c] : "DEL";
  out += ")";
  return out;
}

std::size_t first_control_character(std::string_view text, bool allow_newlines) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != 0x7F) continue;
    if (allow_newlines && (c == '\n' || c == '\r' || c == '\t')) continue;
    return i;
  }
  return std::string_view::npos;
}

std::string single_byte_to_utf8(std::string_view in, SingleByte encoding) {
  std::string out;
  append_single_byte_as_utf8(out, in, encoding);
  return out;
}

void append_single_byte_as_utf8(std::string& out, std::string_view in, SingleByte encoding) {
  out.reserve(out.size() + in.size() + in.size() / 8);
  for (std::size_t i = 0; i < in.size(); ++i) {
    const auto c = static_cast<unsigned char>(in[i]);
    if (c < 0x80) {  // ASCII runs (most of any Latin text) are copied as they are
      std::size_t end = i + 1;
      while (end < in.size() && static_cast<unsigned char>(in[end]) < 0x80) ++end;
      out.append(in.data() + i, end - i);
      i = end - 1;
    } else if (encoding == SingleByte::mac_roman) {
      append_utf8(out, kMacRoman[c - 0x80]);
    } else if (encoding != SingleByte::latin9 && c < 0xA0) {
      // Files labelled ISO-8859-1 are written by Windows tools: their 0x80-0x9F are
      // Windows-1252 (euro sign, curly quotes, dashes), never the C1 controls a
      // literal reading gives. Browsers decode the label the same way (WHATWG).
      const std::uint16_t cp = kCp1252[c - 0x80];
      append_utf8(out, cp != 0 ? cp : encoding == SingleByte::latin1 ? c : 0xFFFD);
    } else {
      append_utf8(out, encoding == SingleByte::latin9 ? latin9(c) : c);
    }
  }
}

std::size_t append_utf16_as_utf8(std::string& out, std::string_view in, Utf16 order, bool at_end) {
  const auto unit = [&](std::size_t i) -> std::uint32_t {
    const auto first = static_cast<unsigned char>(in[i]);
    const auto second = static_cast<unsigned char>(in[i + 1]);
    return order == Utf16::little_endian ? first | (second << 8U) : (first << 8U) | second;
  };
  constexpr std::uint32_t kReplacement = 0xFFFD;
  std::size_t i = 0;
  while (i + 2 <= in.size()) {
    const std::uint32_t u = unit(i);
    const bool high = u >= 0xD800 && u <= 0xDBFF;
    if (high && i + 4 > in.size() && !at_end) return in.size() - i;  // its pair is in the next chunk
    std::uint32_t cp = u;
    std::size_t step = 2;
    if (u >= 0xD800 && u <= 0xDFFF) {
      const std::uint32_t low = high && i + 4 <= in.size() ? unit(i + 2) : 0;
      if (low >= 0xDC00 && low <= 0xDFFF) {
        cp = 0x10000 + ((u - 0xD800) << 10U) + (low - 0xDC00);
        step = 4;
      } else {
        cp = kReplacement;  // a surrogate without its pair
      }
    }
    append_utf8(out, cp);
    i += step;
  }
  if (i == in.size()) return 0;
  if (!at_end) return in.size() - i;
  append_utf8(out, kReplacement);  // an odd byte at the very end
  return 0;
}

std::optional<Utf16> read_utf16_byte_order_mark(std::istream& in) {
  const int first = in.peek();
  if (first != 0xFF && first != 0xFE) return std::nullopt;
  in.get();
  const int second = in.peek();
  if ((first == 0xFF && second == 0xFE) || (first == 0xFE && second == 0xFF)) {
    in.get();
    return first == 0xFF ? Utf16::little_endian : Utf16::big_endian;
  }
  in.unget();  // one byte a stream always gives back
  return std::nullopt;
}

Utf16ToUtf8Buffer::int_type Utf16ToUtf8Buffer::underflow() {
  constexpr std::size_t kChunk = std::size_t{1} << 16;
  out_.clear();
  while (out_.empty()) {
    if (!in_) return traits_type::eof();  // raw_ was flushed by the last read's at_end
    const std::size_t keep = raw_.size();
    raw_.resize(keep + kChunk);
    in_.read(raw_.data() + keep, static_cast<std::streamsize>(kChunk));
    raw_.resize(keep + static_cast<std::size_t>(in_.gcount()));
    const std::size_t waiting = append_utf16_as_utf8(out_, raw_, order_, !in_);
    raw_.erase(0, raw_.size() - waiting);
  }
  setg(out_.data(), out_.data(), out_.data() + out_.size());
  return traits_type::to_int_type(out_[0]);
}

namespace {

// The code point of the UTF-8 character at text[i] (valid UTF-8 assumed) and its length.
std::uint32_t code_point_at(std::string_view text, std::size_t i, std::size_t& length) {
  const auto c = static_cast<unsigned char>(text[i]);
  length = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  if (length == 1 || i + length > text.size()) {
    length = 1;
    return c;
  }
  std::uint32_t cp = c & (0x7F >> length);
  for (std::size_t k = 1; k < length; ++k) cp = (cp << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3F);
  return cp;
}

// The byte Windows-1252 (or ISO-8859-1, for U+0080-U+009F) writes as this code
// point, or -1.
int windows1252_byte_of(std::uint32_t cp) {
  if (cp < 0x100) return static_cast<int>(cp);
  for (std::size_t b = 0; b < kCp1252.size(); ++b) {
    if (kCp1252[b] == cp) return static_cast<int>(0x80 + b);
  }
  return -1;
}

bool is_valid_utf8(std::string_view bytes) {
  for (std::size_t i = 0; i < bytes.size();) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    const std::size_t length = c < 0x80             ? 1
                               : (c & 0xE0) == 0xC0 ? 2
                               : (c & 0xF0) == 0xE0 ? 3
                               : (c & 0xF8) == 0xF0 ? 4
                                                    : 0;
    if (length == 0 || (length == 2 && c < 0xC2) || i + length > bytes.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(bytes[i + k]) & 0xC0) != 0x80) return false;
    }
    i += length;
  }
  return true;
}

}  // namespace

std::optional<std::string> mojibake_repaired(std::string_view text) {
  // A UTF-8 lead byte C2-DF, E2 or E3 read as Windows-1252 is 'Â'..'ß', 'â' or 'ã',
  // each written in UTF-8 as C3 and a second byte: no C3, no damage.
  if (std::memchr(text.data(), 0xC3, text.size()) == nullptr) return std::nullopt;
  std::string bytes;
  bytes.reserve(text.size());
  bool pair = false;  // a lead letter followed by what a continuation byte becomes
  int previous = -1;
  for (std::size_t i = 0; i < text.size();) {
    std::size_t length = 0;
    const int byte = windows1252_byte_of(code_point_at(text, i, length));
    if (byte < 0) return std::nullopt;  // a character no single byte gives: not this damage
    if (byte >= 0x80 && byte <= 0xBF && previous >= 0xC2 && previous <= 0xF4) pair = true;
    bytes += static_cast<char>(byte);
    previous = byte;
    i += length;
  }
  if (!pair || !is_valid_utf8(bytes)) return std::nullopt;
  return bytes;
}

std::string utf8_to_latin1(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  for (std::size_t i = 0; i < utf8.size(); ++i) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else if ((c & 0xE0) == 0xC0 && i + 1 < utf8.size()) {
      const unsigned cp = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(utf8[++i]) & 0x3Fu);
      out += cp < 0x100 ? static_cast<char>(cp) : '?';
    } else {
      while (i + 1 < utf8.size() && (static_cast<unsigned char>(utf8[i + 1]) & 0xC0) == 0x80) ++i;
      out += '?';
    }
  }
  return out;
}

}  // namespace leadhub::mapping
