// JSON records: the document is parsed by simdjson (which validates UTF-8 while it
// parses; a UTF-16 document with its byte order mark is decoded to UTF-8 first); `records:` is a JSON Pointer to an
// array (one record per item) or an object (one record). Values are addressed by JSON Pointers relative to a record.
#include <simdjson.h>

#include <algorithm>

#include "csv_reader.hpp"  // ErrorRecord
#include "encoding.hpp"
#include "json/syntax_error.hpp"
#include "model/validation.hpp"

#include "reader_factory.hpp"

namespace leadhub::mapping {
namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

std::optional<std::string> text_of(element v) {
  switch (v.type()) {
    case element_type::STRING:
      return std::string(v.get_string().value_unsafe());
    case element_type::NULL_VALUE:
      return std::nullopt;
    case element_type::BOOL:
      return std::string(v.get_bool().value_unsafe() ? "true" : "false");
    default:
      return simdjson::minify(v);  // numbers keep their text; objects/arrays as JSON
  }
}

// The value at a JSON Pointer. A `*` step stands for every item of an array, the
// first item with a non-empty value winning (TMF699's prospectContact: the e-mail
// is in whichever medium carries one, however many there are); on an object it
// stands for the object itself (a sender's single medium not wrapped in an array).
std::optional<std::string> value_at(element root, std::string_view pointer) {
  const auto star = pointer.find("/*");
  if (star == std::string_view::npos || (star + 2 < pointer.size() && pointer[star + 2] != '/')) {
    element v;
    if (root.at_pointer(pointer).get(v) != simdjson::SUCCESS) return std::nullopt;
    return text_of(v);
  }
  element list = root;
  if (star > 0 && root.at_pointer(pointer.substr(0, star)).get(list) != simdjson::SUCCESS) return std::nullopt;
  const std::string_view rest = pointer.substr(star + 2);
  simdjson::dom::array items;
  if (list.get_array().get(items) != simdjson::SUCCESS) return list.is_object() ? value_at(list, rest) : std::nullopt;
  for (element item : items) {
    auto v = value_at(item, rest);
    if (v && !v->empty()) return v;
  }
  return std::nullopt;
}

class JsonRecord final : public Record {
 public:
  JsonRecord(element el, std::string location) : el_(el), location_(std::move(location)) {}

  std::optional<std::string> value(const SourcePath& path) const override { return value_at(el_, path.text); }

  std::vector<std::unique_ptr<Record>> each(const SourcePath& path) const override {
    std::vector<std::unique_ptr<Record>> out;
    element v;
    if (el_.at_pointer(path.text).get(v) != simdjson::SUCCESS) return out;
    simdjson::dom::array array;
    if (v.get_array().get(array) == simdjson::SUCCESS) {
      std::size_t i = 0;
      for (element item : array)
        out.push_back(std::make_unique<JsonRecord>(item, location_ + path.text + "/" + std::to_string(i++)));
    } else if (v.is_object()) {
      out.push_back(std::make_unique<JsonRecord>(v, location_ + path.text));
    }
    return out;
  }

  std::string location() const override { return location_.empty() ? "/" : location_; }

 private:
  element el_;
  std::string location_;
};

// The JSON Pointer of the first member name that an object inside `v` repeats
// ({"name": "X", "name": "Y"}), or nullopt. A pointer reads the first of them, the
// sender may have meant the last: the record is refused rather than one picked.
// Objects in records are small: each name is compared with the ones before it.
std::optional<std::string> repeated_member(element v, const std::string& at) {
  simdjson::dom::object object;
  if (v.get_object().get(object) == simdjson::SUCCESS) {
    std::vector<std::string_view> names;
    for (const auto field : object) {
      const std::string path = at + "/" + std::string(field.key);
      if (std::find(names.begin(), names.end(), field.key) != names.end()) return path;
      names.push_back(field.key);
      if (auto inner = repeated_member(field.value, path)) return inner;
    }
    return std::nullopt;
  }
  simdjson::dom::array array;
  if (v.get_array().get(array) == simdjson::SUCCESS) {
    std::size_t i = 0;
    for (const element item : array) {
      if (auto inner = repeated_member(item, at + "/" + std::to_string(i++))) return inner;
    }
  }
  return std::nullopt;
}

// A document that starts with a UTF-16 byte order mark (PowerShell's `>`, Notepad's
// "Unicode") to UTF-8, which JSON is read in.
void decode_utf16(std::string& text) {
  std::optional<Utf16> order;
  if (text.compare(0, 2, "\xFF\xFE") == 0) order = Utf16::little_endian;
  if (text.compare(0, 2, "\xFE\xFF") == 0) order = Utf16::big_endian;
  if (!order) return;
  std::string utf8;
  append_utf16_as_utf8(utf8, std::string_view(text).substr(2), *order, true);
  text = std::move(utf8);
}

class JsonReader final : public RecordReader {
 public:
  JsonReader(const MappingSpec& spec, std::istream& in) : spec_(spec), in_(in) {}

  Result<std::unique_ptr<Record>> next() override {
    if (!loaded_) {
      if (auto st = load(); !st) return st.error();
    }
    if (index_ >= items_.size()) return std::unique_ptr<Record>();
    const std::size_t i = index_++;
    const std::string loc = single_ ? spec_.records : spec_.records + "/" + std::to_string(i);
    if (auto repeated = repeated_member(items_[i], "")) {
      return std::unique_ptr<Record>(
          std::make_unique<ErrorRecord>("the member appears twice in one object (which one is meant?)",
                                        loc.empty() ? "/" : loc, MappingErrorCode::unreadable, *repeated));
    }
    return std::unique_ptr<Record>(std::make_unique<JsonRecord>(items_[i], loc));
  }

 private:
  Status load() {
    loaded_ = true;
    auto text = read_limited(in_, spec_.limits.max_document_bytes);
    if (!text) return text.error();
    decode_utf16(*text);
    parser_ = std::make_unique<simdjson::dom::parser>();
    const std::string_view json = without_byte_order_mark(*text);
    element root;
    if (auto err = parser_->parse(json.data(), json.size()).get(root); err != simdjson::SUCCESS) {
      return Error::make(ErrorCode::invalid, json::not_valid_json(*text, err));
    }
    element records = root;
    if (!spec_.records.empty() && root.at_pointer(spec_.records).get(records) != simdjson::SUCCESS) {
      return Error::make(ErrorCode::invalid, "records: nothing at JSON Pointer " + spec_.records);
    }
    simdjson::dom::array array;
    if (records.get_array().get(array) == simdjson::SUCCESS) {
      for (element item : array) items_.push_back(item);
    } else if (records.is_object()) {
      items_.push_back(records);
      single_ = true;
    } else {
      return Error::make(ErrorCode::invalid,
                         "records: " + (spec_.records.empty() ? std::string("the document") : spec_.records) +
                             " is neither an object nor an array");
    }
    if (items_.size() > spec_.limits.max_records) {
      return Error::make(ErrorCode::invalid, std::to_string(items_.size()) + " records, more than the limit of " +
                                                 std::to_string(spec_.limits.max_records));
    }
    return ok_status();
  }

  const MappingSpec& spec_;
  std::istream& in_;
  std::unique_ptr<simdjson::dom::parser> parser_;
  std::vector<element> items_;
  std::size_t index_ = 0;
  bool loaded_ = false;
  bool single_ = false;
};

}  // namespace

std::unique_ptr<RecordReader> make_json_reader(const MappingSpec& spec, std::istream& in) {
  return std::make_unique<JsonReader>(spec, in);
}

}  // namespace leadhub::mapping
