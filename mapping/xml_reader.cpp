// XML records: the whole document is parsed by pugixml (which never loads external
// entities or expands DTDs; documents with a DOCTYPE are refused outright), then
// the mapping's XPath selects the record elements. Plain paths such as
// "Contact/Email" or "@id" skip the XPath engine and walk the children directly.
#include <pugixml.hpp>

#include <algorithm>
#include <cstring>
#include <optional>
#include <sstream>
#include <unordered_map>

#include "encoding.hpp"
#include "model/validation.hpp"
#include "reader_factory.hpp"
#include "util/text_position.hpp"
#include "xml_text.hpp"

namespace leadhub::mapping {
namespace {

// Text content of a node as XPath's string() would give it.
std::string string_value(const pugi::xpath_node& n) {
  if (n.attribute()) return n.attribute().value();
  const pugi::xml_node node = n.node();
  if (node.type() == pugi::node_pcdata || node.type() == pugi::node_cdata) return node.value();
  const pugi::xml_node first = node.first_child();
  if (first && !first.next_sibling() && (first.type() == pugi::node_pcdata || first.type() == pugi::node_cdata)) {
    return first.value();  // the common <Name>text</Name>: no concatenation
  }
  std::string out;
  for (pugi::xml_node child = node.first_child(); child; child = child.next_sibling()) {
    if (child.type() == pugi::node_pcdata || child.type() == pugi::node_cdata)
      out += child.value();
    else if (child.type() == pugi::node_element)
      out += string_value(pugi::xpath_node(child));
  }
  return out;
}

// "A/B/@c" style paths: element steps and an optional final attribute.
bool is_plain_path(const std::string& p) {
  if (p.empty() || p[0] == '/' || p[0] == '.' || p.find("//") != std::string::npos ||
      p.find("/.") != std::string::npos) {
    return false;  // ".", "..", "../@x" and absolute paths go through the XPath engine
  }
  for (char c : p) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.' || c == '/' ||
                    c == '@' || c == ':';
    if (!ok) return false;
  }
  const auto at = p.find('@');
  return at == std::string::npos || (p.find('@', at + 1) == std::string::npos && (at == 0 || p[at - 1] == '/'));
}

// "/A/B[2]": the element's path, with an index where it has same-name siblings.
std::string element_path(pugi::xml_node node) {
  std::string path;
  for (; node && node.type() == pugi::node_element; node = node.parent()) {
    int index = 0, same = 0;
    for (pugi::xml_node s = node.parent().child(node.name()); s; s = s.next_sibling(node.name())) {
      ++same;
      if (s == node) index = same;
    }
    std::string step = "/";
    step += node.name();
    if (same > 1) step += "[" + std::to_string(index) + "]";
    path.insert(0, step);
  }
  return path;
}

// Element paths of the records, computed as the reader walks them in document
// order: each record continues counting from the previous record of its name, so a
// file of 100,000 sibling records costs linear time, not a sibling scan per record.
class RecordPaths {
 public:
  std::string path_of(pugi::xml_node node) {
    const pugi::xml_node parent = node.parent();
    if (parent != parent_) {
      parent_ = parent;
      parent_path_ = element_path(parent);
      last_.clear();
    }
    const std::string name = node.name();
    auto& [last_node, last_index] = last_[name];
    int index = 0;
    pugi::xml_node s = last_node ? last_node.next_sibling(name.c_str()) : parent.child(name.c_str());
    index = last_node ? last_index : 0;
    for (; s; s = s.next_sibling(name.c_str())) {
      ++index;
      if (s == node) break;
    }
    last_node = node;
    last_index = index;
    const bool unique = index == 1 && !node.next_sibling(name.c_str());
    return parent_path_ + "/" + name + (unique ? "" : "[" + std::to_string(index) + "]");
  }

 private:
  pugi::xml_node parent_;
  std::string parent_path_;
  std::unordered_map<std::string, std::pair<pugi::xml_node, int>> last_;
};

class XmlRecord final : public Record {
 public:
  // `location` is given by whoever found the node (its index is known there):
  // computing it from the tree would scan every sibling, quadratic over a big file.
  XmlRecord(pugi::xml_node node, std::string location) : node_(node), location_(std::move(location)) {}
  // An item of a repeating group: its location ("<parent's>/Item[2]") is made only
  // when asked for, as errors are rare and groups are mapped for every record.
  XmlRecord(pugi::xml_node node, const XmlRecord& parent, std::string_view step, std::size_t index)
      : node_(node), parent_(&parent), step_(step), index_(index) {}

