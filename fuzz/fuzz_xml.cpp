// fuzz_xml: the XML reader (pugixml, DOCTYPE refusal, depth and record limits,
// declared single-byte encodings) and the engine with a fixed mapping that uses
// plain paths, attributes, XPath functions, groups and the operation from the
// record. Mapped leads are rendered back as XML, and the output must parse.
#include <cstddef>
#include <cstdint>
#include <pugixml.hpp>

#include "fuzz_support.hpp"
#include "mapping/outbound.hpp"

using namespace leadhub;
using namespace leadhub::mapping;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Mapper mapper(fuzz::fixed_mapping("xml"));
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<Lead> leads;
  const auto st = fuzz::map_document(mapper, text, [&](const MappedRecord& r) {
    fuzz::check_record(r);
    if (r.ok() && r.lead && leads.size() < 50) {
      leads.push_back(*r.lead);
      leads.back().id = RecordId(std::uint64_t{1} << 40 | leads.size());
    }
  });
  if (!st) LEADHUB_FUZZ_CHECK(!st.error().message.empty(), "document error without a message");
  const OutboundSpec& out = *mapper.spec().outbound;
  if (!leads.empty()) {
    auto xml = render_leads(out, leads, FindPage{leads.size(), leads.back().id.to_string()});
    if (xml) {
      pugi::xml_document doc;
      const auto parsed = doc.load_buffer(xml->data(), xml->size());
      LEADHUB_FUZZ_CHECK(static_cast<bool>(parsed),
                         std::string("rendered XML does not parse: ") + parsed.description() + "\n" + *xml);
    }
  }
  if (!st) {
    auto err = render_error(out, st.error());
    LEADHUB_FUZZ_CHECK(err.ok(), "render_error failed");
    pugi::xml_document doc;
    LEADHUB_FUZZ_CHECK(static_cast<bool>(doc.load_buffer(err->data(), err->size())),
                       "rendered error does not parse:\n" + *err);
  }
  return 0;
}
