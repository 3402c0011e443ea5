// bench_gen: writes COUNT realistic, varied canonical leads as newline-delimited
// JSON, the input format of `leadhub import`. Deterministic for a given seed (own
// PRNG, no std:: distributions), so every run measures the same bytes.
//
//   bench_gen --count N [--seed S] [--out FILE]     (stdout when no --out)
//
// Each line is what leadhub's own encoder (to_json) writes for a lead without the
// system members (id, version, created_*, changed_*): canonical member order.
// Statuses are open / in_process only (a lead may be created in either), so every
// line imports; external_refs carries {system:"crm", id:unique per line}.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "json/record_json.hpp"
#include "model/lead.hpp"

#include "rng.hpp"

namespace {

using namespace leadhub;

using bench::Rng;

struct Country {
  const char* code;
  const char* dial;     // E.164 country code
  int national_digits;  // digits after the country code
  const char* language;
  const char* currency;
  const char* cities[4];
  const char* streets[4];
  int postal_digits;
  const char* regions[3];
};

const Country kCountries[] = {
    {"DE",
     "49",
     11,
     "de",
     "EUR",
     {"Berlin", "München", "Hamburg", "Köln"},
     {"Hauptstraße", "Bahnhofstraße", "Gartenweg", "Lindenallee"},
     5,
     {"Berlin", "Bayern", "Nordrhein-Westfalen"}},
    {"AT",
     "43",
     10,
     "de-AT",
     "EUR",
     {"Wien", "Graz", "Linz", "Salzburg"},
     {"Ringstraße", "Mariahilfer Straße", "Landstraße", "Kirchengasse"},
     4,
     {"Wien", "Steiermark", "Oberösterreich"}},
    {"CH",
     "41",
     9,
     "de-CH",
     "CHF",
     {"Zürich", "Basel", "Bern", "Luzern"},
     {"Bahnhofstrasse", "Seestrasse", "Dorfstrasse", "Kirchweg"},
     4,
     {"Zürich", "Basel-Stadt", "Bern"}},
    {"FR",
     "33",
     9,
     "fr",
     "EUR",
     {"Paris", "Lyon", "Marseille", "Toulouse"},
     {"Rue de la Paix", "Avenue Victor Hugo", "Boulevard Saint-Michel", "Rue du Moulin"},
     5,
     {"Île-de-France", "Auvergne-Rhône-Alpes", "Occitanie"}},
    {"NL",
     "31",
     9,
     "nl",
     "EUR",
     {"Amsterdam", "Rotterdam", "Utrecht", "Eindhoven"},
     {"Kerkstraat", "Dorpsstraat", "Stationsweg", "Molenweg"},
     4,
     {"Noord-Holland", "Zuid-Holland", "Utrecht"}},
    {"GB",
     "44",
     10,
     "en-GB",
     "GBP",
     {"London", "Manchester", "Bristol", "Leeds"},
     {"High Street", "Station Road", "Church Lane", "Victoria Road"},
     0,
     {"England", "Scotland", "Wales"}},
    {"US",
     "1",
     10,
     "en-US",
     "USD",
     {"New York", "Chicago", "Austin", "Seattle"},
     {"Main Street", "Oak Avenue", "Maple Drive", "Park Boulevard"},
     5,
     {"NY", "IL", "TX"}},
    {"IT",
     "39",
     10,
     "it",
     "EUR",
     {"Milano", "Roma", "Torino", "Bologna"},
     {"Via Roma", "Corso Italia", "Via Garibaldi", "Piazza Mazzini"},
     5,
     {"Lombardia", "Lazio", "Piemonte"}},
    {"ES",
     "34",
     9,
     "es",
     "EUR",
     {"Madrid", "Barcelona", "Valencia", "Sevilla"},
     {"Calle Mayor", "Avenida de la Constitución", "Calle Real", "Paseo del Prado"},
     5,
     {"Madrid", "Cataluña", "Andalucía"}},
    {"PL",
     "48",
     9,
     "pl",
     "PLN",
     {"Warszawa", "Kraków", "Gdańsk", "Wrocław"},
     {"ulica Długa", "ulica Polna", "ulica Leśna", "aleja Jana Pawła II"},
     5,
     {"Mazowieckie", "Małopolskie", "Pomorskie"}},
    {"SE",
     "46",
     9,
     "sv",
     "SEK",
     {"Stockholm", "Göteborg", "Malmö", "Uppsala"},
     {"Storgatan", "Kungsgatan", "Drottninggatan", "Skolgatan"},
     5,
     {"Stockholm", "Västra Götaland", "Skåne"}},
    {"DK",
     "45",
     8,
     "da",
     "DKK",
     {"København", "Aarhus", "Odense", "Aalborg"},
     {"Strøget", "Vestergade", "Østergade", "Nørregade"},
     4,
     {"Hovedstaden", "Midtjylland", "Syddanmark"}},
};

const char* const kGiven[] = {"Anna",      "Lukas",   "Marie",  "Jonas", "Sophie", "Felix",  "Emma",   "Paul",
                              "Léa",       "Noah",    "Mia",    "Elias", "Hannah", "Ben",    "Clara",  "Jan",
                              "Zoë",       "Matteo",  "Ida",    "Oskar", "Olivia", "James",  "Chloé",  "Lars",
                              "Agnieszka", "Piotr",   "Giulia", "Marco", "Lucía",  "Javier", "Ingrid", "Søren",
                              "Emily",     "Michael", "Sarah",  "David", "Laura",  "Thomas", "Julia",  "Daniel"};
const char* const kFamily[] = {"Müller",    "Schmidt",   "Schneider", "Fischer",   "Weber",     "Meyer",    "Wagner",
                               "Becker",    "Hoffmann",  "Schäfer",   "Koch",      "Richter",   "Klein",    "Wolf",
                               "Dubois",    "Martin",    "Bernard",   "de Vries",  "Jansen",    "Smith",    "Johnson",
                               "Brown",     "Rossi",     "Russo",     "García",    "Fernández", "Kowalski", "Nowak",
                               "Andersson", "Johansson", "Nielsen",   "Hansen",    "Williams",  "Taylor",   "Moreau",
                               "Bianchi",   "Lefebvre",  "Bakker",    "Lindqvist", "Zieliński"};
const char* const kAscii[] = {"mueller",   "schmidt",   "schneider", "fischer",   "weber",     "meyer",    "wagner",
                              "becker",    "hoffmann",  "schaefer",  "koch",      "richter",   "klein",    "wolf",
                              "dubois",    "martin",    "bernard",   "devries",   "jansen",    "smith",    "johnson",
                              "brown",     "rossi",     "russo",     "garcia",    "fernandez", "kowalski", "nowak",
                              "andersson", "johansson", "nielsen",   "hansen",    "williams",  "taylor",   "moreau",
                              "bianchi",   "lefebvre",  "bakker",    "lindqvist", "zielinski"};
const char* const kDomains[] = {"gmail.com", "web.de",     "gmx.net",   "outlook.com",   "yahoo.com", "t-online.de",
                                "orange.fr", "icloud.com", "proton.me", "hotmail.co.uk", "libero.it", "wp.pl"};
const char* const kCompanyWords[] = {"Haustechnik", "Solar",    "Energie", "Bau",      "Logistik",
                                     "Consulting",  "Medien",   "Systems", "Facility", "Immobilien",
                                     "Elektro",     "Software", "Handel",  "Metall"};
const char* const kLegal[] = {"GmbH", "AG",     "GmbH & Co. KG", "SARL",       "B.V.", "Ltd",
                              "Inc.", "S.r.l.", "S.L.",          "sp. z o.o.", "AB",   "ApS"};
const char* const kProducts[] = {"heat-pump-WP300",       "heat-pump-WP500", "pv-roof-10kwp", "pv-roof-15kwp",
                                 "battery-storage-8kwh",  "wallbox-11kw",    "wallbox-22kw",  "service-contract-basic",
                                 "service-contract-plus", "smart-meter",     "hybrid-boiler", "air-conditioning-split"};
const char* const kSubjects[] = {"Request for quote", "Call back requested", "Interest in",    "Question about",
                                 "Offer wanted for",  "Consultation on",     "Site visit for", "Financing options for"};
const char* const kCampaigns[] = {"spring-2025-heatpumps", "pv-summer-promo",       "trade-fair-intersolar",
                                  "newsletter-march",      "partner-referral-q2",   "google-ads-wallbox",
                                  "tv-spot-autumn",        "lettershop-mailing-07", "webinar-energy-saving",
                                  "winter-service-check"};
const LeadSource kSources[] = {LeadSource::web_form,    LeadSource::web_form, LeadSource::lettershop,
                               LeadSource::call_center, LeadSource::partner,  LeadSource::trade_show,
                               LeadSource::import,      LeadSource::api};
const Priority kPriorities[] = {Priority::low,    Priority::normal, Priority::normal,
                                Priority::normal, Priority::high,   Priority::immediate};
const char* const kChannels[] = {"sales-north",       "sales-south",        "sales-west",
                                 "sales-east",        "call-centre-berlin", "partner-solartech",
                                 "partner-klimaplus", "key-accounts",       "inside-sales"};
const char* const kAssignees[] = {"j.schmidt", "a.weber", "m.rossi",  "l.dubois",  "k.nowak",
                                  "s.jansen",  "t.brown", "e.garcia", "p.nielsen", "h.becker"};
const char* const kConsentTexts[] = {"Product news by e-mail", "Newsletter double opt-in", "By phone, call centre",
                                     "Trade show card"};
const char* const kUtmSources[] = {"google", "facebook", "linkedin", "newsletter", "bing", "instagram", "direct"};
const char* const kUtmMedia[] = {"cpc", "email", "social", "display", "organic", "referral"};

std::string digits(Rng& rng, int n, bool first_nonzero) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    const auto d = (i == 0 && first_nonzero) ? 1 + rng.below(9) : rng.below(10);
    out += static_cast<char>('0' + d);
  }
  return out;
}

