// model/validation: every rule of validate(Lead), validate(BusinessPartner), the
// building blocks, and normalize().
#include <boost/test/unit_test.hpp>

#include <string>

#include "model/codes.hpp"
#include "model/limits.hpp"
#include "model/validation.hpp"
#include "test_support.hpp"

using namespace leadhub;
using leadhub::test::has_error;
using leadhub::test::minimal_lead;
using leadhub::test::no_errors;

namespace {

std::string longer(std::size_t max, char c = 'x') { return std::string(max + 1, c); }
std::string exactly(std::size_t max, char c = 'x') { return std::string(max, c); }
std::string too_long(std::size_t max) { return "longer than " + std::to_string(max) + " bytes"; }
const std::string kBadText = "not valid UTF-8 text (or contains control characters)";

// A lead with every optional part filled in validly.
Lead rich_lead() {
  Lead l = minimal_lead();
  l.campaign = "spring-2026";
  l.score = 100;
  l.qualification = Qualification::warm;
  l.external_refs = {{"sap", "4711"}, {"lettershop-acme", "A-1"}};
  l.prospect.kind = ProspectKind::organization;
  l.prospect.company = "Muster GmbH";
  l.prospect.given_name = "Erika";
  l.prospect.email = "erika@muster.de";
  l.prospect.phone = "+4930123456";
  l.prospect.language = "de-DE";
  l.prospect.address = {"Hauptstr. 1", "10115", "Berlin", "Berlin", "DE"};
  l.interests = {{"heat-pump", 2}};
  l.expected_value = {"1250.00", "EUR"};
  l.owner = {"partner-north", "jdoe"};
  l.consent = {true, 1'700'000'000'000, "Yes,\nplease contact me"};
  l.notes = {{1'700'000'000'000, "jdoe", "called,\r\n\tno answer"}};
  l.attachments = {{"offer.pdf", "application/pdf", 1234, std::string(64, 'a'), "https://files.example/offer.pdf"}};
  l.follow_up = "2026-12-01";
  l.opportunity_ref = "OPP-1";
  l.attributes = {{"color", "blue"}, {"x.y_z-1", "multi\nline"}};
  return l;
}

BusinessPartner valid_account() {
  BusinessPartner p;
  p.kind = PartnerKind::account;
  p.company = "Muster GmbH";
  return p;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(validation)

BOOST_AUTO_TEST_CASE(valid_leads_pass) {
  BOOST_TEST(no_errors(validate(minimal_lead())));
  BOOST_TEST(no_errors(validate(rich_lead())));
}

BOOST_AUTO_TEST_CASE(prospect_needs_a_way_to_reach_someone) {
  Lead l;
  BOOST_TEST(has_error(validate(l), "prospect", "needs at least one of email, phone, family_name or company"));
  l.prospect.given_name = "Erika";  // a given name alone is not enough
  BOOST_TEST(has_error(validate(l), "prospect", "needs at least one of email, phone, family_name or company"));
  for (int which = 0; which < 4; ++which) {
    Lead ok;
    if (which == 0) ok.prospect.email = "a@b.de";
    if (which == 1) ok.prospect.phone = "+4930123456";
    if (which == 2) ok.prospect.family_name = "Muster";
    if (which == 3) ok.prospect.company = "Muster AG";
    BOOST_TEST_CONTEXT("variant " << which) { BOOST_TEST(no_errors(validate(ok))); }
  }
}

BOOST_AUTO_TEST_CASE(organization_needs_company) {
  Lead l = minimal_lead();
  l.prospect.kind = ProspectKind::organization;
  BOOST_TEST(has_error(validate(l), "prospect.company", "required when kind is organization"));
  l.prospect.kind = ProspectKind::person;
  BOOST_TEST(no_errors(validate(l)));
}

BOOST_AUTO_TEST_CASE(email_rule) {
  Lead l = minimal_lead();
  l.prospect.email = "not-an-email";
  BOOST_TEST(has_error(validate(l), "prospect.email", "not an e-mail address"));
  l.prospect.email = std::string(250, 'a') + "@b.de";  // 255 bytes
  BOOST_TEST(has_error(validate(l), "prospect.email", too_long(limits::kEmail)));
}

BOOST_AUTO_TEST_CASE(phone_rule) {
  Lead l = minimal_lead();
  l.prospect.phone = "030 123456";
  BOOST_TEST(has_error(validate(l), "prospect.phone",
                       "not an international phone number (expected E.164 such as +4930123456)"));
  l.prospect.phone = "+4930123456";
  BOOST_TEST(no_errors(validate(l)));
}

BOOST_AUTO_TEST_CASE(language_rule) {
  Lead l = minimal_lead();
  for (const char* ok : {"de", "en-GB", "zh-Hant-TW", "gsw"}) {
    l.prospect.language = ok;
    BOOST_TEST_CONTEXT(ok) { BOOST_TEST(no_errors(validate(l))); }
  }
  for (const char* bad : {"d", "en_GB", "en GB", "de!"}) {
    l.prospect.language = bad;
    BOOST_TEST_CONTEXT(bad) {
      BOOST_TEST(has_error(validate(l), "prospect.language", "not a language tag such as de or en-GB"));
    }
  }
  l.prospect.language = longer(limits::kLanguage, 'a');
  BOOST_TEST(has_error(validate(l), "prospect.language", too_long(limits::kLanguage)));
}

BOOST_AUTO_TEST_CASE(country_rule) {
  Lead l = minimal_lead();
  for (const char* bad : {"XX", "de", "DEU", "D"}) {
    l.prospect.address.country = bad;
    BOOST_TEST_CONTEXT(bad) {
      BOOST_TEST(has_error(validate(l), "prospect.address.country", "not an ISO 3166-1 alpha-2 country code"));
    }
  }
  l.prospect.address.country = "AT";
  BOOST_TEST(no_errors(validate(l)));
}

BOOST_AUTO_TEST_CASE(text_size_limits_of_lead_fields) {
  struct Case {
    const char* field;
    std::size_t max;
    void (*set)(Lead&, const std::string&);
  };
  const Case cases[] = {
      {"subject", limits::kMediumText, [](Lead& l, const std::string& v) { l.subject = v; }},
      {"campaign", limits::kShortText, [](Lead& l, const std::string& v) { l.campaign = v; }},
      {"prospect.company", limits::kMediumText, [](Lead& l, const std::string& v) { l.prospect.company = v; }},
      {"prospect.given_name", limits::kShortText, [](Lead& l, const std::string& v) { l.prospect.given_name = v; }},
      {"prospect.family_name", limits::kShortText, [](Lead& l, const std::string& v) { l.prospect.family_name = v; }},
      {"prospect.address.street", limits::kMediumText,
       [](Lead& l, const std::string& v) { l.prospect.address.street = v; }},
      {"prospect.address.postal_code", limits::kPostalCode,
       [](Lead& l, const std::string& v) { l.prospect.address.postal_code = v; }},
      {"prospect.address.city", limits::kShortText, [](Lead& l, const std::string& v) { l.prospect.address.city = v; }},
      {"prospect.address.region", limits::kShortText,
       [](Lead& l, const std::string& v) { l.prospect.address.region = v; }},
      {"owner.channel", limits::kShortText, [](Lead& l, const std::string& v) { l.owner.channel = v; }},
      {"owner.assignee", limits::kShortText, [](Lead& l, const std::string& v) { l.owner.assignee = v; }},
      {"consent.text", limits::kConsentText, [](Lead& l, const std::string& v) { l.consent.text = v; }},
      {"reason", limits::kReason, [](Lead& l, const std::string& v) { l.reason = v; }},
      {"opportunity_ref", limits::kShortText, [](Lead& l, const std::string& v) { l.opportunity_ref = v; }},
  };
  for (const auto& c : cases) {
    BOOST_TEST_CONTEXT(c.field) {
      Lead at_limit = minimal_lead();
      c.set(at_limit, exactly(c.max));
      BOOST_TEST(no_errors(validate(at_limit)));
      Lead over = minimal_lead();
      c.set(over, longer(c.max));
      BOOST_TEST(has_error(validate(over), c.field, too_long(c.max)));
    }
  }
}

BOOST_AUTO_TEST_CASE(control_characters_and_bad_utf8) {
  Lead l = minimal_lead();
  l.subject = "line\nbreak";  // single-line field
  BOOST_TEST(has_error(validate(l), "subject", kBadText));
  l.subject = std::string("nul\0byte", 8);
  BOOST_TEST(has_error(validate(l), "subject", kBadText));
  l.subject = "del\x7f";
  BOOST_TEST(has_error(validate(l), "subject", kBadText));
  l.subject = "bad \xC3\x28 utf8";
  BOOST_TEST(has_error(validate(l), "subject", kBadText));
  l.subject = "M\xC3\xBCller \xE2\x82\xAC \xF0\x9F\x98\x80";  // Müller € 😀
  BOOST_TEST(no_errors(validate(l)));
  // multi-line fields accept \n \r \t but not other controls
  l = minimal_lead();
  l.reason = "a\r\n\tb";
  BOOST_TEST(no_errors(validate(l)));
  l.reason = "bell\a";
  BOOST_TEST(has_error(validate(l), "reason", kBadText));
  l = minimal_lead();
  l.consent.text = "x\x01";
  BOOST_TEST(has_error(validate(l), "consent.text", kBadText));
}

BOOST_AUTO_TEST_CASE(utf8_building_block) {
  BOOST_TEST(is_valid_utf8_text("", false));
  BOOST_TEST(is_valid_utf8_text("plain ascii ~", false));
  BOOST_TEST(is_valid_utf8_text("\xC3\xA4\xE2\x82\xAC\xF0\x9F\x98\x80", false));
  BOOST_TEST(is_valid_utf8_text("\xF4\x8F\xBF\xBF", false));   // U+10FFFF
  BOOST_TEST(!is_valid_utf8_text("\xF4\x90\x80\x80", false));  // above U+10FFFF
  BOOST_TEST(!is_valid_utf8_text("\xC0\xAF", false));          // overlong
  BOOST_TEST(!is_valid_utf8_text("\xE0\x80\xAF", false));      // overlong
  BOOST_TEST(!is_valid_utf8_text("\xED\xA0\x80", false));      // surrogate
  BOOST_TEST(!is_valid_utf8_text("\xE2\x82", false));          // truncated
  BOOST_TEST(!is_valid_utf8_text("\x80", false));              // lone continuation
  BOOST_TEST(!is_valid_utf8_text("\xFF", false));
  BOOST_TEST(!is_valid_utf8_text("a\tb", false));
  BOOST_TEST(is_valid_utf8_text("a\tb\nc\rd", true));
  BOOST_TEST(!is_valid_utf8_text("a\x1b", true));
}

// The checker reads printable ASCII eight bytes at a time: every byte value at
// every position of a word (and of the tail after the last whole word) must still
// be judged on its own.
BOOST_AUTO_TEST_CASE(utf8_word_at_a_time_sees_every_byte) {
  for (std::size_t length : {7U, 8U, 9U, 16U, 23U}) {
    for (std::size_t at = 0; at < length; ++at) {
      for (int byte = 0; byte < 256; ++byte) {
        std::string text(length, 'a');
        text[at] = static_cast<char>(byte);
        const bool printable = byte >= 0x20 && byte < 0x7F;
        BOOST_TEST(is_valid_utf8_text(text, false) == printable, "byte " << byte << " at " << at << " of " << length);
        const bool newline = byte == '\n' || byte == '\r' || byte == '\t';
        BOOST_TEST(is_valid_utf8_text(text, true) == (printable || newline));
      }
    }
  }
  BOOST_TEST(
      is_valid_utf8_text("Hauptstra\xC3\x9F"
                         "e 12, 10115 Berlin",
                         false));
  BOOST_TEST(!is_valid_utf8_text("Hauptstrasse 12\xDF Berlin", false));  // Latin-1, not UTF-8
}

BOOST_AUTO_TEST_CASE(score_rule) {
  Lead l = minimal_lead();
  l.score = 0;
  BOOST_TEST(no_errors(validate(l)));
  l.score = 100;
  BOOST_TEST(no_errors(validate(l)));
  l.score = 101;
  BOOST_TEST(has_error(validate(l), "score", "must be between 0 and 100"));
  l.score = 255;
  BOOST_TEST(has_error(validate(l), "score", "must be between 0 and 100"));
}

BOOST_AUTO_TEST_CASE(external_ref_rules) {
  Lead l = minimal_lead();
  l.external_refs = {
      {"", "1"}, {"sap", ""}, {longer(limits::kShortText), "1"}, {"crm", longer(limits::kShortText)}, {"sap", "2"}};
  const auto errors = validate(l);
  BOOST_TEST(has_error(errors, "external_refs[0].system", "required"));
  BOOST_TEST(has_error(errors, "external_refs[1].id", "required"));
  BOOST_TEST(has_error(errors, "external_refs[2].system", too_long(limits::kShortText)));
  BOOST_TEST(has_error(errors, "external_refs[3].id", too_long(limits::kShortText)));
  BOOST_TEST(has_error(errors, "external_refs[4].system", "the same system appears twice"));

  Lead many = minimal_lead();
  for (std::size_t i = 0; i < limits::kExternalRefs; ++i)
    many.external_refs.push_back({"sys" + std::to_string(i), "1"});
  BOOST_TEST(no_errors(validate(many)));
  many.external_refs.push_back({"one-more", "1"});
  BOOST_TEST(has_error(validate(many), "external_refs", "more than 20 entries"));
}

BOOST_AUTO_TEST_CASE(interest_rules) {
  Lead l = minimal_lead();
  l.interests = {{"", 1}, {longer(limits::kShortText), 1}, {"a", 0}, {"b", 1'000'001}, {"c", 1'000'000}};
  const auto errors = validate(l);
  BOOST_TEST(has_error(errors, "interests[0].product", "required"));
  BOOST_TEST(has_error(errors, "interests[1].product", too_long(limits::kShortText)));
  BOOST_TEST(has_error(errors, "interests[2].quantity", "must be between 1 and 1000000"));
  BOOST_TEST(has_error(errors, "interests[3].quantity", "must be between 1 and 1000000"));
  BOOST_TEST(errors.size() == 4u);

  Lead many = minimal_lead();
  many.interests.assign(limits::kInterests, Interest{"p", 1});
  BOOST_TEST(no_errors(validate(many)));
  many.interests.push_back({"p", 1});
  BOOST_TEST(has_error(validate(many), "interests", "more than 100 entries"));
}

BOOST_AUTO_TEST_CASE(note_rules) {
  Lead l = minimal_lead();
  l.notes = {{0, "me", ""},
             {0, "me", longer(limits::kNoteText)},
             {0, longer(limits::kShortText), "t"},
             {0, "me", "multi\nline\ttext"},
             {0, "me", "ctrl\x02"}};
  const auto errors = validate(l);
  BOOST_TEST(has_error(errors, "notes[0].text", "required"));
  BOOST_TEST(has_error(errors, "notes[1].text", too_long(limits::kNoteText)));
  BOOST_TEST(has_error(errors, "notes[2].author", too_long(limits::kShortText)));
  BOOST_TEST(has_error(errors, "notes[4].text", kBadText));
  BOOST_TEST(errors.size() == 4u);

  Lead many = minimal_lead();
  many.notes.assign(limits::kNotes, Note{0, "me", "t"});
  BOOST_TEST(no_errors(validate(many)));
  many.notes.push_back({0, "me", "t"});
  BOOST_TEST(has_error(validate(many), "notes", "more than 500 entries"));
}

BOOST_AUTO_TEST_CASE(attachment_rules) {
  const std::string hex(64, 'f');
  Lead l = minimal_lead();
  l.attachments = {
      {"", "", 0, "", ""},
      {longer(limits::kMediumText), "", 0, "", ""},
      {"a", longer(limits::kShortText), 0, "", ""},
      {"b", "", 0, "", longer(limits::kUri)},
      {"c", "", 0, std::string(64, 'F'), ""},  // upper case
      {"d", "", 0, std::string(63, 'a'), ""},  // too short
      {"e", "", 0, std::string(63, 'a') + "g", ""},
      {"f", "text/plain", 1, hex, "s3://bucket/key"},
  };
  const auto errors = validate(l);
  BOOST_TEST(has_error(errors, "attachments[0].name", "required"));
  BOOST_TEST(has_error(errors, "attachments[1].name", too_long(limits::kMediumText)));
  BOOST_TEST(has_error(errors, "attachments[2].media_type", too_long(limits::kShortText)));
  BOOST_TEST(has_error(errors, "attachments[3].uri", too_long(limits::kUri)));
  BOOST_TEST(has_error(errors, "attachments[4].sha256", "not 64 lower-case hex digits"));
  BOOST_TEST(has_error(errors, "attachments[5].sha256", "not 64 lower-case hex digits"));
  BOOST_TEST(has_error(errors, "attachments[6].sha256", "not 64 lower-case hex digits"));
  BOOST_TEST(errors.size() == 7u);

  Lead many = minimal_lead();
  many.attachments.assign(limits::kAttachments, Attachment{"n", "", 0, "", ""});
  BOOST_TEST(no_errors(validate(many)));
  many.attachments.push_back({"n", "", 0, "", ""});
  BOOST_TEST(has_error(validate(many), "attachments", "more than 100 entries"));
}

BOOST_AUTO_TEST_CASE(attribute_rules) {
  const std::string bad_name = "attribute names are 1-64 letters, digits, '_', '-' or '.'";
  Lead l = minimal_lead();
  l.attributes = {{"ok_name-1.x", "v"},
                  {"bad name", "v"},
                  {"", "v"},
                  {std::string(65, 'k'), "v"},
                  {std::string(64, 'q'), "fine"},
                  {"long", longer(limits::kAttributeValue)},
                  {"multi", "a\nb"},
                  {"ctrl", "a\x03"}};
  const auto errors = validate(l);
  BOOST_TEST(has_error(errors, "attributes.bad name", bad_name));
  BOOST_TEST(has_error(errors, "attributes.", bad_name));
  BOOST_TEST(has_error(errors, "attributes." + std::string(64, 'k'), bad_name));  // path cut to 64
  BOOST_TEST(has_error(errors, "attributes.long", too_long(limits::kAttributeValue)));
  BOOST_TEST(has_error(errors, "attributes.ctrl", kBadText));
  BOOST_TEST(errors.size() == 5u);

  Lead many = minimal_lead();
  for (std::size_t i = 0; i < limits::kAttributes; ++i) many.attributes["k" + std::to_string(i)] = "v";
  BOOST_TEST(no_errors(validate(many)));
  many.attributes["one_more"] = "v";
  BOOST_TEST(has_error(validate(many), "attributes", "more than 64 entries"));
}

BOOST_AUTO_TEST_CASE(expected_value_rules) {
  Lead l = minimal_lead();
  l.expected_value = {"12,50", "EUR"};
  BOOST_TEST(has_error(validate(l), "expected_value.amount", "not a decimal number such as 1250.00"));
  l.expected_value = {"12.50", "EURO"};
  BOOST_TEST(has_error(validate(l), "expected_value.currency", "not an ISO 4217 currency code"));
  l.expected_value = {"12.50", "XYZ"};
  BOOST_TEST(has_error(validate(l), "expected_value.currency", "not an ISO 4217 currency code"));
  l.expected_value = {"", "EUR"};  // a currency alone is no value
  BOOST_TEST(has_error(validate(l), "expected_value.amount", "not a decimal number such as 1250.00"));
  l.expected_value = {"10", ""};
  BOOST_TEST(has_error(validate(l), "expected_value.currency", "not an ISO 4217 currency code"));
  l.expected_value = {"-10.5", "CHF"};
  BOOST_TEST(no_errors(validate(l)));
  l.expected_value = {};
  BOOST_TEST(no_errors(validate(l)));
}

BOOST_AUTO_TEST_CASE(follow_up_rule) {
  Lead l = minimal_lead();
  for (const char* bad : {"2026-02-30", "2026-13-01", "01.12.2026", "2026-12-01T00:00:00Z", "tomorrow"}) {
    l.follow_up = bad;
    BOOST_TEST_CONTEXT(bad) { BOOST_TEST(has_error(validate(l), "follow_up", "not a date (YYYY-MM-DD)")); }
  }
  l.follow_up = "2028-02-29";
  BOOST_TEST(no_errors(validate(l)));
}

BOOST_AUTO_TEST_CASE(declined_and_closed_need_a_reason) {
  for (LeadStatus s : {LeadStatus::declined, LeadStatus::closed}) {
    Lead l = minimal_lead();
    l.status = s;
    BOOST_TEST_CONTEXT(to_string(s)) {
      BOOST_TEST(has_error(validate(l), "reason", "required when status is " + std::string(to_string(s))));
      l.reason = "no budget";
      BOOST_TEST(no_errors(validate(l)));
    }
  }
  for (LeadStatus s :
       {LeadStatus::open, LeadStatus::in_process, LeadStatus::qualified, LeadStatus::accepted, LeadStatus::converted}) {
    Lead l = minimal_lead();
    l.status = s;
    BOOST_TEST_CONTEXT(to_string(s)) { BOOST_TEST(no_errors(validate(l))); }
  }
}

BOOST_AUTO_TEST_CASE(all_errors_reported_at_once) {
  Lead l;
  l.subject = longer(limits::kMediumText);
  l.score = 120;
  l.prospect.email = "x";
  l.prospect.phone = "123";
  l.follow_up = "2026-02-30";
  l.status = LeadStatus::closed;
  const auto errors = validate(l);
  BOOST_TEST(has_error(errors, "subject", too_long(limits::kMediumText)));
  BOOST_TEST(has_error(errors, "score", "must be between 0 and 100"));
  BOOST_TEST(has_error(errors, "prospect.email", "not an e-mail address"));
  BOOST_TEST(
      has_error(errors, "prospect.phone", "not an international phone number (expected E.164 such as +4930123456)"));
  BOOST_TEST(has_error(errors, "follow_up", "not a date (YYYY-MM-DD)"));
  BOOST_TEST(has_error(errors, "reason", "required when status is closed"));
  BOOST_TEST(errors.size() == 6u);
}

// ---- business partner ----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(partner_rules) {
  BOOST_TEST(no_errors(validate(valid_account())));

  BusinessPartner account;
  account.kind = PartnerKind::account;
  account.family_name = "Muster";
  BOOST_TEST(has_error(validate(account), "company", "required for an account"));

  BusinessPartner contact;
  contact.kind = PartnerKind::contact;
  contact.given_name = "Erika";
  BOOST_TEST(has_error(validate(contact), "family_name", "a contact needs a family_name, email or company"));
  contact.email = "erika@example.org";
  BOOST_TEST(no_errors(validate(contact)));

  BusinessPartner p = valid_account();
  p.company = longer(limits::kMediumText);
  p.given_name = longer(limits::kShortText);
  p.family_name = longer(limits::kShortText);
  p.email = "no-at-sign";
  p.phone = "+49 30 123";
  p.address.country = "ZZ";
  p.address.postal_code = longer(limits::kPostalCode);
  p.external_refs = {{"sap", "1"}, {"sap", "2"}, {"", "3"}};
  const auto errors = validate(p);
  BOOST_TEST(has_error(errors, "company", too_long(limits::kMediumText)));
  BOOST_TEST(has_error(errors, "given_name", too_long(limits::kShortText)));
  BOOST_TEST(has_error(errors, "family_name", too_long(limits::kShortText)));
  BOOST_TEST(has_error(errors, "email", "not an e-mail address"));
  BOOST_TEST(has_error(errors, "phone", "not an international phone number (expected E.164 such as +4930123456)"));
  BOOST_TEST(has_error(errors, "address.country", "not an ISO 3166-1 alpha-2 country code"));
  BOOST_TEST(has_error(errors, "address.postal_code", too_long(limits::kPostalCode)));
  BOOST_TEST(has_error(errors, "external_refs[1].system", "the same system appears twice"));
  BOOST_TEST(has_error(errors, "external_refs[2].system", "required"));
}

// ---- building blocks -------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(is_email_accepts) {
  for (const char* ok : {"a@b.de", "first.last+tag@sub.example.co.uk", "o'brien@example.ie", "x_y-z@my-host.org",
                         "user@b\xC3\xBC"
                         "cher.de",
                         "UPPER@EXAMPLE.COM", "1@2.io"}) {
    BOOST_TEST_CONTEXT(ok) { BOOST_TEST(is_email(ok)); }
  }
  const std::string local64(64, 'l');
  BOOST_TEST(is_email(local64 + "@example.com"));
  BOOST_TEST(is_email("a@" + std::string(63, 'd') + ".com"));
}

