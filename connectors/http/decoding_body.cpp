#include "decoding_body.hpp"

#include <algorithm>
#include <boost/system/error_code.hpp>

namespace leadhub::connectors::http {

Status DecodingBody::value_type::keep(std::string_view decoded) {
  if (decoded.size() > limit - size) {
    too_large = true;
    return Error::make(ErrorCode::invalid, "the body is larger than " + std::to_string(limit) + " bytes");
  }
  size += decoded.size();
  if (!file.is_open()) {
    text.append(decoded);
    return ok_status();
  }
  boost::beast::error_code ec;
  file.write(decoded.data(), decoded.size(), ec);
  if (ec) return Error::make(ErrorCode::unavailable, "cannot write the upload: " + ec.message());
  return ok_status();
}

void DecodingBody::reader::init(const boost::optional<std::uint64_t>& length, boost::beast::error_code& ec) {
  ec = {};
  // A body without a coding is as long as it says; a coded one grows as it decodes.
  if (length && !body_.inflater && !body_.file.is_open()) body_.text.reserve(std::min(*length, body_.limit));
}

bool DecodingBody::reader::take(std::string_view bytes, boost::beast::error_code& ec) {
  ec = {};
  const auto keep = [this](std::string_view decoded) { return body_.keep(decoded); };
  auto st = body_.inflater ? body_.inflater->feed(bytes, keep) : keep(bytes);
  if (!st) fail(st.error(), ec);
  return static_cast<bool>(st);
}

void DecodingBody::reader::finish(boost::beast::error_code& ec) {
  ec = {};
  if (!body_.inflater) return;
  if (auto st = body_.inflater->finish(); !st) fail(st.error(), ec);
}

// The parser stops with an error code; what went wrong stays in the body for the answer.
void DecodingBody::reader::fail(const Error& error, boost::beast::error_code& ec) {
  if (body_.too_large) {
    ec = boost::beast::http::error::body_limit;
    return;
  }
  body_.fault = error;
  ec = boost::system::errc::make_error_code(boost::system::errc::illegal_byte_sequence);
}

}  // namespace leadhub::connectors::http