std::string two(unsigned v) {
  return std::string(1, static_cast<char>('0' + v / 10)) + static_cast<char>('0' + v % 10);
}

Lead make_lead(Rng& rng, std::uint64_t n, std::uint64_t seed) {
  Lead lead;
  const Country& c = rng.pick(kCountries);
  const std::size_t fam = rng.below(std::size(kFamily));
  const char* given = rng.pick(kGiven);
  const char* product = rng.pick(kProducts);

  lead.subject = std::string(rng.pick(kSubjects)) + " " + product;
  lead.status = rng.chance(70) ? LeadStatus::open : LeadStatus::in_process;
  lead.priority = rng.pick(kPriorities);
  if (rng.chance(60)) lead.score = static_cast<std::uint8_t>(rng.below(101));
  lead.source = rng.pick(kSources);
  lead.campaign = rng.pick(kCampaigns);
  char ref[40];
  std::snprintf(ref, sizeof ref, "CRM-%02llu-%010llu", static_cast<unsigned long long>(seed % 100),
                static_cast<unsigned long long>(n + 1));
  lead.external_refs.push_back({"crm", ref});

  auto& p = lead.prospect;
  const bool org = rng.chance(30);
  p.kind = org ? ProspectKind::organization : ProspectKind::person;
  if (org) {
    p.company =
        std::string(kFamily[rng.below(std::size(kFamily))]) + " " + rng.pick(kCompanyWords) + " " + rng.pick(kLegal);
  }
  p.given_name = given;
  p.family_name = kFamily[fam];
  // given.family<number>@domain: mostly unique, a few shared (as in real data).
  std::string local;
  for (const char* g = given; *g != '\0'; ++g) {
    const auto u = static_cast<unsigned char>(*g);
    if (u < 0x80) local += static_cast<char>(u >= 'A' && u <= 'Z' ? u + 32 : u);
  }
  p.email = local + "." + kAscii[fam] + std::to_string(rng.below(10000)) + "@" + rng.pick(kDomains);
  if (rng.chance(5)) p.email[0] = static_cast<char>(p.email[0] - 32);  // some upper case: index is lower-cased
  p.phone = std::string("+") + c.dial + digits(rng, c.national_digits, true);
  p.language = c.language;
  auto& a = p.address;
  if (rng.chance(55)) {  // web forms often ask for the city only
    a.street = std::string(c.streets[rng.below(4)]) + " " + std::to_string(1 + rng.below(180));
    a.postal_code = c.postal_digits > 0 ? digits(rng, c.postal_digits, true)
                                        : std::string("SW") + std::to_string(1 + rng.below(20)) + " " +
                                              std::to_string(rng.below(10)) + "AB";
  }
  a.city = c.cities[rng.below(4)];
  if (rng.chance(20)) a.region = c.regions[rng.below(3)];
  a.country = c.code;

  lead.interests.push_back({product, static_cast<std::uint32_t>(1 + rng.below(5))});
  if (rng.chance(10)) lead.interests.push_back({rng.pick(kProducts), 1});
  if (rng.chance(50)) {
    lead.expected_value.amount =
        std::to_string(500 + rng.below(60000)) + "." + two(static_cast<unsigned>(rng.below(100)));
    lead.expected_value.currency = c.currency;
  }
  if (rng.chance(75)) {
    lead.owner.channel = rng.pick(kChannels);
    if (rng.chance(40)) lead.owner.assignee = rng.pick(kAssignees);
  }
  const TimeMs base = 1'735'689'600'000;  // 2025-01-01
  const TimeMs at = base + static_cast<TimeMs>(rng.below(300ULL * 86'400'000));
  if (rng.chance(30)) {
    lead.consent.marketing = rng.chance(85);
    lead.consent.at = at;
    lead.consent.text = rng.pick(kConsentTexts);
  }
  if (rng.chance(20)) {
    lead.follow_up =
        "2026-" + two(static_cast<unsigned>(1 + rng.below(12))) + "-" + two(static_cast<unsigned>(1 + rng.below(28)));
  }
  if (rng.chance(25)) {
    lead.attributes["utm_source"] = rng.pick(kUtmSources);
    lead.attributes["utm_medium"] = rng.pick(kUtmMedia);
  }
  if (rng.chance(10)) lead.attributes["landing_page"] = "/angebot/" + std::string(product);
  return lead;
}

