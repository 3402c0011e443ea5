// Mapping speed, one core, best of 3 passes: canonical-JSON leads/s (decode + normalize + validate),
// lettershop CSV rows/s and XML lead records/s through the mapping engine, and a
// generated lettershop CSV written to disk for the end-to-end import timing.
//
//   bench_mapping REPO_ROOT OUT_DIR [ROWS] [json,csv,xml]
//
// The optional last argument runs only the named rows, so a profiler (callgrind)
// sees one row's work at a time.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "json/record_json.hpp"
#include "mapping/encoding.hpp"
#include "mapping/engine.hpp"
#include "model/validation.hpp"

using namespace leadhub;
using SteadyClock = std::chrono::steady_clock;

namespace {

const char* const kGiven[] = {"Jürgen", "Anna", "Pierre", "Maria", "Hans", "Zoë", "Łukasz", "Søren", "Ana", "Björn"};
const char* const kFamily[] = {"Müller", "Schmidt", "Dupont", "Groß", "Meier",
                               "Nowak",  "Jensen",  "García", "Weiß", "Öztürk"};
const char* const kCity[] = {"Berlin", "München", "Köln", "Düsseldorf", "Hamburg", "Wien", "Zürich", "Paris"};
const char* const kCountry[] = {"Deutschland", "DE", "Österreich", "AT", "Schweiz", "CH", "Frankreich", "FR"};
// Berlin (then six digits), Vienna, Zurich, Paris (then five), as written there.
const char* const kLocalPrefix[] = {"030 1", "01 50", "044 50", "01 450"};

std::string lettershop_csv(std::size_t rows) {
  std::mt19937 rng(42);
  std::ostringstream out;
  out << "Anrede;Vorname;Nachname;Firma;Strasse;PLZ;Ort;Land;Telefon;E-Mail;Aktionscode;Antwort\r\n";
  for (std::size_t i = 0; i < rows; ++i) {
    const char* given = kGiven[rng() % 10];
    const char* family = kFamily[rng() % 10];
    const bool company = rng() % 3 == 0;
    out << (rng() % 2 ? "Herr" : "Frau") << ';' << given << ';' << family << ';'
        << (company ? "\"" + std::string(family) + " GmbH; Vertrieb\"" : "") << ";Hauptstraße " << i % 200 + 1 << ';'
        << 10000 + rng() % 89999 << ';' << kCity[rng() % 8] << ';';
    // A number as written in its country, which the phone transform reads with the
    // Land column's region: a Berlin number on a French row would be no number.
    const std::size_t country = rng() % 8;
    char line_digits[8];
    if (country / 2 == 0)
      std::snprintf(line_digits, sizeof line_digits, "%06zu", i % 1000000);
    else
      std::snprintf(line_digits, sizeof line_digits, "%05zu", i % 100000);
    out << kCountry[country] << ';' << kLocalPrefix[country / 2] << line_digits;
    out << ";lead" << i << "@example.com;HERBST-26;\"Ja, bitte\nRückruf\"\r\n";
  }
  return mapping::utf8_to_latin1(out.str());
}

std::string lead_xml(std::size_t records) {
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Leads>\n";
  for (std::size_t i = 0; i < records; ++i) {
    out << "<Lead id=\"" << i << "\"><Subject>Forklift demo " << i << "</Subject><Status>01</Status>"
        << "<Contact><First>" << kGiven[i % 10] << "</First><Last>" << kFamily[i % 10] << "</Last><EMail>lead" << i
        << "@example.com</EMail><Phone>+49 30 " << 1000000 + i << "</Phone></Contact>"
        << "<Address><Street>Ring " << i % 100
        << "</Street><Zip>10115</Zip><City>Berlin</City><Country>DE</Country></Address>"
        << "<Item><Product>FL-" << i % 7 << "</Product><Qty>" << 1 + i % 5 << "</Qty></Item></Lead>\n";
  }
  out << "</Leads>\n";
  return out.str();
}

const char* const kXmlMapping = R"(name: bench-xml
format: xml
records: /Leads/Lead
fields:
  subject: Subject
  status: {from: Status, transforms: [{map: {"01": open, "02": in_process}}]}
  source: {value: partner}
  prospect.given_name: Contact/First
  prospect.family_name: {from: Contact/Last, required: true}
  prospect.email: {from: Contact/EMail, transforms: [email]}
  prospect.phone: {from: Contact/Phone, transforms: [{phone: DE}]}
  prospect.address.street: Address/Street
  prospect.address.postal_code: Address/Zip
  prospect.address.city: Address/City
  prospect.address.country: {from: Address/Country, transforms: [country]}
groups:
  external_refs:
    fields: {system: {value: bench}, id: "@id"}
  interests:
    each: Item
    fields: {product: Product, quantity: {from: Qty, transforms: [integer]}}
)";

std::string canonical_ndjson(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    Lead lead;
    lead.subject = "Forklift demo request number " + std::to_string(i);
    lead.source = LeadSource::web_form;
    lead.campaign = "TV-2026-11";
    lead.prospect.given_name = kGiven[i % 10];
    lead.prospect.family_name = kFamily[i % 10];
    lead.prospect.company = std::string(kFamily[i % 10]) + " Logistik GmbH";
    lead.prospect.email = "lead" + std::to_string(i) + "@example.com";
    lead.prospect.phone = "+4930" + std::to_string(1000000 + i);
    lead.prospect.address = {"Hauptstraße 5", "10115", "Berlin", "", "DE"};
    lead.external_refs.push_back({"web", "f-" + std::to_string(i)});
    lead.interests.push_back({"FL-200", 2});
    lead.expected_value = {"12500.00", "EUR"};
    lead.consent = {true, 1'763'000'000'000, "I agree to be contacted about my request."};
    out += to_json(lead) + "\n";
  }
  return out;
}