BOOST_AUTO_TEST_CASE(is_email_refuses) {
  for (const char* bad : {"",
                          "plain",
                          "@example.com",
                          "a@",
                          "a@localhost",
                          ".a@example.com",
                          "a.@example.com",
                          "a..b@example.com",
                          "a b@example.com",
                          "a\"b@example.com",
                          "a(b)@example.com",
                          "a,b@example.com",
                          "a:b@example.com",
                          "a;b@example.com",
                          "a<b>@example.com",
                          "a[b]@example.com",
                          "a\\b@example.com",
                          "hans\u200B@example.de",  // a zero-width space nobody sees
                          "hans@example.de\u00A0",  // a no-break space
                          "hans@exam\u00ADple.de",  // a soft hyphen
                          "\uFEFFhans@example.de",
                          "a@example..com",
                          "a@.example.com",
                          "a@example.com.",
                          "a@-example.com",
                          "a@example-.com",
                          "a@exa_mple.com",
                          "a@exa mple.com",
                          "a@b@c.de"}) {
    BOOST_TEST_CONTEXT("\"" << bad << "\"") { BOOST_TEST(!is_email(bad)); }
  }
  BOOST_TEST(!is_email(std::string(65, 'l') + "@example.com"));  // local part > 64
  BOOST_TEST(!is_email("a@" + std::string(64, 'd') + ".com"));   // label > 63
}