  std::optional<std::string> value(const SourcePath& path) const override {
    if (!path.steps.empty()) return walk(path.steps);
    if (is_plain_path(path.text)) return walk(plain_xml_steps(path.text));
    const auto& q = *path.xpath;
    if (q.return_type() != pugi::xpath_type_node_set) return std::string(q.evaluate_string(node_).c_str());
    const auto nodes = q.evaluate_node_set(node_);
    if (nodes.empty()) return std::nullopt;
    return string_value(nodes.first());
  }

  std::vector<std::unique_ptr<Record>> each(const SourcePath& path) const override {
    if (!path.steps.empty() && path.steps.back()[0] != '@') return each_element(path);
    std::vector<std::unique_ptr<Record>> out;
    std::size_t index = 0;
    for (const auto& n : path.xpath->evaluate_node_set(node_)) {
      ++index;
      if (n.node()) {
        out.push_back(std::make_unique<XmlRecord>(n.node(), *this, path.text, index));
      }
    }
    return out;
  }

  std::vector<std::string> notices() const override { return notices_; }
  std::string why_absent(const SourcePath& path) const override { return missing_step(path.steps); }
  bool absent_in_every_record() const override { return false; }
  void set_notices(std::vector<std::string> notices) { notices_ = std::move(notices); }

  std::string location() const override {
    if (parent_ == nullptr) return location_;
    return parent_->location() + "/" + std::string(step_) + "[" + std::to_string(index_) + "]";
  }

 private:
  std::optional<std::string> walk(const std::vector<std::string>& steps) const {
    pugi::xml_node node = node_;
    for (const auto& step : steps) {
      if (step[0] == '@') {
        const auto attr = node.attribute(step.c_str() + 1);
        if (!attr) return std::nullopt;
        return std::string(attr.value());
      }
      node = node.child(step.c_str());
      if (!node) return std::nullopt;
    }
    return string_value(pugi::xpath_node(node));
  }

  // Why a plain path finds nothing where the record holds what it names in another
  // form: an attribute for the element the path names, an element for the
  // attribute, or an element whose name differs in case. Partners' variants of one
  // format do that, and the value would be left out without a word.
  std::string missing_step(const std::vector<std::string>& steps) const {
    pugi::xml_node node = node_;
    for (const auto& step : steps) {
      const std::string where = "<" + std::string(node.name()) + ">";
      if (step[0] == '@') {
        if (node.attribute(step.c_str() + 1) || !node.child(step.c_str() + 1)) return {};
        return where + " has no attribute " + step.substr(1) + " but an element <" + step.substr(1) +
               "> (the mapping reads the attribute: @" + step.substr(1) + ")";
      }
      const pugi::xml_node child = node.child(step.c_str());
      if (child) {
        node = child;
        continue;
      }
      std::string reason = where + " has no element <";
      reason += step;
      if (node.attribute(step.c_str())) {
        reason += "> but an attribute ";
        reason += step;
        reason += " (the mapping reads the element; @";
        reason += step;
        reason += " reads the attribute)";
        return reason;
      }
      for (const pugi::xml_node other : node.children()) {
        if (other.type() == pugi::node_element && lower_ascii(other.name()) == lower_ascii(step)) {
          reason += "> but <";
          reason += other.name();
          reason += "> (element names are case-sensitive)";
          return reason;
        }
      }
      return {};
    }
    return {};
  }

  // The elements a plain element path selects, in document order (as the XPath
  // engine returns them): the matching children of the matching children, ...
  std::vector<std::unique_ptr<Record>> each_element(const SourcePath& path) const {
    std::vector<pugi::xml_node> level{node_}, next;
    for (const auto& step : path.steps) {
      next.clear();
      for (const auto& parent : level) {
        for (auto c = parent.child(step.c_str()); c; c = c.next_sibling(step.c_str())) next.push_back(c);
      }
      level.swap(next);
    }
    std::vector<std::unique_ptr<Record>> out;
    out.reserve(level.size());
    for (std::size_t i = 0; i < level.size(); ++i) {
      out.push_back(std::make_unique<XmlRecord>(level[i], *this, path.text, i + 1));
    }
    return out;
  }

