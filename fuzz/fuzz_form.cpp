// fuzz_form: parse_urlencoded + the form record + the engine with a fixed contact
// form mapping, and the form reader through Mapper::map_stream.
#include <cstddef>
#include <cstdint>

#include "fuzz_support.hpp"
#include "mapping/reader_factory.hpp"
#include "model/validation.hpp"

using namespace leadhub;
using namespace leadhub::mapping;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const Mapper mapper(fuzz::fixed_mapping("form"));
  const std::string_view body(reinterpret_cast<const char*>(data), size);

  auto fields = parse_urlencoded(body);
  std::size_t pairs = 0;
  for (const auto& [name, value] : fields) {
    ++pairs;
    LEADHUB_FUZZ_CHECK(name.size() + value.size() <= body.size(), "decoded pair longer than the body");
  }
  LEADHUB_FUZZ_CHECK(pairs <= body.size() / 2 + 1, "more pairs than a body of that size can hold");
  bool utf8 = true;
  for (const auto& [name, value] : fields) utf8 = utf8 && is_valid_utf8_text(value, true);
  auto record = make_form_record(std::move(fields));
  const MappedRecord direct = mapper.map(*record);
  fuzz::check_record(direct);

  (void)fuzz::map_document(mapper, body, [&](const MappedRecord& r) {
    fuzz::check_record(r);
    // the reader only refuses what is not UTF-8; otherwise it maps like the record above
    LEADHUB_FUZZ_CHECK(utf8, "form reader accepted invalid UTF-8");
    LEADHUB_FUZZ_CHECK(
        r.document == direct.document && r.lead == direct.lead && r.errors.size() == direct.errors.size(),
        r.location + " maps differently from the same fields given directly");
  });
  return 0;
}