BOOST_AUTO_TEST_CASE(is_email_refuses_a_last_label_ending_in_hyphen) {
  // A DNS label may not end with '-'; is_email already refuses that for every
  // label except the last one ("a@example-.com"), so the last must be refused too.
  BOOST_TEST(!is_email("a@example.com-"));
  BOOST_TEST(!is_email("a@example.de-"));
}

BOOST_AUTO_TEST_CASE(is_e164_rules) {
  for (const char* ok : {"+4930123456", "+1234567", "+123456789012345", "+4917112345678"}) {
    BOOST_TEST_CONTEXT(ok) { BOOST_TEST(is_e164(ok)); }
  }
  for (const char* bad : {"", "+", "+123456", "+1234567890123456", "4930123456", "+0493012345", "+49 30123456",
                          "+49-30123456", "+49301234a6", "++4930123456", "0049301234567"}) {
    BOOST_TEST_CONTEXT("\"" << bad << "\"") { BOOST_TEST(!is_e164(bad)); }
  }
}

BOOST_AUTO_TEST_CASE(is_decimal_rules) {
  for (const char* ok : {"0", "1250.00", "-3.5", "123456789012345", "1.1234", "123456789012345.1234", "007"}) {
    BOOST_TEST_CONTEXT(ok) { BOOST_TEST(is_decimal(ok)); }
  }
  for (const char* bad : {"", "-", "1.", ".5", "1e5", "+1", "1,5", " 1", "1 ", "1234567890123456", "1.12345", "1.2.3",
                          "--1", "abc", "NaN"}) {
    BOOST_TEST_CONTEXT("\"" << bad << "\"") { BOOST_TEST(!is_decimal(bad)); }
  }
}