  pugi::xml_node node_;
  std::string location_;
  const XmlRecord* parent_ = nullptr;  // a group item's record
  std::string_view step_;              // the group's path (owned by the mapping)
  std::size_t index_ = 0;
  std::vector<std::string> notices_;  // the document's, on its first record
};

std::size_t depth_of(const pugi::xml_node& root) {
  std::size_t max = 0;
  std::vector<std::pair<pugi::xml_node, std::size_t>> stack{{root, 0}};
  while (!stack.empty()) {
    auto [node, depth] = stack.back();
    stack.pop_back();
    max = std::max(max, depth);
    for (auto child = node.first_child(); child; child = child.next_sibling()) {
      if (child.type() == pugi::node_element) stack.emplace_back(child, depth + 1);
    }
  }
  return max;
}

// pugixml knows no namespaces: an element is matched by its name as written, so
// <n0:Lead> was not a "Lead" and a document whose sender chose to prefix every
// element matched nothing. Element names lose their prefix (the namespace URI stays
// declared on the xmlns attributes), so mappings match local names whichever
// prefix, or none, the sender used. Attributes keep theirs (xsi:type, xml:lang).
void strip_element_prefixes(pugi::xml_node root) {
  std::vector<pugi::xml_node> stack{root};
  while (!stack.empty()) {
    pugi::xml_node node = stack.back();
    stack.pop_back();
    if (node.type() == pugi::node_element) {
      const char* name = node.name();
      if (const char* colon = std::strchr(name, ':'); colon != nullptr && colon[1] != '\0') {
        const std::string local(colon + 1);  // a copy: set_name may write into the buffer it reads
        node.set_name(local.c_str());
      }
    }
    for (auto child = node.first_child(); child; child = child.next_sibling()) {
      if (child.type() == pugi::node_element) stack.push_back(child);
    }
  }
}

// Elements among the records (after the first, under the same parent) that the
// records XPath does not select: an <antwort> written in lower case was skipped
// without a word. Listed once per name; a header before the records is not one.
std::vector<std::string> unselected_siblings(const pugi::xpath_node_set& records, const std::string& xpath) {
  std::vector<std::string> notices;
  std::unordered_map<const void*, bool> selected;
  for (const auto& r : records) selected[r.node().internal_object()] = true;
  std::vector<std::pair<std::string, std::size_t>> names;  // in document order
  pugi::xml_node parent;
  for (const auto& r : records) {
    if (r.node().parent() == parent) continue;
    parent = r.node().parent();
    for (auto n = r.node().next_sibling(); n; n = n.next_sibling()) {
      if (n.type() != pugi::node_element || selected.count(n.internal_object()) != 0) continue;
      auto it = std::find_if(names.begin(), names.end(), [&](const auto& e) { return e.first == n.name(); });
      if (it == names.end())
        names.emplace_back(n.name(), 1);
      else
        ++it->second;
    }
  }
  notices.reserve(names.size());
  for (const auto& [name, count] : names) {
    std::string notice = "records: " + std::to_string(count);
    notice += count == 1 ? " element <" : " elements <";
    notice += name;
    notice += "> among the records, not selected by ";
    notice += xpath;
    notice += "; not read";
    notices.push_back(std::move(notice));
  }
  return notices;
}

bool only_whitespace_from(std::string_view text, std::size_t offset) {
  return offset >= text.size() || text.find_first_not_of(" \t\r\n", offset) == std::string_view::npos;
}

// "line 3, column 14: not well-formed XML: Start-end tags mismatch": pugixml's
// reason at its line and column, in characters (a document declared ISO-8859-1
// was converted, so a byte would be the hub's copy's, not the file's). pugixml's
// offset counts in the UTF-8 it parsed: `text` itself, or for a UTF-16 document its
// own conversion, made here again (a byte order mark included, as pugixml's has
// it). Lines and characters are the file's either way. UTF-32, which no partner
// sends, gets no place.
std::string not_well_formed(const std::string& text, const pugi::xml_parse_result& result) {
  const bool utf16 = result.encoding == pugi::encoding_utf16_le || result.encoding == pugi::encoding_utf16_be;
  if (result.encoding != pugi::encoding_utf8 && !utf16) {
    return std::string("not well-formed XML: ") + result.description();
  }
  std::string converted;
  std::string_view parsed = text;
  if (utf16) {
    append_utf16_as_utf8(converted, text,
                         result.encoding == pugi::encoding_utf16_le ? Utf16::little_endian : Utf16::big_endian, true);
    parsed = converted;
  }
  const auto offset = static_cast<std::size_t>(std::max<std::ptrdiff_t>(result.offset, 0));
  std::string reason = result.description();
  // pugixml calls a document that ends inside an element a mismatch at its end.
  if (result.status == pugi::status_end_element_mismatch && only_whitespace_from(parsed, offset)) {
    reason = "the document ends before all its elements are closed";
  }
  return describe_line_column(parsed, offset) + ": not well-formed XML: " + reason;
}

class XmlReader final : public RecordReader {
 public:
  XmlReader(const MappingSpec& spec, std::istream& in) : spec_(spec), in_(in) {}

