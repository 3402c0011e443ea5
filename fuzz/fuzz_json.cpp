// fuzz_json: lead_from_json (core/json/record_json.hpp) in both modes, merge_patch,
// and the JSON reader + engine with a fixed mapping. A lead that decodes must
// encode and decode again to the same lead.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "json/record_json.hpp"
#include "mapping/outbound.hpp"
#include "model/validation.hpp"

using namespace leadhub;
using namespace leadhub::mapping;

namespace {

void round_trip(const Lead& lead) {
  const std::string json = to_json(lead);
  auto again = lead_from_json(json, DecodeMode::stored);
  LEADHUB_FUZZ_CHECK(again.ok(), (again.ok() ? std::string() : again.error().message) + "\n" + json);
  LEADHUB_FUZZ_CHECK(*again == lead, "decode(encode(lead)) != lead\n" + json + "\n" + to_json(*again));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Mapper mapper(fuzz::fixed_mapping("json"));
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  for (const DecodeMode mode : {DecodeMode::input, DecodeMode::stored}) {
    auto lead = lead_from_json(text, mode);
    if (!lead) {
      LEADHUB_FUZZ_CHECK(!lead.error().message.empty() || !lead.error().fields.empty(), "decode error without reason");
      continue;
    }
    round_trip(*lead);
    normalize(*lead);
    (void)validate(*lead);
    round_trip(*lead);
  }
  Lead patched;
  if (merge_patch(patched, text)) round_trip(patched);

  std::vector<Lead> leads;
  (void)fuzz::map_document(mapper, text, [&](const MappedRecord& r) {
    fuzz::check_record(r);
    if (r.ok() && r.lead && leads.size() < 50) leads.push_back(*r.lead);
  });
  if (!leads.empty()) (void)render_leads(*mapper.spec().outbound, leads, FindPage{leads.size(), ""});
  return 0;
}
