#include "content_coding.hpp"

#include <string>
#include <vector>

#include "model/validation.hpp"

namespace leadhub::connectors::http {
namespace {

std::string_view trimmed(std::string_view text) {
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  return text;
}

// The codings of every Content-Encoding field, in order, lower case, without
// identity (which means no coding) and empty list elements.
std::vector<std::string> codings_of(const RequestHeader& head) {
  std::vector<std::string> out;
  for (auto [it, end] = head.equal_range(bhttp::field::content_encoding); it != end; ++it) {
    std::string_view list(it->value().data(), it->value().size());
    while (!list.empty()) {
      const auto comma = list.find(',');
      auto coding = lower_ascii(trimmed(list.substr(0, comma)));
      if (!coding.empty() && coding != "identity") out.push_back(std::move(coding));
      list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
    }
  }
  return out;
}

std::string joined(const std::vector<std::string>& codings) {
  std::string out;
  for (const auto& c : codings) out += (out.empty() ? "" : ", ") + c;
  return out;
}

}  // namespace

Result<std::optional<Compression>> content_coding(const RequestHeader& head) {
  const auto codings = codings_of(head);
  if (codings.empty()) return std::optional<Compression>{};
  if (codings.size() > 1) {
    return Error::make(ErrorCode::invalid, "the body has more than one content coding (" + joined(codings) +
                                               "); send it with one of " + kAcceptedCodings);
  }
  const auto& coding = codings.front();
  if (const auto format = compression_named(coding)) return format;
  return Error::make(ErrorCode::invalid, "Content-Encoding " + coding + " is not supported; send the body as " +
                                             kAcceptedCodings + " or without a coding");
}

}  // namespace leadhub::connectors::http
