// bench_dedupe: the duplicate check over a labelled synthetic set.
// Generates N leads (default 100,000) of which 10% are duplicates of an
// earlier lead carrying realistic damage (typos, umlauts spelled out, swapped
// names, missing fields, other phone formats, e-mail case, other legal form),
// checks every lead against an in-memory blocking index (what the store's LMDB
// index will hold), then prints precision, recall and checks per second.
//   bench_dedupe [N] [seed] [config.yaml]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

#include "processing/config.hpp"
#include "processing/dedupe.hpp"

using namespace leadhub;
using namespace leadhub::processing;

namespace {

const char* kGiven[] = {
    "Anna",      "Jürgen", "Jörg",      "Björn",    "Günter",  "Sören",   "Käthe",  "Peter",  "Thomas", "Michael",
    "Andreas",   "Stefan", "Christian", "Sabine",   "Claudia", "Susanne", "Petra",  "Monika", "Lukas",  "Leon",
    "Finn",      "Jonas",  "Paul",      "Ben",      "Elias",   "Noah",    "Emma",   "Mia",    "Hannah", "Sophia",
    "Lena",      "Marie",  "Lea",       "Clara",    "Frank",   "Uwe",     "Dieter", "Klaus",  "Heinz",  "Wolfgang",
    "Ursula",    "Renate", "Helga",     "Brigitte", "Martina", "Nicole",  "Julia",  "Katrin", "Tobias", "Florian",
    "Sebastian", "Markus", "Jan",       "Tim",      "Max",     "Felix",   "Jens",   "Dirk",   "Ingrid", "Gisela"};
const char* kFamily[] = {
    "Müller",   "Schmidt",    "Schneider", "Fischer", "Weber",    "Meyer",    "Wagner",    "Becker",     "Schulz",
    "Hoffmann", "Schäfer",    "Koch",      "Bauer",   "Richter",  "Klein",    "Wolf",      "Schröder",   "Neumann",
    "Schwarz",  "Zimmermann", "Braun",     "Krüger",  "Hofmann",  "Hartmann", "Lange",     "Schmitt",    "Werner",
    "Schmitz",  "Krause",     "Meier",     "Lehmann", "Schmid",   "Schulze",  "Maier",     "Köhler",     "Herrmann",
    "König",    "Walter",     "Mayer",     "Huber",   "Kaiser",   "Fuchs",    "Peters",    "Lang",       "Scholz",
    "Möller",   "Weiß",       "Jung",      "Hahn",    "Schubert", "Vogel",    "Friedrich", "Keller",     "Günther",
    "Frank",    "Berger",     "Winkler",   "Roth",    "Beck",     "Lorenz",   "Baumann",   "Franke",     "Albrecht",
    "Schuster", "Simon",      "Ludwig",    "Böhm",    "Winter",   "Kraus",    "Martin",    "Schumacher", "Krämer",
    "Vogt",     "Stein",      "Jäger",     "Otto",    "Sommer",   "Groß",     "Seidel",    "Heinrich",   "Brandt",
    "Haas",     "Schreiber",  "Graf",      "Schulte", "Dietrich", "Ziegler",  "Kuhn",      "Kühn",       "Pohl",
    "Engel"};
const char* kSyllables[] = {"ber",  "din", "gar", "hol", "kal", "len", "mar", "nor", "pet", "ros", "sel", "tan",
                            "wal",  "zim", "bro", "fel", "gun", "hei", "kor", "lin", "mos", "ost", "rit", "sch",
                            "trau", "ul",  "vo",  "wen", "ka",  "mi",  "lo",  "ra",  "de",  "bu",  "ni",  "ha"};
const char* kBranches[] = {"Haustechnik",  "Bau",          "Logistik",   "Elektro",   "Metallbau",
                           "Software",     "Consulting",   "Handel",     "Transport", "Gartenbau",
                           "Dachdeckerei", "Maschinenbau", "Immobilien", "Druck"};
const char* kLegal[] = {"GmbH", "AG", "KG", "GmbH & Co. KG", "e.K.", "Ltd", "Inc", "SARL", "B.V.", "S.p.A.", "UG"};
const char* kDomains[] = {"gmail.com", "web.de", "gmx.de", "t-online.de", "outlook.com", "yahoo.de"};

struct Gen {
  std::mt19937_64 rng;
  std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); }
  bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; }
  std::string digits(int n) {
    std::string s;
    for (int i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + pick(10)));
    return s;
  }
};

