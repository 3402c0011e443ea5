// Decompression of gzip (RFC 1952) and deflate (RFC 1950, or raw RFC 1951) data as
// it arrives, on zlib: the one place the hub uses it. Request bodies with a
// Content-Encoding (http/decoding_body.hpp) and gzip batch files (inflate_stream.hpp)
// both go through it. Errors are values; zlib throws nothing.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace leadhub::connectors {

enum class Compression {
  gzip,     // one or more gzip members, as `gzip` and `cat a.gz b.gz` write
  deflate,  // zlib-wrapped deflate; raw deflate too, which some clients send for "deflate"
};

const char* to_string(Compression format);
// The format of a content coding name as HTTP and AMQP write it, in lower case:
// gzip, x-gzip, deflate. Anything else (br, compress, identity) is none of them.
std::optional<Compression> compression_named(std::string_view coding);

// Bytes 1f 8b: how every gzip file starts, whatever its name.
bool starts_like_gzip(std::string_view bytes);

class Inflater {
 public:
  // Takes each run of decoded bytes; an error stops the decoding and comes back
  // from feed() unchanged (a size limit passed, a write failed).
  using Sink = std::function<Status(std::string_view decoded)>;

  explicit Inflater(Compression format);
  ~Inflater();
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;

  // Decodes the next compressed bytes. Corrupt data: "gzip data is corrupt: <zlib's reason>".
  Status feed(std::string_view compressed, const Sink& sink);
  // After the last byte: an error unless the compressed stream ended there
  // ("the body ends before the gzip stream does").
  Status finish() const;

 private:
  Status start(bool raw_deflate);
  Status inflate_all(std::string_view compressed, const Sink& sink);

  struct Stream;
  std::unique_ptr<Stream> stream_;
  Compression format_;
  std::string header_;  // deflate: the first bytes, until they tell zlib-wrapped from raw
};

}  // namespace leadhub::connectors