double seconds_since(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

// Each measure runs kRounds times over the same input and reports the fastest,
// as the raw LMDB reference does: on a shared 2-core machine a single pass varies
// by +-20 % with whatever else runs, and the best pass is the one least disturbed.
constexpr int kRounds = 3;

template <typename Pass>
double best_seconds(Pass&& pass) {
  double best = 0;
  for (int round = 0; round < kRounds; ++round) {
    const auto start = SteadyClock::now();
    pass();
    const double s = seconds_since(start);
    if (round == 0 || s < best) best = s;
  }
  return best;
}

std::size_t run_mapper(const mapping::Mapper& mapper, const std::string& document, std::size_t& failed) {
  std::istringstream in(document);
  std::size_t n = 0;
  auto st = mapper.map_stream(in, [&](mapping::MappedRecord&& m) {
    ++n;
    if (!m.ok()) ++failed;
    return true;
  });
  if (!st) std::fprintf(stderr, "document error: %s\n", st.error().message.c_str());
  return n;
}

// 1. canonical JSON: decode + normalize + validate per line
void bench_json(std::size_t rows) {
  const std::string ndjson = canonical_ndjson(rows);
  std::size_t ok = 0;
  const double json_s = best_seconds([&] {
    ok = 0;
    for (std::size_t pos = 0; pos < ndjson.size();) {
      const auto nl = ndjson.find('\n', pos);
      auto lead = lead_from_json(std::string_view(ndjson).substr(pos, nl - pos), DecodeMode::input);
      if (lead) {
        normalize(*lead);
        if (validate(*lead).empty()) ++ok;
      }
      pos = nl + 1;
    }
  });
  std::printf("canonical JSON: %.0f leads/s (%zu of %zu valid, %.1f MB)\nRESULT map_json_rps %.0f\n", rows / json_s, ok,
              rows, ndjson.size() / 1e6, rows / json_s);
}

// 2. lettershop CSV through its shipped mapping; the file is kept for run.sh's import
bool bench_csv(const std::string& root, const std::string& out_dir, std::size_t rows) {
  auto csv_spec = mapping::load_mapping(root + "/config/mappings/lettershop-csv.yaml");
  if (!csv_spec) {
    std::fprintf(stderr, "%s\n", csv_spec.error().message.c_str());
    return false;
  }
  const mapping::Mapper csv_mapper(*csv_spec);
  const std::string csv = lettershop_csv(rows);
  std::size_t failed = 0, csv_rows = 0;
  const double csv_s = best_seconds([&] {
    failed = 0;
    csv_rows = run_mapper(csv_mapper, csv, failed);
  });
  std::printf("lettershop CSV: %.0f rows/s (%zu rows, %zu failed, %.1f MB)\nRESULT map_csv_rps %.0f\n",
              csv_rows / csv_s, csv_rows, failed, csv.size() / 1e6, csv_rows / csv_s);
  std::ofstream(out_dir + "/lettershop-" + std::to_string(rows) + ".csv", std::ios::binary) << csv;

  // Context, not a row of the table: the same file with Mapper::map_stream_parallel
  // on two worker threads (what `leadhub import --mapping` can use on this machine).
  std::istringstream in(csv);
  std::size_t parallel_rows = 0;
  const auto parallel_start = SteadyClock::now();
  auto st = csv_mapper.map_stream_parallel(
      in,
      [&](mapping::MappedRecord&&) {
        ++parallel_rows;
        return true;
      },
      2);
  if (!st) std::fprintf(stderr, "document error: %s\n", st.error().message.c_str());
  std::printf("lettershop CSV, 2 mapping threads: %.0f rows/s\n", parallel_rows / seconds_since(parallel_start));
  return true;
}

// 3. XML lead records
bool bench_xml(const std::string& out_dir, std::size_t rows) {
  const std::string spec_path = out_dir + "/bench-xml.yaml";
  std::ofstream(spec_path) << kXmlMapping;
  auto xml_spec = mapping::load_mapping(spec_path);
  if (!xml_spec) {
    std::fprintf(stderr, "%s\n", xml_spec.error().message.c_str());
    return false;
  }
  const mapping::Mapper xml_mapper(*xml_spec);
  const std::string xml = lead_xml(rows);
  std::size_t failed = 0, xml_records = 0;
  const double xml_s = best_seconds([&] {
    failed = 0;
    xml_records = run_mapper(xml_mapper, xml, failed);
  });
  std::printf("XML: %.0f records/s (%zu records, %zu failed, %.1f MB)\nRESULT map_xml_rps %.0f\n", xml_records / xml_s,
              xml_records, failed, xml.size() / 1e6, xml_records / xml_s);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: bench_mapping REPO_ROOT OUT_DIR [ROWS] [json,csv,xml]\n");
    return 2;
  }
  const std::string root = argv[1], out_dir = argv[2];
  const std::size_t rows = argc > 3 ? std::stoul(argv[3]) : 100'000;
  const std::string only = argc > 4 ? argv[4] : "json,csv,xml";
  const auto wanted = [&](const char* row) { return only.find(row) != std::string::npos; };
  if (wanted("json")) bench_json(rows);
  if (wanted("csv") && !bench_csv(root, out_dir, rows)) return 1;
  if (wanted("xml") && !bench_xml(out_dir, rows)) return 1;
  return 0;
}
