#include "content_encoding.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

#include "../framework/inflate.hpp"

namespace leadhub::connectors {
namespace {

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

std::optional<Compression> compression_named(const std::string& coding) {
  if (coding == "gzip" || coding == "x-gzip") return Compression::gzip;
  if (coding == "deflate") return Compression::deflate;
  return std::nullopt;
}

}  // namespace

Status decode_content_encoding(const std::string& encoding, std::string& body, std::size_t max_decoded) {
  const std::string coding = lower(encoding);
  if (coding.empty() || coding == "identity") return ok_status();
  const auto format = compression_named(coding);
  if (!format) {
    return Error::invalid({{"content_encoding", "'" + encoding +
                                                    "' is not supported: send the body uncompressed, or as gzip or "
                                                    "deflate"}});
  }
  std::string decoded;
  bool too_large = false;
  Inflater inflater(*format);
  const auto append = [&](std::string_view run) -> Status {
    if (decoded.size() + run.size() > max_decoded) {
      too_large = true;
      return Error::make(ErrorCode::invalid, "too large");  // stops the decoding; reported below
    }
    decoded.append(run);
    return ok_status();
  };
  Status st = inflater.feed(body, append);
  if (st) st = inflater.finish();
  if (too_large) {
    return Error::invalid(
        {{"body", "larger than max_message_bytes (" + std::to_string(max_decoded) + ") once decoded from " + coding}});
  }
  if (!st) return Error::invalid({{"body", st.error().message + " (content_encoding " + coding + ")"}});
  body = std::move(decoded);
  return ok_status();
}

}  // namespace leadhub::connectors