BOOST_AUTO_TEST_CASE(country_and_currency_codes) {
  for (const char* ok : {"AD", "DE", "AT", "CH", "US", "GB", "ZW", "AX", "SS"}) {
    BOOST_TEST_CONTEXT(ok) { BOOST_TEST(is_iso_country(ok)); }
  }
  for (const char* bad : {"", "D", "de", "De", "XX", "UK", "EU", "DEU", "ZZ", "A ", " D", "@D", "D[", "\xC3\x84"}) {
    BOOST_TEST_CONTEXT("\"" << bad << "\"") { BOOST_TEST(!is_iso_country(bad)); }
  }
  for (const char* ok : {"AED", "EUR", "USD", "CHF", "GBP", "JPY", "ZWL", "ZWG"}) {
    BOOST_TEST_CONTEXT(ok) { BOOST_TEST(is_iso_currency(ok)); }
  }
  for (const char* bad : {"", "EU", "eur", "EURO", "XYZ", "DEM", "AED ", "E R", "EU[", "@UR", "\xE2\x82\xAC"}) {
    BOOST_TEST_CONTEXT("\"" << bad << "\"") { BOOST_TEST(!is_iso_currency(bad)); }
  }
}

BOOST_AUTO_TEST_CASE(lower_ascii_rule) {
  BOOST_TEST(lower_ascii("Anna.SCHMIDT@Example.COM") == "anna.schmidt@example.com");
  BOOST_TEST(lower_ascii("\xC3\x84") == "\xC3\x84");  // non-ASCII left alone
}

