#include "model/validation.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <string>

#include "model/codes.hpp"
#include "model/limits.hpp"
#include "util/time_format.hpp"

namespace leadhub {
namespace {

using namespace limits;

std::string trim(std::string_view s) {
  const auto* ws = " \t\r\n\v\f";
  const auto b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(ws);
  return std::string(s.substr(b, e - b + 1));
}

void trim_in_place(std::string& s) {
  if (!s.empty() &&
      (std::isspace(static_cast<unsigned char>(s.front())) || std::isspace(static_cast<unsigned char>(s.back())))) {
    s = trim(s);
  }
}

std::string upper_ascii(std::string_view s) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

// "+49 (171) 123-45.67" -> "+4917112345 67" without separators; anything else is
// left for validation to report.
std::string strip_phone_punctuation(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '/') continue;
    out += c;
  }
  if (out.rfind("00", 0) == 0) out = "+" + out.substr(2);  // international dialling prefix
  return out;
}

void normalize_address(Address& a) {
  trim_in_place(a.street);
  trim_in_place(a.postal_code);
  trim_in_place(a.city);
  trim_in_place(a.region);
  a.country = upper_ascii(trim(a.country));
}

void normalize_contact(std::string& email, std::string& phone) {
  email = trim(email);
  phone = strip_phone_punctuation(trim(phone));
}

// A field's path, made text only when something is wrong with the field:
// validation runs for every record of a bulk import. "interests[2].product" is
// {"interests", 2, ".product"}; "attributes.utm" is {"attributes.", none, "utm"}.
struct FieldPath {
  static constexpr std::size_t kNoIndex = static_cast<std::size_t>(-1);
  FieldPath(const char* whole) : head(whole) {}       // NOLINT(google-explicit-constructor): a plain path
  FieldPath(std::string_view whole) : head(whole) {}  // NOLINT(google-explicit-constructor)
  FieldPath(std::string_view list, std::size_t i, std::string_view member) : head(list), index(i), tail(member) {}

  std::string str() const {
    std::string out(head);
    if (index != kNoIndex) out += "[" + std::to_string(index) + "]";
    out += tail;
    return out;
  }

  std::string_view head;
  std::size_t index = kNoIndex;
  std::string_view tail;
};

// Collects errors under a path prefix, e.g. "prospect.address".
class Checker {
 public:
  explicit Checker(std::vector<FieldError>& out) : out_(out) {}

  void fail(const FieldPath& field, std::string reason) { out_.push_back({field.str(), std::move(reason)}); }

  void text(const FieldPath& field, std::string_view value, std::size_t max, bool multiline = false) {
    if (value.size() > max) {
      fail(field, "longer than " + std::to_string(max) + " bytes");
    } else if (!is_valid_utf8_text(value, multiline)) {
      fail(field, "not valid UTF-8 text (or contains control characters)");
    }
  }

  void required(const FieldPath& field, std::string_view value) {
    if (value.empty()) fail(field, "required");
  }

  template <typename List>
  bool list_size(const FieldPath& field, const List& list, std::size_t max) {
    if (list.size() <= max) return true;
    fail(field, "more than " + std::to_string(max) + " entries");
    return false;
  }

  void email(std::string_view field, const std::string& value) {
    text(field, value, kEmail);
    if (!value.empty() && !is_email(value)) fail(field, "not an e-mail address");
  }

  void phone(std::string_view field, const std::string& value) {
    if (!value.empty() && !is_e164(value)) {
      fail(field, "not an international phone number (expected E.164 such as +4930123456)");
    }
  }

  // `names`: the five member paths (street, postal_code, city, region, country).
  void address(const std::array<std::string_view, 5>& names, const Address& a) {
    text(names[0], a.street, kMediumText);
    text(names[1], a.postal_code, kPostalCode);
    text(names[2], a.city, kShortText);
    text(names[3], a.region, kShortText);
    if (!a.country.empty() && !is_iso_country(a.country)) {
      fail(names[4], "not an ISO 3166-1 alpha-2 country code");
    }
  }

  void external_refs(const std::vector<ExternalRef>& refs) {
    if (!list_size("external_refs", refs, kExternalRefs)) return;
    for (std::size_t i = 0; i < refs.size(); ++i) {
      const FieldPath system{"external_refs", i, ".system"}, id{"external_refs", i, ".id"};
      required(system, refs[i].system);
      required(id, refs[i].id);
      text(system, refs[i].system, kShortText);
      text(id, refs[i].id, kShortText);
      for (std::size_t j = 0; j < i; ++j) {
        if (refs[j].system == refs[i].system) fail(system, "the same system appears twice");
      }
    }
  }

 private:
  std::vector<FieldError>& out_;
};