  Result<std::unique_ptr<Record>> next() override {
    if (!loaded_) {
      if (auto st = load(); !st) return st.error();
    }
    if (index_ >= records_.size()) return std::unique_ptr<Record>();
    const pugi::xml_node node = records_[index_++].node();
    auto record = std::make_unique<XmlRecord>(node, paths_.path_of(node));
    if (index_ == 1) record->set_notices(std::move(notices_));
    return std::unique_ptr<Record>(std::move(record));
  }

 private:
  Status load() {
    loaded_ = true;
    auto text = read_limited(in_, spec_.limits.max_document_bytes);
    if (!text) return text.error();
    if (auto st = prepare_xml_text(*text); !st) return st;
    const unsigned options = pugi::parse_default | pugi::parse_doctype;
    const auto result = doc_.load_buffer(text->data(), text->size(), options);
    if (!result) return Error::make(ErrorCode::invalid, not_well_formed(*text, result));
    for (auto child = doc_.first_child(); child; child = child.next_sibling()) {
      if (child.type() == pugi::node_doctype) {
        return Error::make(ErrorCode::invalid, "DOCTYPE declarations are not accepted (no DTDs or entities)");
      }
    }
    if (depth_of(doc_) > spec_.limits.max_depth) {
      return Error::make(ErrorCode::invalid,
                         "XML nested deeper than " + std::to_string(spec_.limits.max_depth) + " levels");
    }
    strip_element_prefixes(doc_);
    try {
      records_ = doc_.select_nodes(spec_.records.c_str());
    } catch (const pugi::xpath_exception& e) {
      return Error::make(ErrorCode::invalid, std::string("records XPath failed: ") + e.what());
    }
    if (records_.empty()) {
      return Error::make(ErrorCode::invalid, "records: the XPath " + spec_.records +
                                                 " matches nothing in this document (is it the right mapping?)");
    }
    if (records_.size() > spec_.limits.max_records) {
      return Error::make(ErrorCode::invalid, std::to_string(records_.size()) + " records, more than the limit of " +
                                                 std::to_string(spec_.limits.max_records));
    }
    notices_ = unselected_siblings(records_, spec_.records);
    return ok_status();
  }

  const MappingSpec& spec_;
  std::istream& in_;
  pugi::xml_document doc_;
  pugi::xpath_node_set records_;
  std::size_t index_ = 0;
  bool loaded_ = false;
  RecordPaths paths_;
  std::vector<std::string> notices_;  // about the document, handed to the first record
};

}  // namespace

std::vector<std::string> plain_xml_steps(const std::string& path) {
  std::vector<std::string> steps;
  if (!is_plain_path(path)) return steps;
  for (std::size_t pos = 0; pos < path.size();) {
    const auto slash = path.find('/', pos);
    steps.push_back(path.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos));
    pos = slash == std::string::npos ? path.size() : slash + 1;
  }
  return steps;
}

std::unique_ptr<RecordReader> make_xml_reader(const MappingSpec& spec, std::istream& in) {
  return std::make_unique<XmlReader>(spec, in);
}

}  // namespace leadhub::mapping
