// The labelled synthetic set of the duplicate benchmarks (bench_dedupe,
// bench_dedupe_store): N leads of which 10% duplicate an earlier original with
// realistic damage (typos, umlauts spelled out, swapped names, missing fields,
// other phone formats, e-mail case, another legal form). Seeded, so a run is
// repeatable. entity[i] is the index of lead i's original (i itself for one).
#pragma once

#include <cstdint>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "model/lead.hpp"

namespace leadhub::bench {
namespace labelled_detail {

inline const char* kGiven[] = {
    "Anna",      "Jürgen", "Jörg",      "Björn",    "Günter",  "Sören",   "Käthe",  "Peter",  "Thomas", "Michael",
    "Andreas",   "Stefan", "Christian", "Sabine",   "Claudia", "Susanne", "Petra",  "Monika", "Lukas",  "Leon",
    "Finn",      "Jonas",  "Paul",      "Ben",      "Elias",   "Noah",    "Emma",   "Mia",    "Hannah", "Sophia",
    "Lena",      "Marie",  "Lea",       "Clara",    "Frank",   "Uwe",     "Dieter", "Klaus",  "Heinz",  "Wolfgang",
    "Ursula",    "Renate", "Helga",     "Brigitte", "Martina", "Nicole",  "Julia",  "Katrin", "Tobias", "Florian",
    "Sebastian", "Markus", "Jan",       "Tim",      "Max",     "Felix",   "Jens",   "Dirk",   "Ingrid", "Gisela"};
inline const char* kFamily[] = {
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
inline const char* kSyllables[] = {"ber",  "din", "gar", "hol", "kal", "len", "mar", "nor", "pet", "ros", "sel", "tan",
                                   "wal",  "zim", "bro", "fel", "gun", "hei", "kor", "lin", "mos", "ost", "rit", "sch",
                                   "trau", "ul",  "vo",  "wen", "ka",  "mi",  "lo",  "ra",  "de",  "bu",  "ni",  "ha"};
inline const char* kBranches[] = {"Haustechnik",  "Bau",          "Logistik",   "Elektro",   "Metallbau",
                                  "Software",     "Consulting",   "Handel",     "Transport", "Gartenbau",
                                  "Dachdeckerei", "Maschinenbau", "Immobilien", "Druck"};
inline const char* kLegal[] = {"GmbH", "AG",   "KG",   "GmbH & Co. KG", "e.K.", "Ltd",
                               "Inc",  "SARL", "B.V.", "S.p.A.",        "UG"};
inline const char* kDomains[] = {"gmail.com", "web.de", "gmx.de", "t-online.de", "outlook.com", "yahoo.de"};

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
inline std::string ascii_mail(const std::string& text) {
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

inline std::string family_name(Gen& g) {
  // Half from the common list (so many real namesakes), half rarer names.
  if (g.chance(0.5)) return kFamily[g.pick(std::size(kFamily))];
  std::string name;
  int parts = 2 + static_cast<int>(g.pick(2));
  for (int i = 0; i < parts; ++i) name += kSyllables[g.pick(std::size(kSyllables))];
  name[0] = static_cast<char>(name[0] - 'a' + 'A');
  return name;
}

inline Lead original(Gen& g, std::uint64_t id) {
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

inline std::size_t ascii_pos(Gen& g, const std::string& s) {  // a position not inside a UTF-8 sequence
  for (int tries = 0; tries < 8; ++tries) {
    std::size_t i = 1 + g.pick(s.size() - 1);
    if (static_cast<unsigned char>(s[i]) < 0x80 && static_cast<unsigned char>(s[i - 1]) < 0x80) return i;
  }
  return 0;
}

inline void typo(Gen& g, std::string& s) {
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

inline void spell_out_umlaut(std::string& s) {
  static const std::pair<const char*, const char*> kMap[] = {{"ä", "ae"}, {"ö", "oe"}, {"ü", "ue"}, {"ß", "ss"}};
  for (auto [from, to] : kMap) {
    if (std::size_t i = s.find(from); i != std::string::npos) s.replace(i, 2, to);
  }
}

inline std::string other_phone_format(const std::string& e164) {
  // +49 171 12345678 -> 0049 (171) 1234-5678 and similar; same number.
  std::string rest = e164.substr(3);
  return "0049 (" + rest.substr(0, 3) + ") " + rest.substr(3, 4) + "-" + rest.substr(7);
}

inline void other_legal_form(std::string& company) {
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

inline void damage(Gen& g, Lead& l) {
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

inline Labelled generate(std::size_t n, std::uint64_t seed) {
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

}  // namespace labelled_detail

using labelled_detail::generate;
using labelled_detail::Labelled;

}  // namespace leadhub::bench