// ASCII spelling for e-mail local parts: the way people type their own names.
std::string ascii_mail(const std::string& text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == 0xC3 && i + 1 < text.size()) {
      switch (static_cast<unsigned char>(text[++i])) {
        case 0xA4:
          out += "ae";
          break;
        case 0xB6:
          out += "oe";
          break;
        case 0xBC:
          out += "ue";
          break;
        case 0x9F:
          out += "ss";
          break;
        default:
          out += "e";
      }
    } else if (c >= 'A' && c <= 'Z') {
      out.push_back(static_cast<char>(c - 'A' + 'a'));
    } else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

std::string family_name(Gen& g) {
  // Half from the common list (so many real namesakes), half rarer names.
  if (g.chance(0.5)) return kFamily[g.pick(std::size(kFamily))];
  std::string name;
  int parts = 2 + static_cast<int>(g.pick(2));
  for (int i = 0; i < parts; ++i) name += kSyllables[g.pick(std::size(kSyllables))];
  name[0] = static_cast<char>(name[0] - 'a' + 'A');
  return name;
}

Lead original(Gen& g, std::uint64_t id) {
  Lead l;
  l.id = RecordId(id);
  Prospect& p = l.prospect;
  p.given_name = kGiven[g.pick(std::size(kGiven))];
  p.family_name = family_name(g);
  if (g.chance(0.85)) {
    p.email = ascii_mail(p.given_name) + "." + ascii_mail(p.family_name) + std::to_string(id) + "@" +
              kDomains[g.pick(std::size(kDomains))];
  }
  if (g.chance(0.8)) p.phone = "+49" + std::to_string(15 + g.pick(80)) + g.digits(8);
  if (g.chance(0.4)) {
    p.company = (g.chance(0.5) ? p.family_name : std::string(kFamily[g.pick(std::size(kFamily))])) + " " +
                kBranches[g.pick(std::size(kBranches))] + " " + kLegal[g.pick(std::size(kLegal))];
  }
  std::string postal = g.digits(5);
  p.address.postal_code = postal;
  p.address.city = "Stadt " + postal.substr(0, 3);  // one city per 3-digit region
  p.address.country = "DE";
  return l;
}

// ---- damage --------------------------------------------------------------

std::size_t ascii_pos(Gen& g, const std::string& s) {  // a position not inside a UTF-8 sequence
  for (int tries = 0; tries < 8; ++tries) {
    std::size_t i = 1 + g.pick(s.size() - 1);
    if (static_cast<unsigned char>(s[i]) < 0x80 && static_cast<unsigned char>(s[i - 1]) < 0x80) return i;
  }
  return 0;
}

void typo(Gen& g, std::string& s) {
  if (s.size() < 4) return;
  std::size_t i = ascii_pos(g, s);
  if (i == 0 || i + 1 >= s.size() || static_cast<unsigned char>(s[i + 1]) >= 0x80) return;
  switch (g.pick(3)) {
    case 0:
      std::swap(s[i], s[i + 1]);
      break;
    case 1:
      s.erase(i, 1);
      break;
    default:
      s.insert(i, 1, static_cast<char>('a' + g.pick(26)));
  }
}

void spell_out_umlaut(std::string& s) {
  static const std::pair<const char*, const char*> kMap[] = {{"ä", "ae"}, {"ö", "oe"}, {"ü", "ue"}, {"ß", "ss"}};
  for (auto [from, to] : kMap) {
    if (std::size_t i = s.find(from); i != std::string::npos) s.replace(i, 2, to);
  }
}

std::string other_phone_format(const std::string& e164) {
  // +49 171 12345678 -> 0049 (171) 1234-5678 and similar; same number.
  std::string rest = e164.substr(3);
  return "0049 (" + rest.substr(0, 3) + ") " + rest.substr(3, 4) + "-" + rest.substr(7);
}

void other_legal_form(std::string& company) {
  static const char* kVariants[] = {"G.m.b.H.", "GmbH & Co. KG", "Ltd.", "AG", ""};
  for (const char* legal : kLegal) {
    std::string suffix = std::string(" ") + legal;
    if (company.size() > suffix.size() && company.ends_with(suffix)) {
      company.resize(company.size() - suffix.size());
      break;
    }
  }
  std::string v = kVariants[std::rand() % 5];
  if (!v.empty()) company += " " + v;
}

void damage(Gen& g, Lead& l) {
  Prospect& p = l.prospect;
  int n = 1 + static_cast<int>(g.pick(3));
  for (int i = 0; i < n; ++i) {
    switch (g.pick(10)) {
      case 0:
        typo(g, p.family_name);
        break;
      case 1:
        typo(g, p.given_name);
        break;
      case 2:
        spell_out_umlaut(p.family_name);
        spell_out_umlaut(p.given_name);
        break;
      case 3:
        std::swap(p.given_name, p.family_name);
        break;
      case 4:  // one or both contact fields left out, or a different mailbox given
        if (g.chance(0.5)) p.email.clear();
        if (g.chance(0.5)) p.phone.clear();
        if (g.chance(0.3) && !p.email.empty()) p.email = "x" + std::to_string(l.id.raw()) + "@firma.example";
        break;
      case 5:
        if (!p.phone.empty()) p.phone = other_phone_format(p.phone);
        break;
      case 6:
        for (char& c : p.email) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        break;
      case 7:
        if (!p.company.empty()) other_legal_form(p.company);
        break;
      case 8:
        p.company.clear();
        break;
      default:
        p.given_name.clear();
    }
  }
}

