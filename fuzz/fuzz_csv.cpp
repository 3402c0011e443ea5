// fuzz_csv: CsvReader through Mapper::map_stream with fixed mappings in four CSV
// dialects (the first input byte picks one: UTF-8 ',' / ISO-8859-1 ';' /
// Windows-1252 TAB without header / auto '|' with ' quotes). Leads that map are
// rendered back to CSV; for the UTF-8 dialect what we write must read back the same.
#include <cstddef>
#include <cstdint>
#include <sstream>

#include "fuzz_support.hpp"
#include "mapping/csv_reader.hpp"
#include "mapping/outbound.hpp"

using namespace leadhub;
using namespace leadhub::mapping;

namespace {

struct Variants {
  std::shared_ptr<const Mapper> mappers[4];
};

const Variants& variants() {
  static const Variants v = [] {
    Variants out;
    const char* names[4] = {"csv-utf8", "csv-latin1", "csv-cp1252", "csv-auto"};
    for (int i = 0; i < 4; ++i) out.mappers[i] = std::make_shared<Mapper>(fuzz::fixed_mapping(names[i]));
    return out;
  }();
  return v;
}

// The rendered CSV of one lead, read back with the inbound dialect, gives the
// same family name, e-mail and note.
void check_round_trip(const MappingSpec& spec, const Lead& lead) {
  auto text = render_leads(*spec.outbound, {lead}, FindPage{});
  LEADHUB_FUZZ_CHECK(text.ok(), text.ok() ? "" : text.error().message);
  std::istringstream in(*text);
  CsvReader reader(spec.csv, Limits{}, in);
  auto record = reader.next();
  LEADHUB_FUZZ_CHECK(record.ok(), record.ok() ? "" : record.error().message + "\n" + *text);
  LEADHUB_FUZZ_CHECK(*record != nullptr, "no record in\n" + *text);
  LEADHUB_FUZZ_CHECK(dynamic_cast<const ErrorRecord*>(record->get()) == nullptr,
                     static_cast<const ErrorRecord*>(record->get())->reason() + "\n" + *text);
  auto column = [&](const char* name) {
    SourcePath p;
    p.text = name;
    return (*record)->value(p).value_or("");
  };
  LEADHUB_FUZZ_CHECK(column("name") == lead.prospect.family_name, "name: '" + column("name") + "' in\n" + *text);
  LEADHUB_FUZZ_CHECK(column("email") == lead.prospect.email, "email in\n" + *text);
  const auto note = lead.attributes.find("note");
  LEADHUB_FUZZ_CHECK(column("note") == (note == lead.attributes.end() ? "" : note->second), "note in\n" + *text);
  auto end = reader.next();
  LEADHUB_FUZZ_CHECK(end.ok() && *end == nullptr, "more than one record read back from\n" + *text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::size_t variant = size == 0 ? 0 : data[0] % 4;
  const Mapper& mapper = *variants().mappers[variant];
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<Lead> leads;
  (void)fuzz::map_document(mapper, text, [&](const MappedRecord& r) {
    fuzz::check_record(r);
    if (r.ok() && r.lead) {
      Lead lead = *r.lead;
      lead.id = RecordId(std::uint64_t{1} << 40 | leads.size() + 1);
      if (variant == 0) check_round_trip(mapper.spec(), lead);
      if (leads.size() < 50) leads.push_back(std::move(lead));
    }
  });
  if (!leads.empty()) (void)render_leads(*mapper.spec().outbound, leads, FindPage{leads.size(), ""});
  return 0;
}
