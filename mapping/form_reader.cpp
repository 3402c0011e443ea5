// Form posts: application/x-www-form-urlencoded bodies (the HTTP connector hands
// multipart fields over as name/value pairs). A repeated name (checkboxes) joins
// its different values with ", ".
#include <algorithm>
#include <sstream>

#include "model/validation.hpp"
#include "reader_factory.hpp"

namespace leadhub::mapping {
namespace {

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string url_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && hex_digit(s[i + 1]) >= 0 && hex_digit(s[i + 2]) >= 0) {
      out += static_cast<char>(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
      i += 2;
    } else {
      out += s[i];  // a lone '%' stays as it is
    }
  }
  return out;
}

class FormRecord final : public Record {
 public:
  explicit FormRecord(std::vector<std::pair<std::string, std::string>> fields) : fields_(std::move(fields)) {}

  // A name sent more than once gives its values joined with ", " (checkboxes), a
  // value sent again only once: a page that holds the same hidden field twice
  // (utm_campaign in the template and in the form) gave "herbst, herbst".
  std::optional<std::string> value(const SourcePath& path) const override {
    std::optional<std::string> out;
    std::vector<std::string_view> taken;
    for (const auto& [name, value] : fields_) {
      if (name != path.text) continue;
      if (!out) {
        out = value;
        taken.push_back(value);
      } else if (!value.empty() && std::find(taken.begin(), taken.end(), value) == taken.end()) {
        taken.push_back(value);
        *out += (out->empty() ? "" : ", ") + value;
      }
    }
    return out;
  }
  std::vector<std::unique_ptr<Record>> each(const SourcePath&) const override { return {}; }
  std::string location() const override { return "form"; }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

class FormReader final : public RecordReader {
 public:
  FormReader(const MappingSpec& spec, std::istream& in) : spec_(spec), in_(in) {}
  Result<std::unique_ptr<Record>> next() override {
    if (done_) return std::unique_ptr<Record>();
    done_ = true;
    auto body = read_limited(in_, spec_.limits.max_document_bytes);
    if (!body) return body.error();
    auto fields = parse_urlencoded(*body);
    for (const auto& [name, value] : fields) {
      if (!is_valid_utf8_text(value, true)) {
        return Error::make(ErrorCode::invalid, "form field " + name + ": not valid UTF-8");
      }
    }
    return make_form_record(std::move(fields));
  }

 private:
  const MappingSpec& spec_;
  std::istream& in_;
  bool done_ = false;
};

}  // namespace

std::vector<std::pair<std::string, std::string>> parse_urlencoded(std::string_view body) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!body.empty()) {
    const auto amp = body.find('&');
    const auto pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    out.emplace_back(url_decode(pair.substr(0, eq)),
                     eq == std::string_view::npos ? std::string() : url_decode(pair.substr(eq + 1)));
  }
  return out;
}

std::unique_ptr<Record> make_form_record(std::vector<std::pair<std::string, std::string>> fields) {
  return std::make_unique<FormRecord>(std::move(fields));
}

std::unique_ptr<RecordReader> make_form_reader(const MappingSpec& spec, std::istream& in) {
  return std::make_unique<FormReader>(spec, in);
}

Result<std::string> read_limited(std::istream& in, std::size_t limit) {
  std::string text;
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    text.append(buf, static_cast<std::size_t>(in.gcount()));
    if (text.size() > limit) {
      return Error::make(ErrorCode::invalid, "document larger than " + std::to_string(limit) + " bytes");
    }
  }
  return text;
}

}  // namespace leadhub::mapping