// ---- normalize -------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(normalize_lead) {
  Lead l;
  l.subject = "  Heat pump \t";
  l.campaign = "\nspring ";
  l.prospect.company = " Muster GmbH ";
  l.prospect.given_name = " Erika";
  l.prospect.family_name = "Muster ";
  l.prospect.language = " de ";
  l.prospect.email = "  Erika@Muster.DE ";
  l.prospect.phone = " +49 (171) 123-45.67 ";
  l.prospect.address = {" Hauptstr. 1 ", " 10115 ", " Berlin ", " BE ", " de "};
  l.expected_value = {" 12.50 ", " eur "};
  l.external_refs = {{" sap ", " 4711 "}};
  l.attachments = {{"a", "", 0, std::string(64, 'A'), ""}};
  l.owner = {" north ", " jdoe "};
  normalize(l);
  BOOST_TEST(l.subject == "Heat pump");
  BOOST_TEST(l.campaign == "spring");
  BOOST_TEST(l.prospect.company == "Muster GmbH");
  BOOST_TEST(l.prospect.given_name == "Erika");
  BOOST_TEST(l.prospect.family_name == "Muster");
  BOOST_TEST(l.prospect.language == "de");
  BOOST_TEST(l.prospect.email == "Erika@Muster.DE");  // trimmed, case kept
  BOOST_TEST(l.prospect.phone == "+491711234567");
  BOOST_TEST(l.prospect.address.street == "Hauptstr. 1");
  BOOST_TEST(l.prospect.address.postal_code == "10115");
  BOOST_TEST(l.prospect.address.city == "Berlin");
  BOOST_TEST(l.prospect.address.region == "BE");
  BOOST_TEST(l.prospect.address.country == "DE");
  BOOST_TEST(l.expected_value.amount == "12.50");
  BOOST_TEST(l.expected_value.currency == "EUR");
  BOOST_TEST(l.external_refs[0].system == "sap");
  BOOST_TEST(l.external_refs[0].id == "4711");
  BOOST_TEST(l.attachments[0].sha256 == std::string(64, 'a'));
  BOOST_TEST(l.owner.channel == "north");
  BOOST_TEST(l.owner.assignee == "jdoe");
  BOOST_TEST(no_errors(validate(l)));
}

