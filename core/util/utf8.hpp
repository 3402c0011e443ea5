// UTF-8 validation by sequence, shared by the JSON error scanner (core/json) and
// the decoders of partner files (mapping/encoding).
#pragma once

#include <cstddef>

namespace leadhub {

// The length of the valid UTF-8 sequence at `p`, of which `left` bytes are
// readable (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF),
// or 0 when the bytes there are no such sequence.
inline std::size_t utf8_sequence_length(const unsigned char* p, std::size_t left) {
  const unsigned char c = p[0];
  if (c < 0x80) return 1;
  std::size_t n = 0;
  unsigned char low = 0x80;  // the range of the second byte
  unsigned char high = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) {
    n = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) low = 0xA0;   // overlong
    if (c == 0xED) high = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) low = 0x90;   // overlong
    if (c == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    return 0;
  }
  if (left < n || p[1] < low || p[1] > high) return 0;
  for (std::size_t i = 2; i < n; ++i) {
    if ((p[i] & 0xC0) != 0x80) return 0;
  }
  return n;
}

}  // namespace leadhub