[[noreturn]] void usage() {
  std::fprintf(stderr, "usage: bench_gen --count N [--seed S] [--out FILE]\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t count = 0;
  std::uint64_t seed = 42;
  const char* out_name = nullptr;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (i + 1 >= argc) usage();
    if (a == "--count")
      count = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--seed")
      seed = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--out")
      out_name = argv[++i];
    else
      usage();
  }
  if (count == 0) usage();
  std::FILE* out = out_name != nullptr ? std::fopen(out_name, "wb") : stdout;
  if (out == nullptr) {
    std::perror(out_name);
    return 1;
  }
  static char buffer[1 << 20];
  std::setvbuf(out, buffer, _IOFBF, sizeof buffer);
  Rng rng(seed);
  std::uint64_t bytes = 0;
  std::size_t smallest = SIZE_MAX, largest = 0;
  std::string line;
  for (std::uint64_t n = 0; n < count; ++n) {
    line = to_json(make_lead(rng, n, seed));
    smallest = std::min(smallest, line.size());
    largest = std::max(largest, line.size());
    bytes += line.size() + 1;
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), out);
  }
  if (std::fflush(out) != 0 || (out != stdout && std::fclose(out) != 0)) {
    std::perror("write");
    return 1;
  }
  std::fprintf(stderr, "bench_gen: %llu leads, %llu bytes, %.0f bytes/lead on average (min %zu, max %zu)\n",
               static_cast<unsigned long long>(count), static_cast<unsigned long long>(bytes),
               static_cast<double>(bytes) / static_cast<double>(count), smallest, largest);
  return 0;
}
