#include "content_encoding.hpp"

#include "../framework/inflate.hpp"
#include "model/validation.hpp"

namespace leadhub::connectors {

Status decode_content_encoding(const std::string& encoding, std::string& body, std::size_t max_decoded) {
  const std::string coding = lower_ascii(encoding);
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
