#include "form_body.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

#include "json/decode.hpp"
#include "mapping/encoding.hpp"
#include "mapping/reader_factory.hpp"
#include "model/validation.hpp"

namespace leadhub::connectors::http {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The value of `name=` in a header such as `multipart/form-data; boundary="abc"`.
std::string header_param(std::string_view header, std::string_view name) {
  std::size_t pos = header.find(';');
  while (pos != std::string_view::npos) {
    auto part = header.substr(pos + 1);
    const auto next = part.find(';');
    auto item = trim(part.substr(0, next));
    const auto eq = item.find('=');
    if (eq != std::string_view::npos && lower_ascii(trim(item.substr(0, eq))) == name) {
      auto value = trim(item.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      return std::string(value);
    }
    pos = next == std::string_view::npos ? next : pos + 1 + next;
  }
  return {};
}

Result<FormFields> parse_json_object(std::string_view body) {
  thread_local simdjson::dom::parser parser;      // reused: a parser allocates on its first use
  auto doc = json::parse_document(body, parser);  // also takes a byte order mark
  if (!doc) return doc.error();
  simdjson::dom::object object;
  if (doc->get(object)) return Error::invalid({{"(document)", "expected a JSON object of form fields"}});
  FormFields out;
  for (auto [key, value] : object) {
    std::string name(key);
    if (value.is_string()) {
      out.emplace_back(name, std::string(value.get_string().value()));
    } else if (value.is_bool()) {
      out.emplace_back(name, value.get_bool().value() ? "true" : "false");
    } else if (value.is_int64() || value.is_uint64() || value.is_double()) {
      out.emplace_back(name, simdjson::minify(value));
    } else if (value.is_null()) {
      continue;
    } else {
      return Error::invalid({{name, "expected a string, number or boolean (a form field)"}});
    }
  }
  return out;
}

// What a declared charset means, by the labels browsers and the WHATWG Encoding
// standard use: like browsers, ISO-8859-1 and US-ASCII are read as Windows-1252
// (its superset, which fills 0x80-0x9F with the letters and signs people type).
enum class Charset { utf8, windows1252, latin9, unsupported };

Charset charset_named(std::string_view label) {
  const std::string name = lower_ascii(trim(label));
  for (const char* l : {"utf-8", "utf8", "unicode-1-1-utf-8"}) {
    if (name == l) return Charset::utf8;
  }
  for (const char* l : {"iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1", "us-ascii", "ascii", "windows-1252",
                        "cp1252", "x-cp1252"}) {
    if (name == l) return Charset::windows1252;
  }
  for (const char* l : {"iso-8859-15", "iso8859-15", "iso_8859-15", "latin-9", "latin9", "l9"}) {
    if (name == l) return Charset::latin9;
  }
  return Charset::unsupported;
}

std::optional<std::string_view> charset_field(const FormFields& fields) {
  for (const auto& [name, value] : fields) {
    if (name == "_charset_") return value;
  }
  return std::nullopt;
}

// A browser sends a character the form's charset cannot hold as an HTML character
// reference, "&#321;" for Ł (WHATWG HTML, form submission). Only references above
// U+00FF are read back: a single-byte charset sends every character below as its
// byte, so "&#65;" or "&amp;" was typed as it stands.
std::string browser_references_decoded(const std::string& value) {
  if (value.find("&#") == std::string::npos) return value;
  std::string out;
  std::size_t pos = 0;
  for (auto at = value.find("&#"); at != std::string::npos; at = value.find("&#", pos)) {
    std::uint32_t cp = 0;
    auto end = at + 2;
    while (end < value.size() && end - at - 2 < 7 && value[end] >= '0' && value[end] <= '9') {
      cp = cp * 10 + static_cast<std::uint32_t>(value[end] - '0');
      ++end;
    }
    const bool reference = end > at + 2 && end < value.size() && value[end] == ';' && cp > 0xFF && cp <= 0x10FFFF &&
                           (cp < 0xD800 || cp > 0xDFFF);
    out.append(value, pos, (reference ? at : end) - pos);
    if (reference) {
      mapping::append_utf8(out, cp);
      ++end;  // the ';'
    }
    pos = end;
  }
  out.append(value, pos);
  return out;
}

bool all_utf8(const FormFields& fields) {
  return std::all_of(fields.begin(), fields.end(), [](const auto& f) {
    return mapping::first_invalid_utf8(f.first) == std::string::npos &&
           mapping::first_invalid_utf8(f.second) == std::string::npos;
  });
}

// Names and values to UTF-8 from the charset the post declares; a post that
// declares none and is not UTF-8 is read as `undeclared` when that is set.
Status decode_declared_charset(std::string_view content_type, std::string_view undeclared, FormFields& fields) {
  std::string field = "Content-Type";
  std::string label = header_param(content_type, "charset");
  if (label.empty()) {
    const auto declared = charset_field(fields);
    if (declared) {
      field = "_charset_";
      label = std::string(*declared);
    } else if (undeclared.empty() || all_utf8(fields)) {
      return ok_status();
    } else {
      field = "undeclared_charset";
      label = std::string(undeclared);
    }
  }
  const Charset charset = charset_named(label);
  if (charset == Charset::utf8) return ok_status();
  if (charset == Charset::unsupported) {
    return Error::invalid(
        {{field, "charset '" + label + "' is not supported; send UTF-8, ISO-8859-1, Windows-1252 or ISO-8859-15"}});
  }
  const auto encoding = charset == Charset::latin9 ? mapping::SingleByte::latin9 : mapping::SingleByte::windows1252;
  for (auto& [name, value] : fields) {
    name = mapping::single_byte_to_utf8(name, encoding);
    value = browser_references_decoded(mapping::single_byte_to_utf8(value, encoding));
  }
  return ok_status();
}

Result<FormFields> with_declared_charset(std::string_view content_type, std::string_view undeclared,
                                         Result<FormFields> fields) {
  if (!fields) return fields;
  if (auto st = decode_declared_charset(content_type, undeclared, *fields); !st) return st.error();
  return fields;
}

}  // namespace

bool is_single_byte_form_charset(std::string_view label) {
  const Charset c = charset_named(label);
  return c == Charset::windows1252 || c == Charset::latin9;
}

Result<FormFields> parse_multipart(std::string_view boundary, std::string_view body) {
  if (boundary.empty() || boundary.size() > 70) {
    return Error::invalid({{"Content-Type", "multipart/form-data needs a boundary of 1-70 characters"}});
  }
  const std::string delimiter = "--" + std::string(boundary);
  FormFields out;
  auto pos = body.find(delimiter);
  if (pos == std::string_view::npos) return Error::invalid({{"(body)", "no multipart boundary found"}});
  std::size_t part_no = 0;
  for (;;) {
    pos += delimiter.size();
    if (body.substr(pos, 2) == "--") return out;  // the closing delimiter
    if (body.substr(pos, 2) != "\r\n") return Error::invalid({{"(body)", "broken multipart delimiter line"}});
    pos += 2;
    ++part_no;
    const auto headers_end = body.find("\r\n\r\n", pos);
    if (headers_end == std::string_view::npos) {
      return Error::invalid({{"part " + std::to_string(part_no), "part headers do not end"}});
    }
    std::string name;
    bool is_file = false;
    for (auto headers = body.substr(pos, headers_end - pos); !headers.empty();) {
      const auto eol = headers.find("\r\n");
      const auto line = headers.substr(0, eol);
      headers = eol == std::string_view::npos ? std::string_view{} : headers.substr(eol + 2);
      const auto colon = line.find(':');
      if (colon == std::string_view::npos || lower_ascii(trim(line.substr(0, colon))) != "content-disposition")
        continue;
      name = header_param(line.substr(colon + 1), "name");
      // A file input sends filename="..." (empty when no file was chosen); some
      // clients send the RFC 5987 form filename*=UTF-8''... instead, or both.
      const std::string disposition = lower_ascii(line.substr(colon + 1));
      is_file =
          disposition.find("filename=") != std::string::npos || disposition.find("filename*=") != std::string::npos;
    }
    const auto content = headers_end + 4;
    const auto end = body.find("\r\n" + delimiter, content);
    if (end == std::string_view::npos) {
      return Error::invalid({{"part " + std::to_string(part_no), "the part has no closing boundary"}});
    }
    if (name.empty()) {
      return Error::invalid({{"part " + std::to_string(part_no), "Content-Disposition with a name is missing"}});
    }
    if (is_file) {
      if (end > content) return Error::invalid({{name, "file uploads are not accepted by web forms"}});
    } else {
      out.emplace_back(name, std::string(body.substr(content, end - content)));
    }
    pos = end + 2;
  }
}

Result<FormFields> parse_form_body(std::string_view content_type, std::string_view body,
                                   std::string_view undeclared_charset) {
  const auto media = lower_ascii(trim(content_type.substr(0, content_type.find(';'))));
  if (media == "application/x-www-form-urlencoded") {
    return with_declared_charset(content_type, undeclared_charset, mapping::parse_urlencoded(body));
  }
  if (media == "multipart/form-data") {
    return with_declared_charset(content_type, undeclared_charset,
                                 parse_multipart(header_param(content_type, "boundary"), body));
  }
  if (media == "application/json") return parse_json_object(body);  // JSON is UTF-8 (RFC 8259)
  return Error::invalid({{"Content-Type",
                          "expected application/x-www-form-urlencoded, multipart/form-data or "
                          "application/json, got " +
                              (media.empty() ? std::string("none") : media)}});
}

}  // namespace leadhub::connectors::http