void check_prospect(Checker& c, const Prospect& p) {
  c.text("prospect.company", p.company, kMediumText);
  c.text("prospect.given_name", p.given_name, kShortText);
  c.text("prospect.family_name", p.family_name, kShortText);
  c.email("prospect.email", p.email);
  c.phone("prospect.phone", p.phone);
  c.text("prospect.language", p.language, kLanguage);
  if (!p.language.empty()) {
    const bool ok = std::all_of(p.language.begin(), p.language.end(),
                                [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '-'; });
    if (!ok || p.language.size() < 2) c.fail("prospect.language", "not a language tag such as de or en-GB");
  }
  c.address({"prospect.address.street", "prospect.address.postal_code", "prospect.address.city",
             "prospect.address.region", "prospect.address.country"},
            p.address);
  if (p.email.empty() && p.phone.empty() && p.family_name.empty() && p.company.empty()) {
    c.fail("prospect", "needs at least one of email, phone, family_name or company");
  }
  if (p.kind == ProspectKind::organization && p.company.empty()) {
    c.fail("prospect.company", "required when kind is organization");
  }
}

void check_lists(Checker& c, const Lead& lead) {
  if (c.list_size("interests", lead.interests, kInterests)) {
    for (std::size_t i = 0; i < lead.interests.size(); ++i) {
      const FieldPath product{"interests", i, ".product"};
      c.required(product, lead.interests[i].product);
      c.text(product, lead.interests[i].product, kShortText);
      if (lead.interests[i].quantity == 0 || lead.interests[i].quantity > kMaxQuantity) {
        c.fail({"interests", i, ".quantity"}, "must be between 1 and " + std::to_string(kMaxQuantity));
      }
    }
  }
  if (c.list_size("notes", lead.notes, kNotes)) {
    for (std::size_t i = 0; i < lead.notes.size(); ++i) {
      const FieldPath text{"notes", i, ".text"};
      c.required(text, lead.notes[i].text);
      c.text(text, lead.notes[i].text, kNoteText, true);
      c.text({"notes", i, ".author"}, lead.notes[i].author, kShortText);
    }
  }
  if (c.list_size("attachments", lead.attachments, kAttachments)) {
    for (std::size_t i = 0; i < lead.attachments.size(); ++i) {
      const auto& a = lead.attachments[i];
      const FieldPath name{"attachments", i, ".name"};
      c.required(name, a.name);
      c.text(name, a.name, kMediumText);
      c.text({"attachments", i, ".media_type"}, a.media_type, kShortText);
      c.text({"attachments", i, ".uri"}, a.uri, kUri);
      const bool hex = std::all_of(a.sha256.begin(), a.sha256.end(),
                                   [](char ch) { return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'); });
      if (!a.sha256.empty() && (a.sha256.size() != 64 || !hex)) {
        c.fail({"attachments", i, ".sha256"}, "not 64 lower-case hex digits");
      }
    }
  }
  if (c.list_size("attributes", lead.attributes, kAttributes)) {
    for (const auto& [key, value] : lead.attributes) {
      const FieldPath p{"attributes.", FieldPath::kNoIndex, std::string_view(key).substr(0, kAttributeKey)};
      const bool ok = !key.empty() && key.size() <= kAttributeKey && std::all_of(key.begin(), key.end(), [](char ch) {
        return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-' || ch == '.';
      });
      if (!ok) c.fail(p, "attribute names are 1-64 letters, digits, '_', '-' or '.'");
      c.text(p, value, kAttributeValue, true);
    }
  }
}

}  // namespace

std::string lower_ascii(std::string_view text) {
  std::string out(text);
  for (auto& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string fold_name(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (const char c : name) {
    if (c == ' ' || c == '_' || c == '-' || c == '.') continue;
    out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  return out;
}

namespace {

constexpr std::uint64_t kOnes = 0x0101010101010101ULL;

// True when all eight bytes are printable ASCII (0x20..0x7E): most text is, and
// checking a word at a time is several times cheaper than byte by byte.
bool printable_ascii(std::uint64_t w) {
  constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
  const std::uint64_t below_space = (w - kOnes * 0x20) & ~w;  // high bit set where a byte < 0x20 (or >= 0x80)
  const std::uint64_t del = w ^ (kOnes * 0x7F);
  const std::uint64_t is_del = (del - kOnes) & ~del;  // high bit set where a byte == 0x7F
  return ((w | below_space | is_del) & kHigh) == 0;
}

bool printable_ascii_word(const char* p) {
  std::uint64_t w = 0;
  std::memcpy(&w, p, sizeof w);
  return printable_ascii(w);
}

// A text shorter than a word (codes, postal codes, short names: many values),
// padded with printable bytes.
bool printable_ascii_short(std::string_view text) {
  std::uint64_t w = kOnes * 'a';
  std::memcpy(&w, text.data(), text.size());
  return printable_ascii(w);
}

}  // namespace

bool is_valid_utf8_text(std::string_view text, bool allow_newlines) {
  if (text.empty()) return true;
  if (text.size() < 8 && printable_ascii_short(text)) return true;
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t rest = text.size() - i;
    if (rest >= 8 && printable_ascii_word(text.data() + i)) {
      i += 8;
      continue;
    }
    // A short rest of a long text: its last eight bytes, overlapping what was read.
    if (rest < 8 && text.size() >= 8 && printable_ascii_word(text.data() + text.size() - 8)) return true;
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      const bool control = c < 0x20 || c == 0x7F;
      if (control && !(allow_newlines && (c == '\n' || c == '\r' || c == '\t'))) return false;
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > text.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    const bool overlong = (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

UnseenCharacter unseen_character_at(std::string_view text, std::size_t i) {
  const auto byte = [&](std::size_t k) { return i + k < text.size() ? static_cast<unsigned char>(text[i + k]) : 0U; };
  const auto space = [](std::size_t n) { return UnseenCharacter{UnseenCharacter::space, n}; };
  const auto invisible = [](std::size_t n) { return UnseenCharacter{UnseenCharacter::invisible, n}; };
  switch (byte(0)) {
    case 0xC2:  // U+00A0 no-break space, U+00AD soft hyphen
      return byte(1) == 0xA0 ? space(2) : byte(1) == 0xAD ? invisible(2) : UnseenCharacter{};
    case 0xE1:  // U+1680 Ogham space mark
      return byte(1) == 0x9A && byte(2) == 0x80 ? space(3) : UnseenCharacter{};
    case 0xE2:
      if (byte(1) == 0x80) {
        const unsigned c = byte(2);
        if (c <= 0x8A || c == 0xA8 || c == 0xA9 || c == 0xAF) return space(3);  // U+2000-200A, U+2028/9, U+202F
        if (c == 0x8B) return invisible(3);                                     // U+200B zero-width space
      } else if (byte(1) == 0x81) {
        if (byte(2) == 0x9F) return space(3);      // U+205F medium mathematical space
        if (byte(2) == 0xA0) return invisible(3);  // U+2060 word joiner
      }
      return {};
    case 0xE3:  // U+3000 ideographic space
      return byte(1) == 0x80 && byte(2) == 0x80 ? space(3) : UnseenCharacter{};
    case 0xEF:  // U+FEFF zero-width no-break space (a byte order mark)
      return byte(1) == 0xBB && byte(2) == 0xBF ? invisible(3) : UnseenCharacter{};
    default:
      return {};
  }
}

namespace {

// An address with a character nobody sees in it (a no-break space, a zero-width
// space) is nobody's: mail to it bounces and it never matches the same address typed.
bool has_unseen_character(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (static_cast<unsigned char>(text[i]) >= 0x80 && unseen_character_at(text, i).length != 0) return true;
  }
  return false;
}

}  // namespace

bool is_email(std::string_view text) {
  if (has_unseen_character(text)) return false;
  const auto at = text.rfind('@');
  if (at == std::string_view::npos || at == 0 || at > 64 || at + 1 >= text.size()) return false;
  const auto local = text.substr(0, at);
  const auto domain = text.substr(at + 1);
  if (local.front() == '.' || local.back() == '.' || local.find("..") != std::string_view::npos) return false;
  for (char ch : local) {
    const auto u = static_cast<unsigned char>(ch);
    if (u <= 0x20 || ch == '@' || ch == '"' || ch == '(' || ch == ')' || ch == ',' || ch == ':' || ch == ';' ||
        ch == '<' || ch == '>' || ch == '[' || ch == ']' || ch == '\\') {
      return false;
    }
  }
  // Domain: dot-separated labels of letters, digits, '-' or non-ASCII (IDN), and a dot.
  if (domain.find('.') == std::string_view::npos || domain.front() == '.' || domain.back() == '.') return false;
  std::size_t label = 0;
  for (std::size_t i = 0; i < domain.size(); ++i) {
    const char ch = domain[i];
    if (ch == '.') {
      if (label == 0 || domain[i - 1] == '-') return false;
      label = 0;
      continue;
    }
    const auto u = static_cast<unsigned char>(ch);
    const bool ok = std::isalnum(u) || ch == '-' || u >= 0x80;
    if (!ok || (label == 0 && ch == '-')) return false;
    if (++label > 63) return false;
  }
  return label >= 1 && domain.back() != '-';  // no label may end in a hyphen, the last one included
}

bool is_e164(std::string_view text) {
  if (text.size() < 8 || text.size() > 16 || text[0] != '+' || text[1] == '0') return false;
  return std::all_of(text.begin() + 1, text.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
}

bool is_decimal(std::string_view text) {
  if (!text.empty() && text[0] == '-') text.remove_prefix(1);
  const auto dot = text.find('.');
  const auto integer = text.substr(0, dot);
  const auto fraction = dot == std::string_view::npos ? std::string_view{} : text.substr(dot + 1);
  const auto digits = [](std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
  };
  if (integer.empty() || integer.size() > 15 || !digits(integer)) return false;
  if (dot != std::string_view::npos && (fraction.empty() || fraction.size() > 4 || !digits(fraction))) return false;
  return true;
}

void normalize(Lead& lead) {
  trim_in_place(lead.subject);
  trim_in_place(lead.campaign);
  auto& p = lead.prospect;
  trim_in_place(p.company);
  trim_in_place(p.given_name);
  trim_in_place(p.family_name);
  trim_in_place(p.language);
  normalize_contact(p.email, p.phone);
  normalize_address(p.address);
  lead.expected_value.currency = upper_ascii(trim(lead.expected_value.currency));
  trim_in_place(lead.expected_value.amount);
  for (auto& ref : lead.external_refs) {
    trim_in_place(ref.system);
    trim_in_place(ref.id);
  }
  for (auto& a : lead.attachments) a.sha256 = lower_ascii(a.sha256);
  trim_in_place(lead.owner.channel);
  trim_in_place(lead.owner.assignee);
}

void normalize(BusinessPartner& partner) {
  trim_in_place(partner.company);
  trim_in_place(partner.given_name);
  trim_in_place(partner.family_name);
  normalize_contact(partner.email, partner.phone);
  normalize_address(partner.address);
  for (auto& ref : partner.external_refs) {
    trim_in_place(ref.system);
    trim_in_place(ref.id);
  }
}

std::vector<FieldError> validate(const Lead& lead) {
  std::vector<FieldError> errors;
  Checker c(errors);
  c.text("subject", lead.subject, kMediumText);
  c.text("campaign", lead.campaign, kShortText);
  if (lead.score && *lead.score > 100) c.fail("score", "must be between 0 and 100");
  c.external_refs(lead.external_refs);
  check_prospect(c, lead.prospect);
  check_lists(c, lead);
  const auto& money = lead.expected_value;
  if (!money.empty()) {
    if (!is_decimal(money.amount)) c.fail("expected_value.amount", "not a decimal number such as 1250.00");
    if (!is_iso_currency(money.currency)) c.fail("expected_value.currency", "not an ISO 4217 currency code");
  }
  c.text("owner.channel", lead.owner.channel, kShortText);
  c.text("owner.assignee", lead.owner.assignee, kShortText);
  c.text("consent.text", lead.consent.text, kConsentText, true);
  if (!lead.follow_up.empty() && !is_valid_date(lead.follow_up)) c.fail("follow_up", "not a date (YYYY-MM-DD)");
  c.text("reason", lead.reason, kReason, true);
  c.text("opportunity_ref", lead.opportunity_ref, kShortText);
  if ((lead.status == LeadStatus::declined || lead.status == LeadStatus::closed) && lead.reason.empty()) {
    c.fail("reason", "required when status is " + std::string(to_string(lead.status)));
  }
  return errors;
}

std::vector<FieldError> validate(const Actor& actor) {
  std::vector<FieldError> errors;
  Checker c(errors);
  c.required("actor.user", actor.user);
  c.text("actor.user", actor.user, kShortText);
  c.required("actor.connector", actor.connector);
  c.text("actor.connector", actor.connector, kShortText);
  return errors;
}

void stamp_new_notes(Lead& lead, const Actor& actor, TimeMs now) {
  for (auto& note : lead.notes) {
    if (note.at == 0) note.at = now;
    if (note.author.empty()) note.author = actor.user;
  }
}

std::vector<FieldError> validate(const BusinessPartner& partner) {
  std::vector<FieldError> errors;
  Checker c(errors);
  c.text("company", partner.company, kMediumText);
  c.text("given_name", partner.given_name, kShortText);
  c.text("family_name", partner.family_name, kShortText);
  c.email("email", partner.email);
  c.phone("phone", partner.phone);
  c.address({"address.street", "address.postal_code", "address.city", "address.region", "address.country"},
            partner.address);
  c.external_refs(partner.external_refs);
  if (partner.kind == PartnerKind::account && partner.company.empty()) {
    c.fail("company", "required for an account");
  }
  if (partner.kind == PartnerKind::contact && partner.family_name.empty() && partner.email.empty() &&
      partner.company.empty()) {
    c.fail("family_name", "a contact needs a family_name, email or company");
  }
  return errors;
}

}  // namespace leadhub
