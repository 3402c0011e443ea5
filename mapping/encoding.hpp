// Single-byte encodings partners still send (ISO-8859-1, Windows-1252, ISO-8859-15)
// to UTF-8, the only encoding inside the hub.
#pragma once

#include <cstddef>
#include <cstdint>
#include <istream>
#include <optional>
#include <streambuf>
#include <string>
#include <string_view>

namespace leadhub::mapping {

// latin1 reads 0x80-0x9F as Windows-1252 where that code page defines them, as
// browsers read a file labelled ISO-8859-1.
// mac_roman is Mac OS Roman, what Excel for Mac writes as plain "CSV".
enum class SingleByte { latin1, windows1252, latin9, mac_roman };

std::string single_byte_to_utf8(std::string_view in, SingleByte encoding);
// Appends the code point `cp` (at most U+10FFFF, not a surrogate) as UTF-8.
void append_utf8(std::string& out, std::uint32_t cp);
void append_single_byte_as_utf8(std::string& out, std::string_view in, SingleByte encoding);
bool is_ascii(std::string_view text);
// Where the first byte of `in` is that Windows-1252 leaves undefined (0x81, 0x8D,
// 0x8F, 0x90, 0x9D), or npos; always npos for latin9 and mac_roman. Such a byte in a file labelled
// ISO-8859-1 or Windows-1252 means the file is in another code page: DOS CP850 and
// CP437 write ü as 0x81, so "M\x81ller" is Müller, and decoding it would
// lose the letter.
std::size_t first_undefined_byte(std::string_view in, SingleByte encoding);
// The reason for such a byte, shared by the readers: "byte 0x81<at> is no character
// in <encoding>; the file is probably in another code page (DOS CP850 or CP437
// write ü as 0x81): <remedy>". `at` follows the byte (" at position 3", or empty).
std::string undefined_byte_reason(unsigned char byte, std::string_view at, std::string_view encoding,
                                  std::string_view remedy);

// Where the first byte of `text` is that is no part of valid UTF-8 (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF), or npos. Control
// characters are valid UTF-8 here; first_control_character finds those.
std::size_t first_invalid_utf8(std::string_view text);

// An ASCII control character for messages: "U+0000 (NUL)", "U+001B (ESC)".
std::string control_character_name(unsigned char c);
// Where the first ASCII control character of `text` is (tab, CR and LF count as
// text when allow_newlines), or npos.
std::size_t first_control_character(std::string_view text, bool allow_newlines);

// UTF-16 (what Excel's "Unicode text" writes) to UTF-8. Appends the code units of
// `in` and returns how many bytes at its end wait for the next call (half a unit, or
// a high surrogate without its pair yet); with `at_end` nothing waits. A surrogate
// without its pair, or a last odd byte, becomes U+FFFD, as other tools do.
enum class Utf16 { little_endian, big_endian };
std::size_t append_utf16_as_utf8(std::string& out, std::string_view in, Utf16 order, bool at_end);

// Reads a UTF-16 byte order mark (FF FE or FE FF) at the start of `in` and says
// which it was; anything else is left unread.
std::optional<Utf16> read_utf16_byte_order_mark(std::istream& in);

// A stream buffer that reads UTF-16 from `in` (after its byte order mark) and gives
// UTF-8, a chunk at a time: a UTF-16 file (PowerShell's `>`, Notepad's "Unicode")
// read by a reader that expects UTF-8, as it streams in.
class Utf16ToUtf8Buffer final : public std::streambuf {
 public:
  Utf16ToUtf8Buffer(std::istream& in, Utf16 order) : in_(in), order_(order) {}

 protected:
  int_type underflow() override;

 private:
  std::istream& in_;
  Utf16 order_;
  std::string raw_;  // read, not yet decoded (half a unit, a high surrogate)
  std::string out_;  // decoded, handed out through the get area
};
// What `text` said before it was damaged by being read as Windows-1252 (or
// ISO-8859-1) though it was UTF-8, and saved as UTF-8 again ("MÃ¼ller" for "Müller",
// "â€ž" for "„"), or nullopt when it does not look so damaged: every character
// goes back to one byte, those bytes are UTF-8 with at least one letter of more than
// one byte, and the text has one of the two-character pairs that damage makes.
// Values without the byte 0xC3 (no 'Ã', 'Â', 'â', ...) cost one memchr.
std::optional<std::string> mojibake_repaired(std::string_view text);

// UTF-8 to ISO-8859-1 for partners that want it back; other characters become '?'.
std::string utf8_to_latin1(std::string_view utf8);

}  // namespace leadhub::mapping
