// A Beast body type for requests: takes the body as it arrives, undoes its
// content coding (gzip, deflate) on the way, and keeps the decoded bytes in memory
// or writes them to a spool file, so an upload is never held whole, coded or not.
// The route's size limit applies to the decoded bytes: a small body that inflates
// past it (a "zip bomb") is stopped there, not decoded to its end.
#pragma once

#include <boost/beast/core/buffers_range.hpp>
#include <boost/beast/core/file.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/optional.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "../framework/inflate.hpp"

namespace leadhub::connectors::http {

struct DecodingBody {
  // Beast names these two (its Body concept).
  struct value_type {  // NOLINT(readability-identifier-naming)
    std::string text;                    // the decoded body, unless `file` is open
    boost::beast::file file;             // open: the decoded body goes there (spooled uploads)
    std::unique_ptr<Inflater> inflater;  // null: the body has no content coding
    std::uint64_t limit = 0;             // decoded bytes allowed
    std::uint64_t size = 0;              // decoded bytes so far
    bool too_large = false;              // the decoded bytes passed `limit`
    std::optional<Error> fault;          // why the body could not be decoded (invalid) or kept (unavailable)

    // Keeps decoded bytes; an error when they pass the limit or cannot be written.
    Status keep(std::string_view decoded);
  };

  class reader {  // NOLINT(readability-identifier-naming)
   public:
    template <bool isRequest, class Fields>
    reader(boost::beast::http::header<isRequest, Fields>& /*head*/, value_type& body) : body_(body) {}

    void init(const boost::optional<std::uint64_t>& length, boost::beast::error_code& ec);

    template <class ConstBufferSequence>
    std::size_t put(const ConstBufferSequence& buffers, boost::beast::error_code& ec) {
      std::size_t taken = 0;
      for (const auto buffer : boost::beast::buffers_range_ref(buffers)) {
        if (!take({static_cast<const char*>(buffer.data()), buffer.size()}, ec)) return taken;
        taken += buffer.size();
      }
      return taken;
    }

    void finish(boost::beast::error_code& ec);

   private:
    bool take(std::string_view bytes, boost::beast::error_code& ec);
    void fail(const Error& error, boost::beast::error_code& ec);

    value_type& body_;
  };
};

}  // namespace leadhub::connectors::http
