#include "inflate.hpp"

#include <zlib.h>

#include <array>

namespace leadhub::connectors {
namespace {

// zlib's window bits: 15 (the largest window) plus 16 for the gzip wrapper, or
// negative for raw deflate without a wrapper.
constexpr int kGzipWindow = 16 + MAX_WBITS;
constexpr int kZlibWindow = MAX_WBITS;
constexpr int kRawWindow = -MAX_WBITS;

// RFC 1950 2.2: method 8 (deflate), a window of at most 32 KB, and the two
// bytes as a big-endian number a multiple of 31. Raw deflate rarely passes this.
bool zlib_header(unsigned char cmf, unsigned char flg) {
  return (cmf & 0x0f) == 8 && (cmf >> 4) <= 7 && ((cmf << 8) | flg) % 31 == 0;
}

Error corrupt(Compression format, const char* reason) {
  return Error::make(ErrorCode::invalid, std::string(to_string(format)) +
                                             " data is corrupt: " + (reason != nullptr ? reason : "no reason given"));
}

}  // namespace

const char* to_string(Compression format) { return format == Compression::gzip ? "gzip" : "deflate"; }

std::optional<Compression> compression_named(std::string_view coding) {
  if (coding == "gzip" || coding == "x-gzip") return Compression::gzip;
  if (coding == "deflate") return Compression::deflate;
  return std::nullopt;
}

bool starts_like_gzip(std::string_view bytes) { return bytes.size() >= 2 && bytes[0] == '\x1f' && bytes[1] == '\x8b'; }

struct Inflater::Stream {
  z_stream z{};
  bool ended = false;  // the compressed stream (its last gzip member so far) is complete
  std::array<unsigned char, std::size_t{64} * 1024> out{};
  ~Stream() { inflateEnd(&z); }
};

Inflater::Inflater(Compression format) : format_(format) {}

Inflater::~Inflater() = default;

Status Inflater::start(bool raw_deflate) {
  stream_ = std::make_unique<Stream>();
  const int window = format_ == Compression::gzip ? kGzipWindow : raw_deflate ? kRawWindow : kZlibWindow;
  if (inflateInit2(&stream_->z, window) != Z_OK) {
    stream_.reset();
    return Error::make(ErrorCode::unavailable, "cannot start decompressing: out of memory");
  }
  return ok_status();
}

Status Inflater::feed(std::string_view compressed, const Sink& sink) {
  if (stream_) return inflate_all(compressed, sink);
  if (format_ == Compression::gzip) {
    if (auto st = start(false); !st) return st;
    return inflate_all(compressed, sink);
  }
  // deflate: the first two bytes say whether a zlib wrapper is there.
  header_.append(compressed);
  if (header_.size() < 2) return ok_status();
  const auto cmf = static_cast<unsigned char>(header_[0]);
  const auto flg = static_cast<unsigned char>(header_[1]);
  if (auto st = start(!zlib_header(cmf, flg)); !st) return st;
  const std::string first = std::move(header_);
  header_.clear();
  return inflate_all(first, sink);
}

Status Inflater::inflate_all(std::string_view compressed, const Sink& sink) {
  auto& s = *stream_;
  auto& z = s.z;
  // zlib's API is not const-correct: it never writes through next_in.
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
  z.avail_in = static_cast<uInt>(compressed.size());
  for (;;) {
    if (s.ended) {
      if (z.avail_in == 0) return ok_status();
      // gzip: another member follows (cat a.gz b.gz is one gzip file); deflate: nothing may.
      if (format_ != Compression::gzip) return corrupt(format_, "bytes after the end of the deflate stream");
      inflateReset(&z);
      s.ended = false;
    }
    z.next_out = s.out.data();
    z.avail_out = static_cast<uInt>(s.out.size());
    const uInt had_in = z.avail_in;
    const int rc = inflate(&z, Z_NO_FLUSH);
    const std::size_t produced = s.out.size() - z.avail_out;
    if (produced > 0) {
      if (auto st = sink({reinterpret_cast<const char*>(s.out.data()), produced}); !st) return st;
    }
    if (rc == Z_STREAM_END) {
      s.ended = true;
    } else if (rc == Z_OK || rc == Z_BUF_ERROR) {
      // Everything taken and the output not full: zlib waits for the next bytes.
      const bool stalled = produced == 0 && z.avail_in == had_in;
      if ((z.avail_in == 0 && z.avail_out != 0) || stalled) return ok_status();
    } else {
      return corrupt(format_, z.msg);
    }
  }
}

Status Inflater::finish() const {
  if (stream_ && stream_->ended) return ok_status();
  return Error::make(ErrorCode::invalid,
                     std::string(to_string(format_)) + " data ends before the compressed stream does (cut short?)");
}

}  // namespace leadhub::connectors
