#include "inflate_stream.hpp"

#include <array>

namespace leadhub::connectors {

InflateBuffer::InflateBuffer(std::istream& in, std::string already_read) : in_(in), pending_(std::move(already_read)) {}

// Decodes compressed bytes until some decoded ones are there, the data ends, or
// it breaks; zlib keeps what a chunk leaves half-decoded.
InflateBuffer::int_type InflateBuffer::underflow() {
  if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
  out_.clear();
  // Small reads: one chunk of zeros can decode to a thousand times its size.
  std::array<char, std::size_t{16} * 1024> chunk{};
  while (out_.empty() && !at_end_) {
    if (pending_.empty()) {
      in_.read(chunk.data(), chunk.size());
      pending_.assign(chunk.data(), static_cast<std::size_t>(in_.gcount()));
      if (pending_.empty()) {
        at_end_ = true;
        if (auto st = inflater_.finish(); !st) error_ = st.error();
        break;
      }
    }
    auto st = inflater_.feed(pending_, [this](std::string_view decoded) {
      out_.append(decoded);
      return ok_status();
    });
    pending_.clear();
    if (!st) {
      error_ = st.error();
      at_end_ = true;
    }
  }
  if (out_.empty()) return traits_type::eof();
  setg(out_.data(), out_.data(), out_.data() + out_.size());
  return traits_type::to_int_type(*gptr());
}

MaybeCompressedInput::MaybeCompressedInput(std::istream& in) : in_(in) {
  if (in.peek() != 0x1f) return;
  in.get();
  if (in.peek() != 0x8b) {
    in.unget();  // clears eofbit first, so a file of the one byte 1f reads on as it is
    return;
  }
  in.get();
  buffer_ = std::make_unique<InflateBuffer>(in, "\x1f\x8b");
  decoded_ = std::make_unique<std::istream>(buffer_.get());
}

}  // namespace leadhub::connectors