BOOST_AUTO_TEST_CASE(normalize_phone_numbers) {
  struct Case {
    const char* in;
    const char* out;
  };
  for (const Case c : {Case{"0049 171 1234567", "+491711234567"}, Case{"0049-30/123456", "+4930123456"},
                       Case{"+1 (555) 010-9999", "+15550109999"}, Case{"+44.20.7946.0000", "+442079460000"},
                       Case{"0171/1234567", "01711234567"}, Case{"", ""}, Case{"   ", ""}}) {
    Lead l = minimal_lead();
    l.prospect.phone = c.in;
    normalize(l);
    BOOST_TEST_CONTEXT("\"" << c.in << "\"") { BOOST_TEST(l.prospect.phone == c.out); }
  }
  // what normalize cannot fix is left for validation to report
  Lead l = minimal_lead();
  l.prospect.phone = "0171/1234567";
  normalize(l);
  BOOST_TEST(has_error(validate(l), "prospect.phone",
                       "not an international phone number (expected E.164 such as +4930123456)"));
}

BOOST_AUTO_TEST_CASE(normalize_partner) {
  BusinessPartner p;
  p.kind = PartnerKind::contact;
  p.company = " ACME ";
  p.given_name = " Jo ";
  p.family_name = " Doe ";
  p.email = " jo@acme.com ";
  p.phone = "00 44 20 7946 0000";
  p.address.country = "gb ";
  p.address.city = " London ";
  p.external_refs = {{" crm ", " 9 "}};
  normalize(p);
  BOOST_TEST(p.company == "ACME");
  BOOST_TEST(p.given_name == "Jo");
  BOOST_TEST(p.family_name == "Doe");
  BOOST_TEST(p.email == "jo@acme.com");
  BOOST_TEST(p.phone == "+442079460000");
  BOOST_TEST(p.address.country == "GB");
  BOOST_TEST(p.address.city == "London");
  BOOST_TEST(p.external_refs[0].system == "crm");
  BOOST_TEST(p.external_refs[0].id == "9");
  BOOST_TEST(no_errors(validate(p)));
}

BOOST_AUTO_TEST_CASE(normalize_is_idempotent) {
  Lead l = rich_lead();
  l.prospect.phone = " 0049 (30) 123456 ";
  l.prospect.address.country = " de";
  normalize(l);
  Lead again = l;
  normalize(again);
  BOOST_TEST((again == l));
}

BOOST_AUTO_TEST_SUITE_END()