// ---- the run -------------------------------------------------------------

struct Labelled {
  std::vector<Lead> leads;
  std::vector<std::uint32_t> entity;  // same entity = true duplicates
};

Labelled generate(std::size_t n, std::uint64_t seed) {
  Gen g{std::mt19937_64(seed)};
  Labelled set;
  const std::size_t originals = n - n / 10;
  for (std::size_t i = 0; i < originals; ++i) {
    set.leads.push_back(original(g, i + 1));
    set.entity.push_back(static_cast<std::uint32_t>(i));
  }
  for (std::size_t i = originals; i < n; ++i) {
    std::size_t of = g.pick(originals);
    Lead copy = set.leads[of];
    copy.id = RecordId(i + 1);
    damage(g, copy);
    set.leads.push_back(std::move(copy));
    set.entity.push_back(static_cast<std::uint32_t>(of));
  }
  return set;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t n = argc > 1 ? std::stoul(argv[1]) : 100'000;
  const std::uint64_t seed = argc > 2 ? std::stoull(argv[2]) : 42;
  DuplicateConfig config = DuplicateConfig::defaults();
  if (argc > 3) {
    auto loaded = load_processing_config(argv[3]);
    if (!loaded) {
      std::fprintf(stderr, "%s\n", loaded.error().message.c_str());
      return 2;
    }
    config = loaded->duplicates;
  }
  std::srand(static_cast<unsigned>(seed));
  Labelled set = generate(n, seed);

  std::vector<MatchKey> keys(n);
  std::unordered_map<std::string, std::vector<std::uint32_t>> index;
  index.reserve(n * 4);
  std::vector<std::uint32_t> ids;
  std::vector<const MatchKey*> candidates;
  std::size_t tp = 0, fp = 0, fn = 0, truth = 0, candidates_total = 0;
  std::map<std::string, std::size_t> fp_by_rules;  // which rule combinations go wrong: for tuning

  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < n; ++i) {
    keys[i] = make_match_key(set.leads[i], config.normalize);
    const std::vector<std::string> blocks = blocking_keys(keys[i]);
    ids.clear();
    for (const std::string& b : blocks) {
      if (auto it = index.find(b); it != index.end()) ids.insert(ids.end(), it->second.begin(), it->second.end());
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    candidates.clear();
    for (std::uint32_t id : ids) candidates.push_back(&keys[id]);
    candidates_total += candidates.size();
    DuplicateDecision d = check_duplicates(config, keys[i], candidates);

    const bool is_dup = set.entity[i] != i;
    truth += is_dup;
    if (d.duplicate) {
      const std::uint32_t best = static_cast<std::uint32_t>(d.best()->raw() - 1);
      (set.entity[best] == set.entity[i] ? tp : fp) += 1;
      if (set.entity[best] != set.entity[i]) {
        std::string rules;
        for (const RuleHit& h : d.matches.front().hits) rules += (rules.empty() ? "" : "+") + h.rule;
        ++fp_by_rules[rules];
      }
      if (is_dup && set.entity[best] != set.entity[i]) ++fn;
    } else if (is_dup) {
      ++fn;
    }
    for (const std::string& b : blocks) index[b].push_back(static_cast<std::uint32_t>(i));
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const double precision = tp + fp == 0 ? 1.0 : static_cast<double>(tp) / static_cast<double>(tp + fp);
  const double recall = truth == 0 ? 1.0 : static_cast<double>(tp) / static_cast<double>(truth);
  std::printf("leads %zu, true duplicates %zu, flagged %zu (tp %zu, fp %zu, missed %zu)\n", n, truth, tp + fp, tp, fp,
              fn);
  std::printf("precision %.4f (target >= 0.98)\nrecall    %.4f (target >= 0.90)\n", precision, recall);
  std::printf("checks/s  %.0f on one core (target >= 50000); %.1f candidates per check, %zu index keys\n",
              static_cast<double>(n) / seconds, static_cast<double>(candidates_total) / static_cast<double>(n),
              index.size());
  for (const auto& [rules, count] : fp_by_rules) std::printf("  false positives by %s: %zu\n", rules.c_str(), count);
  return 0;
}
