// Single-byte encodings partners still send (ISO-8859-1, Windows-1252, ISO-8859-15)
// to UTF-8, the only encoding inside the hub.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace leadhub::mapping {

// latin1 reads 0x80-0x9F as Windows-1252 where that code page defines them, as
// browsers read a file labelled ISO-8859-1.
enum class SingleByte { latin1, windows1252, latin9 };

std::string single_byte_to_utf8(std::string_view in, SingleByte encoding);
void append_single_byte_as_utf8(std::string& out, std::string_view in, SingleByte encoding);
bool is_ascii(std::string_view text);

// UTF-16 (what Excel's "Unicode text" writes) to UTF-8. Appends the code units of
// `in` and returns how many bytes at its end wait for the next call (half a unit, or
// a high surrogate without its pair yet); with `at_end` nothing waits. A surrogate
// without its pair, or a last odd byte, becomes U+FFFD, as other tools do.
enum class Utf16 { little_endian, big_endian };
std::size_t append_utf16_as_utf8(std::string& out, std::string_view in, Utf16 order, bool at_end);
// UTF-8 to ISO-8859-1 for partners that want it back; other characters become '?'.
std::string utf8_to_latin1(std::string_view utf8);

}  // namespace leadhub::mapping
