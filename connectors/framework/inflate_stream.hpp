// Batch files compressed with gzip: recognised by their first two bytes (1f 8b),
// not by their name, and decoded as they are read, so a large .gz never sits in
// memory whole. Line numbers a reader counts are those of the decoded text.
#pragma once

#include <istream>
#include <memory>
#include <optional>
#include <streambuf>
#include <string>

#include "inflate.hpp"

namespace leadhub::connectors {

// A stream buffer giving the decoded bytes of the gzip data in `in`. Corrupt or
// cut-short data ends the decoded stream early; error() then says why.
class InflateBuffer final : public std::streambuf {
 public:
  // `already_read`: the first bytes, taken from `in` to recognise the format.
  InflateBuffer(std::istream& in, std::string already_read);

  const std::optional<Error>& error() const { return error_; }

 protected:
  int_type underflow() override;

 private:
  std::istream& in_;
  std::string pending_;  // compressed bytes read from `in_`, not yet decoded
  Inflater inflater_{Compression::gzip};
  std::string out_;  // decoded, handed out through the get area
  std::optional<Error> error_;
  bool at_end_ = false;
};

// `in` as a reader should see it: itself, or its decoded bytes when it is gzip.
class MaybeCompressedInput {
 public:
  explicit MaybeCompressedInput(std::istream& in);
  std::istream& stream() { return decoded_ ? *decoded_ : in_; }
  bool compressed() const { return buffer_ != nullptr; }
  // Why the gzip data could not be read to its end, if it could not.
  std::optional<Error> error() const { return buffer_ ? buffer_->error() : std::nullopt; }

 private:
  std::istream& in_;
  std::unique_ptr<InflateBuffer> buffer_;
  std::unique_ptr<std::istream> decoded_;
};

}  // namespace leadhub::connectors
